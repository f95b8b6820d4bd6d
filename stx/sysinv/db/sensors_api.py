"""sysinv's database API: a host's hardware sensors and sensor groups.

What host maintenance's hwmon reads from a host's BMC, stored by the
conductor with ``sensors_sync_by_host`` at every audit of every host, and
the operator's changes of a group or a sensor. Readers return every column
plus what the REST API shows: ``host_uuid`` on both; ``sensorgroup_uuid``
and ``sensorgroupname`` on sensors (None for an ungrouped one); ``sensors``
(the uuids of its sensors, by name) on groups. Systems, hosts and the
shared helpers are in stx.sysinv.db.api.
"""

from oslo_db import exception as db_exc
from oslo_utils import uuidutils
import sqlalchemy as sa

from stx.common import exception
from stx.common import states
from stx.sysinv.db import api
from stx.sysinv.db import DB
from stx.sysinv.db import models

_HOSTS = api._HOSTS
_GROUPS = models.SensorGroup.__table__
_SENSORS = models.Sensor.__table__

# What a BMC report sets of a stored sensor; the rest (actions, suppress,
# audit interval) follows its group and the operator.
REPORTED = ('sensortype', 'datatype', 'status', 'reading', 'unit_base',
            't_minor_lower', 't_minor_upper', 't_major_lower',
            't_major_upper', 't_critical_lower', 't_critical_upper')

# A group's columns the operator sets, and the sensor columns each is
# copied to (StarlingX propagates them to the group's sensors).
GROUP_TO_SENSOR = {'actions_minor_group': 'actions_minor',
                   'actions_major_group': 'actions_major',
                   'actions_critical_group': 'actions_critical',
                   'audit_interval_group': 'audit_interval',
                   'suppress': 'suppress'}


def _group_select():
    return (sa.select(_GROUPS, _HOSTS.c.uuid.label('host_uuid'),
                      _HOSTS.c.hostname)
            .select_from(_GROUPS.join(_HOSTS,
                                      _GROUPS.c.host_id == _HOSTS.c.id))
            .order_by(_GROUPS.c.host_id, _GROUPS.c.sensorgroupname))


def _sensor_select():
    return (sa.select(_SENSORS, _HOSTS.c.uuid.label('host_uuid'),
                      _HOSTS.c.hostname,
                      _GROUPS.c.uuid.label('sensorgroup_uuid'),
                      _GROUPS.c.sensorgroupname)
            .select_from(_SENSORS.join(
                _HOSTS, _SENSORS.c.host_id == _HOSTS.c.id).outerjoin(
                _GROUPS, _SENSORS.c.sensorgroup_id == _GROUPS.c.id))
            .order_by(_SENSORS.c.host_id, _SENSORS.c.sensorname))


def _groups(session, where):
    """Groups, decorated with the uuids of their sensors."""
    rows = api._dicts(session.execute(_group_select().where(where)))
    if not rows:
        return rows
    members = {}
    for sensor in session.execute(
            sa.select(_SENSORS.c.sensorgroup_id, _SENSORS.c.uuid)
            .where(_SENSORS.c.sensorgroup_id.in_([row['id']
                                                  for row in rows]))
            .order_by(_SENSORS.c.sensorname)):
        members.setdefault(sensor.sensorgroup_id, []).append(sensor.uuid)
    for row in rows:
        row['sensors'] = members.get(row['id'], [])
    return rows


def _sensors(session, where):
    return api._dicts(session.execute(_sensor_select().where(where)))


# Readers. ``host_id`` is the host's integer id; listings without it hold
# every host's rows, by host then name.

def sensorgroup_list(context, host_id=None):
    """Sensor groups, by host and sensorgroupname."""
    where = sa.true() if host_id is None else _GROUPS.c.host_id == host_id
    with DB.reader.using(context) as session:
        return _groups(session, where)


def sensorgroup_get(context, uuid):
    """:raises: SensorGroupNotFound"""
    with DB.reader.using(context) as session:
        rows = _groups(session, _GROUPS.c.uuid == uuid)
    if not rows:
        raise exception.SensorGroupNotFound(sensorgroup=uuid)
    return rows[0]


def sensorgroup_get_by_name(context, host_id, name):
    """The host's group named ``name`` (``server fans``).

    :raises: SensorGroupNotFound
    """
    with DB.reader.using(context) as session:
        rows = _groups(session, sa.and_(_GROUPS.c.host_id == host_id,
                                        _GROUPS.c.sensorgroupname == name))
    if not rows:
        raise exception.SensorGroupNotFound(sensorgroup=name)
    return rows[0]


def sensor_list(context, host_id=None):
    """Sensors, by host and sensorname."""
    where = sa.true() if host_id is None else _SENSORS.c.host_id == host_id
    with DB.reader.using(context) as session:
        return _sensors(session, where)


def sensor_get(context, uuid):
    """:raises: SensorNotFound"""
    with DB.reader.using(context) as session:
        rows = _sensors(session, _SENSORS.c.uuid == uuid)
    if not rows:
        raise exception.SensorNotFound(sensor=uuid)
    return rows[0]


def sensor_get_by_name(context, host_id, name):
    """The host's sensor named ``name``.

    :raises: SensorNotFound
    """
    with DB.reader.using(context) as session:
        rows = _sensors(session, sa.and_(_SENSORS.c.host_id == host_id,
                                         _SENSORS.c.sensorname == name))
    if not rows:
        raise exception.SensorNotFound(sensor=name)
    return rows[0]


# Writers: each locks the host's row first (stx.sysinv.db.api's
# _lock_host_row says why), so a report and an operator's change of one
# host take turns.

def _followed(group):
    """The columns a sensor takes from its group."""
    return {sensor_column: group[group_column]
            for group_column, sensor_column in GROUP_TO_SENSOR.items()}


def _new_sensor(host_id, record, group, now):
    values = {column: record[column] for column in REPORTED}
    values.update(_followed(group), uuid=uuidutils.generate_uuid(),
                  host_id=host_id, sensorgroup_id=group['id'],
                  sensorname=record['sensorname'], state=states.ENABLED,
                  capabilities={}, created_at=now)
    return values


def _host_rows(session, table, host_id, key):
    return {row[key]: row for row in api._dicts(session.execute(
        sa.select(table).where(table.c.host_id == host_id)))}


def _add_groups(session, host_id, records, groups, new_group, now):
    """Add the groups ``records`` name that the host lacks; returns the
    host's groups by name, re-read if any was added.
    """
    missing = {}
    for record in records:
        name = record['sensorgroupname']
        if name not in groups and name not in missing:
            missing[name] = dict(new_group(record), sensorgroupname=name,
                                 uuid=uuidutils.generate_uuid(),
                                 host_id=host_id, created_at=now)
    if not missing:
        return groups
    session.execute(sa.insert(_GROUPS), list(missing.values()))
    return _host_rows(session, _GROUPS, host_id, 'sensorgroupname')


def _sync(session, host_id, records, new_group, now):
    """The body of sensors_sync_by_host, in its transaction."""
    api._lock_host_row(session, host_id)
    groups = _add_groups(
        session, host_id, records,
        _host_rows(session, _GROUPS, host_id, 'sensorgroupname'),
        new_group, now)
    stored = _host_rows(session, _SENSORS, host_id, 'sensorname')
    unreported = dict(stored)
    added, changed, regrouped, changes = [], [], [], []
    for record in records:
        group = groups[record['sensorgroupname']]
        row = unreported.pop(record['sensorname'], None)
        if row is None:
            added.append(_new_sensor(host_id, record, group, now))
            continue
        if row['sensorgroup_id'] != group['id']:
            # Its type changed: the sensor follows its new group.
            follow = dict(_followed(group), sensorgroup_id=group['id'])
            regrouped.append(dict(follow, _id=row['id'], updated_at=now))
            row.update(follow, updated_at=now)
        values = {column: record[column] for column in REPORTED}
        if any(row[column] != value for column, value in values.items()):
            if row['status'] != values['status']:
                changes.append((row, row['status']))
            changed.append(dict(values, _id=row['id'], updated_at=now))
            row.update(values, updated_at=now)
    offline = {'status': states.SENSOR_OFFLINE, 'reading': None}
    gone = [row for row in unreported.values()
            if any(row[column] != value for column, value in offline.items())]
    for row in gone:
        if row['status'] != states.SENSOR_OFFLINE:
            changes.append((row, row['status']))
        row.update(offline, updated_at=now)
    if added:
        session.execute(sa.insert(_SENSORS), added)
    # One statement each, whatever the number of rows (executemany).
    for rows in (regrouped, changed):
        if rows:
            session.execute(sa.update(_SENSORS).where(
                _SENSORS.c.id == sa.bindparam('_id')), rows)
    if gone:
        session.execute(sa.update(_SENSORS)
                        .where(_SENSORS.c.id.in_([row['id'] for row in gone]))
                        .values(updated_at=now, **offline))
    sensors = list(stored.values())
    if added:
        sensors = list(_host_rows(session, _SENSORS, host_id,
                                  'sensorname').values())
    return list(groups.values()), sensors, changes


def _summary(groups, sensors):
    """Groups and sensors by name; each sensor with its group's uuid and
    name (None for an ungrouped one).
    """
    by_id = {group['id']: group for group in groups}
    for sensor in sensors:
        group = by_id.get(sensor['sensorgroup_id']) or {}
        sensor['sensorgroup_uuid'] = group.get('uuid')
        sensor['sensorgroupname'] = group.get('sensorgroupname')
    return (sorted(groups, key=lambda group: group['sensorgroupname']),
            sorted(sensors, key=lambda sensor: sensor['sensorname']))


def sensors_sync_by_host(context, host_id, records, new_group=None):
    """Make a host's sensors what its BMC reported, in one transaction.

    A record naming a stored sensor updates those of its REPORTED columns
    that differ, on the changed rows only: an unchanged report writes
    nothing but the host-row lock. A record naming none adds a sensor,
    with its group's actions, audit interval and suppress (a group the
    host lacks is added first). Stored sensors no record names go offline,
    without a reading. A handful of statements whatever the number of
    sensors: one read of each table, an insert of what is new, one
    executemany of the changed rows, one update of those gone offline.

    :param records: ``[{'sensorname', 'sensorgroupname', REPORTED...}]``,
        names unique.
    :param new_group: called as ``new_group(record)`` for the first record
        of a group the host lacks; returns the group's columns (the same
        keys every time).
    :returns: ``(groups, sensors, changes)``: the host's group and sensor
        rows after the sync, by name, each sensor with its
        ``sensorgroup_uuid`` and ``sensorgroupname``; and ``[(sensor, old
        status)]`` for every stored sensor whose status changed.
    :raises: HostNotFound, Conflict; nothing is stored then.
    """
    try:
        with DB.writer.using(context) as session:
            groups, sensors, changes = _sync(session, host_id, records,
                                             new_group, api._now())
    except db_exc.DBDuplicateEntry:
        raise exception.Conflict(
            reason='the sensors of host %s changed while a report was '
            'stored, or the report repeats a name; nothing was stored'
            % host_id)
    return _summary(groups, sensors) + (changes,)


def sensors_offline_by_host(context, host_id):
    """Every sensor of a host offline, without a reading: its BMC could
    not be read.

    :returns: as sensors_sync_by_host.
    :raises: HostNotFound
    """
    return sensors_sync_by_host(context, host_id, [])


def _locked(session, table, uuid, not_found):
    """Lock the host of a row of ``table``; :raises: ``not_found``."""
    host_id = session.execute(sa.select(table.c.host_id).where(
        table.c.uuid == uuid)).scalar()
    if host_id is None:
        raise not_found
    api._lock_host_row(session, host_id)
    return host_id


def sensorgroup_update(context, uuid, check):
    """Change a group's columns, and its sensors' copies of them, in one
    transaction.

    :param check: called as ``check(group)`` with the group (as
        sensorgroup_get returns it); returns the ``{column: value}`` to
        write, or raises to write nothing.
    :returns: the group after the change.
    :raises: SensorGroupNotFound, whatever ``check`` raises.
    """
    not_found = exception.SensorGroupNotFound(sensorgroup=uuid)
    now = api._now()
    with DB.writer.using(context) as session:
        host_id = _locked(session, _GROUPS, uuid, not_found)
        rows = _groups(session, _GROUPS.c.uuid == uuid)
        if not rows:
            raise not_found
        group = rows[0]
        values = {column: value for column, value in check(group).items()
                  if group[column] != value}
        if not values:
            return group
        session.execute(sa.update(_GROUPS).where(_GROUPS.c.id == group['id'])
                        .values(updated_at=now, **values))
        copies = {GROUP_TO_SENSOR[column]: value
                  for column, value in values.items()
                  if column in GROUP_TO_SENSOR}
        if copies:
            session.execute(sa.update(_SENSORS).where(
                _SENSORS.c.host_id == host_id,
                _SENSORS.c.sensorgroup_id == group['id'])
                .values(updated_at=now, **copies))
        return _groups(session, _GROUPS.c.uuid == uuid)[0]


def sensor_update(context, uuid, check):
    """Change a sensor's columns, in one transaction.

    :param check: called as ``check(sensor)`` with the sensor (as
        sensor_get returns it); returns the ``{column: value}`` to write,
        or raises to write nothing.
    :returns: the sensor after the change.
    :raises: SensorNotFound, whatever ``check`` raises.
    """
    not_found = exception.SensorNotFound(sensor=uuid)
    with DB.writer.using(context) as session:
        _locked(session, _SENSORS, uuid, not_found)
        rows = _sensors(session, _SENSORS.c.uuid == uuid)
        if not rows:
            raise not_found
        sensor = rows[0]
        values = {column: value for column, value in check(sensor).items()
                  if sensor[column] != value}
        if not values:
            return sensor
        session.execute(sa.update(_SENSORS)
                        .where(_SENSORS.c.id == sensor['id'])
                        .values(updated_at=api._now(), **values))
        return _sensors(session, _SENSORS.c.uuid == uuid)[0]
