"""Automatic recovery as an operator sees it: real processes, real IPMI.

``stx-aio`` on RabbitMQ manages two workers. Each is a real ``stx-agent``
process "powered" by a BMC of ``stx-bmc-sim``: the BMC's power hook kills
the agent on power-off and starts a new one on power-on, and does both on a
reset. worker-1's agent is stopped (SIGSTOP), as a hung host would be: it
fails, gets its graceful recovery time, takes none of the reboot requests,
is reset through its BMC once ``bmc_reset_delay`` has passed (test timers),
and is back in service with its alarm cleared, while worker-2 stays in
service. The event log and ``host-show`` explain each step.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time

from tests.functional import base
from tests.functional import test_heartbeat
from tests.functional import test_mtce

WAIT = 60
BMC_RESET_DELAY = 4
IN_SERVICE = test_heartbeat.IN_SERVICE
FAILED = ('unlocked', 'disabled', 'failed')

# The power hook: the agent of the BMC's host stops with the power and
# starts with it.
HOOK = '''
import os, signal, subprocess, sys
pid_file, config, log = sys.argv[1:4]
power = os.environ['STX_BMC_POWER']
if power in ('off', 'reset', 'cycle') and os.path.exists(pid_file):
    with open(pid_file) as f:
        try:
            os.kill(int(f.read()), signal.SIGKILL)
        except (ValueError, ProcessLookupError):
            pass
if power in ('on', 'reset', 'cycle'):
    with open(log, 'a') as out:
        agent = subprocess.Popen([%r, '--config-file', config], stdout=out,
                                 stderr=subprocess.STDOUT,
                                 start_new_session=True)
    with open(pid_file, 'w') as f:
        f.write(str(agent.pid))
'''


class PoweredWorkers:
    """stx-bmc-sim with one BMC per worker; each hook powers an agent."""

    def __init__(self, runner, tmp_path, names):
        self.tmp_path = tmp_path
        self.ports = {name: base.free_port(socket.SOCK_DGRAM)
                      for name in names}
        self.hook = str(tmp_path / 'power-hook.py')
        agent = os.path.join(os.path.dirname(sys.executable), 'stx-agent')
        with open(self.hook, 'w') as f:
            f.write(HOOK % agent)
        config = str(tmp_path / 'bmcs.yaml')
        with open(config, 'w') as f:
            json.dump({'defaults': {'username': 'admin',
                                    'password': test_mtce.PASSWORD},
                       'bmcs': [{'name': name, 'port': port,
                                 'power_hook': ' '.join(self._hook(name))}
                                for name, port in self.ports.items()]}, f)
        self.sim = runner.start('stx-bmc-sim', '--config', config)
        self.sim.wait_for_output(r'control (http://127\.0\.0\.1:\d+)')

    def _path(self, name, suffix):
        return str(self.tmp_path / ('%s.%s' % (name, suffix)))

    def _hook(self, name):
        return [sys.executable, self.hook, self._path(name, 'pid'),
                self._path(name, 'conf'), self._path(name, 'out')]

    def bmc_args(self, name):
        return ('--bm-type', 'ipmi', '--bm-ip',
                '127.0.0.1:%d' % self.ports[name], '--bm-username', 'admin',
                '--bm-password', test_mtce.PASSWORD)

    def power_on(self, name, config):
        """Start the host's first agent, as its power hook does."""
        os.replace(config, self._path(name, 'conf'))
        subprocess.run(self._hook(name), check=True,
                       env=dict(os.environ, STX_BMC_POWER='on',
                                OS_RMON__AUDIT_INTERVAL='0'))

    def agent_pid(self, name):
        with open(self._path(name, 'pid')) as f:
            return int(f.read())

    def close(self):
        for name in self.ports:
            try:
                os.kill(self.agent_pid(name), signal.SIGKILL)
            except (OSError, ValueError):
                pass


def test_hung_host_is_reset_through_its_bmc(runner, tmp_path, rabbit_url):
    workers = PoweredWorkers(runner, tmp_path, test_heartbeat.WORKERS)
    deployment = test_heartbeat.Deployment(
        runner, tmp_path, rabbit_url,
        DEFAULT={'enabled_bmc_drivers': 'ipmi'},
        mtce={'graceful_recovery_timeout': 1, 'reboot_attempts': 2,
              'reboot_retry_interval': 0.5,
              'bmc_reset_delay': BMC_RESET_DELAY})
    try:
        _recover_hung_host(deployment, workers)
    finally:
        workers.close()
        deployment.close()


def _recover_hung_host(deployment, workers):
    cli = deployment.cli
    for name in test_heartbeat.WORKERS:
        config = deployment.worker_config(name, *workers.bmc_args(name))
        workers.power_on(name, config)
        deployment.wait_states(name, test_heartbeat.LOCKED_ONLINE)
        cli.ok('host-unlock', name, '--wait', '--timeout', str(WAIT))
        assert deployment.states(name) == IN_SERVICE

    hung = workers.agent_pid('worker-1')
    os.kill(hung, signal.SIGSTOP)
    stopped = time.monotonic()
    deployment.wait_states('worker-1', FAILED)
    assert deployment.alarms('200.004') == {'host=worker-1'}
    deployment.wait_states('worker-1', IN_SERVICE, timeout=WAIT)
    back = time.monotonic() - stopped
    print('worker-1 back in service %.1fs after SIGSTOP' % back)
    assert back > BMC_RESET_DELAY
    # The BMC reset killed the hung agent and started a new one.
    assert workers.agent_pid('worker-1') != hung
    assert deployment.alarms('200.004') == set()
    assert deployment.alarms('200.005') == set()
    assert deployment.states('worker-2') == IN_SERVICE

    host = deployment.host('worker-1')
    assert host['task'] == ''
    assert 'recovered: back in service after BMC reset 1' in \
        host['last_maintenance_action']
    sequence = [
        'worker-1 is now unlocked/disabled/failed: heartbeat failed: '
        'cluster-host silent since',
        'worker-1 took none of 2 reboot requests',
        'BMC reset of worker-1 (1 of 7), confirmed by its BMC (power on)',
        'worker-1 enabled (recovery)',
        'worker-1 recovered: back in service after BMC reset 1',
    ]

    def explained():
        # The logs go through fm's queue: the last may still be on its way.
        texts = [event['reason_text'] for event in
                 reversed(cli.json('event-list', '--logs'))
                 if event['entity_instance_id'] == 'host=worker-1' and
                 event['event_log_id'] in ('200.020', '200.021')]
        found = [prefix for text in texts for prefix in sequence
                 if text.startswith(prefix)]
        return found[-len(sequence):] == sequence

    test_mtce._wait('the explained recovery in the event log', explained)
