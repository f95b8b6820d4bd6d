"""Redfish sensors as the BMC interface reports them.

The Thermal and Power resources' JSON (Temperatures, Fans, PowerSupplies,
Voltages, PowerControl) become the sensor dicts of
``BMCDriver.get_sensors``. Thresholds map UpperThresholdNonCritical /
Critical / Fatal (and Lower*) to ``upper_minor`` / ``upper_major`` /
``upper_critical`` (``lower_*``), the same three levels as IPMI's; the
status is the worse of the reading against them and Status.Health.
"""

from stx.drivers.bmc import base
from stx.drivers.bmc import common

# Redfish threshold property prefixes and the interface's severities.
_THRESHOLD_LEVELS = (('NonCritical', 'minor'), ('Critical', 'major'),
                     ('Fatal', 'critical'))
_HEALTH_STATUS = {'OK': base.SENSOR_OK, 'Warning': base.SENSOR_MINOR,
                  'Critical': base.SENSOR_MAJOR}
_FAN_UNITS = {'RPM': 'RPM', 'Percent': '%'}


def thresholds_from(resource):
    """The interface's thresholds from a Redfish sensor's JSON.

    :param resource: a dict with Upper/LowerThreshold* properties.
    :returns: a dict of ``base.SENSOR_THRESHOLDS`` keys to numbers.
    """
    thresholds = {}
    for side in ('Upper', 'Lower'):
        for level, severity in _THRESHOLD_LEVELS:
            value = resource.get('%sThreshold%s' % (side, level))
            if isinstance(value, (int, float)) and not isinstance(
                    value, bool):
                thresholds['%s_%s' % (side.lower(), severity)] = float(value)
    return thresholds


def status_from(reading, thresholds, health):
    """A sensor's status: its reading against thresholds, and its health.

    :param reading: the number read, or None.
    :param thresholds: as thresholds_from returns.
    :param health: Status.Health ('OK', 'Warning', 'Critical') or None.
    :returns: one of ``base.SENSOR_STATUSES``, the worse of both.
    """
    from_reading = base.SENSOR_OK
    if reading is not None:
        for severity in ('minor', 'major', 'critical'):
            upper = thresholds.get('upper_' + severity)
            lower = thresholds.get('lower_' + severity)
            if ((upper is not None and reading >= upper) or
                    (lower is not None and reading <= lower)):
                from_reading = severity
    return common.worst_status(from_reading,
                               _HEALTH_STATUS.get(health, base.SENSOR_OK))


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _sensor(name, sensor_type, resource, reading_key, units,
            thresholds=True):
    status = resource.get('Status') or {}
    reading = None
    if status.get('State') not in ('Absent', 'Disabled'):
        reading = _number(resource.get(reading_key))
    limits = thresholds_from(resource) if thresholds else {}
    return {'name': name, 'sensor_type': sensor_type, 'reading': reading,
            'units': units, 'status': status_from(reading, limits,
                                                  status.get('Health')),
            'thresholds': limits}


def from_thermal(thermal):
    """Sensor dicts of a Redfish Thermal resource's JSON."""
    sensors = []
    for item in thermal.get('Temperatures') or ():
        sensors.append(_sensor(item.get('Name') or item.get('MemberId'),
                               'temperature', item, 'ReadingCelsius', 'C'))
    for item in thermal.get('Fans') or ():
        sensors.append(_sensor(
            item.get('Name') or item.get('FanName') or item.get('MemberId'),
            'fan', item, 'Reading',
            _FAN_UNITS.get(item.get('ReadingUnits'), 'RPM')))
    return sensors


def from_power(power):
    """Sensor dicts of a Redfish Power resource's JSON."""
    sensors = []
    for item in power.get('PowerSupplies') or ():
        sensors.append(_sensor(item.get('Name') or item.get('MemberId'),
                               'power-supply', item, 'LastPowerOutputWatts',
                               'W', thresholds=False))
    for item in power.get('Voltages') or ():
        sensors.append(_sensor(item.get('Name') or item.get('MemberId'),
                               'voltage', item, 'ReadingVolts', 'V'))
    for item in power.get('PowerControl') or ():
        sensors.append(_sensor(item.get('Name') or item.get('MemberId'),
                               'power', item, 'PowerConsumedWatts', 'W',
                               thresholds=False))
    return sensors
