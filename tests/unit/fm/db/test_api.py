"""fm's database API: readers, filters, pages and the writer helpers."""

import datetime

from stx.common import exception
from stx.fm.db import api as dbapi
from stx.fm.db import DB
from stx.fm.db import writers
from tests.unit.fm import base

_T0 = datetime.datetime(2026, 1, 1, 12, 0, 0)


class DBTestCase(base.FMTestCase):

    def add_alarm(self, alarm_id='200.004', eid='host=worker-1',
                  severity='critical', minutes=0):
        row = writers.new_alarm({
            'alarm_id': alarm_id, 'alarm_state': 'set',
            'entity_type_id': 'host', 'entity_instance_id': eid,
            'severity': severity, 'reason_text': 'broken',
            'timestamp': _T0 + datetime.timedelta(minutes=minutes)})
        with DB.writer.using(self.context) as session:
            writers.alarms_insert(session, [row])
            writers.alarm_counts_add(session.connection(),
                                     {(alarm_id, severity): 1})
        return row

    def add_event(self, event_log_id='200.004', state='set',
                  eid='host=worker-1', minutes=0):
        row = writers.new_event({
            'event_log_id': event_log_id, 'state': state,
            'entity_type_id': 'host', 'entity_instance_id': eid,
            'severity': 'major', 'reason_text': 'happened',
            'timestamp': _T0 + datetime.timedelta(minutes=minutes)})
        with DB.writer.using(self.context) as session:
            writers.events_insert(session, [row])
        return dbapi.event_get(self.context, row['uuid'])

    def suppress(self, alarm_id):
        row, = [row for row in dbapi.suppression_list(self.context)
                if row['alarm_id'] == alarm_id]
        return dbapi.suppression_update(self.context, row['uuid'],
                                        dbapi.SUPPRESSED)


class TestAlarms(DBTestCase):

    def test_get_by_uuid_with_suppression_status(self):
        alarm = self.add_alarm()
        got = dbapi.alarm_get(self.context, alarm['uuid'])
        self.assertEqual('200.004', got['alarm_id'])
        self.assertEqual('unsuppressed', got['suppression_status'])

    def test_get_unknown_raises_alarm_not_found(self):
        self.assertRaises(exception.AlarmNotFound, dbapi.alarm_get,
                          self.context, 'no-such-uuid')

    def test_list_newest_first_by_default(self):
        old = self.add_alarm(eid='host=a', minutes=0)
        new = self.add_alarm(eid='host=b', minutes=5)
        self.assertEqual([new['uuid'], old['uuid']],
                         [a['uuid'] for a in dbapi.alarm_list(self.context)])

    def test_list_filters_eq_ne_and_prefix(self):
        self.add_alarm(eid='host=worker-1')
        self.add_alarm(eid='host=worker-1.process=sshd', alarm_id='200.006')
        self.add_alarm(eid='host=worker-10')

        def eids(*filters):
            return sorted(a['entity_instance_id'] for a in
                          dbapi.alarm_list(self.context, filters=filters))

        self.assertEqual(['host=worker-1'], eids(
            ('entity_instance_id', 'eq', 'host=worker-1')))
        self.assertEqual(['host=worker-1', 'host=worker-10'], eids(
            ('alarm_id', 'ne', '200.006')))
        self.assertEqual(['host=worker-1', 'host=worker-1.process=sshd',
                          'host=worker-10'],
                         eids(('entity_instance_id', 'like', 'host=worker')))

    def test_list_unknown_filter_field_or_op_named(self):
        error = self.assertRaises(
            exception.InvalidParameterValue, dbapi.alarm_list, self.context,
            filters=[('reason_text', 'eq', 'x')])
        self.assertEqual('q.field', error.field)
        error = self.assertRaises(
            exception.InvalidParameterValue, dbapi.alarm_list, self.context,
            filters=[('alarm_id', 'regex', 'x')])
        self.assertEqual('q.op', error.field)

    def test_list_bad_sort_key_named(self):
        error = self.assertRaises(exception.InvalidParameterValue,
                                  dbapi.alarm_list, self.context,
                                  sort_key='reason_text')
        self.assertEqual('sort_key', error.field)

    def test_pages_with_marker_and_limit_cover_every_alarm_once(self):
        # Equal timestamps: the id breaks the tie, so nothing repeats.
        uuids = {self.add_alarm(eid='host=h%d' % i, minutes=i // 2)['uuid']
                 for i in range(7)}
        for sort_dir in ('asc', 'desc'):
            seen, marker = [], None
            while True:
                page = dbapi.alarm_list(self.context, limit=3, marker=marker,
                                        sort_dir=sort_dir)
                if not page:
                    break
                seen.extend(a['uuid'] for a in page)
                marker = page[-1]['uuid']
            self.assertEqual(sorted(uuids), sorted(seen))
            self.assertEqual(7, len(seen))

    def test_unknown_marker_raises(self):
        self.assertRaises(exception.AlarmNotFound, dbapi.alarm_list,
                          self.context, marker='nope')

    def test_suppressed_hidden_unless_included(self):
        self.add_alarm(alarm_id='100.101', severity='major')
        self.add_alarm(alarm_id='200.004', eid='host=b')
        self.suppress('100.101')
        shown = dbapi.alarm_list(self.context)
        self.assertEqual(['200.004'], [a['alarm_id'] for a in shown])
        every = dbapi.alarm_list(self.context, include_suppress=True)
        status = {a['alarm_id']: a['suppression_status'] for a in every}
        self.assertEqual({'100.101': 'suppressed',
                          '200.004': 'unsuppressed'}, status)

    def test_summary_counts_and_status(self):
        self.assertEqual({'critical': 0, 'major': 0, 'minor': 0,
                          'warnings': 0, 'status': 'OK'},
                         dbapi.alarm_summary(self.context))
        self.add_alarm(alarm_id='200.001', severity='warning')
        self.assertEqual('OK', dbapi.alarm_summary(self.context)['status'])
        self.add_alarm(alarm_id='100.101', severity='major')
        self.assertEqual('degraded',
                         dbapi.alarm_summary(self.context)['status'])
        self.add_alarm(alarm_id='200.004', severity='critical')
        summary = dbapi.alarm_summary(self.context)
        self.assertEqual((1, 1, 0, 1, 'critical'), (
            summary['critical'], summary['major'], summary['minor'],
            summary['warnings'], summary['status']))

    def test_summary_leaves_out_suppressed_unless_included(self):
        self.add_alarm(alarm_id='100.101', severity='major')
        self.suppress('100.101')
        self.assertEqual(0, dbapi.alarm_summary(self.context)['major'])
        self.assertEqual(1, dbapi.alarm_summary(
            self.context, include_suppress=True)['major'])

    def test_alarms_under_is_hierarchical(self):
        for eid in ('host=worker-1', 'host=worker-1.process=x',
                    'host=worker-10', 'host=worker_1'):
            self.add_alarm(eid=eid, alarm_id='200.006')
        with DB.reader.using(self.context) as session:
            found = writers.alarms_under(session, 'host=worker-1')
        self.assertEqual(['host=worker-1', 'host=worker-1.process=x'],
                         [a['entity_instance_id'] for a in found])


class TestEvents(DBTestCase):

    def test_newest_first_and_get(self):
        first = self.add_event()
        second = self.add_event(state='clear')
        listed = dbapi.event_list(self.context)
        self.assertEqual([second['uuid'], first['uuid']],
                         [e['uuid'] for e in listed])
        self.assertGreater(second['id'], first['id'])
        self.assertEqual('clear', dbapi.event_get(
            self.context, second['uuid'])['state'])

    def test_get_unknown_raises_event_not_found(self):
        self.assertRaises(exception.EventNotFound, dbapi.event_get,
                          self.context, 'nope')

    def test_alarms_or_logs_only(self):
        self.add_event(state='set')
        self.add_event(state='clear')
        self.add_event(event_log_id='200.021', state='log')

        def states(**kwargs):
            return sorted(e['state'] for e in
                          dbapi.event_list(self.context, **kwargs))

        self.assertEqual(['clear', 'set'], states(alarms=True))
        self.assertEqual(['log'], states(logs=True))
        self.assertEqual(['clear', 'log', 'set'], states())
        self.assertEqual(['clear', 'log', 'set'],
                         states(alarms=True, logs=True))

    def test_since_marker_limit_and_filters(self):
        events = [self.add_event(minutes=i) for i in range(5)]
        since = (_T0 + datetime.timedelta(minutes=3)).isoformat() + 'Z'
        self.assertEqual([events[4]['uuid'], events[3]['uuid']],
                         [e['uuid'] for e in dbapi.event_list(
                             self.context, since=since)])
        page = dbapi.event_list(self.context, limit=2,
                                marker=events[3]['uuid'])
        self.assertEqual([events[2]['uuid'], events[1]['uuid']],
                         [e['uuid'] for e in page])
        self.assertEqual([], dbapi.event_list(
            self.context, filters=[('state', 'eq', 'clear')]))

    def test_bad_since_named(self):
        error = self.assertRaises(exception.InvalidParameterValue,
                                  dbapi.event_list, self.context,
                                  since='yesterday')
        self.assertEqual('since', error.field)

    def test_suppressed_events_hidden_unless_included(self):
        self.add_event(event_log_id='100.101')
        self.suppress('100.101')
        self.assertEqual([], dbapi.event_list(self.context))
        self.assertEqual(1, len(dbapi.event_list(self.context,
                                                 include_suppress=True)))

    def test_prune_keeps_the_newest(self):
        events = [self.add_event() for _ in range(10)]
        with DB.writer.using(self.context) as session:
            self.assertEqual(6, writers.event_log_prune(session, 4))
            self.assertEqual(0, writers.event_log_prune(session, 4))
        self.assertEqual([e['uuid'] for e in events[:-5:-1]],
                         [e['uuid'] for e in dbapi.event_list(self.context)])


class TestBatchWrite(DBTestCase):
    """writers.batch_write, as the writer's transaction uses it."""

    # Quotes, a percent sign, a backslash and a non-ASCII letter: the
    # PostgreSQL path renders values into the statement text itself.
    REASON = "it's 100% \\ broken \u00e9"

    def write(self, **parts):
        engine = DB.get_engine()
        with engine.connect() as conn, conn.begin():
            writers.batch_write(conn, **parts)

    def stored(self):
        with DB.reader.using(self.context) as session:
            alarms = {(row['alarm_id'], row['entity_instance_id']): row
                      for row in session.execute(
                          dbapi.ALARMS.select()).mappings()}
            counts = dict(((row.alarm_id, row.severity), row.count)
                          for row in session.execute(
                              dbapi.COUNTS.select()))
        events = dbapi.event_list(self.context, include_suppress=True)
        return alarms, counts, events[::-1]

    def alarm(self, eid, severity='critical', **values):
        return writers.new_alarm(dict({
            'alarm_id': '200.004', 'alarm_state': 'set',
            'entity_type_id': 'host', 'entity_instance_id': eid,
            'severity': severity, 'reason_text': self.REASON,
            'timestamp': _T0 + datetime.timedelta(microseconds=123456),
            'alarm_type': 'equipment', 'probable_cause': 'unknown',
            'proposed_repair_action': None, 'service_affecting': True,
            'suppression': False, 'inhibit_alarms': False}, **values))

    def event(self, eid, state):
        return writers.new_event({
            'event_log_id': '200.004', 'state': state,
            'entity_type_id': 'host', 'entity_instance_id': eid,
            'severity': 'critical', 'reason_text': self.REASON,
            'timestamp': _T0, 'service_affecting': None,
            'suppression': True})

    def test_every_part_written_in_order(self):
        kept, gone, again = (self.alarm('host=kept', severity='minor'),
                             self.alarm('host=gone'),
                             self.alarm('host=again'))
        self.write(inserts=[kept, gone, again],
                   counts={('200.004', 'minor'): 1,
                           ('200.004', 'critical'): 2})
        new, again_new = self.alarm('host=new'), self.alarm('host=again')
        changed = dict(kept, severity='major', reason_text='worse',
                       timestamp=_T0, updated_at=_T0)
        events = [self.event('host=%d' % n, 'set') for n in range(3)]
        # A key deleted and inserted again in one write: deletes go first.
        self.write(deletes={('200.004', 'host=gone'),
                            ('200.004', 'host=again')},
                   inserts=[new, again_new], updates=[changed],
                   counts={('200.004', 'minor'): -1,
                           ('200.004', 'major'): 1,
                           ('200.004', 'critical'): 0},
                   events=events)
        alarms, counts, stored_events = self.stored()
        self.assertEqual({'host=kept', 'host=new', 'host=again'},
                         {eid for _id, eid in alarms})
        self.assertEqual(again_new['uuid'],
                         alarms['200.004', 'host=again']['uuid'])
        row = alarms['200.004', 'host=new']
        for name, value in new.items():
            self.assertEqual(value, row[name], name)
        # Left out of the row: the column's default, as SQLAlchemy gives.
        self.assertIs(False, row['masked'])
        self.assertEqual(('major', 'worse', _T0, _T0), tuple(
            alarms['200.004', 'host=kept'][name] for name in (
                'severity', 'reason_text', 'timestamp', 'updated_at')))
        self.assertEqual({('200.004', 'minor'): 0,
                          ('200.004', 'major'): 1,
                          ('200.004', 'critical'): 2}, counts)
        self.assertEqual([event['uuid'] for event in events],
                         [event['uuid'] for event in stored_events])
        self.assertEqual(sorted(e['id'] for e in stored_events),
                         [e['id'] for e in stored_events])
        self.assertEqual((self.REASON, None, True), (
            stored_events[0]['reason_text'],
            stored_events[0]['service_affecting'],
            stored_events[0]['suppression']))

    def test_find_many_gives_the_rows_as_sqlalchemy_reads_them(self):
        self.write(inserts=[self.alarm('host=a'), self.alarm('host=b')])
        alarms, _counts, _events = self.stored()
        with DB.get_engine().connect() as conn, conn.begin():
            found = writers.alarms_find_many(conn, [
                ('200.004', 'host=a'), ('200.004', 'host=b'),
                ('200.004', 'host=b'), ('200.004', 'host=none')])
            self.assertEqual([], writers.alarms_find_many(conn, []))
        self.assertEqual(2, len(found))
        self.assertEqual(alarms, {
            (row['alarm_id'], row['entity_instance_id']): row
            for row in found})

    def test_nothing_to_write(self):
        self.write()
        self.write(deletes=set(), inserts=[], updates=[], counts={},
                   events=[])
        self.assertEqual(({}, {}, []), self.stored())


class TestBatchWritePostgreSQL(TestBatchWrite):
    """The same on PostgreSQL, where it is one round trip."""

    database_fixture = base.PostgreSQLFMDatabase

    def test_one_round_trip(self):
        import psycopg2.extensions

        statements = []

        class RecordingCursor(psycopg2.extensions.cursor):
            def execute(self, sql, args=None):
                statements.append(sql)
                return super().execute(sql, args)

        engine = DB.get_engine()
        with engine.connect() as conn, conn.begin():
            conn.connection.dbapi_connection.cursor_factory = RecordingCursor
            writers.batch_write(
                conn, deletes={('200.004', 'host=gone')},
                inserts=[self.alarm('host=new')],
                updates=[dict(self.alarm('host=old'), updated_at=_T0)],
                counts={('200.004', 'critical'): 1},
                events=[self.event('host=new', 'set')])
            conn.connection.dbapi_connection.cursor_factory = None
        statement, = statements
        self.assertEqual(
            [b'DELETE', b'INSERT', b'UPDATE', b'INSERT', b'INSERT'],
            [part.split()[0] for part in statement.split(b';\n')])


class TestSuppression(DBTestCase):

    def test_synced_from_the_catalogue_unsuppressed(self):
        rows = dbapi.suppression_list(self.context)
        self.assertIn('200.004', [row['alarm_id'] for row in rows])
        self.assertEqual({'unsuppressed'},
                         {row['suppression_status'] for row in rows})

    def test_update_get_and_list_by_status(self):
        row = self.suppress('200.005')
        self.assertEqual('suppressed', row['suppression_status'])
        self.assertEqual(row['uuid'], dbapi.suppression_get(
            self.context, row['uuid'])['uuid'])
        self.assertEqual(['200.005'], [r['alarm_id'] for r in
                                       dbapi.suppression_list(
                                           self.context, 'suppressed')])
        self.assertEqual({'200.005'},
                         dbapi.suppressed_alarm_ids(self.context))

    def test_bad_status_and_unknown_uuid_refused(self):
        uuid = dbapi.suppression_list(self.context)[0]['uuid']
        error = self.assertRaises(exception.InvalidParameterValue,
                                  dbapi.suppression_update, self.context,
                                  uuid, 'maybe')
        self.assertEqual('suppression_status', error.field)
        self.assertRaises(exception.SuppressionNotFound,
                          dbapi.suppression_update, self.context, 'nope',
                          'suppressed')
        self.assertRaises(exception.SuppressionNotFound,
                          dbapi.suppression_get, self.context, 'nope')

    def test_sync_keeps_existing_rows_and_adds_new_ids(self):
        self.suppress('200.005')
        kept = [{'alarm_id': row['alarm_id'],
                 'description': row['description']}
                for row in dbapi.suppression_list(self.context)
                if row['alarm_id'] != '200.005']
        added, retired = dbapi.suppression_sync(self.context, kept + [
            {'alarm_id': '200.005', 'description': 'changed'},
            {'alarm_id': '999.001', 'description': 'new'}])
        self.assertEqual((['999.001'], []), (added, retired))
        rows = {row['alarm_id']: row
                for row in dbapi.suppression_list(self.context)}
        self.assertEqual('suppressed', rows['200.005']['suppression_status'])
        self.assertEqual('changed', rows['200.005']['description'])
        self.assertEqual('unsuppressed',
                         rows['999.001']['suppression_status'])
        self.assertIs(False, rows['999.001']['set_for_deletion'])

    def test_only_catalogue_alarm_ids_have_rows(self):
        ids = {row['alarm_id'] for row in dbapi.suppression_list(
            self.context)}
        # Every alarm id, whatever its Suppression flag (StarlingX's
        # rule); no customer log id.
        self.assertLessEqual({'100.101', '200.001', '200.004', '200.010'},
                             ids)
        self.assertEqual(set(), ids & {'200.020', '200.021', '200.022',
                                       '401.001'})

    def _sync_without(self, *alarm_ids):
        return dbapi.suppression_sync(self.context, [
            {'alarm_id': row['alarm_id'], 'description': row['description']}
            for row in dbapi.suppression_list(self.context)
            if row['alarm_id'] not in alarm_ids])

    def test_sync_retires_rows_not_given_unsuppressed_and_hidden(self):
        self.add_alarm('100.101', severity='major')
        self.add_alarm('200.004')
        self.add_event('100.101')
        uuid = self.suppress('100.101')['uuid']
        self.suppress('200.004')
        self.assertEqual(([], ['100.101']), self._sync_without('100.101'))
        row = dbapi.suppression_get(self.context, uuid)
        self.assertIs(True, row['set_for_deletion'])
        self.assertEqual('unsuppressed', row['suppression_status'])
        self.assertNotIn('100.101', [r['alarm_id'] for r in
                                     dbapi.suppression_list(self.context)])
        # No reader hides the retired id's alarms and events any longer.
        self.assertEqual({'200.004'},
                         dbapi.suppressed_alarm_ids(self.context))
        self.assertEqual(['100.101'], [
            alarm['alarm_id'] for alarm in dbapi.alarm_list(self.context)])
        self.assertEqual(1, dbapi.alarm_summary(self.context)['major'])
        self.assertEqual(['100.101'], [
            event['event_log_id']
            for event in dbapi.event_list(self.context)])
        # Idempotent: a second sync changes nothing.
        self.assertEqual(([], []), self._sync_without('100.101'))

    def test_sync_revives_a_retired_row_unsuppressed(self):
        uuid = self.suppress('100.101')['uuid']
        self._sync_without('100.101')
        added, retired = dbapi.suppression_sync(self.context, [
            {'alarm_id': row['alarm_id'], 'description': row['description']}
            for row in dbapi.suppression_list(self.context)] + [
            {'alarm_id': '100.101', 'description': 'back'}])
        self.assertEqual((['100.101'], []), (added, retired))
        row = dbapi.suppression_get(self.context, uuid)
        self.assertIs(False, row['set_for_deletion'])
        self.assertEqual('unsuppressed', row['suppression_status'])
        self.assertEqual('back', row['description'])

    def test_retired_row_cannot_be_changed(self):
        uuid = self.suppress('100.101')['uuid']
        self._sync_without('100.101')
        for status in dbapi.SUPPRESSION_STATUSES:
            error = self.assertRaises(exception.InvalidParameterValue,
                                      dbapi.suppression_update,
                                      self.context, uuid, status)
            self.assertEqual('suppression_status', error.field)
            self.assertIn('100.101', str(error))
        row = dbapi.suppression_get(self.context, uuid)
        self.assertEqual('unsuppressed', row['suppression_status'])
        self.assertIs(True, row['set_for_deletion'])
