"""host-swact from the sysinv API through stx-mtce to service management.

The sysinv API (webtest), the conductor and fm manager, a real stx-mtce
manager; service management is FakeSM, which answers as the controller's
stx-sm does (stx.sm.rpcapi.SMAPI).
"""

import threading

from stx.common import exception
from stx.common import states
from stx.mtce import faults as mtce_faults
from stx.mtce import swact
from stx.sysinv.db import api as dbapi
from tests.unit.mtce import base


class FakeSM:
    """Two controllers' service management: groups move on a swact once
    ``release`` is set.
    """

    def __init__(self):
        self.active_on = 'controller-0'
        self.refusal = None
        self.unanswered = None
        self.release = threading.Event()
        self.release.set()
        self.calls = []

    def swact(self, context, node, timeout=None):
        self.calls.append(node)
        if self.refusal is not None:
            raise self.refusal
        return ['controller-services']

    def get_state(self, context, node=None, timeout=None):
        if self.unanswered is not None:
            raise self.unanswered
        if self.release.is_set():
            self.active_on = 'controller-1'
        nodes = ('controller-0', 'controller-1')
        return {'node': node, 'domain': 'controller',
                'nodes': [{'name': name} for name in nodes],
                'service_groups': [
                    {'name': 'controller-services', 'node': name,
                     'state': states.SG_ACTIVE if name == self.active_on
                     else states.SG_STANDBY} for name in nodes]}


class ControllersTestCase(base.MtceTestCase):
    """controller-0 and controller-1 in service; FakeSM for stx-sm."""

    def setUp(self):
        super().setUp()
        self.sm = FakeSM()
        self.mtce.swacts._sm = self.sm
        self.config(swact_timeout=2, group='sm')
        dbapi.host_update(self.context, self.controller['uuid'], {
            'administrative': states.UNLOCKED,
            'operational': states.ENABLED,
            'availability': states.AVAILABLE})
        self.peer = self.app.post_json('/v1/ihosts', {
            'hostname': 'controller-1', 'personality': 'controller',
            'mgmt_mac': '52:54:00:00:00:02'}).json
        dbapi.host_update(self.context, self.peer['uuid'], {
            'administrative': states.UNLOCKED,
            'operational': states.ENABLED,
            'availability': states.AVAILABLE})


class TestSwact(ControllersTestCase):

    def test_swact_shows_its_task_until_the_peer_holds_the_groups(self):
        self.sm.release.clear()
        shown = self.action(self.controller, 'swact').json
        self.assertEqual(swact.TASK_SWACTING, shown['task'])
        self.assertEqual(['controller-0'], self.sm.calls)
        self.assertEqual(swact.TASK_SWACTING,
                         self.host(self.controller['uuid'])['task'])
        self.sm.release.set()
        host = self.wait_idle(self.controller)
        self.assertEqual('', host['task'])
        [log] = self.events(mtce_faults.HOST_ACTION)
        self.assertRegex(log['reason_text'], r'^Swact of controller-0: '
                         r'controller-services active on controller-1 '
                         r'after \d+\.\d s$')

    def test_refusal_of_service_management_is_the_reason(self):
        self.sm.refusal = exception.Conflict(
            'Cannot swact from controller-0: controller-1 cannot take '
            'controller-services.')
        response = self.action(self.controller, 'swact', expect_errors=True)
        self.assertEqual(409, response.status_int)
        fault = self.error_of(response)
        self.assertEqual('action', fault['field'])
        self.assertEqual('Cannot swact controller-0: controller-1 cannot '
                         'take controller-services', fault['faultstring'])
        self.assertEqual('', self.host(self.controller['uuid'])['task'])
        self.assertFalse(self.mtce.actions.busy(self.controller['uuid']))

    def test_unanswering_service_management_refuses(self):
        self.sm.refusal = exception.ServiceUnavailable(
            service='stx-sm on controller-0', reason='it did not answer')
        response = self.action(self.controller, 'swact', expect_errors=True)
        self.assertEqual(409, response.status_int)
        self.assertIn('service management (stx-sm) on controller-0 does not '
                      'answer', self.error_of(response)['faultstring'])

    def test_a_swact_not_over_in_time_fails_its_task(self):
        self.config(swact_timeout=1, group='sm')
        self.sm.release.clear()
        self.action(self.controller, 'swact')
        host = self.wait_idle(self.controller, timeout=5)
        self.assertEqual('Swact failed: controller-services not active on '
                         'the peer', host['task'])
        [log] = self.events(mtce_faults.HOST_ACTION)
        self.assertIn('not active on the peer controller within 1 s',
                      log['reason_text'])

    def test_swact_refused_without_a_peer_in_service(self):
        dbapi.host_update(self.context, self.peer['uuid'], {
            'availability': states.FAILED, 'operational': states.DISABLED})
        response = self.action(self.controller, 'swact', expect_errors=True)
        self.assertEqual(409, response.status_int)
        self.assertIn('no other controller is unlocked, enabled and '
                      'available to take over',
                      self.error_of(response)['faultstring'])
        self.assertEqual([], self.sm.calls)


class TestLock(ControllersTestCase):

    def setUp(self):
        super().setUp()
        self.sm.release.clear()         # controller-0 holds the groups

    def test_lock_of_the_active_controller_refused_swact_first(self):
        response = self.action(self.controller, 'lock', expect_errors=True)
        self.assertEqual(409, response.status_int)
        fault = self.error_of(response)
        self.assertEqual('action', fault['field'])
        self.assertEqual('Cannot lock controller-0: controller-services '
                         'active on it; swact to the other controller '
                         'first (host-swact)', fault['faultstring'])
        self.assertEqual(states.UNLOCKED,
                         self.host(self.controller['uuid'])['administrative'])

    def test_lock_of_the_standby_controller_goes_on(self):
        shown = self.action(self.peer, 'lock').json
        self.assertEqual(states.TASK_LOCKING, shown['task'])
        self.assertEqual(states.LOCKED,
                         self.wait_idle(self.peer)['administrative'])

    def test_without_service_management_the_lock_goes_on(self):
        self.sm.unanswered = exception.ServiceUnavailable(
            service='stx-sm', reason='it did not answer')
        shown = self.action(self.controller, 'lock').json
        self.assertEqual(states.TASK_LOCKING, shown['task'])
        self.assertEqual(states.LOCKED,
                         self.wait_idle(self.controller)['administrative'])
