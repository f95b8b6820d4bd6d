"""What the agent's monitors find wrong, reported to host maintenance.

The process monitor (stx.mtce.pmon, source ``process``) and the resource
monitor (stx.mtce.rmon, source ``resource``) each hand the reporter their
whole current set of conditions; the reporter casts a source's set to
stx-mtce (``host_conditions``) when it changed, and every source's set
every ``[agent] condition_report_interval`` seconds, so that a lost cast
or a maintenance restart is made good. Nothing is cast before the agent
knows its host; what the monitors found meanwhile is sent once it does.

Casts run in the reporter's own thread: a monitor never waits for the
message broker.
"""

import threading
import time

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import periodic
from stx.conf import CONF
from stx.mtce.pmon import config as pmon_config
from stx.mtce.pmon import monitor as pmon_monitor
from stx.mtce import rmon
from stx.mtce import rpcapi as mtce_rpcapi

LOG = logging.getLogger(__name__)

PROCESS = 'process'
RESOURCE = 'resource'

# Seconds stop() waits for a cast in progress.
_STOP_TIMEOUT = 1


class ConditionReporter:
    """Holds each monitor's conditions and casts them to stx-mtce.

    :param manager: the AgentManager (its ``host``, ``context`` and
        ``started_at``).
    :param mtce: an MtceAPI; a new one if None.
    :param clock: returns monotonic seconds; when full reports are due.
    """

    def __init__(self, manager, mtce=None, clock=time.monotonic):
        self._manager = manager
        self._mtce = mtce
        self._clock = clock
        self._lock = threading.Lock()
        # Source -> its current conditions, and what stx-mtce last got.
        # Both sources start empty: a monitor that is off, or has found
        # nothing yet, clears what a previous start of the agent reported.
        self._held = {PROCESS: [], RESOURCE: []}
        self._sent = {}
        self._sent_to = None        # the host uuid they were sent for
        self._last_full = None      # monotonic time of the last full report
        self._error = None          # the last cast failure logged
        self._task = periodic.PeriodicTask(
            'stx-agent-conditions', self.send,
            lambda: CONF.agent.condition_report_interval,
            run_at_start=False)

    @property
    def mtce(self):
        if self._mtce is None:
            self._mtce = mtce_rpcapi.MtceAPI()
        return self._mtce

    def start(self):
        self._task.start()

    def stop(self):
        self._task.stop(_STOP_TIMEOUT)

    def update(self, source, conditions):
        """Take a monitor's whole current set; never blocks on a cast.

        :param source: ``process`` or ``resource``.
        :param conditions: dicts with ``key``, ``severity`` and ``reason``.
        """
        conditions = sorted((dict(condition) for condition in conditions),
                            key=lambda condition: condition['key'])
        with self._lock:
            if self._held.get(source) == conditions:
                return
            self._held[source] = conditions
        self._task.trigger()

    def host_identified(self):
        """The agent knows its host now: send what is held."""
        self._task.trigger()

    def send(self):
        """Cast each source whose set changed; every source when a full
        report is due or the host is not the one last reported for.
        """
        host = self._manager.host
        if host is None:
            return
        now = self._clock()
        interval = CONF.agent.condition_report_interval
        full = (self._sent_to != host['uuid'] or self._last_full is None or
                now - self._last_full >= interval)
        if full:
            self._sent.clear()
            self._sent_to = host['uuid']
            self._last_full = now
        with self._lock:
            pending = {source: conditions
                       for source, conditions in self._held.items()
                       if self._sent.get(source) != conditions}
        for source, conditions in sorted(pending.items()):
            try:
                self.mtce.host_conditions(
                    self._manager.context, host['uuid'],
                    self._manager.started_at, source, conditions)
            except messaging.MessagingException as error:
                self._failed(error)
                return
            self._sent[source] = conditions
        if pending and self._error is not None:
            LOG.info('stx-agent: conditions reported to host maintenance '
                     'again')
            self._error = None

    def _failed(self, error):
        # Once per distinct failure; the sets are sent again at the next
        # change or full report.
        if str(error) != self._error:
            LOG.warning('stx-agent: conditions not reported to host '
                        'maintenance, retrying: %(error)s', {'error': error})
        self._error = str(error)


def start_monitors(reporter):
    """Start the process and resource monitors that are configured.

    :returns: the started monitors (each has ``stop()``).
    """
    monitors = []
    if CONF.pmon.conf_dir:
        processes = pmon_config.load(CONF.pmon.conf_dir)
        monitors.append(pmon_monitor.ProcessMonitor(
            processes, lambda found: reporter.update(PROCESS, found)))
    if CONF.rmon.audit_interval > 0:
        monitors.append(rmon.ResourceMonitor(
            lambda found: reporter.update(RESOURCE, found)))
    for monitor in monitors:
        monitor.start()
    return monitors
