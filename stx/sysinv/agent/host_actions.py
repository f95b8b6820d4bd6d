"""What an agent does when host maintenance asks it to reboot or shut its
host down: the configured host action driver does it, in its own thread,
so that the RPC message that asked is acknowledged first.
"""

import os
import threading

from oslo_log import log as logging

from stx.common import exception
from stx.conf import CONF
from stx.drivers import loader

LOG = logging.getLogger(__name__)

REBOOT = 'reboot'
SHUTDOWN = 'shutdown'
ACTIONS = (REBOOT, SHUTDOWN)


def boot_id(proc_root):
    """The kernel's boot id (new at each boot), or None if unreadable."""
    try:
        with open(os.path.join(proc_root, 'sys', 'kernel', 'random',
                               'boot_id')) as f:
            return f.read().strip() or None
    except OSError:
        return None


def run(action, restart_agent):
    """Carry out ``action`` with ``[agent] host_action_driver``.

    :param restart_agent: how the agent restarts, for the agent-restart
        driver.
    :returns: True if the driver was asked, False if it refused or could
        not be loaded (logged with the reason).
    """
    if action not in ACTIONS:
        LOG.error('Host action %(action)r refused: not one of %(actions)s',
                  {'action': action, 'actions': ', '.join(ACTIONS)})
        return False
    name = CONF.agent.host_action_driver
    try:
        driver = loader.load(loader.HOST, name, restart_agent=restart_agent,
                             field='host_action_driver')
        driver.validate()
        LOG.warning('Host action %(action)s requested by maintenance: '
                    'host action driver %(driver)s',
                    {'action': action, 'driver': name})
        getattr(driver, action)()
    except exception.StxException as error:
        LOG.error('Host action %(action)s failed: %(error)s',
                  {'action': action, 'error': error})
        return False
    return True


def start(action, restart_agent):
    """``run`` in a new thread; returns at once."""
    threading.Thread(target=run, args=(action, restart_agent),
                     name='stx-agent-host-action', daemon=True).start()
