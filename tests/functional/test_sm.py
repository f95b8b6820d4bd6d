"""Two stx-sm processes on loopback: active and standby, restart, failover.

Each controller's stx-sm runs the same small model with its own state
directory: one 1+1 group of two services, each a small stand-in process
its enable action starts (pid in ``<service>.pid``) and its disable action
kills; go-active and go-standby leave or remove ``<service>.active``, and
the audit checks the process is alive. The two stx-sm talk over signed UDP
on 127.0.0.1. controller-0 gets the group active, controller-1 standby
with its services running (warm); a service killed on the active
controller is restarted there; one that cannot be restarted past its
budget fails the group, which moves to controller-1.
"""

import json
import os
import signal
import socket
import sys

from tests.functional import base

WAIT = 30
NODES = ('controller-0', 'controller-1')
# Exits 1 unless the process of the pid file is alive (not a zombie).
ALIVE = ('import sys\n'
         'try:\n'
         '    pid = int(open(sys.argv[1]).read())\n'
         '    state = open("/proc/%d/stat" % pid).read().split()[2]\n'
         'except (OSError, ValueError, IndexError):\n'
         '    sys.exit(1)\n'
         'sys.exit(state == "Z")\n')


def _service(name, markers, max_failures=2, dependencies=()):
    def sh(command):
        return {'type': 'command', 'command': ['sh', '-c', command]}
    path = os.path.join(markers, name)
    # A "<service>.broken" file makes its enable fail.
    return {
        'name': name, 'max_failures': max_failures,
        'dependencies': list(dependencies),
        'actions': {
            'enable': sh('test ! -e {p}.broken && echo {n} >> {m}/enabled.log'
                         ' && (sleep 1000 >/dev/null 2>&1 & echo $! > {p}.pid)'
                         .format(p=path, n=name, m=markers)),
            'disable': sh('kill $(cat {p}.pid) 2>/dev/null; '
                          'rm -f {p}.pid {p}.active'.format(p=path)),
            'go-active': sh('touch %s.active' % path),
            'go-standby': sh('rm -f %s.active' % path),
            'audit': {'type': 'command', 'interval': 0.2,
                      'command': [sys.executable, '-c', ALIVE,
                                  path + '.pid']},
        }}


class Controller:

    def __init__(self, runner, tmp_path, rabbit_url, node, port, peer_port,
                 key_file):
        self.markers = str(tmp_path / node / 'markers')
        os.makedirs(self.markers)
        model = str(tmp_path / node / 'model.yaml')
        with open(model, 'w') as f:
            json.dump({
                'domain': {'name': 'controller', 'hello_interval_ms': 100,
                           'dead_interval_ms': 400},
                'service_groups': [{
                    'name': 'core', 'redundancy_model': '1+1',
                    'services': [{'name': 'ip', 'failure_impact': 'critical'},
                                 {'name': 'daemon',
                                  'failure_impact': 'critical'}]}],
                'services': [_service('ip', self.markers),
                             _service('daemon', self.markers, max_failures=1,
                                      dependencies=['ip'])]}, f)
        config = base.write_config(str(tmp_path / node / 'stx.conf'), {
            'DEFAULT': {'transport_url': rabbit_url,
                        'control_exchange': base.unique_name('stx'),
                        'state_path': str(tmp_path / node / 'state')},
            'sm': {'node': node, 'model_file': model,
                   'listen_address': '127.0.0.1', 'listen_port': port,
                   'peer_address': '127.0.0.1', 'peer_port': peer_port,
                   'key_file': key_file}})
        self.process = runner.start('stx-sm', '--config-file', config)

    def marked(self, *names):
        return {name for name in os.listdir(self.markers)
                if not name.endswith('.log')} == set(names)

    def pid(self, name):
        with open(os.path.join(self.markers, name + '.pid')) as f:
            return int(f.read())

    def kill_stand_ins(self):
        for name in os.listdir(self.markers):
            if name.endswith('.pid'):
                try:
                    os.kill(self.pid(name[:-4]), signal.SIGKILL)
                except (OSError, ValueError):
                    pass

    def enables(self):
        path = os.path.join(self.markers, 'enabled.log')
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return f.read().split()


def test_active_standby_restart_and_failover(runner, tmp_path, rabbit_url):
    key_file = str(tmp_path / 'sm.key')
    with open(key_file, 'w') as f:
        f.write(os.urandom(32).hex())
    ports = [base.free_port(socket.SOCK_DGRAM) for _ in NODES]
    one, two = [Controller(runner, tmp_path, rabbit_url, node, ports[i],
                           ports[1 - i], key_file)
                for i, node in enumerate(NODES)]
    for controller in (one, two):
        controller.process.wait_for_output(r'stx-sm ready')

    try:
        _active_standby_restart_failover(one, two)
    finally:
        for controller in (one, two):
            controller.kill_stand_ins()


def _active_standby_restart_failover(one, two):
    base.wait('controller-0 active, controller-1 standby (warm)', lambda:
              one.marked('ip.pid', 'ip.active', 'daemon.pid',
                         'daemon.active') and
              two.marked('ip.pid', 'daemon.pid'), WAIT)
    assert one.enables() == ['ip', 'daemon']

    # The daemon is killed on the active controller: restarted there.
    killed = one.pid('daemon')
    os.kill(killed, signal.SIGKILL)
    base.wait('daemon restarted on controller-0',
              lambda: one.enables() == ['ip', 'daemon', 'daemon'] and
              one.marked('ip.pid', 'ip.active', 'daemon.pid',
                         'daemon.active'), WAIT)
    assert one.pid('daemon') != killed

    # Killed again, it cannot be restarted: past its budget the group
    # fails on controller-0 and moves to controller-1.
    open(os.path.join(one.markers, 'daemon.broken'), 'w').close()
    os.kill(one.pid('daemon'), signal.SIGKILL)
    base.wait('the group active on controller-1', lambda: two.marked(
        'ip.pid', 'ip.active', 'daemon.pid', 'daemon.active'), WAIT)
    base.wait('services stopped on controller-0',
              lambda: one.marked('daemon.broken'), WAIT)
    for controller in (one, two):
        assert controller.process.stop() == 0, controller.process.describe()


def test_bad_model_or_key_refused_on_one_line(tmp_path):
    model = str(tmp_path / 'model.yaml')
    with open(model, 'w') as f:
        f.write('domain: {name: controller}\nservice_groups: []\n')
    config = base.write_config(str(tmp_path / 'stx.conf'), {
        'DEFAULT': {'state_path': str(tmp_path / 'state'),
                    'log_file': str(tmp_path / 'sm.log')},
        'sm': {'model_file': model, 'peer_address': '127.0.0.1',
               'key_file': str(tmp_path / 'missing.key')}})
    result = base.run('stx-sm', '--config-file', config)
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert lines == ['stx-sm: error: %s: services: is required' % model], \
        result.stderr
    with open(model, 'w') as f:
        json.dump({'domain': {'name': 'controller'},
                   'service_groups': [{
                       'name': 'core', 'redundancy_model': '1+1',
                       'services': [{'name': 'ip',
                                     'failure_impact': 'critical'}]}],
                   'services': [_service('ip', str(tmp_path))]}, f)
    result = base.run('stx-sm', '--config-file', config)
    assert result.returncode == 1, result
    assert result.stderr.strip().splitlines() == [
        'stx-sm: error: cannot read [sm] key_file %s: No such file or '
        'directory'
        % (tmp_path / 'missing.key')], result.stderr
