"""Host power actions: power-on, power-off, reset and reboot.

The sysinv API checks an action against StarlingX's preconditions (power-off,
reset and reboot need the host locked; none of them on a simplex system) and
hands it to ``stx-mtce``, which runs it here in a worker thread while the
host's ``task`` says what is going on ("Powering-off", ...).

A power action counts as done only when the BMC confirms the new power state
(DESIGN.md §8): the driver's ``set_power_state`` returns the confirmed state
or fails. Then the host's availability follows: ``power-off`` after a
power-off, ``offline`` when a powered-off host is powered on or reset (its
agent has yet to come back). A failed action leaves the host's state as it
was and its task saying why, e.g. "Power-off failed: BMC 10.0.0.5 refused the
credentials ...", until the next action.

A reboot goes through the host's agent, which reboots (or, in the all-in-one
and in tests, stands in for a reboot) with its host-action driver; it is
done when the agent answers again with a new start time. ``force-reboot``
falls back to a BMC reset when the agent does not answer; a plain reboot
never touches the BMC.
"""

import time

from oslo_log import log as logging

from stx.common import exception
from stx.common import states
from stx.conf import CONF
from stx.drivers.bmc import base as bmc_base
from stx.mtce import bmc as mtce_bmc
from stx.mtce import faults as mtce_faults
from stx.mtce import fsm

LOG = logging.getLogger(__name__)

ACTION_FORCE_REBOOT = states.ACTION_FORCE_REBOOT

# action -> (task while it runs, driver power target, words for logs).
BMC_ACTIONS = {
    states.ACTION_POWER_ON: (states.TASK_POWERING_ON, bmc_base.POWER_ON,
                             'Power-on'),
    states.ACTION_POWER_OFF: (states.TASK_POWERING_OFF, bmc_base.POWER_OFF,
                              'Power-off'),
    states.ACTION_RESET: (states.TASK_RESETTING, bmc_base.POWER_RESET,
                          'Reset'),
}
REBOOT_ACTIONS = (states.ACTION_REBOOT, ACTION_FORCE_REBOOT)
ACTIONS = tuple(BMC_ACTIONS) + REBOOT_ACTIONS

# Seconds one status call to an agent may take while a reboot is watched,
# and between two such calls.
AGENT_STATUS_TIMEOUT = 2
AGENT_POLL_INTERVAL = 1.0


class ActionFailed(exception.StxException):
    """Why an action that was accepted could not be carried out."""
    msg_fmt = '%(reason)s'
    error_code = 'stx.mtce.action_failed'


def task_of(action):
    if action in BMC_ACTIONS:
        return BMC_ACTIONS[action][0]
    return states.TASK_REBOOTING


def check_action(host, action):
    """Refuse an action maintenance cannot carry out for this host.

    :raises: InvalidStateTransition naming the field at fault.
    """
    name = host['hostname'] or host['uuid']
    if action not in ACTIONS:
        raise exception.InvalidStateTransition(
            action=action, target=name, field='action',
            reason='host maintenance does not carry out this action yet')
    needs_bmc = action in BMC_ACTIONS or action == ACTION_FORCE_REBOOT
    if needs_bmc and not mtce_bmc.has_bmc(host):
        raise exception.InvalidStateTransition(
            action=action, target=name, field='bm_type',
            reason='the host has no BMC; provision it with host-update '
            'bm_type=... bm_ip=... bm_username=... bm_password=...')


def agent_status(agents, context, host_uuid):
    """The agent's status (AgentAPI.get_status); None if it is silent."""
    try:
        return agents.get_status(context, host_uuid,
                                 timeout=AGENT_STATUS_TIMEOUT)
    except exception.ServiceUnavailable:
        return None


def wait_for_agent(agents, context, host_uuid, before, timeout,
                   cancelled=None):
    """Wait until the host's agent answers as a new start of itself.

    :param before: its status before the reboot; None if it was silent
        then, and any answer will do.
    :param cancelled: a threading.Event that ends the wait early.
    :returns: the agent's new status, or None after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cancelled is not None and cancelled.is_set():
            return None
        time.sleep(AGENT_POLL_INTERVAL)
        after = agent_status(agents, context, host_uuid)
        if after is None:
            continue
        if before is None or (
                after.get('started_at') != before.get('started_at') or
                after.get('boot_id') != before.get('boot_id')):
            return after
    return None


class PowerActions:
    """Carries out accepted actions; each call runs in a worker thread.

    :param conductor: a sysinv ConductorAPI (host state is stored there).
    :param bmcs: the BMCAccess every BMC call goes through.
    :param faults: the HostFaults customer logs go through.
    :param agents: an AgentAPI, for reboots.
    """

    def __init__(self, conductor, bmcs, faults, agents):
        self._conductor = conductor
        self._bmcs = bmcs
        self._faults = faults
        self._agents = agents

    def run(self, context, host, action):
        """Carry out ``action``; store the outcome in the host."""
        try:
            if action in BMC_ACTIONS:
                values, done = self._power(host, action)
            else:
                force = action == ACTION_FORCE_REBOOT
                values, done = self._reboot(context, host, force)
        except exception.StxException as error:
            words = BMC_ACTIONS.get(action, (None, None, 'Reboot'))[2]
            values = {'task': mtce_faults.clip('%s failed: %s'
                                               % (words, error))}
            done = '%s of %s failed: %s' % (words, host['hostname'], error)
            LOG.warning('%(done)s', {'done': done})
        else:
            LOG.info('%(done)s', {'done': done})
        self._conductor.update_host_state(context, host['uuid'], values)
        self._faults.log(mtce_faults.HOST_ACTION,
                         mtce_faults.host_entity(host), done)

    def _power(self, host, action):
        target = BMC_ACTIONS[action][1]
        state = self._bmcs.call(host, 'set_power_state', target,
                                timeout=CONF.mtce.power_action_timeout)
        if state == bmc_base.POWER_OFF:
            values = fsm.transition(host, fsm.POWERED_OFF)
            done = '%s powered off (confirmed by its BMC)' % host['hostname']
        else:
            values = (fsm.transition(host, fsm.POWERED_ON)
                      if fsm.rule_for(host, fsm.POWERED_ON) else {})
            done = '%s %s; its BMC reports it powered on' % (
                host['hostname'],
                'reset' if action == states.ACTION_RESET else 'powered on')
        values['task'] = ''
        return values, done

    def _reboot(self, context, host, force):
        name = host['hostname']
        before = agent_status(self._agents, context, host['uuid'])
        if before is None:
            if not force:
                raise ActionFailed(
                    reason='its agent does not answer; reset it through '
                    'its BMC with host-reset, or use host-reboot --force')
            return self._reset_instead(context, host, 'its agent does not '
                                       'answer')
        self._agents.host_action(context, host['uuid'], 'reboot')
        if wait_for_agent(self._agents, context, host['uuid'], before,
                          CONF.mtce.reboot_timeout):
            return {'task': ''}, '%s rebooted; its agent is back' % name
        if force:
            return self._reset_instead(context, host, 'its agent did not '
                                       'come back within %ss'
                                       % CONF.mtce.reboot_timeout)
        raise ActionFailed(reason='its agent did not come back within %ss'
                           % CONF.mtce.reboot_timeout)

    def _reset_instead(self, context, host, why):
        LOG.warning('Forced reboot of %(host)s: %(why)s; resetting it '
                    'through its BMC', {'host': host['hostname'],
                                        'why': why})
        self._conductor.update_host_state(
            context, host['uuid'], {'task': states.TASK_RESETTING})
        values, done = self._power(host, states.ACTION_RESET)
        return values, '%s (forced reboot: %s)' % (done, why)
