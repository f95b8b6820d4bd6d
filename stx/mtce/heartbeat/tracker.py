"""Heartbeat health: misses counted per host and network, judged per period.

Pure logic, no sockets and no clock: the monitor reports each valid
response with ``answered()`` and calls ``tick()`` once per period with the
monotonic time; ``tick()`` returns what changed. Each tick, for each host
and each network it is monitored on, the network either answered since the
previous tick (its misses drop to 0) or did not (one more miss).

Unlocked hosts (``Target.enabled``: failure detection applies) start
``ok``. They are ``minor`` once a network has missed ``minor_threshold``
periods, ``degraded`` at ``degrade_threshold``, and ``failed`` only when
every network of the host has missed ``failure_threshold``. Getting worse
is immediate; getting better is level-triggered: ``minor`` is ``ok`` again
at the first tick every network answered, ``degraded`` and ``failed`` only
after ``recovery_pulses`` back-to-back answered ticks on every network, and
a ``failed`` host is ``degraded`` once one network alone has answered that
many. Until a host first answers (the monitor, or its agent, may have just
started) every one of its thresholds is ``offline_threshold``.

Locked hosts are watched for presence only, and are never minor, degraded
or failed: they start ``unknown``, are ``ok`` at any tick a network
answered and ``offline`` once every network has missed
``offline_threshold``. A target without any address is listed as
``unknown`` and not evaluated.

Multi-node failure avoidance (MNFA): an unlocked host whose every network
has missed ``degrade_threshold`` is "in loss". When ``mnfa_threshold`` or
more hosts are in loss at once (0 disables it), a network fault is more
likely than that many dead hosts: MNFA starts and no host is failed while
it lasts (they stay degraded; hosts failed before stay failed). It ends
when fewer hosts are in loss, or after ``mnfa_timeout`` seconds (0: never);
after a timeout it starts again only once the count has dropped below the
threshold. The thresholds of a tick apply to that tick's state: a host
still over the failure threshold when MNFA ends is failed in that tick.
"""

import collections

from stx.common import exception
from stx.mtce import heartbeat

HEALTH_UNKNOWN = 'unknown'
HEALTH_OK = 'ok'
HEALTH_MINOR = 'minor'
HEALTH_DEGRADED = 'degraded'
HEALTH_FAILED = 'failed'
HEALTH_OFFLINE = 'offline'

_RANK = {HEALTH_OK: 0, HEALTH_MINOR: 1, HEALTH_DEGRADED: 2, HEALTH_FAILED: 3}

#: A monitored host. ``addresses``: {network: (ip, port)} of its responder;
#: ``enabled``: failure detection applies (unlocked), else presence only.
Target = collections.namedtuple('Target', 'uuid name addresses enabled')

#: A host's health changed. ``lost``: the networks (in NETWORKS order) that
#: missed at least ``degrade_threshold`` periods; ``last_answered``: the
#: monotonic time of its last valid response on any network (None: never);
#: ``misses``: {network: consecutive misses}.
Change = collections.namedtuple(
    'Change', 'host_uuid name old new lost last_answered misses')

#: Multi-node failure avoidance started (``active`` True; ``hosts``: the
#: uuids of the hosts in loss, in target order) or ended (False, ``()``).
Mnfa = collections.namedtuple('Mnfa', 'active hosts')

#: The key of ``Tracker.view()`` holding the MNFA state (never a uuid).
MNFA_KEY = 'mnfa'


class HeartbeatConfigInvalid(exception.StxException):
    msg_fmt = 'Invalid [heartbeat] configuration: %(reason)s'
    error_code = 'stx.heartbeat.config_invalid'
    safe = False


class _Host:
    """What the tracker knows of one target; per-network dicts share the
    key order of heartbeat.NETWORKS.
    """

    __slots__ = ('uuid', 'name', 'enabled', 'health', 'misses', 'streaks',
                 'last_answered', 'answered', 'answered_now', 'heard')

    def __init__(self, target, networks, heard=False):
        self.uuid = target.uuid
        self.name = target.name
        self.enabled = bool(target.enabled)
        self.health = (HEALTH_OK if self.enabled and networks
                       else HEALTH_UNKNOWN)
        self.misses = dict.fromkeys(networks, 0)
        # Back-to-back answered ticks, per network.
        self.streaks = dict.fromkeys(networks, 0)
        self.last_answered = dict.fromkeys(networks)
        # Networks that answered since the last tick.
        self.answered = set()
        self.answered_now = 0
        # Whether it ever answered since it was first a target.
        self.heard = heard

    def reshape(self, networks):
        """Keep the state of the networks still monitored; new ones start
        fresh.
        """
        self.misses = {net: self.misses.get(net, 0) for net in networks}
        self.streaks = {net: self.streaks.get(net, 0) for net in networks}
        self.last_answered = {net: self.last_answered.get(net)
                              for net in networks}
        self.answered &= set(networks)

    def change(self, new, degrade_threshold):
        times = [t for t in self.last_answered.values() if t is not None]
        event = Change(self.uuid, self.name, self.health, new,
                       tuple(net for net, count in self.misses.items()
                             if count >= degrade_threshold),
                       max(times) if times else None, dict(self.misses))
        self.health = new
        return event


class Tracker:
    """Health of a set of targets, one evaluation per ``tick()``.

    Not thread-safe: the caller serialises calls (the Monitor holds a lock).

    :raises: HeartbeatConfigInvalid when the thresholds are out of order
        or out of range.
    """

    def __init__(self, minor_threshold=4, degrade_threshold=6,
                 failure_threshold=10, offline_threshold=90,
                 recovery_pulses=11, mnfa_threshold=2, mnfa_timeout=0):
        if not 1 <= minor_threshold <= degrade_threshold <= failure_threshold:
            raise HeartbeatConfigInvalid(
                reason='1 <= minor_threshold (%s) <= degrade_threshold (%s) '
                       '<= failure_threshold (%s) does not hold'
                       % (minor_threshold, degrade_threshold,
                          failure_threshold))
        for name, value, minimum in (
                ('offline_threshold', offline_threshold, 1),
                ('recovery_pulses', recovery_pulses, 1),
                ('mnfa_threshold', mnfa_threshold, 0),
                ('mnfa_timeout', mnfa_timeout, 0)):
            if value < minimum:
                raise HeartbeatConfigInvalid(
                    reason='%s must be at least %s, not %s'
                           % (name, minimum, value))
        self._minor = minor_threshold
        self._degrade = degrade_threshold
        self._failure = failure_threshold
        self._offline = offline_threshold
        self._recovery = recovery_pulses
        self._mnfa_threshold = mnfa_threshold
        self._mnfa_timeout = mnfa_timeout
        self._hosts = {}
        # The hosts with at least one network, in target order.
        self._monitored = []
        self._mnfa_since = None
        # After an MNFA timeout: no new MNFA until the count drops.
        self._mnfa_spent = False
        self._in_loss = ()

    def set_targets(self, targets):
        """Replace the targets (an iterable of Target).

        A new target, or one whose ``enabled`` changed, or that gets its
        first address or loses its last, starts afresh; a known one keeps
        its state for the networks it is still monitored on. Targets absent
        from ``targets`` are forgotten without an event.

        :raises: ValueError for a network not in heartbeat.NETWORKS.
        """
        hosts = {}
        for target in targets:
            unknown = set(target.addresses) - set(heartbeat.NETWORKS)
            if unknown:
                raise ValueError('host %s: unknown heartbeat network(s) %s'
                                 % (target.name, ', '.join(sorted(unknown))))
            networks = [net for net in heartbeat.NETWORKS
                        if net in target.addresses]
            host = self._hosts.get(target.uuid)
            if (host is None or host.enabled != bool(target.enabled)
                    or not (networks and host.misses)):
                host = _Host(target, networks, host is not None and host.heard)
            else:
                host.name = target.name
                host.reshape(networks)
            hosts[target.uuid] = host
        self._hosts = hosts
        self._monitored = [host for host in hosts.values() if host.misses]

    def answered(self, host_uuid, network, now):
        """Record a valid response of a host on a network at ``now``."""
        host = self._hosts.get(host_uuid)
        if host is not None and network in host.misses:
            host.answered.add(network)
            host.last_answered[network] = now
            host.heard = True

    def tick(self, now):
        """Count this period's answers and misses.

        :param now: monotonic seconds.
        :returns: the events of this tick: an Mnfa event first if MNFA
            started or ended, then a Change per host whose health changed,
            in target order.
        """
        degrade = self._degrade
        in_loss = []
        unsettled = []
        for host in self._monitored:
            misses = host.misses
            streaks = host.streaks
            answered = host.answered
            if len(answered) == len(misses):
                for net in misses:
                    misses[net] = 0
                    streaks[net] += 1
                host.answered_now = len(misses)
                answered.clear()
                if host.health != HEALTH_OK:
                    unsettled.append(host)
                continue
            for net in misses:
                if net in answered:
                    misses[net] = 0
                    streaks[net] += 1
                else:
                    misses[net] += 1
                    streaks[net] = 0
            host.answered_now = len(answered)
            answered.clear()
            if host.enabled and min(misses.values()) >= (
                    degrade if host.heard else self._offline):
                in_loss.append(host)
            unsettled.append(host)
        self._in_loss = tuple(host.uuid for host in in_loss)
        events = self._update_mnfa(now)
        mnfa_active = self._mnfa_since is not None
        for host in unsettled:
            if host.enabled:
                new = self._health(host, mnfa_active)
            elif host.answered_now:
                new = HEALTH_OK
            elif min(host.misses.values()) >= self._offline:
                new = HEALTH_OFFLINE
            else:
                continue
            if new != host.health:
                events.append(host.change(new, degrade))
        return events

    def _update_mnfa(self, now):
        count = len(self._in_loss)
        below = count < self._mnfa_threshold
        if self._mnfa_since is None:
            if below:
                self._mnfa_spent = False
            elif self._mnfa_threshold and not self._mnfa_spent:
                self._mnfa_since = now
                return [Mnfa(True, self._in_loss)]
            return []
        if below:
            self._mnfa_since = None
            return [Mnfa(False, ())]
        if self._mnfa_timeout and now - self._mnfa_since >= self._mnfa_timeout:
            self._mnfa_since = None
            self._mnfa_spent = True
            return [Mnfa(False, ())]
        return []

    def _health(self, host, mnfa_active):
        """The new health of an unlocked host after this tick's counts."""
        worst = max(host.misses.values())
        if host.heard:
            minor, degrade, failure = (self._minor, self._degrade,
                                       self._failure)
        else:
            # Not heard from since this monitor started: its agent may be
            # starting too. Only as long a silence as makes a locked host
            # offline fails it.
            minor = degrade = failure = self._offline
        if min(host.misses.values()) >= failure and not mnfa_active:
            level = HEALTH_FAILED
        elif worst >= degrade:
            level = HEALTH_DEGRADED
        elif worst >= minor:
            level = HEALTH_MINOR
        else:
            level = HEALTH_OK
        current = host.health
        if _RANK[level] >= _RANK[current]:
            return level
        if current == HEALTH_MINOR:
            # Every network answered this very tick: all misses are 0.
            return (HEALTH_OK if host.answered_now == len(host.misses)
                    else current)
        # Degraded or failed: recovery is level-triggered.
        if min(host.streaks.values()) >= self._recovery:
            return HEALTH_OK
        if current == HEALTH_FAILED and (max(host.streaks.values())
                                         >= self._recovery):
            return HEALTH_DEGRADED
        return current

    def view(self):
        """A snapshot for operators and tests.

        :returns: {host uuid: {'name', 'health', 'enabled', 'networks':
            {network: {'misses', 'last_answered'}}}}, plus under MNFA_KEY
            {'active': bool, 'since': monotonic start or None, 'hosts':
            [uuids in loss at the last tick], 'suspended': bool, True after
            a timeout until fewer hosts are in loss}.
        """
        view = {uuid: {'name': host.name,
                       'health': host.health,
                       'enabled': host.enabled,
                       'networks': {net: {'misses': count,
                                          'last_answered':
                                              host.last_answered[net]}
                                    for net, count in host.misses.items()}}
                for uuid, host in self._hosts.items()}
        view[MNFA_KEY] = {'active': self._mnfa_since is not None,
                          'since': self._mnfa_since,
                          'hosts': list(self._in_loss),
                          'suspended': self._mnfa_spent}
        return view
