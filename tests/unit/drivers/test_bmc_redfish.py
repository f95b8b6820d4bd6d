"""Tests for RedfishBMC: URLs, mappings, system choice, power plans, errors.

The driver is exercised against ``FakeRoot``, a stand-in for the sushy root
object it connects (the protocol client boundary); the tests named
``*_fake_sushy`` use it. Exceptions are sushy's own. The real protocol is
tested against sushy-emulator in tests/functional/test_bmc_drivers.py.
"""

import fixtures
import requests
import sushy
from sushy import exceptions as sushy_exceptions

from stx.common import exception
from stx.drivers.bmc import base
from stx.drivers.bmc import redfish
from stx.drivers.bmc import redfish_sensors
from tests.unit.drivers import test_bmc_common

PASSWORD = 'S3cret-redfish'
BMC_INFO = {'address': '192.0.2.40', 'port': 8000, 'username': 'admin',
            'password': PASSWORD}
ALL_RESETS = {'On', 'ForceOff', 'ForceOn', 'ForceRestart', 'GracefulRestart',
              'GracefulShutdown', 'Nmi', 'PowerCycle'}

# What sushy-emulator's Thermal template renders for one system.
THERMAL = {
    'Temperatures': [
        {'MemberId': '0', 'Name': 'CPU Temp',
         'Status': {'State': 'Enabled', 'Health': 'OK'},
         'ReadingCelsius': 41, 'UpperThresholdNonCritical': 42,
         'UpperThresholdCritical': 45, 'UpperThresholdFatal': 48},
        {'MemberId': '1', 'Name': 'Chassis Intake Temp',
         'Status': {'State': 'Enabled', 'Health': 'OK'},
         'ReadingCelsius': 25, 'UpperThresholdNonCritical': 30,
         'UpperThresholdCritical': 40, 'UpperThresholdFatal': 50,
         'LowerThresholdNonCritical': 10, 'LowerThresholdCritical': 5,
         'LowerThresholdFatal': 0}],
    'Fans': [
        {'MemberId': '0', 'Name': 'BaseBoard System Fan',
         'Status': {'State': 'Enabled', 'Health': 'OK'},
         'Reading': 2100, 'ReadingUnits': 'RPM', 'LowerThresholdFatal': 0}],
}
POWER = {
    'PowerSupplies': [
        {'MemberId': '0', 'Name': 'PSU 1', 'LastPowerOutputWatts': 180,
         'Status': {'State': 'Enabled', 'Health': 'Warning'}},
        {'MemberId': '1', 'Name': 'PSU 2',
         'Status': {'State': 'Absent'}}],
    'Voltages': [
        {'MemberId': '0', 'Name': '12V', 'ReadingVolts': 13.5,
         'UpperThresholdNonCritical': 12.6, 'UpperThresholdCritical': 13.2,
         'Status': {'State': 'Enabled', 'Health': 'OK'}}],
    'PowerControl': [{'MemberId': '0', 'Name': 'System',
                      'PowerConsumedWatts': 350}],
}


class FakeResponse:
    def __init__(self, status_code):
        self.status_code = status_code

    def json(self):
        return {'error': {'code': 'Base.1.0.GeneralError',
                          'message': 'fake %d' % self.status_code}}


class FakeBoot:
    def __init__(self, target, enabled):
        self.target, self.enabled = target, enabled


class FakeSystem:
    def __init__(self, root, path):
        self.root, self.path = root, path
        state = root.systems[path]
        self.name = state['name']
        self.power_state = (state['transitions'].pop(0)
                            if state['transitions'] else state['power'])
        self.boot = FakeBoot(state['boot_target'], state['boot_enabled'])
        self.chassis = root.chassis

    def get_allowed_reset_system_values(self):
        return {value for value in sushy.ResetType
                if value.value in self.root.allowed}

    def reset_system(self, value):
        FakeRoot.actions.append((self.path, value.value))
        if FakeRoot.action_errors:
            raise FakeRoot.action_errors.pop(0)
        state = self.root.systems[self.path]
        state['power'] = {'On': sushy.PowerState.ON,
                          'ForceOn': sushy.PowerState.ON,
                          'ForceRestart': sushy.PowerState.ON,
                          'PowerCycle': sushy.PowerState.ON,
                          'ForceOff': sushy.PowerState.OFF,
                          'GracefulShutdown': sushy.PowerState.OFF,
                          }[value.value]

    def set_system_boot_options(self, target=None, enabled=None):
        state = self.root.systems[self.path]
        state['boot_target'], state['boot_enabled'] = target, enabled


class FakeCollection:
    def __init__(self, members):
        self.members_identities = tuple(members)


class FakeChassis:
    def __init__(self, identity, thermal=None, power=None):
        self.identity = identity
        self.json = {}
        if thermal is not None:
            self.json['Thermal'] = {'@odata.id': '/Thermal'}
            self.thermal = type('Thermal', (), {'json': thermal})()
        if power is not None:
            self.json['Power'] = {'@odata.id': '/Power'}
            self.power = type('Power', (), {'json': power})()


class FakeRoot:
    """Stands in for sushy.Sushy: a service with one or more systems."""

    connects = []
    actions = []
    errors = []           # raised by the next get_system calls
    action_errors = []    # raised by the next reset_system calls
    system_names = ('controller-0',)

    def __init__(self, url, username, password, verify):
        FakeRoot.connects.append((url, username, verify))
        self.allowed = set(ALL_RESETS)
        self.systems = {}
        self.chassis = [FakeChassis('1U', THERMAL)]
        for name in FakeRoot.system_names:
            self.add_system(name)

    def add_system(self, name, power=sushy.PowerState.OFF):
        self.systems['/redfish/v1/Systems/%s-id' % name] = {
            'name': name, 'power': power, 'transitions': [],
            'boot_target': sushy.BootSource.HDD,
            'boot_enabled': sushy.BootSourceOverrideEnabled.CONTINUOUS}

    def get_system_collection(self):
        return FakeCollection(self.systems)

    def get_system(self, path):
        if FakeRoot.errors:
            raise FakeRoot.errors.pop(0)
        return FakeSystem(self, path)

    def get_chassis_collection(self):
        return FakeCollection([])


class RedfishTestCase(test_bmc_common.BMCTestCase):

    def setUp(self):
        super().setUp()
        FakeRoot.connects, FakeRoot.actions = [], []
        FakeRoot.errors, FakeRoot.action_errors = [], []
        FakeRoot.system_names = ('controller-0',)
        self.roots = []

        def connect(url, username, password, verify):
            root = FakeRoot(url, username, password, verify)
            self.roots.append(root)
            return root

        self.useFixture(fixtures.MockPatchObject(
            redfish.RedfishBMC, '_connect', staticmethod(connect)))
        redfish.reset_clients()
        self.addCleanup(redfish.reset_clients)
        self.conf.config(group='bmc', retry_backoff=0.001,
                         power_poll_interval=0.05)
        self.driver = redfish.RedfishBMC()

    def state(self, name='controller-0'):
        return self.roots[-1].systems['/redfish/v1/Systems/%s-id' % name]


class TestURLsAndMappings(test_bmc_common.BMCTestCase):

    def test_base_url(self):
        self.assertEqual('https://192.0.2.1', redfish.base_url('192.0.2.1'))
        self.assertEqual('http://192.0.2.1:18000',
                         redfish.base_url('192.0.2.1', 18000, 'http'))
        self.assertEqual('https://[fd00::5]:8443',
                         redfish.base_url('fd00::5', 8443))
        self.conf.config(group='bmc', redfish_scheme='http')
        self.assertEqual('http://bmc.example', redfish.base_url(
            'bmc.example'))

    def test_verify_setting(self):
        self.assertIs(True, redfish.verify_setting())
        self.assertIs(False, redfish.verify_setting('False'))
        self.assertEqual('/etc/ca.pem', redfish.verify_setting('/etc/ca.pem'))

    def test_thresholds_map_to_the_three_levels(self):
        self.assertEqual({'upper_minor': 30.0, 'upper_major': 40.0,
                          'upper_critical': 50.0, 'lower_minor': 10.0,
                          'lower_major': 5.0, 'lower_critical': 0.0},
                         redfish_sensors.thresholds_from(
                             THERMAL['Temperatures'][1]))
        self.assertEqual({}, redfish_sensors.thresholds_from(
            {'UpperThresholdCritical': None, 'LowerThresholdFatal': True}))

    def test_status_from_reading_and_health(self):
        limits = redfish_sensors.thresholds_from(THERMAL['Temperatures'][1])
        for value, health, status in (
                (25, 'OK', base.SENSOR_OK), (31, 'OK', base.SENSOR_MINOR),
                (41, 'OK', base.SENSOR_MAJOR),
                (50, 'OK', base.SENSOR_CRITICAL),
                (4, None, base.SENSOR_MAJOR),
                (25, 'Warning', base.SENSOR_MINOR),
                (25, 'Critical', base.SENSOR_MAJOR),
                (55, 'Warning', base.SENSOR_CRITICAL),
                (None, 'OK', base.SENSOR_OK)):
            self.assertEqual(status, redfish_sensors.status_from(
                value, limits, health), (value, health))

    def test_sensors_from_thermal_and_power(self):
        sensors = (redfish_sensors.from_thermal(THERMAL) +
                   redfish_sensors.from_power(POWER))
        self.assertEqual(
            [('CPU Temp', 'temperature', 41.0, 'C', base.SENSOR_OK),
             ('Chassis Intake Temp', 'temperature', 25.0, 'C',
              base.SENSOR_OK),
             ('BaseBoard System Fan', 'fan', 2100.0, 'RPM', base.SENSOR_OK),
             ('PSU 1', 'power-supply', 180.0, 'W', base.SENSOR_MINOR),
             ('PSU 2', 'power-supply', None, 'W', base.SENSOR_OK),
             ('12V', 'voltage', 13.5, 'V', base.SENSOR_MAJOR),
             ('System', 'power', 350.0, 'W', base.SENSOR_OK)],
            [(s['name'], s['sensor_type'], s['reading'], s['units'],
              s['status']) for s in sensors])
        for sensor in sensors:
            self.assertEqual({'name', 'sensor_type', 'reading', 'units',
                              'status', 'thresholds'}, set(sensor))


class TestPowerWithFakeSushy(RedfishTestCase):

    def test_power_state_fake_sushy(self):
        self.assertEqual(base.POWER_OFF,
                         self.driver.get_power_state(BMC_INFO))
        self.assertEqual([('http://192.0.2.40:8000', 'admin', True)],
                         [(url.replace('https', 'http'), user, verify)
                          for url, user, verify in FakeRoot.connects])
        for state, expected in ((sushy.PowerState.POWERING_ON,
                                 base.POWER_ON),
                                (sushy.PowerState.POWERING_OFF,
                                 base.POWER_OFF),
                                (sushy.PowerState.ON, base.POWER_ON)):
            self.state()['power'] = state
            self.assertEqual(expected, self.driver.get_power_state(BMC_INFO))
        self.assertEqual(1, len(FakeRoot.connects))

    def test_reset_types_fake_sushy(self):
        on, off = sushy.PowerState.ON, sushy.PowerState.OFF
        for start, target, actions in (
                (off, base.POWER_ON, ['On']),
                (on, base.POWER_OFF, ['ForceOff']),
                (on, base.POWER_SOFT_OFF, ['GracefulShutdown']),
                (on, base.POWER_RESET, ['ForceRestart']),
                (off, base.POWER_RESET, ['On']),
                (on, base.POWER_CYCLE, ['PowerCycle']),
                (off, base.POWER_CYCLE, ['On']),
                (on, base.POWER_ON, []),
                (off, base.POWER_OFF, [])):
            self.driver.get_power_state(BMC_INFO)
            self.state()['power'] = start
            FakeRoot.actions = []
            self.assertEqual(
                base.POWER_ON if target in (base.POWER_ON, base.POWER_RESET,
                                            base.POWER_CYCLE)
                else base.POWER_OFF,
                self.driver.set_power_state(BMC_INFO, target, timeout=1))
            self.assertEqual(actions, [a for _, a in FakeRoot.actions],
                             (start, target))

    def test_fallbacks_when_types_are_not_offered_fake_sushy(self):
        self.driver.get_power_state(BMC_INFO)
        self.roots[-1].allowed = {'ForceOn', 'ForceOff', 'ForceRestart'}
        self.driver.set_power_state(BMC_INFO, base.POWER_ON, timeout=1)
        self.driver.set_power_state(BMC_INFO, base.POWER_CYCLE, timeout=1)
        self.assertEqual(['ForceOn', 'ForceOff', 'ForceOn'],
                         [a for _, a in FakeRoot.actions])

    def test_missing_reset_type_is_bmc_error_fake_sushy(self):
        self.driver.get_power_state(BMC_INFO)
        self.state()['power'] = sushy.PowerState.ON
        self.roots[-1].allowed = {'On'}
        error = self.assertRaises(exception.BMCError,
                                  self.driver.set_power_state, BMC_INFO,
                                  base.POWER_SOFT_OFF)
        self.assertIn('GracefulShutdown', str(error))
        self.assertEqual([], FakeRoot.actions)

    def test_transitional_state_is_not_a_confirmation_fake_sushy(self):
        self.driver.get_power_state(BMC_INFO)
        self.state()['transitions'] = [sushy.PowerState.OFF,
                                       sushy.PowerState.POWERING_ON,
                                       sushy.PowerState.POWERING_ON]
        self.assertEqual(base.POWER_ON, self.driver.set_power_state(
            BMC_INFO, base.POWER_ON, timeout=5))

    def test_unconfirmed_change_times_out_fake_sushy(self):
        self.driver.get_power_state(BMC_INFO)
        self.state()['transitions'] = [sushy.PowerState.OFF] * 1000
        error = self.assertRaises(exception.BMCTimeout,
                                  self.driver.set_power_state, BMC_INFO,
                                  base.POWER_ON, timeout=0.05)
        self.assertIn('not confirmed', str(error))


class TestSystemChoiceWithFakeSushy(RedfishTestCase):

    def test_several_systems_need_a_system_id_fake_sushy(self):
        FakeRoot.system_names = ('controller-0', 'worker-0')
        error = self.assertRaises(exception.InvalidParameterValue,
                                  self.driver.get_power_state, BMC_INFO)
        self.assertEqual('system_id', error.field)
        self.assertIn('2 systems', str(error))
        self.assertEqual(base.POWER_OFF, self.driver.get_power_state(
            dict(BMC_INFO, system_id='worker-0')))

    def test_system_by_id_path_or_name_fake_sushy(self):
        self.driver.get_power_state(BMC_INFO)
        root = self.roots[-1]
        root.add_system('worker-0', sushy.PowerState.ON)
        for system_id in ('worker-0-id', '/redfish/v1/Systems/worker-0-id',
                          'worker-0'):
            self.assertEqual(base.POWER_ON, self.driver.get_power_state(
                dict(BMC_INFO, system_id=system_id)), system_id)
        error = self.assertRaises(exception.InvalidParameterValue,
                                  self.driver.get_power_state,
                                  dict(BMC_INFO, system_id='nope'))
        self.assertEqual('system_id', error.field)

    def test_system_id_validated_fake_sushy(self):
        self.assertEqual('system_id', self.assertRaises(
            exception.InvalidParameterValue, self.driver.validate,
            dict(BMC_INFO, system_id='')).field)
        self.assertIn('system_id', self.driver.get_properties())


class TestErrorsWithFakeSushy(RedfishTestCase):

    def test_access_error_is_access_denied_not_retried_fake_sushy(self):
        FakeRoot.errors = [sushy_exceptions.AccessError(
            'GET', 'http://x/redfish/v1/Systems/1', FakeResponse(401))] * 3
        error = self.assertRaises(exception.BMCAccessDenied,
                                  self.driver.get_power_state, BMC_INFO)
        self.assertIn('401', str(error))
        self.assertEqual(1, len(FakeRoot.connects))
        self.assertNotIn(PASSWORD, str(error))

    def test_connection_error_retried_then_timeout_fake_sushy(self):
        self.conf.config(group='bmc', redfish_retries=2)
        FakeRoot.errors = [sushy_exceptions.ConnectionError(
            url='http://x', error='refused')] * 3
        error = self.assertRaises(exception.BMCTimeout,
                                  self.driver.get_power_state, BMC_INFO)
        self.assertIn('refused', str(error))
        self.assertEqual(3, len(FakeRoot.connects))

    def test_requests_timeout_then_success_fake_sushy(self):
        FakeRoot.errors = [requests.exceptions.ReadTimeout('slow')]
        self.assertEqual(base.POWER_OFF,
                         self.driver.get_power_state(BMC_INFO))
        self.assertEqual(2, len(FakeRoot.connects))

    def test_server_error_is_bmc_error_fake_sushy(self):
        FakeRoot.errors = [sushy_exceptions.ServerSideError(
            'GET', 'http://x', FakeResponse(500))]
        error = self.assertRaises(exception.BMCError,
                                  self.driver.get_power_state, BMC_INFO)
        self.assertNotIsInstance(error, exception.BMCTimeout)

    def test_restart_not_resent_after_timeout_fake_sushy(self):
        self.driver.get_power_state(BMC_INFO)
        self.state()['power'] = sushy.PowerState.ON
        FakeRoot.action_errors = [sushy_exceptions.ConnectionError(
            url='http://x', error='timed out')] * 3
        self.assertRaises(exception.BMCTimeout, self.driver.set_power_state,
                          BMC_INFO, base.POWER_RESET, timeout=1)
        self.assertEqual(['ForceRestart'], [a for _, a in FakeRoot.actions])

    def test_password_masked_in_errors_fake_sushy(self):
        FakeRoot.errors = [sushy_exceptions.ConnectionError(
            url='http://admin:%s@x' % PASSWORD, error='bad')] * 2
        error = self.assertRaises(exception.BMCTimeout,
                                  self.driver.get_power_state, BMC_INFO)
        self.assertNotIn(PASSWORD, str(error))


class TestBootAndSensorsWithFakeSushy(RedfishTestCase):

    def test_boot_device_fake_sushy(self):
        self.assertEqual({'boot_device': base.BOOT_DEVICE_DISK,
                          'persistent': True},
                         self.driver.get_boot_device(BMC_INFO))
        for device, target in (('network', sushy.BootSource.PXE),
                               ('disk', sushy.BootSource.HDD),
                               ('cdrom', sushy.BootSource.CD),
                               ('bios', sushy.BootSource.BIOS_SETUP)):
            self.driver.set_boot_device(BMC_INFO, device)
            self.assertEqual((target, sushy.BootSourceOverrideEnabled.ONCE),
                             (self.state()['boot_target'],
                              self.state()['boot_enabled']))
            self.assertEqual({'boot_device': device, 'persistent': False},
                             self.driver.get_boot_device(BMC_INFO))
        self.driver.set_boot_device(BMC_INFO, 'network', persistent=True)
        self.assertEqual(sushy.BootSourceOverrideEnabled.CONTINUOUS,
                         self.state()['boot_enabled'])
        self.state()['boot_enabled'] = (
            sushy.BootSourceOverrideEnabled.DISABLED)
        self.assertEqual({'boot_device': None, 'persistent': None},
                         self.driver.get_boot_device(BMC_INFO))

    def test_sensors_fake_sushy(self):
        sensors = self.driver.get_sensors(BMC_INFO)
        self.assertEqual(['CPU Temp', 'Chassis Intake Temp',
                          'BaseBoard System Fan'],
                         [s['name'] for s in sensors])

    def test_sensors_of_several_chassis_are_prefixed_fake_sushy(self):
        self.driver.get_power_state(BMC_INFO)
        self.roots[-1].chassis = [FakeChassis('1U', THERMAL),
                                  FakeChassis('PSU-bay', power=POWER)]
        names = [s['name'] for s in self.driver.get_sensors(BMC_INFO)]
        self.assertIn('1U CPU Temp', names)
        self.assertIn('PSU-bay 12V', names)

    def test_no_thermal_or_power_is_unsupported_fake_sushy(self):
        self.driver.get_power_state(BMC_INFO)
        self.roots[-1].chassis = [FakeChassis('1U')]
        self.assertRaises(exception.UnsupportedDriverExtension,
                          self.driver.get_sensors, BMC_INFO)
