"""The two controllers' stx-sm talk over UDP: signed, replay-proof messages.

Each stx-sm sends its peer a *hello* every ``hello_interval`` seconds,
carrying what the peer needs to know of it (its node state and service
group roles), and declares the peer dead when no valid message came for
``dead_interval`` seconds (StarlingX's defaults: 200 ms and 800 ms). Other
messages (a swact request and its reply, ...) travel the same way and are
handed to the owner.

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
    40+n   64   HMAC-SHA512 over bytes 0 to 40+n, with the shared key

A message is accepted only if it is well formed, signed with the key, not
from this node, newer than every message seen from its incarnation, and
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


class PeerLink:
    """One UDP path to the peer controller's stx-sm.

    :param key: the shared key (bytes, at least 16).
    :param node: this controller's name, sent in every message.
    :param local: (ip, port) to receive on; port 0 picks one (``address``).
    :param peer: the peer's (ip, port).
    :param hello: a callable returning the dict each hello carries.
    :param on_message: called with each accepted Message that is not a
        hello, in the receiving thread.
    :param on_hello: called with no arguments, in the receiving thread,
        when a hello says something the last one did not.
    :param hello_interval: seconds between two hellos.
    :param dead_interval: seconds without a message before the peer is
        dead.
    :param max_age: seconds a message may be older (or newer) than this
        node's clock.
    """

    def __init__(self, key, node, local, peer, hello=dict, on_message=None,
                 hello_interval=0.2, dead_interval=0.8, max_age=30.0,
                 on_hello=None):
        if len(key) < 16:
            raise ValueError('the peer key needs at least 16 bytes')
        self._key = key
        self.node = node
        self.peer = peer
        self._hello = hello
        self._on_message = on_message
        self._on_hello = on_hello
        self.hello_interval = hello_interval
        self.dead_interval = dead_interval
        self.max_age = max_age
        self._incarnation = os.urandom(INCARNATION_SIZE)
        self._seq = 0
        self._lock = threading.Lock()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self._sock.bind(local)
        except OSError as error:
            self._sock.close()
            raise OSError(error.errno, 'cannot bind the SM peer socket to '
                          '%s port %s: %s' % (local[0], local[1],
                                              error.strerror)) from error
        self.address = self._sock.getsockname()
        # The peer's incarnations, the last first -> highest sequence seen.
        self._seen = collections.OrderedDict()
        self._heard_at = None
        self._last_hello = None
        self.stats = collections.Counter()
        self._stop = threading.Event()
        self._thread = None

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
        self._sock.close()

    # What the owner uses.

    def send(self, kind, payload):
        """Send one message of type ``kind`` (not HELLO) to the peer."""
        with self._lock:
            self._seq += 1
            data = pack(self._key, kind, self._incarnation, self._seq,
                        dict(payload, node=self.node))
        try:
            self._sock.sendto(data, self.peer)
        except OSError as error:
            self.stats['send_failed'] += 1
            LOG.debug('SM peer message to %(peer)s not sent: %(error)s',
                      {'peer': self.peer, 'error': error})

    def hello_now(self):
        """Send a hello at once, between the periodic ones: the owner's
        state changed, and the peer should not wait a hello interval to
        learn it.
        """
        self.send(HELLO, self._hello())

    def alive(self):
        """Whether the peer was heard within the dead interval."""
        with self._lock:
            heard = self._heard_at
        return heard is not None and \
            time.monotonic() - heard <= self.dead_interval

    def peer_hello(self):
        """The payload of the peer's last hello, or None."""
        with self._lock:
            return self._last_hello

    # The receiving and hello thread.

    def _run(self):
        selector = selectors.DefaultSelector()
        selector.register(self._sock, selectors.EVENT_READ)
        next_hello = time.monotonic()
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                if now >= next_hello:
                    self.send(HELLO, self._hello())
                    next_hello = now + self.hello_interval
                if selector.select(min(max(0.0, next_hello - now),
                                       _STOP_POLL)):
                    self._receive()
        except OSError:
            if not self._stop.is_set():
                raise
        finally:
            selector.close()

    def _receive(self):
        data, sender = self._sock.recvfrom(_RECEIVE_SIZE)
        previous = self._last_hello
        try:
            message = self._accept(unpack(self._key, data))
        except Refused as error:
            self.stats['refused'] += 1
            LOG.debug('SM peer datagram from %(sender)s refused: '
                      '%(reason)s', {'sender': sender, 'reason': error})
            return
        self.stats['accepted'] += 1
        if message.type == HELLO:
            if message.payload != previous and self._on_hello is not None:
                self._on_hello()
            return
        if self._on_message is not None:
            try:
                self._on_message(message)
            except Exception:
                LOG.exception('Handling SM peer message type %(type)d '
                              'failed', {'type': message.type})

    def _accept(self, message):
        if message.payload['node'] == self.node:
            raise Refused('sent by this node')
        age = time.time() - message.sent_at
        if abs(age) > self.max_age:
            raise Refused('sent %.1fs %s this node\'s clock' % (
                abs(age), 'behind' if age > 0 else 'ahead of'))
        with self._lock:
            last = self._seen.get(message.incarnation)
            if last is not None and message.seq <= last:
                raise Refused('sequence %d already seen' % message.seq)
            self._seen[message.incarnation] = message.seq
            self._seen.move_to_end(message.incarnation, last=False)
            while len(self._seen) > _INCARNATIONS_KEPT:
                self._seen.popitem()
            self._heard_at = time.monotonic()
            if message.type == HELLO:
                self._last_hello = message.payload
        return message
