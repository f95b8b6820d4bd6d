"""stx-sysinv-conductor: the only writer of hosts and the system.

Runs sysinv's RPC server on the configured transport (RabbitMQ in a
standard deployment). It refuses a database that is not at its newest
revision: migrating is stx-dbsync's job.
"""

import functools
import sys

from stx.command import standalone
from stx.common import service


def main(argv=None):
    return service.run_command(functools.partial(
        standalone.run_manager, name='sysinv', program='stx-sysinv-conductor',
        description=__doc__.splitlines()[0]), argv)


if __name__ == '__main__':
    sys.exit(main())
