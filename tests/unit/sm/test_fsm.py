"""Service states, service-group state and status."""

from oslotest import base

from stx.common import exception
from stx.common import states
from stx.sm import fsm


class TestServiceTransitions(base.BaseTestCase):

    def _walk(self, state, *events):
        for event in events:
            state = fsm.service_transition('fm-manager', state, event)
        return state

    def test_enable_then_go_active_then_standby(self):
        state = self._walk(states.SVC_INITIAL, fsm.ENABLE)
        self.assertEqual(states.SVC_ENABLING, state)
        state = self._walk(state, fsm.ENABLED)
        self.assertEqual(states.SVC_ENABLED_STANDBY, state)
        state = self._walk(state, fsm.GO_ACTIVE)
        self.assertEqual(states.SVC_ENABLED_GO_ACTIVE, state)
        state = self._walk(state, fsm.WENT_ACTIVE)
        self.assertEqual(states.SVC_ENABLED_ACTIVE, state)
        self.assertEqual(states.SVC_ENABLED_STANDBY, self._walk(
            state, fsm.GO_STANDBY, fsm.WENT_STANDBY))

    def test_a_failure_disables_then_it_is_enabled_again(self):
        for state in (states.SVC_ENABLED_ACTIVE, states.SVC_ENABLING,
                      states.SVC_ENABLED_GO_ACTIVE):
            with self.subTest(state=state):
                self.assertEqual(states.SVC_ENABLING, self._walk(
                    state, fsm.FAILED, fsm.DISABLED, fsm.ENABLE))

    def test_a_go_active_can_be_turned_back(self):
        self.assertEqual(states.SVC_ENABLED_GO_STANDBY, self._walk(
            states.SVC_ENABLED_GO_ACTIVE, fsm.GO_STANDBY))
        self.assertEqual(states.SVC_ENABLED_GO_ACTIVE, self._walk(
            states.SVC_ENABLED_GO_STANDBY, fsm.GO_ACTIVE))

    def test_event_in_the_wrong_state_is_refused_with_the_reason(self):
        error = self.assertRaises(
            exception.Conflict, fsm.service_transition, 'fm-manager',
            states.SVC_DISABLED, fsm.GO_ACTIVE)
        self.assertIn('fm-manager cannot take event go-active: it is '
                      'disabled', str(error))
        self.assertRaises(exception.Conflict, fsm.service_transition,
                          'fm-manager', states.SVC_ENABLED_ACTIVE,
                          fsm.ENABLE)
        self.assertRaises(exception.Conflict, fsm.service_transition,
                          'fm-manager', states.SVC_DISABLED, fsm.WENT_ACTIVE)

    def test_unknown_event_or_state_names_the_field(self):
        error = self.assertRaises(
            exception.InvalidParameterValue, fsm.service_transition,
            'fm-manager', states.SVC_DISABLED, 'explode')
        self.assertEqual('event', error.field)
        error = self.assertRaises(
            exception.InvalidParameterValue, fsm.service_transition,
            'fm-manager', 'sleeping', fsm.ENABLE)
        self.assertEqual('state', error.field)

    def test_every_state_can_shut_down(self):
        for state in states.SVC_STATES:
            self.assertEqual(states.SVC_SHUTDOWN, fsm.service_transition(
                'x', state, fsm.SHUTDOWN))

    def test_table_names_only_known_states(self):
        for event, (sources, target) in fsm.SERVICE_TABLE.items():
            with self.subTest(event=event):
                self.assertIn(target, states.SVC_STATES)
                self.assertEqual(set(), set(sources) - set(states.SVC_STATES))


class TestGroupState(base.BaseTestCase):

    def test_reached_when_every_member_is_there(self):
        active = [states.SVC_ENABLED_ACTIVE] * 3
        self.assertEqual(states.SG_ACTIVE,
                         fsm.group_state(states.SG_ACTIVE, active))
        self.assertEqual(states.SG_GO_ACTIVE, fsm.group_state(
            states.SG_ACTIVE, active[:2] + [states.SVC_ENABLING]))
        self.assertEqual(states.SG_GO_STANDBY, fsm.group_state(
            states.SG_STANDBY, active))
        self.assertEqual(states.SG_STANDBY, fsm.group_state(
            states.SG_STANDBY, [states.SVC_ENABLED_STANDBY] * 2))
        self.assertEqual(states.SG_DISABLING, fsm.group_state(
            states.SG_DISABLED, [states.SVC_DISABLED,
                                 states.SVC_DISABLING]))
        self.assertEqual(states.SG_DISABLED, fsm.group_state(
            states.SG_DISABLED, [states.SVC_DISABLED, states.SVC_INITIAL]))

    def test_empty_and_shut_down_groups(self):
        self.assertEqual(states.SG_INITIAL,
                         fsm.group_state(states.SG_ACTIVE, []))
        self.assertEqual(states.SG_SHUTDOWN, fsm.group_state(
            states.SG_ACTIVE, [states.SVC_SHUTDOWN] * 2))

    def test_desired_state_must_be_a_role(self):
        error = self.assertRaises(exception.InvalidParameterValue,
                                  fsm.group_state, states.SG_GO_ACTIVE, [])
        self.assertEqual('desired', error.field)


class TestGroupStatus(base.BaseTestCase):

    def test_worst_failed_member_decides(self):
        failed, ok = states.SG_STATUS_FAILED, states.SG_STATUS_NONE
        for members, expected in (
                ([], states.SG_STATUS_NONE),
                ([(states.IMPACT_CRITICAL, ok)], states.SG_STATUS_NONE),
                ([(states.IMPACT_MINOR, failed)], states.SG_STATUS_WARN),
                ([(states.IMPACT_MINOR, failed),
                  (states.IMPACT_MAJOR, failed)], states.SG_STATUS_DEGRADED),
                ([(states.IMPACT_CRITICAL, failed),
                  (states.IMPACT_MAJOR, failed)], states.SG_STATUS_FAILED),
                ([(states.IMPACT_MAJOR, failed),
                  (states.IMPACT_MINOR, failed)], states.SG_STATUS_DEGRADED)):
            with self.subTest(members=members):
                self.assertEqual(expected, fsm.group_status(members))

    def test_unknown_impact_names_the_field(self):
        error = self.assertRaises(
            exception.InvalidParameterValue, fsm.group_status,
            [('fatal', states.SG_STATUS_FAILED)])
        self.assertEqual('failure_impact', error.field)
