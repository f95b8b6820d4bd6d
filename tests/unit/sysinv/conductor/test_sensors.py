"""Hardware sensors through the conductor: what stx-mtce reports of a host's
BMC (hwmon_sensors_update, hwmon_sensors_unreadable) and the operator's
changes (update_sensorgroup, update_sensor). A conductor is built per test
and called directly; the last class goes through RPC.
"""

import copy
import json
import logging
import re

import fixtures
import sqlalchemy as sa

from stx.common import exception
from stx.sysinv.conductor import bootstrap
from stx.sysinv.conductor import manager
from stx.sysinv.conductor import rpcapi
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import DB
from stx.sysinv.db import sensors_api
from tests.unit import base
from tests.unit.sysinv.conductor import test_inventory

_STATEMENT = re.compile(r'(SELECT) .*? FROM (\w+)|(INSERT) INTO (\w+)|'
                        r'(UPDATE) (\w+)')

# What a BMC driver's get_sensors() returns of a small server.
REPORT = [
    {'name': 'Inlet Temp', 'sensor_type': 'temperature', 'reading': 24,
     'units': 'C', 'status': 'ok',
     'thresholds': {'upper_minor': 38, 'upper_major': 42,
                    'upper_critical': 45}},
    {'name': 'CPU1 Temp', 'sensor_type': 'temperature', 'reading': 51.5,
     'units': 'C', 'status': 'ok', 'thresholds': {'upper_critical': 95}},
    {'name': 'Fan 1', 'sensor_type': 'fan', 'reading': 4200,
     'units': 'RPM', 'status': 'ok', 'thresholds': {'lower_critical': 500}},
    {'name': 'PSU1 Vin', 'sensor_type': 'voltage', 'reading': 229.5,
     'units': 'V', 'status': 'ok',
     'thresholds': {'lower_major': 200, 'upper_major': 250}},
    {'name': 'PS1 Status', 'sensor_type': 'power-supply', 'reading': None,
     'units': None, 'status': 'ok', 'thresholds': {}},
    {'name': 'Intrusion', 'sensor_type': 'physical-security',
     'reading': None, 'units': None, 'status': 'ok'},
]

GROUPS = {'server temperature': 'temperature', 'server fans': 'fan',
          'server voltage': 'voltage',
          'server power supplies': 'power-supply',
          'server physical-security': 'physical-security'}

SUMMARY_FIELDS = {
    'uuid', 'sensorname', 'sensortype', 'status', 'reading', 'unit_base',
    'suppress', 'actions_minor', 'actions_major', 'actions_critical',
    'sensorgroup_uuid', 'sensorgroupname', 't_minor_lower', 't_minor_upper',
    't_major_lower', 't_major_upper', 't_critical_lower', 't_critical_upper'}


def report(**changes):
    """REPORT with ``{name: {key: value}}`` changes (None drops it)."""
    sensors = []
    for sensor in copy.deepcopy(REPORT):
        change = changes.get(sensor['name'], {})
        if change is not None:
            sensors.append(dict(sensor, **change))
    return sensors


class SensorsTestCase(base.TestCase):
    """A system, its controller-0 and a conductor of this test's own."""

    def setUp(self):
        super().setUp()
        _system, self.host = bootstrap.ensure_system(self.context)
        self.conductor = test_inventory.Unwrapped(
            manager.ConductorManager('test-host'))

    def update(self, sensors=None):
        return self.conductor.hwmon_sensors_update(
            self.context, self.host['uuid'],
            REPORT if sensors is None else sensors)

    def by_name(self, summary):
        return {sensor['sensorname']: sensor
                for sensor in summary['sensors']}

    def stored(self):
        return {row['sensorname']: row for row in
                sensors_api.sensor_list(self.context, self.host['id'])}

    def groups(self):
        return {row['sensorgroupname']: row for row in
                sensors_api.sensorgroup_list(self.context, self.host['id'])}

    def statements(self):
        """The SQL statements run from now to the end of the test, each as
        ``<verb> <table>`` (``SELECT i_sensors``).
        """
        seen = []

        def record(conn, cursor, statement, parameters, context, many):
            match = _STATEMENT.match(' '.join(statement.split()))
            if statement != 'BEGIN':
                words = [word for word in match.groups() if word] if match \
                    else [statement]
                seen.append(' '.join(words))

        engine = DB.get_engine()
        sa.event.listen(engine, 'before_cursor_execute', record)
        self.addCleanup(sa.event.remove, engine, 'before_cursor_execute',
                        record)
        return seen


class TestSensorReports(SensorsTestCase):

    def test_first_report_learns_groups_and_sensors(self):
        summary = self.update()
        groups = self.groups()
        self.assertEqual(GROUPS, {name: group['sensortype']
                                  for name, group in groups.items()})
        fans = groups['server fans']
        self.assertEqual(
            ('ignore', 'log', 'alarm', 120, False, 'enabled', 'analog',
             'RPM'),
            (fans['actions_minor_group'], fans['actions_major_group'],
             fans['actions_critical_group'], fans['audit_interval_group'],
             fans['suppress'], fans['state'], fans['datatype'],
             fans['unit_base_group']))
        self.assertEqual('ignore,log,alarm', fans['actions_minor_choices'])
        self.assertEqual('ignore,log,alarm,reset,power-cycle',
                         fans['actions_critical_choices'])
        self.assertEqual('discrete',
                         groups['server power supplies']['datatype'])
        stored = self.stored()
        self.assertEqual(sorted(sensor['name'] for sensor in REPORT),
                         sorted(stored))
        inlet = stored['Inlet Temp']
        self.assertEqual(
            (24.0, 'C', 'ok', 'analog', 38.0, 42.0, 45.0, None, 'ignore',
             'log', 'alarm', 120, 'server temperature'),
            (inlet['reading'], inlet['unit_base'], inlet['status'],
             inlet['datatype'], inlet['t_minor_upper'],
             inlet['t_major_upper'], inlet['t_critical_upper'],
             inlet['t_critical_lower'], inlet['actions_minor'],
             inlet['actions_major'], inlet['actions_critical'],
             inlet['audit_interval'], inlet['sensorgroupname']))
        self.assertEqual('discrete', stored['PS1 Status']['datatype'])
        self.assertEqual(500.0, stored['Fan 1']['t_critical_lower'])
        self.assertEqual(120, summary['audit_interval'])

    def test_summary_is_what_mtce_acts_on(self):
        summary = self.update()
        # JSON over any transport.
        self.assertEqual(summary, json.loads(json.dumps(summary)))
        self.assertEqual({'audit_interval', 'sensors'}, set(summary))
        names = [sensor['sensorname'] for sensor in summary['sensors']]
        self.assertEqual(sorted(names), names)
        for sensor in summary['sensors']:
            self.assertEqual(SUMMARY_FIELDS, set(sensor))
        fan = self.by_name(summary)['Fan 1']
        stored = self.stored()['Fan 1']
        self.assertEqual((stored['uuid'], stored['sensorgroup_uuid'],
                          'server fans', 4200.0, False, 'alarm'),
                         (fan['uuid'], fan['sensorgroup_uuid'],
                          fan['sensorgroupname'], fan['reading'],
                          fan['suppress'], fan['actions_critical']))

    def test_unchanged_report_writes_nothing(self):
        self.update()
        before = self.stored()
        statements = self.statements()
        self.update()
        # The host, its row's lock and one read of each table: no write.
        self.assertEqual(['SELECT i_host', 'UPDATE i_host',
                          'SELECT i_sensorgroups', 'SELECT i_sensors'],
                         statements)
        self.assertEqual(before, self.stored())
        self.assertIsNone(self.stored()['Fan 1']['updated_at'])

    def test_changed_readings_take_one_statement(self):
        self.update()
        statements = self.statements()
        changed = report(**{sensor['name']: {'reading': 1}
                            for sensor in REPORT})
        self.update(changed)
        # Every row changed: one executemany.
        self.assertEqual(['SELECT i_host', 'UPDATE i_host',
                          'SELECT i_sensorgroups', 'SELECT i_sensors',
                          'UPDATE i_sensors'], statements)
        stored = self.stored()
        self.assertEqual({1.0}, {row['reading'] for row in stored.values()})
        self.assertIsNotNone(stored['Fan 1']['updated_at'])

    def test_only_changed_rows_are_written(self):
        self.update()
        self.update(report(**{'Fan 1': {'reading': 3900}}))
        stored = self.stored()
        self.assertEqual(3900.0, stored['Fan 1']['reading'])
        self.assertIsNotNone(stored['Fan 1']['updated_at'])
        self.assertIsNone(stored['Inlet Temp']['updated_at'])

    def test_status_change_is_stored_and_logged(self):
        logger = self.useFixture(fixtures.FakeLogger(
            name='stx.sysinv.conductor.sensors', level=logging.INFO))
        self.update()
        self.assertEqual('', logger.output)
        summary = self.update(report(**{'Inlet Temp': {
            'reading': 43, 'status': 'major'}}))
        self.assertEqual('major',
                         self.by_name(summary)['Inlet Temp']['status'])
        self.assertEqual('major', self.stored()['Inlet Temp']['status'])
        self.assertEqual(['Sensor Inlet Temp of host controller-0: ok -> '
                          'major (reading 43.0 C)'],
                         logger.output.splitlines())

    def test_unreported_sensors_go_offline_and_come_back(self):
        self.update()
        summary = self.update(report(**{'Fan 1': None}))
        fan = self.by_name(summary)['Fan 1']
        self.assertEqual(('offline', None), (fan['status'], fan['reading']))
        self.assertEqual('ok', self.by_name(summary)['Inlet Temp']['status'])
        uuid = fan['uuid']
        fan = self.by_name(self.update())['Fan 1']
        self.assertEqual((uuid, 'ok', 4200.0),
                         (fan['uuid'], fan['status'], fan['reading']))

    def test_unreadable_bmc_makes_every_sensor_offline(self):
        self.update()
        logger = self.useFixture(fixtures.FakeLogger(
            name='stx.sysinv.conductor.sensors', level=logging.WARNING))
        summary = self.conductor.hwmon_sensors_unreadable(
            self.context, self.host['uuid'], 'BMC 10.0.0.9 timed out')
        self.assertEqual(len(REPORT), len(summary['sensors']))
        self.assertEqual({'offline'}, {sensor['status']
                                       for sensor in summary['sensors']})
        self.assertEqual({None}, {row['reading']
                                  for row in self.stored().values()})
        self.assertIn('6 now offline: BMC 10.0.0.9 timed out',
                      logger.output)
        self.assertEqual(120, summary['audit_interval'])
        # Once offline, nothing more to write.
        statements = self.statements()
        self.conductor.hwmon_sensors_unreadable(self.context,
                                                self.host['uuid'], 'again')
        self.assertNotIn('UPDATE i_sensors', statements)

    def test_unreadable_host_without_sensors(self):
        summary = self.conductor.hwmon_sensors_unreadable(
            self.context, self.host['uuid'], 'no BMC')
        self.assertEqual({'audit_interval': 120, 'sensors': []}, summary)

    def test_new_type_moves_the_sensor_to_its_group(self):
        self.update()
        self.conductor.update_sensorgroup(
            self.context, self.groups()['server voltage']['uuid'],
            {'actions_major_group': 'alarm'})
        self.assertEqual('alarm', self.stored()['PSU1 Vin']['actions_major'])
        summary = self.update(report(**{'PSU1 Vin': {
            'sensor_type': 'Power', 'units': 'W'}}))
        moved = self.by_name(summary)['PSU1 Vin']
        self.assertEqual(('server power', 'power', 'log', 'W'),
                         (moved['sensorgroupname'], moved['sensortype'],
                          moved['actions_major'], moved['unit_base']))
        self.assertEqual([], self.groups()['server voltage']['sensors'])

    def test_audit_interval_default_comes_from_the_config(self):
        self.config(hwmon_audit_interval=30, group='mtce')
        self.assertEqual(30, self.update()['audit_interval'])
        self.assertEqual({30}, {group['audit_interval_group']
                                for group in self.groups().values()})

    def test_bad_reports_are_refused_naming_the_field(self):
        self.update()
        before = self.stored()

        def bad(**change):
            # The first entry is fine and changed: a partial store would
            # show.
            return report(**{'Inlet Temp': {'reading': 0}}, **change)

        for sensors, field in (
                ({'Fan 1': 1}, 'sensors'),
                (bad() + ['fan'], 'sensors[6]'),
                (bad(**{'Fan 1': {'status': 'hot'}}), 'sensors[2].status'),
                (bad(**{'Fan 1': {'name': ''}}), 'sensors[2].name'),
                (bad(**{'Fan 1': {'name': 'Inlet Temp'}}), 'sensors[2].name'),
                (bad(**{'Fan 1': {'name': 'f' * 256}}), 'sensors[2].name'),
                (bad(**{'Fan 1': {'sensor_type': None}}),
                 'sensors[2].sensor_type'),
                (bad(**{'Fan 1': {'sensor_type': 't' * 249}}),
                 'sensors[2].sensor_type'),
                (bad(**{'Fan 1': {'reading': 'fast'}}), 'sensors[2].reading'),
                (bad(**{'Fan 1': {'reading': True}}), 'sensors[2].reading'),
                (bad(**{'Fan 1': {'reading': float('nan')}}),
                 'sensors[2].reading'),
                (bad(**{'Fan 1': {'units': 5}}), 'sensors[2].units'),
                (bad(**{'Fan 1': {'thresholds': [1]}}),
                 'sensors[2].thresholds'),
                (bad(**{'Fan 1': {'thresholds': {'upper_hot': 1}}}),
                 'sensors[2].thresholds.upper_hot'),
                (bad(**{'Fan 1': {'thresholds': {'lower_minor': '1'}}}),
                 'sensors[2].thresholds.lower_minor')):
            with self.subTest(field=field):
                error = self.assertRaises(exception.InvalidParameterValue,
                                          self.update, sensors)
                self.assertEqual(field, error.field)
        self.assertEqual(before, self.stored())

    def test_unknown_host(self):
        self.assertRaises(exception.HostNotFound,
                          self.conductor.hwmon_sensors_update, self.context,
                          'worker-9', REPORT)
        self.assertRaises(exception.HostNotFound,
                          self.conductor.hwmon_sensors_unreadable,
                          self.context, 'worker-9', 'x')

    def test_deleting_the_host_deletes_its_sensors(self):
        self.update()
        dbapi.host_destroy(self.context, self.host['id'])
        self.assertEqual([], sensors_api.sensor_list(self.context))
        self.assertEqual([], sensors_api.sensorgroup_list(self.context))


class TestSensorGroupChanges(SensorsTestCase):

    def setUp(self):
        super().setUp()
        self.update()
        self.fans = self.groups()['server fans']

    def change(self, values, uuid=None):
        return self.conductor.update_sensorgroup(
            self.context, uuid or self.fans['uuid'], values)

    def test_actions_are_copied_to_the_groups_sensors(self):
        group = self.change({'actions_critical_group': 'power-cycle',
                             'actions_major_group': 'Alarm',
                             'audit_interval_group': '60'})
        self.assertEqual(('power-cycle', 'alarm', 60),
                         (group['actions_critical_group'],
                          group['actions_major_group'],
                          group['audit_interval_group']))
        self.assertIsInstance(group['updated_at'], str)
        self.assertEqual([self.stored()['Fan 1']['uuid']], group['sensors'])
        fan = self.stored()['Fan 1']
        self.assertEqual(('power-cycle', 'alarm', 'ignore', 60),
                         (fan['actions_critical'], fan['actions_major'],
                          fan['actions_minor'], fan['audit_interval']))
        # Other groups' sensors keep theirs; the host is read at the
        # shortest interval of its groups.
        self.assertEqual('alarm', self.stored()['Inlet Temp'][
            'actions_critical'])
        summary = self.update()
        self.assertEqual(60, summary['audit_interval'])
        self.assertEqual('power-cycle',
                         self.by_name(summary)['Fan 1']['actions_critical'])

    def test_suppressed_group_suppresses_its_sensors(self):
        self.change({'suppress': 'true'})
        summary = self.by_name(self.update())
        self.assertTrue(summary['Fan 1']['suppress'])
        self.assertTrue(self.stored()['Fan 1']['suppress'])
        self.assertFalse(summary['Inlet Temp']['suppress'])
        self.change({'suppress': False})
        self.assertFalse(self.by_name(self.update())['Fan 1']['suppress'])

    def test_new_sensor_takes_its_groups_actions(self):
        self.change({'actions_critical_group': 'reset', 'suppress': True})
        summary = self.update(report() + [{
            'name': 'Fan 2', 'sensor_type': 'fan', 'reading': 4000,
            'units': 'RPM', 'status': 'ok', 'thresholds': {}}])
        fan = self.by_name(summary)['Fan 2']
        self.assertEqual(('reset', True), (fan['actions_critical'],
                                           fan['suppress']))

    def test_refusals_name_the_field_and_store_nothing(self):
        for values, error, field in (
                ({'actions_minor_group': 'reset'},
                 exception.InvalidParameterValue, 'actions_minor_group'),
                ({'actions_major_group': 'power-cycle'},
                 exception.InvalidParameterValue, 'actions_major_group'),
                ({'actions_critical_group': 'explode'},
                 exception.InvalidParameterValue, 'actions_critical_group'),
                ({'actions_critical_group': None},
                 exception.InvalidParameterValue, 'actions_critical_group'),
                ({'audit_interval_group': 9},
                 exception.InvalidParameterValue, 'audit_interval_group'),
                ({'audit_interval_group': 3601},
                 exception.InvalidParameterValue, 'audit_interval_group'),
                ({'audit_interval_group': 'soon'},
                 exception.InvalidParameterValue, 'audit_interval_group'),
                ({'audit_interval_group': True},
                 exception.InvalidParameterValue, 'audit_interval_group'),
                ({'suppress': 'maybe'},
                 exception.InvalidParameterValue, 'suppress'),
                ({'sensorgroupname': 'x'}, exception.ReadOnlyField,
                 'sensorgroupname'),
                ({'colour': 'red'}, exception.UnknownField, 'colour')):
            with self.subTest(values=values):
                # With a good change: nothing of it may be stored.
                raised = self.assertRaises(
                    error, self.change,
                    dict({'audit_interval_group': 60}, **values))
                self.assertEqual(field, raised.field)
        error = self.assertRaises(exception.InvalidParameterValue,
                                  self.change,
                                  {'actions_critical_group': 'explode'})
        self.assertIn('ignore, log, alarm, reset, power-cycle', str(error))
        self.assertEqual(self.fans, self.groups()['server fans'])
        self.assertEqual('ignore', self.stored()['Fan 1']['actions_minor'])

    def test_unknown_group(self):
        self.assertRaises(exception.SensorGroupNotFound, self.change,
                          {'suppress': True},
                          uuid='9f0b0c1e-8c1e-4f7e-9f35-0d9f2d7d0a11')


class TestSensorChanges(SensorsTestCase):

    def setUp(self):
        super().setUp()
        self.update()
        self.fan = self.stored()['Fan 1']

    def test_suppress_one_sensor(self):
        sensor = self.conductor.update_sensor(self.context,
                                              self.fan['uuid'],
                                              {'suppress': 'True'})
        self.assertTrue(sensor['suppress'])
        self.assertEqual('server fans', sensor['sensorgroupname'])
        summary = self.by_name(self.update())
        self.assertTrue(summary['Fan 1']['suppress'])
        self.assertFalse(summary['Inlet Temp']['suppress'])

    def test_only_suppress_is_writable(self):
        for values, error in (({'status': 'ok'}, exception.ReadOnlyField),
                              ({'reading': 1}, exception.ReadOnlyField),
                              ({'colour': 'red'}, exception.UnknownField),
                              ({'suppress': 'perhaps'},
                               exception.InvalidParameterValue)):
            with self.subTest(values=values):
                raised = self.assertRaises(error, self.conductor.update_sensor,
                                           self.context, self.fan['uuid'],
                                           values)
                self.assertEqual(list(values)[0], raised.field)
        self.assertEqual(self.fan, self.stored()['Fan 1'])
        self.assertRaises(exception.SensorNotFound,
                          self.conductor.update_sensor, self.context,
                          'no-such-sensor', {'suppress': True})


class TestSensorsRPC(base.TestCase):

    def setUp(self):
        super().setUp()
        self.config(rpc_timeout=5, group='sysinv')
        self.useFixture(base.ConductorFixture())
        _system, self.host = bootstrap.ensure_system(self.context)
        self.api = rpcapi.ConductorAPI()

    def test_calls_and_refusals_cross_rpc(self):
        summary = self.api.hwmon_sensors_update(self.context,
                                                self.host['uuid'], REPORT)
        self.assertEqual(len(REPORT), len(summary['sensors']))
        error = self.assertRaises(
            exception.InvalidParameterValue, self.api.hwmon_sensors_update,
            self.context, self.host['uuid'],
            report(**{'Fan 1': {'status': 'hot'}}))
        self.assertEqual('sensors[2].status', error.field)
        group = sensors_api.sensorgroup_list(self.context)[0]
        changed = self.api.update_sensorgroup(self.context, group['uuid'],
                                              {'suppress': True})
        self.assertTrue(changed['suppress'])
        summary = self.api.hwmon_sensors_unreadable(self.context,
                                                    self.host['uuid'], 'x')
        self.assertEqual({'offline'}, {sensor['status']
                                       for sensor in summary['sensors']})
