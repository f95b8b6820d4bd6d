"""The heartbeat responder every host's agent runs.

One daemon thread and one UDP socket per network the host is monitored on.
Each valid pulse request is answered at once, from the socket it arrived
on, to its source address, with a response signed with the shared key.

Replays: per monitor (its random id) and network, the responder remembers
the last sequence number it answered and drops any request that is not
newer. It remembers the ``MAX_MONITORS`` most recently heard monitors: a
controller's monitor gets a new id whenever it restarts.
"""

import collections
import selectors
import socket
import threading
import time
import uuid as uuid_lib

from oslo_log import log as logging

from stx.mtce import heartbeat
from stx.mtce.heartbeat import protocol

LOG = logging.getLogger(__name__)

#: The counters of ``Responder.stats()``; ``paused``: requests dropped on
#: a paused network.
STATS = ('received', 'answered', 'forged', 'replayed', 'malformed',
         'foreign', 'send_errors', 'paused')
MAX_MONITORS = 64
SEND_ERROR_LOG_INTERVAL = 60.0
# Datagrams read from one socket before the others get their turn.
_RECEIVE_BATCH = 64
_STOP_TIMEOUT = 5.0


class Responder:
    """Answer pulse requests for one host.

    :param key: the shared key (bytes; see stx.mtce.heartbeat.keys).
    :param host_uuid: this host's uuid (a UUID string).
    :param addresses: {network: (ip, port)} to listen on; port 0 picks a
        free one (see ``bound``).
    :raises: OSError naming the address when a socket cannot be bound.
    """

    def __init__(self, key, host_uuid, addresses):
        self._key = bytes(key)
        self._host = uuid_lib.UUID(host_uuid).bytes
        self._addresses = {}
        self._sockets = {}
        self._paused = frozenset()
        # (monitor id, network) -> last sequence answered, oldest first.
        self._answered = collections.OrderedDict()
        self._stats = dict.fromkeys(STATS, 0)
        self._error_logged_at = None
        # Serialises start, stop and update.
        self._lock = threading.Lock()
        self._thread = None
        self._stopping = False
        self._wake_reader, self._wake_writer = socket.socketpair()
        try:
            self._rebind(addresses)
        except Exception:
            self.stop()
            raise

    @property
    def bound(self):
        """{network: (ip, port)} the sockets are bound to."""
        return {network: sock.getsockname()[:2]
                for network, sock in self._sockets.items()}

    def start(self):
        """Start answering."""
        with self._lock:
            if self._thread is not None:
                raise RuntimeError('heartbeat responder already started')
            self._launch()

    def stop(self):
        """Stop answering and close the sockets, for good."""
        with self._lock:
            self._halt()
            for sock in self._sockets.values():
                sock.close()
            self._sockets = {}
            self._wake_reader.close()
            self._wake_writer.close()

    def update(self, host_uuid=None, addresses=None):
        """Answer as another host uuid, and/or on other addresses.

        Only the networks whose address changed are bound again (the
        thread stops meanwhile, for a few milliseconds); the others keep
        their sockets.

        :raises: OSError when an address cannot be bound; that network is
            then not answered.
        """
        with self._lock:
            if host_uuid is not None:
                self._host = uuid_lib.UUID(host_uuid).bytes
            if addresses is None or _requested(addresses) == self._addresses:
                return
            running = self._thread is not None
            if running:
                self._halt()
            try:
                self._rebind(addresses)
            finally:
                if running:
                    self._launch()

    def pause(self, network=None):
        """Test aid: stop answering one network (None: all), as a host
        whose network or agent died would, keeping the sockets.
        """
        self._paused = self._paused | _networks(network)

    def resume(self, network=None):
        """Test aid: answer a paused network (None: all) again."""
        self._paused = self._paused - _networks(network)

    def stats(self):
        """{counter: count}, the counters of STATS."""
        return dict(self._stats)

    def _rebind(self, addresses):
        requested = _requested(addresses)
        for network in set(self._sockets) - set(requested):
            self._sockets.pop(network).close()
            del self._addresses[network]
        for network, address in requested.items():
            if self._addresses.get(network) == address:
                continue
            if network in self._sockets:
                self._sockets.pop(network).close()
                del self._addresses[network]
            self._sockets[network] = protocol.bind(*address)
            self._addresses[network] = address

    def _launch(self):
        self._stopping = False
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='heartbeat-responder')
        self._thread.start()

    def _halt(self):
        if self._thread is None:
            return
        self._stopping = True
        self._wake_writer.send(b'\0')
        self._thread.join(_STOP_TIMEOUT)
        if self._thread.is_alive():
            LOG.warning('Heartbeat responder thread did not stop within '
                        '%(timeout)s s', {'timeout': _STOP_TIMEOUT})
        self._thread = None

    def _run(self):
        selector = selectors.DefaultSelector()
        for network, sock in self._sockets.items():
            selector.register(sock, selectors.EVENT_READ, network)
        selector.register(self._wake_reader, selectors.EVENT_READ, None)
        while not self._stopping:
            for key, _ in selector.select():
                if key.data is None:
                    self._wake_reader.recv(64)
                    continue
                # Logged and carried on: a silent agent gets its host
                # failed.
                try:
                    self._answer(key.fileobj, key.data)
                except Exception:
                    LOG.exception('Heartbeat responder failed on a request')
        selector.close()

    def _answer(self, sock, network):
        stats = self._stats
        for _ in range(_RECEIVE_BATCH):
            try:
                data, source = sock.recvfrom(1024)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:
                LOG.debug('Heartbeat receive on %(network)s: %(error)s',
                          {'network': network, 'error': error})
                return
            stats['received'] += 1
            if network in self._paused:
                stats['paused'] += 1
                continue
            try:
                message = protocol.unpack(self._key, data)
            except protocol.Forged:
                stats['forged'] += 1
                continue
            except protocol.Malformed:
                stats['malformed'] += 1
                continue
            if (message.type != protocol.REQUEST
                    or message.network != network):
                stats['foreign'] += 1
                continue
            slot = (message.monitor_id, network)
            last = self._answered.get(slot)
            if last is not None and message.seq <= last:
                stats['replayed'] += 1
                continue
            self._answered[slot] = message.seq
            self._answered.move_to_end(slot)
            if len(self._answered) > MAX_MONITORS:
                self._answered.popitem(last=False)
            response = protocol.pack_response(
                self._key, message.monitor_id, network, message.seq,
                self._host)
            try:
                sock.sendto(response, source)
                stats['answered'] += 1
            except OSError as error:
                self._send_failed(network, source, error)

    def _send_failed(self, network, address, error):
        self._stats['send_errors'] += 1
        now = time.monotonic()
        if (self._error_logged_at is None
                or now - self._error_logged_at >= SEND_ERROR_LOG_INTERVAL):
            self._error_logged_at = now
            LOG.warning('Cannot answer heartbeat on %(network)s to '
                        '%(address)s: %(error)s',
                        {'network': network, 'address': address,
                         'error': error})


def _requested(addresses):
    """{network: (ip, port)}, checked and comparable."""
    requested = {}
    for network, (ip, port) in addresses.items():
        if network not in heartbeat.NETWORKS:
            raise ValueError('unknown heartbeat network %s' % network)
        requested[network] = (ip, int(port))
    return requested


def _networks(network):
    return frozenset(heartbeat.NETWORKS if network is None else (network,))
