"""fm's database API: alarms, the event log and event suppression.

Readers take a request context and return plain dicts (every column, plus
``suppression_status`` joined from ``event_suppression``); the REST API and
the manager's read RPCs use them. Writers take an open writer session so
that stx-fm-manager, the only writer, can commit a whole batch of
operations in one transaction.
"""

import datetime

from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from stx.common import exception
from stx.fm.db import DB
from stx.fm.db import models
from stx.fm.db import pg_batch

ALARMS = models.Alarm.__table__
EVENTS = models.EventLog.__table__
SUPPRESSIONS = models.EventSuppression.__table__
COUNTS = models.AlarmCount.__table__

SUPPRESSED = 'suppressed'
UNSUPPRESSED = 'unsuppressed'
SUPPRESSION_STATUSES = (SUPPRESSED, UNSUPPRESSED)

FILTER_FIELDS_ALARM = ('alarm_id', 'entity_instance_id', 'entity_type_id',
                       'severity', 'uuid', 'alarm_state')
FILTER_FIELDS_EVENT = ('event_log_id', 'entity_instance_id',
                       'entity_type_id', 'severity', 'uuid', 'state')
# 'like' is a prefix match ('host=worker-1' finds its processes too).
FILTER_OPS = ('eq', 'ne', 'lt', 'le', 'gt', 'ge', 'like')
ALARM_SORT_KEYS = ('timestamp', 'severity', 'alarm_id',
                   'entity_instance_id', 'uuid')

EVENT_STATES_ALARM = ('set', 'clear')
EVENT_STATES_LOG = ('log', 'msg')

_OPERATORS = {'eq': lambda col, value: col == value,
              'ne': lambda col, value: col != value,
              'lt': lambda col, value: col < value,
              'le': lambda col, value: col <= value,
              'gt': lambda col, value: col > value,
              'ge': lambda col, value: col >= value,
              'like': lambda col, value: col.startswith(value,
                                                        autoescape=True)}


def now():
    """The current UTC time, naive, as every fm timestamp is stored."""
    return timeutils.utcnow()


def _dicts(result):
    # zip with the keys read once: a RowMapping per row costs a third more.
    keys = tuple(result.keys())
    return [dict(zip(keys, row)) for row in result]


def _status_column(id_column):
    status = sa.func.coalesce(SUPPRESSIONS.c.suppression_status,
                              UNSUPPRESSED).label('suppression_status')
    join = sa.outerjoin(id_column.table, SUPPRESSIONS,
                        id_column == SUPPRESSIONS.c.alarm_id)
    return status, join


def _apply_filters(query, table, filters, allowed):
    for field, op, value in filters:
        if field not in allowed:
            raise exception.InvalidParameterValue(
                field='q.field', reason='%r is not one of %s'
                % (field, ', '.join(allowed)))
        if op not in _OPERATORS:
            raise exception.InvalidParameterValue(
                field='q.op', reason='%r is not one of %s'
                % (op, ', '.join(FILTER_OPS)))
        query = query.where(_OPERATORS[op](table.c[field], value))
    return query


def _suppression_filter(query, include_suppress):
    if include_suppress:
        return query
    return query.where(sa.or_(SUPPRESSIONS.c.suppression_status.is_(None),
                              SUPPRESSIONS.c.suppression_status
                              != SUPPRESSED))


def _one(session, query, not_found):
    result = _dicts(session.execute(query.limit(1)))
    if not result:
        raise not_found
    return result[0]


# Alarms.

def _alarm_query():
    status, join = _status_column(ALARMS.c.alarm_id)
    return sa.select(ALARMS, status).select_from(join)


def alarm_get(context, uuid):
    """The active alarm with ``uuid``.

    :raises: AlarmNotFound
    """
    with DB.reader.using(context) as session:
        return _one(session, _alarm_query().where(ALARMS.c.uuid == uuid),
                    exception.AlarmNotFound(alarm=uuid))


def alarm_list(context, filters=(), limit=None, marker=None,
               sort_key='timestamp', sort_dir='desc', include_suppress=False):
    """Active alarms, newest first unless sorted otherwise.

    :param filters: (field, op, value) triples; fields from
        FILTER_FIELDS_ALARM, ops from FILTER_OPS.
    :param marker: the uuid of the last alarm of the previous page.
    :raises: InvalidParameterValue naming q.field, q.op or sort_key.
    :raises: AlarmNotFound when the marker names no alarm.
    """
    if sort_key not in ALARM_SORT_KEYS:
        raise exception.InvalidParameterValue(
            field='sort_key', reason='%r is not one of %s'
            % (sort_key, ', '.join(ALARM_SORT_KEYS)))
    key = ALARMS.c[sort_key]
    descending = sort_dir == 'desc'
    # The id breaks ties the same way, so pages never repeat or skip.
    order = ((key.desc(), ALARMS.c.id.desc()) if descending
             else (key.asc(), ALARMS.c.id.asc()))
    query = _alarm_query().order_by(*order)
    query = _apply_filters(query, ALARMS, filters, FILTER_FIELDS_ALARM)
    query = _suppression_filter(query, include_suppress)
    with DB.reader.using(context) as session:
        if marker is not None:
            last = session.execute(sa.select(key.label('key'), ALARMS.c.id)
                                   .where(ALARMS.c.uuid == marker)).first()
            if last is None:
                raise exception.AlarmNotFound(alarm=marker)
            if descending:
                after = sa.or_(key < last.key, sa.and_(
                    key == last.key, ALARMS.c.id < last.id))
            else:
                after = sa.or_(key > last.key, sa.and_(
                    key == last.key, ALARMS.c.id > last.id))
            query = query.where(after)
        if limit is not None:
            query = query.limit(limit)
        return _dicts(session.execute(query))


def alarm_summary(context, include_suppress=False):
    """Counts of active alarms per severity and the overall status.

    Read from ``alarm_count``, which the manager keeps in step with the
    alarms: a few rows, however many alarms are active.
    """
    _status, join = _status_column(COUNTS.c.alarm_id)
    query = (sa.select(COUNTS.c.severity, sa.func.sum(COUNTS.c.count))
             .select_from(join).group_by(COUNTS.c.severity))
    query = _suppression_filter(query, include_suppress)
    with DB.reader.using(context) as session:
        counts = dict(session.execute(query).all())
    summary = {'critical': counts.get('critical', 0),
               'major': counts.get('major', 0),
               'minor': counts.get('minor', 0),
               'warnings': counts.get('warning', 0)}
    if summary['critical']:
        summary['status'] = 'critical'
    elif summary['major'] or summary['minor']:
        summary['status'] = 'degraded'
    else:
        summary['status'] = 'OK'
    return summary


# The event log.

def _event_query():
    status, join = _status_column(EVENTS.c.event_log_id)
    return sa.select(EVENTS, status).select_from(join)


def event_get(context, uuid):
    """The event log record with ``uuid``.

    :raises: EventNotFound
    """
    with DB.reader.using(context) as session:
        return _one(session, _event_query().where(EVENTS.c.uuid == uuid),
                    exception.EventNotFound(event=uuid))


def _naive_utc(since):
    if isinstance(since, str):
        try:
            since = timeutils.parse_isotime(since)
        except ValueError as error:
            raise exception.InvalidParameterValue(field='since',
                                                  reason=str(error))
    if since.tzinfo is not None:
        since = since.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return since


def event_list(context, filters=(), limit=None, marker=None, alarms=False,
               logs=False, include_suppress=False, since=None):
    """Event log records, newest (highest sequence number) first.

    :param alarms: only alarm sets and clears; ``logs``: only customer
        logs; both or neither: everything.
    :param marker: the uuid of the last record of the previous page.
    :param since: an ISO 8601 string or datetime; older records are left
        out.
    :raises: InvalidParameterValue naming q.field, q.op or since.
    :raises: EventNotFound when the marker names no record.
    """
    query = _event_query().order_by(EVENTS.c.id.desc())
    query = _apply_filters(query, EVENTS, filters, FILTER_FIELDS_EVENT)
    query = _suppression_filter(query, include_suppress)
    if alarms != logs:
        states = EVENT_STATES_ALARM if alarms else EVENT_STATES_LOG
        query = query.where(EVENTS.c.state.in_(states))
    if since is not None:
        query = query.where(EVENTS.c.timestamp >= _naive_utc(since))
    with DB.reader.using(context) as session:
        if marker is not None:
            last = session.execute(sa.select(EVENTS.c.id).where(
                EVENTS.c.uuid == marker)).scalar()
            if last is None:
                raise exception.EventNotFound(event=marker)
            query = query.where(EVENTS.c.id < last)
        if limit is not None:
            query = query.limit(limit)
        return _dicts(session.execute(query))


def event_count(context):
    with DB.reader.using(context) as session:
        return session.execute(
            sa.select(sa.func.count()).select_from(EVENTS)).scalar()


# Event suppression.

def suppression_get(context, uuid):
    """:raises: SuppressionNotFound"""
    with DB.reader.using(context) as session:
        return _one(session, sa.select(SUPPRESSIONS).where(
            SUPPRESSIONS.c.uuid == uuid),
            exception.SuppressionNotFound(suppression=uuid))


def suppression_list(context, status=None):
    """The live suppression rows (one per catalogue alarm id), by alarm id.

    Rows set for deletion by suppression_sync are left out, as StarlingX
    leaves them out of its event suppression list.
    """
    query = (sa.select(SUPPRESSIONS)
             .where(SUPPRESSIONS.c.set_for_deletion.is_not(True))
             .order_by(SUPPRESSIONS.c.alarm_id))
    if status is not None:
        query = query.where(SUPPRESSIONS.c.suppression_status == status)
    with DB.reader.using(context) as session:
        return _dicts(session.execute(query))


def suppressed_ids(session):
    """The alarm ids whose notifications are suppressed, in a session."""
    return set(session.execute(
        sa.select(SUPPRESSIONS.c.alarm_id).where(
            SUPPRESSIONS.c.suppression_status == SUPPRESSED)).scalars())


def suppressed_alarm_ids(context):
    """The set of alarm ids whose notifications are suppressed."""
    with DB.reader.using(context) as session:
        return suppressed_ids(session)


# Writers: stx-fm-manager only, inside its own writer transaction, on the
# Connection it holds. Statements are built once: building and caching a
# statement per row cost more than running it. Each function writes many
# rows in one statement (executemany, or an expanding IN), so a batch of
# hundreds of operations costs a handful of round trips; on PostgreSQL,
# batch_write sends all of a batch's writes in one.

_KEY = sa.tuple_(ALARMS.c.alarm_id, ALARMS.c.entity_instance_id)
_KEYS = sa.bindparam('keys', expanding=True)
_FIND_ALARMS = sa.select(ALARMS).where(_KEY.in_(_KEYS))
_DELETE_ALARMS = sa.delete(ALARMS).where(_KEY.in_(_KEYS))
_INSERT_ALARM = sa.insert(ALARMS)
_UPDATE_FIELDS = models.ALARM_UPDATE_FIELDS
_UPDATE_ALARM = sa.update(ALARMS).where(
    ALARMS.c.alarm_id == sa.bindparam('key_alarm_id'),
    ALARMS.c.entity_instance_id == sa.bindparam('key_eid')).values(
    {name: sa.bindparam('new_' + name) for name in _UPDATE_FIELDS})
_INSERT_EVENT = sa.insert(EVENTS)
# One upsert statement per dialect, built on first use.
_UPSERT_DIALECTS = {'sqlite': sqlite.insert, 'postgresql': postgresql.insert}
_ADD_COUNTS = {}
# Keys per statement: well under SQLite's oldest limit of 999 parameters.
_KEYS_PER_QUERY = 400


def _chunks(items):
    items = list(items)
    for start in range(0, len(items), _KEYS_PER_QUERY):
        yield items[start:start + _KEYS_PER_QUERY]


def alarms_find_many(conn, keys):
    """The active alarm rows of many (alarm_id, entity_instance_id) keys.

    On PostgreSQL (psycopg2) one statement rendered by stx.fm.db.pg_batch,
    as batch_write's.
    """
    if pg_batch.is_psycopg2(conn):
        # Once each: a key listed twice would join twice.
        return pg_batch.alarms_find_many(conn, list(dict.fromkeys(
            map(tuple, keys))))
    rows = []
    for chunk in _chunks(keys):
        rows.extend(_dicts(conn.execute(_FIND_ALARMS, {'keys': chunk})))
    return rows


def alarms_delete(conn, keys):
    """Delete the active alarms of (alarm_id, entity_instance_id) keys."""
    for chunk in _chunks(keys):
        conn.execute(_DELETE_ALARMS, {'keys': chunk})


def new_alarm(values):
    """An alarm row ready for alarms_insert: uuid and created_at set."""
    return dict(values, uuid=values.get('uuid') or
                uuidutils.generate_uuid(), created_at=now())


def alarms_insert(conn, rows):
    """Insert rows from new_alarm (all with the same keys)."""
    if rows:
        conn.execute(_INSERT_ALARM, rows)


def alarms_update(conn, rows):
    """Write what a set may change (_UPDATE_FIELDS) of stored alarms."""
    if rows:
        conn.execute(_UPDATE_ALARM, [dict(
            {'new_' + name: row[name] for name in _UPDATE_FIELDS},
            key_alarm_id=row['alarm_id'],
            key_eid=row['entity_instance_id']) for row in rows])


def _count_rows(changes):
    return [{'alarm_id': alarm_id, 'severity': severity, 'count': change}
            for (alarm_id, severity), change in changes.items() if change]


def alarm_counts_add(conn, changes):
    """Add ``{(alarm_id, severity): change}`` to the active alarm counts.

    One upsert for them all (SQLite and PostgreSQL share its syntax).
    """
    rows = _count_rows(changes)
    if rows:
        conn.execute(_add_counts(conn.dialect), rows)


def _add_counts(dialect):
    statement = _ADD_COUNTS.get(dialect.name)
    if statement is None:
        insert = _UPSERT_DIALECTS[dialect.name](COUNTS)
        statement = _ADD_COUNTS[dialect.name] = insert.on_conflict_do_update(
            index_elements=[COUNTS.c.alarm_id, COUNTS.c.severity],
            set_={'count': COUNTS.c.count + insert.excluded.count})
    return statement


def alarm_counts_rebuild(conn):
    """Count the active alarms afresh."""
    conn.execute(sa.delete(COUNTS))
    counted = sa.select(ALARMS.c.alarm_id, ALARMS.c.severity,
                        sa.func.count()).group_by(ALARMS.c.alarm_id,
                                                  ALARMS.c.severity)
    conn.execute(sa.insert(COUNTS).from_select(
        ['alarm_id', 'severity', 'count'], counted))


def alarms_under(conn, entity_instance_id):
    """Active alarms of an entity and of every entity below it."""
    eid = ALARMS.c.entity_instance_id
    return _dicts(conn.execute(
        sa.select(ALARMS).where(sa.or_(
            eid == entity_instance_id,
            eid.startswith(entity_instance_id + '.', autoescape=True)))
        .order_by(ALARMS.c.id)))


def alarms_all(conn):
    return _dicts(conn.execute(sa.select(ALARMS).order_by(ALARMS.c.id)))


def alarm_find_by_uuid(conn, uuid):
    """:raises: AlarmNotFound"""
    return _one(conn, sa.select(ALARMS).where(ALARMS.c.uuid == uuid),
                exception.AlarmNotFound(alarm=uuid))


def new_event(values):
    """An event log row ready for events_insert: uuid and created_at set."""
    return dict(values, uuid=values.get('uuid') or
                uuidutils.generate_uuid(), created_at=now())


def events_insert(conn, rows):
    """Append rows (from new_event, all with the same keys) in order."""
    if rows:
        conn.execute(_INSERT_EVENT, rows)


def batch_write(conn, deletes=(), inserts=(), updates=(), counts=None,
                events=()):
    """Write a batch's net effect, in this order: the alarms of keys
    ``deletes`` deleted, rows ``inserts`` (from new_alarm) inserted,
    ``updates`` written (as alarms_update), ``counts`` added (as
    alarm_counts_add) and ``events`` (from new_event) appended.

    On PostgreSQL (psycopg2) every statement travels in one round trip
    (stx.fm.db.pg_batch): each costs the writer a round trip and
    SQLAlchemy's work to execute it, a large share of a batch of a few
    dozen operations. Elsewhere each is a statement of its own, by the
    functions above.

    :param conn: the writer's Connection, in its transaction.
    """
    if pg_batch.is_psycopg2(conn):
        pg_batch.batch_write(conn, deletes, inserts, updates,
                             _count_rows(counts or {}), events)
        return
    alarms_delete(conn, deletes)
    alarms_insert(conn, inserts)
    alarms_update(conn, updates)
    alarm_counts_add(conn, counts or {})
    events_insert(conn, events)


def event_log_prune(conn, max_size):
    """Delete the oldest records beyond ``max_size``; returns how many."""
    newest = conn.execute(sa.select(sa.func.max(EVENTS.c.id))).scalar()
    if newest is None or newest <= max_size:
        return 0
    # Ids are never reused, so everything at or below this is older than
    # the newest max_size records: one indexed delete, no count needed.
    result = conn.execute(sa.delete(EVENTS).where(
        EVENTS.c.id <= newest - max_size))
    return result.rowcount


def suppression_sync(context, entries):
    """Make the suppression rows match the ids an operator may suppress.

    Each entry gets a live row: a new one unsuppressed; an existing one
    keeps its status and takes the entry's description and thresholds; a
    row set for deletion is live (and unsuppressed) again. A row whose id
    is not among the entries is set for deletion and unsuppressed, so that
    no reader hides that id's alarms any longer; it is kept rather than
    deleted, and suppression_set refuses it. Running it twice changes
    nothing the second time.

    :param entries: dicts with alarm_id, description, mgmt_affecting and
        degrade_affecting.
    :returns: (added, retired): the alarm ids given a live row, and those
        set for deletion, by this call.
    """
    wanted = {entry['alarm_id']: entry for entry in entries}
    added, retired = [], []
    with DB.writer.using(context) as session:
        rows = {row['alarm_id']: row for row in _dicts(
            session.execute(sa.select(SUPPRESSIONS)))}
        for alarm_id, entry in sorted(wanted.items()):
            row = rows.get(alarm_id)
            if row is None:
                session.execute(sa.insert(SUPPRESSIONS).values(
                    dict(entry, uuid=uuidutils.generate_uuid(),
                         suppression_status=UNSUPPRESSED,
                         set_for_deletion=False, created_at=now())))
                added.append(alarm_id)
                continue
            changes = {name: value for name, value in entry.items()
                       if row.get(name) != value}
            if row['set_for_deletion']:
                changes.update(set_for_deletion=False,
                               suppression_status=UNSUPPRESSED)
                added.append(alarm_id)
            if changes:
                session.execute(sa.update(SUPPRESSIONS).where(
                    SUPPRESSIONS.c.id == row['id']).values(
                    dict(changes, updated_at=now())))
        for alarm_id, row in sorted(rows.items()):
            if alarm_id in wanted or (
                    row['set_for_deletion'] and
                    row['suppression_status'] == UNSUPPRESSED):
                continue
            session.execute(sa.update(SUPPRESSIONS).where(
                SUPPRESSIONS.c.id == row['id']).values(
                set_for_deletion=True, suppression_status=UNSUPPRESSED,
                updated_at=now()))
            if not row['set_for_deletion']:
                retired.append(alarm_id)
    return added, retired


def suppression_set(session, uuid, status):
    """Set the suppression status of one live row; returns the row.

    :raises: InvalidParameterValue (field suppression_status) for a status
        that is not one of SUPPRESSION_STATUSES, or for a row set for
        deletion (its id is no longer a catalogue alarm), which is left
        as it is; SuppressionNotFound.
    """
    if status not in SUPPRESSION_STATUSES:
        raise exception.InvalidParameterValue(
            field='suppression_status', reason='%r is not one of %s'
            % (status, ', '.join(SUPPRESSION_STATUSES)))
    by_uuid = sa.select(SUPPRESSIONS).where(SUPPRESSIONS.c.uuid == uuid)
    row = _one(session, by_uuid,
               exception.SuppressionNotFound(suppression=uuid))
    if row['set_for_deletion']:
        raise exception.InvalidParameterValue(
            field='suppression_status',
            reason='%s is no longer an alarm in the alarm catalogue; its '
            'suppression status cannot change' % row['alarm_id'])
    session.execute(
        sa.update(SUPPRESSIONS).where(SUPPRESSIONS.c.id == row['id'])
        .values(suppression_status=status, updated_at=now()))
    return _one(session, by_uuid,
                exception.SuppressionNotFound(suppression=uuid))


def suppression_update(context, uuid, status):
    """suppression_set in a transaction of its own."""
    with DB.writer.using(context) as session:
        return suppression_set(session, uuid, status)
