"""Tests for IPMIBMC: validation, mappings, errors, retries, sessions.

The driver is exercised against ``FakeCommand``, a stand-in for its
logged-in pyghmi Command (the protocol client boundary); the tests named
``*_fake_command`` use it. The pyghmi pieces the driver builds on
(SensorReading, the session class internals it extends) are the real ones.
The real protocol is tested in tests/functional/test_bmc_drivers.py.
"""

import hashlib
import inspect
import socket
from unittest import mock

import fixtures
from pyghmi import constants as pyghmi_constants
from pyghmi import exceptions as pyghmi_exceptions
from pyghmi.ipmi import command as ipmi_command
from pyghmi.ipmi.private import session as ipmi_session
from pyghmi.ipmi import sdr as ipmi_sdr

from stx.common import exception
from stx.drivers.bmc import base
from stx.drivers.bmc import ipmi
from stx.drivers.bmc import ipmi_sensors
from stx.drivers.bmc import ipmi_sessions
from tests.unit.drivers import test_bmc_common

PASSWORD = 'S3cret-ipmi'
BMC_INFO = {'address': '192.0.2.30', 'port': 16230, 'username': 'admin',
            'password': PASSWORD}
Health = pyghmi_constants.Health


def reading(name='Inlet Temp', type_='Temperature', value=24.0,
            health=Health.Ok, units='°C', unavailable=False):
    """A real pyghmi SensorReading, as get_sensor_data() yields them."""
    fields = {'name': name, 'type': type_, 'id': 1, 'value': value,
              'imprecision': 0.5, 'health': health, 'states': [],
              'state_ids': []}
    if unavailable:
        fields = {'name': name, 'type': type_, 'id': 1, 'unavailable': 1}
    return ipmi_sdr.SensorReading(fields, units)


class FakeSession:
    def __init__(self):
        self.logged = 1
        self.broken = False
        self.stx_gave_up = False
        self.stx_deadline = None

    def _isincommand(self):
        return 0


class FakeCommand:
    """Stands in for ipmi_sessions.Command: a logged-in session to one fake
    BMC.

    Class attributes script the BMC; ``logins`` and ``sent`` record what
    the driver did.
    """

    login_errors = []       # raised by the next logins, in order
    request_errors = []     # raised by the next raw_commands, in order
    power = 'on'
    # Power states the next status reads return before ``power``.
    transitions = []
    bootdev = {'bootdev': 'hd', 'persistent': True}
    readings = []
    thresholds = {}         # sensor number -> Get Sensor Thresholds data
    logins = []
    sent = []
    closed = []

    @classmethod
    def reset(cls):
        cls.login_errors, cls.request_errors = [], []
        cls.power, cls.transitions = 'on', []
        cls.bootdev = {'bootdev': 'hd', 'persistent': True}
        cls.readings, cls.thresholds = [], {}
        cls.logins, cls.sent, cls.closed = [], [], []

    def __init__(self, address, port, username, password, timeout):
        FakeCommand.logins.append((address, port, username, timeout))
        if FakeCommand.login_errors:
            raise FakeCommand.login_errors.pop(0)
        self.bmc = address
        self.ipmi_session = FakeSession()
        self.last_used = ipmi.time.monotonic()
        self.thresholds_supported = True
        self._sdr = None

    @property
    def usable(self):
        return self.ipmi_session.logged and not self.ipmi_session.broken

    def close(self):
        FakeCommand.closed.append(self)

    def raw_command(self, netfn, command, data=(), **kwargs):
        FakeCommand.sent.append((netfn, command, tuple(data)))
        if FakeCommand.request_errors:
            error = FakeCommand.request_errors.pop(0)
            if isinstance(error, dict):
                return error
            self.ipmi_session.broken = True
            raise error
        if (netfn, command) == (0, 1):
            state = (FakeCommand.transitions.pop(0)
                     if FakeCommand.transitions else FakeCommand.power)
            return {'netfn': 1, 'command': 1, 'code': 0,
                    'data': bytearray([1 if state == 'on' else 0, 0, 0])}
        if (netfn, command) == (0, 2):
            FakeCommand.power = {0: 'off', 1: 'on', 2: 'on', 3: 'on',
                                 5: 'off'}[data[0]]
            return {'netfn': 1, 'command': 2, 'code': 0, 'data': b''}
        raise AssertionError('unexpected request %r' % ((netfn, command),))

    def xraw_command(self, netfn, command, data=(), rslun=0):
        FakeCommand.sent.append((netfn, command, tuple(data)))
        answer = FakeCommand.thresholds.get(data[0])
        if answer is None:
            raise pyghmi_exceptions.IpmiException('Invalid command', 0xC1)
        return {'data': answer}

    def get_bootdev(self):
        return dict(FakeCommand.bootdev)

    def set_bootdev(self, bootdev, persist=False):
        FakeCommand.bootdev = {'bootdev': bootdev, 'persistent': persist}
        return {'bootdev': bootdev}

    def get_sensor_data(self):
        return iter(FakeCommand.readings)


class FakeSDREntry:
    """The SDR entry attributes _read_thresholds uses (linear, M=0.5)."""

    def __init__(self, name, number, linearization=0, numeric_format=0):
        self.name = name
        self.sensor_number = number
        self.sensor_lun = 0
        self.has_thresholds = True
        self.linearization = linearization
        self.numeric_format = numeric_format

    def decode_value(self, command, raw):
        return raw * 0.5


class FakeSDR:
    def __init__(self, entries):
        self.sensors = {str(i): entry for i, entry in enumerate(entries)}

    def get_sensor_numbers(self):
        return list(self.sensors)


class IPMITestCase(test_bmc_common.BMCTestCase):

    def setUp(self):
        super().setUp()
        FakeCommand.reset()
        self.useFixture(fixtures.MockPatchObject(ipmi_sessions, 'Command',
                                                 FakeCommand))
        ipmi.reset_sessions()
        self.addCleanup(ipmi.reset_sessions)
        self.conf.config(group='bmc', retry_backoff=0.001,
                         power_poll_interval=0.05)
        self.driver = ipmi.IPMIBMC()


class TestValidate(IPMITestCase):

    def test_valid(self):
        self.driver.validate(BMC_INFO)
        self.driver.validate(dict(BMC_INFO, port=None))

    def test_common_keys_are_required(self):
        for key in ('address', 'username', 'password'):
            info = dict(BMC_INFO)
            del info[key]
            self.assertEqual(key, self.assertRaises(
                exception.MissingParameterValue, self.driver.validate,
                info).field)

    def test_ipmi_length_limits(self):
        self.driver.validate(dict(BMC_INFO, username='u' * 16,
                                  password='p' * 20))
        for key, value in (('username', 'u' * 17), ('password', 'p' * 21),
                           ('password', 'é' * 11)):
            error = self.assertRaises(exception.InvalidParameterValue,
                                      self.driver.validate,
                                      dict(BMC_INFO, **{key: value}))
            self.assertEqual(key, error.field)
            self.assertNotIn(value, str(error))

    def test_validate_sends_nothing(self):
        self.driver.validate(BMC_INFO)
        self.assertEqual([], FakeCommand.logins)

    def test_properties(self):
        properties = self.driver.get_properties()
        self.assertEqual(set(base.COMMON_PROPERTIES), set(properties))


class TestSensorMapping(IPMITestCase):

    def test_health_bits_to_status(self):
        cases = ((Health.Ok, base.SENSOR_OK),
                 (Health.Warning, base.SENSOR_MINOR),
                 (Health.Critical, base.SENSOR_MAJOR),
                 (Health.Failed, base.SENSOR_CRITICAL),
                 (Health.Warning | Health.Critical, base.SENSOR_MAJOR),
                 (Health.Warning | Health.Failed, base.SENSOR_CRITICAL),
                 (None, base.SENSOR_OK))
        for health, status in cases:
            self.assertEqual(status, ipmi_sensors.sensor_status(health),
                             health)

    def test_reading_to_sensor_dict(self):
        sensor = ipmi_sensors.sensor_from_reading(
            reading(value=44.000000001, health=Health.Warning),
            {'upper_minor': 42.0})
        self.assertEqual({'name': 'Inlet Temp', 'sensor_type': 'temperature',
                          'reading': 44.0, 'units': 'C',
                          'status': base.SENSOR_MINOR,
                          'thresholds': {'upper_minor': 42.0}}, sensor)

    def test_types_and_units(self):
        for type_, units, sensor_type, sensor_units in (
                ('Fan', 'RPM', 'fan', 'RPM'),
                ('Voltage', 'V', 'voltage', 'V'),
                ('Current', 'A', 'current', 'A'),
                ('Power', 'W', 'power', 'W'),
                ('Power Supply', '', 'power-supply', None),
                ('Temperature', '°F', 'temperature', 'F'),
                ('Drive Bay', '', 'drive bay', None)):
            sensor = ipmi_sensors.sensor_from_reading(reading(type_=type_,
                                                      units=units))
            self.assertEqual((sensor_type, sensor_units),
                             (sensor['sensor_type'], sensor['units']))

    def test_unavailable_and_discrete_sensors_have_no_reading(self):
        sensor = ipmi_sensors.sensor_from_reading(reading(unavailable=True))
        self.assertEqual((None, base.SENSOR_OK),
                         (sensor['reading'], sensor['status']))
        sensor = ipmi_sensors.sensor_from_reading(reading(
            type_='Power Supply', value=None, health=Health.Critical,
            units=''))
        self.assertEqual((None, base.SENSOR_MAJOR),
                         (sensor['reading'], sensor['status']))


class TestPowerWithFakeCommand(IPMITestCase):

    def controls(self):
        return [data[0] for netfn, command, data in FakeCommand.sent
                if (netfn, command) == (0, 2)]

    def test_get_power_state_fake_command(self):
        self.assertEqual(base.POWER_ON,
                         self.driver.get_power_state(BMC_INFO))
        FakeCommand.power = 'off'
        self.assertEqual(base.POWER_OFF,
                         self.driver.get_power_state(BMC_INFO))
        self.assertEqual([('192.0.2.30', 16230, 'admin', 3.0)],
                         FakeCommand.logins)

    def test_default_port_from_config_fake_command(self):
        self.conf.config(group='bmc', ipmi_port=1623)
        self.driver.get_power_state(dict(BMC_INFO, port=None))
        self.assertEqual(1623, FakeCommand.logins[0][1])

    def test_directives_fake_command(self):
        for start, target, directive, result in (
                ('on', base.POWER_OFF, 0, base.POWER_OFF),
                ('off', base.POWER_ON, 1, base.POWER_ON),
                ('on', base.POWER_SOFT_OFF, 5, base.POWER_OFF),
                ('on', base.POWER_RESET, 3, base.POWER_ON),
                ('off', base.POWER_RESET, 1, base.POWER_ON),
                ('on', base.POWER_CYCLE, 2, base.POWER_ON),
                ('off', base.POWER_CYCLE, 1, base.POWER_ON)):
            FakeCommand.power, FakeCommand.sent = start, []
            self.assertEqual(result, self.driver.set_power_state(
                BMC_INFO, target, timeout=1), target)
            self.assertEqual([directive], self.controls(), target)

    def test_nothing_sent_when_already_in_state_fake_command(self):
        FakeCommand.power = 'off'
        for target in (base.POWER_OFF, base.POWER_SOFT_OFF):
            self.assertEqual(base.POWER_OFF,
                             self.driver.set_power_state(BMC_INFO, target))
        self.assertEqual([], self.controls())

    def test_waits_for_confirmation_fake_command(self):
        FakeCommand.power = 'on'
        # Read before the command, then two reads still on, then off.
        FakeCommand.transitions = ['on', 'on', 'on']
        self.assertEqual(base.POWER_OFF, self.driver.set_power_state(
            BMC_INFO, base.POWER_OFF, timeout=5))
        reads = [s for s in FakeCommand.sent if s[:2] == (0, 1)]
        self.assertEqual(4, len(reads))

    def test_unconfirmed_power_change_times_out_fake_command(self):
        FakeCommand.transitions = ['on'] * 1000
        error = self.assertRaises(exception.BMCTimeout,
                                  self.driver.set_power_state, BMC_INFO,
                                  base.POWER_OFF, timeout=0.05)
        self.assertIn('not confirmed', str(error))

    def test_invalid_arguments_send_nothing_fake_command(self):
        self.assertEqual('target', self.assertRaises(
            exception.InvalidParameterValue, self.driver.set_power_state,
            BMC_INFO, 'explode').field)
        self.assertEqual('timeout', self.assertRaises(
            exception.InvalidParameterValue, self.driver.set_power_state,
            BMC_INFO, base.POWER_ON, timeout=0).field)
        self.assertEqual([], FakeCommand.logins)

    def test_reset_is_not_sent_twice_fake_command(self):
        timeout = pyghmi_exceptions.IpmiException('timeout', 0xffff)
        FakeCommand.power = 'on'
        FakeCommand.transitions = ['on']
        FakeCommand.request_errors = []
        self.driver.get_power_state(BMC_INFO)
        FakeCommand.sent = []

        original = FakeCommand.raw_command

        def failing_control(fake, netfn, command, data=(), **kwargs):
            if (netfn, command) == (0, 2):
                FakeCommand.sent.append((netfn, command, tuple(data)))
                fake.ipmi_session.broken = True
                raise timeout
            return original(fake, netfn, command, data, **kwargs)

        with mock.patch.object(FakeCommand, 'raw_command', failing_control):
            self.assertRaises(exception.BMCTimeout,
                              self.driver.set_power_state, BMC_INFO,
                              base.POWER_RESET, timeout=1)
            self.assertEqual([3], self.controls())
            FakeCommand.sent = []
            self.assertRaises(exception.BMCTimeout,
                              self.driver.set_power_state, BMC_INFO,
                              base.POWER_OFF, timeout=1)
            # Off may be repeated: one retry (ipmi_retries = 1).
            self.assertEqual([0, 0], self.controls())


class TestErrorsWithFakeCommand(IPMITestCase):

    def test_refused_password_not_retried_fake_command(self):
        FakeCommand.login_errors = [pyghmi_exceptions.IpmiException(
            'Incorrect password provided')] * 3
        error = self.assertRaises(exception.BMCAccessDenied,
                                  self.driver.get_power_state, BMC_INFO)
        self.assertEqual(1, len(FakeCommand.logins))
        self.assertNotIn(PASSWORD, str(error))

    def test_unknown_user_and_privilege_are_access_denied_fake_command(self):
        for text in ('Unauthorized name in RAKP2',
                     "Unauthorized role or privilege level requested while "
                     "requesting privelege level 4 for b'admin'"):
            FakeCommand.login_errors = [
                pyghmi_exceptions.IpmiException(text)]
            error = self.assertRaises(exception.BMCAccessDenied,
                                      self.driver.get_power_state, BMC_INFO)
            self.assertNotIn("b'admin'", str(error))

    def test_privilege_request_timeout_is_no_answer_fake_command(self):
        FakeCommand.login_errors = [pyghmi_exceptions.IpmiException(
            "timeout while requesting privelege level 4 for b'admin'")]
        self.assertEqual(base.POWER_ON,
                         self.driver.get_power_state(BMC_INFO))
        self.assertEqual(2, len(FakeCommand.logins))

    def test_no_answer_retried_then_timeout_fake_command(self):
        FakeCommand.login_errors = [
            pyghmi_exceptions.IpmiException(None)] * 2
        self.conf.config(group='bmc', ipmi_retries=1)
        error = self.assertRaises(exception.BMCTimeout,
                                  self.driver.get_power_state, BMC_INFO)
        self.assertEqual(2, len(FakeCommand.logins))
        self.assertIn('16230', str(error))

    def test_no_answer_then_answer_fake_command(self):
        FakeCommand.login_errors = [
            pyghmi_exceptions.IpmiException('timeout')]
        self.assertEqual(base.POWER_ON,
                         self.driver.get_power_state(BMC_INFO))
        self.assertEqual(2, len(FakeCommand.logins))

    def test_retries_option_bounds_attempts_fake_command(self):
        FakeCommand.login_errors = [
            pyghmi_exceptions.IpmiException('timeout')] * 10
        self.conf.config(group='bmc', ipmi_retries=3)
        self.assertRaises(exception.BMCTimeout,
                          self.driver.get_power_state, BMC_INFO)
        self.assertEqual(4, len(FakeCommand.logins))

    def test_lost_session_gets_a_fresh_one_fake_command(self):
        self.driver.get_power_state(BMC_INFO)
        FakeCommand.request_errors = [pyghmi_exceptions.IpmiException(
            'Session no longer connected')]
        self.assertEqual(base.POWER_ON,
                         self.driver.get_power_state(BMC_INFO))
        self.assertEqual(2, len(FakeCommand.logins))
        self.assertEqual(1, len(FakeCommand.closed))

    def test_completion_code_is_bmc_error_session_kept_fake_command(self):
        self.driver.get_power_state(BMC_INFO)
        FakeCommand.request_errors = [
            {'error': 'Invalid command', 'code': 0xC1}]
        error = self.assertRaises(exception.BMCError,
                                  self.driver.get_power_state, BMC_INFO)
        self.assertNotIsInstance(error, exception.BMCTimeout)
        self.assertEqual('BMC 192.0.2.30: Invalid command', str(error))
        self.driver.get_power_state(BMC_INFO)
        self.assertEqual(1, len(FakeCommand.logins))

    def test_unexpected_library_error_is_bmc_error_fake_command(self):
        FakeCommand.login_errors = [ValueError('pack expected 32 items, '
                                               'pw %s' % PASSWORD)]
        error = self.assertRaises(exception.BMCError,
                                  self.driver.get_power_state, BMC_INFO)
        self.assertNotIn(PASSWORD, str(error))

    def test_password_never_in_errors_fake_command(self):
        FakeCommand.login_errors = [pyghmi_exceptions.IpmiException(
            'Incorrect password provided: %s' % PASSWORD)]
        error = self.assertRaises(exception.BMCAccessDenied,
                                  self.driver.get_power_state, BMC_INFO)
        self.assertNotIn(PASSWORD, str(error))
        self.assertNotIn(PASSWORD, repr(error.kwargs))


class TestSessionsWithFakeCommand(IPMITestCase):

    def test_session_reused_fake_command(self):
        for _ in range(3):
            self.driver.get_power_state(BMC_INFO)
        ipmi.IPMIBMC().get_power_state(BMC_INFO)
        self.assertEqual(1, len(FakeCommand.logins))

    def test_new_credentials_new_session_fake_command(self):
        self.driver.get_power_state(BMC_INFO)
        self.driver.get_power_state(dict(BMC_INFO, password='other'))
        self.driver.get_power_state(dict(BMC_INFO, port=16231))
        self.assertEqual(3, len(FakeCommand.logins))

    def test_idle_session_replaced_fake_command(self):
        self.conf.config(group='bmc', ipmi_session_idle_timeout=0)
        self.driver.get_power_state(BMC_INFO)
        self.driver.get_power_state(BMC_INFO)
        self.assertEqual(2, len(FakeCommand.logins))
        self.assertEqual(1, len(FakeCommand.closed))

    def test_reset_sessions_closes_them_fake_command(self):
        self.driver.get_power_state(BMC_INFO)
        ipmi.reset_sessions()
        self.assertEqual(1, len(FakeCommand.closed))


class TestBootAndSensorsWithFakeCommand(IPMITestCase):

    def test_boot_device_mapping_fake_command(self):
        self.assertEqual({'boot_device': base.BOOT_DEVICE_DISK,
                          'persistent': True},
                         self.driver.get_boot_device(BMC_INFO))
        for device, ipmi_name in (('network', 'network'), ('disk', 'hd'),
                                  ('cdrom', 'optical'), ('bios', 'setup')):
            self.driver.set_boot_device(BMC_INFO, device)
            self.assertEqual({'bootdev': ipmi_name, 'persistent': False},
                             FakeCommand.bootdev)
            self.assertEqual({'boot_device': device, 'persistent': False},
                             self.driver.get_boot_device(BMC_INFO))
        self.driver.set_boot_device(BMC_INFO, 'network', persistent=True)
        self.assertTrue(FakeCommand.bootdev['persistent'])
        FakeCommand.bootdev = {'bootdev': 'default', 'persistent': True}
        self.assertIsNone(
            self.driver.get_boot_device(BMC_INFO)['boot_device'])

    def test_invalid_boot_device_fake_command(self):
        self.assertEqual('device', self.assertRaises(
            exception.InvalidParameterValue, self.driver.set_boot_device,
            BMC_INFO, 'floppy').field)

    def test_sensors_without_thresholds_fake_command(self):
        self.conf.config(group='bmc', ipmi_read_thresholds=False)
        FakeCommand.readings = [reading(), reading('Fan1', 'Fan', 8000.0,
                                                   Health.Failed, 'RPM')]
        sensors = self.driver.get_sensors(BMC_INFO)
        self.assertEqual([('Inlet Temp', base.SENSOR_OK, {}),
                          ('Fan1', base.SENSOR_CRITICAL, {})],
                         [(s['name'], s['status'], s['thresholds'])
                          for s in sensors])

    def test_thresholds_read_and_scaled_fake_command(self):
        FakeCommand.readings = [reading(), reading('Fan1', 'Fan', 8000.0,
                                                   units='RPM'),
                                reading('Inverse', 'Other', 1.0, units='')]
        entries = [FakeSDREntry('Inlet Temp', 1),
                   FakeSDREntry('Fan1', 2),
                   FakeSDREntry('Inverse', 3, linearization=7)]
        # Readable mask, then raw LNC, LC, LNR, UNC, UC, UNR.
        FakeCommand.thresholds = {1: bytearray([0x38, 0, 0, 0, 76, 84, 96]),
                                  3: bytearray([0x01, 10, 0, 0, 0, 0, 0])}
        original_read = ipmi_sensors.read_sensors

        def with_sdr(command):
            command._sdr = FakeSDR(entries)
            return original_read(command)

        with mock.patch.object(ipmi_sensors, 'read_sensors', with_sdr):
            sensors = self.driver.get_sensors(BMC_INFO)
        self.assertEqual({'upper_minor': 38.0, 'upper_major': 42.0,
                          'upper_critical': 48.0}, sensors[0]['thresholds'])
        # 0xC1 for Fan1: no thresholds, and none asked for afterwards.
        self.assertEqual({}, sensors[1]['thresholds'])
        self.assertEqual({}, sensors[2]['thresholds'])
        asked = [data[0] for netfn, command, data in FakeCommand.sent
                 if (netfn, command) == (4, 0x27)]
        self.assertEqual([1, 2], asked)

    def test_inverse_sensor_swaps_lower_and_upper_fake_command(self):
        FakeCommand.readings = [reading('Inverse', 'Other', 1.0, units='')]
        FakeCommand.thresholds = {3: bytearray([0x01, 10, 0, 0, 0, 0, 0])}

        def with_sdr(command):
            command._sdr = FakeSDR([FakeSDREntry('Inverse', 3,
                                                 linearization=7)])
            return original_read(command)

        original_read = ipmi_sensors.read_sensors
        with mock.patch.object(ipmi_sensors, 'read_sensors', with_sdr):
            sensors = self.driver.get_sensors(BMC_INFO)
        self.assertEqual({'upper_minor': 5.0}, sensors[0]['thresholds'])


class TestPyghmiIntegration(test_bmc_common.BMCTestCase):
    """The pyghmi internals the driver's classes extend are still there."""

    def test_session_internals_exist(self):
        for name in ('_got_rmcp_response', '_xmit_packet', '_timedout',
                     'awaitresponse', '_assignsocket', '_mark_broken',
                     '_isincommand', '_getmaxtimeout', 'process_pktqueue',
                     'wait_for_rsp', 'logout', 'waiting_sessions'):
            self.assertTrue(hasattr(ipmi_session.Session, name), name)
        for name in ('KEEPALIVE_SESSIONS', 'WAITING_SESSIONS', 'unmatched',
                     '_io_wait'):
            self.assertTrue(hasattr(ipmi_session, name), name)
        self.assertEqual(
            ['retry', 'netfn', 'command'],
            list(inspect.signature(
                ipmi_session.Session.awaitresponse).parameters)[1:])

    def test_command_attributes_match_pyghmis(self):
        with mock.patch.object(ipmi_command.session, 'Session'):
            vanilla = ipmi_command.Command(bmc='192.0.2.1', userid='u',
                                           password='p')
        with mock.patch.object(ipmi_sessions, 'Session'):
            ours = ipmi_sessions.Command('192.0.2.1', 623, 'u', 'p', 1.0)
        self.assertLessEqual(set(vars(vanilla)), set(vars(ours)))

    def test_credentials_handed_to_pyghmi_as_bytes(self):
        with mock.patch.object(ipmi_sessions, 'Session') as session_class:
            ipmi_sessions.Command('192.0.2.1', 623, 'admin', PASSWORD, 1.0)
        kwargs = session_class.call_args.kwargs
        self.assertEqual((b'admin', PASSWORD.encode()),
                         (kwargs['userid'], kwargs['password']))
        self.assertIsNotNone(kwargs['deadline'])

    def open_session(self):
        """A Session in the OPENSESSION state, without any I/O."""
        session = object.__new__(ipmi_sessions.Session)
        session.stx_deadline = None
        session.stx_gave_up = False
        session.attemptedhash = 256
        session.currhashlib = hashlib.sha256
        session.currhashlen = 16
        session.rmcptag = 5
        session.localsid = 0x01020304
        session.sessioncontext = 'OPENSESSION'
        session.lastpayload = None
        session._send_rakp1 = mock.Mock()
        return session

    def open_session_response(self, auth_algorithm, status=0, tag=5):
        return bytearray([tag, status, 4, 0, 4, 3, 2, 1, 9, 9, 9, 9,
                          0, 0, 0, 8, auth_algorithm, 0, 0, 0,
                          1, 0, 0, 8, auth_algorithm, 0, 0, 0,
                          2, 0, 0, 8, 1, 0, 0, 0])

    def test_bmc_choosing_sha1_is_followed(self):
        session = self.open_session()
        session._got_rmcp_response(self.open_session_response(1))
        self.assertEqual((1, hashlib.sha1, 12),
                         (session.attemptedhash, session.currhashlib,
                          session.currhashlen))
        session._send_rakp1.assert_called_once_with()

    def test_bmc_accepting_sha256_keeps_it(self):
        session = self.open_session()
        session._got_rmcp_response(self.open_session_response(3))
        self.assertEqual((256, hashlib.sha256, 16),
                         (session.attemptedhash, session.currhashlib,
                          session.currhashlen))

    def test_stale_response_changes_nothing(self):
        session = self.open_session()
        session._got_rmcp_response(self.open_session_response(1, tag=4))
        self.assertEqual(256, session.attemptedhash)
        session._send_rakp1.assert_not_called()

    def test_shared_socket_never_changes_the_blocking_mode(self):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.setblocking(False)
        wrapped = ipmi_sessions.SharedSocket(sock)
        wrapped.setblocking(True)
        self.assertFalse(sock.getblocking())
        # pyghmi's pool bookkeeping finds the socket through the wrapper.
        pool = {sock: 3}
        pool[wrapped] -= 1
        self.assertEqual({sock: 2}, pool)
        self.assertIn(sock, [wrapped])
        self.assertIn(wrapped, [sock])
        self.assertNotEqual(wrapped,
                            ipmi_sessions.SharedSocket(socket.socket()))
        sock.bind(('127.0.0.1', 0))
        self.assertEqual(sock.getsockname(), wrapped.getsockname())

    def test_timed_out_request_gives_up_at_the_deadline(self):
        session = object.__new__(ipmi_sessions.Session)
        session.stx_deadline = ipmi_sessions.now() - 1
        session.stx_gave_up = False
        session.lastpayload = b'payload'
        session.expectednetfn, session.expectedcmd = 1, 1
        session.evq = ipmi_session.collections.deque()
        responses = []
        session.ipmicallback = responses.append
        session._mark_broken = mock.Mock()
        session._timedout()
        self.assertTrue(session.stx_gave_up)
        self.assertEqual('timeout', responses[0]['error'])
        session._mark_broken.assert_called_once_with('timeout')
        self.assertEqual('timeout', session.lastresponse['error'])
        self.assertFalse(ipmi_session.unmatched(session.lastresponse, 1, 1))

    def test_session_queue_drained(self):
        ours = object.__new__(ipmi_sessions.Session)
        ours.process_pktqueue = mock.Mock()
        foreign = mock.Mock(spec=['process_pktqueue'])
        queue = ipmi_session.sessionqueue
        self.addCleanup(queue.clear)
        queue.extend([ours, foreign, ours])
        ipmi_sessions.drain_session_queue()
        self.assertEqual(0, len(queue))
        ours.process_pktqueue.assert_not_called()
        foreign.process_pktqueue.assert_called_once_with()
