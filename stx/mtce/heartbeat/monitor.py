"""The heartbeat monitor stx-mtce runs on a controller.

One daemon thread and one UDP socket per network. Every period, on a
monotonic schedule that never drifts (a late tick is not made up for: no
request went out for it), the thread evaluates the tracker, sends one
signed pulse request per target per network (signed once per network), and
hands the tracker's events to ``on_events``. Between ticks it waits on the
sockets and checks each response (see ``Monitor._receive`` for the rules);
only accepted responses reach the tracker.
"""

import ipaddress
import os
import selectors
import socket
import threading
import time
import uuid as uuid_lib

from oslo_log import log as logging

from stx.conf import CONF
from stx.mtce import heartbeat
from stx.mtce.heartbeat import protocol
from stx.mtce.heartbeat import tracker

LOG = logging.getLogger(__name__)

#: The counters of ``Monitor.stats()``. ``foreign``: signed responses not
#: for this monitor, network or target address; ``replayed``: replays, and
#: genuine responses too late (outside the replay window) or overtaken by
#: a newer one from the same host and network.
STATS = ('sent', 'received', 'accepted', 'forged', 'replayed', 'malformed',
         'foreign', 'send_errors')
SEND_ERROR_LOG_INTERVAL = 60.0
# Responses of 1,000 hosts arrive within a few milliseconds: ask for a
# receive buffer that holds them, and read them between sends.
_RECEIVE_BUFFER = 4 * 1024 * 1024
_SEND_BATCH = 128
# Datagrams read from one socket before the loop looks at the clock again.
_RECEIVE_BATCH = 512
_STOP_TIMEOUT = 5.0


class _Peer:
    """A target as the packet checks see it."""

    __slots__ = ('uuid', 'name', 'ips', 'last_seq', 'error_logged_at')

    def __init__(self, target, ips, previous):
        self.uuid = target.uuid
        self.name = target.name
        self.ips = ips
        # Sequence number last accepted from it, per network.
        self.last_seq = previous.last_seq if previous else {}
        self.error_logged_at = previous.error_logged_at if previous else None


class Monitor:
    """Send pulse requests to the targets and track their answers.

    Every argument left at None takes its ``[heartbeat]`` option, read
    here.

    :param key: the shared key (bytes; see stx.mtce.heartbeat.keys).
    :param on_events: called on the monitor thread with the list of
        tracker.Change / tracker.Mnfa events of a tick, after that tick's
        requests went out. Keep it short (hand the events to another
        thread): the next tick waits for it. Its exceptions are logged.
    :param period: seconds between ticks (option ``period_ms``).
    :param address: the IP the sockets bind to (``monitor_address``).
    :param ports: {network: port} the sockets bind to, 0 for any
        (``monitor_mgmt_port``, ``monitor_cluster_host_port``).
    :param replay_window: how many of the latest requests may be answered.
    :raises: tracker.HeartbeatConfigInvalid for thresholds out of order;
        OSError naming the address when a socket cannot be bound.
    """

    def __init__(self, key, on_events, period=None, minor_threshold=None,
                 degrade_threshold=None, failure_threshold=None,
                 offline_threshold=None, recovery_pulses=None,
                 mnfa_threshold=None, mnfa_timeout=None, replay_window=None,
                 address=None, ports=None):
        conf = CONF.heartbeat

        def option(value, name):
            return getattr(conf, name) if value is None else value

        self._tracker = tracker.Tracker(
            minor_threshold=option(minor_threshold, 'minor_threshold'),
            degrade_threshold=option(degrade_threshold, 'degrade_threshold'),
            failure_threshold=option(failure_threshold, 'failure_threshold'),
            offline_threshold=option(offline_threshold, 'offline_threshold'),
            recovery_pulses=option(recovery_pulses, 'recovery_pulses'),
            mnfa_threshold=option(mnfa_threshold, 'mnfa_threshold'),
            mnfa_timeout=option(mnfa_timeout, 'mnfa_timeout'))
        self._period = (conf.period_ms / 1000.0 if period is None
                        else period)
        self._window = option(replay_window, 'replay_window')
        self._key = bytes(key)
        self._on_events = on_events
        self._id = os.urandom(protocol.MONITOR_ID_SIZE)
        self._seq = 0
        self._peers = {}
        # network -> [((ip, port), _Peer)], in target order.
        self._destinations = {net: [] for net in heartbeat.NETWORKS}
        self._stats = dict.fromkeys(STATS, 0)
        # Serialises the tracker between this thread and callers.
        self._lock = threading.Lock()
        self._thread = None
        self._stopping = False
        address = option(address, 'monitor_address')
        ports = ports or {
            heartbeat.NETWORK_MGMT: conf.monitor_mgmt_port,
            heartbeat.NETWORK_CLUSTER_HOST: conf.monitor_cluster_host_port}
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._sockets = {}
        try:
            for network in heartbeat.NETWORKS:
                self._sockets[network] = protocol.bind(
                    address, ports[network], _RECEIVE_BUFFER)
        except OSError:
            self._close()
            raise

    @property
    def addresses(self):
        """{network: (ip, port)} the sockets are bound to."""
        return {network: sock.getsockname()[:2]
                for network, sock in self._sockets.items()}

    def start(self):
        """Start the monitor thread; the first requests go out at once."""
        if self._thread is not None:
            raise RuntimeError('heartbeat monitor already started')
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='heartbeat-monitor')
        self._thread.start()

    def stop(self):
        """Stop the thread and close the sockets, for good."""
        self._stopping = True
        try:
            self._wake_writer.send(b'\0')
        except OSError:
            pass
        if self._thread is not None:
            self._thread.join(_STOP_TIMEOUT)
            if self._thread.is_alive():
                LOG.warning('Heartbeat monitor thread did not stop within '
                            '%(timeout)s s', {'timeout': _STOP_TIMEOUT})
        self._close()

    def set_targets(self, targets):
        """Monitor these tracker.Target (any thread).

        Host uuids must be UUIDs and addresses IPs. A new target is asked
        from the next tick on; the tick that follows its addition may count
        it one miss, well below any threshold.

        :raises: ValueError for a bad uuid, IP or network.
        """
        targets = list(targets)
        peers = {}
        destinations = {net: [] for net in heartbeat.NETWORKS}
        for target in targets:
            uuid_bytes = uuid_lib.UUID(target.uuid).bytes
            ips = {}
            peer = _Peer(target, ips, self._peers.get(uuid_bytes))
            for network, (ip, port) in target.addresses.items():
                if network not in destinations:
                    raise ValueError('host %s: unknown heartbeat network %s'
                                     % (target.name, network))
                ips[network] = ipaddress.ip_address(ip).compressed
                destinations[network].append(((ips[network], port), peer))
            peers[uuid_bytes] = peer
        with self._lock:
            self._tracker.set_targets(targets)
            self._peers = peers
            self._destinations = destinations

    def view(self):
        """tracker.Tracker.view() of the current state."""
        with self._lock:
            return self._tracker.view()

    def stats(self):
        """{counter: count}, the counters of STATS."""
        return dict(self._stats)

    def _close(self):
        for sock in self._sockets.values():
            sock.close()
        self._wake_reader.close()
        self._wake_writer.close()

    def _run(self):
        selector = selectors.DefaultSelector()
        for network, sock in self._sockets.items():
            selector.register(sock, selectors.EVENT_READ, network)
        selector.register(self._wake_reader, selectors.EVENT_READ, None)
        period = self._period
        deadline = time.monotonic()
        # Nothing was asked before the first tick: it only sends.
        evaluate = False
        while not self._stopping:
            now = time.monotonic()
            if now >= deadline:
                # An error is logged and the next period tried again: a
                # monitor that stopped would hide every failure.
                try:
                    self._tick(now, evaluate)
                except Exception:
                    LOG.exception('Heartbeat tick failed')
                evaluate = True
                deadline += period
                if deadline <= now:
                    deadline += (int((now - deadline) / period) + 1) * period
            timeout = max(0.0, deadline - time.monotonic())
            for key, _ in selector.select(timeout):
                if key.data is None:
                    self._wake_reader.recv(64)
                    continue
                try:
                    self._receive(key.fileobj, key.data)
                except Exception:
                    LOG.exception('Heartbeat receive failed')
        selector.close()

    def _tick(self, now, evaluate):
        events = []
        with self._lock:
            if evaluate:
                events = self._tracker.tick(now)
            destinations = self._destinations
        self._seq += 1
        self._send(destinations)
        if events:
            try:
                self._on_events(events)
            except Exception:
                LOG.exception('Heartbeat event handler failed on %(events)s',
                              {'events': events})

    def _send(self, destinations):
        sent = 0
        for network, sock in self._sockets.items():
            targets = destinations[network]
            if not targets:
                continue
            request = protocol.pack_request(self._key, self._id, network,
                                            self._seq)
            for index, (address, peer) in enumerate(targets, 1):
                try:
                    sock.sendto(request, address)
                    sent += 1
                except OSError as error:
                    self._send_failed(peer, network, address, error)
                if not index % _SEND_BATCH:
                    for other, other_sock in self._sockets.items():
                        self._receive(other_sock, other)
        self._stats['sent'] += sent

    def _send_failed(self, peer, network, address, error):
        self._stats['send_errors'] += 1
        now = time.monotonic()
        if (peer.error_logged_at is None
                or now - peer.error_logged_at >= SEND_ERROR_LOG_INTERVAL):
            peer.error_logged_at = now
            LOG.warning('Cannot send heartbeat to host %(host)s on '
                        '%(network)s at %(address)s: %(error)s',
                        {'host': peer.name, 'network': network,
                         'address': address, 'error': error})

    def _receive(self, sock, network):
        """Read the waiting responses of one network's socket.

        A response is accepted when its signature is valid (else it is
        forged), it answers this monitor on this socket's network, names a
        target whose address on that network it comes from (else foreign),
        and answers one of the last ``replay_window`` requests with a
        sequence number greater than the last accepted from that host on
        that network (else replayed).
        """
        # Locals: this loop runs for every response of every host.
        stats = self._stats
        peers = self._peers
        key = self._key
        monitor_id = self._id
        newest = self._seq
        oldest = newest - self._window
        recvfrom = sock.recvfrom
        unpack = protocol.unpack
        received = 0
        answered = []
        for _ in range(_RECEIVE_BATCH):
            try:
                data, source = recvfrom(1024)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as error:
                LOG.debug('Heartbeat receive on %(network)s: %(error)s',
                          {'network': network, 'error': error})
                break
            received += 1
            try:
                kind, to_network, _, to_monitor, seq, host = unpack(key, data)
            except protocol.Forged:
                stats['forged'] += 1
                continue
            except protocol.Malformed:
                stats['malformed'] += 1
                continue
            peer = peers.get(host)
            if (kind != protocol.RESPONSE
                    or to_monitor != monitor_id
                    or to_network != network
                    or peer is None
                    or peer.ips.get(network) != source[0]):
                stats['foreign'] += 1
                continue
            if (not oldest < seq <= newest
                    or seq <= peer.last_seq.get(network, 0)):
                stats['replayed'] += 1
                continue
            peer.last_seq[network] = seq
            answered.append(peer.uuid)
        stats['received'] += received
        stats['accepted'] += len(answered)
        if answered:
            now = time.monotonic()
            with self._lock:
                for uuid in answered:
                    self._tracker.answered(uuid, network, now)
