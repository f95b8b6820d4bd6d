"""stx-flock configuration: every option group is registered on ``CONF``.

Code reads options with ``from stx.conf import CONF`` and reads intervals and
timeouts when it uses them, never at import time, so tests and reloads see
current values.
"""

from oslo_config import cfg

from stx.conf import agent
from stx.conf import api
from stx.conf import bmc
from stx.conf import database
from stx.conf import default
from stx.conf import drivers
from stx.conf import fm
from stx.conf import heartbeat
from stx.conf import messaging
from stx.conf import mtce
from stx.conf import pmon
from stx.conf import rmon
from stx.conf import sm
from stx.conf import sysinv
from stx.conf import upgrade_levels

CONF = cfg.CONF

for _module in (agent, api, bmc, database, default, drivers, fm, heartbeat,
                messaging, mtce, pmon, rmon, sm, sysinv, upgrade_levels):
    _module.register_opts(CONF)
