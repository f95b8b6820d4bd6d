"""hwmon: sensors read through the BMC, stored by sysinv, and the group
actions (ignore, log, alarm, reset, power-cycle) taken on them.

FakeBMC's machines have two sensors: 'Inlet Temp' (upper thresholds 38 /
42 / 45 C for minor / major / critical) and 'Fan 1'.
"""

from stx.common import states
from stx.drivers.bmc import base as bmc_base
from stx.drivers.bmc import fake as fake_bmc
from stx.mtce import faults as mtce_faults
from tests.unit.mtce import base

TEMP = 'Inlet Temp'


class HwmonTestCase(base.MtceTestCase):

    def setUp(self):
        super().setUp()
        self.worker = self.add_worker()

    def read(self):
        host = [host for host in self.mtce.hosts(refresh=True)
                if host['uuid'] == self.worker['uuid']][0]
        self.mtce.hwmon.read_host(self.context, host)

    def temperature(self, reading, status):
        fake_bmc.FakeBMC.set_sensor(self.worker['bm_ip'], TEMP,
                                    reading=reading, status=status)

    def sensors(self):
        return {sensor['sensorname']: sensor for sensor in self.app.get(
            '/v1/ihosts/worker-0/isensors').json['isensors']}

    def groups(self):
        return {group['sensorgroupname']: group for group in self.app.get(
            '/v1/ihosts/worker-0/isensorgroups').json['isensorgroups']}

    def modify_group(self, name, **values):
        group = self.groups()[name]
        self.app.patch_json('/v1/isensorgroups/%s' % group['uuid'], [
            {'op': 'replace', 'path': '/' + key, 'value': value}
            for key, value in values.items()])

    def sensor_alarms(self):
        return self.alarms(mtce_faults.SENSOR_OUT_OF_RANGE)


class TestSensorReads(HwmonTestCase):

    def test_first_read_learns_groups_and_sensors(self):
        self.read()
        sensors = self.sensors()
        self.assertEqual({TEMP, 'Fan 1'}, set(sensors))
        self.assertEqual(states.SENSOR_OK, sensors[TEMP]['status'])
        self.assertEqual({'server temperature', 'server fans'},
                         set(self.groups()))

    def test_next_read_is_scheduled_at_the_group_interval(self):
        self.read()
        self.modify_group('server fans', audit_interval_group=30)
        self.read()
        import time
        due = self.mtce.hwmon._due[self.worker['uuid']] - time.monotonic()
        self.assertTrue(25 < due <= 30, due)


class TestSensorActions(HwmonTestCase):

    def test_critical_reading_alarms_with_reading_and_clears(self):
        self.read()
        self.temperature(50.0, bmc_base.SENSOR_CRITICAL)
        self.read()
        alarms = self.sensor_alarms()
        self.assertEqual(1, len(alarms))
        self.assertEqual('host=worker-0.sensor=Inlet Temp',
                         alarms[0]['entity_instance_id'])
        self.assertEqual(states.SEVERITY_CRITICAL, alarms[0]['severity'])
        self.assertEqual("Sensor 'Inlet Temp' of worker-0 reads 50 C, at "
                         'or above its critical threshold 45 C',
                         alarms[0]['reason_text'])
        self.assertEqual(states.SENSOR_CRITICAL,
                         self.sensors()[TEMP]['status'])
        # Still critical: no second alarm record.
        self.read()
        alarm_events = [event for event in self.events('200.015')
                        if event['state'] == 'set']
        self.assertEqual(1, len(alarm_events))
        self.temperature(24.0, bmc_base.SENSOR_OK)
        self.read()
        self.assertEqual([], self.sensor_alarms())

    def test_major_reading_is_logged_by_default_not_alarmed(self):
        self.temperature(43.0, bmc_base.SENSOR_MAJOR)
        self.read()
        self.assertEqual([], self.sensor_alarms())
        logs = self.events(mtce_faults.SENSOR_OUT_OF_RANGE_LOG)
        self.assertEqual(1, len(logs))
        self.assertEqual(states.SEVERITY_MAJOR, logs[0]['severity'])
        self.assertIn('reads 43 C', logs[0]['reason_text'])

    def test_minor_reading_is_ignored_by_default(self):
        self.temperature(39.0, bmc_base.SENSOR_MINOR)
        self.read()
        self.assertEqual([], self.sensor_alarms())
        self.assertEqual([], self.events(mtce_faults.SENSOR_OUT_OF_RANGE_LOG))

    def test_group_action_change_takes_effect_at_next_read(self):
        self.temperature(43.0, bmc_base.SENSOR_MAJOR)
        self.read()
        self.modify_group('server temperature', actions_major_group='alarm')
        self.read()
        self.assertEqual([states.SEVERITY_MAJOR],
                         [a['severity'] for a in self.sensor_alarms()])

    def test_suppressed_group_clears_its_alarm(self):
        self.temperature(50.0, bmc_base.SENSOR_CRITICAL)
        self.read()
        self.assertEqual(1, len(self.sensor_alarms()))
        self.modify_group('server temperature', suppress='True')
        self.read()
        self.assertEqual([], self.sensor_alarms())

    def test_critical_power_cycle_is_taken_up_to_the_limit(self):
        self.config(hwmon_action_limit=2, group='mtce')
        self.read()
        self.modify_group('server temperature',
                          actions_critical_group='power-cycle')
        self.temperature(50.0, bmc_base.SENSOR_CRITICAL)
        for _ in range(4):
            self.set_power_state(self.worker, bmc_base.POWER_OFF)
            self.read()
            self.assertEqual('', self.host(self.worker['uuid'])['task'])
        actions = [event['reason_text']
                   for event in self.events(mtce_faults.HOST_ACTION)]
        self.assertEqual(2, len(actions), actions)
        self.assertTrue(actions[-1].startswith(
            'Critical Event Power-Cycle 1 on worker-0 (1 of 2): Sensor '
            "'Inlet Temp' of worker-0 reads 50 C"), actions[-1])
        self.assertIn('the BMC reports it powered on', actions[-1])
        self.assertTrue(actions[0].startswith('Critical Event Power-Cycle 2'))
        # The last read found the machine off and took no action.
        self.assertEqual(bmc_base.POWER_OFF, self.power_state(self.worker))
        self.assertEqual(1, len(self.sensor_alarms()))

    def test_reset_action_waits_for_an_operator_action_in_progress(self):
        self.read()
        self.modify_group('server temperature',
                          actions_critical_group='reset')
        self.temperature(50.0, bmc_base.SENSOR_CRITICAL)
        self.mtce.actions.acquire(self.worker['uuid'], 'Powering-on')
        self.read()
        self.mtce.actions.release(self.worker['uuid'])
        self.assertEqual([], self.events(mtce_faults.HOST_ACTION))
        self.read()
        self.assertEqual(1, len(self.events(mtce_faults.HOST_ACTION)))


class TestUnreadableSensors(HwmonTestCase):

    def test_sensors_unreadable_twice_alarm_and_go_offline(self):
        self.read()
        fake_bmc.FakeBMC.set_reachable(self.worker['bm_ip'], False)
        self.read()
        self.assertEqual([], self.alarms(mtce_faults.SENSORS_UNREADABLE))
        self.read()
        alarms = self.alarms(mtce_faults.SENSORS_UNREADABLE)
        self.assertEqual(['host=worker-0'],
                         [alarm['entity_instance_id'] for alarm in alarms])
        self.assertEqual({states.SENSOR_OFFLINE},
                         {s['status'] for s in self.sensors().values()})
        fake_bmc.FakeBMC.set_reachable(self.worker['bm_ip'], True)
        self.read()
        self.assertEqual([], self.alarms(mtce_faults.SENSORS_UNREADABLE))
        self.assertEqual({states.SENSOR_OK},
                         {s['status'] for s in self.sensors().values()})
