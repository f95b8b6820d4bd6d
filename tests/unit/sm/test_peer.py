"""SM peer messages: signed, replay-proof, on loopback UDP."""

import os
import socket
import threading
import time

from oslotest import base

from stx.sm import peer

KEY = b'k' * 32
SWACT = 7


def _wait(predicate, timeout=5):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class TestWireFormat(base.BaseTestCase):

    def test_round_trip(self):
        incarnation = os.urandom(16)
        data = peer.pack(KEY, SWACT, incarnation, 3,
                         {'node': 'controller-0', 'groups': ['a']})
        message = peer.unpack(KEY, data)
        self.assertEqual((SWACT, incarnation, 3),
                         (message.type, message.incarnation, message.seq))
        self.assertEqual({'node': 'controller-0', 'groups': ['a']},
                         message.payload)
        self.assertAlmostEqual(time.time(), message.sent_at, delta=1)

    def test_refused_datagrams_say_why(self):
        data = peer.pack(KEY, SWACT, bytes(16), 1, {'node': 'controller-0'})
        for bad, reason in (
                (data[:20], 'too short'),
                (b'XXXX' + data[4:], 'magic'),
                (data[:-1], 'bytes for a payload'),
                (data[:-1] + bytes([data[-1] ^ 1]), 'signature mismatch')):
            with self.subTest(reason=reason):
                error = self.assertRaises(peer.Refused, peer.unpack, KEY,
                                          bad)
                self.assertIn(reason, str(error))
        self.assertRaises(peer.Refused, peer.unpack, b'x' * 32, data)
        nameless = peer.pack(KEY, SWACT, bytes(16), 1, {'groups': []})
        self.assertIn('names no node', str(self.assertRaises(
            peer.Refused, peer.unpack, KEY, nameless)))

    def test_payload_limit(self):
        self.assertRaises(ValueError, peer.pack, KEY, SWACT, bytes(16), 1,
                          {'node': 'c', 'x': 'y' * peer.MAX_PAYLOAD})


class TestPeerLink(base.BaseTestCase):

    def _pair(self, **kwargs):
        kwargs.setdefault('hello_interval', 0.05)
        kwargs.setdefault('dead_interval', 0.3)
        self.received = []
        one = peer.PeerLink(KEY, 'controller-0', ('127.0.0.1', 0),
                            ('127.0.0.1', 9), hello=lambda: {'role': 'a'},
                            **kwargs)
        two = peer.PeerLink(KEY, 'controller-1', ('127.0.0.1', 0),
                            one.address, hello=lambda: {'role': 's'},
                            on_message=self.received.append, **kwargs)
        one.peer = two.address
        for link in (one, two):
            self.addCleanup(link.stop)
            link.start()
        return one, two

    def test_hellos_make_each_peer_alive_and_carry_state(self):
        one, two = self._pair()
        self.assertTrue(_wait(lambda: one.alive() and two.alive()))
        self.assertEqual({'node': 'controller-1', 'role': 's'},
                         one.peer_hello())
        self.assertEqual({'node': 'controller-0', 'role': 'a'},
                         two.peer_hello())

    def test_the_owner_hears_of_a_hello_that_changed(self):
        said = {'role': 'standby'}
        changes = []
        one = peer.PeerLink(KEY, 'controller-0', ('127.0.0.1', 0),
                            ('127.0.0.1', 9), hello=lambda: dict(said),
                            hello_interval=0.02)
        two = peer.PeerLink(KEY, 'controller-1', ('127.0.0.1', 0),
                            one.address, on_hello=lambda: changes.append(
                                two.peer_hello()['role']))
        for link in (one, two):
            self.addCleanup(link.stop)
        one.peer = two.address
        one.start()
        two.start()
        self.assertTrue(_wait(lambda: changes == ['standby']))
        time.sleep(0.1)                 # hellos that say the same
        said['role'] = 'active'
        self.assertTrue(_wait(lambda: changes == ['standby', 'active']))

    def test_a_silent_peer_is_dead_after_the_dead_interval(self):
        one, two = self._pair()
        self.assertTrue(_wait(two.alive))
        one.stop()
        stopped = time.monotonic()
        self.assertTrue(_wait(lambda: not two.alive()))
        self.assertLess(time.monotonic() - stopped, 0.3 + 0.2)

    def test_other_messages_reach_the_owner(self):
        one, two = self._pair()
        one.send(SWACT, {'to': 'controller-1'})
        self.assertTrue(_wait(lambda: self.received))
        [message] = self.received
        self.assertEqual(SWACT, message.type)
        self.assertEqual({'node': 'controller-0', 'to': 'controller-1'},
                         message.payload)

    def test_forged_replayed_and_stale_datagrams_are_refused(self):
        one, two = self._pair(hello_interval=60)
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(sender.close)
        incarnation = os.urandom(16)
        good = peer.pack(KEY, SWACT, incarnation, 5, {'node': 'intruder'})
        for data in (
                peer.pack(b'w' * 32, SWACT, incarnation, 1,
                          {'node': 'intruder'}),
                good, good,
                peer.pack(KEY, SWACT, incarnation, 4, {'node': 'intruder'}),
                peer.pack(KEY, SWACT, os.urandom(16), 1, {'node': 'x'},
                          sent_at=time.time() - 60),
                peer.pack(KEY, SWACT, os.urandom(16), 1,
                          {'node': 'controller-1'})):
            sender.sendto(data, two.address)
        # The good message is accepted once, the five others refused.
        self.assertTrue(_wait(lambda: two.stats['refused'] == 5))
        self.assertEqual(1, len(self.received))
        self.assertEqual('intruder', self.received[0].payload['node'])

    def test_an_owner_error_does_not_stop_the_link(self):
        one, two = self._pair()
        failures = threading.Event()

        def broken(message):
            failures.set()
            raise RuntimeError('owner bug')
        two._on_message = broken
        one.send(SWACT, {})
        self.assertTrue(failures.wait(5))
        time.sleep(0.35)
        self.assertTrue(two.alive())

    def test_key_too_short_and_port_in_use(self):
        self.assertRaises(ValueError, peer.PeerLink, b'short', 'c',
                          ('127.0.0.1', 0), ('127.0.0.1', 9))
        taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(taken.close)
        taken.bind(('127.0.0.1', 0))
        error = self.assertRaises(OSError, peer.PeerLink, KEY, 'c',
                                  taken.getsockname(), ('127.0.0.1', 9))
        self.assertIn('cannot bind the SM peer socket to 127.0.0.1',
                      str(error))
