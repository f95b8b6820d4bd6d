"""fm as a service: its API and its manager.

``stx-fm-api`` serves ``wsgi_app()``, ``stx-fm-manager`` runs ``start()``,
and ``stx-aio`` runs both, before sysinv, since other services raise alarms
while they start.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import context as stx_context
from stx.common import rpc
from stx.common import service
from stx.conf import CONF
from stx.drivers import loader
from stx.fm.db import DB
from stx.fm.manager import rpcapi

LOG = logging.getLogger(__name__)


class FMService(service.Service):
    """Fault management: alarms, the event log and notifications."""

    name = 'fm'
    start_order = 5
    database = DB
    api_port = 18002

    def __init__(self):
        self._rpc_server = None
        self._manager = None

    def wsgi_app(self):
        # Imported here: a manager-only process never loads pecan.
        from stx.fm.api import app
        return app.make_app()

    def start(self):
        from stx.fm.manager import manager

        # A notifier enabled but not installed would lose every alarm
        # northbound; refuse to start instead.
        loader.validate_enabled(loader.NOTIFIER)
        manager.sync_suppression(stx_context.get_admin_context())
        self._manager = manager.FMManager(CONF.host)
        self._manager.start()
        target = messaging.Target(topic=rpcapi.TOPIC, server=CONF.host)
        self._rpc_server = rpc.get_server(target, [self._manager])
        self._rpc_server.start()
        LOG.info('fm manager listening on topic %(topic)s as %(host)s',
                 {'topic': rpcapi.TOPIC, 'host': CONF.host})

    def stop(self):
        if self._rpc_server is not None:
            self._rpc_server.stop()
            self._rpc_server.wait()
            self._rpc_server = None
        if self._manager is not None:
            # After the server: calls in flight still get their writes.
            self._manager.stop()
            self._manager = None
            LOG.info('fm manager stopped')
