"""stx-fm-manager through its RPC API: writes, batching, notifications."""

import threading
import time

import fixtures

from stx.common import exception
from stx.drivers import loader
from stx.fm.db import api as dbapi
from stx.fm.db import writers
from stx.fm.manager import batcher
from stx.fm.manager import dispatch
from stx.fm.manager import manager
from stx.fm.manager import rpcapi
from stx.fm.notifiers import fake
from stx.fm import service as fm_service
from tests.unit.fm import base


def _fault(**changes):
    fault = dict(alarm_id='200.004', alarm_state='set',
                 entity_type_id='host', entity_instance_id='host=worker-1',
                 severity='critical', reason_text='worker-1 failed')
    fault.update(changes)
    return {key: value for key, value in fault.items() if value is not None}


def _log(**changes):
    return _fault(**dict(dict(alarm_id='200.021', alarm_state='log',
                              severity='not-applicable',
                              reason_text='lock requested'), **changes))


class ManagerTestCase(base.FMTestCase):

    def setUp(self):
        super().setUp()
        self.config(rpc_timeout=10, group='fm')
        self.manager = self.useFixture(base.FMManagerFixture()).manager
        self.rpc = rpcapi.FMAPI()

    def set(self, **changes):
        return self.rpc.set_faults(self.context, [_fault(**changes)])[0]

    def events(self, **kwargs):
        return dbapi.event_list(self.context, include_suppress=True,
                                **kwargs)

    def alarms(self):
        return dbapi.alarm_list(self.context, include_suppress=True)

    def notified(self):
        self.assertTrue(self.manager.wait_notified())
        return [(event['event_type'], event['id'],
                 event['entity_instance_id'])
                for event in fake.FakeNotifier.events]


class TestSet(ManagerTestCase):

    def test_set_stores_the_alarm_and_one_set_event(self):
        uuid = self.set()
        alarm = dbapi.alarm_get(self.context, uuid)
        self.assertEqual(('200.004', 'host=worker-1', 'critical', 'set'),
                         (alarm['alarm_id'], alarm['entity_instance_id'],
                          alarm['severity'], alarm['alarm_state']))
        # The catalogue's defaults were stored.
        self.assertEqual('processing-error', alarm['alarm_type'])
        event, = self.events()
        self.assertEqual(('200.004', 'set', 'critical'),
                         (event['event_log_id'], event['state'],
                          event['severity']))

    def test_identical_repeat_set_writes_no_event(self):
        first = self.set()
        self.assertEqual(first, self.set())
        self.assertEqual(1, len(self.alarms()))
        self.assertEqual(1, len(self.events()))

    def test_raised_severity_updates_and_logs_once(self):
        first = self.set(alarm_id='200.006', severity='minor',
                         entity_instance_id='host=w.process=sshd')
        second = self.set(alarm_id='200.006', severity='critical',
                          entity_instance_id='host=w.process=sshd')
        self.assertEqual(first, second)
        self.assertEqual('critical',
                         dbapi.alarm_get(self.context, first)['severity'])
        self.assertEqual(['critical', 'minor'],
                         [e['severity'] for e in self.events()])

    def test_changed_reason_updates_and_logs_once(self):
        uuid = self.set()
        self.set(reason_text='worker-1 failed again')
        self.assertEqual('worker-1 failed again',
                         dbapi.alarm_get(self.context, uuid)['reason_text'])
        self.assertEqual(2, len(self.events()))

    def test_several_faults_in_one_call_return_uuids_in_order(self):
        uuids = self.rpc.set_faults(self.context, [
            _fault(entity_instance_id='host=a'),
            _fault(entity_instance_id='host=b')])
        self.assertEqual(['host=a', 'host=b'], [
            dbapi.alarm_get(self.context, uuid)['entity_instance_id']
            for uuid in uuids])


class TestRefused(ManagerTestCase):

    def _refused(self, error_class, field, **changes):
        error = self.assertRaises(
            error_class, self.rpc.set_faults, self.context,
            [_fault(entity_instance_id='host=ok'), _fault(**changes)])
        self.assertEqual(field, error.field)
        # Validated before anything is written: the good fault in the same
        # call is not stored either.
        self.assertEqual([], self.alarms())
        self.assertEqual([], self.events())

    def test_unknown_alarm_id_refused_and_nothing_stored(self):
        self._refused(exception.UnknownAlarmId, 'alarm_id',
                      alarm_id='999.999')

    def test_wrong_severity_refused_and_nothing_stored(self):
        self._refused(exception.InvalidParameterValue, 'severity',
                      severity='minor')

    def test_missing_field_refused_and_nothing_stored(self):
        self._refused(exception.MissingParameterValue, 'entity_type_id',
                      entity_type_id=None)

    def test_reason_longer_than_255_refused_and_nothing_stored(self):
        self._refused(exception.InvalidParameterValue, 'reason_text',
                      reason_text='x' * 256)

    def test_log_id_as_alarm_refused(self):
        self._refused(exception.InvalidParameterValue, 'alarm_state',
                      alarm_id='200.021', severity='not-applicable')

    def test_bad_clear_key_refused(self):
        error = self.assertRaises(exception.InvalidParameterValue,
                                  self.rpc.clear_faults, self.context,
                                  [['200.004']])
        self.assertEqual('keys', error.field)


class TestClear(ManagerTestCase):

    def test_clear_removes_and_logs_clear(self):
        uuid = self.set()
        self.assertEqual([True], self.rpc.clear_faults(
            self.context, [('200.004', 'host=worker-1')]))
        self.assertRaises(exception.AlarmNotFound, dbapi.alarm_get,
                          self.context, uuid)
        clear, _set = self.events()
        self.assertEqual(('clear', 'clear', '200.004'),
                         (clear['state'], clear['severity'],
                          clear['event_log_id']))

    def test_clear_of_non_active_alarm_is_a_noop(self):
        self.assertEqual([False], self.rpc.clear_faults(
            self.context, [('200.004', 'host=worker-1')]))
        self.assertEqual([], self.events())

    def test_clear_all_is_hierarchical(self):
        for eid in ('host=worker-1', 'host=worker-1.process=x',
                    'host=worker-10', 'host=worker-10.process=x'):
            self.set(alarm_id='200.006', severity='major',
                     entity_instance_id=eid)
        self.assertEqual(2, self.rpc.clear_all(self.context,
                                               'host=worker-1'))
        self.assertEqual(['host=worker-10', 'host=worker-10.process=x'],
                         sorted(a['entity_instance_id']
                                for a in self.alarms()))
        self.assertEqual(2, len(self.events(filters=[
            ('state', 'eq', 'clear')])))

    def test_delete_alarm_logs_a_clear(self):
        uuid = self.set()
        self.rpc.delete_alarm(self.context, uuid)
        self.assertEqual([], self.alarms())
        self.assertEqual('clear', self.events()[0]['state'])
        self.assertRaises(exception.AlarmNotFound, self.rpc.delete_alarm,
                          self.context, uuid)


class TestEventLog(ManagerTestCase):

    def test_logs_go_to_event_log_only(self):
        uuid, = self.rpc.set_events(self.context, [_log()])
        self.assertEqual([], self.alarms())
        event = dbapi.event_get(self.context, uuid)
        self.assertEqual(('200.021', 'log'),
                         (event['event_log_id'], event['state']))

    def test_alarm_id_as_log_refused(self):
        error = self.assertRaises(exception.InvalidParameterValue,
                                  self.rpc.set_events, self.context,
                                  [_fault()])
        self.assertEqual('alarm_state', error.field)

    def test_event_log_ids_strictly_increase(self):
        self.rpc.set_events(self.context, [_log() for _ in range(5)])
        self.set()
        self.rpc.clear_all(self.context, 'host=worker-1')
        ids = [event['id'] for event in reversed(self.events())]
        self.assertEqual(7, len(ids))
        self.assertTrue(all(a < b for a, b in zip(ids, ids[1:])), ids)

    def test_bound_prunes_oldest_first(self):
        self.config(event_log_max_size=100, group='fm')
        first = self.rpc.set_events(self.context, [
            _log(reason_text='old %d' % i) for i in range(30)])
        last = self.rpc.set_events(self.context, [
            _log(reason_text='new %d' % i) for i in range(100)])
        kept = self.events()
        self.assertEqual(100, len(kept))
        self.assertEqual(set(last), {event['uuid'] for event in kept})
        self.assertFalse(set(first) & {event['uuid'] for event in kept})


class TestReads(ManagerTestCase):

    def test_get_faults_by_entity_and_by_id(self):
        self.set()
        self.set(alarm_id='200.006', entity_instance_id='host=worker-1.'
                 'process=x', severity='major')
        self.set(entity_instance_id='host=worker-10')
        faults = self.rpc.get_faults(self.context, 'host=worker-1')
        self.assertEqual(['host=worker-1', 'host=worker-1.process=x'],
                         [f['entity_instance_id'] for f in faults])
        self.assertTrue(faults[0]['timestamp'].endswith('Z'))
        by_id = self.rpc.get_faults(self.context, alarm_id='200.004')
        self.assertEqual(2, len(by_id))
        self.assertEqual(3, len(self.rpc.get_faults(self.context)))

    def test_ping(self):
        self.assertIs(True, self.rpc.ping(self.context))


class TestSuppression(ManagerTestCase):

    def _uuid(self, alarm_id):
        row, = [row for row in dbapi.suppression_list(self.context)
                if row['alarm_id'] == alarm_id]
        return row['uuid']

    def test_suppression_table_synced_from_the_catalogue_alarms(self):
        from stx.fm import catalogue
        ids = [row['alarm_id'] for row in
               dbapi.suppression_list(self.context)]
        self.assertEqual([entry.alarm_id
                          for entry in catalogue.get_catalogue().entries()
                          if entry.type == catalogue.TYPE_ALARM], ids)
        self.assertNotIn('200.021', ids)
        self.rpc.update_suppression(self.context, self._uuid('400.001'),
                                    'suppressed')
        # A second sync (a restart) changes nothing, and keeps the
        # operator's choice.
        self.assertEqual(([], []), manager.sync_suppression(self.context))
        self.assertEqual({'400.001'},
                         dbapi.suppressed_alarm_ids(self.context))

    def test_sync_retires_ids_that_are_no_longer_alarms(self):
        uuid = self._uuid('400.001')
        self.rpc.update_suppression(self.context, uuid, 'suppressed')
        self.use_catalogue({'400.001': None, '400.002': {'Type': 'Log'}})
        self.assertEqual(([], ['400.001', '400.002']),
                         manager.sync_suppression(self.context))
        self.assertEqual(([], []), manager.sync_suppression(self.context))
        self.assertEqual(set(), dbapi.suppressed_alarm_ids(self.context))
        row = dbapi.suppression_get(self.context, uuid)
        self.assertIs(True, row['set_for_deletion'])
        self.assertEqual('unsuppressed', row['suppression_status'])
        error = self.assertRaises(
            exception.InvalidParameterValue, self.rpc.update_suppression,
            self.context, uuid, 'suppressed')
        self.assertEqual('suppression_status', error.field)
        self.assertEqual('unsuppressed', dbapi.suppression_get(
            self.context, uuid)['suppression_status'])

    def test_update_suppression_refusals(self):
        error = self.assertRaises(
            exception.InvalidParameterValue, self.rpc.update_suppression,
            self.context, self._uuid('200.004'), 'hidden')
        self.assertEqual('suppression_status', error.field)
        self.assertRaises(exception.SuppressionNotFound,
                          self.rpc.update_suppression, self.context, 'nope',
                          'suppressed')

    def test_suppressed_alarm_stored_but_not_notified(self):
        row = self.rpc.update_suppression(
            self.context, self._uuid('100.101'), 'suppressed')
        self.assertEqual('suppressed', row['suppression_status'])
        self.set(alarm_id='100.101', severity='major')
        self.set(entity_instance_id='host=worker-2')
        self.assertEqual(2, len(self.alarms()))
        self.assertEqual([('alarm-set', '200.004', 'host=worker-2')],
                         self.notified())


class TestNotifications(ManagerTestCase):

    def test_set_clear_and_log_notified_after_commit(self):
        uuid = self.set()
        self.set()  # identical: nothing changed, nothing to tell
        self.rpc.clear_faults(self.context, [('200.004', 'host=worker-1')])
        self.rpc.set_events(self.context, [_log()])
        self.assertEqual([('alarm-set', '200.004', 'host=worker-1'),
                          ('alarm-clear', '200.004', 'host=worker-1'),
                          ('log', '200.021', 'host=worker-1')],
                         self.notified())
        set_event, clear_event, log_event = fake.FakeNotifier.events
        self.assertEqual('set', set_event['operation'])
        self.assertEqual(uuid, set_event['alarm']['uuid'])
        # A clear carries the severity of the alarm it clears.
        self.assertEqual('critical', clear_event['severity'])
        self.assertEqual('clear', clear_event['operation'])

    def test_failing_notifier_never_fails_writes(self):
        fake.FakeNotifier.set_failure('receiver down')
        self.set()
        self.assertEqual([], self.notified())
        self.assertEqual(1, len(self.alarms()))

    def test_no_notifier_enabled(self):
        self.config(enabled_fm_notifiers=[])
        self.set()
        self.assertEqual([], self.notified())

    def test_slow_notifier_never_delays_writes(self):
        release = threading.Event()
        original = fake.FakeNotifier.notify

        def slow_notify(notifier, event):
            release.wait(10)
            return original(notifier, event)

        self.useFixture(fixtures.MockPatchObject(
            fake.FakeNotifier, 'notify', slow_notify))
        self.addCleanup(release.set)
        started = time.monotonic()
        for index in range(20):
            self.set(entity_instance_id='host=w%d' % index)
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, 5.0)
        self.assertFalse(self.manager.wait_notified(timeout=0.05))
        release.set()
        self.assertEqual(20, len(self.notified()))


class TestDispatcher(base.FMTestCase):

    def change(self, eid):
        return ('set', dict(_fault(entity_instance_id=eid),
                            uuid='u-' + eid, timestamp=dbapi.now()))

    def test_events_made_on_the_delivery_thread(self):
        threads = []

        def make_event(change):
            threads.append(threading.current_thread().name)
            return manager.notification(*change)

        dispatcher = dispatch.Dispatcher(make_event=make_event)
        dispatcher.put([self.change('host=a'), self.change('host=b')])
        self.assertEqual([], threads)
        dispatcher.start()
        self.addCleanup(dispatcher.stop)
        self.assertTrue(dispatcher.wait_idle())
        self.assertEqual(['fm-notifier'] * 2, threads)
        self.assertEqual([('alarm-set', 'host=a', 'u-host=a'),
                          ('alarm-set', 'host=b', 'u-host=b')],
                         [(event['event_type'], event['entity_instance_id'],
                           event['alarm']['uuid'])
                          for event in fake.FakeNotifier.events])

    def test_full_queue_drops_the_oldest(self):
        dispatcher = dispatch.Dispatcher(
            max_queued=2, make_event=lambda change: manager.notification(
                *change))
        dispatcher.put([self.change('host=%d' % n) for n in range(3)])
        self.assertEqual(1, dispatcher.dropped)
        dispatcher.start()
        self.addCleanup(dispatcher.stop)
        self.assertTrue(dispatcher.wait_idle())
        self.assertEqual(['host=1', 'host=2'], [
            event['entity_instance_id']
            for event in fake.FakeNotifier.events])


def _set_op(**changes):
    return batcher.Operation('set', faults=[manager.catalogue.validate_fault(
        manager.catalogue.get_catalogue(), _fault(**changes), 'set')])


def _set_006(**changes):
    return _set_op(**dict(changes, alarm_id='200.006'))


class TestBatching(ManagerTestCase):

    def hand_driven_manager(self):
        # Driven by hand (writer._write), so that operations are certain
        # to share one batch.
        fm_manager = manager.FMManager('batch-test')
        self.addCleanup(fm_manager._disconnect)
        return fm_manager

    def test_concurrent_callers_get_their_own_uuids_in_few_commits(self):
        self.config(batch_max_wait_ms=5, group='fm')
        commits = self.manager.writer.commits
        results, errors = {}, []

        def caller(thread):
            try:
                for index in range(50):
                    eid = 'host=t%d.sensor=s%d' % (thread, index)
                    results[eid] = self.rpc.set_faults(self.context, [
                        _fault(alarm_id='200.015', severity='minor',
                               entity_instance_id=eid)])[0]
            except Exception as error:
                errors.append(error)

        threads = [threading.Thread(target=caller, args=(n,))
                   for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual([], errors)
        self.assertEqual(800, len(results))
        stored = {a['entity_instance_id']: a['uuid'] for a in self.alarms()}
        self.assertEqual(results, stored)
        self.assertLess(self.manager.writer.commits - commits, 800)

    def test_failing_write_fails_only_its_own_caller(self):
        # A manager of its own, driven by hand, so that the three
        # operations are certain to share one batch.
        fm_manager = self.hand_driven_manager()
        real_write = writers.batch_write

        def write(conn, inserts=(), **parts):
            if any(row['entity_instance_id'] == 'host=poison'
                   for row in inserts):
                raise RuntimeError('disk on fire')
            return real_write(conn, inserts=inserts, **parts)

        self.useFixture(fixtures.MockPatchObject(writers, 'batch_write',
                                                 write))
        operations = [batcher.Operation('set', faults=[
            manager.catalogue.validate_fault(
                manager.catalogue.get_catalogue(),
                _fault(entity_instance_id=eid), 'set')])
            for eid in ('host=a', 'host=poison', 'host=b')]
        fm_manager.writer._write(operations)
        good_a, bad, good_b = operations
        error = self.assertRaises(exception.ServiceUnavailable, bad.wait)
        self.assertIn('disk on fire', str(error))
        self.assertEqual(['host=a', 'host=b'], sorted(
            a['entity_instance_id'] for a in self.alarms()))
        self.assertEqual({good_a.wait()[0], good_b.wait()[0]},
                         {a['uuid'] for a in self.alarms()})
        # The batch failed, then the two good ones committed alone.
        self.assertEqual(2, fm_manager.writer.commits)

    def test_refused_operation_does_not_abort_its_batch(self):
        fm_manager = self.hand_driven_manager()
        operations = [batcher.Operation('delete', uuid='nope'),
                      batcher.Operation('set', faults=[
                          manager.catalogue.validate_fault(
                              manager.catalogue.get_catalogue(), _fault(),
                              'set')])]
        fm_manager.writer._write(operations)
        self.assertRaises(exception.AlarmNotFound, operations[0].wait)
        self.assertEqual(1, len(operations[1].wait()))
        self.assertEqual(1, fm_manager.writer.commits)

    def test_submit_refused_when_writer_not_running(self):
        fm_manager = manager.FMManager('batch-test')
        self.assertRaises(exception.ServiceUnavailable,
                          fm_manager.writer.submit,
                          batcher.Operation('get', entity_instance_id=None,
                                            alarm_id=None))


class TestSummaryCounts(TestBatching):

    def assertSummaryCounts(self, expected):
        summary = dbapi.alarm_summary(self.context, include_suppress=True)
        counted = {'critical': 0, 'major': 0, 'minor': 0, 'warnings': 0}
        for alarm in self.alarms():
            severity = alarm['severity']
            counted['warnings' if severity == 'warning' else severity] += 1
        self.assertEqual(expected, counted)
        self.assertEqual(counted, {name: summary[name] for name in counted})

    def test_counts_follow_every_change_within_one_batch(self):
        self.set(alarm_id='200.006', entity_instance_id='host=stored',
                 severity='major')
        self.set(entity_instance_id='host=gone')
        fm_manager = self.hand_driven_manager()
        fm_manager.writer._write([
            # Raised, then its severity changed.
            _set_006(entity_instance_id='host=new'),
            _set_006(entity_instance_id='host=new',
                     severity='major'),
            # Raised and cleared: no alarm row at all.
            _set_006(entity_instance_id='host=brief'),
            batcher.Operation('clear', keys=[('200.006', 'host=brief')]),
            # A stored alarm updated, cleared and raised again.
            _set_006(entity_instance_id='host=stored',
                     severity='critical'),
            batcher.Operation('clear', keys=[('200.006', 'host=stored')]),
            _set_006(entity_instance_id='host=stored',
                     severity='critical'),
            batcher.Operation('clear_all', entity_instance_id='host=gone'),
        ])
        self.assertEqual(1, fm_manager.writer.commits)
        self.assertSummaryCounts({'critical': 1, 'major': 1, 'minor': 0,
                                  'warnings': 0})
        self.assertEqual(['host=brief'] * 2, [
            event['entity_instance_id'] for event in self.events()
            if event['entity_instance_id'] == 'host=brief'])

    def test_counts_rebuilt_when_the_writer_connects(self):
        self.set(severity='critical')
        self.set(alarm_id='200.006', severity='minor')
        with dbapi.DB.writer.using(self.context) as session:
            session.execute(dbapi.COUNTS.delete())
        fm_manager = self.hand_driven_manager()
        fm_manager.writer._write([
            _set_006(entity_instance_id='host=x', severity='major')])
        self.assertSummaryCounts({'critical': 1, 'major': 1, 'minor': 1,
                                  'warnings': 0})


# The writer's PostgreSQL path (one round trip per batch) behaves the same.

class TestSetPostgreSQL(TestSet):
    database_fixture = base.PostgreSQLFMDatabase


class TestClearPostgreSQL(TestClear):
    database_fixture = base.PostgreSQLFMDatabase


class TestEventLogPostgreSQL(TestEventLog):
    database_fixture = base.PostgreSQLFMDatabase


class TestSummaryCountsPostgreSQL(TestSummaryCounts):
    database_fixture = base.PostgreSQLFMDatabase


class TestService(base.FMTestCase):

    def test_service_declaration(self):
        service = fm_service.FMService()
        self.assertEqual(('fm', 5, 18002), (
            service.name, service.start_order, service.api_port))
        self.assertEqual('fm', service.database.name)

    def test_start_refuses_a_notifier_that_is_not_installed(self):
        self.config(enabled_fm_notifiers=['fake', 'carrier-pigeon'])
        service = fm_service.FMService()
        self.assertRaises(exception.DriverNotFound, service.start)
        service.stop()

    def test_enabled_notifiers_read_at_use(self):
        self.assertEqual(['fake'], loader.enabled(loader.NOTIFIER))
