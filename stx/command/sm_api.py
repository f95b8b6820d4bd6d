"""stx-sm-api: serve sm's REST API alone (port 7777).

Asks the controllers' stx-sm over RPC for every answer; nothing is stored.
``--port`` overrides ``[api] port``.
"""

import functools
import sys

from stx.command import standalone
from stx.common import service


def main(argv=None):
    return service.run_command(functools.partial(
        standalone.run_api, name='sm', program='stx-sm-api',
        description=__doc__.splitlines()[0]), argv)


if __name__ == '__main__':
    sys.exit(main())
