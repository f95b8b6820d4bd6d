"""Host inventory as an operator sees it: stx-aio on RabbitMQ and two agents.

Each stx-agent is its own process reading one of the synthesized hosts of
tests/fixtures/inventory: the server's MAC was added by the operator
beforehand, so it is found; the edge box's matches nothing, so it is
discovered, then provisioned with host-update.
"""

import json
import os
import time

from stx.sysinv.agent import inventory
from stx.sysinv.agent.inventory import pci
from tests.functional import base
from tests.functional import test_aio

FIXTURES = os.path.join(os.path.dirname(__file__), os.pardir, 'fixtures',
                        'inventory')
SERVER_MAC = '3c:fd:fe:a0:00:01'


def _roots(name):
    tree = os.path.abspath(os.path.join(FIXTURES, name))
    return inventory.Roots(proc=os.path.join(tree, 'proc'),
                           sys=os.path.join(tree, 'sys'),
                           dev=os.path.join(tree, 'dev'))


def _start_agent(runner, tmp_path, name, rabbit_url, exchange):
    roots = _roots(name)
    config = base.write_config(str(tmp_path / ('%s.conf' % name)), {
        'DEFAULT': {'transport_url': rabbit_url,
                    'control_exchange': exchange,
                    'host': base.unique_name(name),
                    'state_path': str(tmp_path / name),
                    'log_file': str(tmp_path / ('%s.log' % name))},
        'agent': {'proc_root': roots.proc, 'sys_root': roots.sys,
                  'dev_root': roots.dev, 'hostname': '%s-box' % name,
                  'config_dir': str(tmp_path / name / 'agent-config')}})
    started = time.monotonic()
    agent = runner.start('stx-agent', '--config-file', config)
    agent.wait_for_output('stx-agent ready')
    return agent, time.monotonic() - started


def test_agents_report_and_a_new_host_is_discovered(runner, tmp_path,
                                                    rabbit_url):
    exchange = base.unique_name('stx')
    config = base.write_config(str(tmp_path / 'stx.conf'), {'DEFAULT': {
        'control_exchange': exchange, 'host': base.unique_name('aio')}})
    aio, url = test_aio._start_aio(runner, str(tmp_path / 'state'),
                                   '--config-file', config,
                                   '--transport-url', rabbit_url)
    cli = base.CLI('--stx-url', url)
    # The all-in-one's own agent has reported this machine.
    cpus = cli.json('host-cpu-list', 'controller-0')
    assert len(cpus) == os.cpu_count()

    cli.ok('host-add', '--hostname', 'worker-0', '--personality', 'worker',
           '--mgmt-mac', SERVER_MAC)
    server, seconds = _start_agent(runner, tmp_path, 'server', rabbit_url,
                                   exchange)
    print('server agent: start to whole inventory accepted in %.2fs'
          % seconds)
    cpus = cli.json('host-cpu-list', 'worker-0')
    assert len(cpus) == 32
    assert sorted({cpu['processor'] for cpu in cpus}) == [0, 1]
    memory = cli.json('host-memory-list', 'worker-0')
    assert [row['mem_total(MiB)'] for row in memory] == [65536, 65536]
    assert [row['app_hp_total_2M'] for row in memory] == [1024, 1024]
    assert len(cli.json('host-disk-list', 'worker-0')) == 3
    assert len(cli.json('host-port-list', 'worker-0')) == 4
    assert len(cli.json('host-device-list', 'worker-0')) == 2
    assert cli.json('host-show', 'worker-0')['invprovision'] == 'provisioned'

    # A host added with host-add starts locked: its cpus may be changed.
    # The change gives it a new config_target; its agent applies it.
    cli.ok('host-cpu-modify', 'worker-0', '-f', 'platform', '-p0', '2')
    started = time.monotonic()
    deadline = started + 20
    host = cli.json('host-show', 'worker-0')
    assert host['config_target']
    while (host['config_applied'] != host['config_target'] and
           time.monotonic() < deadline):
        time.sleep(0.1)
        host = cli.json('host-show', 'worker-0')
    print('server agent: configuration applied %.2fs after host-cpu-modify'
          % (time.monotonic() - started))
    assert host['config_applied'] == host['config_target'], host
    assert not host['config_status'], host
    with open(str(tmp_path / 'server' / 'agent-config' /
                  'host-config.json')) as config_file:
        config = json.load(config_file)
    assert config['config_uuid'] == host['config_target']
    assert config['cpus']['Platform']['0'] == '0-1,16-17'

    edge_mac = pci.ports(_roots('edge'))[0]['mac']
    edge, seconds = _start_agent(runner, tmp_path, 'edge', rabbit_url,
                                 exchange)
    print('edge agent (discovered): whole inventory accepted in %.2fs'
          % seconds)
    discovered = [host for host in cli.json('host-list')
                  if host['hostname'] not in ('controller-0', 'worker-0')]
    assert len(discovered) == 1
    new = cli.json('host-show', str(discovered[0]['id']))
    assert (new['mgmt_mac'], new['invprovision'], new['personality']) == (
        edge_mac, 'unprovisioned', None)
    assert len(cli.json('host-cpu-list', str(new['id']))) == 4
    events = cli.json('event-list', '--logs')
    assert any(event['event_log_id'] == '200.023' for event in events), events

    cli.ok('host-update', str(new['id']), 'personality=worker',
           'hostname=worker-1')
    worker = cli.json('host-show', 'worker-1')
    assert (worker['personality'], worker['mgmt_mac'],
            worker['invprovision']) == ('worker', edge_mac, 'provisioned')
    # The agent keeps auditing the same host after it was provisioned.
    assert len(cli.json('host-port-list', 'worker-1')) == 2

    assert server.stop() == 0, server.describe()
    assert edge.stop() == 0, edge.describe()
    test_aio._stop_aio(aio)
