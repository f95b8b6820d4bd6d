"""fm's writer on PostgreSQL through psycopg2: one round trip per batch.

Statements are rendered here rather than by SQLAlchemy, whose work per
statement (expanding an IN list, executing, building rows) cost the writer
more than the database's own. psycopg2 renders values client side
(cursor.mogrify), so statements joined with ';' are one execute, one round
trip; a multi-row VALUES keeps the order of its rows, as insertmanyvalues
does. Rows come back as SQLAlchemy gives them: the dialect converts none of
fm's column types. stx.fm.db.writers uses this module on such connections.
"""

from stx.fm.db import models

ALARMS = models.Alarm.__table__
EVENTS = models.EventLog.__table__
COUNTS = models.AlarmCount.__table__
UPDATE_FIELDS = models.ALARM_UPDATE_FIELDS


def is_psycopg2(conn):
    """Whether ``conn`` is a Connection to PostgreSQL through psycopg2."""
    dialect = getattr(conn, 'dialect', None)
    return (dialect is not None and dialect.name == 'postgresql' and
            dialect.driver == 'psycopg2')


# What alarms_find_many and the deletes join their keys to.
_PG_FIND_ALARMS = ('SELECT %s FROM alarm, ' % ', '.join(
    'alarm.' + column.name for column in ALARMS.c)).encode()
_PG_DELETE_ALARMS = b'DELETE FROM alarm USING '


def alarms_find_many(conn, keys):
    """The alarm rows of (alarm_id, entity_instance_id) ``keys``, each
    listed once.
    """
    if not keys:
        return []
    cursor = conn.connection.cursor()
    try:
        cursor.execute(_PG_FIND_ALARMS + _pg_keys(cursor, keys))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        cursor.close()


_PG_UPDATE_ALARM = ('UPDATE alarm SET %s WHERE alarm_id = %%s AND '
                    'entity_instance_id = %%s' % ', '.join(
                        '%s = %%s' % name for name in UPDATE_FIELDS))
_PG_ADD_COUNTS = (' ON CONFLICT (alarm_id, severity) DO UPDATE SET '
                  'count = alarm_count.count + excluded.count')


def batch_write(conn, deletes, inserts, updates, counts, events):
    """stx.fm.db.writers.batch_write's statements in one round trip;
    ``counts`` as rows of alarm_count.
    """
    quote = conn.dialect.identifier_preparer.quote
    statements = []
    cursor = conn.connection.cursor()
    try:
        if deletes:
            statements.append(_PG_DELETE_ALARMS + _pg_keys(cursor, deletes))
        if inserts:
            statements.append(_pg_insert(cursor, quote, ALARMS, inserts))
        for row in updates:
            statements.append(cursor.mogrify(_PG_UPDATE_ALARM, [
                row[name] for name in UPDATE_FIELDS] + [
                row['alarm_id'], row['entity_instance_id']]))
        if counts:
            statements.append(_pg_insert(cursor, quote, COUNTS, counts)
                              + _PG_ADD_COUNTS.encode())
        if events:
            statements.append(_pg_insert(cursor, quote, EVENTS, events))
        if statements:
            cursor.execute(b';\n'.join(statements))
    finally:
        cursor.close()


def _pg_keys(cursor, keys):
    """(alarm_id, entity_instance_id) ``keys`` as a VALUES list joined to
    ``alarm``: a FROM item and its WHERE clause.

    Not an ``(alarm_id, entity_instance_id) IN`` list: PostgreSQL turns
    that into one alarm id and an OR of every instance id, tested against
    each alarm of that id (a second for 500 keys among 100,000 alarms of
    one id, against 12 ms joined).
    """
    return (b'(VALUES ' + _pg_rows(cursor, 2, [
        part for key in keys for part in key]) + b') AS keys (alarm_id, '
        b'entity_instance_id) WHERE alarm.alarm_id = keys.alarm_id AND '
        b'alarm.entity_instance_id = keys.entity_instance_id')


def _pg_rows(cursor, width, values):
    """``(v, ...), (v, ...)``: ``values`` (flat) as rows of ``width``."""
    template = '(%s)' % ', '.join(['%s'] * width)
    return cursor.mogrify(', '.join([template] * (len(values) // width)),
                          values)


def _pg_insert(cursor, quote, table, rows):
    """A multi-row INSERT of dicts that share their keys.

    A column they leave out takes its scalar default, as SQLAlchemy's
    insert gives it.
    """
    names = list(rows[0])
    defaults = [(column.name, column.default.arg) for column in table.c
                if column.name not in rows[0] and column.default is not None
                and column.default.is_scalar]
    fixed = [value for _name, value in defaults]
    values = []
    for row in rows:
        values.extend(map(row.__getitem__, names))
        values.extend(fixed)
    names.extend(name for name, _value in defaults)
    return ('INSERT INTO %s (%s) VALUES ' % (
        quote(table.name), ', '.join(map(quote, names)))).encode() + _pg_rows(
        cursor, len(names), values)
