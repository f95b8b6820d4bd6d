"""``stx host-sensor-*`` and ``host-sensorgroup-*`` against a real sysinv
API whose controller-0 has the sensors of the conductor tests' REPORT.
"""

import json

import fixtures

from stx.cli import sensors
from stx.sysinv.conductor import manager
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import sensors_api
from tests.unit.cli import test_cli
from tests.unit import fixtures as stx_fixtures
from tests.unit.sysinv.conductor import test_sensors

HOST = 'controller-0'


class TestSensorCommands(test_cli.CliTestCase):

    def setUp(self):
        super().setUp()
        server = self.useFixture(stx_fixtures.SysinvServer())
        self.useFixture(fixtures.EnvironmentVariable('STX_URL', server.url))
        self.context = server.context
        self.controller = dbapi.host_get(self.context, HOST)
        manager.ConductorManager('test-host').hwmon_sensors_update(
            self.context, self.controller['uuid'], test_sensors.REPORT)

    def json_of(self, *argv):
        status, out, err = self.stx(*(argv + ('--format', 'json')))
        self.assertEqual(0, status, err)
        return json.loads(out)

    def stored_sensor(self, name):
        return sensors_api.sensor_get_by_name(self.context,
                                              self.controller['id'], name)

    def stored_group(self, name):
        return sensors_api.sensorgroup_get_by_name(
            self.context, self.controller['id'], name)

    def test_sensor_list(self):
        status, out, err = self.stx('host-sensor-list', HOST)
        self.assertEqual(0, status, err)
        self.assertIn('Inlet Temp', out)
        rows = self.json_of('host-sensor-list', HOST)
        self.assertEqual(['uuid', 'name', 'sensortype', 'status', 'reading',
                          'unit_base', 'state', 'suppress'], list(rows[0]))
        self.assertEqual(sorted(sensor['name']
                                for sensor in test_sensors.REPORT),
                         [row['name'] for row in rows])
        fan = {row['name']: row for row in rows}['Fan 1']
        self.assertEqual(('fan', 'ok', 4200.0, 'RPM', 'enabled', False),
                         (fan['sensortype'], fan['status'], fan['reading'],
                          fan['unit_base'], fan['state'], fan['suppress']))

    def test_sensor_show_by_name_or_uuid(self):
        shown = self.json_of('host-sensor-show', HOST, 'Inlet Temp')
        self.assertEqual(list(sensors.SHOW_FIELDS), list(shown))
        self.assertEqual((24.0, 45.0, 'alarm'),
                         (shown['reading'], shown['t_critical_upper'],
                          shown['actions_critical']))
        self.assertEqual(shown, self.json_of('host-sensor-show', HOST,
                                             shown['uuid']))

    def test_sensor_modify_suppress(self):
        shown = self.json_of('host-sensor-modify', HOST, 'Fan 1',
                             'suppress=True')
        self.assertTrue(shown['suppress'])
        self.assertTrue(self.stored_sensor('Fan 1')['suppress'])

    def test_sensorgroup_list_and_show(self):
        rows = self.json_of('host-sensorgroup-list', HOST)
        self.assertEqual([column[0] for column in sensors.GROUP_COLUMNS],
                         list(rows[0]))
        self.assertEqual(sorted(test_sensors.GROUPS),
                         [row['name'] for row in rows])
        fans = {row['name']: row for row in rows}['server fans']
        self.assertEqual(('ignore', 'log', 'alarm', 120, False),
                         (fans['actions_minor_group'],
                          fans['actions_major_group'],
                          fans['actions_critical_group'],
                          fans['audit_interval_group'], fans['suppress']))
        shown = self.json_of('host-sensorgroup-show', HOST, 'server fans')
        self.assertEqual(list(sensors.GROUP_FIELDS), list(shown))
        self.assertEqual([self.stored_sensor('Fan 1')['uuid']],
                         shown['sensors'])
        self.assertEqual(shown, self.json_of('host-sensorgroup-show', HOST,
                                             fans['uuid']))

    def test_sensorgroup_modify_long_and_short_names(self):
        shown = self.json_of('host-sensorgroup-modify', HOST, 'server fans',
                             'actions_critical_group=reset',
                             'actions_major=alarm', 'audit_interval=60')
        self.assertEqual(('reset', 'alarm', 60),
                         (shown['actions_critical_group'],
                          shown['actions_major_group'],
                          shown['audit_interval_group']))
        fan = self.stored_sensor('Fan 1')
        self.assertEqual(('reset', 'alarm', 60),
                         (fan['actions_critical'], fan['actions_major'],
                          fan['audit_interval']))

    def test_refusals_are_one_line_and_store_nothing(self):
        for argv, words in (
                (('host-sensorgroup-modify', HOST, 'server fans',
                  'actions_minor=reset'), "'actions_minor_group'"),
                (('host-sensorgroup-modify', HOST, 'server fans',
                  'audit_interval=5'), "'audit_interval_group'"),
                (('host-sensorgroup-modify', HOST, 'server fans',
                  'sensorgroupname=x'), "'sensorgroupname'"),
                (('host-sensorgroup-modify', HOST, 'server fans',
                  'nothing'), 'key=value'),
                (('host-sensorgroup-modify', HOST, 'server nothing',
                  'suppress=True'), 'Sensor group not found'),
                (('host-sensor-modify', HOST, 'Fan 1', 'status=ok'),
                 "'status'"),
                (('host-sensor-modify', HOST, 'Fan 1', 'suppress=perhaps'),
                 "'suppress'"),
                (('host-sensor-show', HOST, 'Fan 9'), 'Sensor not found'),
                (('host-sensor-list', 'worker-9'),
                 'Host worker-9 could not be found.')):
            with self.subTest(argv=argv):
                err = self.assertOneLineError(self.stx(*argv))
                self.assertIn(words, err)
        group = self.stored_group('server fans')
        self.assertEqual(('ignore', 120), (group['actions_minor_group'],
                                           group['audit_interval_group']))
        self.assertFalse(self.stored_sensor('Fan 1')['suppress'])
