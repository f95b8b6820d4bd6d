"""Automatic recovery of failed hosts: the recovery ladder.

A host fails (unlocked / disabled / failed) when it loses heartbeat on every
network (stx.mtce.liveness), when a critical process of it failed past its
restarts (stx.mtce.conditions), or when it does not enable after an unlock
or a recovery (stx.mtce.lifecycle). Maintenance then repairs it on its own,
climbing StarlingX's ladder:

1. **graceful recovery** (heartbeat loss only): the host is given
   ``[mtce] graceful_recovery_timeout`` seconds to answer again by itself,
   and is then back in service without a reboot; at most
   ``max_graceful_recoveries`` times in a row;
2. **reboot through its agent**: up to ``reboot_attempts`` requests,
   ``reboot_retry_interval`` apart, each sent only when the agent answers;
   once the agent is back as a new start, the host goes through the enable
   stages of an unlock (tests, configuration, heartbeat soak);
3. **BMC reset**, when its agent took no reboot request and
   ``bmc_reset_delay`` seconds have passed since the failure (time for a
   crash dump): a reset counts only once the BMC confirms it; up to
   ``bmc_reset_attempts`` resets, each given the host's boot timeout to
   bring its agent back, then the enable stages.

A host that fails to enable (an unlock or a recovery) is rebooted again
after its cause's ``ar_<cause>_interval``, until it has failed
``ar_<cause>_threshold`` times in a row. Then, as when no reset brings it
back, it is left failed with "<cause> Failure, threshold reached,
Lock/Unlock to retry" and alarm 200.004 saying so. A lock cancels a
recovery and starts the counts again.

Every rung is explained: a 200.021 customer log and the host's
``last_maintenance_action`` say what was done and why (which networks went
silent and since when, attempt numbers, what the BMC answered).
"""

import collections
import threading
import time

from oslo_log import log as logging

from stx.common import exception
from stx.common import states
from stx.conf import CONF
from stx.drivers.bmc import base as bmc_base
from stx.mtce import bmc as mtce_bmc
from stx.mtce import faults as mtce_faults
from stx.mtce import fsm
from stx.mtce import lifecycle
from stx.mtce import power

LOG = logging.getLogger(__name__)

# Why a host failed in service; an enable failure's cause is one of
# lifecycle.CAUSE_*.
CAUSE_HEARTBEAT_LOSS = 'heartbeat-loss'
CAUSE_PROCESS = 'process'
# stx-mtce restarted while it was recovering the host.
CAUSE_RESUMED = 'resumed'

# Enable failure causes that count towards [mtce] ar_<cause>_threshold,
# and how StarlingX names them in the task of a host given up on.
AUTO_RECOVERY_CAUSES = {
    lifecycle.CAUSE_CONFIG: 'Configuration',
    lifecycle.CAUSE_GOENABLE: 'In-Test',
    lifecycle.CAUSE_HEARTBEAT: 'Heartbeat',
}

# Seconds between two looks at a host waiting for its heartbeat.
HEARTBEAT_POLL_INTERVAL = 0.1

Failure = collections.namedtuple('Failure', 'cause reason')
Failure.__doc__ = ('Why a host is failed: a CAUSE_* or lifecycle.CAUSE_*, '
                   'and a sentence saying what was seen.')


class Recovery:
    """Carries out the recovery ladder; each ``run`` in a worker thread.

    :param conductor: a sysinv ConductorAPI.
    :param faults: the HostFaults alarms and logs go through.
    :param agents: an AgentAPI.
    :param bmcs: the BMCAccess.
    :param liveness: the stx.mtce.liveness.Liveness heartbeat view.
    :param lifecycle_: the Lifecycle whose enable stages a rebooted host
        goes through, and through which host states are stored.
    :param degraded: ``degraded(host_uuid)`` gives what degrades the host
        besides heartbeat.
    """

    def __init__(self, conductor, faults, agents, bmcs, liveness,
                 lifecycle_, degraded=lambda host_uuid: ()):
        self._conductor = conductor
        self._faults = faults
        self._agents = agents
        self._bmcs = bmcs
        self._liveness = liveness
        self._lifecycle = lifecycle_
        self._degraded = degraded
        self._lock = threading.Lock()
        # host uuid -> graceful recoveries in a row.
        self._graceful = collections.Counter()
        # host uuid -> {cause: enable failures in a row}.
        self._enable_failures = collections.defaultdict(collections.Counter)

    def forget(self, host_uuid):
        """Start the counts of a host again (it was locked)."""
        with self._lock:
            self._graceful.pop(host_uuid, None)
            self._enable_failures.pop(host_uuid, None)

    # The ladder.

    def run(self, context, host, failure, cancelled):
        """Recover a failed host; returns once it is back in service, given
        up on, or ``cancelled`` is set.
        """
        failed_at = time.monotonic()
        while failure is not None and not cancelled.is_set():
            if failure.cause in AUTO_RECOVERY_CAUSES:
                if not self._wait_before_retry(context, host, failure,
                                               cancelled):
                    return
                failed_at = time.monotonic()
            failure = self._climb(context, host, failure, failed_at,
                                  cancelled)
            host = self._current(context, host)
            if host is None or host['administrative'] != states.UNLOCKED:
                return

    def _wait_before_retry(self, context, host, failure, cancelled):
        """Count an enable failure; wait before the next try, or give up.

        :returns: whether to try again.
        """
        with self._lock:
            counts = self._enable_failures[host['uuid']]
            counts[failure.cause] += 1
            count = counts[failure.cause]
        threshold = getattr(CONF.mtce, 'ar_%s_threshold' % failure.cause)
        if count >= threshold:
            self._give_up(context, host, failure,
                          AUTO_RECOVERY_CAUSES[failure.cause],
                          '%d enable failures in a row (threshold %d)'
                          % (count, threshold))
            return False
        interval = getattr(CONF.mtce, 'ar_%s_interval' % failure.cause)
        self._explain(context, host, '%s could not be enabled (%s; failure '
                      '%d of %d): rebooting it again in %gs' % (
                          host['hostname'], failure.reason, count,
                          threshold, interval),
                      task=states.TASK_AUTO_RECOVERY_WAIT)
        return not cancelled.wait(interval)

    def _climb(self, context, host, failure, failed_at, cancelled):
        """One climb of the ladder; the enable failure it ended with, if
        any (None: in service, given up on, or cancelled).
        """
        uuid = host['uuid']
        with self._lock:
            graceful_left = (CONF.mtce.max_graceful_recoveries -
                             self._graceful[uuid])
        if failure.cause == CAUSE_HEARTBEAT_LOSS and graceful_left > 0:
            if self._graceful_recovery(context, host, failure, cancelled):
                return None
        elif failure.cause == CAUSE_HEARTBEAT_LOSS:
            self._explain(context, host, 'No graceful recovery for %s: it '
                          'recovered gracefully %d times in a row; '
                          'rebooting it' % (host['hostname'],
                                            CONF.mtce.max_graceful_recoveries))
        if cancelled.is_set():
            return None
        with self._lock:
            self._graceful.pop(uuid, None)
        if failure.cause != lifecycle.CAUSE_BOOT:
            # (A host its reboot did not bring back is reset at once.)
            before = self._request_reboot(context, host, failure,
                                          cancelled)
            if before is not None:
                return self._after_reboot(context, host, before,
                                          'its reboot', cancelled)
            if cancelled.is_set():
                return None
        if not mtce_bmc.has_bmc(host):
            return self._wait_for_agent(context, host, cancelled)
        return self._reset(context, host, failure, failed_at, cancelled)

    def _graceful_recovery(self, context, host, failure, cancelled):
        """Rung 1: wait for heartbeat to come back; True if it did."""
        timeout = CONF.mtce.graceful_recovery_timeout
        deadline = time.monotonic() + timeout
        waited = time.monotonic()
        while not self._liveness.reachable(host):
            if time.monotonic() >= deadline or cancelled.wait(
                    HEARTBEAT_POLL_INTERVAL):
                return False
        with self._lock:
            self._graceful[host['uuid']] += 1
            count = self._graceful[host['uuid']]
        current = self._current(context, host)
        if current is None or fsm.rule_for(
                current, fsm.HEARTBEAT_RECOVERED) is None:
            return True
        values = fsm.transition(current, fsm.HEARTBEAT_RECOVERED,
                                degraded=bool(self._degraded(host['uuid'])))
        values['task'] = ''
        stored = self._explain(
            context, current, 'Graceful recovery of %s (%d of %d in a row): '
            'it answers heartbeat again %.1fs later, without a reboot'
            % (host['hostname'], count, CONF.mtce.max_graceful_recoveries,
               time.monotonic() - waited), values=values)
        self._liveness.clear_alarms(stored)
        return True

    def _request_reboot(self, context, host, failure, cancelled):
        """Rung 2: reboot requests; the agent's status before the one it
        took, or None if it took none.
        """
        attempts = CONF.mtce.reboot_attempts
        for attempt in range(1, attempts + 1):
            before = power.agent_status(self._agents, context, host['uuid'])
            if before is not None:
                self._send_reboot(context, host, '(request %d of %d): %s' % (
                    attempt, attempts, failure.reason))
                return before
            LOG.info('Host %(host)s: reboot request %(attempt)d of '
                     '%(attempts)d not sent, its agent does not answer',
                     {'host': host['hostname'], 'attempt': attempt,
                      'attempts': attempts})
            if attempt < attempts and cancelled.wait(
                    CONF.mtce.reboot_retry_interval):
                return None
        if attempts:
            self._explain(context, host, '%s took none of %d reboot '
                          'requests: its agent does not answer'
                          % (host['hostname'], attempts))
        return None

    def _send_reboot(self, context, host, why):
        self._agents.host_action(context, host['uuid'], 'reboot')
        self._explain(context, host, 'Reboot of %s requested through its '
                      'agent %s' % (host['hostname'], why),
                      event=fsm.REBOOTING, task=states.TASK_RECOVERY_REBOOT)

    def _wait_for_agent(self, context, host, cancelled):
        """A host with no BMC: reboot it once its agent answers again."""
        self._explain(context, host, 'No BMC to reset %s with: waiting for '
                      'its agent to answer again' % host['hostname'],
                      task=states.TASK_GRACEFUL_RECOVERY_WAIT)
        while not cancelled.wait(CONF.mtce.reboot_retry_interval):
            before = power.agent_status(self._agents, context, host['uuid'])
            if before is not None:
                self._send_reboot(context, host, '(its agent answers again)')
                return self._after_reboot(context, host, before,
                                          'its reboot', cancelled)
        return None

    def _reset(self, context, host, failure, failed_at, cancelled):
        """Rung 3: BMC resets, after the delay since the failure."""
        name = host['hostname']
        delay = failed_at + CONF.mtce.bmc_reset_delay - time.monotonic()
        if delay > 0:
            self._explain(context, host, 'BMC reset of %s in %.0fs (%gs '
                          'after its failure, time for a crash dump)'
                          % (name, delay, CONF.mtce.bmc_reset_delay),
                          task=states.TASK_RECOVERY_RESET_WAIT)
            if cancelled.wait(delay):
                return None
        attempts = CONF.mtce.bmc_reset_attempts
        timeout = lifecycle.boot_timeout(host)
        for attempt in range(1, attempts + 1):
            self._lifecycle.store(context, host, {'task': '%s %d of %d' % (
                states.TASK_RECOVERY_RESET, attempt, attempts)})
            try:
                state = self._bmcs.call(
                    host, 'set_power_state', bmc_base.POWER_RESET,
                    timeout=CONF.mtce.power_action_timeout)
            except exception.StxException as error:
                self._explain(context, host, 'BMC reset of %s (%d of %d) '
                              'failed: %s' % (name, attempt, attempts,
                                              error))
                if cancelled.wait(CONF.mtce.reboot_retry_interval):
                    return None
                continue
            self._explain(context, host, 'BMC reset of %s (%d of %d), '
                          'confirmed by its BMC (power %s): %s' % (
                              name, attempt, attempts, state,
                              failure.reason), event=fsm.REBOOTING)
            failure_after = self._after_reboot(
                context, host, None, 'BMC reset %d' % attempt, cancelled,
                timeout)
            if failure_after is None or \
                    failure_after.cause != lifecycle.CAUSE_BOOT:
                return failure_after
            failure = failure_after
        self._give_up(context, host, failure, 'Recovery',
                      '%d BMC resets did not bring it back' % attempts)
        return None

    def _after_reboot(self, context, host, before, how, cancelled,
                      timeout=None):
        """Wait for the agent's new start, then enable the host.

        :returns: None when enabled (or cancelled), else the Failure.
        """
        timeout = timeout or lifecycle.boot_timeout(host)
        after = power.wait_for_agent(self._agents, context, host['uuid'],
                                     before, timeout, cancelled)
        if cancelled.is_set():
            return None
        if after is None:
            reason = ('its agent did not answer within %ss of %s'
                      % (timeout, how))
            self._explain(context, host, '%s: %s' % (host['hostname'],
                                                     reason))
            return Failure(lifecycle.CAUSE_BOOT, reason)
        current = dict(self._current(context, host) or host,
                       started_at=after['started_at'])
        error = self._lifecycle.finish_enable(context, current, cancelled,
                                              'Recovery')
        if error is not None:
            return Failure(error.cause, str(error))
        if cancelled.is_set():
            return None
        with self._lock:
            self._enable_failures.pop(host['uuid'], None)
        self._liveness.clear_alarms(current)
        self._explain(context, current, '%s recovered: back in service '
                      'after %s' % (host['hostname'], how))
        return None

    def _give_up(self, context, host, failure, words, why):
        text = '%s left failed: %s (%s); lock and unlock it to try again' % (
            host['hostname'], why, failure.reason)
        self._explain(context, host, text,
                      task=states.TASK_RECOVERY_GAVE_UP % words)
        self._faults.raise_alarm(mtce_faults.HOST_FAILED,
                                 mtce_faults.host_entity(host),
                                 states.SEVERITY_CRITICAL, text)
        LOG.warning('%(text)s', {'text': text})

    # Storing and explaining.

    def _current(self, context, host):
        try:
            current = self._conductor.get_mtce_hosts(context,
                                                     host['uuid'])[0]
        except exception.HostNotFound:
            return None
        return mtce_bmc.updated(host, current)

    def _explain(self, context, host, text, event=None, task=None,
                 values=None):
        """Record an automatic action: the host's last maintenance action
        (with the state change ``event`` and ``task``, if any) and a 200.021
        customer log.
        """
        values = dict(values or {})
        if event is not None:
            current = self._current(context, host) or host
            if fsm.rule_for(current, event) is not None:
                values.update(fsm.transition(current, event))
        if task is not None:
            values['task'] = task
        values.update(mtce_faults.explained(text))
        LOG.info('%(text)s', {'text': text})
        self._faults.log(mtce_faults.HOST_ACTION,
                         mtce_faults.host_entity(host), text)
        return self._lifecycle.store(context, host, values)
