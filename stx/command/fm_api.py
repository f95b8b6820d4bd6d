"""stx-fm-api: serve fm's REST API alone (port 18002).

Reads alarms and events straight from the database and sends writes to
stx-fm-manager over RPC. ``--port`` overrides ``[api] port``.
"""

import functools
import sys

from stx.command import standalone
from stx.common import service


def main(argv=None):
    return service.run_command(functools.partial(
        standalone.run_api, name='fm', program='stx-fm-api',
        description=__doc__.splitlines()[0]), argv)


if __name__ == '__main__':
    sys.exit(main())
