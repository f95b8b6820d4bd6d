"""The fm manager: the only writer of alarms and the event log.

RPC methods check each fault against the alarm catalogue on the caller's
thread, then hand the write to the batching writer (stx.fm.manager.batcher)
and return once it is committed. Every change is then delivered to the
enabled notifiers (stx.fm.manager.dispatch), unless its alarm id is
suppressed. Every method raises only the exceptions listed in its
``expected_exceptions``, which reach the caller as themselves.

The manager holds no database or configuration of its own: it reads them
when it uses them, so one manager can outlive many test databases.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import exception
from stx.conf import CONF
from stx.fm import catalogue
from stx.fm.db import api as dbapi
from stx.fm.db import DB
from stx.fm.db import writers
from stx.fm.manager import batcher
from stx.fm.manager import dispatch
from stx.fm.manager import transaction
from stx.fm.notifiers import base as notifier_base

LOG = logging.getLogger(__name__)

_EXPECTED = (exception.Invalid, exception.NotFound, exception.Conflict,
             exception.ServiceUnavailable)

# What a client's fault carries, and what makes a repeated set a change.
FAULT_FIELDS = ('uuid', 'alarm_id', 'alarm_state', 'entity_type_id',
                'entity_instance_id', 'timestamp', 'severity',
                'reason_text', 'alarm_type', 'probable_cause',
                'proposed_repair_action', 'service_affecting',
                'suppression')
_PAYLOAD_FIELDS = ('entity_type_id', 'severity', 'reason_text',
                   'alarm_type', 'probable_cause', 'proposed_repair_action',
                   'service_affecting', 'suppression')
_EVENT_TYPES = {catalogue.STATE_SET: notifier_base.EVENT_ALARM_SET,
                catalogue.STATE_CLEAR: notifier_base.EVENT_ALARM_CLEAR,
                catalogue.STATE_LOG: notifier_base.EVENT_LOG,
                catalogue.STATE_MSG: notifier_base.EVENT_LOG}


def sync_suppression(context):
    """Give every catalogue alarm id a live event suppression row.

    StarlingX's rule (fm_db_sync_event_suppression.py): every Alarm id of
    the catalogue may be suppressed, whatever its Suppression flag says
    (that flag is only the default of the alarm's own ``suppression``
    attribute); customer logs never are. Rows keep their status; the row
    of an id that is no longer a catalogue alarm is unsuppressed and set
    for deletion (dbapi.suppression_sync). Runs at every manager start.

    :returns: (added, retired) alarm ids, as suppression_sync.
    """
    added, retired = dbapi.suppression_sync(context, [
        {'alarm_id': entry.alarm_id,
         'description': entry.description[:catalogue.MAX_TEXT],
         'mgmt_affecting': entry.mgmt_affecting_severity,
         'degrade_affecting': entry.degrade_affecting_severity}
        for entry in catalogue.get_catalogue().entries()
        if entry.type == catalogue.TYPE_ALARM])
    if added:
        LOG.info('Event suppression: %(count)d alarm ids added',
                 {'count': len(added)})
    if retired:
        LOG.info('Event suppression: %(ids)s no longer catalogue alarms; '
                 'unsuppressed and set for deletion',
                 {'ids': ', '.join(retired)})
    return added, retired


def _iso(value):
    # fm stores naive UTC; the Z says so to whoever reads it elsewhere.
    if hasattr(value, 'strftime'):
        return value.strftime('%Y-%m-%dT%H:%M:%S.%fZ')
    return value


def public(row, fields=FAULT_FIELDS):
    """A row as RPC carries it: the fault fields, timestamps as ISO text."""
    return {name: _iso(row.get(name)) for name in fields if name in row}


def notification(operation, alarm):
    """The notifier event for a change (stx.fm.notifiers.base).

    Carries both the flat fields of the notifier interface and the whole
    alarm under 'alarm', with 'operation' set/clear/log.
    """
    alarm = public(alarm)
    return {'event_type': _EVENT_TYPES[operation], 'operation': operation,
            'id': alarm['alarm_id'],
            'entity_instance_id': alarm['entity_instance_id'],
            'severity': alarm['severity'],
            'reason_text': alarm['reason_text'],
            'timestamp': alarm['timestamp'], 'alarm': alarm}


def _operation(method, arg):
    """A writer operation for a client method, its input validated.

    :raises: StxException naming what is wrong with the input.
    """
    if method == 'set_faults':
        cat = catalogue.get_catalogue()
        return batcher.Operation('set', faults=[
            catalogue.validate_fault(cat, fault, catalogue.STATE_SET)
            for fault in arg])
    if method == 'set_events':
        cat = catalogue.get_catalogue()
        return batcher.Operation('log', events=[catalogue.validate_fault(
            cat, event, event.get('alarm_state') if isinstance(event, dict)
            and event.get('alarm_state') == catalogue.STATE_MSG
            else catalogue.STATE_LOG) for event in arg])
    if method == 'clear_faults':
        return batcher.Operation('clear', keys=[_key(key) for key in arg])
    if method == 'clear_all':
        if not arg:
            raise exception.MissingParameterValue(
                field='entity_instance_id', reason='clear_all needs it')
        return batcher.Operation('clear_all', entity_instance_id=arg)
    raise exception.InvalidParameterValue(
        field='method', reason='%r is not an fm write' % method)


def _error_dict(error):
    if not isinstance(error, exception.StxException):
        error = exception.ServiceUnavailable(
            service='stx-fm-manager', reason=str(error))
    return {'class': type(error).__name__, 'kwargs': error.kwargs,
            'message': error.message}


def _timestamp(fault):
    value = fault.get('timestamp')
    if value:
        try:
            return dbapi._naive_utc(value)
        except (exception.Invalid, AttributeError):
            pass
    return dbapi.now()


class FMManager:
    """RPC endpoint of stx-fm-manager."""

    target = messaging.Target(version='1.0')

    def __init__(self, host=None):
        self.host = host or CONF.host
        self.writer = batcher.Batcher(self._apply_batch)
        self.dispatcher = dispatch.Dispatcher(
            make_event=lambda change: notification(*change))
        self._logged_since_prune = 0
        # The writer thread's connection, its engine, and the suppressed
        # alarm ids as of its last transaction.
        self._conn = self._engine = self._suppressed = None

    def start(self):
        """Start the writer and notifier threads."""
        self.dispatcher.start()
        self.writer.start()

    def stop(self):
        """Finish queued writes, then stop both threads."""
        self.writer.stop()
        self._disconnect()
        self.dispatcher.stop()
        LOG.info('fm manager stopped after %(ops)d writes in %(commits)d '
                 'transactions', {'ops': self.writer.operations,
                                  'commits': self.writer.commits})

    def wait_notified(self, timeout=10.0):
        """Wait until every committed change reached the notifiers."""
        return self.dispatcher.wait_idle(timeout)

    # RPC methods.

    @messaging.expected_exceptions(*_EXPECTED)
    def set_faults(self, context, faults):
        """Raise or update alarms; returns their uuids in order."""
        return self.writer.submit(_operation('set_faults', faults))

    @messaging.expected_exceptions(*_EXPECTED)
    def set_events(self, context, events):
        """Record customer logs; returns their uuids in order."""
        return self.writer.submit(_operation('set_events', events))

    @messaging.expected_exceptions(*_EXPECTED)
    def clear_faults(self, context, keys):
        """Clear alarms by [alarm_id, entity_instance_id]; True if cleared."""
        return self.writer.submit(_operation('clear_faults', keys))

    @messaging.expected_exceptions(*_EXPECTED)
    def clear_all(self, context, entity_instance_id):
        """Clear every alarm of an entity and the entities below it."""
        return self.writer.submit(_operation('clear_all', entity_instance_id))

    @messaging.expected_exceptions(*_EXPECTED)
    def apply(self, context, operations):
        """Apply operations of any of the four kinds above, in order.

        The client library's sender delivers its durable queue with this:
        sets and clears from many callers travel in one call and are
        written together. One refused operation does not stop the others.

        :param operations: [{'method': 'set_faults' | 'clear_faults' |
            'set_events' | 'clear_all', 'arg': its argument}]
        :returns: per operation, {'result': what the method returns} or
            {'error': {'class': name, 'kwargs': ..., 'message': ...}}.
        """
        prepared = []
        for operation in operations:
            try:
                prepared.append(_operation(operation['method'],
                                           operation['arg']))
            except exception.StxException as error:
                prepared.append(error)
        outcomes = iter(self.writer.submit_many(
            [op for op in prepared if isinstance(op, batcher.Operation)]))
        results = []
        for op in prepared:
            result, error = (next(outcomes) if isinstance(
                op, batcher.Operation) else (None, op))
            results.append({'result': result} if error is None
                           else {'error': _error_dict(error)})
        return results

    @messaging.expected_exceptions(*_EXPECTED)
    def delete_alarm(self, context, uuid):
        """Delete one alarm by uuid, logging a clear.

        :raises: AlarmNotFound
        """
        self.writer.submit(batcher.Operation('delete', uuid=uuid))

    @messaging.expected_exceptions(*_EXPECTED)
    def update_suppression(self, context, uuid, status):
        """Suppress or unsuppress one catalogue id; returns its row.

        :raises: SuppressionNotFound, InvalidParameterValue
        """
        return self.writer.submit(batcher.Operation(
            'suppression', uuid=uuid, status=status))

    @messaging.expected_exceptions(*_EXPECTED)
    def get_faults(self, context, entity_instance_id=None, alarm_id=None):
        """Active alarms as fault dicts, optionally of an entity (and the
        entities below it) and/or of one alarm id.

        Served by the writer thread, so it sees every write acknowledged
        before it.
        """
        return self.writer.submit(batcher.Operation(
            'get', entity_instance_id=entity_instance_id,
            alarm_id=alarm_id))

    def ping(self, context):
        return True

    # The writer thread.

    def _apply_batch(self, operations):
        outcomes = []
        conn = self._connection()
        try:
            with conn.begin():
                batch = transaction.Transaction(conn)
                batch.prefetch(_keys(operations))
                for operation in operations:
                    handler = getattr(self, '_do_' + operation.kind)
                    try:
                        result = handler(batch, **operation.args)
                    except exception.StxException as error:
                        # Refused before it wrote anything: the rest commit.
                        outcomes.append((None, error))
                        continue
                    outcomes.append((result, None))
                batch.finish()
                if batch.event_rows:
                    self._prune(batch)
                if self._suppressed is None or any(
                        op.kind == 'suppression' for op in operations):
                    self._suppressed = dbapi.suppressed_ids(conn)
        except Exception:
            self._disconnect()
            raise
        # Each change as (operation, row); notification() makes the event.
        self.dispatcher.put([change for change in batch.changes
                             if change[1]['alarm_id'] not in self._suppressed])
        return outcomes

    def _connection(self):
        """The writer's own connection, opened on first use.

        Held for the writer's life: opening one per transaction cost more
        than the transaction on SQLite. A new connection (at start, after
        an error, or when the database was reset) counts the active alarms
        afresh, so the summary's counts never drift.
        """
        engine = DB.get_engine()
        if engine is not self._engine:
            self._disconnect()
        if self._conn is None:
            conn = engine.connect()
            try:
                with conn.begin():
                    writers.alarm_counts_rebuild(conn)
            except Exception:
                conn.close()
                raise
            self._engine, self._conn, self._suppressed = engine, conn, None
        return self._conn

    def _disconnect(self):
        conn, self._conn, self._engine = self._conn, None, None
        if conn is not None:
            try:
                conn.close()
            except Exception as error:
                LOG.debug('Closing the fm writer connection: %s', error)

    def _prune(self, batch):
        # Not after every batch: a query per commit is a large share of a
        # small batch. The log may run 1 % over its bound in between.
        bound = CONF.fm.event_log_max_size
        self._logged_since_prune += len(batch.event_rows)
        if self._logged_since_prune >= max(1, bound // 100):
            writers.event_log_prune(batch.conn, bound)
            self._logged_since_prune = 0

    def _do_set(self, batch, faults):
        uuids = []
        for fault in faults:
            values = {name: fault[name] for name in _PAYLOAD_FIELDS}
            current = batch.find((fault['alarm_id'],
                                  fault['entity_instance_id']))
            if current is not None and all(
                    current[name] == values[name] for name in values):
                uuids.append(current['uuid'])
                continue
            values['timestamp'] = _timestamp(fault)
            if current is None:
                alarm = batch.insert(dict(
                    values, uuid=fault.get('uuid'),
                    alarm_id=fault['alarm_id'],
                    alarm_state=catalogue.STATE_SET,
                    entity_instance_id=fault['entity_instance_id'],
                    inhibit_alarms=False, masked=False))
            else:
                alarm = batch.update(current, values)
            batch.log(alarm, catalogue.STATE_SET, alarm['severity'],
                      alarm['timestamp'])
            batch.changes.append((catalogue.STATE_SET, dict(alarm)))
            uuids.append(alarm['uuid'])
        return uuids

    def _clear(self, batch, alarm):
        batch.delete(alarm)
        now = dbapi.now()
        batch.log(alarm, catalogue.STATE_CLEAR, catalogue.STATE_CLEAR, now)
        # The notification keeps the cleared alarm's severity.
        batch.changes.append((catalogue.STATE_CLEAR, dict(
            alarm, alarm_state=catalogue.STATE_CLEAR, timestamp=now)))

    def _do_clear(self, batch, keys):
        cleared = []
        for key in keys:
            alarm = batch.find(key)
            cleared.append(alarm is not None)
            if alarm is not None:
                self._clear(batch, alarm)
        return cleared

    def _do_clear_all(self, batch, entity_instance_id):
        batch.flush()
        alarms = writers.alarms_under(batch.conn, entity_instance_id)
        for alarm in alarms:
            self._clear(batch, alarm)
        return len(alarms)

    def _do_delete(self, batch, uuid):
        batch.flush()
        self._clear(batch, writers.alarm_find_by_uuid(batch.conn, uuid))

    def _do_log(self, batch, events):
        uuids = []
        for event in events:
            timestamp = _timestamp(event)
            row = batch.log(event, event['alarm_state'], event['severity'],
                            timestamp)
            batch.changes.append((catalogue.STATE_LOG, dict(
                event, uuid=row['uuid'], timestamp=timestamp)))
            uuids.append(row['uuid'])
        return uuids

    def _do_suppression(self, batch, uuid, status):
        row = dbapi.suppression_set(batch.conn, uuid, status)
        LOG.info('Alarm id %(id)s now %(status)s',
                 {'id': row['alarm_id'], 'status': status})
        return public(row, tuple(row))

    def _do_get(self, batch, entity_instance_id, alarm_id):
        batch.flush()
        rows = (writers.alarms_under(batch.conn, entity_instance_id)
                if entity_instance_id else writers.alarms_all(batch.conn))
        return [public(row) for row in rows
                if alarm_id is None or row['alarm_id'] == alarm_id]


def _keys(operations):
    """Every alarm key the batch's sets and clears name."""
    for operation in operations:
        if operation.kind == 'set':
            for fault in operation.args['faults']:
                yield fault['alarm_id'], fault['entity_instance_id']
        elif operation.kind == 'clear':
            yield from operation.args['keys']


def _key(key):
    if (not isinstance(key, (list, tuple)) or len(key) != 2 or
            not all(isinstance(part, str) and part for part in key)):
        raise exception.InvalidParameterValue(
            field='keys', reason='each key is [alarm_id, '
            'entity_instance_id], got %r' % (key,))
    return tuple(key)
