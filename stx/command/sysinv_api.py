"""stx-sysinv-api: serve sysinv's REST API alone (port 6385).

Reads hosts straight from the database and sends writes to
stx-sysinv-conductor over RPC. ``--port`` overrides ``[api] port``.
"""

import sys

from oslo_config import cfg
from oslo_log import log as logging

from stx.common import rpc
from stx.common import service
from stx.common import wsgi_server
from stx.conf import CONF

LOG = logging.getLogger(__name__)

cli_opts = [
    cfg.PortOpt('port',
                help='Port to listen on, overriding [api] port; 0 picks a '
                     'free one.'),
]


def _run(argv):
    service.prepare_service(argv, __doc__.splitlines()[0], cli_opts)
    signals = service.ShutdownSignals()
    sysinv, = service.load_services(['sysinv'])
    service.check_database(sysinv.database)
    port = CONF.port
    if port is None:
        port = sysinv.api_port if CONF.api.port is None else CONF.api.port
    server = wsgi_server.APIServer(sysinv.wsgi_app(), CONF.api.host_ip, port)
    server.start()
    print('stx-sysinv-api ready: URL=%s' % server.url, flush=True)
    try:
        signals.wait()
    finally:
        server.stop()
        rpc.cleanup()
    LOG.info('stx-sysinv-api stopped')


def main(argv=None):
    return service.run_command(_run, argv)


if __name__ == '__main__':
    sys.exit(main())
