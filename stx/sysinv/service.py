"""sysinv as a service: its API, its conductor and its first start.

``stx-sysinv-api`` serves ``wsgi_app()``, ``stx-sysinv-conductor`` runs
``start()``, and ``stx-aio`` runs both plus ``bootstrap()``.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import rpc
from stx.common import service
from stx.common import states
from stx.conf import CONF
from stx.drivers import loader
from stx.sysinv.conductor import rpcapi
from stx.sysinv.db import DB

LOG = logging.getLogger(__name__)


class SysinvService(service.Service):
    """Inventory and configuration: the system and its hosts."""

    name = 'sysinv'
    # Other services read hosts from sysinv, so it starts first.
    start_order = 10
    database = DB
    api_port = 6385

    def __init__(self):
        self._rpc_server = None
        self._manager = None

    def wsgi_app(self):
        # Imported here: a conductor-only process never loads pecan.
        from stx.sysinv.api import app
        return app.make_app()

    def start(self):
        from stx.objects import base as objects_base
        from stx.sysinv.conductor import manager

        # A BMC driver enabled but not installed would fail every host
        # that names it; refuse to start instead.
        loader.validate_enabled(loader.BMC)
        target = messaging.Target(topic=rpcapi.TOPIC, server=CONF.host)
        self._manager = manager.ConductorManager(CONF.host)
        self._rpc_server = rpc.get_server(
            target, [self._manager],
            serializer=objects_base.StxObjectSerializer())
        self._rpc_server.start()
        LOG.info('sysinv conductor listening on topic %(topic)s as '
                 '%(host)s', {'topic': rpcapi.TOPIC, 'host': CONF.host})

    def stop(self):
        if self._rpc_server is None:
            return
        self._rpc_server.stop()
        self._rpc_server.wait()
        self._rpc_server = None
        self._manager.close()
        self._manager = None
        LOG.info('sysinv conductor stopped')

    def bootstrap(self, context, options):
        from stx.sysinv.conductor import bootstrap

        wanted = options.get('system_mode')
        system, _controller = bootstrap.ensure_system(
            context, system_mode=wanted or states.SYSTEM_MODE_DUPLEX)
        if wanted and wanted != system['system_mode']:
            LOG.warning('System mode %(wanted)s ignored: the system exists '
                        'in %(mode)s mode', {'wanted': wanted,
                                             'mode': system['system_mode']})
