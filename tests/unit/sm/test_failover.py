"""The peer failover states: fail-pending, confirmed fencing, decisions."""

import errno
import socket
from unittest import mock

import fixtures
import futurist
import testtools

from stx.common import exception
from stx.drivers.bmc import base as bmc_base
from stx.sm import failover
from stx.sm import fence as sm_fence
from tests.unit.sm import test_manager


class Link:
    """A PeerLink whose paths the test turns on and off."""

    dead_interval = 0.8

    def __init__(self):
        self.silent = {'management': None, 'oam': None}

    def alive(self):
        return any(silent is None for silent in self.silent.values())

    def paths(self):
        return {name: {'alive': silent is None, 'silent_for': silent}
                for name, silent in self.silent.items()}

    held = 'active'
    hello = {'node': 'controller-0'}

    def peer_hello(self):
        if self.hello is None:
            return None
        return dict(self.hello, groups={'core': {'role': self.held}})

    def cut(self, seconds=0.9):
        self.silent = {name: seconds for name in self.silent}


class Fence:

    address = '10.0.0.9'

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = 0

    def power_off(self):
        self.calls += 1
        return self.outcomes.pop(0)


class TieBreaker:
    """Reached or not, one answer per try."""

    def __init__(self, *answers):
        self.answers = list(answers)

    def reach(self):
        if self.answers.pop(0):
            return sm_fence.Outcome(True, 'tie-breaker answered')
        return sm_fence.Outcome(False, 'tie-breaker not reached')


class TestPeerFailover(testtools.TestCase):

    def _failover(self, fence=None, tie_breaker=None):
        self.link = Link()
        self.faults = test_manager.Faults()
        return failover.PeerFailover(
            'controller-1', self.link, fence, fail_pending=2.0,
            retry_interval=5.0, executor=futurist.SynchronousExecutor(),
            faults=self.faults, tie_breaker=tie_breaker, wait=5.0)

    def test_fail_pending_then_failed_without_a_fence(self):
        peer = self._failover()
        self.assertEqual((failover.UNKNOWN, False),
                         (peer.state, peer.present()))
        peer.follow(0.0)
        self.assertEqual((failover.NORMAL, True),
                         (peer.state, peer.present()))
        self.link.cut()
        peer.follow(1.0)
        self.assertEqual((failover.FAIL_PENDING, True),
                         (peer.state, peer.present()))
        peer.follow(2.9)
        self.assertEqual(failover.FAIL_PENDING, peer.state)
        peer.follow(3.0)
        self.assertEqual((failover.FAILED, False),
                         (peer.state, peer.present()))
        pending, failed = peer.decisions
        self.assertEqual(
            'nothing heard from controller-0 on any path (management '
            'silent 0.9 s, oam silent 0.9 s); fail-pending for 2 s',
            pending['reason'])
        self.assertIn('no fence is configured: core may go active here',
                      failed['reason'])
        self.assertEqual(['401.007', '401.007'],
                         [event.alarm_id for event in self.faults.events])

    def test_only_a_confirmed_fence_fails_the_peer(self):
        fence = Fence(sm_fence.Outcome(False, 'BMC 10.0.0.9: no answer'),
                      sm_fence.Outcome(True, 'BMC 10.0.0.9 confirms the '
                                             'power off'))
        peer = self._failover(fence)
        peer.follow(0.0)
        self.link.cut()
        peer.follow(1.0)
        peer.follow(3.0)                # fence started, then its outcome
        peer.follow(3.0)
        self.assertEqual((failover.FENCE_FAILED, True),
                         (peer.state, peer.present()))
        [alarm] = self.faults.of('400.006')
        self.assertEqual(('critical', 'host=controller-1.peer=controller-0'),
                         (alarm.severity, alarm.entity_instance_id))
        self.assertIn('controller-0 not fenced: BMC 10.0.0.9: no answer',
                      alarm.reason_text)
        peer.follow(7.9)
        self.assertEqual(1, fence.calls)
        peer.follow(8.0)                # retried
        peer.follow(8.0)
        self.assertEqual((failover.FAILED, False),
                         (peer.state, peer.present()))
        self.assertEqual(2, fence.calls)
        self.assertEqual([], self.faults.of('400.006'))
        self.assertIn('controller-0 fenced: BMC 10.0.0.9 confirms the power '
                      'off', peer.decisions[-1]['reason'])

    def test_a_peer_that_held_nothing_active_is_not_fenced(self):
        fence = Fence()
        peer = self._failover(fence)
        self.link.held = 'standby'
        peer.follow(0.0)
        self.link.cut()
        peer.follow(1.0)
        peer.follow(3.0)
        self.assertEqual(failover.FAILED, peer.state)
        self.assertEqual(0, fence.calls)
        self.assertIn('it held no service group active: no fence needed',
                      peer.decisions[-1]['reason'])

    def test_cut_off_from_the_tie_breaker_it_takes_nothing_over(self):
        fence = Fence(sm_fence.Outcome(True, 'BMC 10.0.0.9 confirms the '
                                             'power off'))
        tie_breaker = TieBreaker(False, True)
        peer = self._failover(fence, tie_breaker)
        peer.follow(0.0)
        self.link.cut()
        peer.follow(1.0)
        peer.follow(3.0)
        peer.follow(3.0)
        self.assertEqual((failover.ISOLATED, True),
                         (peer.state, peer.present()))
        self.assertEqual(0, fence.calls)
        self.assertEqual(
            "this controller may be the one cut off: tie-breaker not "
            "reached; controller-0's service groups stay where they were, "
            "checked again in 5 s", peer.decisions[-1]['reason'])
        peer.follow(8.0)                # reached now: fence, take over
        peer.follow(8.0)
        self.assertEqual(failover.FAILED, peer.state)
        self.assertEqual(1, fence.calls)
        self.assertIn('controller-0 fenced: BMC 10.0.0.9 confirms the power '
                      'off; tie-breaker answered (management silent',
                      peer.decisions[-1]['reason'])

    def test_never_heard_since_start_it_is_fenced_before_deciding(self):
        fence = Fence(sm_fence.Outcome(True, 'BMC 10.0.0.9 confirms the '
                                             'power off'))
        peer = self._failover(fence)
        self.link.cut()
        self.link.hello = None
        peer.follow(10.0)
        peer.follow(14.9)
        self.assertEqual((failover.UNKNOWN, False),
                         (peer.state, peer.decided()))
        peer.follow(15.0)               # the wait interval: fence
        self.assertEqual(failover.FENCING, peer.state)
        self.assertFalse(peer.decided())
        peer.follow(15.0)
        self.assertEqual((failover.FAILED, True),
                         (peer.state, peer.decided()))
        self.assertEqual(1, fence.calls)

    def test_never_heard_without_a_fence_it_decides_alone(self):
        peer = self._failover()
        self.link.cut()
        self.link.hello = None
        peer.follow(0.0)
        self.assertFalse(peer.decided())
        peer.follow(5.0)
        self.assertEqual((failover.FAILED, True),
                         (peer.state, peer.decided()))
        self.assertIn('nothing heard from the peer on any path since this '
                      'controller started 5.0 s ago',
                      peer.decisions[-1]['reason'])

    def test_heard_again_it_is_normal(self):
        peer = self._failover()
        peer.follow(0.0)
        self.link.cut()
        peer.follow(1.0)
        self.link.silent['oam'] = None
        peer.follow(1.5)
        self.assertEqual(failover.NORMAL, peer.state)
        self.assertEqual('controller-0 is heard again (management silent '
                         '0.9 s, oam alive)', peer.decisions[-1]['reason'])


class Driver:

    def __init__(self, state=bmc_base.POWER_OFF, error=None):
        self.state = state
        self.error = error
        self.calls = []

    def set_power_state(self, bmc_info, target, timeout=None):
        self.calls.append((target, timeout))
        if self.error is not None:
            raise self.error
        return self.state

    def get_power_state(self, bmc_info):
        self.calls.append('get')
        return self.state


class TestFence(testtools.TestCase):

    INFO = {'address': '10.0.0.9', 'username': 'admin', 'password': 'x'}

    def test_confirmed_by_reading_the_state_back(self):
        driver = Driver()
        outcome = sm_fence.Fence(driver, self.INFO, 10).power_off()
        self.assertEqual((True, 'BMC 10.0.0.9 confirms the power off'),
                         outcome)
        self.assertEqual([(bmc_base.POWER_OFF, 10), 'get'], driver.calls)

    def test_not_confirmed(self):
        for driver, detail in (
                (Driver(state=bmc_base.POWER_ON),
                 'BMC 10.0.0.9 reports the power on after the power-off'),
                (Driver(error=exception.ServiceUnavailable(
                    service='BMC', reason='no answer')),
                 'BMC 10.0.0.9: BMC is not available: no answer')):
            with self.subTest(detail=detail):
                self.assertEqual(
                    (False, detail),
                    sm_fence.Fence(driver, self.INFO, 10).power_off())


class TestTieBreaker(testtools.TestCase):

    def test_an_answer_even_a_refusal_reaches_it(self):
        listener = socket.socket()
        self.addCleanup(listener.close)
        listener.bind(('127.0.0.1', 0))
        listener.listen()
        port = listener.getsockname()[1]
        self.assertEqual(
            (True, 'tie-breaker 127.0.0.1 port %d answered' % port),
            failover.TieBreaker('127.0.0.1', port).reach())
        listener.close()                # now refused: still an answer
        self.assertTrue(failover.TieBreaker('127.0.0.1', port).reach()[0])

    def test_no_answer_does_not(self):
        error = OSError(errno.ENETUNREACH, 'Network is unreachable')
        self.useFixture(fixtures.MonkeyPatch(
            'socket.create_connection', mock.Mock(side_effect=error)))
        self.assertEqual(
            (False, 'tie-breaker 192.0.2.1 port 22 not reached: Network is '
                    'unreachable'),
            failover.TieBreaker('192.0.2.1', 22).reach())
