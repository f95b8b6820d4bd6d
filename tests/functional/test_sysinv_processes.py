"""sysinv as a standard deployment: separate API and conductor processes.

stx-sysinv-api and stx-sysinv-conductor run as OS processes talking over
RabbitMQ, with their database on PostgreSQL migrated by stx-dbsync, and are
driven through the ``stx`` CLI the way an operator would.
"""

import re
import signal
import time

import pytest
import requests

from tests.functional import base

# Low, so that a write to a dead conductor fails fast.
RPC_TIMEOUT = 5


@pytest.fixture
def config_file(tmp_path, postgresql_url, rabbit_url):
    return base.write_config(str(tmp_path / 'stx.conf'), {
        'DEFAULT': {
            'transport_url': rabbit_url,
            # Unique names keep this test's exchange and server queue apart
            # from any other deployment on the same virtual host.
            'control_exchange': base.unique_name('stx'),
            'host': base.unique_name('controller'),
            'state_path': str(tmp_path / 'state'),
        },
        'database': {'connection': postgresql_url},
        'sysinv': {'rpc_timeout': RPC_TIMEOUT},
    })


def _start_conductor(runner, config_file):
    conductor = runner.start('stx-sysinv-conductor', '--config-file',
                             config_file)
    conductor.wait_for_output(r'stx-sysinv-conductor ready')
    return conductor


def _start_api(runner, config_file):
    api = runner.start('stx-sysinv-api', '--config-file', config_file,
                       '--port', '0')
    url = api.wait_for_output(r'stx-sysinv-api ready: URL=(\S+)').group(1)
    return api, url


def _hostnames(cli):
    return sorted(host['hostname'] for host in cli.json('host-list'))


def test_conductor_refuses_a_database_that_is_not_migrated(config_file):
    result = base.run('stx-sysinv-conductor', '--config-file', config_file)
    assert result.returncode == 1
    # Its log goes to stderr too (no log file is configured): the error
    # is the last line.
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith('stx-sysinv-conductor: error: the sysinv '
                           'database is at revision none, not ')
    assert line.endswith('; run "stx-dbsync upgrade sysinv"')

    version = base.run('stx-dbsync', '--config-file', config_file,
                       'version', 'sysinv')
    assert (version.returncode, version.stdout) == (0, 'sysinv: none\n')


def test_api_and_conductor_processes_survive_a_conductor_crash(
        runner, config_file):
    sync = base.run('stx-dbsync', '--config-file', config_file)
    assert sync.returncode == 0, sync.stderr
    # One line per service with a database; sysinv's must be migrated.
    assert re.search(r'^sysinv: (?!none)\S+$', sync.stdout,
                     re.MULTILINE), sync.stdout

    conductor = _start_conductor(runner, config_file)
    api, url = _start_api(runner, config_file)
    cli = base.CLI('--sysinv-url', url)

    # A standard deployment has no system until its installer creates one.
    response = requests.post(url + 'v1/isystems', timeout=30, json={
        'name': 'lab', 'system_mode': 'duplex', 'system_type': 'Standard'})
    assert response.status_code in (200, 201), response.text
    system = cli.json('system-show')
    assert (system['name'], system['system_type']) == ('lab', 'Standard')

    cli.ok('host-add', '--hostname', 'controller-0', '--personality',
           'controller', '--mgmt-mac', '52:54:00:00:01:00')
    cli.ok('host-add', '--hostname', 'worker-0', '--personality', 'worker',
           '--mgmt-mac', '52:54:00:00:01:01')
    cli.ok('host-update', 'worker-0', 'location=rack 3')
    worker = cli.json('host-show', 'worker-0')
    assert (worker['personality'], worker['administrative'],
            worker['availability']) == ('worker', 'locked', 'offline')
    assert 'rack 3' in str(worker['location'])
    assert 'worker-0' in cli.ok('host-bulk-export')
    assert _hostnames(cli) == ['controller-0', 'worker-0']

    # The conductor dies without a chance to clean up.
    conductor.signal(signal.SIGKILL)
    conductor.wait()
    # Reads go to the database: the API still answers them.
    assert _hostnames(cli) == ['controller-0', 'worker-0']
    # Writes need the conductor: refused cleanly within the RPC timeout.
    started = time.monotonic()
    response = requests.post(url + 'v1/ihosts', timeout=30, json={
        'hostname': 'worker-1', 'personality': 'worker',
        'mgmt_mac': '52:54:00:00:01:02'})
    assert time.monotonic() - started < RPC_TIMEOUT + 5
    assert response.status_code == 503, response.text
    assert 'error_message' in response.json()
    line = cli.error('host-add', '--hostname', 'worker-1', '--personality',
                     'worker', '--mgmt-mac', '52:54:00:00:01:02')
    assert 'Traceback' not in line

    # A new conductor serves again, and nothing was lost.
    _start_conductor(runner, config_file)
    assert _hostnames(cli) == ['controller-0', 'worker-0']
    assert cli.json('host-show', 'worker-0')['uuid'] == worker['uuid']
    cli.ok('host-add', '--hostname', 'worker-1', '--personality', 'worker',
           '--mgmt-mac', '52:54:00:00:01:02')
    cli.ok('host-delete', 'worker-0')
    assert _hostnames(cli) == ['controller-0', 'worker-1']

    assert api.stop() == 0
    assert runner.processes[-1].stop() == 0
