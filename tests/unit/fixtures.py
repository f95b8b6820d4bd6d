"""A real sysinv API on a loopback port, for tests of HTTP clients.

It serves the app with cheroot under /sysinv/, the way stx-aio mounts it,
with a conductor on the in-process transport and a fresh in-memory database
holding a system and an unlocked, enabled controller-0.
"""

import threading

from cheroot import wsgi
import fixtures
from oslo_config import fixture as config_fixture

from stx.common import context as stx_context
from stx.common import secrets
from stx.conf import CONF
from stx.sysinv.api import app as sysinv_app
from stx.sysinv.conductor import bootstrap
from stx.sysinv.db import DB
from tests.unit import base


class SysinvServer(fixtures.Fixture):
    """After setUp: ``url`` is an AIO-style base URL (``.../``)."""

    def __init__(self, system_mode='duplex'):
        super().__init__()
        self.system_mode = system_mode

    def _setUp(self):
        conf = self.useFixture(config_fixture.Config(CONF))
        state_dir = self.useFixture(fixtures.TempDir()).path
        conf.config(state_path=state_dir)
        conf.config(connection='sqlite://', group='database')
        conf.config(rpc_timeout=5, group='sysinv')
        secrets.reset()
        DB.reset()
        DB.create_schema()
        self.addCleanup(DB.reset)
        self.useFixture(base.ConductorFixture())
        self.context = stx_context.get_admin_context()
        bootstrap.ensure_system(self.context, system_mode=self.system_mode)

        self.url = self.useFixture(
            LoopbackServer({'/sysinv': sysinv_app.make_app()})).url


class LoopbackServer(fixtures.Fixture):
    """WSGI apps served by cheroot on 127.0.0.1, mounted as stx-aio does.

    :param mounts: {'/<service>': app}. After setUp, ``url`` is the base
        URL (``http://127.0.0.1:<port>/``).
    """

    def __init__(self, mounts):
        super().__init__()
        self.mounts = mounts

    def _setUp(self):
        server = wsgi.Server(('127.0.0.1', 0),
                             wsgi.PathInfoDispatcher(self.mounts),
                             numthreads=4)
        server.prepare()
        threading.Thread(target=server.serve, daemon=True).start()
        self.addCleanup(server.stop)
        host, port = server.bind_addr[:2]
        self.url = 'http://%s:%d/' % (host, port)
