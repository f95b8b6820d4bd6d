"""Whether the peer controller still counts: StarlingX's failover states.

A peer that no longer answers on any path is not taken for failed at once
(sm_failover): first a *fail-pending* time (``fail_pending_ms``, 2 s), in
case its paths come back. Then this controller decides who survives:

1. Cut off? A controller that may be the one cut off holds no service
   group active: it is *isolated* when it has a way to tell and none
   answers: hosts to reach (its health score, stx.sm.reach: the hosts
   whose heartbeat it still gets) and none answers, and the model's
   tie-breaker (an address and TCP port), when there is one, does not
   answer either. An active controller isolated gives its groups up.
2. Who survives? A controller with a score asks its peer over RPC (the
   message bus, another way than the paths; a dead peer costs the wait
   for its answer). When it answers with a score of its own, the
   controller that reaches more hosts is the survivor; on equal scores
   the one holding groups active keeps them (StarlingX fails the
   standby). The other one *yields*: no group active there.
3. Fence. A peer that holds no group active (as it last said, or as it
   answers) is not fenced: there is nothing to take over, and two
   controllers cut off from each other must not fence each other. One
   that may hold some is *fenced* when a fence is configured (powered
   off through its BMC, the power-off read back), and only a confirmed
   fence makes it *failed*: its service groups may then go active here.
   A fence that is not confirmed is not a fence: the peer stays as it was
   last heard (so this controller does not take its groups), alarm
   400.006 is raised, and the fence is tried again. Without a fence, a
   peer that still answers over RPC is waited for (*handing-over*) until
   it gave its groups up.

An isolated, yielded or unfenced controller looks again every
``fence_retry_interval``. A peer heard again is back to *normal*. A
controller that starts and does not hear its peer within the domain's
``wait_interval_ms`` (5 s) goes through the same steps: a peer never
heard may hold anything.

Every such decision is recorded with its reasons (which paths were silent
and for how long, the scores, what the fence and the tie-breaker
returned): kept here (``decisions``, shown by the sm API's servicenode),
logged, and written to the event log (401.007).
"""

import collections
import socket

from oslo_log import log as logging
from oslo_utils import timeutils

from stx.common import states
from stx.fm import client as fm_client
from stx.sm import alarms as sm_alarms
from stx.sm import fence as sm_fence
from stx.sm import reach

LOG = logging.getLogger(__name__)

FENCE_ALARM = '400.006'
DECISION_LOG = '401.007'

UNKNOWN = 'unknown'             # never heard since start
NORMAL = 'normal'
FAIL_PENDING = 'fail-pending'
FENCING = 'fencing'
FENCE_FAILED = 'fence-failed'
ISOLATED = 'isolated'
YIELDED = 'yielded'             # the peer is the survivor
HANDING_OVER = 'handing-over'   # the survivor waits for the peer
FAILED = 'failed'
# In these the peer's last hello still stands for it.
_PRESENT = (NORMAL, FAIL_PENDING, FENCING, FENCE_FAILED, ISOLATED, YIELDED,
            HANDING_OVER)
# In these the takeover is tried again.
_RETRIED = (FENCE_FAILED, ISOLATED, YIELDED, HANDING_OVER)
DECISIONS_KEPT = 20


class PeerFailover:
    """Follows the peer; see the module docstring.

    Driven by the engine thread (``follow``, once per engine pass); read
    by any thread.

    :param node: this controller's name.
    :param link: the stx.sm.peer.PeerLink.
    :param fence: a stx.sm.fence.Fence, or None when none is configured.
    :param fail_pending: seconds of fail-pending.
    :param retry_interval: seconds between two fences not confirmed.
    :param executor: runs the fences (a futurist executor).
    :param faults: where alarms and logs go, or None.
    :param tie_breaker: a TieBreaker this controller must reach to take
        the peer's groups over, or None.
    :param wait: seconds a starting controller waits to hear its peer.
    :param reach: a stx.sm.reach.HostReach, or None.
    :param ask_peer: ``ask_peer(node)`` -> what the peer says of itself
        through another way than the paths (RPC): ``{'score': a
        stx.sm.reach.Score or None, 'holding': [groups active there]}``,
        or None when it does not answer; or None.
    :param active_here: ``active_here()`` -> the groups active here.
    """

    def __init__(self, node, link, fence, fail_pending, retry_interval,
                 executor, faults=None, tie_breaker=None, wait=5.0,
                 reach=None, ask_peer=None, active_here=lambda: ()):
        self.node = node
        self._reach = reach
        self._ask_peer = ask_peer
        self._active_here = active_here

        self.state = UNKNOWN
        self.decisions = collections.deque(maxlen=DECISIONS_KEPT)
        self._link = link
        self._fence = fence
        self._tie_breaker = tie_breaker
        self._wait = wait
        self._started = None
        self._fail_pending = fail_pending
        self._retry_interval = retry_interval
        self._executor = executor
        self._faults = faults
        self._since = None
        self._fencing = None
        self._checking_yielded = False
        self._retry_at = None
        self._alarmed = False

    def present(self):
        """Whether the peer's last hello still stands for the peer."""
        return self.state in _PRESENT

    def decided(self):
        """Whether this controller knows enough of its peer to decide its
        roles: the peer is heard, or was and still stands as last heard,
        or is failed. A controller that has not heard its peer since it
        started waits for that, or for the peer to be failed.
        """
        return self.state in (NORMAL, FAILED) or (
            self.state in _PRESENT and self._link.peer_hello() is not None)

    def follow(self, now):
        """Move on as the link and the fence say; ``now`` monotonic."""
        if self._started is None:
            self._started = now
        if self._link.alive():
            if self.state not in (UNKNOWN, NORMAL):
                self._decide(NORMAL, '%s is heard again (%s)' % (
                    self._peer(), self._paths()))
                self._alarm(None)
            self.state = NORMAL
            return
        if self.state == UNKNOWN and now - self._started >= self._wait:
            # Never heard since start: it may hold anything.
            self._since = self._started
            if self._checks(None):
                self._start_takeover()
            else:
                self._decide(FAILED, 'nothing heard from the peer on any '
                             'path since this controller started %.1f s ago '
                             '(%s); no fence is configured: deciding alone'
                             % (now - self._started, self._paths()))
        elif self.state == NORMAL:
            self._since = now
            self._decide(FAIL_PENDING, 'nothing heard from %s on any path '
                         '(%s); fail-pending for %g s' % (
                             self._peer(), self._paths(),
                             self._fail_pending))
        elif self.state == FAIL_PENDING and \
                now - self._since >= self._fail_pending:
            holding = self._holding()
            if self._checks(holding):
                self._start_takeover()
            elif not holding:
                self._decide(FAILED, '%s silent on every path for %.1f s '
                             '(%s); it held no service group active: no '
                             'fence needed' % (
                                 self._peer(), self._silent(now),
                                 self._paths()))
            else:
                self._decide(FAILED, '%s silent on every path for %.1f s '
                             '(%s); no fence is configured: %s may go '
                             'active here' % (
                                 self._peer(), self._silent(now),
                                 self._paths(), ', '.join(holding)))
        elif self.state == FENCING and self._fencing.done():
            self._taken_over(now, self._fencing.result())
        elif self.state in _RETRIED and now >= self._retry_at:
            self._start_takeover()

    def yielding(self):
        """Whether this controller must hold no service group active: it
        may be the one cut off, or its peer is the survivor.
        """
        return self.state in (ISOLATED, YIELDED) or (
            self.state == FENCING and self._checking_yielded)

    def score(self):
        """This controller's stx.sm.reach.Score, or None."""
        return None if self._reach is None else self._reach.score()

    def _checks(self, holding):
        """Whether anything is to be checked before deciding, with the
        peer holding ``holding`` active (None: unknown): whether this
        controller is cut off (the tie-breaker, the hosts reached), and a
        fence for a peer that may hold something.
        """
        return (self._tie_breaker is not None or self.score() is not None
                or (holding != [] and self._fence is not None))

    def _start_takeover(self):
        # Looking again, an isolated or yielded controller holds nothing
        # until it knows better: its peer's last hello may say standby.
        self._checking_yielded = self.yielding()
        self.state = FENCING
        self._fencing = self._executor.submit(self._takeover)

    def _takeover(self):
        """Decide who survives, then fence (in the executor).

        :returns: the state it leads to, and what says why.
        """
        peer = self._peer()
        mine = self.score()
        facts = []
        if mine is not None:
            facts.append('this controller reaches %s' %
                         reach.score_text(mine))
        reached = mine is not None and mine.reached > 0
        if self._tie_breaker is not None:
            outcome = self._tie_breaker.reach()
            facts.append(outcome.detail)
            reached = reached or outcome.confirmed
        if facts and not reached:
            return ISOLATED, 'this controller may be the one cut off: %s' % (
                '; '.join(facts))
        holding = self._holding()
        theirs = None
        if mine is not None and self._ask_peer is not None and \
                self._peer_name() is not None:
            # Only a score is worth the wait for a peer that may be dead.
            theirs = self._ask_peer(self._peer_name())
        if theirs is not None:
            holding = theirs['holding']
            if theirs['score'] is not None:
                facts.append('%s reaches %s (it says over RPC)' % (
                    peer, reach.score_text(theirs['score'])))
                if self._outscored(mine, theirs):
                    return YIELDED, '%s is the survivor: %s' % (
                        peer, '; '.join(facts))
        facts = ''.join('; ' + fact for fact in facts)
        if holding == []:
            return FAILED, '%s held no service group active: no fence ' \
                'needed%s' % (peer, facts)
        if self._fence is None:
            if theirs is not None:
                # It answers: it gives its groups up itself.
                return HANDING_OVER, '%s still holds %s; no fence is ' \
                    'configured: waiting for it to give them up%s' % (
                        peer, ', '.join(holding), facts)
            return FAILED, '%s not fenced (no fence is configured)%s' % (
                peer, facts)
        LOG.warning('Fencing %(peer)s through BMC %(bmc)s',
                    {'peer': peer, 'bmc': self._fence.address})
        outcome = self._fence.power_off()
        if outcome.confirmed:
            return FAILED, '%s fenced: %s%s' % (peer, outcome.detail, facts)
        return FENCE_FAILED, outcome.detail

    def _outscored(self, mine, theirs):
        """Whether the peer, as it answered (``theirs``), survives rather
        than this controller reaching ``mine``: more hosts reached win; on
        equal scores the controller holding service groups active keeps
        them (StarlingX fails the standby), and when neither or both do,
        the first by name.
        """
        if theirs['score'].reached != mine.reached:
            return theirs['score'].reached > mine.reached
        held_there = bool(theirs['holding'])
        if held_there != bool(self._active_here()):
            return held_there
        return self._peer_name() < self.node

    def _taken_over(self, now, result):
        state, detail = result
        if state == FAILED:
            self._alarm(None)
            self._decide(FAILED, '%s (%s); its service groups may go '
                         'active here' % (detail, self._paths()))
            return
        self._retry_at = now + (0 if state == HANDING_OVER
                                else self._retry_interval)
        if state in (ISOLATED, YIELDED, HANDING_OVER):
            if state == HANDING_OVER:
                reason = '%s (%s)' % (detail, self._paths())
            else:
                reason = '%s; no service group is active here, checked ' \
                    'again in %g s' % (detail, self._retry_interval)
            last = self.decisions[-1] if self.decisions else {}
            if last.get('state') == state and (
                    state == HANDING_OVER or last['reason'] == reason):
                self.state = state      # said already
            else:
                self._decide(state, reason)
            return
        reason = ('%s not fenced: %s; its service groups stay where they '
                  'were, fence retried in %g s' % (
                      self._peer(), detail, self._retry_interval))
        # Alarmed before the state says so: whoever reads the state finds
        # the alarm.
        self._alarm(reason)
        self._decide(FENCE_FAILED, reason)

    def _holding(self):
        """The groups the peer last said it holds active; None when it
        was never heard (it may hold anything).
        """
        hello = self._link.peer_hello()
        if hello is None:
            return None
        return sorted(name for name, group in hello['groups'].items()
                      if group.get('role') == states.SG_ACTIVE)

    def _silent(self, now):
        return now - self._since + self._link.dead_interval

    def _peer(self):
        return self._peer_name() or 'the peer'

    def _peer_name(self):
        return (self._link.peer_hello() or {}).get('node')

    def _paths(self):
        return ', '.join(
            '%s %s' % (name, 'alive' if path['alive'] else
                       'never heard' if path['silent_for'] is None else
                       'silent %.1f s' % path['silent_for'])
            for name, path in sorted(self._link.paths().items()))

    def _decide(self, state, reason):
        self.state = state
        self.decisions.append({'at': timeutils.utcnow().isoformat(),
                               'state': state, 'reason': reason})
        LOG.warning('Peer failover on %(node)s: %(state)s: %(reason)s',
                    {'node': self.node, 'state': state, 'reason': reason})
        if self._faults is not None:
            self._faults.set_event(fm_client.Fault(
                alarm_id=DECISION_LOG, alarm_state=fm_client.LOG,
                entity_type_id='host',
                entity_instance_id='host=%s' % self.node,
                severity=states.SEVERITY_MAJOR if state in (
                    FAILED, FENCE_FAILED) else states.SEVERITY_WARNING,
                reason_text=fm_client.clip('%s: %s' % (state, reason))))

    def _alarm(self, reason):
        """Raise 400.006 with ``reason``; clear it when None."""
        if self._faults is None or (reason is None and not self._alarmed):
            return
        sm_alarms.set_or_clear(
            self._faults, FENCE_ALARM, 'host',
            'host=%s.peer=%s' % (self.node, self._peer()),
            None if reason is None else states.SEVERITY_CRITICAL, reason)
        self._alarmed = reason is not None


class TieBreaker:
    """An address a controller must reach to take its peer's groups over.

    Reached when a TCP connection to it opens, or is refused: either way
    something answered from that address.

    :param address: the address.
    :param port: a TCP port on it.
    :param timeout: seconds a try may take.
    """

    def __init__(self, address, port, timeout=1.0):
        self.address = address
        self.port = port
        self.timeout = timeout

    def reach(self):
        """An Outcome: ``confirmed`` when something answered."""
        where = 'tie-breaker %s port %d' % (self.address, self.port)
        try:
            socket.create_connection((self.address, self.port),
                                     timeout=self.timeout).close()
        except ConnectionRefusedError:
            return sm_fence.Outcome(True, '%s answered (refused)' % where)
        except OSError as error:
            return sm_fence.Outcome(False, '%s not reached: %s' % (
                where, error.strerror or error))
        return sm_fence.Outcome(True, '%s answered' % where)
