"""GET and PATCH /v1/event_suppression, as fm's suppress commands do."""

from stx.common import context as stx_context
from stx.fm import catalogue
from stx.fm.manager import manager
from tests.unit.fm import api

UNKNOWN_UUID = '7a3c1d52-0000-4000-8000-000000000000'
SUPPRESSED_ONLY = ('/v1/event_suppression?q.field=suppression_status'
                   '&q.op=eq&q.type=string&q.value=suppressed')


class TestEventSuppression(api.FMApiCase):

    def patch(self, uuid, ops, expect_errors=False):
        return self.app.patch_json('/v1/event_suppression/' + uuid, ops,
                                   expect_errors=expect_errors)

    def sync(self, changes):
        """The manager's start-up sync, after a catalogue change."""
        self.use_catalogue(changes)
        return manager.sync_suppression(stx_context.get_admin_context())

    def test_one_unsuppressed_entry_per_catalogue_alarm_id(self):
        entries = self.app.get(
            '/v1/event_suppression').json['event_suppression']
        alarm_ids = [entry.alarm_id
                     for entry in catalogue.get_catalogue().entries()
                     if entry.type == catalogue.TYPE_ALARM]
        # StarlingX lists every alarm id, whatever its Suppression flag
        # (200.001's is false), and no customer log id.
        self.assertIn('200.001', alarm_ids)
        self.assertNotIn('200.021', alarm_ids)
        self.assertEqual(alarm_ids,
                         [entry['alarm_id'] for entry in entries])
        for entry in entries:
            self.assertEqual({'uuid', 'alarm_id', 'description',
                              'suppression_status', 'links'}, set(entry))
            self.assertEqual('unsuppressed', entry['suppression_status'])
            self.assertTrue(entry['description'])
            self.assertTrue(entry['links'][0]['href'].endswith(
                '/v1/event_suppression/' + entry['uuid']))

    def test_suppress_and_unsuppress_with_the_fm_client_patch(self):
        self.assertEqual([], self.app.get(
            SUPPRESSED_ONLY).json['event_suppression'])
        entry = self.set_suppression('200.004', 'suppressed')
        self.assertEqual('suppressed', entry['suppression_status'])
        self.assertEqual('200.004', entry['alarm_id'])
        # The server filters: the client shows whatever comes back.
        listed = self.app.get(SUPPRESSED_ONLY).json['event_suppression']
        self.assertEqual([entry], listed)
        self.assertEqual(entry, self.app.get(
            '/v1/event_suppression/' + entry['uuid']).json)
        unsuppressed = self.app.get(
            '/v1/event_suppression?q.field=suppression_status&q.op=ne'
            '&q.type=string&q.value=suppressed').json['event_suppression']
        self.assertNotIn('200.004',
                         [row['alarm_id'] for row in unsuppressed])
        self.assertEqual('unsuppressed', self.set_suppression(
            '200.004', 'unsuppressed')['suppression_status'])
        self.assertEqual([], self.app.get(
            SUPPRESSED_ONLY).json['event_suppression'])

    def test_bad_patches_are_refused_naming_the_field(self):
        uuid = self.suppression('200.004')['uuid']
        for ops, field in (
                ([{'op': 'replace', 'path': '/suppression_status',
                   'value': 'hidden'}], 'suppression_status'),
                ([{'op': 'replace', 'path': '/suppression_status',
                   'value': None}], 'suppression_status'),
                ([{'op': 'remove', 'path': '/suppression_status'}],
                 'suppression_status'),
                ([{'op': 'replace', 'path': '/alarm_id',
                   'value': '200.005'}], 'alarm_id'),
                ([{'op': 'replace', 'path': '/description',
                   'value': 'x'}], 'description'),
                ([{'op': 'replace', 'path': '/colour', 'value': 'x'}],
                 'colour'),
                ({'suppression_status': 'suppressed'}, 'body')):
            self.assertRefused(self.patch(uuid, ops, expect_errors=True),
                               400, field)
        self.assertEqual('unsuppressed', self.suppression(
            '200.004')['suppression_status'])

    def test_entry_of_an_id_no_longer_an_alarm_is_hidden_and_refused(self):
        self.set_alarm()
        entry = self.set_suppression('200.004', 'suppressed')
        self.assertEqual([], self.app.get('/v1/alarms').json['alarms'])
        # 200.004 leaves the catalogue's alarms; the manager restarts.
        self.assertEqual(([], ['200.004']),
                         self.sync({'200.004': {'Type': 'Log'}}))
        listed = self.app.get(
            '/v1/event_suppression').json['event_suppression']
        self.assertNotIn('200.004', [row['alarm_id'] for row in listed])
        self.assertEqual([], self.app.get(
            SUPPRESSED_ONLY).json['event_suppression'])
        # Unsuppressed: its active alarm is shown and counted again.
        self.assertEqual(['200.004'], [
            alarm['alarm_id']
            for alarm in self.app.get('/v1/alarms').json['alarms']])
        self.assertEqual(1, self.app.get(
            '/v1/alarms/summary').json['critical'])
        for status in ('suppressed', 'unsuppressed'):
            fault = self.assertRefused(self.patch(entry['uuid'], [
                {'op': 'replace', 'path': '/suppression_status',
                 'value': status}], expect_errors=True),
                400, 'suppression_status', 'stx.invalid.value')
            self.assertIn('200.004', fault['faultstring'])
        self.assertEqual(dict(entry, suppression_status='unsuppressed'),
                         self.app.get('/v1/event_suppression/'
                                      + entry['uuid']).json)

    def test_entry_comes_back_unsuppressed_with_its_alarm_id(self):
        uuid = self.set_suppression('200.004', 'suppressed')['uuid']
        self.sync({'200.004': None})
        self.assertEqual((['200.004'], []), self.sync({}))
        entry = self.suppression('200.004')
        self.assertEqual(uuid, entry['uuid'])
        self.assertEqual('unsuppressed', entry['suppression_status'])
        self.assertEqual('suppressed', self.set_suppression(
            '200.004', 'suppressed')['suppression_status'])

    def test_unknown_uuid_is_404(self):
        self.get_refused('/v1/event_suppression/' + UNKNOWN_UUID, 404, None,
                         'stx.event_suppression.not_found')
        response = self.patch(UNKNOWN_UUID, [
            {'op': 'replace', 'path': '/suppression_status',
             'value': 'suppressed'}], expect_errors=True)
        self.assertRefused(response, 404, None,
                           'stx.event_suppression.not_found')

    def test_malformed_q_is_refused(self):
        for query, field in (
                ('q.field=severity&q.op=eq&q.type=&q.value=x', 'q.field'),
                ('q.field=suppression_status&q.op=like&q.type='
                 '&q.value=x', 'q.op'),
                ('q.field=suppression_status&q.op=eq&q.type=',
                 'q.value')):
            self.get_refused('/v1/event_suppression?' + query, 400, field)
