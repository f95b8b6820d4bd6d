"""Whether the peer controller still counts: StarlingX's failover states.

A peer that no longer answers on any path is not taken for failed at once
(sm_failover): first a *fail-pending* time (``fail_pending_ms``, 2 s), in
case its paths come back; then, when a fence is configured, the peer is
*fenced* (powered off through its BMC, the power-off read back), and only
a confirmed fence makes it *failed*: its service groups may then go active
here. A peer that held no group active is not fenced: there is nothing
to take over, and two controllers cut off from each other must not fence
each other (the active one keeps its groups, the standby fences it and
takes them). A fence that is not confirmed is not a fence: the peer stays
as it was last heard (so this controller does not take its groups), alarm
400.006 is raised, and the fence is tried again every
``fence_retry_interval``. With a tie-breaker in the model (an address and
TCP port), a controller that cannot reach it before a takeover may be the
one cut off: it is *isolated*, takes nothing over and does not fence, and
looks again every ``fence_retry_interval``. A peer heard again is back to
*normal*. A controller that starts and does not hear its peer within the
domain's ``wait_interval_ms`` (5 s) treats it the same way: it may hold
anything, so with a fence configured it is fenced before this controller
decides alone.

Every such decision is recorded with its reasons (which paths were silent
and for how long, what the fence returned): kept here (``decisions``,
shown by the sm API's servicenode), logged, and written to the event log
(401.007).
"""

import collections
import socket

from oslo_log import log as logging
from oslo_utils import timeutils

from stx.common import states
from stx.fm import client as fm_client
from stx.sm import fence as sm_fence

LOG = logging.getLogger(__name__)

FENCE_ALARM = '400.006'
DECISION_LOG = '401.007'

UNKNOWN = 'unknown'             # never heard since start
NORMAL = 'normal'
FAIL_PENDING = 'fail-pending'
FENCING = 'fencing'
FENCE_FAILED = 'fence-failed'
ISOLATED = 'isolated'
FAILED = 'failed'
# In these the peer's last hello still stands for it.
_PRESENT = (NORMAL, FAIL_PENDING, FENCING, FENCE_FAILED, ISOLATED)
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
    """

    def __init__(self, node, link, fence, fail_pending, retry_interval,
                 executor, faults=None, tie_breaker=None, wait=5.0):
        self.node = node
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
            if self._fence is None and self._tie_breaker is None:
                self._decide(FAILED, 'nothing heard from the peer on any '
                             'path since this controller started %.1f s ago '
                             '(%s); no fence is configured: deciding alone'
                             % (now - self._started, self._paths()))
            else:
                self._start_takeover()
        elif self.state == NORMAL:
            self._since = now
            self._decide(FAIL_PENDING, 'nothing heard from %s on any path '
                         '(%s); fail-pending for %g s' % (
                             self._peer(), self._paths(),
                             self._fail_pending))
        elif self.state == FAIL_PENDING and \
                now - self._since >= self._fail_pending:
            holding = self._holding()
            if not holding:
                self._decide(FAILED, '%s silent on every path for %.1f s '
                             '(%s); it held no service group active: no '
                             'fence needed' % (
                                 self._peer(), self._silent(now),
                                 self._paths()))
            elif self._fence is None and self._tie_breaker is None:
                self._decide(FAILED, '%s silent on every path for %.1f s '
                             '(%s); no fence is configured: %s may go '
                             'active here' % (
                                 self._peer(), self._silent(now),
                                 self._paths(), ', '.join(holding)))
            else:
                self._start_takeover()
        elif self.state == FENCING and self._fencing.done():
            self._taken_over(now, self._fencing.result())
        elif self.state in (FENCE_FAILED, ISOLATED) and \
                now >= self._retry_at:
            self._start_takeover()

    def _start_takeover(self):
        self.state = FENCING
        self._fencing = self._executor.submit(self._takeover)

    def _takeover(self):
        """Check the tie-breaker, then fence (in the executor).

        :returns: the state it leads to, and what says why.
        """
        reached = ''
        if self._tie_breaker is not None:
            outcome = self._tie_breaker.reach()
            if not outcome.confirmed:
                return ISOLATED, outcome.detail
            reached = '; %s' % outcome.detail
        if self._fence is None:
            return FAILED, '%s not fenced (no fence is configured)%s' % (
                self._peer(), reached)
        LOG.warning('Fencing %(peer)s through BMC %(bmc)s',
                    {'peer': self._peer(), 'bmc': self._fence.address})
        outcome = self._fence.power_off()
        if outcome.confirmed:
            return FAILED, '%s fenced: %s%s' % (self._peer(), outcome.detail,
                                                reached)
        return FENCE_FAILED, outcome.detail

    def _taken_over(self, now, result):
        state, detail = result
        if state == FAILED:
            self._alarm(None)
            self._decide(FAILED, '%s (%s); its service groups may go '
                         'active here' % (detail, self._paths()))
            return
        self._retry_at = now + self._retry_interval
        if state == ISOLATED:
            self._decide(ISOLATED, 'this controller may be the one cut off: '
                         '%s; %s\'s service groups stay where they were, '
                         'checked again in %g s' % (
                             detail, self._peer(), self._retry_interval))
            return
        reason = ('%s not fenced: %s; its service groups stay where they '
                  'were, fence retried in %g s' % (
                      self._peer(), detail, self._retry_interval))
        self._decide(FENCE_FAILED, reason)
        self._alarm(reason)

    def _holding(self):
        """The groups the peer last said it holds active."""
        groups = (self._link.peer_hello() or {}).get('groups', {})
        return sorted(name for name, group in groups.items()
                      if group.get('role') == states.SG_ACTIVE)

    def _silent(self, now):
        return now - self._since + self._link.dead_interval

    def _peer(self):
        hello = self._link.peer_hello() or {}
        return hello.get('node', 'the peer')

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
        entity = 'host=%s.peer=%s' % (self.node, self._peer())
        if reason is None:
            self._faults.clear_fault(FENCE_ALARM, entity)
        else:
            self._faults.set_fault(fm_client.Fault(
                alarm_id=FENCE_ALARM, alarm_state=fm_client.SET,
                entity_type_id='host', entity_instance_id=entity,
                severity=states.SEVERITY_CRITICAL,
                reason_text=fm_client.clip(reason)))
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
