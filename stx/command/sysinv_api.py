"""stx-sysinv-api: serve sysinv's REST API alone (port 6385).

Reads hosts straight from the database and sends writes to
stx-sysinv-conductor over RPC. ``--port`` overrides ``[api] port``.
"""

import functools
import sys

from stx.command import standalone
from stx.common import service


def main(argv=None):
    return service.run_command(functools.partial(
        standalone.run_api, name='sysinv', program='stx-sysinv-api',
        description=__doc__.splitlines()[0]), argv)


if __name__ == '__main__':
    sys.exit(main())
