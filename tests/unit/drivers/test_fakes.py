"""Tests for the fake drivers: each implements its interface and behaves.

Other tests inject faults and simulate hardware through these fakes, so
their behaviour is a contract too.
"""

import inspect

import testtools

from stx.common import exception
from stx.common import states
from stx.drivers.bmc import base as bmc_base
from stx.drivers.bmc import fake as bmc_fake
from stx.drivers.cni import base as cni_base
from stx.drivers.cni import fake as cni_fake
from stx.drivers.ha import base as ha_base
from stx.drivers.ha import fake as ha_fake
from stx.drivers.host import base as host_base
from stx.drivers.host import fake as host_fake
from stx.drivers.patch import base as patch_base
from stx.drivers.patch import fake as patch_fake
from stx.drivers.storage import base as storage_base
from stx.drivers.storage import fake as storage_fake
from stx.fm.notifiers import base as notifier_base
from stx.fm.notifiers import fake as notifier_fake

BMC_INFO = {'address': '192.0.2.20', 'port': 623, 'username': 'admin',
            'password': 'secret'}

FAKES = (
    (bmc_fake.FakeBMC, bmc_base.BMCDriver),
    (storage_fake.FakeStorage, storage_base.StorageDriver),
    (cni_fake.FakeCNI, cni_base.CNIDriver),
    (patch_fake.FakePatch, patch_base.PatchDriver),
    (host_fake.FakeHost, host_base.HostDriver),
    (ha_fake.FakeHAModel, ha_base.HAModel),
    (notifier_fake.FakeNotifier, notifier_base.Notifier),
)


class FakeTestCase(testtools.TestCase):
    """Resets every fake's shared state around each test."""

    def setUp(self):
        super().setUp()
        for fake_class in (bmc_fake.FakeBMC, storage_fake.FakeStorage,
                           patch_fake.FakePatch, host_fake.FakeHost,
                           notifier_fake.FakeNotifier):
            fake_class.reset()
            self.addCleanup(fake_class.reset)


class TestInterfaces(FakeTestCase):

    def test_every_fake_implements_its_interface(self):
        for fake_class, interface in FAKES:
            self.assertTrue(issubclass(fake_class, interface), fake_class)
            self.assertFalse(inspect.isabstract(fake_class), fake_class)
            driver = fake_class()
            self.assertIsInstance(driver, interface)
            self.assertIsInstance(driver.get_properties(), dict)

    def test_interfaces_cannot_be_instantiated(self):
        for _fake_class, interface in FAKES:
            self.assertTrue(inspect.isabstract(interface), interface)
            self.assertRaises(TypeError, interface)

    def test_every_interface_method_documents_params_returns_raises(self):
        for _fake_class, interface in FAKES:
            for name in interface.__abstractmethods__:
                doc = inspect.getdoc(getattr(interface, name))
                self.assertTrue(doc, '%s.%s' % (interface.__name__, name))
                if name not in ('get_properties', 'enable_checks'):
                    self.assertIn(':raises:', doc, name)
                params = [param for param in
                          inspect.signature(getattr(interface, name))
                          .parameters if param != 'self']
                for param in params:
                    self.assertIn(':param %s:' % param, doc,
                                  '%s.%s' % (interface.__name__, name))

    def test_bmc_sensors_are_optional(self):

        class MinimalBMC(bmc_base.BMCDriver):
            # Only the inherited get_sensors() is exercised.
            get_properties = validate = get_power_state = None
            set_power_state = get_boot_device = set_boot_device = None

        error = self.assertRaises(exception.UnsupportedDriverExtension,
                                  MinimalBMC().get_sensors, BMC_INFO)
        self.assertEqual("Driver 'MinimalBMC' does not support sensors.",
                         str(error))


class TestFakeBMC(FakeTestCase):

    def setUp(self):
        super().setUp()
        self.bmc = bmc_fake.FakeBMC()

    def test_new_machine_is_powered_on(self):
        self.assertEqual(bmc_base.POWER_ON,
                         self.bmc.get_power_state(BMC_INFO))

    def test_power_targets(self):
        for target, expected in ((bmc_base.POWER_OFF, bmc_base.POWER_OFF),
                                 (bmc_base.POWER_ON, bmc_base.POWER_ON),
                                 (bmc_base.POWER_SOFT_OFF,
                                  bmc_base.POWER_OFF),
                                 (bmc_base.POWER_RESET, bmc_base.POWER_ON),
                                 (bmc_base.POWER_OFF, bmc_base.POWER_OFF),
                                 (bmc_base.POWER_CYCLE, bmc_base.POWER_ON)):
            self.assertEqual(expected, self.bmc.set_power_state(
                BMC_INFO, target, timeout=10), target)
            self.assertEqual(expected, self.bmc.get_power_state(BMC_INFO),
                             target)

    def test_invalid_target_refused(self):
        error = self.assertRaises(exception.InvalidParameterValue,
                                  self.bmc.set_power_state, BMC_INFO,
                                  'explode')
        self.assertEqual('target', error.field)
        self.assertEqual(bmc_base.POWER_ON,
                         self.bmc.get_power_state(BMC_INFO))

    def test_invalid_timeout_refused(self):
        for timeout in (0, -1, 'soon', True):
            error = self.assertRaises(exception.InvalidParameterValue,
                                      self.bmc.set_power_state, BMC_INFO,
                                      bmc_base.POWER_OFF, timeout=timeout)
            self.assertEqual('timeout', error.field)

    def test_machines_are_shared_by_instances_and_keyed_by_address(self):
        self.bmc.set_power_state(BMC_INFO, bmc_base.POWER_OFF)
        other = dict(BMC_INFO, address='192.0.2.21')
        self.assertEqual(bmc_base.POWER_OFF,
                         bmc_fake.FakeBMC().get_power_state(BMC_INFO))
        self.assertEqual(bmc_base.POWER_ON, self.bmc.get_power_state(other))

    def test_reset_forgets_machines(self):
        self.bmc.set_power_state(BMC_INFO, bmc_base.POWER_OFF)
        bmc_fake.FakeBMC.reset()
        self.assertEqual(bmc_base.POWER_ON,
                         self.bmc.get_power_state(BMC_INFO))

    def test_boot_device(self):
        self.assertEqual({'boot_device': bmc_base.BOOT_DEVICE_DISK,
                          'persistent': True},
                         self.bmc.get_boot_device(BMC_INFO))
        self.bmc.set_boot_device(BMC_INFO, bmc_base.BOOT_DEVICE_NETWORK)
        self.assertEqual({'boot_device': bmc_base.BOOT_DEVICE_NETWORK,
                          'persistent': False},
                         self.bmc.get_boot_device(BMC_INFO))
        error = self.assertRaises(exception.InvalidParameterValue,
                                  self.bmc.set_boot_device, BMC_INFO,
                                  'floppy')
        self.assertEqual('device', error.field)

    def test_validate(self):
        self.bmc.validate(BMC_INFO)
        self.bmc.validate(dict(BMC_INFO, port=None))
        for key in ('address', 'username', 'password'):
            info = dict(BMC_INFO)
            del info[key]
            error = self.assertRaises(exception.MissingParameterValue,
                                      self.bmc.validate, info)
            self.assertEqual(key, error.field)
        for port in (0, 65536, '623', True):
            error = self.assertRaises(exception.InvalidParameterValue,
                                      self.bmc.validate,
                                      dict(BMC_INFO, port=port))
            self.assertEqual('port', error.field)
        self.assertRaises(exception.InvalidParameterValue,
                          self.bmc.validate, '192.0.2.20')

    def test_properties_cover_the_common_keys(self):
        self.assertEqual(set(bmc_base.COMMON_PROPERTIES),
                         set(self.bmc.get_properties()))

    def test_sensors(self):
        sensors = self.bmc.get_sensors(BMC_INFO)
        self.assertEqual(2, len(sensors))
        for sensor in sensors:
            self.assertEqual({'name', 'sensor_type', 'reading', 'units',
                              'status', 'thresholds'}, set(sensor))
            self.assertIn(sensor['status'], bmc_base.SENSOR_STATUSES)
            self.assertLessEqual(set(sensor['thresholds']),
                                 set(bmc_base.SENSOR_THRESHOLDS))

    def test_unreachable_bmc(self):
        bmc_fake.FakeBMC.set_reachable(BMC_INFO['address'], False)
        error = self.assertRaises(exception.ServiceUnavailable,
                                  self.bmc.get_power_state, BMC_INFO)
        self.assertIn(BMC_INFO['address'], str(error))
        bmc_fake.FakeBMC.set_reachable(BMC_INFO['address'], True)
        self.assertEqual(bmc_base.POWER_ON,
                         self.bmc.get_power_state(BMC_INFO))


class TestFakeBMCInjection(FakeTestCase):
    """What host maintenance tests inject through FakeBMC."""

    def setUp(self):
        super().setUp()
        self.bmc = bmc_fake.FakeBMC()
        self.address = BMC_INFO['address']

    def test_unreachable_bmc_times_out(self):
        bmc_fake.FakeBMC.set_reachable(self.address, False)
        self.assertRaises(exception.BMCTimeout, self.bmc.get_power_state,
                          BMC_INFO)

    def test_sensor_reading_and_status_injected(self):
        bmc_fake.FakeBMC.set_sensor(self.address, 'Inlet Temp',
                                    reading=47.0,
                                    status=bmc_base.SENSOR_CRITICAL)
        bmc_fake.FakeBMC.set_sensor(self.address, 'PSU1', reading=None,
                                    status=bmc_base.SENSOR_MAJOR,
                                    sensor_type='power-supply', units='W')
        sensors = {s['name']: s for s in self.bmc.get_sensors(BMC_INFO)}
        self.assertEqual((47.0, bmc_base.SENSOR_CRITICAL),
                         (sensors['Inlet Temp']['reading'],
                          sensors['Inlet Temp']['status']))
        self.assertEqual(45.0, sensors['Inlet Temp']['thresholds']
                         ['upper_critical'])
        self.assertEqual({'name': 'PSU1', 'sensor_type': 'power-supply',
                          'reading': None, 'units': 'W',
                          'status': bmc_base.SENSOR_MAJOR,
                          'thresholds': {}}, sensors['PSU1'])
        other = dict(BMC_INFO, address='192.0.2.21')
        self.assertEqual(2, len(self.bmc.get_sensors(other)))
        bmc_fake.FakeBMC.reset()
        self.assertEqual(bmc_base.SENSOR_OK,
                         self.bmc.get_sensors(BMC_INFO)[0]['status'])

    def test_bad_sensor_injection_refused(self):
        self.assertEqual('status', self.assertRaises(
            exception.InvalidParameterValue, bmc_fake.FakeBMC.set_sensor,
            self.address, 'Fan 1', status='dire').field)
        self.assertEqual('colour', self.assertRaises(
            exception.InvalidParameterValue, bmc_fake.FakeBMC.set_sensor,
            self.address, 'Fan 1', colour='red').field)

    def test_password_refused(self):
        bmc_fake.FakeBMC.set_password(self.address, 'right')
        error = self.assertRaises(exception.BMCAccessDenied,
                                  self.bmc.get_power_state, BMC_INFO)
        self.assertNotIn('secret', str(error))
        self.assertEqual(bmc_base.POWER_ON, self.bmc.get_power_state(
            dict(BMC_INFO, password='right')))
        bmc_fake.FakeBMC.set_password(self.address, None)
        self.bmc.get_power_state(BMC_INFO)

    def test_access_denied(self):
        bmc_fake.FakeBMC.set_access_denied(self.address, True)
        self.assertRaises(exception.BMCAccessDenied,
                          self.bmc.set_power_state, BMC_INFO,
                          bmc_base.POWER_OFF)
        bmc_fake.FakeBMC.set_access_denied(self.address, False)
        self.assertEqual(bmc_base.POWER_OFF, self.bmc.set_power_state(
            BMC_INFO, bmc_base.POWER_OFF))

    def test_slow_power_confirmation(self):
        bmc_fake.FakeBMC.set_power_delay(self.address, 0.05)
        self.assertEqual(bmc_base.POWER_OFF, self.bmc.set_power_state(
            BMC_INFO, bmc_base.POWER_OFF, timeout=1))
        error = self.assertRaises(exception.BMCTimeout,
                                  self.bmc.set_power_state, BMC_INFO,
                                  bmc_base.POWER_ON, timeout=0.01)
        self.assertIn('not confirmed', str(error))
        self.assertEqual(bmc_base.POWER_OFF,
                         self.bmc.get_power_state(BMC_INFO))
        bmc_fake.FakeBMC.set_power_delay(self.address, 0)
        self.assertEqual(bmc_base.POWER_ON, self.bmc.set_power_state(
            BMC_INFO, bmc_base.POWER_ON))


class TestFakeStorage(FakeTestCase):

    def test_capacity_and_health_follow_the_config(self):
        storage = storage_fake.FakeStorage()
        config = {'total_gib': 100, 'used_gib': 40}
        self.assertEqual({'total_gib': 100.0, 'free_gib': 60.0},
                         storage.get_capacity(config))
        self.assertEqual({'status': storage_base.HEALTH_OK, 'reason': ''},
                         storage.get_health(config))
        self.assertEqual(
            {'status': storage_base.HEALTH_ERROR, 'reason': 'osd down'},
            storage.get_health({'health': 'error',
                                'health_reason': 'osd down'}))

    def test_apply_records_valid_config_only(self):
        storage = storage_fake.FakeStorage()
        storage.apply({'total_gib': 10})
        error = self.assertRaises(exception.InvalidParameterValue,
                                  storage.apply,
                                  {'total_gib': 10, 'used_gib': 11})
        self.assertEqual('used_gib', error.field)
        self.assertEqual([{'total_gib': 10}],
                         storage_fake.FakeStorage.applied)


class TestFakeCNI(FakeTestCase):

    NETWORKS = {'name': 'stx-pod-network', 'hostname': 'worker-0',
                'interfaces': [{'name': 'eth1', 'subnet': '10.1.0.0/24',
                                'mtu': 9000},
                               {'name': 'eth2', 'subnet': 'fd00::/64',
                                'mtu': 1500}]}

    def test_render_follows_the_cni_network_configuration(self):
        config = cni_fake.FakeCNI().render(self.NETWORKS)
        self.assertEqual(cni_base.CNI_VERSION, config['cniVersion'])
        self.assertEqual('stx-pod-network', config['name'])
        self.assertEqual('fake', config['type'])
        self.assertEqual(1500, config['mtu'])
        self.assertEqual([[{'subnet': '10.1.0.0/24'}],
                          [{'subnet': 'fd00::/64'}]],
                         config['ipam']['ranges'])

    def test_validate_refuses_a_subnet_that_is_not_a_cidr(self):
        networks = dict(self.NETWORKS,
                        interfaces=[{'name': 'eth1', 'subnet': '10.1.0.0/33'}])
        error = self.assertRaises(exception.InvalidParameterValue,
                                  cni_fake.FakeCNI().validate, networks)
        self.assertEqual('interfaces.subnet', error.field)
        self.assertRaises(exception.MissingParameterValue,
                          cni_fake.FakeCNI().validate,
                          dict(self.NETWORKS, interfaces=[]))


class TestFakePatch(FakeTestCase):

    def test_install_query_remove(self):
        patch = {'id': 'STX_1.0_PATCH_0001', 'reboot_required': True}
        driver = patch_fake.FakePatch()
        self.assertEqual([], driver.query({'hostname': 'worker-0'}))
        self.assertEqual({'reboot_required': True}, driver.install(patch))
        driver.install({'id': 'STX_1.0_PATCH_0000',
                        'reboot_required': False})
        self.assertEqual(['STX_1.0_PATCH_0000', 'STX_1.0_PATCH_0001'],
                         driver.query({'hostname': 'worker-0'}))
        self.assertEqual({'reboot_required': True}, driver.remove(patch))
        self.assertEqual(['STX_1.0_PATCH_0000'],
                         driver.query({'hostname': 'worker-0'}))

    def test_validate(self):
        driver = patch_fake.FakePatch()
        error = self.assertRaises(exception.MissingParameterValue,
                                  driver.install, {'reboot_required': False})
        self.assertEqual('id', error.field)
        error = self.assertRaises(exception.InvalidParameterValue,
                                  driver.validate,
                                  {'id': 'P1', 'reboot_required': 'no'})
        self.assertEqual('reboot_required', error.field)


class TestFakeHost(FakeTestCase):

    def test_actions_are_recorded(self):
        driver = host_fake.FakeHost()
        driver.validate()
        driver.reboot()
        driver.shutdown()
        self.assertEqual([host_fake.ACTION_REBOOT, host_fake.ACTION_SHUTDOWN],
                         host_fake.FakeHost.actions)

    def test_enable_checks_report_injected_failures(self):
        driver = host_fake.FakeHost()
        self.assertEqual([], driver.enable_checks())
        host_fake.FakeHost.failed_checks.append('ntp')
        self.assertEqual(['ntp'], driver.enable_checks())
        host_fake.FakeHost.reset()
        self.assertEqual([], driver.enable_checks())
        self.assertEqual([], host_fake.FakeHost.actions)


class TestFakeHAModel(FakeTestCase):

    def setUp(self):
        super().setUp()
        self.model = ha_fake.FakeHAModel()

    def test_first_healthy_is_active_other_healthy_standby(self):
        members = [
            {'name': 'controller-0', 'healthy': False,
             'current_role': ha_base.ROLE_ACTIVE},
            {'name': 'controller-1', 'healthy': True,
             'current_role': ha_base.ROLE_STANDBY},
            {'name': 'controller-2', 'healthy': True, 'current_role': None},
        ]
        self.assertEqual({'controller-0': states.SG_DISABLED,
                          'controller-1': states.SG_ACTIVE,
                          'controller-2': states.SG_STANDBY},
                         self.model.assign(members))

    def test_no_healthy_member_means_no_active(self):
        members = [{'name': 'a', 'healthy': False, 'current_role': None},
                   {'name': 'b', 'healthy': False, 'current_role': None}]
        self.assertEqual({'a': ha_base.ROLE_DISABLED,
                          'b': ha_base.ROLE_DISABLED},
                         self.model.assign(members))
        self.assertEqual({}, self.model.assign([]))

    def test_duplicate_member_refused(self):
        members = [{'name': 'a', 'healthy': True, 'current_role': None}] * 2
        error = self.assertRaises(exception.InvalidParameterValue,
                                  self.model.assign, members)
        self.assertEqual('members.name', error.field)

    def test_validate(self):
        self.model.validate({})
        self.assertRaises(exception.InvalidParameterValue,
                          self.model.validate, None)


class TestFakeNotifier(FakeTestCase):

    EVENT = {'event_type': notifier_base.EVENT_ALARM_SET, 'id': '200.004',
             'entity_instance_id': 'host=worker-0',
             'severity': states.SEVERITY_CRITICAL,
             'reason_text': 'worker-0 failed',
             'timestamp': '2024-05-01T12:00:00.000000Z'}

    def test_records_copies_of_events(self):
        notifier = notifier_fake.FakeNotifier()
        notifier.validate()
        event = dict(self.EVENT)
        self.assertIsNone(notifier.notify(event))
        event['severity'] = states.SEVERITY_MINOR
        clear = dict(self.EVENT,
                     event_type=notifier_base.EVENT_ALARM_CLEAR)
        notifier_fake.FakeNotifier().notify(clear)
        self.assertEqual([self.EVENT, clear],
                         notifier_fake.FakeNotifier.events)

    def test_reset_forgets_events(self):
        notifier_fake.FakeNotifier().notify(self.EVENT)
        notifier_fake.FakeNotifier.reset()
        self.assertEqual([], notifier_fake.FakeNotifier.events)

    def test_injected_failure_raises_and_records_nothing(self):
        notifier_fake.FakeNotifier.set_failure('trap receiver down')
        error = self.assertRaises(exception.ServiceUnavailable,
                                  notifier_fake.FakeNotifier().notify,
                                  self.EVENT)
        self.assertIn('trap receiver down', str(error))
        self.assertEqual([], notifier_fake.FakeNotifier.events)

    def test_malformed_event_refused(self):
        error = self.assertRaises(exception.InvalidParameterValue,
                                  notifier_fake.FakeNotifier().notify,
                                  dict(self.EVENT, event_type='alarm'))
        self.assertEqual('event_type', error.field)
