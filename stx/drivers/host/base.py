"""The host action driver interface: what an agent does to its own host.

A host's agent reboots or shuts the host down, and runs the checks that must
pass before the host is enabled, through one of these drivers. Which one is
configuration: a real reboot only where an operator chose it, a stand-in
(restarting the agent) in the all-in-one and in tests.
"""

import abc


class HostDriver(abc.ABC):
    """Reboot, shut down and check the local host.

    :param restart_agent: a callable that restarts the agent that loaded
        the driver (a new process, or a new agent thread in the
        all-in-one), for drivers that stand in for a reboot that way.
    """

    def __init__(self, restart_agent=None):
        self.restart_agent = restart_agent

    @abc.abstractmethod
    def get_properties(self):
        """Describe the configuration the driver uses.

        :returns: a dict of option or key name to a description that says
            whether it is required.
        """

    @abc.abstractmethod
    def validate(self):
        """Check that the driver's configuration is usable.

        Fast and without side effects on the host.

        :raises: MissingParameterValue if something required is not
            configured.
        :raises: InvalidParameterValue if a configured value cannot be used.
        """

    @abc.abstractmethod
    def reboot(self):
        """Reboot the host (or what stands for it).

        May not return: a real reboot ends the calling process.

        :raises: OperationNotPermitted if the host refuses, with the reason.
        """

    @abc.abstractmethod
    def shutdown(self):
        """Power the host off from the inside (or what stands for it).

        May not return: a real shutdown ends the calling process.

        :raises: OperationNotPermitted if the host refuses, with the reason.
        """

    @abc.abstractmethod
    def enable_checks(self):
        """Run the checks a host must pass before it is enabled.

        :returns: the names of the checks that failed; an empty list means
            the host may be enabled.
        """
