"""The host state machine: one table of every state change maintenance makes.

A host's state is its administrative, operational and availability state
(ITU X.731, names in stx.common.states); its ``task`` says what maintenance
is doing and is set by whoever carries the work out, not here. Every change
maintenance makes to the three states is an *event* looked up in
``TABLE``: the first rule whose states match the host's gives the new
values. An event with no matching rule is refused with the host's states
as the reason, so an operator action arriving at the wrong moment, or a
heartbeat report about a host that has moved on, changes nothing.

StarlingX's mtcAgent spreads these decisions over one C++ state machine per
action (nodeClass.cpp); stx-flock keeps the resulting states in one table
so that each transition can be read, and tested, on its own. The stages
of an unlock (reboot, boot, tests, heartbeat soak) are carried out by
stx.mtce.lifecycle and show in the task.
"""

import collections

from stx.common import exception
from stx.common import states

# Events.
LOCK = 'lock'                  # lock or force-lock accepted
UNLOCK = 'unlock'              # unlock or force-unlock accepted
REBOOTING = 'rebooting'        # an unlocked host is rebooted to enable it
BOOTED = 'booted'              # its agent is back: enable tests run
ENABLED = 'enabled'            # tests and heartbeat soak passed
ENABLE_FAILED = 'enable-failed'
REINSTALL = 'reinstall'        # network boot and reset through the BMC
REINSTALLED = 'reinstalled'    # its agent is back after the reinstall
HEARTBEAT_DEGRADED = 'heartbeat-degraded'  # lost on some networks
HEARTBEAT_FAILED = 'heartbeat-failed'      # lost on every network
HEARTBEAT_RECOVERED = 'heartbeat-recovered'
HEARTBEAT_ONLINE = 'heartbeat-online'      # a locked host answers
HEARTBEAT_OFFLINE = 'heartbeat-offline'    # a locked host stopped answering
POWERED_OFF = 'powered-off'    # its BMC confirms it is off
POWERED_ON = 'powered-on'      # its BMC confirms it is on
DEGRADED = 'degraded'          # a monitor degrades it (process, resource)
DEGRADE_CLEARED = 'degrade-cleared'
FAILED = 'failed'              # a critical process failed for good

ADMIN = 'administrative'
OPER = 'operational'
AVAIL = 'availability'

#: Any state matches.
ANY = None
#: Availability ``online`` if the host answers heartbeat, else ``offline``.
PRESENCE = 'presence'
#: Availability ``available``, or ``degraded`` while anything degrades it.
IN_SERVICE = 'in-service'

Rule = collections.namedtuple('Rule', 'event administrative operational '
                                      'availability to')
Rule.__doc__ = ('When ``event`` happens to a host in these states (a state, '
                'a tuple of states or ANY), set the values ``to``.')

_ON_OR_OFF_LINE = (states.ONLINE, states.OFFLINE)

TABLE = (
    # Operator actions. A lock takes an unlocked host out of service,
    # whatever its condition; it is online if it still answers.
    Rule(LOCK, states.UNLOCKED, ANY, ANY,
         {ADMIN: states.LOCKED, OPER: states.DISABLED, AVAIL: PRESENCE}),
    Rule(UNLOCK, states.LOCKED, states.DISABLED, _ON_OR_OFF_LINE,
         {ADMIN: states.UNLOCKED}),
    Rule(REINSTALL, states.LOCKED, states.DISABLED, ANY,
         {AVAIL: states.OFFLINE}),
    Rule(REINSTALLED, states.LOCKED, states.DISABLED, ANY,
         {AVAIL: states.ONLINE}),
    # Enabling an unlocked host: reboot, boot, test, soak.
    Rule(REBOOTING, states.UNLOCKED, states.DISABLED, ANY,
         {AVAIL: states.OFFLINE}),
    Rule(BOOTED, states.UNLOCKED, states.DISABLED,
         _ON_OR_OFF_LINE + (states.INTEST, states.FAILED),
         {AVAIL: states.INTEST}),
    Rule(ENABLED, states.UNLOCKED, states.DISABLED, states.INTEST,
         {OPER: states.ENABLED, AVAIL: IN_SERVICE}),
    Rule(ENABLE_FAILED, states.UNLOCKED, states.DISABLED, ANY,
         {AVAIL: states.FAILED}),
    # Heartbeat of an enabled host: loss on some networks degrades it,
    # loss on all fails it (DESIGN.md §8); both end when it answers again.
    Rule(HEARTBEAT_DEGRADED, states.UNLOCKED, states.ENABLED,
         (states.AVAILABLE, states.DEGRADED), {AVAIL: states.DEGRADED}),
    Rule(HEARTBEAT_FAILED, states.UNLOCKED, states.ENABLED,
         (states.AVAILABLE, states.DEGRADED),
         {OPER: states.DISABLED, AVAIL: states.FAILED}),
    Rule(HEARTBEAT_RECOVERED, states.UNLOCKED, states.ENABLED,
         states.DEGRADED, {AVAIL: IN_SERVICE}),
    Rule(HEARTBEAT_RECOVERED, states.UNLOCKED, states.DISABLED,
         states.FAILED, {OPER: states.ENABLED, AVAIL: IN_SERVICE}),
    # What the host's own monitors find (stx.mtce.conditions): a major
    # process failure or a critical resource shortage degrades it, a
    # critical process failure fails it (and recovery reboots it).
    Rule(DEGRADED, states.UNLOCKED, states.ENABLED, states.AVAILABLE,
         {AVAIL: states.DEGRADED}),
    Rule(DEGRADE_CLEARED, states.UNLOCKED, states.ENABLED, states.DEGRADED,
         {AVAIL: IN_SERVICE}),
    Rule(FAILED, states.UNLOCKED, states.ENABLED, ANY,
         {OPER: states.DISABLED, AVAIL: states.FAILED}),
    # Heartbeat of a locked host says only whether it is up.
    Rule(HEARTBEAT_ONLINE, states.LOCKED, states.DISABLED,
         (states.OFFLINE, states.POWER_OFF), {AVAIL: states.ONLINE}),
    Rule(HEARTBEAT_OFFLINE, states.LOCKED, states.DISABLED, states.ONLINE,
         {AVAIL: states.OFFLINE}),
    # Power, as the BMC confirms it.
    Rule(POWERED_OFF, ANY, ANY, ANY,
         {OPER: states.DISABLED, AVAIL: states.POWER_OFF}),
    Rule(POWERED_ON, ANY, ANY, states.POWER_OFF, {AVAIL: states.OFFLINE}),
)

EVENTS = tuple(sorted({rule.event for rule in TABLE}))


def _matches(wanted, value):
    if wanted is ANY:
        return True
    if isinstance(wanted, tuple):
        return value in wanted
    return value == wanted


def rule_for(host, event):
    """The rule ``event`` follows for ``host``; None if none matches."""
    for rule in TABLE:
        if (rule.event == event and
                _matches(rule.administrative, host[ADMIN]) and
                _matches(rule.operational, host[OPER]) and
                _matches(rule.availability, host[AVAIL])):
            return rule
    return None


def transition(host, event, reachable=False, degraded=False):
    """The new state values of ``host`` after ``event``.

    :param host: a dict with the three states (and hostname, uuid).
    :param reachable: whether the host answers heartbeat, for rules whose
        availability is PRESENCE.
    :param degraded: whether something still degrades the host, for rules
        whose availability is IN_SERVICE.
    :returns: a dict of the state fields that change (possibly empty).
    :raises: InvalidStateTransition, naming the host's states, when no
        rule allows the event.
    """
    rule = rule_for(host, event)
    if rule is None:
        raise exception.InvalidStateTransition(
            action=event, target=host.get('hostname') or host['uuid'],
            field='action', reason='the host is %s/%s/%s' % (
                host[ADMIN], host[OPER], host[AVAIL]))
    values = dict(rule.to)
    if values.get(AVAIL) == PRESENCE:
        values[AVAIL] = states.ONLINE if reachable else states.OFFLINE
    elif values.get(AVAIL) == IN_SERVICE:
        values[AVAIL] = states.DEGRADED if degraded else states.AVAILABLE
    return {field: value for field, value in values.items()
            if host[field] != value}
