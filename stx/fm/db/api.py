"""fm's database API: alarms, the event log and event suppression.

Readers take a request context and return plain dicts (every column, plus
``suppression_status`` joined from ``event_suppression``); the REST API and
the manager's read RPCs use them. The event suppression writers are here
too; the statements stx-fm-manager writes its batches of alarms and events
with are in stx.fm.db.writers.
"""

import datetime

from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from stx.common import exception
from stx.fm.db import DB
from stx.fm.db import models

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


def dicts(result):
    """A query result as plain dicts, one per row."""
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


def one(session, query, not_found):
    """The first row of ``query`` as a dict; raises ``not_found`` if none."""
    result = dicts(session.execute(query.limit(1)))
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
        return one(session, _alarm_query().where(ALARMS.c.uuid == uuid),
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
        return dicts(session.execute(query))


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
        return one(session, _event_query().where(EVENTS.c.uuid == uuid),
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
        return dicts(session.execute(query))


def event_count(context):
    with DB.reader.using(context) as session:
        return session.execute(
            sa.select(sa.func.count()).select_from(EVENTS)).scalar()


# Event suppression.

def suppression_get(context, uuid):
    """:raises: SuppressionNotFound"""
    with DB.reader.using(context) as session:
        return one(session, sa.select(SUPPRESSIONS).where(
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
        return dicts(session.execute(query))


def suppressed_ids(session):
    """The alarm ids whose notifications are suppressed, in a session."""
    return set(session.execute(
        sa.select(SUPPRESSIONS.c.alarm_id).where(
            SUPPRESSIONS.c.suppression_status == SUPPRESSED)).scalars())


def suppressed_alarm_ids(context):
    """The set of alarm ids whose notifications are suppressed."""
    with DB.reader.using(context) as session:
        return suppressed_ids(session)


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
        rows = {row['alarm_id']: row for row in dicts(
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
    row = one(session, by_uuid,
              exception.SuppressionNotFound(suppression=uuid))
    if row['set_for_deletion']:
        raise exception.InvalidParameterValue(
            field='suppression_status',
            reason='%s is no longer an alarm in the alarm catalogue; its '
            'suppression status cannot change' % row['alarm_id'])
    session.execute(
        sa.update(SUPPRESSIONS).where(SUPPRESSIONS.c.id == row['id'])
        .values(suppression_status=status, updated_at=now()))
    return one(session, by_uuid,
               exception.SuppressionNotFound(suppression=uuid))


def suppression_update(context, uuid, status):
    """suppression_set in a transaction of its own."""
    with DB.writer.using(context) as session:
        return suppression_set(session, uuid, status)
