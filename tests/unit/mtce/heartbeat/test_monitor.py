"""Monitor and responders over loopback UDP, 20 ms periods.

Minor at 2 misses, degraded at 3, failed at 5, offline at 7, healthy
again after 3 answered periods. The tests wait for what they expect with
generous timeouts; none asserts how long anything took.
"""

import threading
import time
import uuid

import fixtures

from stx.mtce.heartbeat import monitor
from stx.mtce.heartbeat import protocol
from stx.mtce.heartbeat import responder
from stx.mtce.heartbeat import tracker
from tests.unit.mtce.heartbeat import base

MGMT = base.MGMT
CLUSTER = base.CLUSTER


class MonitorTestCase(base.UDPTestCase):

    def setUp(self):
        super().setUp()
        self.config(group='heartbeat', period_ms=20, minor_threshold=2,
                    degrade_threshold=3, failure_threshold=5,
                    offline_threshold=7, recovery_pulses=3,
                    monitor_address='127.0.0.1', monitor_mgmt_port=0,
                    monitor_cluster_host_port=0)
        self.events = []
        self.events_lock = threading.Lock()
        self.host = base.new_uuid()

    def on_events(self, events):
        with self.events_lock:
            self.events.extend(events)

    def make_monitor(self, on_events=None, **kwargs):
        hb_monitor = monitor.Monitor(base.KEY, on_events or self.on_events,
                                     **kwargs)
        self.addCleanup(hb_monitor.stop)
        hb_monitor.start()
        return hb_monitor

    def make_responder(self, key=base.KEY, host=None):
        hb_responder = responder.Responder(key, host or self.host,
                                           base.LOOPBACK)
        self.addCleanup(hb_responder.stop)
        hb_responder.start()
        return hb_responder

    def watch(self, hb_monitor, addresses, enabled=True, host=None):
        hb_monitor.set_targets([tracker.Target(host or self.host, 'host-0',
                                               addresses, enabled)])

    def changes(self):
        with self.events_lock:
            return [(event.old, event.new) for event in self.events
                    if isinstance(event, tracker.Change)]

    def wait_change(self, new, after=0):
        """The first Change to ``new`` among the events from ``after`` on."""
        def found():
            with self.events_lock:
                return [event for event in self.events[after:]
                        if isinstance(event, tracker.Change)
                        and event.new == new]
        return self.wait(found, 'health ' + new)[0]

    def wait_stat(self, hb_monitor, counter, count):
        self.wait(lambda: hb_monitor.stats()[counter] >= count,
                  '%s %s' % (count, counter))


class TestFailureDetection(MonitorTestCase):

    def setUp(self):
        super().setUp()
        self.monitor = self.make_monitor()
        self.responder = self.make_responder()
        self.watch(self.monitor, self.responder.bound)
        self.wait_stat(self.monitor, 'accepted', 4)

    def test_answering_host_stays_ok(self):
        self.wait_stat(self.monitor, 'accepted', 40)
        self.assertNotIn(tracker.HEALTH_DEGRADED,
                         [new for _, new in self.changes()])
        self.assertNotIn(tracker.HEALTH_FAILED,
                         [new for _, new in self.changes()])
        stats = self.monitor.stats()
        self.assertEqual(0, stats['forged'] + stats['replayed']
                         + stats['malformed'] + stats['foreign']
                         + stats['send_errors'])

    def test_loss_on_one_network_degrades_naming_it(self):
        self.responder.pause(MGMT)
        degraded = self.wait_change(tracker.HEALTH_DEGRADED)
        self.assertEqual((MGMT,), degraded.lost)
        self.wait(lambda: self.monitor.view()[self.host]['networks'][MGMT][
            'misses'] >= 8, 'mgmt misses past the failure threshold')
        self.assertEqual(tracker.HEALTH_DEGRADED,
                         self.monitor.view()[self.host]['health'])
        self.assertNotIn(tracker.HEALTH_FAILED,
                         [new for _, new in self.changes()])
        self.responder.resume(MGMT)
        self.wait_change(tracker.HEALTH_OK)

    def test_loss_on_every_network_fails_until_recovered(self):
        self.responder.pause()
        failed = self.wait_change(tracker.HEALTH_FAILED)
        self.assertEqual((MGMT, CLUSTER), failed.lost)
        self.assertIsNotNone(failed.last_answered)
        self.assertLess(failed.last_answered, time.monotonic())
        count = len(self.events)
        self.responder.resume()
        self.wait_change(tracker.HEALTH_OK, after=count)

    def test_stopped_responder_fails_the_host(self):
        self.responder.stop()
        self.wait_change(tracker.HEALTH_FAILED)
        self.assertEqual(0, self.monitor.stats()['send_errors'])

    def test_removed_host_is_forgotten_quietly(self):
        other = base.new_uuid()
        other_responder = self.make_responder(host=other)
        self.monitor.set_targets([
            tracker.Target(other, 'host-1', other_responder.bound, True)])
        self.responder.pause()
        accepted = self.monitor.stats()['accepted']
        # Ten periods of the remaining host, answering.
        self.wait_stat(self.monitor, 'accepted', accepted + 20)
        self.assertEqual([other], [uuid for uuid in self.monitor.view()
                                   if uuid != tracker.MNFA_KEY])
        self.assertEqual([], self.changes())


class TestPackets(MonitorTestCase):

    def test_responder_with_another_key_fails_the_host(self):
        hb_monitor = self.make_monitor()
        hb_responder = self.make_responder(key=b'not-the-key-0123456789')
        self.watch(hb_monitor, hb_responder.bound)
        self.wait_change(tracker.HEALTH_FAILED)
        self.assertGreater(hb_responder.stats()['forged'], 0)
        self.assertEqual(0, hb_responder.stats()['answered'])

    def test_bad_responses_are_counted_and_ignored(self):
        hb_monitor = self.make_monitor(minor_threshold=100,
                                       degrade_threshold=100,
                                       failure_threshold=100)
        host = self.udp_socket()
        self.watch(hb_monitor, {MGMT: host.getsockname()})
        request = protocol.unpack(base.KEY, host.recv(1024))
        to = hb_monitor.addresses

        def respond(seq=request.seq, key=base.KEY, monitor_id=None,
                    network=MGMT, host_uuid=uuid.UUID(self.host).bytes,
                    sock=host, to=to[MGMT]):
            sock.sendto(protocol.pack_response(
                key, monitor_id or request.monitor_id, network, seq,
                host_uuid), to)

        respond(key=b'not-the-key-0123456789')
        host.sendto(b'cgts pulse rsp:', to[MGMT])
        respond(monitor_id=b'another monitor!')
        respond(to=to[CLUSTER])
        respond(network=CLUSTER, to=to[CLUSTER])
        respond(host_uuid=uuid.uuid4().bytes)
        respond(sock=self.udp_socket('127.0.0.2'))
        host.sendto(protocol.pack_request(base.KEY, request.monitor_id, MGMT,
                                          request.seq), to[MGMT])
        respond(seq=request.seq + 100)
        respond()
        self.wait_stat(hb_monitor, 'received', 10)
        stats = hb_monitor.stats()
        self.assertEqual({'forged': 1, 'malformed': 1, 'foreign': 6,
                          'replayed': 1, 'accepted': 1, 'received': 10},
                         {key: stats[key] for key in (
                             'forged', 'malformed', 'foreign', 'replayed',
                             'accepted', 'received')})

    def test_replayed_and_stale_responses_are_dropped(self):
        """Responses captured on their way and sent late, or again."""
        hb_monitor = self.make_monitor(minor_threshold=100,
                                       degrade_threshold=100,
                                       failure_threshold=100,
                                       replay_window=4)
        hb_responder = self.make_responder()
        relay = self.udp_socket()
        self.watch(hb_monitor, {MGMT: relay.getsockname()})

        def request():
            """The latest request the monitor sent to the relay."""
            data, monitor_address = relay.recvfrom(1024)
            relay.setblocking(False)
            try:
                while True:
                    data, monitor_address = relay.recvfrom(1024)
            except BlockingIOError:
                relay.settimeout(base.TIMEOUT)
            return data, monitor_address

        def response(data):
            """The responder's answer to a request the relay passes on."""
            relay.sendto(data, hb_responder.bound[MGMT])
            while True:
                answer, source = relay.recvfrom(1024)
                if source == hb_responder.bound[MGMT]:
                    return answer

        stale, monitor_address = request()
        self.wait_stat(hb_monitor, 'sent',
                       protocol.unpack(base.KEY, stale).seq + 4)
        relay.sendto(response(stale), monitor_address)
        self.wait_stat(hb_monitor, 'replayed', 1)
        self.assertEqual(0, hb_monitor.stats()['accepted'])

        answer = response(request()[0])
        relay.sendto(answer, monitor_address)
        self.wait_stat(hb_monitor, 'accepted', 1)
        relay.sendto(answer, monitor_address)
        self.wait_stat(hb_monitor, 'replayed', 2)
        self.assertEqual(1, hb_monitor.stats()['accepted'])

    def test_send_errors_are_counted_and_logged_once(self):
        logger = self.useFixture(fixtures.FakeLogger(
            name='stx.mtce.heartbeat.monitor'))
        hb_monitor = self.make_monitor()
        # Port 0 cannot be sent to: every sendto fails (EINVAL).
        self.watch(hb_monitor, {MGMT: ('127.0.0.1', 0)})
        self.wait_stat(hb_monitor, 'send_errors', 5)
        self.assertEqual(1, logger.output.count('Cannot send heartbeat'))
        self.assertEqual(0, hb_monitor.stats()['sent'])


class TestMonitor(MonitorTestCase):

    def test_locked_host_is_online_then_offline(self):
        hb_monitor = self.make_monitor()
        hb_responder = self.make_responder()
        self.watch(hb_monitor, hb_responder.bound, enabled=False)
        self.wait_change(tracker.HEALTH_OK)
        hb_responder.pause()
        self.wait_change(tracker.HEALTH_OFFLINE)
        self.assertEqual([(tracker.HEALTH_UNKNOWN, tracker.HEALTH_OK),
                          (tracker.HEALTH_OK, tracker.HEALTH_OFFLINE)],
                         self.changes())

    def test_event_handler_errors_do_not_stop_the_monitor(self):
        def on_events(events):
            self.on_events(events)
            raise RuntimeError('handler bug')

        hb_monitor = self.make_monitor(on_events=on_events)
        hb_responder = self.make_responder()
        self.watch(hb_monitor, hb_responder.bound)
        hb_responder.pause()
        self.wait_change(tracker.HEALTH_FAILED)
        count = len(self.events)
        hb_responder.resume()
        self.wait_change(tracker.HEALTH_OK, after=count)

    def test_options_are_read_at_construction(self):
        self.config(group='heartbeat', period_ms=1000)
        hb_monitor = self.make_monitor()
        self.assertEqual(1.0, hb_monitor._period)
        self.assertEqual('127.0.0.1', hb_monitor.addresses[MGMT][0])

    def test_thresholds_out_of_order_are_refused_naming_the_options(self):
        self.config(group='heartbeat', minor_threshold=4)
        error = self.assertRaises(tracker.HeartbeatConfigInvalid,
                                  monitor.Monitor, base.KEY, self.on_events)
        self.assertIn('minor_threshold (4) <= degrade_threshold (3)',
                      str(error))

    def test_port_in_use_is_refused_naming_it(self):
        taken = self.udp_socket()
        port = taken.getsockname()[1]
        self.config(group='heartbeat', monitor_cluster_host_port=port)
        self.assertRaisesRegex(OSError, 'port %d' % port, monitor.Monitor,
                               base.KEY, self.on_events)

    def test_unknown_network_and_bad_uuid_are_refused(self):
        hb_monitor = self.make_monitor()
        self.assertRaises(ValueError, hb_monitor.set_targets, [
            tracker.Target(self.host, 'h', {'oam': ('127.0.0.1', 1)}, True)])
        self.assertRaises(ValueError, hb_monitor.set_targets, [
            tracker.Target('host-0', 'h', {}, True)])

    def test_stop_frees_the_ports(self):
        hb_monitor = self.make_monitor()
        addresses = hb_monitor.addresses
        hb_monitor.stop()
        for ip, port in addresses.values():
            protocol.bind(ip, port).close()
