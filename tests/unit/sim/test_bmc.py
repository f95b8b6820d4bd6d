"""What a simulated BMC answers (stx.sim.bmc), without sockets.

Requests go straight to ``handle_raw_request`` with a session that records
the answer; login and the wire are covered by the functional tests.
"""

import struct

from pyghmi.ipmi import fru as pyghmi_fru
from pyghmi.ipmi.oem import generic as pyghmi_generic
from pyghmi.ipmi import sdr as pyghmi_sdr
import testtools

from stx.sim import bmc as sim_bmc
from stx.sim import config


class RecordingSession:

    def __init__(self):
        self.answers = []

    def send_ipmi_response(self, data=(), code=0):
        self.answers.append((code, bytes(data)))


class RecordingHooks:

    def __init__(self):
        self.submitted = []

    def submit(self, bmc_name, command, environment):
        self.submitted.append((bmc_name, command, environment))


def make_bmc(**entry):
    entry.setdefault('name', 'worker-0')
    entry.setdefault('port', 16230)
    bmc_config, = config.parse({'bmcs': [entry]})
    hooks = RecordingHooks()
    return sim_bmc.SimulatedBMC(bmc_config, hooks), hooks


class BMCTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.bmc, self.hooks = make_bmc(power_hook='hook.sh')

    def call(self, netfn, command, data=b'', bmc=None):
        """(completion code, response data) of one request."""
        session = RecordingSession()
        (bmc or self.bmc).handle_raw_request(
            {'netfn': netfn, 'command': command, 'data': bytearray(data)},
            session)
        self.assertEqual(1, len(session.answers))
        return session.answers[0]

    def ok(self, netfn, command, data=b'', bmc=None):
        code, response = self.call(netfn, command, data, bmc)
        self.assertEqual(0, code)
        return response


class TestIdentity(BMCTestCase):

    def test_device_id(self):
        data = self.ok(0x06, 0x01)
        self.assertEqual(15, len(data))
        self.assertEqual((0x20, 2, 0x10, 0x02), (data[0], data[2], data[3],
                                                 data[4]))
        self.assertFalse(data[1] & 0x80)  # no device SDRs: use the repo
        self.assertEqual(0b10, data[5] & 0b10)  # SDR repository
        self.assertEqual(32473, data[6] | data[7] << 8 | data[8] << 16)
        self.assertEqual(1, data[9] | data[10] << 8)

    def test_guid_is_the_configured_uuid(self):
        self.assertEqual(self.bmc.config.uuid.bytes_le, self.ok(0x06, 0x37))

    def test_unknown_command(self):
        self.assertEqual((0xC1, b''), self.call(0x2E, 0x01))


class TestPower(BMCTestCase):

    def chassis_power(self):
        return self.ok(0x00, 0x01)[0] & 1

    def test_off_on_with_hooks(self):
        self.assertEqual(1, self.chassis_power())
        self.ok(0x00, 0x02, b'\x00')
        self.assertEqual(0, self.chassis_power())
        self.ok(0x00, 0x02, b'\x01')
        self.assertEqual(1, self.chassis_power())
        self.assertEqual(
            [('worker-0', 'hook.sh', {'STX_BMC_NAME': 'worker-0',
                                      'STX_BMC_PORT': '16230',
                                      'STX_BMC_POWER': 'off'}),
             ('worker-0', 'hook.sh', {'STX_BMC_NAME': 'worker-0',
                                      'STX_BMC_PORT': '16230',
                                      'STX_BMC_POWER': 'on'})],
            self.hooks.submitted)

    def test_no_hook_when_the_state_does_not_change(self):
        self.ok(0x00, 0x02, b'\x01')
        self.assertEqual([], self.hooks.submitted)

    def test_reset_and_cycle_keep_it_on(self):
        self.ok(0x00, 0x02, b'\x03')
        self.ok(0x00, 0x02, b'\x02')
        self.assertEqual(1, self.chassis_power())
        self.assertEqual(['reset', 'cycle'], [
            env['STX_BMC_POWER'] for _, _, env in self.hooks.submitted])

    def test_soft_off_runs_the_off_hook(self):
        self.ok(0x00, 0x02, b'\x05')
        self.assertEqual(0, self.chassis_power())
        self.assertEqual('off', self.hooks.submitted[0][2]['STX_BMC_POWER'])

    def test_reset_and_cycle_refused_while_off(self):
        bmc, hooks = make_bmc(power='off', power_hook='hook.sh')
        for directive in (b'\x02', b'\x03'):
            self.assertEqual((0xD5, b''), self.call(0x00, 0x02, directive,
                                                    bmc=bmc))
        self.assertEqual('off', bmc.get_power_state())
        self.assertEqual([], hooks.submitted)

    def test_without_a_hook_nothing_is_submitted(self):
        bmc, hooks = make_bmc()
        self.ok(0x00, 0x02, b'\x00', bmc=bmc)
        self.assertEqual([], hooks.submitted)


class TestBootDevice(BMCTestCase):

    def boot_flags(self):
        data = self.ok(0x00, 0x09, b'\x05\x00\x00')
        self.assertEqual((1, 5), (data[0], data[1]))
        return data[2], data[3]

    def test_none_set(self):
        self.assertEqual((0x00, 0x00), self.boot_flags())

    def test_persistent_network_survives_a_boot(self):
        # As pyghmi's set_bootdev('network', persist=True) sends it.
        self.ok(0x00, 0x08, b'\x03\x08')
        self.ok(0x00, 0x08, bytes([5, 0xC0, 0x04, 0, 0, 0]))
        self.assertEqual((0xC0, 0x04), self.boot_flags())
        self.ok(0x00, 0x02, b'\x03')
        self.assertEqual((0xC0, 0x04), self.boot_flags())

    def test_one_time_device_is_used_by_the_next_boot(self):
        self.ok(0x00, 0x08, bytes([5, 0x80, 0x14, 0, 0, 0]))  # optical
        self.assertEqual((0x80, 0x14), self.boot_flags())
        self.assertEqual(('optical', False), (self.bmc.boot_device,
                                              self.bmc.boot_persistent))
        self.ok(0x00, 0x02, b'\x02')  # cycle
        self.assertEqual((0x00, 0x00), self.boot_flags())

    def test_flags_not_valid_clear_the_device(self):
        self.ok(0x00, 0x08, bytes([5, 0xC0, 0x08, 0, 0, 0]))
        self.ok(0x00, 0x08, bytes([5, 0x00, 0x00, 0, 0, 0]))
        self.assertEqual('default', self.bmc.boot_device)

    def test_bad_requests(self):
        self.assertEqual(0xCC, self.call(0x00, 0x08,
                                         bytes([5, 0x80, 0x1C]))[0])
        self.assertEqual(0x80, self.call(0x00, 0x08, b'\x07\x00')[0])
        self.assertEqual(0x80, self.call(0x00, 0x09, b'\x04\x00\x00')[0])
        self.assertEqual(0xC7, self.call(0x00, 0x08, b'\x05\x80')[0])


class TestSDR(BMCTestCase):

    def get_sdr(self, record_id, offset=0, count=0xFF, reservation=0,
                bmc=None):
        return self.call(0x0A, 0x23, struct.pack(
            '<HHBB', reservation, record_id, offset, count), bmc=bmc)

    def read_all(self):
        records, record_id = [], 0
        while record_id != 0xFFFF:
            code, data = self.get_sdr(record_id)
            self.assertEqual(0, code)
            record_id = data[0] | data[1] << 8
            records.append(data[2:])
        return records

    def test_repository_info(self):
        data = self.ok(0x0A, 0x20)
        self.assertEqual(14, len(data))
        self.assertEqual(0x51, data[0])
        self.assertEqual(14, data[1] | data[2] << 8)  # 12 sensors, 2 FRUs
        self.assertEqual(self.bmc.sdr_timestamp,
                         struct.unpack('<I', data[5:9])[0])
        self.assertEqual(0b10, data[13] & 0b10)  # reserve supported

    def test_records_chain_from_zero_to_ffff(self):
        records = self.read_all()
        self.assertEqual(self.bmc.sdr, records)
        entries = [pyghmi_sdr.SDREntry(bytearray(r),
                                       pyghmi_generic.event_const)
                   for r in records]
        self.assertEqual(['CPU1 Temp', 'CPU2 Temp', 'Inlet Temp', 'Fan1',
                          'Fan2', 'Fan3', 'Fan4', '12V', '5V', '3.3V',
                          'PSU1 Input Power', 'PSU2 Input Power', 'PSU1',
                          'PSU2'], [e.name for e in entries])
        self.assertEqual(list(range(1, 13)),
                         [e.sensor_number for e in entries[:12]])

    def test_partial_reads_need_the_reservation(self):
        reservation = struct.unpack('<H', self.ok(0x0A, 0x22))[0]
        record = self.bmc.sdr[3]
        code, data = self.get_sdr(4, 0, 5, reservation)
        self.assertEqual((0, record[:5]), (code, data[2:]))
        self.assertEqual(5, data[0])  # next record ID
        self.assertEqual(record[5:20], self.get_sdr(4, 5, 15,
                                                    reservation)[1][2:])
        self.assertEqual((0xC5, b''), self.get_sdr(4, 5, 15,
                                                   reservation + 1))

    def test_never_past_the_end_of_a_record(self):
        reservation = struct.unpack('<H', self.ok(0x0A, 0x22))[0]
        record = self.bmc.sdr[0]
        data = self.get_sdr(1, 40, 100, reservation)[1]
        self.assertEqual(record[40:], data[2:])
        self.assertEqual(0xC9, self.get_sdr(1, len(record) + 1, 5,
                                            reservation)[0])

    def test_read_limit_forces_partial_reads(self):
        bmc, _ = make_bmc(sdr_read_limit=16)
        self.assertEqual(0xCA, self.get_sdr(0, bmc=bmc)[0])
        self.assertEqual(0, self.get_sdr(0, count=5, bmc=bmc)[0])

    def test_missing_record_and_short_request(self):
        self.assertEqual(0xCB, self.get_sdr(99)[0])
        self.assertEqual(0xC7, self.call(0x0A, 0x23, b'\x00\x00')[0])

    def test_a_new_sensor_set_gets_a_new_timestamp(self):
        twin, _ = make_bmc(name='worker-1', port=16231)
        self.assertEqual(self.bmc.sdr_timestamp, twin.sdr_timestamp)
        reservation = self.bmc.reservation
        before = self.bmc.sdr_timestamp
        self.bmc.remove_sensor('Fan4')
        self.assertNotEqual(before, self.bmc.sdr_timestamp)
        self.assertNotEqual(reservation, self.bmc.reservation)
        self.assertEqual(13, len(self.read_all()))
        self.bmc.define_sensor(config.parse_sensor(
            'Fan4', {'type': 'fan', 'reading': 8600,
                     'thresholds': {'lower_critical': 600}}, 'body'))
        self.assertEqual(7, self.bmc.sensors['Fan4'].number)  # reused
        self.assertNotIn(self.bmc.sdr_timestamp, (before,
                                                  twin.sdr_timestamp))


class TestSensors(BMCTestCase):

    def reading(self, name, bmc=None):
        bmc = bmc or self.bmc
        return self.ok(0x04, 0x2D, bytes([bmc.sensors[name].number]),
                       bmc=bmc)

    def test_configured_reading_is_ok(self):
        sensor = self.bmc.sensors['CPU1 Temp']
        data = self.reading('CPU1 Temp')
        self.assertEqual(45.0, sensor.factors.to_value(data[0]))
        self.assertEqual((0xC0, 0xC0), (data[1], data[2]))

    def test_injected_reading_sets_the_status_bits(self):
        sensor = self.bmc.sensors['CPU1 Temp']
        sensor.injected = 96.0
        data = self.reading('CPU1 Temp')
        self.assertEqual(192, data[0])
        self.assertEqual(0b011000, data[2] & 0x3F)  # UNC and UC
        self.assertEqual((96.0, 'critical'), sensor.decoded(True))
        sensor.injected = 4.0
        self.assertEqual(0b000011, self.reading('CPU1 Temp')[2] & 0x3F)

    def test_off_host_main_power_sensors_are_unavailable(self):
        self.bmc.set_power('off', 'test')
        for name in ('CPU1 Temp', 'Fan1', '12V'):
            data = self.reading(name)
            self.assertTrue(data[1] & 0x20)       # reading unavailable
            self.assertFalse(data[1] & 0x40)      # scanning disabled
            self.assertEqual((None, 'unavailable'),
                             self.bmc.sensors[name].decoded(False))

    def test_off_host_standby_sensors_read(self):
        self.bmc.set_power('off', 'test')
        power = self.bmc.sensors['PSU1 Input Power']
        self.assertEqual(10.0, power.factors.to_value(
            self.reading('PSU1 Input Power')[0]))
        inlet = self.bmc.sensors['Inlet Temp']
        self.assertEqual(24.0, inlet.factors.to_value(
            self.reading('Inlet Temp')[0]))

    def test_broken_sensor_is_unavailable(self):
        self.bmc.sensors['Fan2'].available = False
        self.assertTrue(self.reading('Fan2')[1] & 0x20)

    def test_thresholds(self):
        data = self.ok(0x04, 0x27, b'\x01')
        self.assertEqual(bytes([0x3F, 20, 10, 0, 170, 190, 200]), data)
        data = self.ok(0x04, 0x27, bytes([self.bmc.sensors[
            'PSU1 Input Power'].number]))
        self.assertEqual(bytes([0x38, 0, 0, 0, 140, 160, 180]), data)

    def test_unknown_sensor(self):
        self.assertEqual((0xCB, b''), self.call(0x04, 0x2D, b'\xee'))
        self.assertEqual((0xCB, b''), self.call(0x04, 0x27, b'\xee'))
        self.assertEqual((0xC7, b''), self.call(0x04, 0x2D, b''))


class TestFRU(BMCTestCase):

    def read(self, fru_id, chunk=224):
        size = struct.unpack('<H', self.ok(0x0A, 0x10,
                                           bytes([fru_id]))[:2])[0]
        image, offset = b'', 0
        while offset < size:
            data = self.ok(0x0A, 0x11, bytes([fru_id, offset & 0xFF,
                                              offset >> 8, chunk]))
            self.assertEqual(data[0], len(data) - 1)
            image += data[1:]
            offset += data[0]
        return image

    def test_images_read_in_chunks(self):
        for fru_id in (0, 1, 2):
            self.assertEqual(self.bmc.fru[fru_id], self.read(fru_id, 7))

    def test_system_fru_fields(self):
        bmc, _ = make_bmc(fru={'serial_number': 'SN-42',
                               'manufacturer': 'ACME'})
        info = pyghmi_fru.FRU(rawdata=bmc.fru[0]).info
        self.assertEqual('SN-42', info['Serial Number'])
        self.assertEqual('ACME', info['Manufacturer'])
        self.assertEqual('worker-0', info['Asset Number'])

    def test_missing_fru_and_offset(self):
        self.assertEqual(0xCB, self.call(0x0A, 0x10, b'\x09')[0])
        self.assertEqual(0xCB, self.call(0x0A, 0x11, b'\x09\x00\x00\x10')[0])
        self.assertEqual(0xC9, self.call(0x0A, 0x11,
                                         b'\x00\xff\x0f\x10')[0])
