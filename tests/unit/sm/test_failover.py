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
from stx.sm import reach
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


class Reach:
    """This controller's score, as the test sets it."""

    def __init__(self, reached, total=3):
        self.set(reached, total)

    def set(self, reached, total=3):
        self.current = reach_score(reached, total)

    def score(self):
        return self.current


def confirmed():
    return sm_fence.Outcome(True, 'BMC 10.0.0.9 confirms the power off')


class FailoverCase(testtools.TestCase):

    def _failover(self, fence=None, tie_breaker=None, reach=None,
                  answers=None, active_here=()):
        """``answers``: what the peer answers over RPC, one per ask
        (``(reached, holding)`` or None for no answer); None: no RPC.
        """
        self.link = Link()
        self.faults = test_manager.Faults()
        self.asked = []

        def ask_peer(node):
            self.asked.append(node)
            answer = answers.pop(0)
            return answer and {'score': reach_score(answer[0]),
                               'holding': answer[1]}
        return failover.PeerFailover(
            'controller-1', self.link, fence, fail_pending=2.0,
            retry_interval=5.0, executor=futurist.SynchronousExecutor(),
            faults=self.faults, tie_breaker=tie_breaker, wait=5.0,
            reach=reach, ask_peer=None if answers is None else ask_peer,
            active_here=lambda: list(active_here))

    def _cut(self, peer, at=3.0):
        """Heard, then silent past fail-pending: its decision taken."""
        peer.follow(0.0)
        self.link.cut()
        peer.follow(1.0)
        peer.follow(at)
        peer.follow(at)


class TestPeerFailover(FailoverCase):

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
            "reached; no service group is active here, checked again in "
            "5 s", peer.decisions[-1]['reason'])
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


def reach_score(reached, total=3):
    return reach.Score(reached, total, [
        'worker-%d' % n for n in range(reached, total)])


class TestSurvivor(FailoverCase):
    """Hosts reached, and the peer's word over RPC, pick the survivor."""

    def test_cut_off_from_every_host_the_active_gives_up(self):
        reached = Reach(0)
        peer = self._failover(Fence(), reach=reached, answers=[None],
                              active_here=['core'])
        self.link.held = 'standby'
        self._cut(peer)
        self.assertEqual((failover.ISOLATED, True),
                         (peer.state, peer.yielding()))
        self.assertEqual(
            'this controller may be the one cut off: this controller '
            'reaches 0 of 3 hosts; no service group is active here, '
            'checked again in 5 s', peer.decisions[-1]['reason'])
        self.assertEqual([], self.asked)
        peer.follow(8.0)                # looking again: still nothing
        self.assertEqual((failover.FENCING, True),
                         (peer.state, peer.yielding()))
        peer.follow(8.0)                # still cut off: said once
        self.assertEqual((failover.ISOLATED, 2),
                         (peer.state, len(peer.decisions)))
        reached.set(2)                  # the hosts answer again
        peer.follow(13.0)
        peer.follow(13.0)
        self.assertEqual((failover.FAILED, False),
                         (peer.state, peer.yielding()))
        self.assertIn('controller-0 held no service group active: no fence '
                      'needed; this controller reaches 2 of 3 hosts',
                      peer.decisions[-1]['reason'])

    def test_the_tie_breaker_is_enough_without_the_hosts(self):
        fence = Fence(confirmed())
        peer = self._failover(fence, tie_breaker=TieBreaker(True),
                              reach=Reach(0))
        self._cut(peer)
        self.assertEqual(failover.FAILED, peer.state)
        self.assertIn('this controller reaches 0 of 3 hosts; tie-breaker '
                      'answered', peer.decisions[-1]['reason'])

    def test_reaching_more_hosts_it_fences_and_takes_over(self):
        fence = Fence(confirmed())
        peer = self._failover(fence, reach=Reach(3), answers=[(1, ['core'])])
        self._cut(peer)
        self.assertEqual((failover.FAILED, 1), (peer.state, fence.calls))
        self.assertEqual(['controller-0'], self.asked)
        self.assertIn('controller-0 fenced: BMC 10.0.0.9 confirms the power '
                      'off; this controller reaches 3 of 3 hosts; '
                      'controller-0 reaches 1 of 3 hosts (it says over RPC)',
                      peer.decisions[-1]['reason'])

    def test_reaching_fewer_hosts_it_yields(self):
        fence = Fence()
        peer = self._failover(fence, reach=Reach(1),
                              answers=[(3, ['core'])], active_here=['oam'])
        self._cut(peer)
        self.assertEqual((failover.YIELDED, True, 0),
                         (peer.state, peer.yielding(), fence.calls))
        self.assertEqual(
            'controller-0 is the survivor: this controller reaches 1 of 3 '
            'hosts; controller-0 reaches 3 of 3 hosts (it says over RPC); '
            'no service group is active here, checked again in 5 s',
            peer.decisions[-1]['reason'])

    def test_equal_scores_the_active_keeps_its_groups(self):
        standby = self._failover(Fence(), reach=Reach(3),
                                 answers=[(3, ['core'])])
        self._cut(standby)
        self.assertEqual(failover.YIELDED, standby.state)
        active = self._failover(Fence(), reach=Reach(3), answers=[(3, [])],
                                active_here=['core'])
        self.link.held = 'standby'
        self._cut(active)
        self.assertEqual((failover.FAILED, False),
                         (active.state, active.yielding()))

    def test_equal_scores_nothing_active_the_first_by_name_survives(self):
        peer = self._failover(reach=Reach(2), answers=[(2, [])])
        self.link.held = 'standby'
        self._cut(peer)
        self.assertEqual(failover.YIELDED, peer.state)

    def test_without_a_fence_it_waits_for_the_peer_to_give_up(self):
        peer = self._failover(reach=Reach(3), answers=[
            (1, ['core']), (1, ['core']), (1, [])])
        self._cut(peer)
        self.assertEqual((failover.HANDING_OVER, False),
                         (peer.state, peer.yielding()))
        self.assertIn('controller-0 still holds core; no fence is '
                      'configured: waiting for it to give them up',
                      peer.decisions[-1]['reason'])
        peer.follow(3.5)                # asked again at once: still holds
        peer.follow(3.5)
        self.assertEqual(failover.HANDING_OVER, peer.state)
        self.assertEqual(2, len(peer.decisions))    # said once
        peer.follow(4.0)
        peer.follow(4.0)
        self.assertEqual(failover.FAILED, peer.state)
        self.assertIn('controller-0 held no service group active: no fence '
                      'needed', peer.decisions[-1]['reason'])

    def test_without_a_score_here_the_peer_is_not_asked(self):
        fence = Fence(confirmed())
        peer = self._failover(fence, answers=[(3, ['core'])])
        self._cut(peer)
        self.assertEqual((failover.FAILED, 1, []),
                         (peer.state, fence.calls, self.asked))

    def test_no_answer_over_rpc_it_decides_on_its_own_score(self):
        fence = Fence(confirmed())
        peer = self._failover(fence, reach=Reach(1), answers=[None])
        self._cut(peer)
        self.assertEqual((failover.FAILED, 1), (peer.state, fence.calls))
        self.assertEqual(['controller-0'], self.asked)
        self.assertNotIn('says over RPC', peer.decisions[-1]['reason'])


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
