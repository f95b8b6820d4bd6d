"""The heartbeat wire format: signed, fixed-size, tamper-evident."""

import uuid

from stx.mtce import heartbeat
from stx.mtce.heartbeat import protocol
from tests.unit import base

KEY = b'k' * 32
MONITOR = bytes(range(16))
HOST = uuid.UUID('6f0ba1ce-1c4c-4c09-8f6e-0d4f3b8f3c11').bytes
MGMT = heartbeat.NETWORK_MGMT
CLUSTER = heartbeat.NETWORK_CLUSTER_HOST


class TestMessages(base.TestCase):

    def test_request_round_trip(self):
        data = protocol.pack_request(KEY, MONITOR, CLUSTER, 2 ** 64 - 1)
        self.assertEqual(112, len(data))
        self.assertEqual(
            protocol.Message(protocol.REQUEST, CLUSTER, 0, MONITOR,
                             2 ** 64 - 1, protocol.NO_HOST),
            protocol.unpack(KEY, data))

    def test_response_round_trip(self):
        data = protocol.pack_response(KEY, MONITOR, MGMT, 7, HOST, flags=3)
        self.assertEqual(
            protocol.Message(protocol.RESPONSE, MGMT, 3, MONITOR, 7, HOST),
            protocol.unpack(KEY, data))

    def test_other_key_is_forged(self):
        data = protocol.pack_response(KEY, MONITOR, MGMT, 7, HOST)
        self.assertRaises(protocol.Forged, protocol.unpack, b'x' * 32, data)

    def test_every_changed_bit_is_detected(self):
        data = protocol.pack_response(KEY, MONITOR, MGMT, 7, HOST)
        for offset in range(len(data)):
            for bit in (0x01, 0x80):
                tampered = bytearray(data)
                tampered[offset] ^= bit
                with self.subTest(offset=offset, bit=bit):
                    error = (protocol.Malformed if offset < 7
                             else protocol.Forged)
                    self.assertRaises(error, protocol.unpack, KEY,
                                      bytes(tampered))

    def test_response_moved_to_the_other_network_is_forged(self):
        data = bytearray(protocol.pack_response(KEY, MONITOR, MGMT, 7, HOST))
        data[6] = protocol.NETWORK_IDS[CLUSTER]
        self.assertRaises(protocol.Forged, protocol.unpack, KEY, bytes(data))

    def test_truncated_padded_and_foreign_datagrams_are_malformed(self):
        data = protocol.pack_request(KEY, MONITOR, MGMT, 1)
        for bad in (b'', data[:-1], data + b'\0', b'cgts pulse req:' * 8,
                    b'\xff' * protocol.SIZE):
            with self.subTest(bad=bad[:16]):
                self.assertRaises(protocol.Malformed, protocol.unpack, KEY,
                                  bad)

    def test_other_version_is_malformed(self):
        header = protocol.HEADER.pack(protocol.MAGIC, 2, protocol.REQUEST, 1,
                                      0, MONITOR, 1, protocol.NO_HOST)
        self.assertRaisesRegex(protocol.Malformed, 'version 2',
                               protocol.unpack, KEY, header + bytes(64))

    def test_unknown_network_is_malformed(self):
        header = protocol.HEADER.pack(protocol.MAGIC, 1, protocol.REQUEST, 9,
                                      0, MONITOR, 1, protocol.NO_HOST)
        self.assertRaisesRegex(protocol.Malformed, 'network 9',
                               protocol.unpack, KEY, header + bytes(64))


class TestBind(base.TestCase):

    def test_address_in_use_names_the_address(self):
        sock = protocol.bind('127.0.0.1', 0)
        self.addCleanup(sock.close)
        port = sock.getsockname()[1]
        self.assertRaisesRegex(OSError, '127.0.0.1 port %d' % port,
                               protocol.bind, '127.0.0.1', port)
