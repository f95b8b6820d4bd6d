"""stx-mtce's manager: the RPC endpoint and the audits it runs.

sysinv's API hands it host actions (``host_action``) once they passed the
API's checks; the manager checks what only maintenance knows (the host has
a BMC, no action is in progress), sets the host's task and returns, and a
worker thread carries the action out (stx.mtce.power). ``host_modified``
says a host's BMC fields changed, so its power state and sensors are
checked again at once.

Two periodic tasks run while the manager is started: the power-state audit
(stx.mtce.powersync) and the sensor reads (stx.mtce.hwmon). Both read the
hosts from a cache that the power audit refreshes from the conductor and
``host_modified`` invalidates.
"""

import threading
import time

import futurist
from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import context as stx_context
from stx.common import exception
from stx.common import periodic
from stx.common import states
from stx.conf import CONF
from stx.mtce import actions as mtce_actions
from stx.mtce import bmc as mtce_bmc
from stx.mtce import conditions as mtce_conditions
from stx.mtce import faults as mtce_faults
from stx.mtce import fsm
from stx.mtce import hwmon
from stx.mtce import lifecycle
from stx.mtce import liveness
from stx.mtce import power
from stx.mtce import powersync
from stx.mtce import recovery
from stx.mtce import swact
from stx.sysinv.agent import rpcapi as agent_rpcapi
from stx.sysinv.conductor import rpcapi as conductor_rpcapi

LOG = logging.getLogger(__name__)

# Seconds between two hwmon ticks, which start the reads that are due.
HWMON_TICK = 1.0
# Seconds the host list is used before it is read again, even when the
# power audit (which refreshes it) is disabled.
HOSTS_MAX_AGE = 30.0
# Seconds stop() waits for an audit in progress.
STOP_TIMEOUT = 1.0

EXPECTED = (exception.Invalid, exception.NotFound, exception.Conflict)


class MtceManager:
    """RPC endpoint of stx-mtce (stx.mtce.rpcapi) and owner of its audits.

    :param conductor: a sysinv ConductorAPI; one with ``[mtce]
        rpc_timeout`` by default.
    :param fault_api: an fm client for the alarms and logs; an
        asynchronous one by default.
    :param agents: an AgentAPI; the default one otherwise.
    :param sm: a stx.sm.rpcapi.SMAPI for swacts; the default one
        otherwise.
    """

    target = messaging.Target(version='1.2')

    def __init__(self, conductor=None, fault_api=None, agents=None,
                 sm=None):
        self.conductor = conductor or conductor_rpcapi.ConductorAPI(
            timeout=CONF.mtce.rpc_timeout)
        agents = agents or agent_rpcapi.AgentAPI()
        self.faults = mtce_faults.HostFaults(fault_api)
        self.actions = mtce_actions.HostActions()
        self.bmcs = mtce_bmc.BMCAccess(self.faults)
        self._executor = futurist.ThreadPoolExecutor(
            max_workers=CONF.mtce.bmc_workers)
        # Actions get their own threads: a long reboot must not take a
        # worker the audits need.
        self._action_executor = futurist.ThreadPoolExecutor(
            max_workers=CONF.mtce.bmc_workers)
        self.power = power.PowerActions(
            self.conductor, self.bmcs, self.faults, agents)
        self.power_audit = powersync.PowerAudit(
            self.conductor, self.bmcs, self.faults, self._executor,
            self.actions.busy)
        self.hwmon = hwmon.SensorMonitor(
            self.conductor, self.bmcs, self.faults, self._executor,
            self.actions)
        self.conditions = mtce_conditions.Conditions(self.faults)
        self.liveness = liveness.Liveness(
            self.conductor, self.faults, self.actions, self.host_of,
            self.stored, self.conditions.degrade_reasons,
            self._heartbeat_failed)
        self.lifecycle = lifecycle.Lifecycle(
            self.conductor, self.faults, agents, self.bmcs, self.liveness,
            self.stored, self.conditions.degrade_reasons)
        self.swacts = swact.Swacts(self.conductor, self.faults, sm)
        self.recovery = recovery.Recovery(
            self.conductor, self.faults, agents, self.bmcs, self.liveness,
            self.lifecycle, self.conditions.degrade_reasons)
        self._context = stx_context.get_admin_context()
        self._hosts_lock = threading.Lock()
        self._hosts = None
        self._hosts_read = 0.0
        self._first_read = True
        self._sysinv_missing = False
        self._tasks = [
            periodic.PeriodicTask('mtce-power-audit', self.audit_power,
                                  lambda: CONF.mtce.power_audit_interval),
            periodic.PeriodicTask('mtce-hwmon', self.audit_sensors,
                                  lambda: HWMON_TICK),
        ]

    # Life cycle.

    def start(self):
        """Start heartbeat and the audits; the first host list they read
        also tells which alarms were raised, and which actions were under
        way, before a restart.
        """
        self.liveness.start()
        for task in self._tasks:
            task.start()

    def stop(self):
        # An audit waiting on a BMC or on the conductor (stopping too in
        # the all-in-one) is not waited for: it changes nothing it has
        # not stored, and the next start audits again.
        periodic.stop_all(self._tasks, STOP_TIMEOUT)
        self.actions.cancel_all()
        self.liveness.stop()
        self._executor.shutdown(wait=False)
        self._action_executor.shutdown(wait=False)
        self.faults.close()

    # The hosts, cached between audits.

    def hosts(self, refresh=False):
        """Every host with its BMC fields (from the conductor)."""
        first = False
        with self._hosts_lock:
            if (refresh or self._hosts is None or
                    time.monotonic() - self._hosts_read > HOSTS_MAX_AGE):
                self._hosts = {host['uuid']: host for host in
                               self.conductor.get_mtce_hosts(self._context)}
                self._hosts_read = time.monotonic()
                hosts = list(self._hosts.values())
                if self._first_read:
                    # Once, before any audit acts on these hosts.
                    self.bmcs.load_alarms(hosts)
                    self.hwmon.load_alarms(hosts)
                    self.liveness.load(hosts)
                    self.conditions.load(hosts)
                    self._first_read = False
                    first = True
                self.liveness.set_hosts(hosts)
            hosts = list(self._hosts.values())
        if first:
            self._resume(hosts)
        return hosts

    def host_of(self, host_uuid):
        """The cached host ``host_uuid``; None if unknown."""
        with self._hosts_lock:
            return (self._hosts or {}).get(host_uuid)

    def stored(self, host):
        """A host's state was stored: cache it, pulse it accordingly."""
        if host is None:
            return
        with self._hosts_lock:
            if self._hosts is None:
                return
            cached = self._hosts.get(host['uuid'])
            if cached is not None:
                cached.update({field: host[field] for field in cached
                               if field in host and field != 'bm_password'})
            hosts = list(self._hosts.values())
        self.liveness.set_hosts(hosts)

    def _invalidate(self):
        with self._hosts_lock:
            self._hosts_read = 0.0

    # Periodic tasks.

    def audit_power(self):
        hosts = self._audited_hosts(refresh=True)
        if hosts is not None:
            self.power_audit.run(self._context, hosts)

    def audit_sensors(self):
        hosts = self._audited_hosts()
        if hosts is not None:
            self.liveness.retry()
            self.hwmon.run(self._context, hosts)

    def _audited_hosts(self, refresh=False):
        """The hosts, or None (said once) while sysinv does not answer."""
        try:
            hosts = self.hosts(refresh=refresh)
        except exception.ServiceUnavailable as error:
            if not self._sysinv_missing:
                self._sysinv_missing = True
                LOG.warning('Audits paused: %(error)s', {'error': error})
            return None
        if self._sysinv_missing:
            self._sysinv_missing = False
            LOG.info('Audits resumed: the sysinv conductor answers')
        return hosts

    def _resume(self, hosts):
        """Take up the actions a previous stx-mtce left under way."""
        for host in hosts:
            if _recovering(host):
                cause = (recovery.CAUSE_HEARTBEAT_LOSS if host['task'] ==
                         states.TASK_GRACEFUL_RECOVERY_WAIT
                         else recovery.CAUSE_RESUMED)
                self._recover(host, recovery.Failure(
                    cause, 'stx-mtce restarted during its recovery (%s)'
                    % host['task']))
                continue
            action = _INTERRUPTED.get(host['task'])
            if action is None:
                continue
            try:
                if self._resumable(host, action):
                    LOG.info('Host %(host)s: resuming %(action)s',
                             {'host': host['hostname'], 'action': action})
                    self._start(self._context, host, action, resume=True)
                    continue
                self.conductor.update_host_state(
                    self._context, host['uuid'],
                    {'task': mtce_faults.clip('%s interrupted: stx-mtce '
                                              'restarted; try again'
                                              % host['task'])},
                    expected={'task': host['task']})
            except Exception:
                LOG.exception('Host %(host)s: cannot take up %(task)s',
                              {'host': host['hostname'],
                               'task': host['task']})

    @staticmethod
    def _resumable(host, action):
        if action == states.ACTION_LOCK:
            return host['administrative'] == states.UNLOCKED
        return (action == states.ACTION_UNLOCK and
                host['administrative'] == states.UNLOCKED and
                host['operational'] == states.DISABLED)

    # RPC methods.

    @messaging.expected_exceptions(*EXPECTED)
    def host_action(self, context, host_uuid, action):
        """Accept an action sysinv checked; carry it out in the background.

        :raises: HostNotFound; InvalidStateTransition when maintenance
            cannot carry it out for this host (no BMC for a power action);
            HostActionInProgress when the host has one going.
        """
        host = self.conductor.get_mtce_hosts(context, host_uuid)[0]
        if action in lifecycle.ACTIONS:
            lifecycle.check_action(host, action)
        elif action != states.ACTION_SWACT:
            power.check_action(host, action)
        if action == states.ACTION_LOCK and \
                host['personality'] == states.CONTROLLER:
            self.swacts.check_lock(
                context, host, self.conductor.get_mtce_hosts(context))
        running = self.actions.task(host['uuid'])
        if action in lifecycle.LOCK_ACTIONS and (
                running == RECOVERING or
                action != states.ACTION_LOCK and running in _CANCELLABLE):
            # A lock stops a recovery; a force-lock also an unlock that
            # does not finish.
            self.actions.cancel(host['uuid'], CANCEL_TIMEOUT)
            host = self.conductor.get_mtce_hosts(context, host_uuid)[0]
        if action in lifecycle.LOCK_ACTIONS:
            self.recovery.forget(host['uuid'])
        self._start(context, host, action)

    def _start(self, context, host, action, resume=False):
        task = _task_of(action)
        if not self.actions.acquire(host['uuid'], task):
            raise exception.HostActionInProgress(
                action=action, target=host['hostname'] or host['uuid'],
                task=self.actions.task(host['uuid']), field='action')
        try:
            if not resume:
                host = self._accept(context, host, action, task)
            LOG.info('Host %(host)s: %(action)s accepted',
                     {'host': host['hostname'], 'action': action})
            self._action_executor.submit(self._run_action, context, host,
                                         action)
        except Exception:
            self.actions.release(host['uuid'])
            raise

    def _accept(self, context, host, action, task):
        """Store an accepted action's task (and first state change).

        A swact is accepted once the controller's stx-sm started it.
        """
        if action in lifecycle.ACTIONS:
            return self.lifecycle.accept(context, host, action)
        if action == states.ACTION_SWACT:
            self.swacts.start(context, host)
        self.conductor.update_host_state(context, host['uuid'],
                                         {'task': task})
        return host

    def _run_action(self, context, host, action):
        try:
            if action in lifecycle.ACTIONS:
                cancelled = self.actions.cancelled(host['uuid'])
                failed = self.lifecycle.run(context, host, action, cancelled)
                if failed is not None:
                    # The unlock left the host failed: recover it.
                    self.actions.retask(host['uuid'], RECOVERING)
                    self.recovery.run(context, host, recovery.Failure(
                        failed.cause, str(failed)), cancelled)
            elif action == states.ACTION_SWACT:
                self.swacts.run(context, host)
            else:
                self.power.run(context, host, action)
        except Exception:
            LOG.exception('Action %(action)s of %(host)s failed',
                          {'action': action, 'host': host['hostname']})
            # The task must not say forever that the action runs.
            try:
                self.conductor.update_host_state(
                    context, host['uuid'],
                    {'task': '%s failed: internal error, see the stx-mtce '
                             'log' % action})
            except Exception:
                LOG.exception('Cannot reset the task of %(host)s',
                              {'host': host['hostname']})
        finally:
            self.actions.release(host['uuid'])
            self._invalidate()

    def host_modified(self, context, host_uuid):
        """A host's BMC fields changed: check it at the next audits."""
        self.bmcs.forget(host_uuid)
        self.hwmon.host_changed(host_uuid)
        self._invalidate()
        self._tasks[0].trigger()

    # Failures and conditions.

    def _recover(self, host, failure):
        """Start the recovery ladder for a failed host, unless an action
        has it.
        """
        # The cached host has its BMC password token; a stored one not.
        host = mtce_bmc.updated(self.host_of(host['uuid']) or {}, host)
        if not self.actions.acquire(host['uuid'], RECOVERING):
            LOG.info('Host %(host)s: %(action)s in progress; no recovery '
                     'now', {'host': host['hostname'],
                             'action': self.actions.task(host['uuid'])})
            return
        LOG.info('Host %(host)s failed (%(reason)s): recovering it',
                 {'host': host['hostname'], 'reason': failure.reason})
        try:
            self._action_executor.submit(self._run_recovery, host, failure)
        except Exception:
            self.actions.release(host['uuid'])
            raise

    def _run_recovery(self, host, failure):
        try:
            self.recovery.run(self._context, host, failure,
                              self.actions.cancelled(host['uuid']))
        except Exception:
            LOG.exception('Recovery of %(host)s failed',
                          {'host': host['hostname']})
        finally:
            self.actions.release(host['uuid'])
            self._invalidate()

    def _heartbeat_failed(self, host, reason):
        self._recover(host, recovery.Failure(recovery.CAUSE_HEARTBEAT_LOSS,
                                             reason))

    def host_conditions(self, context, host_uuid, started_at, source,
                        conditions):
        """A host's monitors report their conditions (cast, RPC 1.2)."""
        host = self.host_of(host_uuid)
        if host is None:
            try:
                self.hosts(refresh=True)
            except exception.ServiceUnavailable as error:
                LOG.warning('Conditions of host %(uuid)s not taken: '
                            '%(error)s', {'uuid': host_uuid, 'error': error})
                return
            host = self.host_of(host_uuid)
            if host is None:
                return
        if self.conditions.report(host, started_at, source, conditions):
            self._apply_conditions(context, host)

    def _apply_conditions(self, context, host):
        """Fail, degrade or undegrade an in-service host as its monitors'
        conditions say.
        """
        uuid = host['uuid']
        if self.actions.busy(uuid):
            return      # What it ends with takes the conditions into account.
        failures = self.conditions.failure_reasons(uuid)
        degrades = self.conditions.degrade_reasons(uuid)
        if failures and fsm.rule_for(host, fsm.FAILED):
            event, why = fsm.FAILED, '; '.join(failures)
        elif degrades and fsm.rule_for(host, fsm.DEGRADED):
            event, why = fsm.DEGRADED, '; '.join(degrades)
        elif (not degrades and fsm.rule_for(host, fsm.DEGRADE_CLEARED) and
                not self.liveness.degraded(host)):
            event, why = fsm.DEGRADE_CLEARED, 'nothing degrades it any more'
        else:
            return
        values = fsm.transition(host, event)
        text = '%s is now %s: %s' % (
            host['hostname'], '/'.join(values.get(field, host[field]) for
                                       field in (fsm.ADMIN, fsm.OPER,
                                                 fsm.AVAIL)), why)
        values.update(mtce_faults.explained(text))
        stored = self.conductor.update_host_state(
            context, uuid, values, expected={
                field: host[field] for field in (fsm.ADMIN, fsm.OPER,
                                                 fsm.AVAIL)})
        if stored is None:
            return
        self.stored(stored)
        entity = mtce_faults.host_entity(stored)
        LOG.warning('%(text)s', {'text': text})
        self.faults.log(mtce_faults.HOST_STATE_CHANGE, entity, text,
                        severity=_CONDITION_SEVERITY.get(
                            event, states.SEVERITY_NOT_APPLICABLE))
        if event == fsm.FAILED:
            self.faults.raise_alarm(
                mtce_faults.HOST_FAILED, entity, states.SEVERITY_CRITICAL,
                '%s failed: %s; maintenance is recovering it'
                % (stored['hostname'], why))
            self._recover(stored, recovery.Failure(recovery.CAUSE_PROCESS,
                                                   why))

    def goenabled(self, context, host_uuid, started_at, passed, reasons):
        """A host's agent reports its enable tests (cast, RPC 1.1)."""
        LOG.info('Host %(uuid)s: enable tests %(result)s%(reasons)s',
                 {'uuid': host_uuid,
                  'result': 'passed' if passed else 'failed',
                  'reasons': ': ' + '; '.join(reasons) if reasons else ''})
        host = self.host_of(host_uuid)
        if host is not None:
            self.conditions.new_start(host, started_at)
        self.lifecycle.reports.record(
            host_uuid, {'started_at': started_at, 'passed': passed,
                        'reasons': list(reasons or ())})


# Seconds a force-lock waits for the unlock it cancels to let go.
CANCEL_TIMEOUT = 5.0
# What HostActions says a host being recovered is doing.
RECOVERING = 'Recovery'
_CONDITION_SEVERITY = {fsm.FAILED: states.SEVERITY_CRITICAL,
                       fsm.DEGRADED: states.SEVERITY_MAJOR}
# The tasks of a host stx-mtce was recovering when it stopped.
_RECOVERY_TASKS = (states.TASK_GRACEFUL_RECOVERY_WAIT,
                   states.TASK_RECOVERY_REBOOT,
                   states.TASK_RECOVERY_RESET_WAIT,
                   states.TASK_AUTO_RECOVERY_WAIT)

# The tasks of an unlock in progress, which a force-lock may cancel.
_CANCELLABLE = (states.TASK_UNLOCKING,)
# Task a previous stx-mtce left -> the action it was carrying out.
_INTERRUPTED = {
    states.TASK_LOCKING: states.ACTION_LOCK,
    states.TASK_UNLOCKING: states.ACTION_UNLOCK,
    states.TASK_REBOOTING: states.ACTION_UNLOCK,
    states.TASK_BOOTING: states.ACTION_UNLOCK,
    states.TASK_TESTING: states.ACTION_UNLOCK,
    states.TASK_ENABLING: states.ACTION_UNLOCK,
    states.TASK_REINSTALLING: states.ACTION_REINSTALL,
    states.TASK_POWERING_ON: states.ACTION_POWER_ON,
    states.TASK_POWERING_OFF: states.ACTION_POWER_OFF,
    states.TASK_RESETTING: states.ACTION_RESET,
}


def _recovering(host):
    task = host['task'] or ''
    return host['administrative'] == states.UNLOCKED and (
        task in _RECOVERY_TASKS or
        task.startswith(states.TASK_RECOVERY_RESET))


def _task_of(action):
    """The task a host shows while maintenance carries ``action`` out."""
    if action in lifecycle.ACTIONS:
        return lifecycle.task_of(action)
    if action == states.ACTION_SWACT:
        return swact.TASK_SWACTING
    return power.task_of(action)
