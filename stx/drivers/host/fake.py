"""FakeHost: records the host actions it is asked for, in memory.

Tests read ``FakeHost.actions`` to see what the agent did, and set
``FakeHost.failed_checks`` to make enable checks fail; ``FakeHost.reset()``
restores both.
"""

import threading

from oslo_log import log as logging

from stx.drivers.host import base

LOG = logging.getLogger(__name__)

ACTION_REBOOT = 'reboot'
ACTION_SHUTDOWN = 'shutdown'


class FakeHost(base.HostDriver):
    """A host action driver that only records what it was asked."""

    #: The actions requested, oldest first (ACTION_REBOOT, ACTION_SHUTDOWN).
    actions = []
    #: What enable_checks() reports as failed; tests set it.
    failed_checks = []
    _lock = threading.Lock()

    @classmethod
    def reset(cls):
        """Forget the recorded actions and injected check failures."""
        with cls._lock:
            cls.actions.clear()
            cls.failed_checks.clear()

    def _record(self, action):
        with self._lock:
            self.actions.append(action)
        LOG.info('Fake host action %(action)s recorded', {'action': action})

    def get_properties(self):
        """See :meth:`HostDriver.get_properties`: nothing to configure."""
        return {}

    def validate(self):
        """See :meth:`HostDriver.validate`: always usable."""

    def reboot(self):
        """See :meth:`HostDriver.reboot`: records it and returns."""
        self._record(ACTION_REBOOT)

    def shutdown(self):
        """See :meth:`HostDriver.shutdown`: records it and returns."""
        self._record(ACTION_SHUTDOWN)

    def enable_checks(self):
        """See :meth:`HostDriver.enable_checks`."""
        with self._lock:
            return list(self.failed_checks)
