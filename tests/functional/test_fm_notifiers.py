"""stx-fm-manager's SNMP and webhook notifiers, end to end.

The manager runs as a process with both notifiers enabled and pointed at
a trap receiver (a UDP socket) and an HTTP receiver started by the test on
loopback; a set and a clear made through the client library each arrive
as one trap and one POST.
"""

import http.server
import json
import socket
import threading

import pytest

from stx.fm import client
from tests.functional import base
from tests.unit.fm.notifiers import test_notifiers

EID = 'host=worker-7'
WAIT = 15


class _Receiver(http.server.BaseHTTPRequestHandler):

    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length']))
        self.server.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_receiver():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), _Receiver)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def trap_receiver():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(('127.0.0.1', 0))
    sock.settimeout(WAIT)
    yield sock
    sock.close()


@pytest.fixture
def config_file(tmp_path, postgresql_url, rabbit_url, webhook_receiver,
                trap_receiver):
    return base.write_config(str(tmp_path / 'stx.conf'), {
        'DEFAULT': {
            'transport_url': rabbit_url,
            'control_exchange': base.unique_name('stx'),
            'host': base.unique_name('controller'),
            'state_path': str(tmp_path / 'state'),
            'enabled_fm_notifiers': 'snmp,webhook',
        },
        'fm_database': {'connection': postgresql_url},
        'fm_snmp': {'trap_destinations': '127.0.0.1:%d'
                    % trap_receiver.getsockname()[1],
                    'community': 'stx-functional'},
        'fm_webhook': {'url': 'http://127.0.0.1:%d/fm'
                       % webhook_receiver.server_address[1],
                       'retries': 1, 'backoff': 0.1},
    })


def _wait_for_posts(server, count):
    deadline = WAIT * 10
    while len(server.received) < count and deadline:
        threading.Event().wait(0.1)
        deadline -= 1
    return server.received


def test_set_and_clear_arrive_as_trap_and_post(
        runner, config_file, in_process_conf, webhook_receiver,
        trap_receiver, tmp_path):
    sync = base.run('stx-dbsync', '--config-file', config_file,
                    'upgrade', 'fm')
    assert sync.returncode == 0, sync.stderr
    base.start_fm_manager(runner, config_file)

    api = client.FaultAPIs(queue_dir=str(tmp_path / 'queue'), timeout=10)
    alarm_uuid = api.set_fault(client.Fault(
        alarm_id='200.004', alarm_state=client.SET, entity_type_id='host',
        entity_instance_id=EID, severity='critical',
        reason_text='worker-7 failed'))
    assert alarm_uuid
    assert api.clear_fault('200.004', EID) is True
    api.close()

    oids = test_notifiers.snmp.OBJECT_OIDS
    traps = [test_notifiers.receive_trap(trap_receiver) for _ in range(2)]
    for (community, varbinds), notification in zip(
            traps, ('1.3.6.1.4.1.55491.1.0.1', '1.3.6.1.4.1.55491.1.0.5')):
        assert community == 'stx-functional'
        assert varbinds['1.3.6.1.6.3.1.1.4.1.0'].prettyPrint() == \
            notification
        assert str(varbinds['%s.0' % '.'.join(
            map(str, oids['uuid']))]) == alarm_uuid
        assert str(varbinds['%s.0' % '.'.join(
            map(str, oids['entity_instance_id']))]) == EID
    trap_receiver.settimeout(0.5)
    with pytest.raises(socket.timeout):
        trap_receiver.recvfrom(65535)

    posts = _wait_for_posts(webhook_receiver, 2)
    assert [(post['operation'], post['alarm']['uuid'],
             post['alarm']['entity_instance_id']) for post in posts] == [
        ('set', alarm_uuid, EID), ('clear', alarm_uuid, EID)]
