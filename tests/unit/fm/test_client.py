"""The fm client library against a real manager on the in-process bus.

"No manager" is a client pointed at a topic nobody serves; "the manager
appears" is an RPC server for that topic starting, in front of the shared
test manager.
"""

import atexit
import os
import time
import uuid

import oslo_messaging as messaging

from stx.common import exception
from stx.common import rpc
from stx.fm import client
from stx.fm.db import api as dbapi
from stx.fm import queue as fm_queue
from tests.unit.fm import base

TIMEOUT = 0.3
# Scheduling slack on a loaded machine; the point is "not much later".
MARGIN = 0.25


EID = 'host=controller-0.process=sm'
ID = '200.006'


def fault(alarm_id=ID, eid=EID, severity='critical',
          reason='sm failed on controller-0'):
    return client.Fault(alarm_id=alarm_id, alarm_state=client.SET,
                        entity_type_id='host', entity_instance_id=eid,
                        severity=severity, reason_text=reason)


class ClientTestCase(base.FMTestCase):

    def setUp(self):
        super().setUp()
        self.fixture = self.useFixture(base.FMManagerFixture())
        self.queue_dir = os.path.join(self.state_dir, 'fm-queue')

    def make_client(self, topic=None, **kwargs):
        kwargs.setdefault('timeout', TIMEOUT)
        api = client.FaultAPIs(queue_dir=self.queue_dir,
                               topic=topic or 'stx-fm', **kwargs)
        self.addCleanup(api.close)
        return api

    def unserved_topic(self):
        return 'stx-fm-nobody-%s' % uuid.uuid4().hex[:8]

    def serve(self, topic):
        """Start answering ``topic`` with the shared manager."""
        target = messaging.Target(topic=topic, server='test-host')
        server = rpc.get_server(target, [self.fixture.manager])
        server.start()
        # Stopped at exit only, as the shared manager's server is.
        atexit.register(server.stop)

    def severity_of(self, api, alarm_id=ID, eid=EID):
        found = api.get_fault(alarm_id, eid)
        return found and found.severity

    def event_states(self, eid=EID):
        """(state, severity) of the event log of eid, oldest first."""
        events = dbapi.event_list(self.context, filters=[
            ('entity_instance_id', 'eq', eid)])
        return [(event['state'], event['severity'])
                for event in reversed(events)]


class ValidationTest(ClientTestCase):

    def assert_refused(self, error_class, field, call, *args):
        api = self.make_client(topic=self.unserved_topic())
        start = time.monotonic()
        error = self.assertRaises(error_class, call(api), *args)
        self.assertLess(time.monotonic() - start, 0.1)
        self.assertEqual(field, error.field)
        self.assertEqual(0, api.queue_depth)

    def test_set_fault_refuses_unknown_alarm_id_at_once(self):
        self.assert_refused(exception.UnknownAlarmId, 'alarm_id',
                            lambda api: api.set_fault,
                            fault(alarm_id='999.999'))

    def test_set_fault_refuses_severity_not_in_catalogue_at_once(self):
        self.assert_refused(exception.InvalidParameterValue, 'severity',
                            lambda api: api.set_fault,
                            fault(severity='bad'))

    def test_set_fault_refuses_missing_reason_text_at_once(self):
        self.assert_refused(exception.MissingParameterValue, 'reason_text',
                            lambda api: api.set_fault, fault(reason=None))

    def test_set_fault_refuses_log_id_at_once(self):
        self.assert_refused(exception.InvalidParameterValue, 'alarm_state',
                            lambda api: api.set_fault,
                            fault(alarm_id='200.021',
                                  severity='not-applicable'))

    def test_clear_fault_refuses_unknown_alarm_id_at_once(self):
        self.assert_refused(exception.UnknownAlarmId, 'alarm_id',
                            lambda api: api.clear_fault, '999.999',
                            'host=controller-0')

    def test_clear_all_refuses_malformed_entity_instance_id_at_once(self):
        self.assert_refused(exception.InvalidParameterValue,
                            'entity_instance_id',
                            lambda api: api.clear_all, 'controller-0')


class SyncModeTest(ClientTestCase):

    def test_set_fault_returns_uuid_once_committed(self):
        api = self.make_client()
        alarm_uuid = api.set_fault(fault())
        self.assertTrue(uuid.UUID(alarm_uuid))
        found = api.get_fault(ID, EID)
        self.assertEqual(alarm_uuid, found.uuid)
        self.assertEqual('critical', found.severity)
        self.assertEqual(0, api.queue_depth)

    def test_repeated_set_and_clear_are_harmless(self):
        api = self.make_client()
        first = api.set_fault(fault())
        self.assertEqual(first, api.set_fault(fault()))
        self.assertTrue(api.clear_fault(ID, EID))
        self.assertFalse(api.clear_fault(ID, EID))
        self.assertEqual([('set', 'critical'), ('clear', 'clear')],
                         self.event_states())

    def test_clear_all_clears_entity_and_below(self):
        api = self.make_client()
        api.set_fault(fault(alarm_id='200.004', eid='host=controller-0'))
        api.set_fault(fault())
        api.set_fault(fault(alarm_id='200.004', eid='host=controller-1'))
        self.assertEqual(2, api.clear_all('host=controller-0'))
        self.assertEqual(['host=controller-1'],
                         [f.entity_instance_id
                          for f in api.get_faults_by_id('200.004')])

    def test_set_event_returns_uuid(self):
        api = self.make_client()
        event = fault(alarm_id='200.021', severity='not-applicable')
        event.alarm_state = client.LOG
        event.entity_instance_id = 'host=controller-0'
        self.assertTrue(uuid.UUID(api.set_event(event)))
        self.assertEqual([('log', 'not-applicable')],
                         self.event_states('host=controller-0'))

    def test_set_fault_without_manager_returns_none_within_timeout(self):
        api = self.make_client(topic=self.unserved_topic())
        start = time.monotonic()
        self.assertIsNone(api.set_fault(fault()))
        self.assertLess(time.monotonic() - start, TIMEOUT + MARGIN)
        self.assertEqual(1, api.queue_depth)
        self.assertTrue(os.path.exists(api.queue_path))

    def test_queued_ops_drain_in_order_when_manager_appears(self):
        topic = self.unserved_topic()
        api = self.make_client(topic=topic)
        self.assertIsNone(api.set_fault(fault(severity='major')))
        self.assertIsNone(api.set_fault(fault(severity='critical')))
        self.assertIsNone(api.set_fault(fault(eid='host=controller-1')))
        self.assertIsNone(api.clear_fault(ID, 'host=controller-1'))
        self.assertEqual(4, api.queue_depth)
        self.serve(topic)
        self.assertTrue(api.flush(10))
        self.assertEqual(0, api.queue_depth)
        self.assertEqual('critical', self.severity_of(api))
        self.assertIsNone(api.get_fault(ID, 'host=controller-1'))
        self.assertEqual([('set', 'major'), ('set', 'critical')],
                         self.event_states())
        self.assertEqual([('set', 'critical'), ('clear', 'clear')],
                         self.event_states('host=controller-1'))

    def test_sync_call_never_overtakes_queued_ops(self):
        topic = self.unserved_topic()
        api = self.make_client(topic=topic)
        self.assertIsNone(api.set_fault(fault(severity='major')))
        self.serve(topic)
        # Queued behind the major set, yet answered within the timeout.
        self.assertIsNotNone(
            api.set_fault(fault(severity='critical')))
        self.assertEqual('critical', self.severity_of(api))
        self.assertEqual([('set', 'major'), ('set', 'critical')],
                         self.event_states())

    def test_later_sync_calls_queue_behind_while_manager_down(self):
        api = self.make_client(topic=self.unserved_topic())
        for severity in ('major', 'critical', 'minor'):
            start = time.monotonic()
            self.assertIsNone(api.set_fault(fault(severity=severity)))
            self.assertLess(time.monotonic() - start, TIMEOUT + MARGIN)
        self.assertEqual(3, api.queue_depth)


class AsyncModeTest(ClientTestCase):

    def test_async_never_blocks_without_manager(self):
        api = self.make_client(topic=self.unserved_topic(), mode='async')
        slowest = 0.0
        for number in range(20):
            start = time.monotonic()
            self.assertIsNone(api.set_fault(
                fault(eid='host=worker-%d' % number)))
            slowest = max(slowest, time.monotonic() - start)
        self.assertLess(slowest, 0.1)
        self.assertEqual(20, api.queue_depth)

    def test_async_delivers_in_order(self):
        api = self.make_client(mode='async')
        for severity in ('major', 'critical', 'minor'):
            self.assertIsNone(api.set_fault(fault(severity=severity)))
        self.assertIsNone(api.clear_fault(ID, EID))
        self.assertIsNone(api.set_fault(fault(severity='major')))
        self.assertTrue(api.flush(10))
        self.assertEqual('major', self.severity_of(api))
        self.assertEqual([('set', 'major'), ('set', 'critical'),
                          ('set', 'minor'), ('clear', 'clear'),
                          ('set', 'major')], self.event_states())


class DurabilityTest(ClientTestCase):

    def test_queue_survives_restart_and_replays(self):
        topic = self.unserved_topic()
        api = self.make_client(topic=topic, mode='async')
        api.set_fault(fault(severity='major'))
        api.set_fault(fault(severity='minor'))
        api.close()
        # The manager is back (its usual topic).
        restarted = self.make_client()
        self.assertTrue(restarted.flush(10))
        self.assertEqual('minor', self.severity_of(restarted))
        self.assertEqual([('set', 'major'), ('set', 'minor')],
                         self.event_states())

    def test_clients_of_one_process_share_the_queue(self):
        topic = self.unserved_topic()
        first = self.make_client(topic=topic, mode='async')
        second = self.make_client(topic=topic, mode='async')
        first.set_fault(fault())
        self.assertEqual(1, second.queue_depth)

    def test_queue_file_held_by_another_owner_is_refused(self):
        path = os.path.join(self.queue_dir, 'other.sqlite')
        held = fm_queue.DurableQueue(path)
        self.addCleanup(held.close)
        self.assertRaises(exception.Conflict, fm_queue.DurableQueue, path)

    def test_manager_refusal_of_queued_op_is_dropped_not_blocking(self):
        api = self.make_client(mode='async')
        # What a client with an older catalogue might have queued.
        api._sender.submit({'method': 'set_faults', 'arg': dict(
            fault().to_dict(), alarm_id='999.999')})
        api.set_fault(fault(severity='minor'))
        self.assertTrue(api.flush(10))
        self.assertEqual('minor', self.severity_of(api))
