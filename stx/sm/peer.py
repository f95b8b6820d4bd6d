"""The two controllers' stx-sm talk over UDP: signed, replay-proof messages.

Each stx-sm sends its peer a *hello* every ``hello_interval`` seconds,
carrying what the peer needs to know of it (its node state and service
group roles), on each of up to three independent paths (the management,
cluster-host and OAM networks, as StarlingX), each with its own key. A
path is dead when no valid message came on it for ``dead_interval``
seconds (StarlingX's defaults: 200 ms and 800 ms), the peer when every
path is. Other messages travel the same way and are handed to the owner.

Wire format, network byte order::

    offset size field
     0      4   magic        b'STXS'
     4      1   version      1
     5      1   type         a message type (HELLO, or the owner's)
     6      2   length       of the payload, at most MAX_PAYLOAD
     8     16   incarnation  random, one per PeerLink start
    24      8   sequence     1, 2, ... within an incarnation
    32      8   sent at      milliseconds since the epoch
    40      n   payload      JSON object, UTF-8; its "node" is the sender
    40+n   64   HMAC-SHA512 over bytes 0 to 40+n, with the path's key

A message is accepted only if it is well formed, signed with its path's
key, not from this node, newer than every message seen on its path from
its incarnation (each path numbers its own), and
sent within ``max_age`` seconds of this node's clock (the controllers keep
their clocks in step with NTP): a recorded message cannot be played back,
neither to the same incarnation nor later. Refused datagrams are counted
(``stats``), never raised.
"""

import collections
import hmac
import json
import os
import selectors
import socket
import struct
import threading
import time
import typing

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

MAGIC = b'STXS'
VERSION = 1
HELLO = 1
HEADER = struct.Struct('!4sBBH16sQQ')
DIGEST_SIZE = 64
MAX_PAYLOAD = 8192
INCARNATION_SIZE = 16
_RECEIVE_SIZE = HEADER.size + MAX_PAYLOAD + DIGEST_SIZE + 1
# Longest the link's thread waits before it looks at its stop flag.
_STOP_POLL = 0.2

Message = collections.namedtuple('Message',
                                 'type incarnation seq sent_at payload')
Message.__doc__ = ('A message accepted from the peer: sent_at in seconds '
                   'since the epoch, payload a dict.')
# Incarnations of the peer whose sequence is remembered.
_INCARNATIONS_KEPT = 8


class Refused(Exception):
    """A datagram that is not a message of the peer we can trust."""


def pack(key, kind, incarnation, seq, payload, sent_at=None):
    """One signed datagram.

    :param key: the shared key (bytes).
    :param kind: the message type, 1 to 255.
    :param payload: a JSON-serializable dict.
    :param sent_at: seconds since the epoch; default now.
    :raises: ValueError if the payload is too big.
    """
    if sent_at is None:
        sent_at = time.time()
    body = json.dumps(payload, separators=(',', ':')).encode('utf-8')
    if len(body) > MAX_PAYLOAD:
        raise ValueError('payload of %d bytes; at most %d'
                         % (len(body), MAX_PAYLOAD))
    signed = HEADER.pack(MAGIC, VERSION, kind, len(body), incarnation,
                         seq, int(sent_at * 1000)) + body
    return signed + hmac.digest(key, signed, 'sha512')


def unpack(key, data):
    """Check and parse one datagram; returns a Message.

    :raises: Refused saying why.
    """
    if len(data) < HEADER.size + DIGEST_SIZE:
        raise Refused('%d bytes: too short' % len(data))
    magic, version, kind, length, incarnation, seq, sent_ms = \
        HEADER.unpack_from(data)
    if magic != MAGIC or version != VERSION:
        raise Refused('magic %r version %d' % (magic, version))
    if len(data) != HEADER.size + length + DIGEST_SIZE:
        raise Refused('%d bytes for a payload of %d' % (len(data), length))
    signed = data[:HEADER.size + length]
    if not hmac.compare_digest(hmac.digest(key, signed, 'sha512'),
                               data[HEADER.size + length:]):
        raise Refused('signature mismatch')
    try:
        payload = json.loads(signed[HEADER.size:].decode('utf-8'))
    except ValueError as error:
        raise Refused('payload is not JSON: %s' % error) from None
    if not isinstance(payload, dict) or not isinstance(
            payload.get('node'), str):
        raise Refused('payload names no node')
    return Message(kind, incarnation, seq, sent_ms / 1000.0, payload)


class Path(typing.NamedTuple):
    """One independent way to the peer: a network, its key, its ends."""

    #: management, cluster-host or oam.
    name: str
    #: The key messages on this path are signed with (bytes, at least 16).
    key: bytes
    #: (ip, port) to receive on; port 0 picks one (``PeerLink.addresses``).
    local: tuple
    #: The peer's (ip, port) on this path.
    peer: tuple


class PeerLink:
    """The UDP paths to the peer controller's stx-sm.

    Every message goes out on every path, signed with that path's key;
    each path keeps its own sequence numbers and its own record of what it
    received, so that one path's loss or replay says nothing of another.
    The peer is alive while any path brings a valid message within the
    dead interval; ``paths()`` tells which do.

    :param node: this node's name; messages from it are refused.
    :param paths: the Paths, at least one.
    :param hello: a callable returning the dict each hello carries.
    :param on_message: called with each accepted Message that is not a
        hello, in the receiving thread.
    :param on_hello: called with no arguments, in the receiving thread,
        when a hello says something the last one did not.
    :param hello_interval: seconds between two hellos.
    :param dead_interval: seconds without a message before a path, and
        once every path is, the peer, is dead.
    :param max_age: seconds a message may be older (or newer) than this
        node's clock.
    """

    def __init__(self, node, paths, hello=dict, on_message=None,
                 on_hello=None, hello_interval=0.2, dead_interval=0.8,
                 max_age=30.0):
        if not paths:
            raise ValueError('a peer link needs at least one path')
        for path in paths:
            if len(path.key) < 16:
                raise ValueError('the key of SM path %s has %d bytes; at '
                                 'least 16 are needed'
                                 % (path.name, len(path.key)))
        self.node = node
        self._paths = list(paths)
        # A path's key never changes (set_peer changes where it goes).
        self._keys = {path.name: path.key for path in paths}
        self._hello = hello
        self._on_message = on_message
        self._on_hello = on_hello
        self.hello_interval = hello_interval
        self.dead_interval = dead_interval
        self.max_age = max_age
        self._incarnation = os.urandom(INCARNATION_SIZE)
        self._seq = {path.name: 0 for path in paths}
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._socks = {}
        try:
            for path in paths:
                self._socks[path.name] = _bind(path)
        except OSError:
            for sock in self._socks.values():
                sock.close()
            raise
        #: Each path's bound (ip, port).
        self.addresses = {name: sock.getsockname()
                          for name, sock in self._socks.items()}
        # Per path, the peer's incarnations, the last first -> highest
        # sequence seen.
        self._seen = {path.name: collections.OrderedDict() for path in paths}
        self._heard_at = {path.name: None for path in paths}
        self._last_hello = None
        self._last_hello_sent_at = None
        self.stats = collections.Counter()
        self._stop = threading.Event()
        self._thread = None

    @property
    def address(self):
        """The first path's bound (ip, port)."""
        return self.addresses[self._paths[0].name]

    @property
    def peer(self):
        """The first path's peer (ip, port)."""
        return self._paths[0].peer

    def set_peer(self, name, peer):
        """Send path ``name``'s messages to ``peer`` (ip, port) from now."""
        with self._lock:
            self._paths = [path._replace(peer=peer) if path.name == name
                           else path for path in self._paths]

    # Life cycle.

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='sm-peer-%s' % self.node)
        self._thread.start()

    def stop(self, timeout=2.0):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        for sock in self._socks.values():
            sock.close()

    # What the owner uses.

    def send(self, kind, payload):
        """Send one message of type ``kind`` to the peer, on every path."""
        # One sender at a time: the peer refuses a message that arrives
        # after a later one of the same path (a replay, to it).
        with self._send_lock:
            with self._lock:
                paths = list(self._paths)
            for path in paths:
                self._send(path, kind, payload)

    def _send(self, path, kind, payload):
        self._seq[path.name] += 1
        data = pack(path.key, kind, self._incarnation, self._seq[path.name],
                    dict(payload, node=self.node))
        try:
            self._socks[path.name].sendto(data, path.peer)
        except OSError as error:
            self.stats['send_failed'] += 1
            LOG.debug('SM peer message to %(peer)s over %(path)s not '
                      'sent: %(error)s', {'peer': path.peer,
                                          'path': path.name, 'error': error})

    def hello_now(self):
        """Send a hello at once, between the periodic ones: the owner's
        state changed, and the peer should not wait a hello interval to
        learn it.
        """
        self.send(HELLO, self._hello())

    def alive(self):
        """Whether the peer was heard, on any path, within the dead
        interval.
        """
        return any(path['alive'] for path in self.paths().values())

    def paths(self):
        """Each path's name -> ``alive`` (heard within the dead interval)
        and ``silent_for`` (seconds since its last valid message; None if
        it never brought one).
        """
        now = time.monotonic()
        with self._lock:
            heard = dict(self._heard_at)
        return {name: {'alive': at is not None and
                       now - at <= self.dead_interval,
                       'silent_for': None if at is None else now - at}
                for name, at in heard.items()}

    def peer_hello(self):
        """The payload of the peer's last hello, or None."""
        with self._lock:
            return self._last_hello

    # The receiving and hello thread.

    def _run(self):
        selector = selectors.DefaultSelector()
        for name, sock in self._socks.items():
            selector.register(sock, selectors.EVENT_READ, name)
        next_hello = time.monotonic()
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                if now >= next_hello:
                    self.send(HELLO, self._hello())
                    next_hello = now + self.hello_interval
                for key, _events in selector.select(
                        min(max(0.0, next_hello - now), _STOP_POLL)):
                    self._receive(key.data, key.fileobj)
        except OSError:
            if not self._stop.is_set():
                raise
        finally:
            selector.close()

    def _receive(self, name, sock):
        data, sender = sock.recvfrom(_RECEIVE_SIZE)
        previous = self._last_hello
        try:
            message = self._accept(name, unpack(self._keys[name], data))
        except Refused as error:
            self.stats['refused'] += 1
            self.stats['refused:%s' % name] += 1
            LOG.debug('SM peer datagram from %(sender)s over %(path)s '
                      'refused: %(reason)s', {'sender': sender, 'path': name,
                                              'reason': error})
            return
        self.stats['accepted'] += 1
        if message.type == HELLO:
            if self._last_hello != previous and self._on_hello is not None:
                self._on_hello()
            return
        if self._on_message is not None:
            try:
                self._on_message(message)
            except Exception:
                LOG.exception('Handling SM peer message type %(type)d '
                              'failed', {'type': message.type})

    def _accept(self, name, message):
        if message.payload['node'] == self.node:
            raise Refused('sent by this node')
        age = time.time() - message.sent_at
        if abs(age) > self.max_age:
            raise Refused('sent %.1fs %s this node\'s clock' % (
                abs(age), 'behind' if age > 0 else 'ahead of'))
        with self._lock:
            seen = self._seen[name]
            last = seen.get(message.incarnation)
            if last is not None and message.seq <= last:
                raise Refused('sequence %d already seen' % message.seq)
            seen[message.incarnation] = message.seq
            seen.move_to_end(message.incarnation, last=False)
            while len(seen) > _INCARNATIONS_KEPT:
                seen.popitem()
            self._heard_at[name] = time.monotonic()
            # The same hello comes on every path: the newest one counts.
            if message.type == HELLO and (
                    self._last_hello_sent_at is None or
                    message.sent_at >= self._last_hello_sent_at or
                    message.payload.get('node') !=
                    (self._last_hello or {}).get('node')):
                self._last_hello = message.payload
                self._last_hello_sent_at = message.sent_at
        return message


def _bind(path):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.bind(path.local)
    except OSError as error:
        sock.close()
        raise OSError(error.errno, 'cannot bind the SM %s path socket to %s '
                      'port %s: %s' % (path.name, path.local[0],
                                       path.local[1], error.strerror)
                      ) from error
    return sock
