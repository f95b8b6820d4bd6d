"""stx-fm-api: serve fm's REST API alone (port 18002).

Reads alarms and events straight from the database and sends writes to
stx-fm-manager over RPC. ``--port`` overrides ``[api] port``.
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
    fm, = service.load_services(['fm'])
    service.check_database(fm.database)
    port = CONF.port
    if port is None:
        port = fm.api_port if CONF.api.port is None else CONF.api.port
    server = wsgi_server.APIServer(fm.wsgi_app(), CONF.api.host_ip, port)
    server.start()
    print('stx-fm-api ready: URL=%s' % server.url, flush=True)
    try:
        signals.wait()
    finally:
        server.stop()
        rpc.cleanup()
    LOG.info('stx-fm-api stopped')


def main(argv=None):
    return service.run_command(_run, argv)


if __name__ == '__main__':
    sys.exit(main())
