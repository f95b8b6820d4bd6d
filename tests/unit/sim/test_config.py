"""The configuration of stx-bmc-sim (stx.sim.config)."""

import os
import uuid

import fixtures
import testtools

from stx.sim import config

EXAMPLE = """
defaults: {username: admin, password: secret, power: on, sensors: standard}
bmcs:
  - {name: worker-0, port: 16230}
  - {name: worker-1, port: 16231, power: off, power_hook: "/bin/hook"}
  - {name_prefix: rack1-, count: 3, first_port: 17000}
"""


class ConfigTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tempdir = self.useFixture(fixtures.TempDir()).path

    def write(self, text, name='bmcs.yaml'):
        path = os.path.join(self.tempdir, name)
        with open(path, 'w') as stream:
            stream.write(text)
        return path

    def error(self, document):
        """The message of the ConfigError parse(document) raises."""
        return str(self.assertRaises(config.ConfigError, config.parse,
                                     document))

    def one(self, **entry):
        """parse() of one BMC entry; returns its BMCConfig."""
        entry.setdefault('name', 'w0')
        entry.setdefault('port', 1000)
        bmcs = config.parse({'bmcs': [entry]})
        self.assertEqual(1, len(bmcs))
        return bmcs[0]


class TestLoad(ConfigTestCase):

    def test_example_file(self):
        bmcs = config.load(self.write(EXAMPLE))
        self.assertEqual(
            [('worker-0', 16230, True, None),
             ('worker-1', 16231, False, '/bin/hook'),
             ('rack1-0', 17000, True, None),
             ('rack1-1', 17001, True, None),
             ('rack1-2', 17002, True, None)],
            [(b.name, b.port, b.power, b.power_hook) for b in bmcs])
        for bmc in bmcs:
            self.assertEqual(('admin', 'secret'), (bmc.username,
                                                   bmc.password))
            self.assertTrue(bmc.answering)
            self.assertEqual('default', bmc.boot_device)
            self.assertEqual(12, len(bmc.sensors))

    def test_quoted_power_strings(self):
        bmcs = config.parse({'bmcs': [{'name': 'a', 'port': 1,
                                       'power': 'off'},
                                      {'name': 'b', 'port': 2,
                                       'power': 'on'}]})
        self.assertEqual([False, True], [b.power for b in bmcs])

    def test_builtin_defaults(self):
        bmc = self.one()
        self.assertEqual(('admin', 'password', True, False, None, None),
                         (bmc.username, bmc.password, bmc.power,
                          bmc.boot_persistent, bmc.power_hook,
                          bmc.sdr_read_limit))

    def test_range_with_first_index_and_common_keys(self):
        bmcs = config.parse({'bmcs': [{
            'name_prefix': 'c-', 'count': 2, 'first_port': 500,
            'first_index': 7, 'password': 'pw', 'answering': False}]})
        self.assertEqual([('c-7', 500, 'pw', False), ('c-8', 501, 'pw',
                                                      False)],
                         [(b.name, b.port, b.password, b.answering)
                          for b in bmcs])

    def test_guid_is_stable_per_name_unless_configured(self):
        first = config.parse({'bmcs': [{'name': 'a', 'port': 1},
                                       {'name': 'b', 'port': 2}]})
        again = config.parse({'bmcs': [{'name': 'a', 'port': 9}]})
        self.assertEqual(first[0].uuid, again[0].uuid)
        self.assertNotEqual(first[0].uuid, first[1].uuid)
        self.assertEqual(uuid.uuid5(config.GUID_NAMESPACE, 'a'),
                         first[0].uuid)
        fixed = 'a8098c1a-f86e-11da-bd1a-00112444be1e'
        self.assertEqual(uuid.UUID(fixed), self.one(uuid=fixed).uuid)

    def test_from_options(self):
        bmcs = config.from_options(16230, 3, name_prefix='sim-',
                                   password='pw', username=None, power='off')
        self.assertEqual(['sim-0', 'sim-1', 'sim-2'], [b.name for b in bmcs])
        self.assertEqual([16230, 16231, 16232], [b.port for b in bmcs])
        self.assertEqual({('admin', 'pw', False)},
                         {(b.username, b.password, b.power) for b in bmcs})

    def test_fru_fields(self):
        bmc = config.parse({'defaults': {'fru': {'manufacturer': 'ACME'}},
                            'bmcs': [{'name': 'a', 'port': 1,
                                      'fru': {'serial_number': 'S1'}}]})[0]
        self.assertEqual({'manufacturer': 'ACME', 'serial_number': 'S1'},
                         dict(bmc.fru))


class TestSensors(ConfigTestCase):

    def sensors(self, **entry):
        return {s.name: s for s in self.one(**entry).sensors}

    def test_standard_set(self):
        sensors = self.sensors()
        self.assertEqual(
            ['CPU1 Temp', 'CPU2 Temp', 'Inlet Temp', 'Fan1', 'Fan2', 'Fan3',
             'Fan4', '12V', '5V', '3.3V', 'PSU1 Input Power',
             'PSU2 Input Power'], list(sensors))
        cpu = sensors['CPU1 Temp']
        self.assertEqual(('temperature', 45.0, 'processor', False),
                         (cpu.type, cpu.reading, cpu.entity, cpu.standby))
        self.assertEqual({'lower_non_recoverable': 0, 'lower_critical': 5,
                          'lower_non_critical': 10, 'upper_non_critical': 85,
                          'upper_critical': 95, 'upper_non_recoverable': 100},
                         cpu.threshold_dict())
        self.assertEqual({'Inlet Temp', 'PSU1 Input Power',
                          'PSU2 Input Power'},
                         {name for name, s in sensors.items() if s.standby})
        self.assertEqual(10, sensors['PSU1 Input Power'].off_reading)
        self.assertEqual({'upper_non_critical', 'upper_critical',
                          'upper_non_recoverable'},
                         set(sensors['PSU1 Input Power'].threshold_dict()))

    def test_every_standard_value_lands_on_the_raw_grid(self):
        # Configured readings and thresholds read back exactly.
        for sensor in self.one().sensors:
            factors = config.ipmi_records.linear_factors(*sensor.scale())
            for value in [sensor.reading] + list(
                    sensor.threshold_dict().values()):
                self.assertAlmostEqual(
                    value, factors.to_value(factors.to_raw(value)),
                    msg='%s: %s' % (sensor.name, value))

    def test_no_sensors(self):
        self.assertEqual((), self.one(sensors='none').sensors)

    def test_overrides_change_remove_and_add(self):
        sensors = self.sensors(sensor_overrides={
            'CPU1 Temp': {'reading': 70, 'thresholds': {
                'upper_critical': 90, 'lower_non_recoverable': None}},
            'Fan4': None,
            'Pump': {'type': 'fan', 'reading': 3000,
                     'thresholds': {'lower_critical': 500}}})
        self.assertNotIn('Fan4', sensors)
        cpu = sensors['CPU1 Temp']
        self.assertEqual(70.0, cpu.reading)
        self.assertEqual(90.0, cpu.threshold_dict()['upper_critical'])
        self.assertNotIn('lower_non_recoverable', cpu.threshold_dict())
        self.assertEqual('processor', cpu.entity)  # kept from the set
        self.assertEqual(('fan', 3000.0, 'fan'), (
            sensors['Pump'].type, sensors['Pump'].reading,
            sensors['Pump'].entity))
        self.assertEqual('Pump', list(sensors)[-1])

    def test_overrides_of_defaults_and_bmc_merge(self):
        bmc = config.parse({
            'defaults': {'sensor_overrides': {'Fan1': None,
                                              '12V': {'reading': 11}}},
            'bmcs': [{'name': 'a', 'port': 1,
                      'sensor_overrides': {'12V': {'reading': 12.5}}}]})[0]
        sensors = {s.name: s for s in bmc.sensors}
        self.assertNotIn('Fan1', sensors)
        self.assertEqual(12.5, sensors['12V'].reading)

    def test_a_list_replaces_the_set(self):
        sensors = self.sensors(sensors=[
            {'name': 'Ambient', 'type': 'temperature', 'reading': -5,
             'range': [-40, 60], 'standby': True}])
        self.assertEqual(['Ambient'], list(sensors))
        self.assertEqual((-40.0, 60.0), sensors['Ambient'].scale())

    def test_default_scale_leaves_room_above_thresholds(self):
        sensor = self.sensors()['12V']
        self.assertEqual((0.0, 13.8 * 1.25), sensor.scale())

    def test_bmcs_with_the_same_sensors_share_the_tuple(self):
        bmcs = config.parse({'bmcs': [{'name_prefix': 'r', 'count': 3,
                                       'first_port': 10}]})
        self.assertIs(bmcs[0].sensors, bmcs[2].sensors)


class TestErrors(ConfigTestCase):

    def test_errors_name_the_field(self):
        cases = [
            ({'bmcs': [{'name': 'a', 'port': 70000}]},
             'bmcs[0] (a).port: expected an integer from 1 to 65535, got '
             '70000'),
            ({'bmcs': [{'name': 'a', 'port': 1, 'pwoer': 'on'}]},
             "bmcs[0]: unknown key 'pwoer'"),
            ({'bmcs': [{'port': 1}]}, 'bmcs[0].name: missing'),
            ({'bmcs': [{'name': 'a'}]}, 'bmcs[0] (a).port: missing'),
            ({'bmcs': [{'name': 'a b', 'port': 1}]},
             "bmcs[0].name: 'a b' may only contain"),
            ({'bmcs': [{'name': 'a', 'port': 1, 'power': 'maybe'}]},
             "bmcs[0] (a).power: expected on or off, got 'maybe'"),
            ({'bmcs': [{'name': 'a', 'port': 1, 'answering': 'no'}]},
             'bmcs[0] (a).answering: expected true or false'),
            ({'bmcs': [{'name': 'a', 'port': 1, 'password': 'x' * 21}]},
             'bmcs[0] (a).password: longer than 20 characters'),
            ({'bmcs': [{'name': 'a', 'port': 1, 'boot_device': 'usb'}]},
             "bmcs[0] (a).boot_device: expected one of default, network"),
            ({'bmcs': [{'name': 'a', 'port': 1, 'uuid': 'nope'}]},
             "bmcs[0] (a).uuid: not a UUID: 'nope'"),
            ({'bmcs': [{'name': 'a', 'port': 1, 'sdr_read_limit': 2}]},
             'bmcs[0] (a).sdr_read_limit: expected an integer from 5'),
            ({'bmcs': [{'name': 'a', 'port': 1, 'fru': {'colour': 'red'}}]},
             "bmcs[0] (a).fru: unknown key 'colour'"),
            ({'bmcs': [{'name': 'a', 'port': 1},
                       {'name': 'b', 'port': 1}]},
             'bmcs: a and b both use port 1'),
            ({'bmcs': [{'name': 'a', 'port': 1},
                       {'name': 'a', 'port': 2}]},
             "bmcs: duplicate name 'a'"),
            ({'bmcs': []}, 'bmcs: expected a non-empty list'),
            ({'bmcs': [{'name_prefix': 'r', 'count': 10,
                        'first_port': 65530}]},
             'bmcs[0].count: 10 BMCs from port 65530 go past 65535'),
            ({'bmcs': [{'name_prefix': 'r', 'count': 2}]},
             'bmcs[0].first_port: missing'),
            ({'defaults': {'port': 5}, 'bmcs': [{'name': 'a', 'port': 1}]},
             "defaults: unknown key 'port'"),
            ({'bmc': []}, "configuration: unknown key 'bmc'"),
            (['a'], 'configuration: expected a mapping with "bmcs"'),
        ]
        for document, expected in cases:
            message = self.error(document)
            self.assertIn(expected, message)
            self.assertNotIn('\n', message)

    def test_sensor_errors_name_the_field(self):
        cases = [
            ({'sensors': 'deluxe'},
             "bmcs[0].sensors: expected one of none, standard, got "
             "'deluxe'"),
            ({'sensors': [{'name': 'X', 'type': 'smell', 'reading': 1}]},
             "bmcs[0].sensors[0].type: expected one of current, fan, "
             "power, temperature, voltage, got 'smell'"),
            ({'sensors': [{'name': 'X', 'type': 'fan'}]},
             'bmcs[0].sensors[0].reading: missing'),
            ({'sensors': [{'name': 'X' * 17, 'type': 'fan', 'reading': 1}]},
             'bmcs[0].sensors[0].name: longer than 16 characters'),
            ({'sensors': [{'name': 'A/B', 'type': 'fan', 'reading': 1}]},
             'bmcs[0].sensors[0].name: \'A/B\' must not contain "/"'),
            ({'sensors': [{'name': 'X', 'type': 'fan', 'reading': 'fast'}]},
             "bmcs[0].sensors[0].reading: expected a number, got 'fast'"),
            ({'sensors': [{'name': 'X', 'type': 'fan', 'reading': 1,
                           'thresholds': {'upper_critical': 5,
                                          'upper_non_critical': 9}}]},
             'bmcs[0].sensors[0].thresholds: upper_non_critical (9.0) must '
             'be below upper_critical (5.0)'),
            ({'sensors': [{'name': 'X', 'type': 'fan', 'reading': 1,
                           'thresholds': {'upper_hot': 5}}]},
             "bmcs[0].sensors[0].thresholds: unknown key 'upper_hot'"),
            ({'sensors': [{'name': 'X', 'type': 'fan', 'reading': 1,
                           'range': [0, 0.5]}]},
             'bmcs[0].sensors[0].range: does not cover the reading'),
            ({'sensors': [{'name': 'X', 'type': 'fan', 'reading': 1},
                          {'name': 'X', 'type': 'fan', 'reading': 2}]},
             "bmcs[0].sensors[1].name: duplicate sensor 'X'"),
            ({'sensor_overrides': {'Fan9': None}},
             "bmcs[0].sensor_overrides['Fan9']: no sensor 'Fan9' to "
             "remove"),
            ({'sensor_overrides': {'Fan1': {'reading': None}}},
             "bmcs[0].sensor_overrides['Fan1'].reading: expected a number"),
            ({'sensor_overrides': {'New': {'reading': 3}}},
             "bmcs[0].sensor_overrides['New'].type: expected one of"),
        ]
        for entry, expected in cases:
            message = self.error({'bmcs': [dict(entry, name='a', port=1)]})
            self.assertIn(expected, message)

    def test_missing_file(self):
        error = self.assertRaises(config.ConfigError, config.load,
                                  os.path.join(self.tempdir, 'nope.yaml'))
        self.assertIn('nope.yaml: No such file or directory', str(error))

    def test_yaml_syntax_error_names_the_line(self):
        path = self.write('bmcs:\n  - {name: a, port: 1\n  - oops: [\n')
        error = str(self.assertRaises(config.ConfigError, config.load,
                                      path))
        self.assertIn('bmcs.yaml: line 3: not valid YAML', error)
        self.assertNotIn('\n', error)

    def test_empty_file(self):
        error = str(self.assertRaises(config.ConfigError, config.load,
                                      self.write('')))
        self.assertIn('expected a mapping with "bmcs", got NoneType', error)
