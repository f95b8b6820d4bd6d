"""A real fm API on a loopback port, for tests of the ``stx`` fm commands.

It serves the app with cheroot under /fm/, the way stx-aio mounts it, with
fm's shared test manager (tests.unit.fm.base.FMManagerFixture) on the
in-process transport behind it, a fresh fm database file whose
suppression entries come from the catalogue's alarm ids, and only the fake
notifier.
"""

import fixtures
from oslo_config import fixture as config_fixture

from stx.common import context as stx_context
from stx.conf import CONF
from stx.fm.api import app as fm_app
from stx.fm.manager import rpcapi
from tests.unit import fixtures as unit_fixtures
from tests.unit.fm import base as fm_base


class FMServer(fixtures.Fixture):
    """After setUp: ``url`` is an AIO-style base URL (``.../``).

    ``set_alarm`` and ``set_event`` write through the manager's RPC API,
    as every service raising alarms does.
    """

    def _setUp(self):
        conf = self.useFixture(config_fixture.Config(CONF))
        conf.config(state_path=self.useFixture(fixtures.TempDir()).path)
        conf.config(rpc_timeout=5, group='fm')
        self.useFixture(fm_base.FMDatabase(conf))
        self.useFixture(fm_base.FMManagerFixture())
        self.context = stx_context.get_admin_context()
        self.rpcapi = rpcapi.FMAPI()
        self.url = self.useFixture(unit_fixtures.LoopbackServer(
            {'/fm': fm_app.make_app()})).url

    def set_alarm(self, **fields):
        return fm_base.set_alarm(self.rpcapi, self.context, **fields)

    def set_event(self, **fields):
        return fm_base.set_event(self.rpcapi, self.context, **fields)
