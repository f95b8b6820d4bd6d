"""The service contract and process helpers (stx.common.service)."""

import io
import os
import signal
import threading
from unittest import mock

import fixtures
from oslo_config import cfg
import requests

from stx.common import exception
from stx.common import rpc
from stx.common import service
from stx.common import wsgi_server
from stx.conf import CONF
from stx.db import migration
from stx.drivers import loader
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import DB
from stx.sysinv import service as sysinv_service
from tests.unit import base


def _service_class(name, order):
    return type('%sService' % name.title(), (service.Service,),
                {'name': name, 'start_order': order})


class TestLoadServices(base.TestCase):

    def setUp(self):
        super().setUp()
        self.classes = {'fm': _service_class('fm', 20),
                        'sysinv': _service_class('sysinv', 10),
                        'sm': _service_class('sm', 20)}
        self.useFixture(fixtures.MockPatchObject(
            loader, 'list_installed',
            side_effect=lambda namespace: sorted(self.classes)))
        self.useFixture(fixtures.MockPatchObject(
            loader, 'get_class',
            side_effect=lambda namespace, name: self.classes[name]))

    def test_every_installed_service_lowest_start_order_first(self):
        names = [svc.name for svc in service.load_services()]
        # Equal start orders fall back to the name, so the order is stable.
        self.assertEqual(['sysinv', 'fm', 'sm'], names)
        loader.get_class.assert_called_with('stx.services', mock.ANY)

    def test_named_services_only(self):
        names = [svc.name for svc in service.load_services(['sm', 'sysinv'])]
        self.assertEqual(['sysinv', 'sm'], names)

    def test_unknown_service_names_what_is_installed(self):
        error = self.assertRaises(service.StartupError,
                                  service.load_services, ['mtce'])
        self.assertEqual('unknown service mtce; installed: fm, sm, sysinv',
                         str(error))


class TestInstalledServices(base.TestCase):

    def test_sysinv_is_declared_in_the_namespace(self):
        sysinv, = service.load_services(['sysinv'])
        self.assertIsInstance(sysinv, sysinv_service.SysinvService)
        self.assertIs(DB, sysinv.database)
        self.assertEqual(6385, sysinv.api_port)

    def test_sysinv_bootstrap_creates_the_system_once(self):
        logger = self.useFixture(fixtures.FakeLogger())
        sysinv = sysinv_service.SysinvService()
        sysinv.bootstrap(self.context, {'system_mode': 'simplex'})
        sysinv.bootstrap(self.context, {})
        self.assertNotIn('ignored', logger.output)
        sysinv.bootstrap(self.context, {'system_mode': 'duplex'})
        self.assertIn('System mode duplex ignored: the system exists in '
                      'simplex mode', logger.output)
        self.assertEqual('simplex',
                         dbapi.system_get(self.context)['system_mode'])
        self.assertEqual(['controller-0'], [
            host['hostname'] for host in dbapi.host_list(self.context)])

    def test_base_service_does_nothing_by_default(self):
        svc = service.Service()
        self.assertIsNone(svc.wsgi_app())
        svc.start()
        svc.stop()
        svc.bootstrap(self.context, {})


def _echo_app(label):
    def app(environ, start_response):
        body = '%s %s %s' % (label, environ['SCRIPT_NAME'],
                             environ['PATH_INFO'])
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [body.encode()]
    return app


class TestAPIServer(base.TestCase):

    def _serve(self, app):
        server = wsgi_server.APIServer(app, '127.0.0.1', 0, threads=2)
        server.start()
        self.addCleanup(server.stop)
        return server

    def test_each_app_is_mounted_under_its_name(self):
        server = self._serve({'sysinv': _echo_app('A'),
                              'fm': _echo_app('B')})
        url = server.url
        self.assertEqual('http://127.0.0.1:%d/' % server.port, url)
        self.assertEqual('A /sysinv /v1/ihosts',
                         requests.get(url + 'sysinv/v1/ihosts').text)
        self.assertEqual('B /fm ', requests.get(url + 'fm').text)
        self.assertEqual('B /fm /', requests.get(url + 'fm/').text)

    def test_root_lists_services_and_unknown_paths_are_404_json(self):
        server = self._serve({'sysinv': _echo_app('A'),
                              'fm': _echo_app('B')})
        root = requests.get(server.url)
        self.assertEqual(200, root.status_code)
        self.assertEqual(
            [{'name': 'fm', 'href': server.url + 'fm/'},
             {'name': 'sysinv', 'href': server.url + 'sysinv/'}],
            root.json()['services'])
        # A prefix must match a whole path segment.
        missing = requests.get(server.url + 'sysinvx/v1')
        self.assertEqual(404, missing.status_code)
        self.assertIn('/sysinv/', missing.json()['error_message'])

    def test_a_single_app_is_served_at_the_root(self):
        server = self._serve(_echo_app('A'))
        self.assertEqual('A  /v1', requests.get(server.url + 'v1').text)

    def test_port_in_use_is_a_one_line_startup_error(self):
        server = self._serve(_echo_app('A'))
        second = wsgi_server.APIServer(_echo_app('B'), '127.0.0.1',
                                       server.port)
        error = self.assertRaises(service.StartupError, second.start)
        self.assertEqual('cannot listen on 127.0.0.1:%d: [Errno 98] Address '
                         'already in use' % server.port, str(error))

    def test_url_of_a_wildcard_address_is_loopback(self):
        server = wsgi_server.APIServer(_echo_app('A'), '0.0.0.0', 6385)
        self.assertEqual('http://127.0.0.1:6385/', server.url)
        server = wsgi_server.APIServer(_echo_app('A'), '::', 6385)
        self.assertEqual('http://[::1]:6385/', server.url)


class TestShutdown(base.TestCase):

    def test_sigterm_ends_the_wait(self):
        timer = threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGTERM))
        timer.start()
        self.addCleanup(timer.cancel)
        self.assertEqual(signal.SIGTERM, service.wait_for_shutdown())
        # The previous handlers are back.
        self.assertIs(signal.default_int_handler,
                      signal.getsignal(signal.SIGINT))

    def test_event_ends_the_wait(self):
        event = threading.Event()
        event.set()
        self.assertIsNone(service.wait_for_shutdown(event))


class TestRunCommand(base.TestCase):

    def setUp(self):
        super().setUp()
        self.stderr = self.useFixture(
            fixtures.MockPatch('sys.stderr', new_callable=io.StringIO)).mock

    def test_success_exits_zero(self):
        self.assertEqual(0, service.run_command(lambda argv: None, ['x']))

    def test_startup_error_is_one_line_and_exit_one(self):
        def fail(argv):
            raise service.StartupError('port taken')
        self.assertEqual(1, service.run_command(fail, ['/bin/stx-aio']))
        self.assertEqual('stx-aio: error: port taken\n',
                         self.stderr.getvalue())

    def test_stx_exception_is_one_line(self):
        def fail(argv):
            raise exception.DriverNotFound(namespace='stx.drivers.bmc',
                                           name='ipmi', installed='fake')
        self.assertEqual(1, service.run_command(fail, ['stx-aio']))
        self.assertEqual(1, len(self.stderr.getvalue().splitlines()))
        self.assertIn("No plugin 'ipmi'", self.stderr.getvalue())

    def test_unexpected_error_hides_the_traceback(self):
        def fail(argv):
            raise KeyError('boom')
        self.assertEqual(1, service.run_command(fail, ['stx-aio']))
        self.assertEqual("stx-aio: error: KeyError: 'boom'\n",
                         self.stderr.getvalue())


class TestPrepareService(base.TestCase):

    cli_opts = [cfg.StrOpt('flavour', positional=True, required=False,
                           default='plain')]

    def setUp(self):
        super().setUp()
        # tests.unit.base parsed CONF at import; parse again from scratch
        # and leave it as the other tests expect it.
        CONF.reset()
        CONF.clear()
        self.addCleanup(self._restore_conf)
        self.rpc_init = self.useFixture(
            fixtures.MockPatchObject(rpc, 'init')).mock
        # oslo.log would replace the test runner's log handlers.
        self.useFixture(fixtures.MockPatch('oslo_log.log.setup'))
        self.config_file = os.path.join(self.state_dir, 'stx.conf')
        with open(self.config_file, 'w') as config:
            config.write('[DEFAULT]\nhost = node-7\n[api]\nworkers = 3\n')

    def _restore_conf(self):
        CONF.reset()
        CONF.clear()
        CONF.unregister_opts(self.cli_opts)
        CONF([], project='stx', default_config_files=[])

    def test_config_file_and_cli_options_are_parsed(self):
        service.prepare_service(
            ['stx-x', '--config-file', self.config_file, 'spicy'],
            cli_opts=self.cli_opts)
        self.assertEqual('node-7', CONF.host)
        self.assertEqual(3, CONF.api.workers)
        self.assertEqual('spicy', CONF.flavour)
        self.assertEqual('stx', CONF.control_exchange)
        self.rpc_init.assert_called_once_with(CONF)

    def test_default_config_file_is_read_only_when_it_exists(self):
        self.useFixture(fixtures.MockPatchObject(
            service, 'DEFAULT_CONFIG_FILE', self.config_file))
        self.assertEqual([self.config_file], service.default_config_files())
        service.prepare_service(['stx-x'], init_rpc=False)
        self.assertEqual('node-7', CONF.host)
        self.rpc_init.assert_not_called()
        os.unlink(self.config_file)
        self.assertEqual([], service.default_config_files())

    def test_bad_option_is_one_line_startup_error(self):
        error = self.assertRaises(service.StartupError,
                                  service.prepare_service,
                                  ['stx-x', '--no-such-option'])
        self.assertEqual('unrecognized arguments: --no-such-option',
                         str(error))

    def test_missing_config_file_is_startup_error(self):
        error = self.assertRaises(service.StartupError,
                                  service.prepare_service,
                                  ['stx-x', '--config-file', '/nonexistent'])
        self.assertIn('/nonexistent', str(error))


class TestCheckDatabase(base.TestCase):

    def test_refuses_a_database_below_head_until_migrated(self):
        self.config(connection='sqlite:///' + os.path.join(
            self.state_dir, 'sysinv.sqlite'), group='database')
        DB.reset()
        error = self.assertRaises(service.StartupError,
                                  service.check_database, DB)
        self.assertIn('run "stx-dbsync upgrade sysinv"', str(error))
        migration.upgrade(DB)
        service.check_database(DB)
