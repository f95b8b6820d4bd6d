"""Hardware sensors: the conductor's RPC methods that store what host
maintenance's hwmon reads from BMCs, and the operator's sensor group changes.

At every audit of a host stx-mtce sends what its BMC driver's
``get_sensors()`` returned (``hwmon_sensors_update``), or that the BMC could
not be read (``hwmon_sensors_unreadable``); it gets back the host's sensors
with their group's actions and decides alarms and actions from them. Sensor
groups are learned from the report, one per sensor type, as StarlingX's
hwmon learns them. The rules (what a report, a group change or a sensor
change may hold) are plain functions here.
"""

import math

from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import strutils

from stx.common import exception
from stx.common import states
from stx.conf import CONF
from stx.sysinv.conductor import common
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import models
from stx.sysinv.db import sensors_api

LOG = logging.getLogger(__name__)

# A group per sensor type, named as StarlingX's hwmon names them; another
# type's group is 'server <type>'.
GROUP_NAMES = {'temperature': 'server temperature',
               'fan': 'server fans',
               'voltage': 'server voltage',
               'power-supply': 'server power supplies',
               'power': 'server power',
               'current': 'server current'}

# A report's threshold keys (stx.drivers.bmc.base.SENSOR_THRESHOLDS) and
# the sensor columns they fill.
THRESHOLDS = {'lower_critical': 't_critical_lower',
              'lower_major': 't_major_lower',
              'lower_minor': 't_minor_lower',
              'upper_minor': 't_minor_upper',
              'upper_major': 't_major_upper',
              'upper_critical': 't_critical_upper'}

DATATYPE_ANALOG = 'analog'
DATATYPE_DISCRETE = 'discrete'

# What the operator may change, and the actions each severity allows
# (StarlingX's: reset and power-cycle only for critical).
ACTION_CHOICES = {'actions_minor_group': states.SENSOR_ACTIONS_MINOR,
                  'actions_major_group': states.SENSOR_ACTIONS_MAJOR,
                  'actions_critical_group': states.SENSOR_ACTIONS_CRITICAL}
SENSORGROUP_WRITABLE = frozenset(ACTION_CHOICES) | {'audit_interval_group',
                                                    'suppress'}
SENSOR_WRITABLE = frozenset(('suppress',))
AUDIT_INTERVAL_MIN = 10
AUDIT_INTERVAL_MAX = 3600

_GROUP_COLUMNS = frozenset(column.name for column in
                           models.SensorGroup.__table__.c)
_SENSOR_COLUMNS = frozenset(column.name for column in
                            models.Sensor.__table__.c)
_NAME_LENGTH = 255


def group_name(sensortype):
    """The name of the group of a sensor type (``server fans``)."""
    return GROUP_NAMES.get(sensortype, 'server %s' % sensortype)


def _text(value, field, required=False, limit=_NAME_LENGTH):
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise exception.InvalidParameterValue(
            field=field, reason='%r is not a non-empty string' % (value,))
    if len(value.strip()) > limit:
        raise exception.InvalidParameterValue(
            field=field, reason='longer than %d characters' % limit)
    return value.strip()


def _number(value, field):
    if value is None:
        return None
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or not math.isfinite(value)):
        raise exception.InvalidParameterValue(
            field=field, reason='%r is not a number' % (value,))
    return float(value)


def check_report(sensors):
    """A BMC driver's ``get_sensors()`` as sensor records.

    :param sensors: ``[{'name', 'sensor_type', 'reading', 'units',
        'status', 'thresholds'}]``; ``status`` may also be ``offline``
        (a sensor the BMC lists but cannot read); keys a driver adds
        beyond these are ignored.
    :returns: ``[{'sensorname', 'sensorgroupname', REPORTED columns}]``
        (stx.sysinv.db.sensors_api).
    :raises: InvalidParameterValue naming the entry and key at fault
        (``sensors[3].status``).
    """
    if not isinstance(sensors, list):
        raise exception.InvalidParameterValue(
            field='sensors', reason='not a list of sensors')
    records, seen = [], set()
    for index, entry in enumerate(sensors):
        where = 'sensors[%d]' % index
        if not isinstance(entry, dict):
            raise exception.InvalidParameterValue(
                field=where, reason='not an object')
        name = _text(entry.get('name'), where + '.name', required=True)
        if name in seen:
            raise exception.InvalidParameterValue(
                field=where + '.name', reason="'%s' is reported twice" % name)
        seen.add(name)
        # Short enough for its group's name too ('server <type>').
        sensortype = _text(entry.get('sensor_type'), where + '.sensor_type',
                           required=True,
                           limit=_NAME_LENGTH - len(group_name(''))).lower()
        status = entry.get('status')
        if status not in states.SENSOR_STATUSES:
            raise exception.InvalidParameterValue(
                field=where + '.status', reason='%r is not one of %s'
                % (status, ', '.join(states.SENSOR_STATUSES)))
        reading = _number(entry.get('reading'), where + '.reading')
        record = {
            'sensorname': name, 'sensortype': sensortype,
            'sensorgroupname': group_name(sensortype),
            'status': status, 'reading': reading,
            'datatype': (DATATYPE_DISCRETE if reading is None
                         else DATATYPE_ANALOG),
            'unit_base': _text(entry.get('units'), where + '.units')}
        thresholds = entry.get('thresholds') or {}
        if not isinstance(thresholds, dict):
            raise exception.InvalidParameterValue(
                field=where + '.thresholds', reason='not an object')
        for key in thresholds:
            if key not in THRESHOLDS:
                raise exception.InvalidParameterValue(
                    field='%s.thresholds.%s' % (where, key),
                    reason='not one of %s' % ', '.join(THRESHOLDS))
        for key, column in THRESHOLDS.items():
            record[column] = _number(thresholds.get(key),
                                     '%s.thresholds.%s' % (where, key))
        records.append(record)
    return records


def new_group(record):
    """The columns of the group a record's sensor is the first of:
    StarlingX's hwmon defaults (minor ignored, major logged, critical
    alarmed), read every ``[mtce] hwmon_audit_interval`` seconds.
    """
    return {
        'sensortype': record['sensortype'],
        'datatype': record['datatype'],
        'state': states.ENABLED,
        'possible_states': ','.join(states.SENSOR_STATUSES),
        'audit_interval_group': CONF.mtce.hwmon_audit_interval,
        'actions_minor_group': states.SENSOR_ACTION_IGNORE,
        'actions_major_group': states.SENSOR_ACTION_LOG,
        'actions_critical_group': states.SENSOR_ACTION_ALARM,
        'actions_minor_choices': ','.join(states.SENSOR_ACTIONS_MINOR),
        'actions_major_choices': ','.join(states.SENSOR_ACTIONS_MAJOR),
        'actions_critical_choices': ','.join(states.SENSOR_ACTIONS_CRITICAL),
        'suppress': False,
        'capabilities': {},
        'unit_base_group': record['unit_base'],
    }


def _bool(field, value):
    if isinstance(value, bool):
        return value
    try:
        return strutils.bool_from_string(value, strict=True)
    except (TypeError, ValueError):
        raise exception.InvalidParameterValue(
            field=field, reason='%r is not true or false' % (value,))


def _refuse_unwritable(values, writable, columns):
    for field in sorted(values):
        if field not in writable:
            if field in columns:
                raise exception.ReadOnlyField(field=field)
            raise exception.UnknownField(field=field)


def check_group_change(values):
    """The columns to write for an operator's change of a group.

    :param values: actions_minor_group, actions_major_group,
        actions_critical_group (one action of the severity's choices),
        audit_interval_group (whole seconds, 10 to 3600; decimal text is
        accepted), suppress (a boolean or its text).
    :raises: UnknownField, ReadOnlyField, InvalidParameterValue naming
        the field.
    """
    _refuse_unwritable(values, SENSORGROUP_WRITABLE, _GROUP_COLUMNS)
    changes = {}
    for field, value in values.items():
        if field in ACTION_CHOICES:
            choices = ACTION_CHOICES[field]
            action = value.strip().lower() if isinstance(value, str) else None
            if action not in choices:
                raise exception.InvalidParameterValue(
                    field=field, reason='%r is not one of %s'
                    % (value, ', '.join(choices)))
            changes[field] = action
        elif field == 'audit_interval_group':
            changes[field] = _audit_interval(field, value)
        else:
            changes[field] = _bool(field, value)
    return changes


def _audit_interval(field, value):
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value)
    if number is None or not (AUDIT_INTERVAL_MIN <= number
                              <= AUDIT_INTERVAL_MAX):
        raise exception.InvalidParameterValue(
            field=field, reason='%r is not a whole number of seconds from '
            '%d to %d' % (value, AUDIT_INTERVAL_MIN, AUDIT_INTERVAL_MAX))
    return number


def check_sensor_change(values):
    """The columns to write for an operator's change of a sensor: only
    ``suppress``.

    :raises: UnknownField, ReadOnlyField, InvalidParameterValue
    """
    _refuse_unwritable(values, SENSOR_WRITABLE, _SENSOR_COLUMNS)
    return {field: _bool(field, value) for field, value in values.items()}


# What hwmon_sensors_update returns of each sensor.
_MTCE_FIELDS = ('uuid', 'sensorname', 'sensortype', 'status', 'reading',
                'unit_base', 'actions_minor', 'actions_major',
                'actions_critical', 'sensorgroup_uuid', 'sensorgroupname',
                't_minor_lower', 't_minor_upper', 't_major_lower',
                't_major_upper', 't_critical_lower', 't_critical_upper')


def audit_summary(groups, sensors):
    """What host maintenance acts on (JSON-able).

    :returns: ``{'audit_interval': the shortest audit_interval_group of
        the host's groups ([mtce] hwmon_audit_interval without any),
        'sensors': [{uuid, sensorname, sensortype, status, reading,
        unit_base, suppress, actions_minor, actions_major,
        actions_critical, sensorgroup_uuid, sensorgroupname, t_*}]}``,
        sensors by name; ``suppress`` is true when the sensor or its group
        is suppressed.
    """
    suppressed = {group['id'] for group in groups if group['suppress']}
    intervals = [group['audit_interval_group'] for group in groups
                 if group['audit_interval_group']]
    summary = []
    for sensor in sensors:
        item = {field: sensor[field] for field in _MTCE_FIELDS}
        item['suppress'] = bool(sensor['suppress'] or
                                sensor['sensorgroup_id'] in suppressed)
        summary.append(item)
    return {'audit_interval': (min(intervals) if intervals
                               else CONF.mtce.hwmon_audit_interval),
            'sensors': summary}


def _log_changes(host, changes):
    for sensor, old in changes:
        reading = 'no reading'
        if sensor['reading'] is not None:
            reading = ('reading %s %s' % (sensor['reading'],
                                          sensor['unit_base'] or '')).strip()
        LOG.info('Sensor %(sensor)s of host %(host)s: %(old)s -> %(new)s '
                 '(%(reading)s)',
                 {'sensor': sensor['sensorname'],
                  'host': common.host_label(host), 'old': old,
                  'new': sensor['status'], 'reading': reading})


class SensorsMixin:
    """Conductor RPC methods of sensors and sensor groups."""

    @messaging.expected_exceptions(*common.EXPECTED)
    def hwmon_sensors_update(self, context, host_uuid, sensors):
        """Store what a host's BMC reported of its sensors.

        Groups and sensors seen for the first time are added (groups with
        StarlingX's default actions); reported sensors take their reading,
        status, thresholds and units; the host's sensors the report lacks
        go offline. Only changed rows are written.

        :param host_uuid: the host (uuid, id or hostname).
        :param sensors: what the BMC driver's ``get_sensors()`` returned
            (check_report).
        :returns: the host's sensors and audit interval (audit_summary).
        :raises: HostNotFound; InvalidParameterValue naming the entry and
            key at fault (nothing is stored then); Conflict.
        """
        records = check_report(sensors)
        host = dbapi.host_get(context, host_uuid)
        groups, rows, changes = sensors_api.sensors_sync_by_host(
            context, host['id'], records, new_group)
        _log_changes(host, changes)
        return audit_summary(groups, rows)

    @messaging.expected_exceptions(*common.EXPECTED)
    def hwmon_sensors_unreadable(self, context, host_uuid, reason):
        """Mark every sensor of a host offline: its BMC could not be read.

        :param reason: why, for the log.
        :returns: as hwmon_sensors_update.
        :raises: HostNotFound
        """
        host = dbapi.host_get(context, host_uuid)
        groups, rows, changes = sensors_api.sensors_offline_by_host(
            context, host['id'])
        if changes:
            LOG.warning('Sensors of host %(host)s cannot be read, %(count)d '
                        'now offline: %(reason)s',
                        {'host': common.host_label(host),
                         'count': len(changes), 'reason': reason})
        return audit_summary(groups, rows)

    @messaging.expected_exceptions(*common.EXPECTED)
    def update_sensorgroup(self, context, sensorgroup_uuid, values):
        """Change a sensor group (``host-sensorgroup-modify``); its
        actions, audit interval and suppress are copied to its sensors.

        :param values: check_group_change.
        :returns: the group (timestamps as ISO text).
        :raises: SensorGroupNotFound; UnknownField, ReadOnlyField,
            InvalidParameterValue naming the field. Nothing is stored then.
        """
        changes = check_group_change(values)
        group = sensors_api.sensorgroup_update(
            context, sensorgroup_uuid, lambda group: changes)
        LOG.info('Sensor group %(group)s of host %(host)s changed: '
                 '%(changes)s',
                 {'group': group['sensorgroupname'],
                  'host': group['hostname'] or group['host_uuid'],
                  'changes': ', '.join('%s=%s' % item
                                       for item in sorted(changes.items()))})
        return common.json_row(group)

    @messaging.expected_exceptions(*common.EXPECTED)
    def update_sensor(self, context, sensor_uuid, values):
        """Change a sensor (``host-sensor-modify``): suppress only.

        :returns: the sensor (timestamps as ISO text).
        :raises: SensorNotFound; UnknownField, ReadOnlyField,
            InvalidParameterValue naming the field.
        """
        changes = check_sensor_change(values)
        sensor = sensors_api.sensor_update(context, sensor_uuid,
                                           lambda sensor: changes)
        LOG.info('Sensor %(sensor)s of host %(host)s changed: %(changes)s',
                 {'sensor': sensor['sensorname'],
                  'host': sensor['hostname'] or sensor['host_uuid'],
                  'changes': ', '.join('%s=%s' % item
                                       for item in sorted(changes.items()))})
        return common.json_row(sensor)
