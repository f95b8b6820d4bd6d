"""Host lifecycle and heartbeat as an operator sees them: real processes.

``stx-aio`` on RabbitMQ, through a TCP proxy the test can cut, manages two
workers, each a real ``stx-agent`` process answering heartbeat on its own
127.0.0.x addresses (worker-2's cluster-host network through a UDP relay
the test can cut). The operator unlocks both with the ``stx`` command (each
is rebooted by the agent-restart driver, tested, soaked and enabled),
locks and unlocks one again; a stopped agent (SIGSTOP) fails its host with
an alarm until SIGCONT; a cut cluster-host network degrades worker-2; and
10 s without the broker fail no host, since heartbeat does not use it.
"""

import signal
import socket
import time

from tests.functional import base
from tests.functional import network
from tests.functional import test_aio
from tests.functional import test_inventory

WAIT = 60
WORKERS = {
    # hostname: (mgmt MAC, mgmt_ip, cluster_host_ip)
    'worker-1': ('52:54:00:7e:00:01', '127.0.0.21', '127.0.0.22'),
    'worker-2': ('52:54:00:7e:00:02', '127.0.0.31', '127.0.0.32'),
}
# Every host a Deployment can add.
HOSTS = dict(WORKERS, **{
    'controller-1': ('52:54:00:7e:00:11', '127.0.0.41', '127.0.0.42')})


def _wait(what, predicate, timeout=WAIT):
    return base.wait(what, predicate, timeout)


class Deployment:
    """stx-aio behind a broker proxy, and its workers' agents.

    :param sections: more options of stx-aio, by section.
    """

    def __init__(self, runner, tmp_path, rabbit_url, **sections):
        self.runner = runner
        self.tmp_path = tmp_path
        self.rabbit_url = rabbit_url
        self.exchange = base.unique_name('stx')
        self.mgmt_port = base.free_port(socket.SOCK_DGRAM)
        self.cluster_port = base.free_port(socket.SOCK_DGRAM)
        # worker-2 answers cluster-host pulses here; the relay forwards.
        self.relayed_port = base.free_port(socket.SOCK_DGRAM)
        self.proxy = network.TcpProxy(base.RABBITMQ)
        self.state = str(tmp_path / 'state')
        options = {
            'DEFAULT': {'control_exchange': self.exchange,
                        'host': base.unique_name('aio')},
            'heartbeat': {'mgmt_port': self.mgmt_port,
                          'cluster_host_port': self.cluster_port,
                          'monitor_address': '127.0.0.1',
                          'monitor_mgmt_port': 0,
                          'monitor_cluster_host_port': 0}}
        for section, values in sections.items():
            options.setdefault(section, {}).update(values)
        config = base.write_config(str(tmp_path / 'stx.conf'), options)
        self.aio, url = test_aio._start_aio(
            runner, self.state, '--config-file', config, '--transport-url',
            rabbit_url.replace('127.0.0.1:5672', self.proxy.url_address))
        self.url = url
        self.cli = base.CLI('--stx-url', url)
        self.agents = {}
        _mac, _mgmt, cluster = HOSTS['worker-2']
        self.relay = network.UdpRelay((cluster, self.cluster_port),
                                      (cluster, self.relayed_port))

    def add_worker(self, name, *host_add_args, personality='worker'):
        """Add the host, start its agent; the agent's process."""
        agent = self.runner.start('stx-agent', '--config-file',
                                  self.worker_config(name, *host_add_args,
                                                     personality=personality))
        agent.wait_for_output('stx-agent ready')
        self.agents[name] = agent
        return agent

    def worker_config(self, name, *host_add_args, personality='worker'):
        """Add the host; the configuration file of its agent."""
        mac, mgmt_ip, cluster_ip = HOSTS[name]
        self.cli.ok('host-add', '--hostname', name, '--personality',
                    personality, '--mgmt-mac', mac, '--mgmt-ip', mgmt_ip,
                    '--cluster-host-ip', cluster_ip, *host_add_args)
        roots = test_inventory._roots('server')
        cluster_port = (self.relayed_port if name == 'worker-2'
                        else self.cluster_port)
        config = base.write_config(str(self.tmp_path / ('%s.conf' % name)), {
            'DEFAULT': {'transport_url': self.rabbit_url,
                        'control_exchange': self.exchange,
                        'host': base.unique_name(name),
                        'state_path': str(self.tmp_path / name),
                        'log_file': str(self.tmp_path / ('%s.log' % name))},
            'agent': {'proc_root': roots.proc, 'sys_root': roots.sys,
                      'dev_root': roots.dev, 'hostname': name,
                      'mgmt_macs': mac,
                      'config_dir': str(self.tmp_path / name / 'config')},
            'heartbeat': {'key_file': '%s/keys/heartbeat.key' % self.state,
                          'mgmt_port': self.mgmt_port,
                          'cluster_host_port': cluster_port}})
        return config

    def host(self, name):
        return self.cli.json('host-show', name)

    def states(self, name):
        host = self.host(name)
        return (host['administrative'], host['operational'],
                host['availability'])

    def wait_states(self, name, wanted, timeout=WAIT):
        return _wait('%s %s' % (name, '/'.join(wanted)),
                     lambda: self.states(name) == wanted, timeout)

    def alarms(self, alarm_id):
        return {alarm['entity_instance_id']
                for alarm in self.cli.json('alarm-list')
                if alarm['alarm_id'] == alarm_id}

    def close(self):
        for agent in self.agents.values():
            agent.kill()
        self.relay.close()
        # Its stderr has the broker outage's errors: not compared.
        assert self.aio.stop() == 0, self.aio.describe()
        self.proxy.close()


LOCKED_ONLINE = ('locked', 'disabled', 'online')
IN_SERVICE = ('unlocked', 'enabled', 'available')


def test_lifecycle_and_heartbeat_failures(runner, tmp_path, rabbit_url):
    deployment = Deployment(runner, tmp_path, rabbit_url)
    try:
        _lifecycle_and_failures(deployment)
    finally:
        deployment.close()


def _lifecycle_and_failures(deployment):
    cli = deployment.cli
    for name in WORKERS:
        deployment.add_worker(name)
        # Locked, and online: its agent answers heartbeat.
        deployment.wait_states(name, LOCKED_ONLINE)

    # Unlock: reboot (the agent restarts), tests, heartbeat soak.
    for name in WORKERS:
        started = time.monotonic()
        cli.ok('host-unlock', name, '--wait', '--timeout', str(WAIT))
        print('%s unlocked in %.2fs' % (name, time.monotonic() - started))
        assert deployment.states(name) == IN_SERVICE
        assert deployment.host(name)['task'] == ''

    # Lock and unlock again.
    cli.ok('host-lock', 'worker-2', '--wait', '--timeout', str(WAIT))
    assert deployment.states('worker-2') == LOCKED_ONLINE
    assert deployment.alarms('200.001') == {'host=worker-2'}
    cli.ok('host-unlock', 'worker-2', '--wait', '--timeout', str(WAIT))
    assert deployment.states('worker-2') == IN_SERVICE
    assert deployment.alarms('200.001') == set()

    # A stopped agent: heartbeat lost on both networks, the host fails.
    agent = deployment.agents['worker-1']
    agent.signal(signal.SIGSTOP)
    stopped = time.monotonic()
    deployment.wait_states('worker-1', ('unlocked', 'disabled', 'failed'))
    print('worker-1 failed %.2fs after SIGSTOP (as the CLI saw it)'
          % (time.monotonic() - stopped))
    assert deployment.alarms('200.004') == {'host=worker-1'}
    assert deployment.alarms('200.005') == {'host=worker-1.network=mgmt'}
    agent.signal(signal.SIGCONT)
    deployment.wait_states('worker-1', IN_SERVICE)
    assert deployment.alarms('200.004') == set()
    assert deployment.alarms('200.005') == set()

    # One network lost: degraded, not failed.
    deployment.relay.cut()
    deployment.wait_states('worker-2', ('unlocked', 'enabled', 'degraded'))
    assert deployment.alarms('200.009') == {
        'host=worker-2.network=cluster-host'}
    time.sleep(2)
    assert deployment.states('worker-2') == ('unlocked', 'enabled',
                                             'degraded')
    deployment.relay.restore()
    deployment.wait_states('worker-2', IN_SERVICE)
    assert deployment.alarms('200.009') == set()

    # 10 s without the broker: heartbeat goes on, no host fails.
    failures_before = _failure_logs(cli)
    deployment.proxy.cut()
    time.sleep(10)
    deployment.proxy.restore()
    _wait('the API to answer through the broker again',
          lambda: cli.run('host-list').returncode == 0)
    # A failure detected during the cut would be stored now.
    time.sleep(30)
    for name in WORKERS:
        assert deployment.states(name) == IN_SERVICE
    assert _failure_logs(cli) == failures_before
    assert deployment.alarms('200.004') == set()


def _failure_logs(cli):
    return [event for event in cli.json('event-list', '--logs')
            if event['event_log_id'] == '200.020' and
            'failed' in event['reason_text']]
