"""Byte encodings of the simulated BMC: SDR records, FRU images, readings.

Pure functions, no sockets and no state, so that every layout can be checked
byte by byte in unit tests. The layouts follow the IPMI 2.0 specification
(section 43, SDR record formats; section 35, sensor commands) and the
Platform Management FRU Information Storage Definition v1.0; offsets in the
comments count from 0 within a record ("spec byte N" is offset N-1).

What a reader of pyghmi 1.6.19 needs to know is summarised in
doc/source/bmc-sim.rst; the points that shaped the encodings:

* SDR ID strings are 8-bit Latin-1 (type 11b) and at most 16 bytes; pyghmi
  loops forever on 6-bit packed ID strings.
* Sensors are linear (linearization 0) with unsigned raw readings: pyghmi
  cannot decode non-linear sensors. Negative ranges use the B offset.
* pyghmi decodes threshold states only from the status bits of Get Sensor
  Reading, never from the thresholds in the record, so the bits must be
  computed from the same raw values the record holds.
"""

import dataclasses
import datetime
import math
import struct
import zlib

SDR_VERSION = 0x51
RECORD_FULL_SENSOR = 0x01
RECORD_FRU_LOCATOR = 0x11
BMC_SLAVE_ADDRESS = 0x20

# IPMI sensor type codes (table 42-3) and base unit codes (table 43-15) of
# the kinds of sensor the simulator offers. 'power' is "Other Units-based
# Sensor" in watts, which pyghmi shows as type 'Power'.
SENSOR_TYPES = {
    'temperature': 0x01,
    'voltage': 0x02,
    'current': 0x03,
    'fan': 0x04,
    'power': 0x0B,
}
UNITS = {
    'temperature': 1,   # degrees C
    'voltage': 4,       # volts
    'current': 5,       # amps
    'fan': 18,          # RPM
    'power': 6,         # watts
}
UNIT_NAMES = {1: 'C', 4: 'V', 5: 'A', 18: 'RPM', 6: 'W'}

# Entity IDs (table 43-13).
ENTITIES = {
    'processor': 0x03,
    'system_board': 0x07,
    'power_supply': 0x0A,
    'fan': 0x1D,
    'air_inlet': 0x37,
}
DEFAULT_ENTITY = {
    'temperature': 'system_board',
    'voltage': 'system_board',
    'current': 'power_supply',
    'fan': 'fan',
    'power': 'power_supply',
}

# Thresholds in the bit order of Get Sensor Reading's status byte and of
# the readable-threshold masks: bit 0 LNC ... bit 5 UNR.
THRESHOLDS = ('lower_non_critical', 'lower_critical',
              'lower_non_recoverable', 'upper_non_critical',
              'upper_critical', 'upper_non_recoverable')
LOWER_THRESHOLDS = THRESHOLDS[:3]

# Status names, from healthy to worst, and the status bits behind each.
STATUS_OK = 'ok'
STATUS_NON_CRITICAL = 'non-critical'
STATUS_CRITICAL = 'critical'
STATUS_NON_RECOVERABLE = 'non-recoverable'
STATUS_UNAVAILABLE = 'unavailable'
_STATUS_BITS = ((STATUS_NON_RECOVERABLE, 0b100100),
                (STATUS_CRITICAL, 0b010010),
                (STATUS_NON_CRITICAL, 0b001001))

# Boot device selectors of the boot flags parameter (IPMI table 28-14, data
# 2 bits 5:2), under the names pyghmi's client uses.
BOOT_DEVICES = {'default': 0x0, 'network': 0x1, 'hd': 0x2, 'safe': 0x3,
                'optical': 0x5, 'setup': 0x6, 'floppy': 0xF}

MAX_ID_LENGTH = 16        # SDR ID strings
MAX_FRU_FIELD_LENGTH = 63  # 6-bit length of a FRU type/length byte

# The FRU epoch: board manufacturing dates count minutes from it.
FRU_EPOCH = datetime.datetime(1996, 1, 1, tzinfo=datetime.timezone.utc)

# Steps a sensor's raw count may stand for: 1, 2 or 5 times a power of
# ten, so that decimal readings and thresholds land on the raw grid.
_STEP_MANTISSAS = (1, 2, 5)


@dataclasses.dataclass(frozen=True)
class LinearFactors:
    """y = (M * raw + B * 10^b_exp) * 10^r_exp, for raw in 0..255."""

    m: int
    b: int
    b_exp: int
    r_exp: int

    def to_value(self, raw):
        """The reading a raw count stands for."""
        return ((self.m * raw + self.b * 10 ** self.b_exp)
                * 10 ** self.r_exp)

    def to_raw(self, value):
        """The nearest raw count of ``value``, clamped to 0..255.

        A value outside the sensor's range saturates, as a real sensor's
        A/D converter does.
        """
        raw = round((value / 10 ** self.r_exp - self.b * 10 ** self.b_exp)
                    / self.m)
        return max(0, min(255, raw))

    @property
    def step(self):
        return self.m * 10 ** self.r_exp


def _twos_complement(value, bits):
    if not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
        raise ValueError('%d does not fit %d bits' % (value, bits))
    return value & ((1 << bits) - 1)


def linear_factors(minimum, maximum):
    """The factors of an unsigned 8-bit sensor covering minimum..maximum.

    The step (the value of one raw count) is the smallest 1, 2 or 5 times a
    power of ten that covers the range in 255 counts; the offset B puts raw
    0 at or below ``minimum`` when the range goes below 0.

    :raises: ValueError if the range cannot be expressed (empty, or too
        wide for the 4-bit exponents).
    """
    if not maximum > minimum:
        raise ValueError('empty range %r..%r' % (minimum, maximum))
    needed = (maximum - minimum) / 255.0
    r_exp = math.floor(math.log10(needed)) - 1
    while r_exp <= 7:
        for m in _STEP_MANTISSAS:
            step = m * 10.0 ** r_exp
            # A relative epsilon: 16.5 / 255 must not need the next step
            # because of binary floating point.
            if r_exp < -8 or step < needed * (1 - 1e-9):
                continue
            factors = _with_offset(m, r_exp, minimum, maximum)
            if factors:
                return factors
        r_exp += 1
    raise ValueError('range %r..%r is too wide' % (minimum, maximum))


def _with_offset(m, r_exp, minimum, maximum):
    if minimum >= 0:
        return LinearFactors(m=m, b=0, b_exp=0, r_exp=r_exp)
    step = m * 10.0 ** r_exp
    offset_counts = math.floor(minimum / step + 1e-9)
    total = offset_counts * m  # B * 10^b_exp, in units of 10^r_exp
    for b_exp in range(0, 8):
        b = math.floor(total / 10 ** b_exp)
        if b >= -512:
            factors = LinearFactors(m=m, b=b, b_exp=b_exp, r_exp=r_exp)
            if factors.to_value(255) >= maximum - step / 2:
                return factors
            return None
    return None


def threshold_status(raw, thresholds_raw):
    """The threshold status bits of Get Sensor Reading (data byte 2).

    Lower thresholds assert at or below, upper ones at or above (IPMI 35.14);
    a reading below the lower critical threshold is below the non-critical
    one too, so both bits are set.

    :param raw: the raw reading.
    :param thresholds_raw: threshold name (``THRESHOLDS``) to raw value, for
        the thresholds the sensor has.
    """
    bits = 0
    for bit, name in enumerate(THRESHOLDS):
        if name not in thresholds_raw:
            continue
        limit = thresholds_raw[name]
        crossed = raw <= limit if name in LOWER_THRESHOLDS else raw >= limit
        if crossed:
            bits |= 1 << bit
    return bits


def status_name(bits):
    """The worst status among threshold status bits, e.g. 'critical'."""
    for name, mask in _STATUS_BITS:
        if bits & mask:
            return name
    return STATUS_OK


def readable_mask(threshold_names):
    """Bit mask (bit 0 LNC ... bit 5 UNR) of the given thresholds."""
    return sum(1 << THRESHOLDS.index(name) for name in threshold_names)


def _id_string(name, field='name'):
    data = name.encode('latin-1')
    if not 0 < len(data) <= MAX_ID_LENGTH:
        raise ValueError('%s %r must be 1 to %d characters'
                         % (field, name, MAX_ID_LENGTH))
    # 11b: 8-bit ASCII + Latin-1; never 10b (6-bit packed), see above.
    return bytes([0xC0 | len(data)]) + data


def _header(record_id, record_type, body):
    return struct.pack('<HBBB', record_id, SDR_VERSION, record_type,
                       len(body)) + body


def full_sensor_record(record_id, number, name, sensor_type, factors,
                       thresholds_raw, entity=ENTITIES['system_board'],
                       entity_instance=1, nominal_raw=None):
    """A Full Sensor Record (type 01h) of a linear threshold sensor.

    :param record_id: the SDR record ID (1..0xFFFE).
    :param number: the sensor number (0..254).
    :param name: the ID string, at most 16 Latin-1 characters.
    :param sensor_type: a key of ``SENSOR_TYPES``.
    :param factors: the sensor's ``LinearFactors``.
    :param thresholds_raw: threshold name to raw value; only these are
        marked readable.
    :param nominal_raw: the raw nominal reading, if any.
    :returns: the record as bytes (48 + len(name) bytes).
    """
    mask = readable_mask(thresholds_raw)
    lower_mask = mask & 0b000111
    upper_mask = (mask >> 3) & 0b000111
    raw = [thresholds_raw.get(name_, 0) for name_ in THRESHOLDS]
    characteristics = 0
    normal_max = normal_min = 0
    if nominal_raw is not None:
        characteristics |= 0b001
    if 'upper_non_critical' in thresholds_raw:
        characteristics |= 0b010
        normal_max = thresholds_raw['upper_non_critical']
    if 'lower_non_critical' in thresholds_raw:
        characteristics |= 0b100
        normal_min = thresholds_raw['lower_non_critical']
    m = _twos_complement(factors.m, 10)
    b = _twos_complement(factors.b, 10)
    body = bytes([
        BMC_SLAVE_ADDRESS,      # 5: owner ID
        0x00,                   # 6: owner LUN 0, channel 0
        number,                 # 7: sensor number
        entity,                 # 8: entity ID
        entity_instance,        # 9: entity instance (physical)
        0x7F,                   # 10: initialization: scanning, events on
        # 11: auto re-arm, no hysteresis, thresholds readable (01b), no
        # event messages (11b): the simulator sends no events.
        0x47,
        SENSOR_TYPES[sensor_type],  # 12
        0x01,                   # 13: event/reading type: threshold
        # 14-15 assertion mask, bits 14:12 = lower thresholds comparable.
        0x00, lower_mask << 4,
        # 16-17 deassertion mask, bits 14:12 = upper thresholds comparable.
        0x00, upper_mask << 4,
        mask,                   # 18: readable thresholds
        0x00,                   # 19: settable thresholds: none
        0x00,                   # 20: units 1: unsigned, no rate, no %
        UNITS[sensor_type],     # 21: base unit
        0x00,                   # 22: modifier unit
        0x00,                   # 23: linearization: linear
        m & 0xFF,               # 24: M, low 8 bits
        (m >> 8) << 6,          # 25: M high bits, tolerance 0
        b & 0xFF,               # 26: B, low 8 bits
        (b >> 8) << 6,          # 27: B high bits, accuracy 0
        0x00,                   # 28: accuracy, direction unspecified
        (_twos_complement(factors.r_exp, 4) << 4
         | _twos_complement(factors.b_exp, 4)),  # 29: R and B exponents
        characteristics,        # 30: analog characteristic flags
        nominal_raw or 0,       # 31: nominal reading
        normal_max,             # 32: normal maximum
        normal_min,             # 33: normal minimum
        0xFF,                   # 34: sensor maximum reading
        0x00,                   # 35: sensor minimum reading
        # 36-41: UNR, UC, UNC, LNR, LC, LNC
        raw[5], raw[4], raw[3], raw[2], raw[1], raw[0],
        0x00, 0x00,             # 42-43: hysteresis
        0x00, 0x00,             # 44-45: reserved
        0x00,                   # 46: OEM
    ]) + _id_string(name)
    return _header(record_id, RECORD_FULL_SENSOR, body)


def fru_locator_record(record_id, fru_id, name,
                       entity=ENTITIES['system_board'], entity_instance=1):
    """A FRU Device Locator record (type 11h) of a logical FRU on the BMC.

    Device type 10h ("FRU inventory device behind management controller")
    with modifier 00h: pyghmi parses its data as IPMI FRU format.
    """
    body = bytes([
        BMC_SLAVE_ADDRESS,  # 5: device access address
        fru_id,             # 6: FRU device ID
        0x80,               # 7: logical FRU device, LUN 0, bus 0
        0x00,               # 8: channel 0
        0x00,               # 9: reserved
        0x10,               # 10: device type
        0x00,               # 11: device type modifier
        entity,             # 12: FRU entity ID
        entity_instance,    # 13: FRU entity instance
        0x00,               # 14: OEM
    ]) + _id_string(name, field='FRU name')
    return _header(record_id, RECORD_FRU_LOCATOR, body)


def sdr_timestamp(records):
    """A stable "most recent addition" timestamp of a set of SDR records.

    pyghmi caches a parsed SDR per process under (firmware, manufacturer,
    product, device ID, repository timestamps), and every simulated BMC has
    the same device identity; so the timestamp must differ whenever the
    records differ, or a client would decode one BMC's readings with
    another's records. It is derived from the records' bytes: BMCs with
    the same sensors share it (and a client's cache entry), a changed set
    gets another one. The value is a plausible date (2000 to 2008).
    """
    digest = 0
    for record in records:
        digest = zlib.crc32(record, digest)
    return 946684800 + digest % (1 << 28)


def _type_length(text, field):
    if text is None:
        text = ''
    data = text.encode('latin-1')
    if len(data) > MAX_FRU_FIELD_LENGTH:
        raise ValueError('%s %r is longer than %d characters'
                         % (field, text, MAX_FRU_FIELD_LENGTH))
    return bytes([0xC0 | len(data)]) + data


def _area(header, fields):
    """A FRU area: header, type/length fields, end marker, pad, checksum."""
    data = bytearray(header)
    for field, text in fields:
        data += _type_length(text, field)
    data.append(0xC1)  # end of fields
    # Area length in 8-byte units, counting the checksum byte.
    length = (len(data) + 1 + 7) // 8 * 8
    data += bytes(length - len(data) - 1)
    data[1] = length // 8
    data.append(_zero_checksum(data))
    return bytes(data)


def _zero_checksum(data):
    return -sum(data) & 0xFF


def fru_image(chassis=None, board=None, product=None):
    """An IPMI FRU image with the given areas, each a dict or None.

    :param chassis: ``part_number``, ``serial_number``; chassis type is
        always 17h, rack mount.
    :param board: ``manufactured`` (an aware datetime), ``manufacturer``,
        ``product_name``, ``serial_number``, ``part_number``.
    :param product: ``manufacturer``, ``product_name``, ``model``,
        ``version``, ``serial_number``, ``asset_tag``.
    :raises: ValueError if a field is longer than 63 Latin-1 characters.
    """
    areas = []
    if chassis is not None:
        areas.append(_area([0x01, 0, 0x17], [
            ('chassis part_number', chassis.get('part_number')),
            ('chassis serial_number', chassis.get('serial_number'))]))
    else:
        areas.append(None)
    if board is not None:
        manufactured = board.get('manufactured') or FRU_EPOCH
        minutes = int((manufactured - FRU_EPOCH).total_seconds() // 60)
        areas.append(_area(
            [0x01, 0, 0x00] + list(struct.pack('<I', minutes)[:3]), [
                ('board manufacturer', board.get('manufacturer')),
                ('board product_name', board.get('product_name')),
                ('board serial_number', board.get('serial_number')),
                ('board part_number', board.get('part_number')),
                ('board fru_file_id', None)]))
    else:
        areas.append(None)
    if product is not None:
        areas.append(_area([0x01, 0, 0x00], [
            ('manufacturer', product.get('manufacturer')),
            ('product_name', product.get('product_name')),
            ('model', product.get('model')),
            ('version', product.get('version')),
            ('serial_number', product.get('serial_number')),
            ('asset_tag', product.get('asset_tag')),
            ('fru_file_id', None)]))
    else:
        areas.append(None)
    header = bytearray([0x01, 0])
    offset = 8
    body = bytearray()
    for area in areas:
        if area is None:
            header.append(0)
            continue
        header.append(offset // 8)
        body += area
        offset += len(area)
    header += bytes([0, 0])  # no multi-record area, pad
    header.append(_zero_checksum(header))
    return bytes(header + body)
