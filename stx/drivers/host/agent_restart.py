"""AgentRestartHost: a reboot that only restarts the agent.

The default host action driver of the all-in-one and of tests (DESIGN.md
§3): maintenance sees the host's agent go and come back with a new start
time, as after a reboot, and the machine itself is left alone.
"""

from oslo_log import log as logging

from stx.common import exception
from stx.drivers.host import base

LOG = logging.getLogger(__name__)


class AgentRestartHost(base.HostDriver):
    """Stands in for a reboot by restarting the agent."""

    def get_properties(self):
        """See :meth:`HostDriver.get_properties`: nothing to configure."""
        return {}

    def validate(self):
        """See :meth:`HostDriver.validate`.

        :raises: MissingParameterValue when the agent gave no way to
            restart it.
        """
        if self.restart_agent is None:
            raise exception.MissingParameterValue(
                field='restart_agent', reason='the agent-restart driver '
                'needs the agent to say how it restarts')

    def reboot(self):
        """Restart the agent instead of the machine."""
        self.validate()
        LOG.warning('Reboot requested: restarting the agent only (host '
                    'action driver agent-restart)')
        self.restart_agent()

    def shutdown(self):
        """Refused: stopping the agent would not power anything off."""
        raise exception.OperationNotPermitted(
            reason='the agent-restart host action driver does not shut '
            'hosts down; power the host off through its BMC')

    def enable_checks(self):
        """See :meth:`HostDriver.enable_checks`: none."""
        return []
