"""IPMI sensors as the BMC interface reports them (see stx.drivers.bmc.ipmi
for the status mapping): pyghmi's SensorReading to sensor dicts, and the
thresholds pyghmi does not read, through Get Sensor Thresholds.
"""

from pyghmi import constants as pyghmi_constants
from pyghmi import exceptions as pyghmi_exceptions
from pyghmi.ipmi import sdr as ipmi_sdr

from stx.conf import CONF
from stx.drivers.bmc import base

_NETFN_SENSOR = 0x04
_CMD_GET_SENSOR_THRESHOLDS = 0x27
_CC_INVALID_COMMAND = 0xC1

SENSOR_TYPES = {
    'Temperature': 'temperature',
    'Fan': 'fan',
    'Voltage': 'voltage',
    'Current': 'current',
    'Power': 'power',
    'Power Supply': 'power-supply',
}
UNITS = {'°C': 'C', '°F': 'F'}

# Get Sensor Thresholds response: (readable-mask bit, data index, key) for
# lower and upper thresholds; 1/x sensors swap lower and upper.
_THRESHOLDS = (
    (0, 1, 'minor', 'lower'), (1, 2, 'major', 'lower'),
    (2, 3, 'critical', 'lower'), (3, 4, 'minor', 'upper'),
    (4, 5, 'major', 'upper'), (5, 6, 'critical', 'upper'),
)
_LINEARIZATION_INVERSE = 7


def sensor_status(health):
    """Map pyghmi's health bits to a sensor status (see the docstring).

    :param health: an OR of pyghmi.constants.Health values.
    :returns: one of ``base.SENSOR_STATUSES``.
    """
    health = health or 0
    if health & pyghmi_constants.Health.Failed:
        return base.SENSOR_CRITICAL
    if health & pyghmi_constants.Health.Critical:
        return base.SENSOR_MAJOR
    if health & pyghmi_constants.Health.Warning:
        return base.SENSOR_MINOR
    return base.SENSOR_OK


def sensor_from_reading(reading, thresholds=None):
    """Turn a pyghmi SensorReading into the interface's sensor dict.

    :param reading: a ``pyghmi.ipmi.sdr.SensorReading`` (or an object with
        its attributes: name, type, value, units, health, unavailable).
    :param thresholds: the sensor's thresholds dict, if read.
    :returns: the sensor dict of ``BMCDriver.get_sensors``.
    """
    unavailable = bool(getattr(reading, 'unavailable', 0))
    value = None if unavailable else reading.value
    units = getattr(reading, 'units', None) or None
    return {
        'name': reading.name,
        'sensor_type': SENSOR_TYPES.get(reading.type,
                                        str(reading.type).lower()),
        'reading': None if value is None else round(float(value), 3),
        'units': UNITS.get(units, units),
        'status': (base.SENSOR_OK if unavailable
                   else sensor_status(reading.health)),
        'thresholds': dict(thresholds or {}),
    }


def read_sensors(command):
    """Every sensor of a logged-in pyghmi Command, as sensor dicts, with
    thresholds when ``[bmc] ipmi_read_thresholds`` and the BMC allow.
    """
    readings = list(command.get_sensor_data())
    entries = {}
    if CONF.bmc.ipmi_read_thresholds and command._sdr is not None:
        sdr = command._sdr
        for number in sdr.get_sensor_numbers():
            entries.setdefault(sdr.sensors[number].name,
                               sdr.sensors[number])
    sensors = []
    for reading in readings:
        thresholds = {}
        entry = entries.get(reading.name)
        if entry is not None and command.thresholds_supported:
            thresholds = _read_thresholds(command, entry)
        sensors.append(sensor_from_reading(reading, thresholds))
    return sensors


def _read_thresholds(command, entry):
    if not (getattr(entry, 'has_thresholds', False) and
            entry.linearization is not None and
            entry.linearization <= 11 and
            entry.numeric_format in (0, 1, 2)):
        return {}
    try:
        answer = command.xraw_command(
            netfn=_NETFN_SENSOR, command=_CMD_GET_SENSOR_THRESHOLDS,
            data=(entry.sensor_number,), rslun=entry.sensor_lun)
    except pyghmi_exceptions.IpmiException as err:
        if not getattr(err, 'ipmicode', 0):
            raise
        if err.ipmicode == _CC_INVALID_COMMAND:
            command.thresholds_supported = False
        return {}
    data = bytearray(answer['data'])
    if len(data) < 7:
        return {}
    thresholds = {}
    for bit, index, severity, side in _THRESHOLDS:
        if not data[0] & (1 << bit):
            continue
        raw = data[index]
        if entry.numeric_format == 2:
            raw = ipmi_sdr.twos_complement(raw, 8)
        elif entry.numeric_format == 1:
            raw = ipmi_sdr.ones_complement(raw, 8)
        if entry.linearization == _LINEARIZATION_INVERSE:
            side = 'upper' if side == 'lower' else 'lower'
        try:
            value = entry.decode_value(command, raw)
        except (ArithmeticError, ValueError):
            continue
        thresholds['%s_%s' % (side, severity)] = round(value, 3)
    return thresholds
