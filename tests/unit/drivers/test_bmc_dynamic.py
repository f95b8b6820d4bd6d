"""Tests for DynamicBMC: the Redfish probe, the choice and its memory.

The probe is tested against a real HTTP server on 127.0.0.1. The choice is
tested with ``RecordingBMC`` drivers in place of the IPMI and Redfish ones
(the tests named ``*_recording_drivers``): which driver gets the call is
the behaviour under test, not what the driver does with it.
"""

import http.server
import json
import threading

from stx.common import exception
from stx.drivers.bmc import base
from stx.drivers.bmc import dynamic
from stx.drivers.bmc import fake
from tests.unit.drivers import test_bmc_common

BMC_INFO = {'address': '192.0.2.50', 'username': 'admin',
            'password': 'S3cret-dyn'}


class RecordingBMC(fake.FakeBMC):
    """A FakeBMC that records its calls and can be made to fail."""

    def __init__(self, name):
        self.name = name
        self.calls = []
        self.failures = []

    def get_power_state(self, bmc_info):
        self.calls.append('get_power_state')
        if self.failures:
            raise self.failures.pop(0)
        return super().get_power_state(bmc_info)

    def set_power_state(self, bmc_info, target, timeout=None):
        self.calls.append(('set_power_state', target, timeout))
        return super().set_power_state(bmc_info, target, timeout)


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class DynamicTestCase(test_bmc_common.BMCTestCase):

    def setUp(self):
        super().setUp()
        fake.FakeBMC.reset()
        self.addCleanup(fake.FakeBMC.reset)
        dynamic.DynamicBMC.forget()
        self.addCleanup(dynamic.DynamicBMC.forget)
        self.redfish_here = True
        self.probes = []
        self.clock = FakeClock()
        self.ipmi = RecordingBMC('ipmi')
        self.redfish = RecordingBMC('redfish')
        self.driver = dynamic.DynamicBMC(
            ipmi_driver=self.ipmi, redfish_driver=self.redfish,
            probe=self.probe, clock=self.clock)

    def probe(self, address):
        self.probes.append(address)
        return self.redfish_here


class TestChoiceWithRecordingDrivers(DynamicTestCase):

    def test_redfish_when_it_answers_recording_drivers(self):
        self.assertEqual(base.POWER_ON,
                         self.driver.get_power_state(BMC_INFO))
        self.assertEqual(['get_power_state'], self.redfish.calls)
        self.assertEqual([], self.ipmi.calls)
        self.assertEqual('redfish', self.driver.protocol(BMC_INFO))

    def test_ipmi_otherwise_recording_drivers(self):
        self.redfish_here = False
        self.driver.set_power_state(BMC_INFO, base.POWER_OFF, timeout=5)
        self.assertEqual([('set_power_state', 'off', 5)], self.ipmi.calls)
        self.assertEqual('ipmi', self.driver.protocol(BMC_INFO))

    def test_choice_remembered_recording_drivers(self):
        for _ in range(3):
            self.driver.get_power_state(BMC_INFO)
        dynamic.DynamicBMC(ipmi_driver=self.ipmi,
                           redfish_driver=self.redfish, probe=self.probe,
                           clock=self.clock).get_power_state(BMC_INFO)
        self.assertEqual(['192.0.2.50'], self.probes)

    def test_reprobed_after_the_interval_recording_drivers(self):
        self.conf.config(group='bmc', dynamic_reprobe_interval=60)
        self.driver.get_power_state(BMC_INFO)
        self.clock.now += 59
        self.driver.get_power_state(BMC_INFO)
        self.assertEqual(1, len(self.probes))
        self.redfish_here = False
        self.clock.now += 2
        self.driver.get_power_state(BMC_INFO)
        self.assertEqual(2, len(self.probes))
        self.assertEqual(['get_power_state'], self.ipmi.calls)

    def test_changed_bmc_fields_probe_afresh_recording_drivers(self):
        self.driver.get_power_state(BMC_INFO)
        self.driver.get_power_state(dict(BMC_INFO, password='new'))
        self.driver.get_power_state(dict(BMC_INFO, username='root'))
        self.assertEqual(3, len(self.probes))

    def test_forget_recording_drivers(self):
        other = dict(BMC_INFO, address='192.0.2.51')
        self.driver.get_power_state(BMC_INFO)
        self.driver.get_power_state(other)
        dynamic.DynamicBMC.forget('192.0.2.50')
        self.driver.get_power_state(BMC_INFO)
        self.driver.get_power_state(other)
        self.assertEqual(['192.0.2.50', '192.0.2.51', '192.0.2.50'],
                         self.probes)
        dynamic.DynamicBMC.forget()
        self.driver.get_power_state(other)
        self.assertEqual(4, len(self.probes))

    def test_failure_makes_the_next_call_probe_recording_drivers(self):
        self.driver.get_power_state(BMC_INFO)
        self.redfish.failures = [exception.BMCTimeout(
            address='192.0.2.50', reason='no answer')]
        self.assertRaises(exception.BMCTimeout, self.driver.get_power_state,
                          BMC_INFO)
        self.redfish_here = False
        self.assertEqual(base.POWER_ON,
                         self.driver.get_power_state(BMC_INFO))
        self.assertEqual(2, len(self.probes))
        self.assertEqual(['get_power_state'], self.ipmi.calls)

    def test_refused_credentials_keep_the_choice_recording_drivers(self):
        self.driver.get_power_state(BMC_INFO)
        self.redfish.failures = [exception.BMCAccessDenied(
            address='192.0.2.50', reason='401')]
        self.assertRaises(exception.BMCAccessDenied,
                          self.driver.get_power_state, BMC_INFO)
        self.driver.get_power_state(BMC_INFO)
        self.assertEqual(1, len(self.probes))

    def test_port_refused_before_anything_is_sent_recording_drivers(self):
        error = self.assertRaises(exception.InvalidParameterValue,
                                  self.driver.get_power_state,
                                  dict(BMC_INFO, port=623))
        self.assertEqual('port', error.field)
        self.assertEqual([], self.probes)
        self.driver.validate(dict(BMC_INFO, port=None))

    def test_invalid_arguments_refused_before_probing_recording_drivers(self):
        self.assertRaises(exception.InvalidParameterValue,
                          self.driver.set_power_state, BMC_INFO, 'explode')
        self.assertRaises(exception.InvalidParameterValue,
                          self.driver.set_boot_device, BMC_INFO, 'floppy')
        self.assertEqual([], self.probes)

    def test_default_sub_drivers(self):
        driver = dynamic.DynamicBMC()
        self.assertEqual({'ipmi': 'IPMIBMC', 'redfish': 'RedfishBMC'},
                         {name: type(sub).__name__
                          for name, sub in driver._drivers.items()})
        self.assertIn('port', driver.get_properties())


class _RootHandler(http.server.BaseHTTPRequestHandler):
    body = b'{}'
    status = 200

    def do_GET(self):
        self.server.paths.append(self.path)
        self.send_response(self.status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


class TestProbe(test_bmc_common.BMCTestCase):

    def serve(self, body, status=200):
        handler = type('Handler', (_RootHandler,),
                       {'body': body, 'status': status})
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        server.paths = []
        thread = threading.Thread(target=server.serve_forever, args=(0.01,),
                                  daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        self.conf.config(group='bmc', redfish_scheme='http',
                         redfish_port=server.server_address[1])
        return server

    def test_redfish_version(self):
        for answer, version in (({'RedfishVersion': '1.5.0'}, (1, 5, 0)),
                                ({'RedfishVersion': '0.9'}, (0, 9)),
                                ({'RedfishVersion': 'one'}, None),
                                ({'RedfishVersion': 1}, None),
                                ({}, None), ([], None)):
            self.assertEqual(version, dynamic.redfish_version(answer))

    def test_service_root_with_version_1_or_later(self):
        server = self.serve(json.dumps({'RedfishVersion': '1.0.0'})
                            .encode())
        self.assertTrue(dynamic.probe_redfish('127.0.0.1'))
        self.assertEqual(['/redfish/v1/'], server.paths)

    def test_old_version_not_json_or_error_is_not_redfish(self):
        for body, status in ((b'{"RedfishVersion": "0.96.0"}', 200),
                             (b'<html>login</html>', 200),
                             (b'{"RedfishVersion": "1.6.0"}', 404)):
            self.serve(body, status)
            self.assertFalse(dynamic.probe_redfish('127.0.0.1'), body)

    def test_nothing_listening_is_not_redfish(self):
        server = self.serve(b'{}')
        port = server.server_address[1]
        server.shutdown()
        server.server_close()
        self.conf.config(group='bmc', redfish_port=port)
        self.assertFalse(dynamic.probe_redfish('127.0.0.1', timeout=0.5))
