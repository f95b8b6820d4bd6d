"""stx-aio as an operator runs it: one process, one port, the stx CLI.

Every CLI command against a fresh all-in-one, a restart on the same state
directory, the same process on RabbitMQ, and the start-up errors.
"""

import os
import signal
import socket
import stat

import pytest

from tests.functional import base

READY = r'stx-aio ready: STX_URL=(\S+)'

HOSTS_XML = """<?xml version="1.0" encoding="UTF-8" ?>
<hosts>
  <host>
    <hostname>worker-1</hostname>
    <personality>worker</personality>
    <mgmt_mac>52:54:00:12:34:57</mgmt_mac>
  </host>
  <host>
    <hostname>storage-0</hostname>
    <personality>storage</personality>
    <mgmt_mac>52:54:00:12:34:58</mgmt_mac>
  </host>
</hosts>
"""


def _start_aio(runner, state_dir, *args):
    aio = runner.start('stx-aio', '--port', '0', '--state-dir', state_dir,
                       *args)
    url = aio.wait_for_output(READY).group(1)
    assert url.startswith('http://127.0.0.1:') and url.endswith('/')
    return aio, url


def _stop_aio(aio, stderr=''):
    assert aio.stop() == 0, aio.describe()
    # Warnings go to stderr; a clean start and stop has none.
    assert aio.stderr() == stderr, aio.describe()
    assert aio.stdout().count('\n') == 1


def _hosts(cli):
    return {host['hostname']: host for host in cli.json('host-list')}


def test_every_command_then_restart_on_the_same_state(runner, tmp_path):
    state_dir = str(tmp_path / 'state')
    aio, url = _start_aio(runner, state_dir)
    assert stat.S_IMODE(os.stat(state_dir).st_mode) == 0o700
    assert os.path.getsize(os.path.join(state_dir, 'stx-aio.log')) > 0
    cli = base.CLI('--stx-url', url, cwd=str(tmp_path))

    system = cli.json('system-show')
    assert (system['system_type'], system['system_mode']) == (
        'All-in-one', 'duplex')
    controller = _hosts(cli)['controller-0']
    assert (controller['administrative'], controller['operational'],
            controller['availability']) == ('unlocked', 'enabled',
                                            'available')

    # Service management: its one controller holds every group active.
    base.wait('controller-services active', lambda: [
        (row['service_group_name'], row['node_name'], row['state'])
        for row in cli.json('servicegroup-list')] == [
        ('controller-services', 'controller-0', 'active')], 10)
    assert {(row['name'], row['state']) for row in cli.json(
        'service-list')} == {('fm', 'enabled-active'),
                             ('sysinv', 'enabled-active'),
                             ('mtce', 'enabled-active')}
    assert 'no other controller is unlocked, enabled and available' in \
        cli.error('host-swact', 'controller-0')

    cli.ok('host-add', '--hostname', 'worker-0', '--personality', 'worker',
           '--mgmt-mac', '52:54:00:12:34:56')
    cli.ok('host-update', 'worker-0', 'location=rack 3')
    (tmp_path / 'hosts.xml').write_text(HOSTS_XML)
    cli.ok('host-bulk-add', 'hosts.xml')
    exported = cli.ok('host-bulk-export')
    for hostname in ('controller-0', 'worker-0', 'worker-1', 'storage-0'):
        assert '<hostname>%s</hostname>' % hostname in exported
    worker = cli.json('host-show', 'worker-0')
    assert (worker['personality'], worker['mgmt_mac'],
            worker['administrative'], worker['operational'],
            worker['availability']) == ('worker', '52:54:00:12:34:56',
                                        'locked', 'disabled', 'offline')
    assert 'rack 3' in str(worker['location'])
    cli.ok('host-delete', 'worker-0')
    assert 'worker-0' in cli.error('host-show', 'worker-0')
    before = _hosts(cli)
    assert sorted(before) == ['controller-0', 'storage-0', 'worker-1']
    _stop_aio(aio)

    # The second start reuses the state: same system, same hosts; a system
    # mode given again is ignored, with a warning.
    aio, url = _start_aio(runner, state_dir, '--system-mode', 'simplex')
    cli = base.CLI('--stx-url', url)
    system_again = cli.json('system-show')
    assert (system_again['uuid'], system_again['system_mode']) == (
        system['uuid'], 'duplex')
    assert _hosts(cli) == before
    _stop_aio(aio, stderr='stx-aio: WARNING stx.sysinv.service: System mode '
              'simplex ignored: the system exists in duplex mode\n')


def test_simplex_system_refuses_new_hosts(runner, tmp_path):
    aio, url = _start_aio(runner, str(tmp_path / 'state'),
                          '--system-mode', 'simplex')
    cli = base.CLI('--stx-url', url)
    assert cli.json('system-show')['system_mode'] == 'simplex'
    cli.error('host-add', '--hostname', 'worker-0', '--personality',
              'worker', '--mgmt-mac', '52:54:00:12:34:56')
    assert sorted(_hosts(cli)) == ['controller-0']
    # SIGINT stops it as cleanly as SIGTERM.
    aio.signal(signal.SIGINT)
    assert aio.wait() == 0


def test_aio_on_rabbitmq(runner, tmp_path, rabbit_url):
    config = base.write_config(str(tmp_path / 'stx.conf'), {'DEFAULT': {
        'control_exchange': base.unique_name('stx'),
        'host': base.unique_name('aio')}})
    aio, url = _start_aio(runner, str(tmp_path / 'state'), '--config-file',
                          config, '--transport-url', rabbit_url)
    cli = base.CLI('--stx-url', url)
    cli.ok('host-add', '--hostname', 'worker-0', '--personality', 'worker',
           '--mgmt-mac', '52:54:00:12:34:56')
    assert sorted(_hosts(cli)) == ['controller-0', 'worker-0']
    _stop_aio(aio)


@pytest.mark.parametrize('args, error', [
    (['--no-such-option'], 'unrecognized arguments: --no-such-option'),
    (['--system-mode', 'triplex'], 'triplex'),
    (['--config-file', '/nonexistent/stx.conf'], '/nonexistent/stx.conf'),
])
def test_bad_arguments_are_one_line_and_exit_one(tmp_path, args, error):
    result = base.run('stx-aio', '--state-dir', str(tmp_path / 'state'),
                      *args)
    assert result.returncode == 1
    line, = result.stderr.splitlines()
    assert line.startswith('stx-aio: error: ') and error in line, line
    assert result.stdout == ''


def test_port_in_use_is_one_line_and_exit_one(tmp_path):
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = base.run('stx-aio', '--state-dir', str(tmp_path / 'state'),
                          '--port', str(port))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        'stx-aio: error: cannot listen on 127.0.0.1:%d: [Errno 98] Address '
        'already in use' % port]
    assert result.stdout == ''
