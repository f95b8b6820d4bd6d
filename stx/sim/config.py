"""The configuration of stx-bmc-sim: which BMCs to simulate, and how.

A YAML file, or the same structure built from command-line options::

    defaults: {username: admin, password: secret, power: on}
    bmcs:
      - {name: worker-0, port: 16230}
      - {name: worker-1, port: 16231, power: off, power_hook: /path/to/hook}
      - {name_prefix: rack1-, count: 500, first_port: 17000}

This module turns it into validated, immutable ``BMCConfig`` objects, or
raises ``ConfigError`` with a one-line message that names the field. The
keys are described in doc/source/bmc-sim.rst. Its ``as_*`` validators also
check the control endpoint's requests.
"""

import dataclasses
import math
import uuid

import yaml

from stx.sim import ipmi_records

# A BMC's GUID is uuid5 of its name in this namespace: the same at every
# start, different for every BMC.
GUID_NAMESPACE = uuid.UUID('6f1c9a57-3f0e-4c62-9d2b-5a4e8c7b1d30')

# Per-BMC keys, and their values when neither the BMC nor 'defaults' has.
BUILTIN_DEFAULTS = {
    'username': 'admin',
    'password': 'password',
    'power': 'on',
    'boot_device': 'default',
    'boot_persistent': False,
    'answering': True,
    'power_hook': None,
    'sensors': 'standard',
    'sensor_overrides': {},
    'fru': {},
    'sdr_read_limit': None,
}
BMC_KEYS = frozenset(BUILTIN_DEFAULTS) | {'name', 'port', 'uuid'}
RANGE_KEYS = frozenset(BUILTIN_DEFAULTS) | {'name_prefix', 'count',
                                            'first_port', 'first_index'}
SENSOR_KEYS = frozenset(['name', 'type', 'reading', 'thresholds', 'standby',
                         'off_reading', 'range', 'entity', 'entity_instance'])
FRU_KEYS = ('manufacturer', 'product_name', 'model', 'version',
            'serial_number', 'asset_tag', 'board_manufacturer',
            'board_product_name', 'board_serial_number', 'board_part_number',
            'chassis_part_number', 'chassis_serial_number')

MAX_USERNAME = 16  # IPMI 2.0 user names
MAX_PASSWORD = 20  # IPMI 2.0 passwords
MAX_SENSORS = 254  # sensor numbers 1..254; 255 is reserved
# BMC names appear in the control endpoint's URLs and in hook variables.
NAME_CHARACTERS = frozenset('abcdefghijklmnopqrstuvwxyz'
                            'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-')
# Thresholds from lowest to highest, for the order check.
THRESHOLD_RANK = ('lower_non_recoverable', 'lower_critical',
                  'lower_non_critical', 'upper_non_critical',
                  'upper_critical', 'upper_non_recoverable')


class ConfigError(ValueError):
    """The configuration is invalid; the message names the field."""


@dataclasses.dataclass(frozen=True)
class SensorConfig:
    """A linear threshold sensor; readings are in its unit (C, V, RPM...).

    ``reading`` is the value while the host is on. When the host is off a
    sensor reports "reading unavailable", unless it is a ``standby`` sensor
    (powered by the standby rail: inlet temperature, PSU input), which
    reports ``off_reading`` (or ``reading`` if that is None).
    """

    name: str
    type: str
    reading: float
    thresholds: tuple = ()  # ((threshold name, value), ...)
    standby: bool = False
    off_reading: float = None
    range: tuple = None     # (minimum, maximum) of the raw scale
    entity: str = 'system_board'
    entity_instance: int = 1

    def threshold_dict(self):
        return dict(self.thresholds)

    def scale(self):
        """(minimum, maximum) the raw readings cover.

        Unless configured: from 0 (or below the lowest value) to 25% above
        the highest threshold, leaving room for injected faults.
        """
        if self.range:
            return self.range
        values = [self.reading] + [value for _, value in self.thresholds]
        if self.off_reading is not None:
            values.append(self.off_reading)
        maximum = max(values) * 1.25 if max(values) > 0 else 1.0
        return (min(0.0, min(values) * 1.25), maximum)


@dataclasses.dataclass(frozen=True)
class BMCConfig:
    name: str
    port: int
    uuid: uuid.UUID
    username: str = 'admin'
    password: str = 'password'
    power: bool = True
    boot_device: str = 'default'
    boot_persistent: bool = False
    answering: bool = True
    power_hook: str = None
    sensors: tuple = ()
    fru: tuple = ()     # ((FRU_KEYS key, text), ...)
    sdr_read_limit: int = None


def _standard(name, sensor_type, reading, lower, upper, **extra):
    """A sensor of a built-in set; lower and upper are (NR, C, NC)."""
    thresholds = dict(zip(THRESHOLD_RANK[:3], lower or ()))
    thresholds.update(zip(THRESHOLD_RANK[:2:-1], upper or ()))
    return dict(extra, name=name, type=sensor_type, reading=reading,
                thresholds=thresholds)


# 'standard': a two-socket 1U server, with thresholds in the ranges
# vendors ship; voltages within 5%, 10% and 15% of nominal.
_FAN = ((300, 600, 1000), (16000, 15000, 14000))
SENSOR_SETS = {
    'standard': [
        _standard('CPU1 Temp', 'temperature', 45, (0, 5, 10), (100, 95, 85),
                  entity='processor', entity_instance=1),
        _standard('CPU2 Temp', 'temperature', 47, (0, 5, 10), (100, 95, 85),
                  entity='processor', entity_instance=2),
        _standard('Inlet Temp', 'temperature', 24, (0, 3, 8), (48, 42, 38),
                  entity='air_inlet', standby=True),
        _standard('Fan1', 'fan', 8400, *_FAN, entity_instance=1),
        _standard('Fan2', 'fan', 8500, *_FAN, entity_instance=2),
        _standard('Fan3', 'fan', 8300, *_FAN, entity_instance=3),
        _standard('Fan4', 'fan', 8600, *_FAN, entity_instance=4),
        _standard('12V', 'voltage', 12.0, (10.2, 10.8, 11.4),
                  (13.8, 13.2, 12.6)),
        _standard('5V', 'voltage', 5.0, (4.25, 4.5, 4.75), (5.75, 5.5, 5.25)),
        _standard('3.3V', 'voltage', 3.3, (2.8, 2.96, 3.14),
                  (3.8, 3.64, 3.46)),
        _standard('PSU1 Input Power', 'power', 180, None, (900, 800, 700),
                  entity_instance=1, standby=True, off_reading=10),
        _standard('PSU2 Input Power', 'power', 175, None, (900, 800, 700),
                  entity_instance=2, standby=True, off_reading=10),
    ],
    'none': [],
}


# Validators: each returns the (normalised) value or raises ConfigError
# naming ``path``.

def invalid(path, problem):
    return ConfigError('%s: %s' % (path, problem))


def as_number(value, path):
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or not math.isfinite(value)):
        raise invalid(path, 'expected a number, got %r' % (value,))
    return float(value)


def as_boolean(value, path):
    if not isinstance(value, bool):
        raise invalid(path, 'expected true or false, got %r' % (value,))
    return value


def as_integer(value, path, low, high):
    if (isinstance(value, bool) or not isinstance(value, int)
            or not low <= value <= high):
        raise invalid(path, 'expected an integer from %d to %d, got %r'
                      % (low, high, value))
    return value


def as_text(value, path, max_length, empty=False):
    if not isinstance(value, str):
        raise invalid(path, 'expected a string, got %r' % (value,))
    if not empty and not value:
        raise invalid(path, 'must not be empty')
    if len(value) > max_length:
        raise invalid(path, 'longer than %d characters' % max_length)
    return value


def as_mapping(value, path):
    if not isinstance(value, dict):
        raise invalid(path, 'expected a mapping, got %r' % (value,))
    return value


def as_power(value, path):
    """True for on, False for off; YAML 1.1 reads bare on/off as booleans."""
    if value in (True, 'on'):
        return True
    if value in (False, 'off'):
        return False
    raise invalid(path, 'expected on or off, got %r' % (value,))


def as_choice(value, path, choices):
    if value not in choices:
        raise invalid(path, 'expected one of %s, got %r'
                      % (', '.join(choices), value))
    return value


def check_keys(entry, allowed, path):
    for key in entry:
        if key not in allowed:
            raise invalid(path, 'unknown key %r (known: %s)'
                          % (key, ', '.join(sorted(allowed))))


def _sensor_name(value, path):
    name = as_text(value, path, ipmi_records.MAX_ID_LENGTH)
    try:
        name.encode('latin-1')
    except UnicodeEncodeError:
        raise invalid(path, '%r is not Latin-1 text' % name)
    if '/' in name:
        raise invalid(path, '%r must not contain "/"' % name)
    return name


def parse_sensor(name, definition, path):
    """A SensorConfig from its definition; the name may be in it."""
    as_mapping(definition, path)
    check_keys(definition, SENSOR_KEYS, path)
    name = _sensor_name(definition.get('name', name), path + '.name')
    sensor_type = as_choice(definition.get('type'), path + '.type',
                            sorted(ipmi_records.SENSOR_TYPES))
    if 'reading' not in definition:
        raise invalid(path + '.reading', 'missing')
    reading = as_number(definition['reading'], path + '.reading')
    thresholds = as_mapping(definition.get('thresholds') or {},
                            path + '.thresholds')
    check_keys(thresholds, THRESHOLD_RANK, path + '.thresholds')
    ordered = tuple((t, as_number(thresholds[t], path + '.thresholds.' + t))
                    for t in THRESHOLD_RANK if t in thresholds)
    for (low_name, low), (high_name, high) in zip(ordered, ordered[1:]):
        # Equal limits are fine within a side, not across the two.
        if low > high or (low == high and low_name.startswith('lower')
                          and high_name.startswith('upper')):
            raise invalid(path + '.thresholds', '%s (%s) must be below %s '
                          '(%s)' % (low_name, low, high_name, high))
    off_reading = definition.get('off_reading')
    if off_reading is not None:
        off_reading = as_number(off_reading, path + '.off_reading')
    scale = definition.get('range')
    if scale is not None:
        if not isinstance(scale, (list, tuple)) or len(scale) != 2:
            raise invalid(path + '.range', 'expected [minimum, maximum]')
        scale = tuple(as_number(v, path + '.range') for v in scale)
        values = [reading] + [value for _, value in ordered]
        if not scale[0] <= min(values) <= max(values) <= scale[1]:
            raise invalid(path + '.range', 'does not cover the reading '
                          'and thresholds')
    sensor = SensorConfig(
        name=name, type=sensor_type, reading=reading, thresholds=ordered,
        standby=as_boolean(definition.get('standby', False),
                           path + '.standby'),
        off_reading=off_reading, range=scale,
        entity=as_choice(definition.get(
            'entity', ipmi_records.DEFAULT_ENTITY[sensor_type]),
            path + '.entity', sorted(ipmi_records.ENTITIES)),
        entity_instance=as_integer(definition.get('entity_instance', 1),
                                   path + '.entity_instance', 0, 127))
    try:
        ipmi_records.linear_factors(*sensor.scale())
    except ValueError as error:
        raise invalid(path, 'cannot scale the sensor: %s' % error)
    return sensor


def sensor_definition(sensor):
    """The definition parse_sensor() reads back into ``sensor``."""
    definition = {'name': sensor.name, 'type': sensor.type,
                  'reading': sensor.reading,
                  'thresholds': sensor.threshold_dict(),
                  'standby': sensor.standby, 'entity': sensor.entity,
                  'entity_instance': sensor.entity_instance}
    if sensor.off_reading is not None:
        definition['off_reading'] = sensor.off_reading
    if sensor.range is not None:
        definition['range'] = list(sensor.range)
    return definition


def merge_sensor(sensor, changes):
    """The definition of ``sensor`` with ``changes`` applied.

    Thresholds merge one by one; a threshold set to None is removed.
    """
    definition = sensor_definition(sensor)
    for key, value in changes.items():
        if key == 'thresholds' and isinstance(value, dict):
            for threshold, limit in value.items():
                if limit is None:
                    definition['thresholds'].pop(threshold, None)
                else:
                    definition['thresholds'][threshold] = limit
        else:
            definition[key] = value
    return definition


def _sensors(chosen, overrides, path):
    if isinstance(chosen, str):
        as_choice(chosen, path + '.sensors', sorted(SENSOR_SETS))
        definitions = SENSOR_SETS[chosen]
    elif isinstance(chosen, list):
        definitions = chosen
    else:
        raise invalid(path + '.sensors', 'expected a sensor set name or a '
                      'list of sensors, got %r' % (chosen,))
    sensors = {}
    for index, definition in enumerate(definitions):
        where = '%s.sensors[%d]' % (path, index)
        if 'name' not in as_mapping(definition, where):
            raise invalid(where + '.name', 'missing')
        sensor = parse_sensor(None, definition, where)
        if sensor.name in sensors:
            raise invalid(where + '.name', 'duplicate sensor %r'
                          % sensor.name)
        sensors[sensor.name] = sensor
    for name, override in overrides.items():
        where = '%s.sensor_overrides[%r]' % (path, name)
        if override is None:
            if name not in sensors:
                raise invalid(where, 'no sensor %r to remove' % name)
            del sensors[name]
            continue
        if name in sensors:
            override = merge_sensor(sensors[name], as_mapping(override,
                                                              where))
        sensors[name] = parse_sensor(name, override, where)
    if len(sensors) > MAX_SENSORS:
        raise invalid(path + '.sensors', 'more than %d sensors'
                      % MAX_SENSORS)
    return tuple(sensors.values())


def _bmc(entry, path, sensors):
    name = as_text(entry['name'], path + '.name', 64)
    if not set(name) <= NAME_CHARACTERS:
        raise invalid(path + '.name', '%r may only contain letters, '
                      'digits, ".", "_" and "-"' % name)
    path = '%s (%s)' % (path, name)
    if 'port' not in entry:
        raise invalid(path + '.port', 'missing')
    bmc_uuid = entry.get('uuid')
    try:
        bmc_uuid = (uuid.uuid5(GUID_NAMESPACE, name) if bmc_uuid is None
                    else uuid.UUID(str(bmc_uuid)))
    except ValueError:
        raise invalid(path + '.uuid', 'not a UUID: %r' % (bmc_uuid,))
    fru = as_mapping(entry['fru'], path + '.fru')
    check_keys(fru, FRU_KEYS, path + '.fru')
    hook, limit = entry['power_hook'], entry['sdr_read_limit']
    return BMCConfig(
        name=name, uuid=bmc_uuid,
        port=as_integer(entry['port'], path + '.port', 1, 65535),
        username=as_text(entry['username'], path + '.username',
                         MAX_USERNAME),
        password=as_text(entry['password'], path + '.password',
                         MAX_PASSWORD),
        power=as_power(entry['power'], path + '.power'),
        boot_device=as_choice(entry['boot_device'], path + '.boot_device',
                              list(ipmi_records.BOOT_DEVICES)),
        boot_persistent=as_boolean(entry['boot_persistent'],
                                   path + '.boot_persistent'),
        answering=as_boolean(entry['answering'], path + '.answering'),
        power_hook=(None if hook is None
                    else as_text(hook, path + '.power_hook', 4096)),
        sensors=sensors,
        fru=tuple((key, as_text(value, '%s.fru.%s' % (path, key),
                                ipmi_records.MAX_FRU_FIELD_LENGTH,
                                empty=True))
                  for key, value in fru.items()),
        sdr_read_limit=(None if limit is None else as_integer(
            limit, path + '.sdr_read_limit', 5, 254)))


def _expand_range(entry, path):
    for key in ('name_prefix', 'count', 'first_port'):
        if key not in entry:
            raise invalid('%s.%s' % (path, key), 'missing')
    prefix = as_text(entry['name_prefix'], path + '.name_prefix', 48)
    count = as_integer(entry['count'], path + '.count', 1, 65535)
    first_port = as_integer(entry['first_port'], path + '.first_port', 1,
                            65535)
    if first_port + count - 1 > 65535:
        raise invalid(path + '.count', '%d BMCs from port %d go past 65535'
                      % (count, first_port))
    first_index = as_integer(entry.get('first_index', 0),
                             path + '.first_index', 0, 10 ** 6)
    common = {key: value for key, value in entry.items()
              if key not in ('name_prefix', 'count', 'first_port',
                             'first_index')}
    return [dict(common, name='%s%d' % (prefix, first_index + index),
                 port=first_port + index) for index in range(count)]


def parse(document, source='configuration'):
    """The BMCs of a configuration document (the YAML file's content).

    :returns: a list of ``BMCConfig``, in file order.
    :raises: ConfigError naming the field at fault.
    """
    if not isinstance(document, dict):
        raise ConfigError('%s: expected a mapping with "bmcs", got %s'
                          % (source, type(document).__name__))
    check_keys(document, ('defaults', 'bmcs'), source)
    defaults = as_mapping(document.get('defaults') or {}, 'defaults')
    check_keys(defaults, BUILTIN_DEFAULTS, 'defaults')
    entries = document.get('bmcs')
    if not isinstance(entries, list) or not entries:
        raise ConfigError('bmcs: expected a non-empty list of BMCs')
    bmcs = []
    # Parsed once per distinct sensor choice, not once per BMC: a range of
    # 500 BMCs shares one set.
    sensor_sets = {}
    for index, entry in enumerate(entries):
        path = 'bmcs[%d]' % index
        if 'name_prefix' in as_mapping(entry, path) or 'count' in entry:
            check_keys(entry, RANGE_KEYS, path)
            expanded = _expand_range(entry, path)
        else:
            check_keys(entry, BMC_KEYS, path)
            if 'name' not in entry:
                raise invalid(path + '.name', 'missing')
            expanded = [entry]
        for item in expanded:
            merged = dict(BUILTIN_DEFAULTS, **defaults)
            merged.update(item)
            for key in ('sensor_overrides', 'fru'):
                merged[key] = dict(
                    as_mapping(defaults.get(key) or {}, 'defaults.' + key),
                    **as_mapping(item.get(key) or {}, path + '.' + key))
            choice = repr((merged['sensors'], merged['sensor_overrides']))
            if choice not in sensor_sets:
                sensor_sets[choice] = _sensors(
                    merged['sensors'], merged['sensor_overrides'], path)
            bmcs.append(_bmc(merged, path, sensor_sets[choice]))
    names, ports = set(), {}
    for bmc in bmcs:
        if bmc.name in names:
            raise ConfigError('bmcs: duplicate name %r' % bmc.name)
        if bmc.port in ports:
            raise ConfigError('bmcs: %s and %s both use port %d'
                              % (ports[bmc.port], bmc.name, bmc.port))
        names.add(bmc.name)
        ports[bmc.port] = bmc.name
    return bmcs


def load(path):
    """The BMCs of a YAML configuration file; see ``parse``."""
    try:
        with open(path, encoding='utf-8') as stream:
            document = yaml.safe_load(stream)
    except OSError as error:
        raise ConfigError('cannot read %s: %s' % (path, error.strerror))
    except yaml.YAMLError as error:
        mark = getattr(error, 'problem_mark', None)
        where = ' line %d:' % (mark.line + 1) if mark else ''
        problem = getattr(error, 'problem', None) or str(error)
        raise ConfigError('%s:%s not valid YAML: %s'
                          % (path, where, problem.splitlines()[0]))
    return parse(document, source=path)


def from_options(first_port, count, name_prefix='bmc-', **defaults):
    """The BMCs of a quick start: ``count`` BMCs from ``first_port``."""
    return parse({'defaults': {key: value for key, value in defaults.items()
                               if value is not None},
                  'bmcs': [{'name_prefix': name_prefix, 'count': count,
                            'first_port': first_port}]},
                 source='options')
