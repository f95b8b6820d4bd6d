"""The ``stx`` CLI, run through ``main(argv)`` against a real sysinv API."""

import contextlib
import http.server
import io
import json
import os
import socket
import threading

import fixtures
from keystoneauth1 import session as ks_session
from oslotest import base
import requests

from stx.cli import shell
from stx.clients import http as stx_http
from stx.sysinv.db import api as dbapi
from tests.unit import fixtures as stx_fixtures

# Every environment variable the CLI reads; tests start without them.
CLI_ENVIRONMENT = ('STX_URL', 'STX_SYSINV_URL', 'STX_FM_URL', 'STX_SM_URL',
                   'STX_UPDATE_URL', 'OS_AUTH_URL', 'OS_AUTH_TYPE',
                   'OS_AUTH_PLUGIN', 'OS_USERNAME', 'OS_PASSWORD',
                   'OS_PROJECT_NAME', 'OS_REGION_NAME', 'OS_INTERFACE',
                   'OS_CLOUD', 'OS_TOKEN')

HOST_SHOW_FIELDS = (
    'id uuid personality hostname invprovision administrative operational '
    'availability task action mgmt_mac serialid capabilities bm_type '
    'bm_username bm_ip config_applied config_target config_status location '
    'uptime reserved created_at updated_at boot_device rootfs_device '
    'hw_settle install_output console tboot vim_progress_status '
    'install_state install_state_info inv_state clock_synchronization '
    'device_image_update reboot_needed max_cpu_mhz_configured '
    'min_cpu_mhz_allowed max_cpu_mhz_allowed cstates_available apparmor '
    'iscsi_initiator_name nvme_host_id nvme_host_nqn sw_version').split()

BULK_XML = """<?xml version="1.0" encoding="UTF-8"?>
<hosts>
  <host>
    <hostname>worker-1</hostname>
    <personality>worker</personality>
    <mgmt_mac>52:54:00:00:00:11</mgmt_mac>
  </host>
</hosts>
"""


def closed_port():
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class CliTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        for name in CLI_ENVIRONMENT:
            self.useFixture(fixtures.EnvironmentVariable(name))
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def stx(self, *argv):
        """Run ``stx argv``; return (exit status, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = shell.main(list(argv))
        return status, out.getvalue(), err.getvalue()

    def assertOneLineError(self, result, status=1):
        code, _out, err = result
        self.assertEqual(status, code)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertTrue(err.startswith('Error: '), err)
        self.assertNotIn('Traceback', err)
        return err.strip()


class TestCommands(CliTestCase):
    """Every command against a real API, on an AIO-style base URL."""

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(stx_fixtures.SysinvServer())
        self.useFixture(fixtures.EnvironmentVariable('STX_URL',
                                                     self.server.url))

    def json_of(self, *argv):
        status, out, err = self.stx(*(argv + ('-f', 'json')))
        self.assertEqual(0, status, err)
        return json.loads(out)

    def add_worker(self, name='worker-0', mac='52:54:00:12:34:56', *extra):
        return self.json_of('host-add', '-n', name, '-p', 'worker',
                            '-m', mac, *extra)

    def api_fault(self, path):
        """The faultstring the API itself gives for GET <path>."""
        response = requests.get(self.server.url + 'sysinv/v1/' + path)
        return json.loads(response.json()['error_message'])['faultstring']

    def test_system_show(self):
        status, out, _err = self.stx('system-show')
        self.assertEqual(0, status)
        self.assertIn('system_mode', out)
        system = self.json_of('system-show')
        self.assertEqual('duplex', system['system_mode'])
        self.assertEqual(sorted(system), list(system))

    def test_system_modify_sends_each_pair(self):
        system = self.json_of('system-modify', 'name=edge-1',
                              'description=lab rack 3')
        self.assertEqual('edge-1', system['name'])
        self.assertEqual('lab rack 3', system['description'])
        self.assertEqual('edge-1', self.json_of('system-show')['name'])

    def test_host_list_columns_sorted_by_id(self):
        self.add_worker()
        hosts = self.json_of('host-list')
        self.assertEqual(['controller-0', 'worker-0'],
                         [host['hostname'] for host in hosts])
        self.assertEqual([1, 2], [host['id'] for host in hosts])
        self.assertEqual(list(shell.hosts.LIST_COLUMNS), list(hosts[0]))
        status, out, _err = self.stx('host-list')
        self.assertEqual(0, status)
        self.assertIn('controller-0', out)
        self.assertIn('availability', out)

    def test_host_show_by_name_like_starlingx(self):
        host = self.json_of('host-show', 'controller-0')
        self.assertEqual(sorted(host), list(host))
        for field in HOST_SHOW_FIELDS:
            self.assertIn(field, host)
        self.assertEqual('controller-0', host['hostname'])
        self.assertEqual('unlocked', host['administrative'])
        self.assertEqual('enabled', host['operational'])
        status, out, _err = self.stx('host-show', 'controller-0')
        self.assertEqual(0, status)
        self.assertIn('| hostname ', out)

    def test_host_show_by_id_and_uuid(self):
        by_name = self.json_of('host-show', 'controller-0')
        self.assertEqual(by_name, self.json_of('host-show', '1'))
        self.assertEqual(by_name, self.json_of('host-show', by_name['uuid']))

    def test_host_show_has_a_last_maintenance_action_row(self):
        action = ('2026-11-22T04:10:11Z BMC reset of controller-0 (attempt '
                  '1 of 2): it did not answer 5 reboot requests')
        host = self.json_of('host-show', 'controller-0')
        self.assertIsNone(host['last_maintenance_action'])
        dbapi.host_update_state(self.server.context, host['id'],
                                {'last_maintenance_action': action})
        for ident in ('controller-0', '1'):
            with self.subTest(host=ident):
                self.assertEqual(action, self.json_of(
                    'host-show', ident)['last_maintenance_action'])
                status, out, _err = self.stx('host-show', ident)
                self.assertEqual(0, status)
                self.assertIn('| last_maintenance_action | %s |' % action,
                              out)
        self.assertEqual({'last_maintenance_action': action}, self.json_of(
            'host-show', 'controller-0', '-c', 'last_maintenance_action'))

    def test_host_list_has_no_last_maintenance_action(self):
        [host] = self.json_of('host-list')
        self.assertNotIn('last_maintenance_action', host)
        status, out, _err = self.stx('host-list')
        self.assertEqual(0, status)
        self.assertNotIn('last_maintenance_action', out)

    def test_host_add_short_options_and_location_text(self):
        host = self.add_worker('worker-0', '52:54:00:12:34:56',
                               '-l', 'rack 2')
        self.assertEqual('worker-0', host['hostname'])
        self.assertEqual('worker', host['personality'])
        self.assertEqual('52:54:00:12:34:56', host['mgmt_mac'])
        self.assertEqual('rack 2', host['location'])
        self.assertEqual('locked', host['administrative'])
        self.assertEqual(host, self.json_of('host-show', 'worker-0'))

    def test_host_add_long_options(self):
        host = self.json_of(
            'host-add', '--hostname', 'worker-3', '--personality', 'worker',
            '--mgmt-mac', '52:54:00:00:00:03', '--bm-type', 'fake',
            '--bm-ip', '10.10.10.3', '--bm-username', 'admin',
            '--bm-password', 'secret', '--boot-device', '/dev/sdb',
            '--rootfs-device', '/dev/sdb', '--install-output', 'text',
            '--console', 'ttyS1,115200', '--location', 'row 1',
            '--clock-synchronization', 'ptp')
        self.assertEqual('fake', host['bm_type'])
        self.assertEqual('10.10.10.3', host['bm_ip'])
        self.assertEqual('admin', host['bm_username'])
        self.assertNotIn('bm_password', host)
        self.assertEqual('/dev/sdb', host['boot_device'])
        self.assertEqual('ttyS1,115200', host['console'])
        self.assertEqual('row 1', host['location'])
        self.assertEqual('ptp', host['clock_synchronization'])

    def test_host_update_location(self):
        self.add_worker()
        host = self.json_of('host-update', 'worker-0', 'location=rack 3')
        self.assertEqual('rack 3', host['location'])
        self.assertEqual('rack 3',
                         self.json_of('host-show', 'worker-0')['location'])
        status, out, _err = self.stx('host-update', '2', 'location=rack 4')
        self.assertEqual(0, status)
        self.assertIn('rack 4', out)

    def test_host_delete(self):
        self.add_worker('worker-0', '52:54:00:00:00:01')
        self.add_worker('worker-1', '52:54:00:00:00:02')
        status, out, err = self.stx('host-delete', 'worker-0', '3')
        self.assertEqual(0, status, err)
        self.assertEqual('Deleted host worker-0\nDeleted host worker-1\n',
                         out)
        self.assertEqual(['controller-0'],
                         [h['hostname'] for h in self.json_of('host-list')])

    def test_host_delete_reports_the_hosts_it_could_not_delete(self):
        self.add_worker()
        result = self.stx('host-delete', 'worker-0', 'worker-9')
        err = self.assertOneLineError(result)
        self.assertIn('worker-9', err)
        self.assertIn('Deleted host worker-0', result[1])

    def test_bulk_add_and_export_round_trip(self):
        xml_path = os.path.join(self.tmp, 'hosts.xml')
        with open(xml_path, 'w') as xml_file:
            xml_file.write(BULK_XML)
        status, out, err = self.stx('host-bulk-add', xml_path)
        self.assertEqual(0, status, err)
        self.assertIn('worker-1', out)
        worker = self.json_of('host-show', 'worker-1')
        self.assertEqual('52:54:00:00:00:11', worker['mgmt_mac'])

        export_path = os.path.join(self.tmp, 'export.xml')
        status, out, err = self.stx('host-bulk-export',
                                    '--filename', export_path)
        self.assertEqual(0, status, err)
        with open(export_path) as xml_file:
            exported = xml_file.read()
        self.assertIn('<hostname>worker-1</hostname>', exported)
        self.assertIn('<mgmt_mac>52:54:00:00:00:11</mgmt_mac>', exported)
        status, out, _err = self.stx('host-bulk-export')
        self.assertEqual(0, status)
        self.assertEqual(exported, out)

        # And back in: the exported file re-creates worker-1.
        self.stx('host-delete', 'worker-1')
        status, out, err = self.stx('host-bulk-add', export_path)
        self.assertEqual(0, status, err)
        self.assertEqual('52:54:00:00:00:11',
                         self.json_of('host-show', 'worker-1')['mgmt_mac'])

    def test_bulk_add_refused_file_adds_nothing(self):
        xml_path = os.path.join(self.tmp, 'hosts.xml')
        with open(xml_path, 'w') as xml_file:
            xml_file.write(BULK_XML.replace(
                '</hosts>', '<host><hostname>worker-2</hostname>'
                '<personality>worker</personality>'
                '<mgmt_mac>not-a-mac</mgmt_mac></host></hosts>'))
        result = self.stx('host-bulk-add', xml_path)
        self.assertIn('worker-2', self.assertOneLineError(result))
        self.assertEqual(['controller-0'],
                         [h['hostname'] for h in self.json_of('host-list')])

    def test_bulk_add_unreadable_file(self):
        result = self.stx('host-bulk-add', os.path.join(self.tmp, 'no.xml'))
        self.assertIn('no.xml', self.assertOneLineError(result))

    def test_unknown_host_shows_the_api_faultstring(self):
        fault = self.api_fault('ihosts/worker-9')
        for command in (('host-show', 'worker-9'),
                        ('host-update', 'worker-9', 'location=x'),
                        ('host-delete', 'worker-9')):
            err = self.assertOneLineError(self.stx(*command))
            self.assertIn(fault, err)

    def test_duplicate_host_refused(self):
        self.add_worker()
        result = self.stx('host-add', '-n', 'worker-0', '-p', 'worker',
                          '-m', '52:54:00:12:34:57')
        self.assertIn('worker-0', self.assertOneLineError(result))

    def test_bad_mac_names_mgmt_mac(self):
        result = self.stx('host-add', '-n', 'worker-0', '-p', 'worker',
                          '-m', 'not-a-mac')
        self.assertIn('mgmt_mac', self.assertOneLineError(result))
        self.assertEqual(['controller-0'],
                         [h['hostname'] for h in self.json_of('host-list')])

    def test_update_argument_without_equals_refused(self):
        result = self.stx('host-update', 'controller-0', 'location')
        self.assertIn('key=value', self.assertOneLineError(result))

    def test_sysinv_url_with_and_without_v1(self):
        sysinv = self.server.url + 'sysinv'
        for url in (sysinv, sysinv + '/', sysinv + '/v1', sysinv + '/v1/'):
            status, out, err = self.stx('--stx-url', 'http://127.0.0.1:1/',
                                        '--sysinv-url', url, 'host-list')
            self.assertEqual(0, status, err)
            self.assertIn('controller-0', out)

    def test_client_error_carries_status_code_and_field(self):
        session = ks_session.Session()
        client = stx_http.Client(session, 'sysinv',
                                 endpoint_override=self.server.url + 'sysinv')
        error = self.assertRaises(
            stx_http.HTTPError, client.post, 'ihosts',
            {'hostname': 'worker-0', 'personality': 'worker',
             'mgmt_mac': 'zz'})
        self.assertEqual(400, error.status)
        self.assertEqual('mgmt_mac', error.field)
        self.assertTrue(error.code.startswith('stx.'), error.code)
        error = self.assertRaises(stx_http.HTTPError, client.get,
                                  'ihosts/worker-9')
        self.assertEqual(404, error.status)
        self.assertEqual('stx.host.not_found', error.code)


class TestFailures(CliTestCase):
    """Failures that never reach a real API: one line, exit status 1."""

    def test_no_endpoint_configured(self):
        code, out, err = self.stx('host-list')
        self.assertEqual(1, code)
        self.assertEqual('Error: no endpoint: set STX_URL (stx-aio prints '
                         'it), --sysinv-url, or OS_AUTH_URL\n', err)

    def test_connection_refused(self):
        url = 'http://127.0.0.1:%d/' % closed_port()
        for argv in (('--stx-url', url, 'host-list'),
                     ('--sysinv-url', url, 'host-show', 'controller-0'),
                     ('--stx-url', url, 'system-show', '-f', 'json')):
            err = self.assertOneLineError(self.stx(*argv))
            self.assertIn('Connection refused', err)

    def test_debug_shows_the_traceback(self):
        url = 'http://127.0.0.1:%d/' % closed_port()
        code, _out, err = self.stx('--debug', '--stx-url', url, 'host-list')
        self.assertEqual(1, code)
        self.assertIn('Traceback', err)

    def test_keystone_unreachable(self):
        auth_url = 'http://127.0.0.1:%d/v3' % closed_port()
        err = self.assertOneLineError(self.stx(
            '--os-auth-url', auth_url, '--os-username', 'admin',
            '--os-password', 'secret', '--os-project-name', 'admin',
            '--os-user-domain-name', 'Default',
            '--os-project-domain-name', 'Default', 'host-list'))
        self.assertIn('Keystone', err)

    def test_timeout(self):
        # A listening socket that never answers.
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            sock.listen(8)
            url = 'http://127.0.0.1:%d/' % sock.getsockname()[1]
            err = self.assertOneLineError(
                self.stx('--timeout', '0.2', '--stx-url', url, 'host-list'))
        self.assertIn('timed out', err)

    def test_non_json_bodies(self):
        server = self.useFixture(StubServer())
        for status in (200, 502):
            server.answers['/%d/v1/ihosts' % status] = (
                status, 'text/html', '<html>no JSON\nhere</html>')
            err = self.assertOneLineError(self.stx(
                '--sysinv-url', server.url + str(status), 'host-list'))
            self.assertIn(str(status), err)

    def test_bulk_add_exits_1_when_the_server_reports_an_error(self):
        server = self.useFixture(StubServer())
        server.answers['/v1/ihosts/bulk_add'] = (200, 'application/json', (
            '{"success": "worker-1\\n", '
            '"error": "worker-2: no such personality\\n"}'))
        xml_path = os.path.join(self.tmp, 'hosts.xml')
        with open(xml_path, 'w') as xml_file:
            xml_file.write(BULK_XML)
        code, out, err = self.stx('--sysinv-url', server.url,
                                  'host-bulk-add', xml_path)
        self.assertEqual(1, code)
        self.assertEqual('Success: worker-1\n', out)
        self.assertEqual('Error: worker-2: no such personality\n', err)
        body = server.requests[0][3]
        self.assertIn(b'name="file"', body)
        self.assertIn(b'<hostname>worker-1</hostname>', body)

    def test_usage_error_exits_2(self):
        code, _out, _err = self.stx('--stx-url', 'http://127.0.0.1:1/',
                                    'host-update', 'controller-0')
        self.assertEqual(2, code)


class StubServer(fixtures.Fixture):
    """An HTTP server with canned answers.

    ``answers`` maps a path to ``(status, content type, body)`` or
    ``(status, content type, body, headers)``; ``requests`` records
    ``(method, path, headers, body)`` of every request.
    """

    def _setUp(self):
        self.answers = {}
        self.requests = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                length = int(self.headers.get('Content-Length') or 0)
                stub.requests.append((self.command, self.path,
                                      dict(self.headers),
                                      self.rfile.read(length)))
                status, content_type, body, *headers = stub.answers.get(
                    self.path, (404, 'text/plain', 'no such path'))
                body = body.encode()
                self.send_response(status)
                self.send_header('Content-Type', content_type)
                self.send_header('Content-Length', str(len(body)))
                for name, value in (headers[0] if headers else {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        self.url = 'http://127.0.0.1:%d/' % server.server_address[1]


class TestUrlRules(base.BaseTestCase):
    """Where requests go, without sending any."""

    def root(self, service='sysinv', stx_url=None, service_url=None):
        endpoint = stx_http.service_endpoint(service, stx_url, service_url)
        client = stx_http.Client(ks_session.Session(), service,
                                 endpoint_override=endpoint)
        return client.root

    def test_aio_base_url_with_and_without_trailing_slash(self):
        for base_url in ('http://h:6385', 'http://h:6385/',
                         'http://h:6385//'):
            self.assertEqual('http://h:6385/sysinv/v1',
                             self.root(stx_url=base_url))

    def test_aio_base_url_keeps_its_path_prefix(self):
        self.assertEqual('http://h/stx/fm/v1',
                         self.root('fm', stx_url='http://h/stx/'))

    def test_service_url_v1_added_once(self):
        for url in ('http://h:6385', 'http://h:6385/', 'http://h:6385/v1',
                    'http://h:6385/v1/'):
            self.assertEqual('http://h:6385/v1', self.root(service_url=url))

    def test_service_url_wins_over_aio_url(self):
        self.assertEqual('http://s:6385/v1',
                         self.root(stx_url='http://h/',
                                   service_url='http://s:6385'))

    def test_no_url_means_keystone(self):
        self.assertIsNone(stx_http.service_endpoint('sysinv'))

    def test_request_url_joins_paths(self):
        client = stx_http.Client(ks_session.Session(), 'sysinv',
                                 endpoint_override='http://h:6385/sysinv/')
        self.assertEqual('http://h:6385/sysinv/v1/ihosts/bulk_add',
                         client.url('/ihosts/bulk_add'))

    def test_catalogue_service_types(self):
        self.assertEqual({'sysinv': 'platform', 'fm': 'faultmanagement',
                          'sm': 'smapi', 'update': 'usm'},
                         stx_http.SERVICE_TYPES)


class TestErrorBodies(base.BaseTestCase):
    """Error bodies of every shape become one-line HTTPErrors."""

    def error(self, status, body, content_type='application/json'):
        response = requests.Response()
        response.status_code = status
        response.reason = 'Reason'
        response.headers['Content-Type'] = content_type
        response._content = (json.dumps(body).encode()
                             if content_type == 'application/json'
                             else body.encode())
        return stx_http.error_from_response(response)

    def test_starlingx_error_message(self):
        inner = {'faultcode': 'Client', 'faultstring': 'Bad\nMAC',
                 'debuginfo': None, 'code': 'stx.invalid', 'field': 'mgmt_mac'}
        error = self.error(400, {'error_message': json.dumps(inner)})
        self.assertEqual((400, 'Bad MAC', 'stx.invalid', 'mgmt_mac'),
                         (error.status, str(error), error.code, error.field))

    def test_doubly_nested_error_message(self):
        inner = json.dumps({'error_message': json.dumps({'faultstring': 'X'})})
        self.assertEqual('X', str(self.error(409, {'error_message': inner})))

    def test_other_shapes(self):
        keystone_style = {'error': {'message': 'Y'}}
        self.assertEqual('Y', str(self.error(400, keystone_style)))
        json_api_style = {'errors': [{'title': 'Z'}]}
        self.assertEqual('Z', str(self.error(400, json_api_style)))
        self.assertEqual('plain', str(self.error(400,
                                                 {'error_message': 'plain'})))
        self.assertEqual('HTTP 502 Reason',
                         str(self.error(502, '<html/>', 'text/html')))
