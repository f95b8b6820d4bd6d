"""A simulated BMC: pyghmi's IPMI 2.0 server, with sensors, SDR and FRU.

``SimulatedBMC`` is a ``pyghmi.ipmi.bmc.Bmc``: pyghmi does the RMCP+ login,
integrity and encryption (``ServerSession``, mended in
stx.sim.ipmi_session); this module answers the commands: power and chassis,
boot device, device ID and GUID, the SDR repository, sensors and FRU. It
owns one UDP socket and answers what arrives on it when ``receive()`` is
called; ``stx.sim.control.Rack`` calls it for every BMC of a configuration
from one thread.

Behaviour worth knowing (see also doc/source/bmc-sim.rst):

* Login: a non-SHA1 Open Session Request gets status 0x11 ("no cipher
  suite match") so pyghmi's client falls back from suite 17 to suite 3,
  the only one pyghmi's server speaks. An unknown user gets RAKP2 status
  0x0D ("unauthorized name") at once rather than silence.
* Power: reset and cycle of a host that is off answer 0xD5 ("not supported
  in present state"), as many BMCs do. A one-time (not persistent) boot
  device is used up by the next boot (power on, reset, cycle). Every
  change of the power state runs the BMC's power hook, if it has one.
* A host that is off: sensors on main power (CPU, fans, voltages) report
  "reading unavailable" (pyghmi: value None, health Ok), never a 0 RPM that
  would alarm; standby sensors (inlet temperature, PSU input) keep reading,
  PSU input at its ``off_reading``.
* A BMC that is not answering drops every datagram, login included.
* Idle sessions expire after 60 s, as on real BMCs; pyghmi's client sends
  a keepalive every 25 to 30 s, and logs in again after a timeout.
"""

import collections
import logging
import socket
import struct

from pyghmi.ipmi import bmc as pyghmi_bmc
from pyghmi.ipmi.private import session as pyghmi_session

from stx.sim import ipmi_records
from stx.sim import ipmi_session

LOG = logging.getLogger(__name__)

# Completion codes (IPMI table 5-2).
CC_PARAMETER_NOT_SUPPORTED = 0x80
CC_RESERVATION_CANCELLED = 0xC5
CC_REQUEST_LENGTH = 0xC7
CC_OUT_OF_RANGE = 0xC9
CC_CANNOT_RETURN = 0xCA
CC_NOT_PRESENT = 0xCB
CC_INVALID_FIELD = 0xCC
CC_NOT_IN_PRESENT_STATE = 0xD5
CC_UNSPECIFIED = 0xFF

# Device identity. 32473 is IANA's example enterprise number (RFC 5612):
# it selects pyghmi's generic OEM handler (Lenovo's IDs would make the
# client send OEM commands).
MANUFACTURER_ID = 32473
PRODUCT_ID = 0x0001
DEVICE_ID = 0x20
# Additional device support: chassis, FRU inventory, SDR repository and
# sensor device; no SEL, which the simulator does not keep.
DEVICE_SUPPORT = 0x8B

SESSION_IDLE_TIMEOUT = 60   # seconds without a datagram
RECEIVE_SIZE = 3000         # larger than any IPMI LAN datagram

# The power hook's STX_BMC_POWER per power action.
HOOK_ACTIONS = {'on': 'on', 'off': 'off', 'soft-off': 'off',
                'reset': 'reset', 'cycle': 'cycle'}
BOOT_DEVICE_NAMES = {v: k for k, v in ipmi_records.BOOT_DEVICES.items()}


class StartupError(Exception):
    """The BMCs cannot be served (a port in use, too few descriptors)."""


class Sensor:
    """A sensor's definition, scale and injected state."""

    def __init__(self, sensor_config, number):
        self.config = sensor_config
        self.number = number
        self.factors = ipmi_records.linear_factors(*sensor_config.scale())
        self.thresholds_raw = {name: self.factors.to_raw(value)
                               for name, value in sensor_config.thresholds}
        self.injected = None    # a reading set through the control endpoint
        self.available = True   # False: a broken sensor, never readable

    @property
    def units(self):
        return ipmi_records.UNIT_NAMES[ipmi_records.UNITS[self.config.type]]

    def value(self, powered):
        """The reading, or None when unavailable."""
        if not self.available or not (powered or self.config.standby):
            return None
        if self.injected is not None:
            return self.injected
        if not powered and self.config.off_reading is not None:
            return self.config.off_reading
        return self.config.reading

    def reading_data(self, powered):
        """The data of Get Sensor Reading."""
        value = self.value(powered)
        if value is None:
            # Scanning disabled, reading unavailable.
            return [0x00, 0x20, 0xC0]
        raw = self.factors.to_raw(value)
        return [raw, 0xC0, 0xC0 | ipmi_records.threshold_status(
            raw, self.thresholds_raw)]

    def decoded(self, powered):
        """(reading, status) as an IPMI client decodes them.

        The reading is quantised to the sensor's step; None with status
        'unavailable' when there is no reading.
        """
        value = self.value(powered)
        if value is None:
            return None, ipmi_records.STATUS_UNAVAILABLE
        raw = self.factors.to_raw(value)
        return (round(self.factors.to_value(raw), 6),
                ipmi_records.status_name(ipmi_records.threshold_status(
                    raw, self.thresholds_raw)))

    def record(self, record_id):
        return ipmi_records.full_sensor_record(
            record_id, self.number, self.config.name, self.config.type,
            self.factors, self.thresholds_raw,
            entity=ipmi_records.ENTITIES[self.config.entity],
            entity_instance=self.config.entity_instance,
            nominal_raw=self.factors.to_raw(self.config.reading))


class SimulatedBMC(pyghmi_bmc.Bmc):
    """One simulated BMC; every method runs under its rack's lock."""

    def __init__(self, bmc_config, hooks=None):
        # Not IpmiServer.__init__: it binds through Session._assignsocket,
        # which starts pyghmi's select() I/O thread (see stx.sim.control
        # for why not). These are the attributes pyghmi's server code reads.
        self.config = bmc_config
        self.name = bmc_config.name
        self.port = bmc_config.port
        self.uuid = bmc_config.uuid
        self.authdata = {bmc_config.username: bmc_config.password}
        self.kg = None
        self.pktqueue = collections.deque()
        self.authcap = struct.pack('9B', 0, 1, 0x80, 0x04, 0x02, 0, 0, 0, 0)
        self.serversocket = None
        self.sessions = {}  # client address -> SimServerSession
        self.hooks = hooks
        self.powered = bmc_config.power
        self.answering = bmc_config.answering
        self.boot_device = bmc_config.boot_device
        self.boot_persistent = bmc_config.boot_persistent
        self.sensors = {}
        for number, sensor_config in enumerate(bmc_config.sensors, 1):
            self.sensors[sensor_config.name] = Sensor(sensor_config, number)
        self.fru = self._fru_images()
        self.reservation = 0
        self.rebuild_sdr()

    # Sockets and sessions.

    def bind(self, address):
        try:
            family, kind, _, _, sockaddr = socket.getaddrinfo(
                address, self.port, 0, socket.SOCK_DGRAM)[0]
            sock = socket.socket(family, kind)
        except OSError as error:
            raise StartupError('cannot serve %s on %s: %s'
                               % (self.name, address, error))
        try:
            sock.bind(sockaddr)
        except OSError as error:
            sock.close()
            raise StartupError('cannot bind %s to %s port %d: %s'
                               % (self.name, address, self.port,
                                  error.strerror))
        self.serversocket = sock

    def close(self):
        for session in list(self.sessions.values()):
            self.forget_session(session)
        if self.serversocket is not None:
            self.serversocket.close()
            self.serversocket = None

    def receive(self):
        """Answer every datagram waiting on the socket."""
        while True:
            try:
                # MSG_DONTWAIT: pyghmi's _io_sendto makes sockets blocking.
                data, address = self.serversocket.recvfrom(
                    RECEIVE_SIZE, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:
                LOG.debug('%(bmc)s: receive failed: %(error)s',
                          {'bmc': self.name, 'error': error})
                return
            if not self.answering:
                continue
            try:
                session = self.sessions.get(address)
                if session is not None and ipmi_session.of_a_session(data):
                    session.handle(data)
                else:
                    self.sessionless_data(data, address)
            except Exception:
                # A malformed datagram must not end the loop of every BMC.
                LOG.exception('%(bmc)s: datagram from %(client)s failed',
                              {'bmc': self.name, 'client': address})

    def sessionless_data(self, data, sockaddr):
        data = bytearray(data)
        if (len(data) >= 22 and data[0] == 6 and data[2:4] == b'\xff\x07'
                and data[4] == 6 and data[5] & 0x3F == 0x10):
            ipmi_session.SimServerSession(
                self.authdata, self.kg, sockaddr, self.serversocket,
                data[16:], self.uuid, bmc=self)
            return
        super().sessionless_data(data, sockaddr)

    def forget_session(self, session):
        handlers = pyghmi_session.Session.bmc_handlers
        by_port = handlers.get(session.sockaddr)
        if by_port and by_port.get(self.port) is session:
            del by_port[self.port]
            if not by_port:
                del handlers[session.sockaddr]
        self.sessions.pop(session.sockaddr, None)

    def expire_sessions(self, now):
        for session in list(self.sessions.values()):
            if now - session.last_active > SESSION_IDLE_TIMEOUT:
                self.forget_session(session)

    # Power, boot device, identity: pyghmi's Bmc calls these.

    def get_power_state(self):
        return 'on' if self.powered else 'off'

    def power_on(self):
        return self.set_power('on', 'ipmi')

    def power_off(self):
        return self.set_power('off', 'ipmi')

    def power_shutdown(self):
        return self.set_power('soft-off', 'ipmi')

    def power_reset(self):
        return self.set_power('reset', 'ipmi')

    def power_cycle(self):
        return self.set_power('cycle', 'ipmi')

    def set_power(self, action, source):
        """Carry out a power action; returns an IPMI completion code."""
        if action in ('reset', 'cycle') and not self.powered:
            return CC_NOT_IN_PRESENT_STATE
        if action in ('on', 'reset', 'cycle'):
            if action == 'on' and self.powered:
                return 0
            self.powered = True
            if not self.boot_persistent:
                # The firmware used the one-time boot device.
                self.boot_device = 'default'
        else:
            if not self.powered:
                return 0
            self.powered = False
        LOG.info('%(bmc)s: power %(action)s (%(source)s)',
                 {'bmc': self.name, 'action': action, 'source': source})
        if self.config.power_hook and self.hooks is not None:
            self.hooks.submit(self.name, self.config.power_hook, {
                'STX_BMC_NAME': self.name, 'STX_BMC_PORT': str(self.port),
                'STX_BMC_POWER': HOOK_ACTIONS[action]})
        return 0

    def get_system_guid(self):
        return self.uuid

    def send_device_id(self, session):
        # pyghmi's packs manufacturer and product IDs in 4 bytes each; the
        # spec has 3 and 2 (ipmi-sensors.md section 2.1).
        session.send_ipmi_response(data=[
            DEVICE_ID, 0x01, 0x02, 0x10, 0x02, DEVICE_SUPPORT]
            + list(struct.pack('<I', MANUFACTURER_ID)[:3])
            + list(struct.pack('<H', PRODUCT_ID)) + [0, 0, 0, 0])

    def get_system_boot_options(self, request, session):
        if request['data'][:1] != b'\x05':
            return session.send_ipmi_response(
                code=CC_PARAMETER_NOT_SUPPORTED)
        flags = 0
        if self.boot_device != 'default':
            flags = 0x80 | (0x40 if self.boot_persistent else 0)
        selector = ipmi_records.BOOT_DEVICES[self.boot_device]
        session.send_ipmi_response(data=[1, 5, flags, selector << 2,
                                         0, 0, 0])

    def set_system_boot_options(self, request, session):
        data = request['data']
        if data[:1] in (b'\x00', b'\x03', b'\x04'):
            # Set-in-progress, service partition, boot info acknowledge:
            # accepted and ignored, as pyghmi's own server does.
            return session.send_ipmi_response()
        if data[:1] != b'\x05':
            return session.send_ipmi_response(
                code=CC_PARAMETER_NOT_SUPPORTED)
        if len(data) < 3:
            return session.send_ipmi_response(code=CC_REQUEST_LENGTH)
        device = BOOT_DEVICE_NAMES.get((data[2] >> 2) & 0x0F)
        if device is None:
            return session.send_ipmi_response(code=CC_INVALID_FIELD)
        if not data[1] & 0x80:
            device = 'default'
        self.boot_device = device
        self.boot_persistent = bool(data[1] & 0x40)
        LOG.info('%(bmc)s: boot device %(device)s%(persistent)s',
                 {'bmc': self.name, 'device': device,
                  'persistent': ' (persistent)' if self.boot_persistent
                  else ''})
        session.send_ipmi_response()

    # Sensors, SDR and FRU.

    def handle_raw_request(self, request, session):
        handler = self._HANDLERS.get((request['netfn'], request['command']))
        if handler is None:
            return super().handle_raw_request(request, session)
        data = request['data']
        if len(data) < handler[1]:
            return session.send_ipmi_response(code=CC_REQUEST_LENGTH)
        try:
            code, response = handler[0](self, data)
        except Exception:
            LOG.exception('%(bmc)s: command %(netfn)#x/%(command)#x failed',
                          {'bmc': self.name, 'netfn': request['netfn'],
                           'command': request['command']})
            code, response = CC_UNSPECIFIED, []
        session.send_ipmi_response(data=response, code=code)

    def _get_sdr_info(self, data):
        count = len(self.sdr)
        return 0, ([ipmi_records.SDR_VERSION, count & 0xFF, count >> 8,
                    0xFF, 0xFF]
                   + list(struct.pack('<II', self.sdr_timestamp, 0))
                   # Non-modal updates, Reserve SDR Repository supported.
                   + [0x22])

    def _reserve_sdr(self, data):
        self.reservation = self.reservation % 0xFFFF + 1
        return 0, list(struct.pack('<H', self.reservation))

    def _get_sdr(self, data):
        reservation, record_id, offset, count = struct.unpack(
            '<HHBB', bytes(data[:6]))
        index = record_id - 1 if record_id else 0
        if not 0 <= index < len(self.sdr):
            return CC_NOT_PRESENT, []
        if offset and reservation != self.reservation:
            return CC_RESERVATION_CANCELLED, []
        record = self.sdr[index]
        if offset > len(record):
            return CC_OUT_OF_RANGE, []
        limit = self.config.sdr_read_limit
        if limit and count > limit:
            return CC_CANNOT_RETURN, []
        # Never past the record's end: pyghmi would read extra bytes as
        # part of the sensor's name.
        end = len(record) if count == 0xFF else offset + count
        next_id = index + 2 if index + 1 < len(self.sdr) else 0xFFFF
        return 0, list(struct.pack('<H', next_id)) + list(record[offset:end])

    def _sensor(self, number):
        for sensor in self.sensors.values():
            if sensor.number == number:
                return sensor
        return None

    def _get_sensor_reading(self, data):
        sensor = self._sensor(data[0])
        if sensor is None:
            return CC_NOT_PRESENT, []
        return 0, sensor.reading_data(self.powered)

    def _get_sensor_thresholds(self, data):
        sensor = self._sensor(data[0])
        if sensor is None:
            return CC_NOT_PRESENT, []
        raw = sensor.thresholds_raw
        return 0, ([ipmi_records.readable_mask(raw)]
                   + [raw.get(name, 0) for name in ipmi_records.THRESHOLDS])

    def _get_fru_info(self, data):
        image = self.fru.get(data[0])
        if image is None:
            return CC_NOT_PRESENT, []
        return 0, list(struct.pack('<H', len(image))) + [0x00]

    def _read_fru(self, data):
        image = self.fru.get(data[0])
        if image is None:
            return CC_NOT_PRESENT, []
        offset, count = data[1] | data[2] << 8, data[3]
        if offset > len(image):
            return CC_OUT_OF_RANGE, []
        chunk = image[offset:offset + count]
        return 0, [len(chunk)] + list(chunk)

    _HANDLERS = {
        # (netfn, command): (method, minimum request length)
        (0x0A, 0x20): (_get_sdr_info, 0),
        (0x0A, 0x22): (_reserve_sdr, 0),
        (0x0A, 0x23): (_get_sdr, 6),
        (0x04, 0x2D): (_get_sensor_reading, 1),
        (0x04, 0x27): (_get_sensor_thresholds, 1),
        (0x0A, 0x10): (_get_fru_info, 1),
        (0x0A, 0x11): (_read_fru, 4),
    }

    def _fru_images(self):
        fru = dict(self.config.fru)
        serial = self.uuid.hex[:10].upper()
        board = {'manufactured': ipmi_records.FRU_EPOCH.replace(year=2023),
                 'manufacturer': fru.get('board_manufacturer',
                                         'StarlingX Sim'),
                 'product_name': fru.get('board_product_name',
                                         'SIM-MB-2S'),
                 'serial_number': fru.get('board_serial_number',
                                          'B' + serial),
                 'part_number': fru.get('board_part_number', 'MB-0001')}
        product = {'manufacturer': fru.get('manufacturer', 'StarlingX Sim'),
                   'product_name': fru.get('product_name',
                                           'stx-sim-server'),
                   'model': fru.get('model', 'SIM-1U'),
                   'version': fru.get('version', '1.0'),
                   'serial_number': fru.get('serial_number', 'S' + serial),
                   'asset_tag': fru.get('asset_tag', self.name)}
        chassis = {'part_number': fru.get('chassis_part_number', 'CH-0001'),
                   'serial_number': fru.get('chassis_serial_number',
                                            'C' + serial)}
        images = {0: ipmi_records.fru_image(chassis=chassis, board=board,
                                            product=product)}
        for fru_id in (1, 2):
            images[fru_id] = ipmi_records.fru_image(product={
                'manufacturer': 'StarlingX Sim',
                'product_name': 'PWS-800W-SIM', 'model': 'PWS-800W',
                'version': '1.0',
                'serial_number': 'P%d%s' % (fru_id, serial)})
        return images

    def define_sensor(self, sensor_config):
        """Add a sensor or replace its definition; the SDR changes."""
        current = self.sensors.get(sensor_config.name)
        if current is None:
            used = {sensor.number for sensor in self.sensors.values()}
            number = min(set(range(1, 255)) - used)
        else:
            number = current.number
        sensor = Sensor(sensor_config, number)
        if current is not None:
            sensor.injected = current.injected
            sensor.available = current.available
        self.sensors[sensor_config.name] = sensor
        self.rebuild_sdr()

    def remove_sensor(self, name):
        del self.sensors[name]
        self.rebuild_sdr()

    def rebuild_sdr(self):
        """Encode the SDR; a changed set gets a new timestamp."""
        records = [sensor.record(record_id) for record_id, sensor
                   in enumerate(self.sensors.values(), 1)]
        for fru_id in (1, 2):
            records.append(ipmi_records.fru_locator_record(
                len(records) + 1, fru_id, 'PSU%d' % fru_id,
                entity=ipmi_records.ENTITIES['power_supply'],
                entity_instance=fru_id))
        self.sdr = records
        self.sdr_timestamp = ipmi_records.sdr_timestamp(records)
        # Partial reads across the change would mix two sets.
        self.reservation = self.reservation % 0xFFFF + 1
