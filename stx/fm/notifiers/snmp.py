"""SNMPNotifier: an SNMPv2c trap per alarm event to each trap destination.

Traps follow STX-ALARM-MIB (stx/fm/data/STX-ALARM-MIB.txt), under the
enterprise arc 1.3.6.1.4.1.55491 -- a placeholder of stx-flock's, not
registered with IANA. The notification OID says the severity (or that the
alarm cleared, or that the event is a customer log); the varbinds carry the
alarm's uuid, id, entity instance id, date and time, severity, reason
text, event type, probable cause, proposed repair action, service
affecting and suppression allowed.

The trap is built with pysnmp's protocol API and sent from a plain UDP
socket in the calling thread: a trap is one unacknowledged datagram, so
pysnmp's asyncio engine would add an event loop and nothing else.
Destinations and community ([fm_snmp]) are read at each delivery.
"""

import datetime
import socket
import time

from oslo_log import log as logging
from pyasn1.codec.ber import encoder
from pysnmp.proto.api import v2c

from stx.common import exception
from stx.conf import CONF
from stx.fm.notifiers import base
from stx.fm.notifiers import log as log_notifier

LOG = logging.getLogger(__name__)

ENTERPRISE = (1, 3, 6, 1, 4, 1, 55491)
ALARM_MIB = ENTERPRISE + (1,)
NOTIFICATIONS = ALARM_MIB + (0,)
OBJECTS = ALARM_MIB + (1,)

#: Notification OIDs by severity, plus 'clear' and 'log'.
NOTIFICATION_OIDS = {
    'critical': NOTIFICATIONS + (1,),
    'major': NOTIFICATIONS + (2,),
    'minor': NOTIFICATIONS + (3,),
    'warning': NOTIFICATIONS + (4,),
    'clear': NOTIFICATIONS + (5,),
    'log': NOTIFICATIONS + (6,),
}

#: Object OIDs (the varbinds are their .0 instances), in varbind order.
OBJECT_OIDS = {
    'uuid': OBJECTS + (1,),
    'alarm_id': OBJECTS + (2,),
    'entity_instance_id': OBJECTS + (3,),
    'timestamp': OBJECTS + (4,),
    'severity': OBJECTS + (5,),
    'reason_text': OBJECTS + (6,),
    'alarm_type': OBJECTS + (7,),
    'probable_cause': OBJECTS + (8,),
    'proposed_repair_action': OBJECTS + (9,),
    'service_affecting': OBJECTS + (10,),
    'suppression': OBJECTS + (11,),
}

#: StxAlarmSeverity of the MIB.
SEVERITY_VALUES = {'clear': 0, 'warning': 1, 'minor': 2, 'major': 3,
                   'critical': 4, 'not-applicable': 5}
TRUE, FALSE = 1, 2   # SNMPv2-TC TruthValue

SYS_UP_TIME = (1, 3, 6, 1, 2, 1, 1, 3, 0)
SNMP_TRAP_OID = (1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0)
MAX_TEXT = 255

_STARTED = time.monotonic()


def parse_destination(text):
    """(host, port) of 'host:port' or '[v6-address]:port'.

    :raises: InvalidParameterValue naming fm_snmp.trap_destinations.
    """
    host, sep, port = text.strip().rpartition(':')
    host = host.strip('[]')
    if not sep or not host or not port.isdigit() or \
            not 0 < int(port) < 65536:
        raise exception.InvalidParameterValue(
            field='fm_snmp.trap_destinations',
            reason='%r is not host:port' % text)
    return host, int(port)


def date_and_time(timestamp):
    """SNMPv2-TC DateAndTime (11 octets, UTC) of an ISO 8601 timestamp."""
    try:
        when = datetime.datetime.fromisoformat(
            str(timestamp).replace('Z', '+00:00'))
    except ValueError:
        when = datetime.datetime.now(datetime.timezone.utc)
    if when.tzinfo is not None:
        when = when.astimezone(datetime.timezone.utc)
    return bytes([when.year >> 8, when.year & 0xff, when.month, when.day,
                  when.hour, when.minute, when.second,
                  when.microsecond // 100000]) + b'+\x00\x00'


def _text(value):
    return v2c.OctetString(('' if value is None else str(value))[:MAX_TEXT]
                           .encode('utf-8')[:MAX_TEXT])


def _truth(value):
    return v2c.Integer(TRUE if value else FALSE)


def build_trap(fields, community):
    """The BER-encoded SNMPv2c trap message of one event's fields."""
    operation = fields['operation']
    severity = fields['severity']
    if operation == log_notifier.OPERATION_SET:
        notification = NOTIFICATION_OIDS.get(severity,
                                             NOTIFICATION_OIDS['warning'])
    else:
        notification = NOTIFICATION_OIDS[operation]
    if operation == log_notifier.OPERATION_CLEAR:
        severity = 'clear'
    uptime = int((time.monotonic() - _STARTED) * 100) % (2 ** 32)
    values = {
        'uuid': _text(fields['uuid']),
        'alarm_id': _text(fields['alarm_id']),
        'entity_instance_id': _text(fields['entity_instance_id']),
        'timestamp': v2c.OctetString(date_and_time(fields['timestamp'])),
        'severity': v2c.Integer(SEVERITY_VALUES.get(severity, 5)),
        'reason_text': _text(fields['reason_text']),
        'alarm_type': _text(fields['alarm_type']),
        'probable_cause': _text(fields['probable_cause']),
        'proposed_repair_action': _text(fields['proposed_repair_action']),
        'service_affecting': _truth(fields['service_affecting']),
        'suppression': _truth(fields['suppression']),
    }
    varbinds = [(v2c.ObjectIdentifier(SYS_UP_TIME), v2c.TimeTicks(uptime)),
                (v2c.ObjectIdentifier(SNMP_TRAP_OID),
                 v2c.ObjectIdentifier(notification))]
    varbinds += [(v2c.ObjectIdentifier(oid + (0,)), values[name])
                 for name, oid in OBJECT_OIDS.items()]
    pdu = v2c.SNMPv2TrapPDU()
    v2c.apiTrapPDU.set_defaults(pdu)
    v2c.apiTrapPDU.set_varbinds(pdu, varbinds)
    message = v2c.Message()
    v2c.apiMessage.set_defaults(message)
    v2c.apiMessage.set_community(message, community)
    v2c.apiMessage.set_pdu(message, pdu)
    return encoder.encode(message)


class SNMPNotifier(base.Notifier):
    """Sends SNMPv2c traps to every [fm_snmp] trap_destinations entry."""

    def get_properties(self):
        """See :meth:`Notifier.get_properties`."""
        return {
            'trap_destinations': 'host:port of each trap receiver '
                                 '([fm_snmp] trap_destinations). Required.',
            'community': 'SNMPv2c community ([fm_snmp] community). '
                         'Optional.',
        }

    def validate(self):
        """See :meth:`Notifier.validate`."""
        destinations = CONF.fm_snmp.trap_destinations
        if not destinations:
            raise exception.MissingParameterValue(
                field='fm_snmp.trap_destinations',
                reason='the snmp notifier needs a trap receiver')
        return [parse_destination(text) for text in destinations]

    def notify(self, event):
        """See :meth:`Notifier.notify`.

        :raises: ServiceUnavailable if a trap could not be sent to some
            destination (the others still get theirs).
        """
        fields = log_notifier.alarm_fields(event)
        destinations = self.validate()
        trap = build_trap(fields, CONF.fm_snmp.community)
        failures = []
        for host, port in destinations:
            try:
                self._send(trap, host, port)
            except OSError as error:
                failures.append('%s:%d: %s' % (host, port, error))
        if failures:
            raise exception.ServiceUnavailable(
                service='SNMP trap receiver',
                reason='; '.join(failures))

    @staticmethod
    def _send(trap, host, port):
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_DGRAM)[0]
        with socket.socket(family, kind, proto) as sock:
            sock.sendto(trap, address)
