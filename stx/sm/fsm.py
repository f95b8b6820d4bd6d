"""Service and service-group states of service management, as StarlingX.

A *service* (a daemon, an address) moves through StarlingX's service
states as its actions run: enable, go-active, go-standby, disable, each
with its done event, and a failure seen by an audit or by the process
exiting. Every change is an event looked up in ``SERVICE_TABLE``; an event
with no rule for the service's state is refused with that state as the
reason, so a late action result changes nothing.

A *service group*'s state is not an event's outcome but a summary of its
members' states against what the group should be (its desired state, from
the redundancy model): ``group_state``. Its status is the worst impact of
its failed members (critical → failed, major → degraded, minor → warn):
``group_status``.
"""

from stx.common import exception
from stx.common import states

# Service events.
ENABLE = 'enable'
ENABLED = 'enabled'                # the enable action succeeded
GO_ACTIVE = 'go-active'
WENT_ACTIVE = 'went-active'
GO_STANDBY = 'go-standby'
WENT_STANDBY = 'went-standby'
DISABLE = 'disable'
DISABLED = 'disabled'              # the disable action succeeded
# An audit failed, the process exited, or an action failed or timed out.
FAILED = 'failed'
SHUTDOWN = 'shutdown'

#: A service in these states runs (in some role).
ENABLED_STATES = (states.SVC_ENABLED_STANDBY, states.SVC_ENABLED_GO_STANDBY,
                  states.SVC_ENABLED_GO_ACTIVE, states.SVC_ENABLED_ACTIVE)
#: A service in these states does not run.
STOPPED_STATES = (states.SVC_INITIAL, states.SVC_UNKNOWN,
                  states.SVC_DISABLED)
_RUNNING = ENABLED_STATES + (states.SVC_ENABLING,
                             states.SVC_ENABLING_THROTTLE)

#: event -> ((from states), to state).
SERVICE_TABLE = {
    ENABLE: (STOPPED_STATES, states.SVC_ENABLING),
    ENABLED: ((states.SVC_ENABLING,), states.SVC_ENABLED_STANDBY),
    GO_ACTIVE: ((states.SVC_ENABLED_STANDBY, states.SVC_ENABLED_GO_STANDBY),
                states.SVC_ENABLED_GO_ACTIVE),
    WENT_ACTIVE: ((states.SVC_ENABLED_GO_ACTIVE,),
                  states.SVC_ENABLED_ACTIVE),
    GO_STANDBY: ((states.SVC_ENABLED_ACTIVE, states.SVC_ENABLED_GO_ACTIVE),
                 states.SVC_ENABLED_GO_STANDBY),
    WENT_STANDBY: ((states.SVC_ENABLED_GO_STANDBY,),
                   states.SVC_ENABLED_STANDBY),
    DISABLE: (_RUNNING, states.SVC_DISABLING),
    DISABLED: ((states.SVC_DISABLING,), states.SVC_DISABLED),
    FAILED: (_RUNNING + (states.SVC_DISABLING,), states.SVC_DISABLING),
    SHUTDOWN: (states.SVC_STATES, states.SVC_SHUTDOWN),
}


def service_transition(service, state, event):
    """The state ``event`` takes service ``service`` in ``state`` to.

    :raises: InvalidParameterValue for an unknown event or state;
        Conflict when the event does not apply in that state.
    """
    if event not in SERVICE_TABLE:
        raise exception.InvalidParameterValue(
            field='event', reason='%r is not one of %s'
            % (event, ', '.join(sorted(SERVICE_TABLE))))
    if state not in states.SVC_STATES:
        raise exception.InvalidParameterValue(
            field='state', reason='%r is not a service state' % (state,))
    sources, target = SERVICE_TABLE[event]
    if state not in sources:
        raise exception.Conflict(
            'Service %s cannot take event %s: it is %s (it can from %s).'
            % (service, event, state, ', '.join(sources)))
    return target


# What each member must be for the group to have reached a desired state,
# and the group's state on the way there.
_REACHED = {
    states.SG_ACTIVE: ((states.SVC_ENABLED_ACTIVE,), states.SG_GO_ACTIVE),
    states.SG_STANDBY: ((states.SVC_ENABLED_STANDBY,), states.SG_GO_STANDBY),
    states.SG_DISABLED: (STOPPED_STATES, states.SG_DISABLING),
}


def group_state(desired, member_states):
    """A service group's state from its members' and its desired state.

    :param desired: SG_ACTIVE, SG_STANDBY or SG_DISABLED.
    :param member_states: the member services' states.
    :returns: ``desired`` once every member is there; the way there
        (go-active, go-standby, disabling) until then; shutdown when every
        member is shut down; initial for a group without members.
    """
    if desired not in _REACHED:
        raise exception.InvalidParameterValue(
            field='desired', reason='%r is not one of %s'
            % (desired, ', '.join(_REACHED)))
    member_states = list(member_states)
    if not member_states:
        return states.SG_INITIAL
    if all(state == states.SVC_SHUTDOWN for state in member_states):
        return states.SG_SHUTDOWN
    wanted, on_the_way = _REACHED[desired]
    if all(state in wanted for state in member_states):
        return desired
    return on_the_way


_STATUS_OF_IMPACT = {
    states.IMPACT_CRITICAL: states.SG_STATUS_FAILED,
    states.IMPACT_MAJOR: states.SG_STATUS_DEGRADED,
    states.IMPACT_MINOR: states.SG_STATUS_WARN,
}


def group_status(members):
    """A service group's status: the worst impact of its failed members.

    :param members: ``(failure_impact, service_status)`` of each member,
        failure_impact one of states.IMPACTS.
    :returns: one of states.SG_STATUSES.
    """
    worst = states.SG_STATUS_NONE
    for impact, status in members:
        if impact not in _STATUS_OF_IMPACT:
            raise exception.InvalidParameterValue(
                field='failure_impact', reason='%r is not one of %s'
                % (impact, ', '.join(states.IMPACTS)))
        if status != states.SG_STATUS_FAILED:
            continue
        candidate = _STATUS_OF_IMPACT[impact]
        if states.SG_STATUSES.index(candidate) > \
                states.SG_STATUSES.index(worst):
            worst = candidate
    return worst
