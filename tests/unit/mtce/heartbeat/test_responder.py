"""The responder answers signed requests once each, per monitor."""

import uuid

from stx.mtce.heartbeat import protocol
from stx.mtce.heartbeat import responder
from tests.unit.mtce.heartbeat import base

MGMT = base.MGMT
CLUSTER = base.CLUSTER
MONITOR = b'M' * 16


class TestResponder(base.UDPTestCase):

    def setUp(self):
        super().setUp()
        self.host = base.new_uuid()
        self.responder = responder.Responder(base.KEY, self.host,
                                             base.LOOPBACK)
        self.addCleanup(self.responder.stop)
        self.responder.start()
        self.client = self.udp_socket()

    def ask(self, network, seq, monitor=MONITOR, key=base.KEY, to=None):
        self.client.sendto(protocol.pack_request(key, monitor, network, seq),
                           to or self.responder.bound[network])

    def answer(self):
        """The next response the client gets, and where it came from."""
        data, source = self.client.recvfrom(1024)
        return protocol.unpack(base.KEY, data), source

    def assert_answers(self, network, seq, monitor=MONITOR):
        self.ask(network, seq, monitor)
        message, source = self.answer()
        self.assertEqual((protocol.RESPONSE, network, monitor, seq),
                         (message.type, message.network, message.monitor_id,
                          message.seq))
        return message, source

    def counted(self, counter, count):
        self.wait(lambda: self.responder.stats()[counter] >= count,
                  '%s %s' % (count, counter))
        self.assertEqual(count, self.responder.stats()[counter])

    def test_answers_from_the_socket_the_request_came_to(self):
        for network in (MGMT, CLUSTER):
            message, source = self.assert_answers(network, 5)
            self.assertEqual(uuid.UUID(self.host).bytes, message.host_uuid)
            self.assertEqual(self.responder.bound[network], source)
        self.counted('answered', 2)

    def test_replayed_and_older_requests_are_dropped(self):
        self.assert_answers(MGMT, 5)
        self.ask(MGMT, 5)
        self.ask(MGMT, 4)
        self.counted('replayed', 2)
        # The next answer is to the next request: none went to the others.
        self.assert_answers(MGMT, 6)
        self.counted('answered', 2)

    def test_sequences_are_per_monitor_and_network(self):
        self.assert_answers(MGMT, 5)
        self.assert_answers(CLUSTER, 1)
        self.assert_answers(MGMT, 1, monitor=b'N' * 16)

    def test_remembers_a_bounded_number_of_monitors(self):
        self.assert_answers(MGMT, 5)
        others = [b'%016d' % index for index in range(responder.MAX_MONITORS)]
        for other in others[:-1]:
            self.assert_answers(MGMT, 1, monitor=other)
        self.ask(MGMT, 5)
        self.counted('replayed', 1)
        # One more monitor: the least recently heard one is forgotten.
        self.assert_answers(MGMT, 1, monitor=others[-1])
        self.assert_answers(MGMT, 5)

    def test_forged_and_malformed_requests_are_counted_not_answered(self):
        self.ask(MGMT, 5, key=b'another-key-0123456789')
        self.counted('forged', 1)
        self.client.sendto(b'cgts pulse req:', self.responder.bound[MGMT])
        self.counted('malformed', 1)
        self.assert_answers(MGMT, 5)

    def test_requests_for_another_network_and_responses_are_foreign(self):
        self.ask(MGMT, 5, to=self.responder.bound[CLUSTER])
        self.client.sendto(protocol.pack_response(base.KEY, MONITOR, MGMT, 6,
                                                  bytes(16)),
                           self.responder.bound[MGMT])
        self.counted('foreign', 2)
        self.assert_answers(MGMT, 5)

    def test_paused_network_is_silent_until_resumed(self):
        self.responder.pause(MGMT)
        self.ask(MGMT, 5)
        self.counted('paused', 1)
        self.assert_answers(CLUSTER, 5)
        self.responder.resume(MGMT)
        self.assert_answers(MGMT, 5)

    def test_pause_and_resume_every_network(self):
        self.responder.pause()
        self.ask(MGMT, 5)
        self.ask(CLUSTER, 5)
        self.counted('paused', 2)
        self.responder.resume()
        self.assert_answers(MGMT, 6)
        self.assert_answers(CLUSTER, 6)

    def test_update_rebinds_only_the_networks_that_changed(self):
        before = self.responder.bound
        self.responder.update(addresses={MGMT: ('127.0.0.1', 0),
                                         CLUSTER: ('127.0.0.2', 0)})
        after = self.responder.bound
        self.assertEqual(before[MGMT], after[MGMT])
        self.assertEqual('127.0.0.2', after[CLUSTER][0])
        self.assert_answers(MGMT, 5)
        self.assert_answers(CLUSTER, 5)

    def test_update_drops_a_network(self):
        self.responder.update(addresses={MGMT: ('127.0.0.1', 0)})
        self.assertEqual([MGMT], list(self.responder.bound))
        self.assert_answers(MGMT, 5)

    def test_update_host_uuid_keeps_the_sockets(self):
        before = self.responder.bound
        other = base.new_uuid()
        self.responder.update(host_uuid=other, addresses=base.LOOPBACK)
        self.assertEqual(before, self.responder.bound)
        message, _ = self.assert_answers(MGMT, 5)
        self.assertEqual(uuid.UUID(other).bytes, message.host_uuid)

    def test_stop_frees_the_ports(self):
        bound = self.responder.bound
        self.responder.stop()
        for ip, port in bound.values():
            protocol.bind(ip, port).close()
