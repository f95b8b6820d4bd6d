"""One part of one service as its own process: its API, or its manager.

``stx-<service>-api`` and the manager daemons (``stx-sysinv-conductor``,
``stx-fm-manager``) differ only in the service they run; each is a
two-line module calling one of these.
"""

from oslo_config import cfg
from oslo_log import log as logging

from stx.common import rpc
from stx.common import service
from stx.common import wsgi_server
from stx.conf import CONF

LOG = logging.getLogger(__name__)

api_opts = [
    cfg.PortOpt('port',
                help='Port to listen on, overriding [api] port; 0 picks a '
                     'free one.'),
]


def _load(argv, name, description, cli_opts=()):
    service.prepare_service(argv, description, cli_opts)
    signals = service.ShutdownSignals()
    svc, = service.load_services([name])
    # Standard deployments migrate with stx-dbsync, not at start.
    if svc.database is not None:
        service.check_database(svc.database)
    return svc, signals


def run_api(argv, name, program, description):
    """Serve service ``name``'s REST API until SIGINT or SIGTERM."""
    svc, signals = _load(argv, name, description, api_opts)
    port = CONF.port
    if port is None:
        port = svc.api_port if CONF.api.port is None else CONF.api.port
    server = wsgi_server.APIServer(svc.wsgi_app(), CONF.api.host_ip, port)
    server.start()
    print('%s ready: URL=%s' % (program, server.url), flush=True)
    try:
        signals.wait()
    finally:
        server.stop()
        rpc.cleanup()
    LOG.info('%(program)s stopped', {'program': program})


def run_manager(argv, name, program, description):
    """Run service ``name``'s RPC server and workers until a signal."""
    svc, signals = _load(argv, name, description)
    svc.start()
    print('%s ready' % program, flush=True)
    try:
        signals.wait()
    finally:
        svc.stop()
        rpc.cleanup()
    LOG.info('%(program)s stopped', {'program': program})
