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

        dispatcher = wsgi.PathInfoDispatcher(
            {'/sysinv': sysinv_app.make_app()})
        self.server = wsgi.Server(('127.0.0.1', 0), dispatcher, numthreads=4)
        self.server.prepare()
        thread = threading.Thread(target=self.server.serve, daemon=True)
        thread.start()
        self.addCleanup(self.server.stop)
        host, port = self.server.bind_addr[:2]
        self.url = 'http://%s:%d/' % (host, port)
