"""Base classes of the unit tests: config, an in-memory DB, in-process RPC.

Unit tests run the real stack: the API through webtest, RPC on the
in-process transport (stx-inproc://), a real conductor behind it, and SQLite in
memory. Nothing of the service code is patched.
"""

import atexit
import json

import fixtures
from oslo_config import fixture as config_fixture
import oslo_messaging as messaging
from oslotest import base
import webtest

from stx.common import context as stx_context
from stx.common import rpc
from stx.common import secrets
from stx.common import states
from stx.conf import CONF
from stx import objects
from stx.objects import base as objects_base
from stx.sysinv.api import app as sysinv_app
from stx.sysinv.conductor import bootstrap
from stx.sysinv.conductor import manager
from stx.sysinv.conductor import rpcapi
from stx.sysinv.db import DB

IN_PROCESS_TRANSPORT = 'stx-inproc://'
HEARTBEAT_KEY = 'unit-test-heartbeat-key-0123456789abcdef'

CONF([], project='stx', default_config_files=[])
objects.register_all()


class TestCase(base.BaseTestCase):
    """Fresh configuration, state directory and sysinv database."""

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.state_dir = self.useFixture(fixtures.TempDir()).path
        self.conf.config(state_path=self.state_dir)
        self.conf.config(connection='sqlite://', group='database')
        # Heartbeat on loopback only, on ports the system picks: agents
        # that tests start answer nothing a test did not ask for.
        self.conf.config(key=HEARTBEAT_KEY, mgmt_port=0, cluster_host_port=0,
                         monitor_address='127.0.0.1', monitor_mgmt_port=0,
                         monitor_cluster_host_port=0, group='heartbeat')
        secrets.reset()
        self.addCleanup(secrets.reset)
        DB.reset()
        DB.create_schema()
        self.addCleanup(DB.reset)
        self.context = stx_context.get_admin_context()

    def config(self, group=None, **kwargs):
        self.conf.config(group=group, **kwargs)


class ConductorFixture(fixtures.Fixture):
    """A real sysinv conductor serving RPC on the in-process transport.

    One conductor serves the whole test run: stopping an RPC server waits
    for its listener's one-second poll, which would cost every test a
    second. It holds no state of its own: it reads the configuration and
    the database each test sets up.
    """

    _server = None

    def _setUp(self):
        if ConductorFixture._server is None:
            CONF.set_override('transport_url', IN_PROCESS_TRANSPORT)
            rpc.init(CONF)
            target = messaging.Target(topic=rpcapi.TOPIC, server='test-host')
            server = rpc.get_server(target,
                                    [manager.ConductorManager('test-host')],
                                    objects_base.StxObjectSerializer())
            server.start()
            atexit.register(_stop_server, server)
            ConductorFixture._server = server


def _stop_server(server):
    server.stop()
    server.wait()
    rpc.cleanup()


class ApiTestCase(TestCase):
    """The sysinv API through webtest, with a conductor behind it."""

    def setUp(self):
        super().setUp()
        self.config(rpc_timeout=5, group='sysinv')
        # Tests without host maintenance learn it is absent in a second.
        self.config(rpc_timeout=1, group='mtce')
        self.useFixture(ConductorFixture())
        self.app = webtest.TestApp(sysinv_app.make_app())

    def make_system(self, mode=states.SYSTEM_MODE_DUPLEX):
        system, controller = bootstrap.ensure_system(self.context,
                                                     system_mode=mode)
        return system, controller

    def error_of(self, response):
        """The inner fault object of a StarlingX error body."""
        return json.loads(response.json['error_message'])
