"""The log, webhook and SNMP notifiers against real receivers on loopback."""

import http.server
import importlib.resources
import json
import os
import re
import socket
import threading

from pyasn1.codec.ber import decoder
from pysnmp.proto.api import v2c

from stx.common import exception
from stx.fm.notifiers import log as log_notifier
from stx.fm.notifiers import snmp
from stx.fm.notifiers import webhook
from tests.unit import base

ALARM = {'uuid': 'c0ffee00-0000-4000-8000-000000000001',
         'alarm_id': '200.004', 'entity_instance_id': 'host=worker-0',
         'severity': 'critical', 'reason_text': 'worker-0 failed',
         'timestamp': '2025-03-04T05:06:07.800000',
         'alarm_type': 'operational-violation',
         'probable_cause': 'application-subsystem-failure',
         'proposed_repair_action': 'Lock and unlock worker-0.',
         'service_affecting': True, 'suppression': False}


def event(operation='set', **fields):
    return {'operation': operation, 'alarm': dict(ALARM, **fields)}


class LogNotifierTest(base.TestCase):

    def lines(self, path):
        with open(path) as log_file:
            return log_file.read().splitlines()

    def test_writes_one_line_per_event_to_its_file(self):
        path = os.path.join(self.state_dir, 'fm-event.log')
        notifier = log_notifier.LogNotifier()
        notifier.notify(event())
        notifier.notify(event('clear'))
        lines = self.lines(path)
        self.assertEqual(2, len(lines))
        self.assertRegex(lines[0], r'^\d{4}-\d\d-\d\dT[0-9:.]+\+00:00 fm '
                         'set 200.004 host=worker-0 severity=critical')
        self.assertIn('worker-0 failed', lines[0])
        self.assertIn('fm clear 200.004', lines[1])

    def test_reopens_the_file_once_rotated(self):
        path = os.path.join(self.state_dir, 'logs', 'events.log')
        self.config(group='fm', event_notify_file=path)
        notifier = log_notifier.LogNotifier()
        notifier.notify(event())
        os.rename(path, path + '.1')
        notifier.notify(event('clear'))
        self.assertIn('fm set', self.lines(path + '.1')[0])
        self.assertEqual(1, len(self.lines(path + '.1')))
        self.assertIn('fm clear', self.lines(path)[0])

    def test_unwritable_file_is_unavailable(self):
        self.config(group='fm', event_notify_file=self.state_dir)
        error = self.assertRaises(exception.ServiceUnavailable,
                                  log_notifier.LogNotifier().notify, event())
        self.assertIn(self.state_dir, str(error))

    def test_accepts_the_flat_notifier_event_layout(self):
        fields = log_notifier.alarm_fields(
            {'event_type': 'alarm-clear', 'id': '200.004',
             'entity_instance_id': 'host=a', 'severity': 'major',
             'reason_text': 'r', 'timestamp': 't'})
        self.assertEqual(('clear', '200.004'),
                         (fields['operation'], fields['alarm_id']))

    def test_refuses_unknown_operation(self):
        error = self.assertRaises(exception.InvalidParameterValue,
                                  log_notifier.LogNotifier().notify,
                                  event('explode'))
        self.assertEqual('operation', error.field)


class _Receiver(http.server.BaseHTTPRequestHandler):

    def do_POST(self):
        server = self.server
        body = self.rfile.read(int(self.headers['Content-Length']))
        with server.lock:
            status = server.statuses.pop(0) if server.statuses else 200
            server.received.append((status, json.loads(body)))
        self.send_response(status)
        self.send_header('Content-Length', '0')
        self.end_headers()

    def log_message(self, *args):
        pass


class WebhookNotifierTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      _Receiver)
        self.server.lock = threading.Lock()
        self.server.statuses = []
        self.server.received = []
        thread = threading.Thread(target=self.server.serve_forever,
                                  daemon=True)
        thread.start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.config(url='http://127.0.0.1:%d/alarms'
                    % self.server.server_address[1], retries=2,
                    backoff=0.01, timeout=2, group='fm_webhook')

    def test_posts_event_as_json(self):
        webhook.WebhookNotifier().notify(event())
        self.assertEqual([(200, event())], self.server.received)

    def test_retries_after_server_errors_then_succeeds(self):
        self.server.statuses = [500, 500]
        webhook.WebhookNotifier().notify(event())
        self.assertEqual([500, 500, 200],
                         [status for status, _ in self.server.received])

    def test_gives_up_after_last_retry_raising(self):
        self.server.statuses = [500, 503, 500, 200]
        error = self.assertRaises(exception.ServiceUnavailable,
                                  webhook.WebhookNotifier().notify, event())
        self.assertIn('3 attempts failed, the last with HTTP 500',
                      str(error))
        self.assertEqual(3, len(self.server.received))

    def test_unreachable_receiver_raises_after_retries(self):
        self.config(url='http://127.0.0.1:%d/' % _closed_port(),
                    group='fm_webhook')
        self.assertRaises(exception.ServiceUnavailable,
                          webhook.WebhookNotifier().notify, event())

    def test_validate_requires_http_url(self):
        self.config(url=None, group='fm_webhook')
        self.assertRaises(exception.MissingParameterValue,
                          webhook.WebhookNotifier().validate)
        self.config(url='ftp://127.0.0.1/', group='fm_webhook')
        self.assertRaises(exception.InvalidParameterValue,
                          webhook.WebhookNotifier().validate)


def _closed_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def receive_trap(sock):
    """(community, {oid text: value}) of one trap on a UDP socket."""
    data, _address = sock.recvfrom(65535)
    message, rest = decoder.decode(data, asn1Spec=v2c.Message())
    assert not rest
    pdu = v2c.apiMessage.get_pdu(message)
    assert pdu.isSameTypeWith(v2c.SNMPv2TrapPDU())
    return (str(v2c.apiMessage.get_community(message)),
            {oid.prettyPrint(): value
             for oid, value in v2c.apiTrapPDU.get_varbinds(pdu)})


def _oid(oid, instance=(0,)):
    return '.'.join(str(part) for part in oid + instance)


class SNMPNotifierTest(base.TestCase):

    def setUp(self):
        super().setUp()
        self.receivers = []
        for _ in range(2):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind(('127.0.0.1', 0))
            sock.settimeout(5)
            self.addCleanup(sock.close)
            self.receivers.append(sock)
        self.config(trap_destinations=['127.0.0.1:%d' % s.getsockname()[1]
                                       for s in self.receivers],
                    community='stx-test', group='fm_snmp')

    def assert_no_more_traps(self):
        for sock in self.receivers:
            sock.settimeout(0.05)
            self.assertRaises(socket.timeout, sock.recvfrom, 65535)

    def test_set_sends_one_trap_per_destination_with_varbinds(self):
        snmp.SNMPNotifier().notify(event())
        for sock in self.receivers:
            community, varbinds = receive_trap(sock)
            self.assertEqual('stx-test', community)
            self.assertEqual('1.3.6.1.4.1.55491.1.0.1', varbinds[
                _oid(snmp.SNMP_TRAP_OID, ())].prettyPrint())
            objects = snmp.OBJECT_OIDS
            text = {name: str(varbinds[_oid(objects[name])]) for name in
                    ('uuid', 'alarm_id', 'entity_instance_id',
                     'reason_text', 'alarm_type', 'probable_cause',
                     'proposed_repair_action')}
            self.assertEqual({name: ALARM[name] for name in text}, text)
            self.assertEqual(4, int(varbinds[_oid(objects['severity'])]))
            self.assertEqual(1, int(
                varbinds[_oid(objects['service_affecting'])]))
            self.assertEqual(2, int(varbinds[_oid(objects['suppression'])]))
            self.assertEqual(
                bytes([7, 233, 3, 4, 5, 6, 7, 8]) + b'+\x00\x00',
                bytes(varbinds[_oid(objects['timestamp'])]))
        self.assert_no_more_traps()

    def test_notification_oid_says_severity_clear_or_log(self):
        notifier = snmp.SNMPNotifier()
        cases = [(event(severity='major'), '1.3.6.1.4.1.55491.1.0.2', 3),
                 (event(severity='minor'), '1.3.6.1.4.1.55491.1.0.3', 2),
                 (event(severity='warning'), '1.3.6.1.4.1.55491.1.0.4', 1),
                 (event('clear'), '1.3.6.1.4.1.55491.1.0.5', 0),
                 (event('log', severity='not-applicable'),
                  '1.3.6.1.4.1.55491.1.0.6', 5)]
        for sent, notification, severity in cases:
            notifier.notify(sent)
            _community, varbinds = receive_trap(self.receivers[0])
            receive_trap(self.receivers[1])
            self.assertEqual(notification, varbinds[
                _oid(snmp.SNMP_TRAP_OID, ())].prettyPrint())
            self.assertEqual(severity, int(
                varbinds[_oid(snmp.OBJECT_OIDS['severity'])]))

    def test_validate_refuses_bad_destination(self):
        self.config(trap_destinations=['127.0.0.1'], group='fm_snmp')
        error = self.assertRaises(exception.InvalidParameterValue,
                                  snmp.SNMPNotifier().validate)
        self.assertEqual('fm_snmp.trap_destinations', error.field)
        self.config(trap_destinations=[], group='fm_snmp')
        self.assertRaises(exception.MissingParameterValue,
                          snmp.SNMPNotifier().validate)

    def test_mib_defines_the_oids_the_notifier_sends(self):
        oids = _mib_oids()
        names = {'stxAlarmCritical': 'critical', 'stxAlarmMajor': 'major',
                 'stxAlarmMinor': 'minor', 'stxAlarmWarning': 'warning',
                 'stxAlarmClear': 'clear', 'stxEventLog': 'log'}
        for name, key in names.items():
            self.assertEqual(snmp.NOTIFICATION_OIDS[key], oids[name])
        objects = ['stxAlarmUuid', 'stxAlarmId', 'stxAlarmEntityInstanceId',
                   'stxAlarmDateAndTime', 'stxAlarmSeverity',
                   'stxAlarmReasonText', 'stxAlarmEventType',
                   'stxAlarmProbableCause', 'stxAlarmProposedRepairAction',
                   'stxAlarmServiceAffecting', 'stxAlarmSuppressionAllowed']
        self.assertEqual(list(snmp.OBJECT_OIDS.values()),
                         [oids[name] for name in objects])


def _mib_oids():
    """Every '{ parent n }' assignment of STX-ALARM-MIB, resolved."""
    text = (importlib.resources.files('stx.fm') / 'data' /
            'STX-ALARM-MIB.txt').read_text()
    parents = {name: (parent, int(number)) for name, parent, number in
               re.findall(r'^(\w+)\s[^\n]*?(?:\n(?!\w)[^\n]*)*?'
                          r'::= \{ (\w+) (\d+) \}', text, re.M)}
    oids = {'enterprises': (1, 3, 6, 1, 4, 1)}

    def resolve(name):
        if name not in oids:
            parent, number = parents[name]
            oids[name] = resolve(parent) + (number,)
        return oids[name]
    for name in parents:
        resolve(name)
    return oids
