"""The control endpoint and power hooks of stx-bmc-sim (stx.sim.control).

Requests go through ``dispatch`` (the endpoint minus HTTP) on a rack that
is not started, plus one round trip through the real HTTP server on
loopback; power hooks run as real child processes.
"""

import json
import os
import time
import urllib.error
import urllib.request

import fixtures
import testtools

from stx.sim import config
from stx.sim import control


class RecordingHooks:

    def __init__(self):
        self.submitted = []

    def submit(self, bmc_name, command, environment):
        self.submitted.append((bmc_name, command, environment))


def make_rack():
    rack = control.Rack(config.parse({'bmcs': [
        {'name': 'worker-0', 'port': 16230, 'power_hook': 'hook.sh'},
        {'name': 'worker-1', 'port': 16231, 'power': 'off'}]}))
    hooks = RecordingHooks()
    for bmc in rack.bmcs.values():
        bmc.hooks = hooks
    return rack, hooks


class TestDispatch(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.rack, self.hooks = make_rack()
        self.bmc = self.rack.bmcs['worker-0']

    def request(self, method, path, body=None, status=200):
        got, result = control.dispatch(self.rack, method, path,
                                       {} if body is None else body)
        self.assertEqual(status, got, result)
        return result

    def error(self, method, path, body=None):
        """(HTTP status, error code, message) of a refused request."""
        error = self.assertRaises(control.HTTPError, control.dispatch,
                                  self.rack, method, path,
                                  {} if body is None else body)
        return error.status, error.code, str(error)

    def test_list_and_show(self):
        bmcs = self.request('GET', '/bmcs')['bmcs']
        self.assertEqual([('worker-0', 16230, 'on'),
                          ('worker-1', 16231, 'off')],
                         [(b['name'], b['port'], b['power']) for b in bmcs])
        shown = self.request('GET', '/bmcs/worker-1')
        self.assertEqual(bmcs[1], shown)
        self.assertEqual(('admin', 'default', False, True),
                         (shown['username'], shown['boot_device'],
                          shown['boot_persistent'], shown['answering']))
        cpu = shown['sensors'][0]
        self.assertEqual(('CPU1 Temp', 'C', None, 'unavailable'),
                         (cpu['name'], cpu['units'], cpu['reading'],
                          cpu['status']))
        inlet = self.request('GET', '/bmcs/worker-0/sensors/Inlet%20Temp')
        self.assertEqual((24.0, 'ok', 'temperature'), (
            inlet['reading'], inlet['status'], inlet['type']))

    def test_not_found(self):
        self.assertEqual((404, control.ERROR_BMC_NOT_FOUND,
                          "no BMC named 'worker-9'"),
                         self.error('GET', '/bmcs/worker-9'))
        self.assertEqual((404, control.ERROR_SENSOR_NOT_FOUND,
                          "BMC worker-0 has no sensor 'Fan9'"),
                         self.error('GET', '/bmcs/worker-0/sensors/Fan9'))
        self.assertEqual(control.ERROR_BMC_NOT_FOUND,
                         self.error('PUT', '/bmcs/worker-9/sensors/Fan1',
                                    {'reading': 1})[1])
        self.assertEqual((404, control.ERROR_NO_ROUTE),
                         self.error('GET', '/hosts')[:2])
        self.assertEqual((405, control.ERROR_METHOD),
                         self.error('DELETE', '/bmcs/worker-0')[:2])

    def test_power_through_the_endpoint_runs_the_hook(self):
        shown = self.request('POST', '/bmcs/worker-0', {'power': 'off'})
        self.assertEqual('off', shown['power'])
        self.assertEqual('off', self.hooks.submitted[0][2]['STX_BMC_POWER'])

    def test_answering_and_credentials(self):
        authdata = self.bmc.authdata
        shown = self.request('POST', '/bmcs/worker-0', {
            'answering': False, 'password': 'new', 'username': 'root'})
        self.assertFalse(shown['answering'])
        self.assertFalse(self.bmc.answering)
        self.assertEqual('root', shown['username'])
        # Changed in place: sessions share this dict.
        self.assertIs(authdata, self.bmc.authdata)
        self.assertEqual({'root': 'new'}, authdata)

    def test_boot_device(self):
        shown = self.request('POST', '/bmcs/worker-0', {
            'boot_device': 'network', 'boot_persistent': True})
        self.assertEqual(('network', True), (shown['boot_device'],
                                             shown['boot_persistent']))

    def test_a_bad_request_changes_nothing(self):
        status, code, message = self.error('POST', '/bmcs/worker-0', {
            'answering': False, 'power': 'maybe'})
        self.assertEqual((400, control.ERROR_INVALID), (status, code))
        self.assertEqual("power: expected on or off, got 'maybe'", message)
        self.assertTrue(self.bmc.answering)
        self.assertEqual("body: unknown key 'colour' (known: answering, "
                         "boot_device, boot_persistent, password, power, "
                         "username)",
                         self.error('POST', '/bmcs/worker-0',
                                    {'colour': 1})[2])
        self.assertIn('body: no changes',
                      self.error('POST', '/bmcs/worker-0', {})[2])
        self.assertIn('body: expected a mapping',
                      self.error('POST', '/bmcs/worker-0', [1])[2])

    def test_injected_reading_and_back(self):
        timestamp = self.bmc.sdr_timestamp
        sensor = self.request('PUT', '/bmcs/worker-0/sensors/CPU1%20Temp',
                              {'reading': 96})
        self.assertEqual((96.0, 'critical', 96.0), (
            sensor['reading'], sensor['status'], sensor['injected']))
        sensor = self.request('POST', '/bmcs/worker-0/sensors/CPU1%20Temp',
                              {'reading': 101.2})
        # Quantised to the sensor's 0.5 C step, as a client decodes it.
        self.assertEqual((101.0, 'non-recoverable'), (sensor['reading'],
                                                      sensor['status']))
        sensor = self.request('PUT', '/bmcs/worker-0/sensors/CPU1%20Temp',
                              {'reading': None})
        self.assertEqual((45.0, 'ok', None), (
            sensor['reading'], sensor['status'], sensor['injected']))
        self.assertEqual(timestamp, self.bmc.sdr_timestamp)

    def test_broken_sensor(self):
        sensor = self.request('PUT', '/bmcs/worker-0/sensors/Fan2',
                              {'available': False})
        self.assertEqual((None, 'unavailable'), (sensor['reading'],
                                                 sensor['status']))

    def test_new_definition_new_sdr(self):
        timestamp = self.bmc.sdr_timestamp
        sensor = self.request('PUT', '/bmcs/worker-0/sensors/Fan1', {
            'thresholds': {'upper_non_critical': 8000}})
        self.assertEqual('non-critical', sensor['status'])
        self.assertEqual(8000, sensor['thresholds']['upper_non_critical'])
        self.assertNotEqual(timestamp, self.bmc.sdr_timestamp)

    def test_add_and_delete_a_sensor(self):
        timestamp = self.bmc.sdr_timestamp
        sensor = self.request('PUT', '/bmcs/worker-0/sensors/Pump', {
            'type': 'fan', 'reading': 2500,
            'thresholds': {'lower_critical': 500}}, status=201)
        self.assertEqual((2500.0, 'ok', 13), (sensor['reading'],
                                              sensor['status'],
                                              sensor['number']))
        added = self.bmc.sdr_timestamp
        self.assertNotEqual(timestamp, added)
        self.assertIsNone(self.request('DELETE',
                                       '/bmcs/worker-0/sensors/Pump',
                                       status=204))
        self.assertNotIn('Pump', self.bmc.sensors)
        self.assertEqual(timestamp, self.bmc.sdr_timestamp)

    def test_bad_sensor_requests(self):
        for body, expected in (
                ({'reading': 'hot'}, "reading: expected a number, got "
                 "'hot'"),
                ({'name': 'CPU9'}, "body.name: cannot rename 'CPU1 Temp'"),
                ({'thresholds': {'upper_critical': 1}},
                 'body.thresholds: upper_non_critical (85.0) must be below '
                 'upper_critical (1.0)'),
                ({'colour': 'red'}, "body: unknown key 'colour'"),
                ({}, 'body: no changes')):
            self.assertIn(expected, self.error(
                'PUT', '/bmcs/worker-0/sensors/CPU1%20Temp', body)[2])
        self.assertIn('body.type: expected one of', self.error(
            'PUT', '/bmcs/worker-0/sensors/New', {'reading': 1})[2])


class TestHTTP(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.rack, _ = make_rack()
        server = control.ControlServer(self.rack)
        server.start()
        self.addCleanup(server.stop)
        self.url = 'http://127.0.0.1:%d' % server.port

    def call(self, method, path, data=None):
        request = urllib.request.Request(self.url + path, data=data,
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or 'null')
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def test_round_trip(self):
        status, body = self.call('GET', '/bmcs')
        self.assertEqual((200, 2), (status, len(body['bmcs'])))
        status, body = self.call('POST', '/bmcs/worker-0',
                                 json.dumps({'power': 'off'}).encode())
        self.assertEqual((200, 'off'), (status, body['power']))
        self.assertEqual((204, None), self.call(
            'DELETE', '/bmcs/worker-0/sensors/Fan1'))

    def test_errors_are_json(self):
        status, body = self.call('POST', '/bmcs/worker-0', b'{not json')
        self.assertEqual(400, status)
        self.assertEqual(control.ERROR_INVALID, body['error']['code'])
        self.assertIn('body is not JSON', body['error']['message'])
        status, body = self.call('GET', '/bmcs/nobody')
        self.assertEqual((404, control.ERROR_BMC_NOT_FOUND),
                         (status, body['error']['code']))


class TestPowerHooks(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tempdir = self.useFixture(fixtures.TempDir()).path
        self.hooks = control.PowerHooks()
        self.hooks.start()
        self.addCleanup(self.hooks.stop)

    def wait_for_lines(self, path, count, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(path):
                with open(path) as stream:
                    lines = stream.read().splitlines()
                if len(lines) >= count:
                    return lines
            time.sleep(0.02)
        self.fail('%s did not get %d lines' % (path, count))

    def test_hooks_of_a_bmc_run_in_order_with_its_variables(self):
        log = os.path.join(self.tempdir, 'hooks.log')
        # The first hook is slow: the second must wait for it.
        command = ('[ "$STX_BMC_POWER" = off ] && sleep 0.3; '
                   'echo "$STX_BMC_NAME $STX_BMC_PORT $STX_BMC_POWER" >> '
                   + log)
        for power in ('off', 'on', 'reset'):
            self.hooks.submit('worker-0', command, {
                'STX_BMC_NAME': 'worker-0', 'STX_BMC_PORT': '16230',
                'STX_BMC_POWER': power})
        self.assertEqual(['worker-0 16230 off', 'worker-0 16230 on',
                          'worker-0 16230 reset'],
                         self.wait_for_lines(log, 3))

    def test_a_failing_hook_does_not_stop_the_next(self):
        log = os.path.join(self.tempdir, 'hooks.log')
        self.hooks.submit('worker-0', 'exit 3', {})
        self.hooks.submit('worker-0', 'echo done >> ' + log, {})
        self.assertEqual(['done'], self.wait_for_lines(log, 1))
