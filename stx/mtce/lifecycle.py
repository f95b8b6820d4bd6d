"""Lock, unlock and reinstall: taking hosts out of service and back.

The sysinv API checks each action against StarlingX's preconditions (and,
for an unlock, the inventory's unlock blockers) and hands it to stx-mtce,
which accepts it (``accept``: the first state change and task, stored
before the API answers) and carries it out here in a worker thread. Every
state change is an event of stx.mtce.fsm; the task says what is going on.

* **lock** / **force-lock**: locked / disabled / online (offline if the
  host does not answer heartbeat); alarm 200.001 raised, heartbeat alarms
  cleared. A force-lock also cancels an unlock in progress.
* **unlock** / **force-unlock**: unlocked with task "Unlocking"; the host
  is rebooted through its agent ("Rebooting", offline) as StarlingX does,
  or waited for if its agent is silent ("Booting"); once its agent answers
  as a new start it is ``intest`` ("Testing") until the agent reports its
  enable tests passed (a goenabled report, ``goenabled``) and sysinv shows
  its configuration applied; then "Enabling": it must answer heartbeat on
  every network for ``[mtce] heartbeat_soak_periods`` periods; then
  enabled / available. Any stage failing or timing out (StarlingX's boot
  and goenabled timeouts) leaves it disabled / failed with alarm 200.004
  and the task saying why, until it is locked.
* **reinstall** (locked hosts, through the BMC): the conductor marks the
  host's inventory for rediscovery, the BMC sets the next boot to network
  and resets the host ("Reinstalling", offline); it is done when the agent
  answers as a new start, within ``[mtce] reinstall_timeout``; its inventory
  is provisioned again once the agent has reported it.
"""

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
from stx.mtce import power

LOG = logging.getLogger(__name__)

LOCK_ACTIONS = (states.ACTION_LOCK, states.ACTION_FORCE_LOCK,
                states.ACTION_FORCE_UNSAFE_LOCK)
UNLOCK_ACTIONS = (states.ACTION_UNLOCK, states.ACTION_FORCE_UNLOCK)
ACTIONS = LOCK_ACTIONS + UNLOCK_ACTIONS + (states.ACTION_REINSTALL,)

# Seconds between two requests for a goenabled report the agent owes.
GOENABLED_ASK_INTERVAL = 5.0
# Seconds between two looks at the host's configuration status.
CONFIG_POLL_INTERVAL = 1.0


def task_of(action):
    if action in LOCK_ACTIONS:
        return states.TASK_LOCKING
    if action in UNLOCK_ACTIONS:
        return states.TASK_UNLOCKING
    return states.TASK_REINSTALLING


def check_action(host, action):
    """Refuse what maintenance cannot do for this host.

    :raises: InvalidStateTransition naming the field at fault.
    """
    if action == states.ACTION_REINSTALL and not mtce_bmc.has_bmc(host):
        raise exception.InvalidStateTransition(
            action=action, target=host['hostname'] or host['uuid'],
            field='bm_type', reason='a reinstall boots the host from the '
            'network through its BMC; provision it with host-update '
            'bm_type=... bm_ip=... bm_username=... bm_password=...')


# Why a host did not enable: the auto-recovery causes of [mtce]
# ar_<cause>_threshold, and a host that did not come back from its reboot.
CAUSE_BOOT = 'boot'
CAUSE_CONFIG = 'config'
CAUSE_GOENABLE = 'goenable'
CAUSE_HEARTBEAT = 'heartbeat'


class StageFailed(exception.StxException):
    """An enable stage failed; ``cause`` says which (CAUSE_*)."""
    msg_fmt = '%(reason)s'
    error_code = 'stx.mtce.action_failed'

    def __init__(self, cause, **kwargs):
        super().__init__(**kwargs)
        self.cause = cause


def boot_timeout(host):
    """Seconds the host may take to boot until its agent answers."""
    return (CONF.mtce.controller_boot_timeout
            if host['personality'] == states.CONTROLLER
            else CONF.mtce.worker_boot_timeout)


class GoEnabledReports:
    """The latest goenabled report of each host's agent."""

    def __init__(self):
        self._cond = threading.Condition()
        self._reports = {}

    def record(self, host_uuid, report):
        with self._cond:
            self._reports[host_uuid] = report
            self._cond.notify_all()

    def wait(self, host_uuid, started_at, timeout, ask, cancelled):
        """The report of the agent that started at ``started_at``.

        :param ask: called now and every GOENABLED_ASK_INTERVAL seconds
            while no such report has come (a report cast while stx-mtce
            was busy or down is asked for again).
        :returns: the report, or None after ``timeout`` seconds or when
            ``cancelled`` is set.
        """
        deadline = time.monotonic() + timeout
        next_ask = 0.0
        with self._cond:
            while not cancelled.is_set():
                report = self._reports.get(host_uuid)
                if report and report.get('started_at') == started_at:
                    return report
                now = time.monotonic()
                if now >= deadline:
                    return None
                if now >= next_ask:
                    next_ask = now + GOENABLED_ASK_INTERVAL
                    self._cond.release()
                    try:
                        ask()
                    finally:
                        self._cond.acquire()
                self._cond.wait(min(0.5, deadline - now))
        return None


class Lifecycle:
    """Carries out lock, unlock and reinstall.

    :param conductor: a sysinv ConductorAPI.
    :param faults: the HostFaults alarms and logs go through.
    :param agents: an AgentAPI.
    :param bmcs: the BMCAccess, for reinstalls.
    :param liveness: the stx.mtce.liveness.Liveness heartbeat view.
    :param stored: called with each host as the conductor stored it.
    :param degraded: ``degraded(host_uuid)`` gives what degrades the host
        besides heartbeat (stx.mtce.conditions); an enabled host with any
        is ``degraded``.
    """

    def __init__(self, conductor, faults, agents, bmcs, liveness, stored,
                 degraded=lambda host_uuid: ()):
        self._conductor = conductor
        self._faults = faults
        self._agents = agents
        self._bmcs = bmcs
        self._liveness = liveness
        self._stored = stored
        self._degraded = degraded
        self.reports = GoEnabledReports()

    def store(self, context, host, values):
        """Store ``values``; the host with them (and its BMC fields)."""
        stored = self._conductor.update_host_state(context, host['uuid'],
                                                   values)
        self._stored(stored)
        return mtce_bmc.updated(host, stored, new_fields=False)

    def _apply(self, context, host, event, task=None, **facts):
        values = fsm.transition(host, event, **facts)
        if task is not None:
            values['task'] = task
        return self.store(context, host, values)

    def accept(self, context, host, action):
        """The first step of an accepted action, stored before the API
        answers: the task, and the administrative state of an unlock.
        """
        if action in UNLOCK_ACTIONS:
            return self._apply(context, host, fsm.UNLOCK,
                               task=states.TASK_UNLOCKING)
        return self.store(context, host, {'task': task_of(action)})

    def run(self, context, host, action, cancelled):
        """Carry out an accepted action (in a worker thread).

        :returns: as ``enable`` for an unlock; None otherwise.
        """
        if action in LOCK_ACTIONS:
            self.lock(context, host)
        elif action in UNLOCK_ACTIONS:
            return self.enable(context, host, cancelled)
        else:
            self.reinstall(context, host, cancelled)
        return None

    # Lock.

    def lock(self, context, host):
        reachable = self._liveness.reachable(host)
        if reachable is None:
            reachable = power.agent_status(self._agents, context,
                                           host['uuid']) is not None
        host = self._apply(context, host, fsm.LOCK, task='',
                           reachable=reachable)
        self._liveness.clear_alarms(host)
        self._faults.raise_alarm(
            mtce_faults.HOST_LOCKED, mtce_faults.host_entity(host),
            states.SEVERITY_WARNING, '%s was locked by an operator'
            % host['hostname'])
        self._done(host, '%s locked (%s)' % (host['hostname'],
                                             host['availability']))

    # Unlock: reboot, boot, tests, heartbeat soak.

    def enable(self, context, host, cancelled):
        """Bring an unlocked, disabled host into service.

        :returns: None, or the StageFailed that left it failed, for
            automatic recovery (stx.mtce.recovery) to take up.
        """
        self._faults.clear_alarm(mtce_faults.HOST_LOCKED,
                                 mtce_faults.host_entity(host))
        try:
            host = self._reboot(context, host, cancelled)
        except StageFailed as error:
            return self._failed(context, host, error, cancelled, 'Unlock')
        return self.finish_enable(context, host, cancelled, 'Unlock')

    def _reboot(self, context, host, cancelled):
        uuid = host['uuid']
        before = power.agent_status(self._agents, context, uuid)
        if before is not None:
            self._agents.host_action(context, uuid, 'reboot')
        host = self._apply(context, host, fsm.REBOOTING,
                           task=states.TASK_REBOOTING if before
                           else states.TASK_BOOTING)
        timeout = boot_timeout(host)
        after = power.wait_for_agent(self._agents, context, uuid, before,
                                     timeout, cancelled)
        if after is None:
            raise StageFailed(CAUSE_BOOT, reason='its agent did not answer '
                              'within %ss of the reboot' % timeout)
        return dict(host, started_at=after['started_at'])

    def finish_enable(self, context, host, cancelled, what='Enable'):
        """The stages after a boot: tests, configuration, heartbeat soak.

        :param host: the host, with the ``started_at`` of its agent's
            status after the boot.
        :param what: what is enabling it, for the task of a failure.
        :returns: as ``enable``.
        """
        try:
            host = self._test_and_soak(context, host, cancelled)
        except StageFailed as error:
            return self._failed(context, host, error, cancelled, what)
        self._done(host, '%s enabled (%s)'
                   % (host['hostname'], what.lower()))
        return None

    def _test_and_soak(self, context, host, cancelled):
        uuid = host['uuid']
        host = self._apply(context, host, fsm.BOOTED,
                           task=states.TASK_TESTING)
        deadline = time.monotonic() + CONF.mtce.goenabled_timeout
        report = self.reports.wait(
            uuid, host['started_at'], CONF.mtce.goenabled_timeout,
            lambda: self._agents.enable_checks(context, uuid), cancelled)
        if report is None:
            raise StageFailed(CAUSE_GOENABLE, reason='no enable test report '
                              'from its agent within %ss'
                              % CONF.mtce.goenabled_timeout)
        if not report['passed']:
            raise StageFailed(CAUSE_GOENABLE, reason='enable tests failed: %s'
                              % '; '.join(report['reasons']))
        self._wait_configured(context, host, deadline, cancelled)
        host = self.store(context, host, {'task': states.TASK_ENABLING})
        problem = self._liveness.soak(host, cancelled,
                                      CONF.mtce.heartbeat_soak_timeout)
        if problem:
            raise StageFailed(CAUSE_HEARTBEAT,
                              reason='heartbeat soak: %s' % problem)
        return self._apply(context, host, fsm.ENABLED, task='',
                           degraded=bool(self._degraded(uuid)))

    def _wait_configured(self, context, host, deadline, cancelled):
        while True:
            current = self._conductor.get_mtce_hosts(context,
                                                     host['uuid'])[0]
            if not current.get('config_status'):
                return
            if time.monotonic() >= deadline or cancelled.wait(
                    CONFIG_POLL_INTERVAL):
                raise StageFailed(CAUSE_CONFIG, reason='its configuration '
                                  'was not applied within %ss (%s)' % (
                                      CONF.mtce.goenabled_timeout,
                                      current['config_status']))

    def _failed(self, context, host, error, cancelled, what):
        if cancelled.is_set():
            LOG.info('Enabling %(host)s cancelled',
                     {'host': host['hostname']})
            return None
        current = self._conductor.get_mtce_hosts(context, host['uuid'])[0]
        if current['administrative'] != states.UNLOCKED:
            return None
        text = mtce_faults.clip('%s failed: %s' % (what, error))
        self._apply(context, current, fsm.ENABLE_FAILED, task=text)
        self._faults.raise_alarm(
            mtce_faults.HOST_FAILED, mtce_faults.host_entity(current),
            states.SEVERITY_CRITICAL, '%s could not be enabled: %s'
            % (current['hostname'], error))
        LOG.warning('%(host)s could not be enabled: %(reason)s',
                    {'host': current['hostname'], 'reason': error})
        self._faults.log(mtce_faults.HOST_ACTION,
                         mtce_faults.host_entity(current), text)
        return error

    # Reinstall.

    def reinstall(self, context, host, cancelled):
        try:
            before = power.agent_status(self._agents, context, host['uuid'])
            self._conductor.host_reinstalling(context, host['uuid'])
            self._bmcs.call(host, 'set_boot_device',
                            bmc_base.BOOT_DEVICE_NETWORK)
            self._bmcs.call(host, 'set_power_state', bmc_base.POWER_RESET,
                            timeout=CONF.mtce.power_action_timeout)
        except exception.StxException as error:
            self.store(context, host, {'task': mtce_faults.clip(
                'Reinstall failed: %s' % error)})
            self._done(host, 'Reinstall of %s failed: %s'
                       % (host['hostname'], error))
            return
        host = self._apply(context, host, fsm.REINSTALL,
                           task=states.TASK_REINSTALLING)
        after = power.wait_for_agent(self._agents, context, host['uuid'],
                                     before, CONF.mtce.reinstall_timeout,
                                     cancelled)
        if after is None:
            text = ('Reinstall failed: its agent did not answer within %ss'
                    % CONF.mtce.reinstall_timeout)
            self.store(context, host, {'task': text})
            self._done(host, '%s: %s' % (host['hostname'], text))
            return
        host = self._apply(context, host, fsm.REINSTALLED, task='')
        self._done(host, '%s reinstalled; its agent is back'
                   % host['hostname'])

    def _done(self, host, text):
        LOG.info('%(text)s', {'text': text})
        self._faults.log(mtce_faults.HOST_ACTION,
                         mtce_faults.host_entity(host), text)
