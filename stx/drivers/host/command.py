"""CommandHost: reboot and shut down with an operator's command.

``[agent] host_action_command`` is run with the action ("reboot" or
"shutdown") as its last argument, e.g. ``sudo systemctl`` for a real reboot,
or a lab script that restarts a simulated host. The command is started
detached and not waited for: a real reboot ends the agent anyway.
"""

import shlex
import subprocess

from oslo_log import log as logging

from stx.common import exception
from stx.conf import CONF
from stx.drivers.host import base

LOG = logging.getLogger(__name__)


class CommandHost(base.HostDriver):
    """Runs ``[agent] host_action_command <action>``."""

    def get_properties(self):
        """See :meth:`HostDriver.get_properties`."""
        return {'host_action_command': '[agent] option: the command run '
                'with "reboot" or "shutdown" appended. Required.'}

    def _command(self):
        command = CONF.agent.host_action_command
        if not command or not command.strip():
            raise exception.MissingParameterValue(
                field='host_action_command', reason='the command host '
                'action driver runs it; set it in [agent]')
        try:
            return shlex.split(command)
        except ValueError as error:
            raise exception.InvalidParameterValue(
                field='host_action_command', reason=str(error))

    def validate(self):
        """See :meth:`HostDriver.validate`."""
        self._command()

    def _run(self, action):
        argv = self._command() + [action]
        LOG.warning('Host action %(action)s: running %(argv)s',
                    {'action': action, 'argv': argv})
        try:
            subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        except OSError as error:
            raise exception.OperationNotPermitted(
                reason='cannot run %s: %s' % (argv[0], error))

    def reboot(self):
        """See :meth:`HostDriver.reboot`."""
        self._run('reboot')

    def shutdown(self):
        """See :meth:`HostDriver.shutdown`."""
        self._run('shutdown')

    def enable_checks(self):
        """See :meth:`HostDriver.enable_checks`: none configured."""
        return []
