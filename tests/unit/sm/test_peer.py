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


def _path(name='management', key=KEY, to=('127.0.0.1', 9)):
    return peer.Path(name, key, ('127.0.0.1', 0), to)


def _link(node, paths, **kwargs):
    return peer.PeerLink(node, paths, **kwargs)


def _connect(one, two):
    """Point each link's paths at the other's, path by path."""
    for name, address in two.addresses.items():
        one.set_peer(name, address)
    for name, address in one.addresses.items():
        two.set_peer(name, address)


class TestPeerLink(base.BaseTestCase):

    def _pair(self, names=('management',), keys=None, **kwargs):
        kwargs.setdefault('hello_interval', 0.05)
        kwargs.setdefault('dead_interval', 0.3)
        self.received = []
        keys = keys or {}
        one = _link('controller-0', [_path(n, keys.get(n, KEY))
                                     for n in names],
                    hello=lambda: {'role': 'a'}, **kwargs)
        two = _link('controller-1', [_path(n, keys.get(n, KEY))
                                     for n in names],
                    hello=lambda: {'role': 's'},
                    on_message=self.received.append, **kwargs)
        _connect(one, two)
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
        one = _link('controller-0', [_path()], hello=lambda: dict(said),
                    hello_interval=0.02)
        two = _link('controller-1', [_path()], on_hello=lambda:
                    changes.append(two.peer_hello()['role']))
        for link in (one, two):
            self.addCleanup(link.stop)
        _connect(one, two)
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

    def test_one_path_lost_the_peer_alive_on_the_others(self):
        names = ('management', 'cluster-host', 'oam')
        one, two = self._pair(names)
        self.assertTrue(_wait(lambda: all(
            path['alive'] for path in two.paths().values())))
        # controller-0 sends its cluster-host messages nowhere.
        one.set_peer('cluster-host', ('127.0.0.1', 9))
        self.assertTrue(_wait(lambda: not two.paths()[
            'cluster-host']['alive']))
        paths = two.paths()
        self.assertTrue(paths['management']['alive'])
        self.assertTrue(paths['oam']['alive'])
        self.assertGreater(paths['cluster-host']['silent_for'], 0.3)
        self.assertTrue(two.alive())
        self.assertEqual({'node': 'controller-0', 'role': 'a'},
                         two.peer_hello())

    def test_each_path_has_its_key(self):
        keys = {'management': KEY, 'oam': b'o' * 32}
        one, two = self._pair(('management', 'oam'), keys=keys)
        self.assertTrue(_wait(lambda: all(
            path['alive'] for path in two.paths().values())))
        sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(sender.close)
        # Signed with the management key, sent on the oam path.
        sender.sendto(peer.pack(KEY, SWACT, os.urandom(16), 1,
                                {'node': 'intruder'}),
                      two.addresses['oam'])
        self.assertTrue(_wait(lambda: two.stats['refused:oam'] == 1))
        self.assertEqual(0, two.stats['refused:management'])
        self.assertEqual([], self.received)

    def test_each_path_numbers_its_messages(self):
        one, two = self._pair(('management', 'oam'), hello_interval=60)
        one.send(SWACT, {'n': 1})
        # The same message on both paths is taken on both: a path's
        # sequence says nothing of another's.
        self.assertTrue(_wait(lambda: len(self.received) == 2))
        self.assertEqual(0, two.stats['refused'])

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
        self.assertEqual(5, two.stats['refused:management'])
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

    def test_key_too_short_no_path_and_port_in_use(self):
        error = self.assertRaises(ValueError, _link, 'c',
                                  [_path('oam', b'short')])
        self.assertIn('the key of SM path oam has 5 bytes', str(error))
        self.assertRaises(ValueError, _link, 'c', [])
        taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(taken.close)
        taken.bind(('127.0.0.1', 0))
        error = self.assertRaises(OSError, _link, 'c', [
            _path('management'),
            peer.Path('oam', KEY, taken.getsockname(), ('127.0.0.1', 9))])
        self.assertIn('cannot bind the SM oam path socket to 127.0.0.1',
                      str(error))
