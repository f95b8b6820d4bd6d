"""stx-mtce: host maintenance (power actions, power-state sync, hwmon).

Runs on the controllers, on the configured transport, next to the sysinv
conductor it reads hosts from and stores host state through.
"""

import functools
import sys

from stx.command import standalone
from stx.common import service


def main(argv=None):
    return service.run_command(functools.partial(
        standalone.run_manager, name='mtce', program='stx-mtce',
        description=__doc__.splitlines()[0]), argv)


if __name__ == '__main__':
    sys.exit(main())
