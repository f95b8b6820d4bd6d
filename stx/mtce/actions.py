"""Which hosts have a maintenance action in progress.

An action (power, lock, unlock, reinstall, recovery) owns its host while it
runs: other actions are refused, and heartbeat leaves the host's state to
it. An action may be cancelled (a force-lock cancels an unlock, a lock a
recovery) and looks at its cancel event between its steps.
"""

import threading
import time


class HostActions:
    """Which hosts have an action in progress, which one, and a way to
    cancel it.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._tasks = {}
        self._cancel = {}

    def acquire(self, host_uuid, task):
        """Take the host for an action; False if another one has it."""
        with self._lock:
            if host_uuid in self._tasks:
                return False
            self._tasks[host_uuid] = task
            self._cancel[host_uuid] = threading.Event()
            return True

    def retask(self, host_uuid, task):
        """Say the host's action is now ``task``."""
        with self._lock:
            if host_uuid in self._tasks:
                self._tasks[host_uuid] = task

    def release(self, host_uuid):
        with self._lock:
            self._tasks.pop(host_uuid, None)
            self._cancel.pop(host_uuid, None)

    def busy(self, host_uuid):
        with self._lock:
            return host_uuid in self._tasks

    def task(self, host_uuid):
        with self._lock:
            return self._tasks.get(host_uuid)

    def cancel_all(self):
        """Have every action stop (stx-mtce stops)."""
        with self._lock:
            for event in self._cancel.values():
                event.set()

    def cancelled(self, host_uuid):
        """The event that cancels the host's action (set: cancelled)."""
        with self._lock:
            return self._cancel.get(host_uuid) or threading.Event()

    def cancel(self, host_uuid, timeout):
        """Cancel the host's action; wait until it has let the host go.

        :returns: whether the host is free.
        """
        self.cancelled(host_uuid).set()
        deadline = time.monotonic() + timeout
        while self.busy(host_uuid):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True
