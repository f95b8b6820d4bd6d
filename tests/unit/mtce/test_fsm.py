"""The host state machine, transition by transition."""

import testtools

from stx.common import exception
from stx.common import states
from stx.mtce import fsm

L, U = states.LOCKED, states.UNLOCKED
E, D = states.ENABLED, states.DISABLED
AV, DG, FA, IT = (states.AVAILABLE, states.DEGRADED, states.FAILED,
                  states.INTEST)
ON, OFF, PO = states.ONLINE, states.OFFLINE, states.POWER_OFF


def host(admin, oper, avail):
    return {'uuid': 'u-1', 'hostname': 'worker-1', fsm.ADMIN: admin,
            fsm.OPER: oper, fsm.AVAIL: avail}


# (event, (admin, oper, avail) before, facts, (admin, oper, avail) after)
TRANSITIONS = [
    (fsm.LOCK, (U, E, AV), {'reachable': True}, (L, D, ON)),
    (fsm.LOCK, (U, E, DG), {'reachable': False}, (L, D, OFF)),
    (fsm.LOCK, (U, D, FA), {'reachable': True}, (L, D, ON)),
    (fsm.LOCK, (U, D, PO), {'reachable': False}, (L, D, OFF)),
    (fsm.UNLOCK, (L, D, ON), {}, (U, D, ON)),
    (fsm.UNLOCK, (L, D, OFF), {}, (U, D, OFF)),
    (fsm.REINSTALL, (L, D, ON), {}, (L, D, OFF)),
    (fsm.REINSTALLED, (L, D, OFF), {}, (L, D, ON)),
    (fsm.REBOOTING, (U, D, ON), {}, (U, D, OFF)),
    (fsm.BOOTED, (U, D, OFF), {}, (U, D, IT)),
    (fsm.BOOTED, (U, D, ON), {}, (U, D, IT)),
    (fsm.BOOTED, (U, D, FA), {}, (U, D, IT)),
    (fsm.ENABLED, (U, D, IT), {}, (U, E, AV)),
    (fsm.ENABLED, (U, D, IT), {'degraded': True}, (U, E, DG)),
    (fsm.ENABLE_FAILED, (U, D, IT), {}, (U, D, FA)),
    (fsm.ENABLE_FAILED, (U, D, OFF), {}, (U, D, FA)),
    (fsm.HEARTBEAT_DEGRADED, (U, E, AV), {}, (U, E, DG)),
    (fsm.HEARTBEAT_FAILED, (U, E, AV), {}, (U, D, FA)),
    (fsm.HEARTBEAT_FAILED, (U, E, DG), {}, (U, D, FA)),
    (fsm.HEARTBEAT_RECOVERED, (U, E, DG), {}, (U, E, AV)),
    (fsm.HEARTBEAT_RECOVERED, (U, D, FA), {}, (U, E, AV)),
    (fsm.HEARTBEAT_RECOVERED, (U, E, DG), {'degraded': True}, (U, E, DG)),
    (fsm.DEGRADED, (U, E, AV), {}, (U, E, DG)),
    (fsm.DEGRADE_CLEARED, (U, E, DG), {}, (U, E, AV)),
    (fsm.DEGRADE_CLEARED, (U, E, DG), {'degraded': True}, (U, E, DG)),
    (fsm.FAILED, (U, E, AV), {}, (U, D, FA)),
    (fsm.FAILED, (U, E, DG), {}, (U, D, FA)),
    (fsm.HEARTBEAT_ONLINE, (L, D, OFF), {}, (L, D, ON)),
    (fsm.HEARTBEAT_ONLINE, (L, D, PO), {}, (L, D, ON)),
    (fsm.HEARTBEAT_OFFLINE, (L, D, ON), {}, (L, D, OFF)),
    (fsm.POWERED_OFF, (L, D, ON), {}, (L, D, PO)),
    (fsm.POWERED_OFF, (U, E, AV), {}, (U, D, PO)),
    (fsm.POWERED_ON, (L, D, PO), {}, (L, D, OFF)),
]

# (event, (admin, oper, avail)) that must be refused.
REFUSED = [
    (fsm.LOCK, (L, D, ON)),
    (fsm.UNLOCK, (U, E, AV)),
    (fsm.UNLOCK, (L, D, PO)),
    (fsm.REINSTALL, (U, E, AV)),
    (fsm.REINSTALLED, (U, D, OFF)),
    (fsm.REBOOTING, (U, E, AV)),
    (fsm.REBOOTING, (L, D, ON)),
    (fsm.BOOTED, (L, D, OFF)),
    (fsm.ENABLED, (U, D, OFF)),
    (fsm.ENABLED, (L, D, IT)),
    (fsm.ENABLE_FAILED, (U, E, AV)),
    (fsm.HEARTBEAT_DEGRADED, (L, D, ON)),
    (fsm.HEARTBEAT_DEGRADED, (U, D, IT)),
    (fsm.HEARTBEAT_FAILED, (U, D, FA)),
    (fsm.HEARTBEAT_FAILED, (L, D, ON)),
    (fsm.HEARTBEAT_RECOVERED, (U, E, AV)),
    (fsm.HEARTBEAT_RECOVERED, (U, D, IT)),
    (fsm.HEARTBEAT_ONLINE, (U, E, AV)),
    (fsm.HEARTBEAT_OFFLINE, (L, D, PO)),
    (fsm.HEARTBEAT_OFFLINE, (U, E, AV)),
    (fsm.POWERED_ON, (L, D, ON)),
    (fsm.DEGRADED, (U, E, DG)),
    (fsm.DEGRADED, (L, D, ON)),
    (fsm.DEGRADE_CLEARED, (U, E, AV)),
    (fsm.FAILED, (U, D, FA)),
    (fsm.FAILED, (L, D, ON)),
]


class TransitionTest(testtools.TestCase):

    def test_each_transition(self):
        for event, before, facts, after in TRANSITIONS:
            current = host(*before)
            values = fsm.transition(current, event, **facts)
            current.update(values)
            self.assertEqual(
                after, (current[fsm.ADMIN], current[fsm.OPER],
                        current[fsm.AVAIL]), '%s from %s' % (event, before))
            # Only the fields that change are returned.
            self.assertTrue(all(host(*before)[field] != value
                                for field, value in values.items()))

    def test_refused_transitions_name_the_state(self):
        for event, before in REFUSED:
            error = self.assertRaises(exception.InvalidStateTransition,
                                      fsm.transition, host(*before), event)
            self.assertIn('/'.join(before), str(error))
            self.assertIn('worker-1', str(error))
            self.assertEqual('action', error.kwargs['field'])
            self.assertIsNone(fsm.rule_for(host(*before), event))

    def test_every_rule_is_tested(self):
        used = set()
        for event, before, facts, _after in TRANSITIONS:
            used.add(fsm.TABLE.index(fsm.rule_for(host(*before), event)))
        self.assertEqual(set(range(len(fsm.TABLE))), used)

    def test_every_event_has_a_refusal_or_matches_anything(self):
        refused = {event for event, _before in REFUSED}
        for event in fsm.EVENTS:
            if event != fsm.POWERED_OFF:
                self.assertIn(event, refused)

    def test_table_states_are_state_names(self):
        for rule in fsm.TABLE:
            for wanted, names in ((rule.administrative,
                                   states.ADMINISTRATIVE_STATES),
                                  (rule.operational,
                                   states.OPERATIONAL_STATES),
                                  (rule.availability,
                                   states.AVAILABILITY_STATES)):
                for name in (wanted if isinstance(wanted, tuple)
                             else (wanted,)):
                    self.assertTrue(name is None or name in names, name)
            for field, value in rule.to.items():
                self.assertIn(field, (fsm.ADMIN, fsm.OPER, fsm.AVAIL))
                self.assertTrue(value in (fsm.PRESENCE, fsm.IN_SERVICE) or
                                value in
                                states.ADMINISTRATIVE_STATES +
                                states.OPERATIONAL_STATES +
                                states.AVAILABILITY_STATES)
