"""stx-sysinv-conductor: the only writer of hosts and the system.

Runs sysinv's RPC server on the configured transport (RabbitMQ in a
standard deployment) until SIGINT or SIGTERM. Migrations are stx-dbsync's
job: the conductor refuses a database that is not at its newest revision.
"""

import sys

from oslo_log import log as logging

from stx.common import rpc
from stx.common import service

LOG = logging.getLogger(__name__)


def _run(argv):
    service.prepare_service(argv, __doc__.splitlines()[0])
    signals = service.ShutdownSignals()
    sysinv, = service.load_services(['sysinv'])
    service.check_database(sysinv.database)
    sysinv.start()
    print('stx-sysinv-conductor ready', flush=True)
    try:
        signals.wait()
    finally:
        sysinv.stop()
        rpc.cleanup()
    LOG.info('stx-sysinv-conductor stopped')


def main(argv=None):
    return service.run_command(_run, argv)


if __name__ == '__main__':
    sys.exit(main())
