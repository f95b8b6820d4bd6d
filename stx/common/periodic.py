"""The one periodic-task mechanism: a function run every interval in a thread.

Audits (power-state sync, sensor reads) run through ``PeriodicTask``. The
interval is a callable read before each wait, so a changed option takes
effect at the next run; an interval of 0 pauses the task until it is
triggered or the interval becomes positive. A run that raises is logged
and the task goes on: one bad audit must not end the next ones.
"""

import threading
import time

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

# Seconds a paused task (interval 0) waits before reading its interval
# again.
_PAUSED_RECHECK = 5.0


class PeriodicTask:
    """Runs ``function()`` every ``interval()`` seconds until stopped.

    :param name: the task's name, for its thread and its log lines.
    :param function: called without arguments; what it returns is ignored.
    :param interval: a callable returning seconds (0: paused).
    :param run_at_start: run once at start instead of after one interval.
    """

    def __init__(self, name, function, interval, run_at_start=True):
        self.name = name
        self._function = function
        self._interval = interval
        self._run_at_start = run_at_start
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = None

    def start(self):
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.name,
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout=None):
        """Stop after the run in progress, waiting up to ``timeout`` s;
        a run still going then ends on its own (its thread is a daemon).
        """
        stop_all([self], timeout)

    def trigger(self):
        """Run as soon as the run in progress, if any, ends."""
        self._wake.set()

    def _wait(self):
        interval = self._interval()
        self._wake.wait(interval if interval > 0 else _PAUSED_RECHECK)
        if self._wake.is_set():
            self._wake.clear()
            return True
        return interval > 0

    def _loop(self):
        due = self._run_at_start
        while not self._stop.is_set():
            if due:
                try:
                    self._function()
                except Exception:
                    if self._stop.is_set():
                        # Stopping: what it called may be stopping too.
                        LOG.debug('Periodic task %(name)s failed while '
                                  'stopping', {'name': self.name},
                                  exc_info=True)
                    else:
                        LOG.exception('Periodic task %(name)s failed',
                                      {'name': self.name})
            due = self._wait()


def stop_all(tasks, timeout=None):
    """Stop ``tasks`` together, waiting up to ``timeout`` s in all."""
    threads = []
    for task in tasks:
        thread, task._thread = task._thread, None
        if thread is not None:
            task._stop.set()
            task._wake.set()
            threads.append(thread)
    deadline = None if timeout is None else time.monotonic() + timeout
    for thread in threads:
        thread.join(None if deadline is None
                    else max(0.0, deadline - time.monotonic()))
