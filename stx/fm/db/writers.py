"""fm's batch writers: the statements stx-fm-manager commits a batch with.

stx-fm-manager, the only writer, calls these inside its own writer
transaction, on the Connection it holds (stx.fm.manager.transaction).
Statements are built once: building and caching a statement per row cost
more than running it. Each function writes many rows in one statement
(executemany, or an expanding IN), so a batch of hundreds of operations
costs a handful of round trips; on PostgreSQL, batch_write sends all of a
batch's writes in one (stx.fm.db.pg_batch).
"""

from oslo_utils import uuidutils
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from stx.common import exception
from stx.fm.db import api
from stx.fm.db import models
from stx.fm.db import pg_batch

ALARMS = api.ALARMS
EVENTS = api.EVENTS
COUNTS = api.COUNTS

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
        rows.extend(api.dicts(conn.execute(_FIND_ALARMS, {'keys': chunk})))
    return rows


def alarms_delete(conn, keys):
    """Delete the active alarms of (alarm_id, entity_instance_id) keys."""
    for chunk in _chunks(keys):
        conn.execute(_DELETE_ALARMS, {'keys': chunk})


def new_alarm(values):
    """An alarm row ready for alarms_insert: uuid and created_at set."""
    return dict(values, uuid=values.get('uuid') or
                uuidutils.generate_uuid(), created_at=api.now())


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
    return api.dicts(conn.execute(
        sa.select(ALARMS).where(sa.or_(
            eid == entity_instance_id,
            eid.startswith(entity_instance_id + '.', autoescape=True)))
        .order_by(ALARMS.c.id)))


def alarms_all(conn):
    return api.dicts(conn.execute(sa.select(ALARMS).order_by(ALARMS.c.id)))


def alarm_find_by_uuid(conn, uuid):
    """:raises: AlarmNotFound"""
    return api.one(conn, sa.select(ALARMS).where(ALARMS.c.uuid == uuid),
                   exception.AlarmNotFound(alarm=uuid))


def new_event(values):
    """An event log row ready for events_insert: uuid and created_at set."""
    return dict(values, uuid=values.get('uuid') or
                uuidutils.generate_uuid(), created_at=api.now())


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
