"""Host maintenance as a service: ``stx-mtce``.

It has no API and no database of its own: sysinv's API is its face and the
sysinv conductor stores the host state it decides (DESIGN.md §4). It starts
after sysinv, which it reads hosts from, and ``stx-aio`` runs it too.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import rpc
from stx.common import service
from stx.conf import CONF
from stx.drivers import loader
from stx.mtce import rpcapi

LOG = logging.getLogger(__name__)


class MtceService(service.Service):
    """Host maintenance: lock and unlock, heartbeat, power actions,
    power-state sync and hwmon.
    """

    name = 'mtce'
    start_order = 20

    def __init__(self):
        self._rpc_server = None
        self._manager = None

    def start(self):
        from stx.mtce import manager

        # Every host names its BMC driver; one enabled but not installed
        # would fail all of them: refuse to start instead.
        loader.validate_enabled(loader.BMC)
        self._manager = manager.MtceManager()
        target = messaging.Target(topic=rpcapi.TOPIC, server=CONF.host)
        self._rpc_server = rpc.get_server(target, [self._manager])
        self._rpc_server.start()
        self._manager.start()
        LOG.info('stx-mtce listening on topic %(topic)s as %(host)s',
                 {'topic': rpcapi.TOPIC, 'host': CONF.host})

    def bootstrap(self, context, options):
        """The all-in-one controller makes its heartbeat key (its agent
        reads the same file).
        """
        from stx.mtce.heartbeat import keys

        keys.load_key(create=True)

    def quiesce(self):
        """Stop heartbeat: hosts that stop answering while everything
        stops are not failed.
        """
        if self._manager is not None:
            self._manager.liveness.stop()

    def stop(self):
        self.quiesce()
        # The listener stops while the manager does: a request that still
        # comes in meanwhile is refused or lost, as it would be a moment
        # later, and the caller retries it.
        finish = None
        if self._rpc_server is not None:
            finish = rpc.begin_stop(self._rpc_server)
            self._rpc_server = None
        if self._manager is not None:
            self._manager.stop()
            self._manager = None
        if finish is not None:
            finish()
        LOG.info('stx-mtce stopped')
