"""The alarm catalogue: loading, validation and fault checks."""

import os

import yaml

from stx.common import exception
from stx.fm import catalogue
from tests.unit.fm import base

_ENTRY = {
    'Type': 'Alarm',
    'Description': 'Something broke.',
    'Entity_Instance_ID': 'host=<hostname>',
    'Severity': ['critical', 'major'],
    'Proposed_Repair_Action': 'Fix it.',
    'Alarm_Type': 'equipment',
    'Probable_Cause': 'equipment-malfunction',
    'Service_Affecting': True,
    'Suppression': True,
    'Management_Affecting_Severity': 'major',
    'Degrade_Affecting_Severity': 'none',
}

_REQUIRED_IDS = ('100.101', '100.103', '100.104', '200.001', '200.004',
                 '200.005', '200.006', '200.009', '200.010', '200.011',
                 '200.014', '200.015', '250.001', '400.001', '400.002',
                 '400.005', '200.016', '200.020', '200.021', '200.022',
                 '200.023', '200.024',
                 '401.001')


# StarlingX's Suppression flags (fm-doc/fm_doc/events.yaml) for the alarm
# ids we ship; logs have none there, and false here.
_STARLINGX_SUPPRESSION = {
    '100.101': True, '100.103': True, '100.104': True, '200.001': False,
    '200.004': True, '200.005': True, '200.006': True, '200.009': True,
    '200.010': False, '200.011': True, '200.014': True, '200.015': False,
    '250.001': False, '400.001': True, '400.002': True, '400.005': True}


def _yaml(**entries):
    return yaml.safe_dump({alarm_id.replace('_', '.'): fields
                           for alarm_id, fields in entries.items()})


def _entry(**changes):
    entry = dict(_ENTRY, **changes)
    return {key: value for key, value in entry.items() if value is not None}


class TestLoad(base.FMTestCase):

    def test_packaged_catalogue_has_every_contract_id(self):
        cat = catalogue.load()
        self.assertEqual([], sorted(set(_REQUIRED_IDS) - set(cat.ids())))
        self.assertEqual('log', cat.get('200.021').type)
        self.assertEqual('alarm', cat.get('200.004').type)
        self.assertEqual(('warning',), cat.get('200.001').severities)

    def test_packaged_repair_actions_fit_the_column(self):
        for entry in catalogue.load().entries():
            self.assertLessEqual(len(entry.proposed_repair_action),
                                 catalogue.MAX_TEXT, entry.alarm_id)

    def test_packaged_suppression_flags_are_booleans(self):
        for entry in catalogue.load().entries():
            self.assertIsInstance(entry.suppression, bool, entry.alarm_id)

    def test_packaged_suppression_flags_follow_starlingx(self):
        cat = catalogue.load()
        self.assertEqual(_STARLINGX_SUPPRESSION, {
            alarm_id: cat.get(alarm_id).suppression
            for alarm_id in _STARLINGX_SUPPRESSION})
        for entry in cat.entries():
            if entry.type == catalogue.TYPE_LOG:
                self.assertIs(False, entry.suppression, entry.alarm_id)

    def test_entity_type_derived_from_the_instance_pattern(self):
        cat = catalogue.load()
        self.assertEqual('host', cat.get('200.004').entity_type)
        self.assertEqual('host.process', cat.get('200.006').entity_type)

    def test_unknown_id_is_none(self):
        self.assertIsNone(catalogue.load().get('999.999'))

    def test_duplicate_ids_refused(self):
        text = _yaml(**{'200_004': _entry()})
        error = self.assertRaises(catalogue.CatalogueError, catalogue.parse,
                                  text + text, 'dup.yaml')
        self.assertIn("duplicate key '200.004'", str(error))
        self.assertIn('dup.yaml', str(error))

    def test_duplicate_field_in_an_entry_refused(self):
        text = '"200.004":\n  Type: Alarm\n  Type: Log\n'
        error = self.assertRaises(catalogue.CatalogueError,
                                  catalogue.parse, text)
        self.assertIn("duplicate key 'Type'", str(error))

    def test_missing_field_refused(self):
        error = self.assertRaises(
            catalogue.CatalogueError, catalogue.parse,
            _yaml(**{'200_004': _entry(Probable_Cause=None)}))
        self.assertIn('id 200.004: missing Probable_Cause', str(error))

    def test_bad_severity_refused(self):
        error = self.assertRaises(
            catalogue.CatalogueError, catalogue.parse,
            _yaml(**{'200_004': _entry(Severity=['critical', 'fatal'])}))
        self.assertIn("severity 'fatal'", str(error))

    def test_not_applicable_only_for_logs(self):
        self.assertRaises(
            catalogue.CatalogueError, catalogue.parse,
            _yaml(**{'200_004': _entry(Severity=['not-applicable'])}))
        cat = catalogue.parse(_yaml(**{'200_020': _entry(
            Type='Log', Severity=['not-applicable'])}))
        self.assertEqual(('not-applicable',), cat.get('200.020').severities)

    def test_scalar_severity_accepted(self):
        cat = catalogue.parse(_yaml(**{'200_004': _entry(Severity='major')}))
        self.assertEqual(('major',), cat.get('200.004').severities)

    def test_bad_id_format_refused(self):
        for bad_id in ('2000.4', '200', 'abc.def', '200.0041'):
            error = self.assertRaises(
                catalogue.CatalogueError, catalogue.parse,
                yaml.safe_dump({bad_id: _entry()}))
            self.assertIn('GGG.NNN', str(error))

    def test_numeric_id_refused(self):
        # 200.004 unquoted is a float in YAML: it must be a string.
        self.assertRaises(catalogue.CatalogueError, catalogue.parse,
                          yaml.safe_dump({200.004: _entry()}))

    def test_bad_type_alarm_type_threshold_and_flag_refused(self):
        for field, value in (('Type', 'Event'), ('Alarm_Type', 'bad'),
                             ('Management_Affecting_Severity', 'high'),
                             ('Suppression', 'yes')):
            error = self.assertRaises(
                catalogue.CatalogueError, catalogue.parse,
                _yaml(**{'200_004': _entry(**{field: value})}))
            self.assertIn('200.004', str(error))

    def test_invalid_yaml_and_empty_document_refused(self):
        self.assertRaises(catalogue.CatalogueError, catalogue.parse,
                          '"200.004": [unclosed')
        self.assertRaises(catalogue.CatalogueError, catalogue.parse, '')

    def test_missing_file_refused(self):
        error = self.assertRaises(catalogue.CatalogueError, catalogue.load,
                                  '/nonexistent/events.yaml')
        self.assertIn('/nonexistent/events.yaml', str(error))

    def test_get_catalogue_uses_the_configured_file_and_caches(self):
        path = os.path.join(self.state_dir, 'events.yaml')
        with open(path, 'w') as stream:
            stream.write(_yaml(**{'123_456': _entry()}))
        self.config(catalogue_file=path, group='fm')
        first = catalogue.get_catalogue()
        self.assertEqual(['123.456'], first.ids())
        self.assertIs(first, catalogue.get_catalogue())
        catalogue.reset()
        self.assertIsNot(first, catalogue.get_catalogue())

    def test_default_catalogue_when_no_file_configured(self):
        self.assertIn('200.004', catalogue.get_catalogue().ids())


class TestAlarmAllowed(base.FMTestCase):

    def test_below_threshold_allowed(self):
        self.assertTrue(catalogue.alarm_allowed('minor', 'major'))
        self.assertTrue(catalogue.alarm_allowed('warning', 'minor'))

    def test_at_or_above_threshold_not_allowed(self):
        self.assertFalse(catalogue.alarm_allowed('major', 'major'))
        self.assertFalse(catalogue.alarm_allowed('critical', 'warning'))

    def test_none_threshold_allows_everything(self):
        self.assertTrue(catalogue.alarm_allowed('critical', 'none'))


class TestValidateFault(base.FMTestCase):

    def setUp(self):
        super().setUp()
        self.cat = catalogue.get_catalogue()

    def _fault(self, **changes):
        fault = dict(alarm_id='200.004', entity_type_id='host',
                     entity_instance_id='host=worker-1',
                     severity='critical', reason_text='worker-1 failed')
        fault.update(changes)
        return {key: value for key, value in fault.items()
                if value is not None}

    def _refused(self, error_class, state='set', **changes):
        return self.assertRaises(error_class, catalogue.validate_fault,
                                 self.cat, self._fault(**changes), state)

    def test_defaults_filled_from_the_catalogue(self):
        fault = catalogue.validate_fault(self.cat, self._fault(), 'set')
        entry = self.cat.get('200.004')
        self.assertEqual('set', fault['alarm_state'])
        self.assertEqual(entry.alarm_type, fault['alarm_type'])
        self.assertEqual(entry.probable_cause, fault['probable_cause'])
        self.assertEqual(entry.proposed_repair_action,
                         fault['proposed_repair_action'])
        self.assertIs(entry.service_affecting, fault['service_affecting'])
        self.assertIs(entry.suppression, fault['suppression'])

    def test_given_values_kept(self):
        fault = catalogue.validate_fault(self.cat, self._fault(
            alarm_type='equipment', service_affecting=False,
            proposed_repair_action='Replace the disk.'), 'set')
        self.assertEqual('equipment', fault['alarm_type'])
        self.assertIs(False, fault['service_affecting'])
        self.assertEqual('Replace the disk.',
                         fault['proposed_repair_action'])

    def test_unknown_alarm_id_names_the_field(self):
        error = self._refused(exception.UnknownAlarmId, alarm_id='999.999')
        self.assertEqual('alarm_id', error.field)
        self.assertIn('999.999', str(error))

    def test_set_of_a_log_id_refused(self):
        error = self._refused(exception.InvalidParameterValue,
                              alarm_id='200.021', severity='not-applicable')
        self.assertEqual('alarm_state', error.field)

    def test_log_of_an_alarm_id_refused(self):
        error = self._refused(exception.InvalidParameterValue, state='log')
        self.assertEqual('alarm_state', error.field)

    def test_log_of_a_log_id_accepted(self):
        fault = catalogue.validate_fault(self.cat, self._fault(
            alarm_id='200.021', severity='not-applicable'), 'log')
        self.assertEqual('log', fault['alarm_state'])

    def test_wrong_severity_refused(self):
        error = self._refused(exception.InvalidParameterValue,
                              severity='minor')
        self.assertEqual('severity', error.field)

    def test_missing_fields_named(self):
        for field in ('entity_instance_id', 'entity_type_id',
                      'reason_text', 'severity', 'alarm_id'):
            error = self.assertRaises(
                exception.MissingParameterValue, catalogue.validate_fault,
                self.cat, self._fault(**{field: None}), 'set')
            self.assertEqual(field, error.field)

    def test_blank_reason_is_missing(self):
        error = self._refused(exception.MissingParameterValue,
                              reason_text='  ')
        self.assertEqual('reason_text', error.field)

    def test_reason_longer_than_255_refused(self):
        catalogue.validate_fault(self.cat, self._fault(
            reason_text='x' * 255), 'set')
        error = self._refused(exception.InvalidParameterValue,
                              reason_text='x' * 256)
        self.assertEqual('reason_text', error.field)

    def test_entity_instance_id_must_be_key_value_pairs(self):
        for good in ('host=worker-1', 'host=worker-1.process=sshd',
                     'system=a b.host=c'):
            catalogue.validate_fault(self.cat, self._fault(
                entity_instance_id=good), 'set')
        for bad in ('worker-1', 'host=', '=x', 'host=a.', 'host=a..p=b'):
            error = self._refused(exception.InvalidParameterValue,
                                  entity_instance_id=bad)
            self.assertEqual('entity_instance_id', error.field, bad)

    def test_non_boolean_flag_refused(self):
        error = self._refused(exception.InvalidParameterValue,
                              suppression='yes')
        self.assertEqual('suppression', error.field)

    def test_not_a_mapping_refused(self):
        self.assertRaises(exception.InvalidParameterValue,
                          catalogue.validate_fault, self.cat, ['x'], 'set')
