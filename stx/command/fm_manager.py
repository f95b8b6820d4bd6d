"""stx-fm-manager: the only writer of alarms and the event log.

Runs fm's RPC server, its writer and notifier threads on the configured
transport. It refuses a database that is not at its newest revision:
migrating is stx-dbsync's job.
"""

import functools
import sys

from stx.command import standalone
from stx.common import service


def main(argv=None):
    return service.run_command(functools.partial(
        standalone.run_manager, name='fm', program='stx-fm-manager',
        description=__doc__.splitlines()[0]), argv)


if __name__ == '__main__':
    sys.exit(main())
