"""Byte encodings of the simulated BMC (stx.sim.ipmi_records).

Layouts are checked byte by byte against the IPMI 2.0 and FRU v1.0
tables, and decoded back with pyghmi's own client-side parsers (SDREntry,
FRU), which are pure functions of the bytes.
"""

import datetime

from pyghmi.ipmi import fru as pyghmi_fru
from pyghmi.ipmi.oem import generic as pyghmi_generic
from pyghmi.ipmi import sdr as pyghmi_sdr
import testtools

from stx.sim import ipmi_records


def _sdr_entry(record):
    return pyghmi_sdr.SDREntry(bytearray(record),
                               pyghmi_generic.event_const)


class TestLinearFactors(testtools.TestCase):

    def test_step_is_1_2_or_5_times_a_power_of_ten(self):
        for scale, expected in (
                ((0, 16.5), (1, 0, 0, -1)),      # 12 V rail: 0.1 V
                ((0, 4.75), (2, 0, 0, -2)),      # 3.3 V rail: 0.02 V
                ((0, 125), (5, 0, 0, -1)),       # CPU: 0.5 C
                ((0, 20000), (1, 0, 0, 2)),      # fan: 100 RPM
                ((0, 1125), (5, 0, 0, 0)),       # PSU input: 5 W
                ((0, 255), (1, 0, 0, 0))):
            factors = ipmi_records.linear_factors(*scale)
            self.assertEqual(expected, (factors.m, factors.b, factors.b_exp,
                                        factors.r_exp), scale)
            self.assertGreaterEqual(factors.to_value(255), scale[1])

    def test_negative_range_uses_the_b_offset(self):
        factors = ipmi_records.linear_factors(-40, 87.5)
        self.assertEqual(ipmi_records.LinearFactors(5, -400, 0, -1), factors)
        self.assertEqual(-40.0, factors.to_value(0))
        self.assertEqual(87.5, factors.to_value(255))
        self.assertEqual(0.0, factors.to_value(80))

    def test_b_exponent_when_the_offset_needs_more_than_10_bits(self):
        # Step 0.5 (M=5, R exp -1): -100 is B*10^Bexp = -1000, so B=-100
        # with B exp 1.
        factors = ipmi_records.linear_factors(-100, 20)
        self.assertEqual(ipmi_records.LinearFactors(5, -100, 1, -1), factors)
        self.assertEqual(-100.0, factors.to_value(0))
        self.assertGreaterEqual(factors.to_value(255), 20)

    def test_raw_value_round_trip_over_every_count(self):
        for scale in ((0, 16.5), (0, 4.75), (-40, 87.5), (0, 20000)):
            factors = ipmi_records.linear_factors(*scale)
            for raw in range(256):
                self.assertEqual(raw, factors.to_raw(factors.to_value(raw)))

    def test_to_raw_rounds_to_the_nearest_count(self):
        factors = ipmi_records.LinearFactors(m=5, b=0, b_exp=0, r_exp=-1)
        self.assertEqual(190, factors.to_raw(95.0))
        self.assertEqual(191, factors.to_raw(95.3))
        self.assertEqual(190, factors.to_raw(95.2))

    def test_to_raw_saturates_outside_the_range(self):
        factors = ipmi_records.linear_factors(0, 125)
        self.assertEqual(255, factors.to_raw(500))
        self.assertEqual(0, factors.to_raw(-3))

    def test_empty_range_refused(self):
        self.assertRaises(ValueError, ipmi_records.linear_factors, 5, 5)

    def test_pyghmi_decodes_the_same_values(self):
        factors = ipmi_records.linear_factors(-40, 87.5)
        record = ipmi_records.full_sensor_record(1, 1, 'T', 'temperature',
                                                 factors, {})
        entry = _sdr_entry(record)
        for raw in (0, 1, 80, 254, 255):
            reading = entry.decode_sensor_reading(None, [raw, 0xC0, 0xC0])
            self.assertAlmostEqual(factors.to_value(raw), reading.value)


class TestThresholdStatus(testtools.TestCase):

    THRESHOLDS = {'lower_non_recoverable': 10, 'lower_critical': 20,
                  'lower_non_critical': 30, 'upper_non_critical': 170,
                  'upper_critical': 190, 'upper_non_recoverable': 200}

    def test_bits_follow_the_reading(self):
        for raw, bits, status in (
                (100, 0b000000, 'ok'),
                (31, 0b000000, 'ok'),
                (30, 0b000001, 'non-critical'),    # at LNC asserts it
                (20, 0b000011, 'critical'),        # LC implies LNC
                (9, 0b000111, 'non-recoverable'),
                (169, 0b000000, 'ok'),
                (170, 0b001000, 'non-critical'),
                (190, 0b011000, 'critical'),
                (255, 0b111000, 'non-recoverable')):
            got = ipmi_records.threshold_status(raw, self.THRESHOLDS)
            self.assertEqual(bits, got, raw)
            self.assertEqual(status, ipmi_records.status_name(got), raw)

    def test_only_the_thresholds_a_sensor_has(self):
        self.assertEqual(0, ipmi_records.threshold_status(
            0, {'upper_critical': 190}))
        self.assertEqual(0b010000, ipmi_records.threshold_status(
            250, {'upper_critical': 190}))

    def test_readable_mask(self):
        self.assertEqual(0b111111, ipmi_records.readable_mask(
            self.THRESHOLDS))
        self.assertEqual(0b010010, ipmi_records.readable_mask(
            ['lower_critical', 'upper_critical']))

    def test_pyghmi_health_from_the_bits(self):
        factors = ipmi_records.LinearFactors(m=5, b=0, b_exp=0, r_exp=-1)
        entry = _sdr_entry(ipmi_records.full_sensor_record(
            1, 1, 'CPU1 Temp', 'temperature', factors, self.THRESHOLDS))
        bits = ipmi_records.threshold_status(192, self.THRESHOLDS)
        reading = entry.decode_sensor_reading(None, [192, 0xC0, 0xC0 | bits])
        self.assertEqual(96.0, reading.value)
        self.assertEqual(['upper non-critical threshold',
                          'upper critical threshold'], reading.states)
        self.assertEqual(1 | 2, reading.health)  # Warning | Critical


class TestFullSensorRecord(testtools.TestCase):

    def test_layout_byte_by_byte(self):
        factors = ipmi_records.LinearFactors(m=5, b=0, b_exp=0, r_exp=-1)
        record = ipmi_records.full_sensor_record(
            3, 7, 'CPU1 Temp', 'temperature', factors,
            {'lower_non_critical': 20, 'upper_non_critical': 170,
             'upper_critical': 190, 'upper_non_recoverable': 200},
            entity=0x03, entity_instance=1, nominal_raw=90)
        expected = bytes.fromhex(
            '0300 51 01 34'        # record 3, SDR 51h, full, 52 bytes follow
            '20 00 07 03 01'       # owner, LUN, number 7, processor #1
            '7f 47 01 01'          # init, capabilities, temperature, thresh.
            '0010 0070'            # lower LNC / upper UNC UC UNR comparable
            '39 00'                # readable LNC UNC UC UNR; none settable
            '00 01 00 00'          # unsigned, degrees C, linear
            '05 00 00 00 00 f0'    # M=5, B=0, R exp -1, B exp 0
            '07 5a aa 14 ff 00'    # nominal 90, normal max/min, range
            'c8 be aa 00 00 14'    # UNR UC UNC LNR LC LNC
            '00 00 00 00 00'       # hysteresis, reserved, OEM
            'c9') + b'CPU1 Temp'   # 8-bit ID string, 9 bytes
        self.assertEqual(expected, record)
        self.assertEqual(48 + 9, len(record))

    def test_pyghmi_parses_it(self):
        factors = ipmi_records.linear_factors(0, 20000)
        entry = _sdr_entry(ipmi_records.full_sensor_record(
            12, 9, 'Fan4', 'fan', factors, {'lower_critical': 6}))
        self.assertEqual('Fan4', entry.name)
        self.assertEqual('Fan', entry.sensor_type)
        self.assertEqual('RPM', entry.unit_suffix)
        self.assertEqual(9, entry.sensor_number)
        self.assertTrue(entry.has_thresholds)
        self.assertEqual(0, entry.linearization)

    def test_power_in_watts_is_type_power(self):
        entry = _sdr_entry(ipmi_records.full_sensor_record(
            1, 1, 'PSU1 Input Power', 'power',
            ipmi_records.linear_factors(0, 1125), {}))
        self.assertEqual('Power', entry.sensor_type)
        self.assertEqual('W', entry.unit_suffix)

    def test_negative_m_and_b_are_10_bit_twos_complement(self):
        factors = ipmi_records.LinearFactors(m=-3, b=-400, b_exp=1, r_exp=-2)
        record = ipmi_records.full_sensor_record(1, 1, 'X', 'voltage',
                                                 factors, {})
        self.assertEqual((0xFD, 0xC0, 0x70, 0x80, 0xE1),
                         (record[24], record[25], record[26], record[27],
                          record[29]))

    def test_names_longer_than_16_refused(self):
        self.assertRaises(ValueError, ipmi_records.full_sensor_record, 1, 1,
                          'A' * 17, 'fan', ipmi_records.linear_factors(0, 1),
                          {})


class TestFruLocatorRecord(testtools.TestCase):

    def test_layout_byte_by_byte(self):
        record = ipmi_records.fru_locator_record(13, 1, 'PSU1', entity=0x0A,
                                                 entity_instance=1)
        self.assertEqual(bytes.fromhex(
            '0d00 51 11 0f'    # record 13, FRU locator, 15 bytes follow
            '20 01 80 00 00'   # at the BMC, FRU 1, logical, channel 0
            '10 00'            # FRU inventory device behind the MC, IPMI
            '0a 01 00'         # power supply #1, OEM
            'c4') + b'PSU1', record)

    def test_pyghmi_reads_it_as_an_ipmi_fru(self):
        entry = _sdr_entry(ipmi_records.fru_locator_record(2, 2, 'PSU2'))
        self.assertEqual('PSU2', entry.name)
        self.assertEqual(2, entry.fru_number)
        self.assertEqual(0x1000, entry.fru_type_and_modifier)


class TestFruImage(testtools.TestCase):

    def test_product_area_byte_by_byte(self):
        image = ipmi_records.fru_image(product={'manufacturer': 'ACME',
                                                'product_name': 'X1'})
        self.assertEqual(bytes.fromhex(
            '01 00 00 00 01 00 00 fe'   # header: product area at 8
            '01 03 00'                  # version, 3 x 8 bytes, English
            'c4 41434d45 c2 5831'       # ACME, X1
            'c0 c0 c0 c0 c0'            # model .. FRU file ID empty
            'c1 000000000000 56'),      # end, pad, checksum
            image)

    def test_every_area_sums_to_zero(self):
        image = ipmi_records.fru_image(
            chassis={'part_number': 'CH-1', 'serial_number': 'C1'},
            board={'manufacturer': 'ACME', 'serial_number': 'B1'},
            product={'manufacturer': 'ACME', 'serial_number': 'S1'})
        self.assertEqual(0, sum(image[:8]) % 256)
        for offset_byte in (2, 3, 4):
            start = image[offset_byte] * 8
            length = image[start + 1] * 8
            self.assertEqual(0, sum(image[start:start + length]) % 256)
            self.assertEqual(0, length % 8)

    def test_pyghmi_reads_the_fields(self):
        made = datetime.datetime(2023, 5, 17, 8, 30,
                                 tzinfo=datetime.timezone.utc)
        image = ipmi_records.fru_image(
            chassis={'part_number': 'CH-0001', 'serial_number': 'C123'},
            board={'manufactured': made, 'manufacturer': 'Board Co',
                   'product_name': 'MB-2S', 'serial_number': 'B123',
                   'part_number': 'MB-0001'},
            product={'manufacturer': 'ACME', 'product_name': 'Server',
                     'model': 'S-1U', 'version': '1.0',
                     'serial_number': 'S123', 'asset_tag': 'worker-0'})
        info = pyghmi_fru.FRU(rawdata=image).info
        self.assertEqual('Rack Mount Chassis', info['Chassis type'])
        self.assertEqual('CH-0001', info['Chassis part number'])
        self.assertEqual('C123', info['Chassis serial number'])
        self.assertEqual('2023-05-17T08:30', info['Board manufacture date'])
        self.assertEqual('Board Co', info['Board manufacturer'])
        self.assertEqual('MB-2S', info['Board product name'])
        self.assertEqual('B123', info['Board serial number'])
        self.assertEqual('MB-0001', info['Board model'])
        self.assertEqual('ACME', info['Manufacturer'])
        self.assertEqual('Server', info['Product name'])
        self.assertEqual('S-1U', info['Model'])
        self.assertEqual('1.0', info['Hardware Version'])
        self.assertEqual('S123', info['Serial Number'])
        self.assertEqual('worker-0', info['Asset Number'])

    def test_fields_longer_than_63_refused(self):
        error = self.assertRaises(ValueError, ipmi_records.fru_image,
                                  product={'model': 'M' * 64})
        self.assertIn('model', str(error))


class TestSdrTimestamp(testtools.TestCase):

    def test_same_records_same_timestamp_other_records_another(self):
        one = [ipmi_records.fru_locator_record(1, 1, 'PSU1')]
        two = [ipmi_records.fru_locator_record(1, 1, 'PSU2')]
        self.assertEqual(ipmi_records.sdr_timestamp(one),
                         ipmi_records.sdr_timestamp(list(one)))
        self.assertNotEqual(ipmi_records.sdr_timestamp(one),
                            ipmi_records.sdr_timestamp(two))
        # A plausible date: 2000-01-01 to 2008-07.
        for records in (one, two):
            self.assertTrue(946684800 <= ipmi_records.sdr_timestamp(records)
                            < 946684800 + 2 ** 28)
