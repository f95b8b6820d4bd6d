"""stx-fm-manager: the only writer of alarms and the event log.

Runs fm's RPC server on the configured transport (RabbitMQ in a
standard deployment) until SIGINT or SIGTERM. Migrations are stx-dbsync's
job: the manager refuses a database that is not at its newest revision.
"""

import sys

from oslo_log import log as logging

from stx.common import rpc
from stx.common import service

LOG = logging.getLogger(__name__)


def _run(argv):
    service.prepare_service(argv, __doc__.splitlines()[0])
    signals = service.ShutdownSignals()
    fm, = service.load_services(['fm'])
    service.check_database(fm.database)
    fm.start()
    print('stx-fm-manager ready', flush=True)
    try:
        signals.wait()
    finally:
        fm.stop()
        rpc.cleanup()
    LOG.info('stx-fm-manager stopped')


def main(argv=None):
    return service.run_command(_run, argv)


if __name__ == '__main__':
    sys.exit(main())
