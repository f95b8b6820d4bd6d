"""Service management as a service: ``stx-sm`` and ``stx-sm-api``.

``stx-sm`` runs ``start()`` on each controller: the service engine
(stx.sm.manager) on the model ``[sm] model_file``, the UDP link to the
peer controller's stx-sm when ``[sm] peer_address`` is set, and the RPC
server the sm API and host maintenance call (stx.sm.rpcapi).
``stx-sm-api`` serves ``wsgi_app()``. ``stx-aio`` runs both, with no
peer: every service group is active on its one controller. Service
management starts last and stops first.
"""

import socket

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import context as stx_context
from stx.common import exception
from stx.common import rpc
from stx.common import service
from stx.conf import CONF
from stx.conf import sm as sm_conf
from stx.fm import client as fm_client
from stx.sm import fence as sm_fence
from stx.sm import manager
from stx.sm import model as sm_model
from stx.sm import peer as sm_peer
from stx.sm import reach as sm_reach
from stx.sm import rpcapi
from stx.sysinv.conductor import rpcapi as conductor_rpcapi

LOG = logging.getLogger(__name__)

STOP_TIMEOUT = 5
PATH_MANAGEMENT = 'management'


class SMEndpoint:
    """What stx-sm answers over RPC; see stx.sm.rpcapi.SMAPI."""

    target = messaging.Target(version=rpcapi.SMAPI.RPC_API_VERSION)

    def __init__(self, engine):
        self._engine = engine

    def get_state(self, context):
        return self._engine.describe()

    def swact(self, context):
        return self._engine.swact()


def read_key(path, option='key_file'):
    """The peer key in ``path``; StartupError saying what is wrong."""
    try:
        with open(path, 'rb') as f:
            key = f.read().strip()
    except OSError as error:
        raise service.StartupError('cannot read [sm] %s %s: %s' % (
            option, path, error.strerror)) from None
    if len(key) < 16:
        raise service.StartupError('[sm] %s %s holds %d bytes; at least '
                                   '16 are needed' % (option, path,
                                                      len(key)))
    return key


def configured_paths():
    """The peer paths ``[sm]`` configures: management (``peer_address``)
    and each of ``<network>_peer_address``.
    """
    conf = CONF.sm
    paths = []
    if conf.peer_address:
        paths.append(sm_peer.Path(
            PATH_MANAGEMENT, read_key(conf.key_file),
            (conf.listen_address, conf.listen_port),
            (conf.peer_address, conf.peer_port)))
    for prefix in sm_conf.EXTRA_PATHS:
        peer_address = conf['%s_peer_address' % prefix]
        if not peer_address:
            continue
        listen = conf['%s_listen_address' % prefix]
        if not listen:
            raise service.StartupError(
                '[sm] %s_peer_address is set but not %s_listen_address'
                % (prefix, prefix))
        paths.append(sm_peer.Path(
            prefix.replace('_', '-'),
            read_key(conf['%s_key_file' % prefix], '%s_key_file' % prefix),
            (listen, conf['%s_listen_port' % prefix]),
            (peer_address, conf['%s_peer_port' % prefix])))
    return paths


def ask_peer(node):
    """What ``node``'s stx-sm says of itself over RPC (``peer_word``);
    None when it does not answer within ``[sm] peer_query_timeout``.
    """
    try:
        state = rpcapi.SMAPI().get_state(
            stx_context.get_admin_context(), node=node,
            timeout=CONF.sm.peer_query_timeout)
    except exception.StxException as error:
        LOG.info('%(node)s does not answer over RPC either: %(error)s',
                 {'node': node, 'error': error})
        return None
    return peer_word(state, node)


def peer_word(state, node):
    """What stx.sm.failover wants of ``node`` from ``node``'s own
    description (stx.sm.view): its health score (a stx.sm.reach.Score,
    or None) and the groups its services hold active.
    """
    own = [entry for entry in state['nodes'] if entry['name'] == node]
    score = own[0].get('reachability') if own else None
    return {'score': score and sm_reach.Score(**score),
            'holding': sorted({
                service['service_group'] for service in state['services']
                if service['node'] == node and
                service['state'] in manager.HOLDING})}


def host_reach():
    """The HostReach [sm] configures, started, or None (logged why)."""
    try:
        reach = sm_reach.configured(conductor_rpcapi.ConductorAPI(
            timeout=CONF.sm.rpc_timeout))
    except (exception.StxException, OSError) as error:
        LOG.warning('No health score (hosts reached) for failover '
                    'decisions: %(error)s', {'error': error})
        return None
    if reach is not None:
        reach.start()
    return reach


class SMService(service.Service):
    """Service management: the controllers' services kept available."""

    name = 'sm'
    start_order = 90
    api_port = 7777

    def __init__(self):
        self.node = None
        self.engine = None
        self._link = None
        self._faults = None
        self._rpc_server = None
        self._reach = None

    @property
    def peer(self):
        """The peer's (address, port), or None without a peer."""
        return None if self._link is None else self._link.peer

    def wsgi_app(self):
        from stx.sm.api import app
        return app.make_app()

    def start(self):
        try:
            model = sm_model.load()
        except sm_model.ModelError as error:
            raise service.StartupError(str(error)) from None
        self.node = CONF.sm.node or socket.gethostname()
        paths = configured_paths()
        if paths:
            domain = model.domain
            self._link = sm_peer.PeerLink(
                self.node, paths,
                hello=lambda: self.engine.hello(),
                on_hello=lambda: self.engine.wake(),
                hello_interval=domain.hello_interval_ms / 1000.0,
                dead_interval=domain.dead_interval_ms / 1000.0)
        try:
            fence = sm_fence.configured()
        except exception.StxException as error:
            raise service.StartupError('%s: %s' % (
                error.field or '[sm]', error.message)) from None
        self._faults = fm_client.FaultAPIs(mode=fm_client.MODE_ASYNC,
                                           name='sm')
        if self._link is not None:
            self._reach = host_reach()
        self.engine = manager.ServiceManager(
            model, self.node, peer=self._link, faults=self._faults,
            fence=fence, fence_retry_interval=CONF.sm.fence_retry_interval,
            reach=self._reach, ask_peer=ask_peer)
        if self._link is not None:
            self._link.start()
        self.engine.start()
        target = messaging.Target(topic=rpcapi.TOPIC, server=self.node)
        self._rpc_server = rpc.get_server(target,
                                          [SMEndpoint(self.engine)])
        self._rpc_server.start()
        LOG.info('stx-sm on %(node)s listening on topic %(topic)s', {
            'node': self.node, 'topic': rpcapi.TOPIC})

    def reload(self):
        """Read ``[sm] model_file`` again and take its settings.

        A file that does not pass validation, or changes what only a
        restart can, is refused with the reason; the running model stays.

        :returns: True if the new model was taken.
        """
        try:
            self.engine.reload(sm_model.load())
        except (sm_model.ModelError, exception.Conflict) as error:
            LOG.error('Model not reloaded, keeping the running one: '
                      '%(error)s', {'error': error})
            return False
        return True

    def quiesce(self):
        """Stop the engine: stx-aio stops the services it audits."""
        if self.engine is not None:
            self.engine.stop(STOP_TIMEOUT)

    def stop(self):
        """Stop managing; the services enabled keep running."""
        wait = None
        if self._rpc_server is not None:
            wait = rpc.begin_stop(self._rpc_server)
            self._rpc_server = None
        if self.engine is not None:
            self.engine.stop(STOP_TIMEOUT)
            self.engine = None
        if self._link is not None:
            self._link.stop()
            self._link = None
        if self._reach is not None:
            self._reach.stop()
            self._reach = None
        if self._faults is not None:
            self._faults.close()
            self._faults = None
        if wait is not None:
            wait()
