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
import re
import signal
import socket
import sys
import time

import yaml

from stx.sm import model as sm_model
from tests.functional import base
from tests.functional import network
from tests.functional import test_heartbeat
from tests.functional import test_mtce

WAIT = 30
# The markers of the small model's stand-ins, active and standby.
ACTIVE = ('ip.pid', 'ip.active', 'daemon.pid', 'daemon.active')
STANDBY = ('ip.pid', 'daemon.pid')
NODES = ('controller-0', 'controller-1')
# Exits 1 unless the process of the pid file is alive (not a zombie).
ALIVE = ('import sys\n'
         'try:\n'
         '    pid = int(open(sys.argv[1]).read())\n'
         '    state = open("/proc/%d/stat" % pid).read().split()[2]\n'
         'except (OSError, ValueError, IndexError):\n'
         '    sys.exit(1)\n'
         'sys.exit(state == "Z")\n')


def stand_in(name, markers, max_failures=2, dependencies=(),
             audit_interval=0.2):
    def sh(command):
        return {'type': 'command', 'command': ['sh', '-c', command]}
    path = os.path.join(markers, name)
    # Each go-active, and each end of the active role, is written to the
    # controller's history (history()).
    history_file = os.path.join(os.path.dirname(markers), HISTORY)

    def mark(event):
        return 'echo "$(date +%%s.%%N) %s %s" >> %s' % (
            name, event, history_file)
    # A "<service>.broken" file makes its enable fail.
    return {
        'name': name, 'max_failures': max_failures,
        'dependencies': list(dependencies),
        'actions': {
            'enable': sh('test ! -e {p}.broken && echo {n} >> {m}/enabled.log'
                         ' && (sleep 1000 >/dev/null 2>&1 & echo $! > {p}.pid)'
                         .format(p=path, n=name, m=markers)),
            'disable': sh('kill $(cat {p}.pid) 2>/dev/null; '
                          'test -e {p}.active && {mark}; '
                          'rm -f {p}.pid {p}.active'.format(
                              p=path, mark=mark('inactive'))),
            'go-active': sh('touch %s.active; %s' % (path, mark('active'))),
            'go-standby': sh('rm -f %s.active; %s' % (path,
                                                      mark('inactive'))),
            'audit': {'type': 'command', 'interval': audit_interval,
                      'command': [sys.executable, '-c', ALIVE,
                                  path + '.pid']},
        },
        # Watched: its exit is known at once, not at the next audit.
        'pid_file': path + '.pid'}


HISTORY = 'history.log'


def history(tmp_path):
    """Both controllers' histories merged: (time, node, service, event)."""
    events = []
    for node in NODES:
        path = tmp_path / node / HISTORY
        if path.exists():
            for line in path.read_text().split('\n'):
                if line:
                    at, service, event = line.split()
                    events.append((float(at), node, service, event))
    return sorted(events)


def check_one_active(events):
    """No instant with a service active on both controllers.

    A power-off (service ``*``) ends every active role of its node.
    """
    active = {node: set() for node in NODES}
    for at, node, service, event in sorted(events):
        if event == 'active':
            active[node].add(service)
            others = [other for other in NODES
                      if other != node and active[other]]
            assert not others, 'at %f %s went active while %s held %s' % (
                at, node, others, active[others[0]])
        elif service == '*':
            active[node].clear()
        else:
            active[node].discard(service)


def small_model(markers):
    """One 1+1 group: ``ip``, and ``daemon`` that needs it."""
    return {
        'domain': {'name': 'controller', 'hello_interval_ms': 100,
                   'dead_interval_ms': 400},
        'service_groups': [{
            'name': 'core', 'redundancy_model': '1+1',
            'services': [{'name': 'ip', 'failure_impact': 'critical'},
                         {'name': 'daemon', 'failure_impact': 'critical'}]}],
        # The daemon's audits are too far apart to find it dead in this
        # test: its process watch does.
        'services': [stand_in('ip', markers),
                     stand_in('daemon', markers, max_failures=1,
                              dependencies=['ip'], audit_interval=300)]}


class Controller:
    """One controller's stx-sm, its stand-ins leaving their marks in
    ``markers``.

    :param paths: ``{path: (listen port, peer port, key file)}``, path
        ``management`` or one of ``[sm]``'s extra paths (``cluster_host``,
        ``oam``), all on 127.0.0.1.
    :param model: ``model(markers)`` -> the model document.
    :param sections: more options, by section.
    """

    def __init__(self, runner, tmp_path, rabbit_url, node, paths,
                 exchange=None, model=small_model, sections=None):
        self.markers = str(tmp_path / node / 'markers')
        os.makedirs(self.markers)
        document = model(self.markers)
        self.model_file = model = str(tmp_path / node / 'model.yaml')
        with open(model, 'w') as f:
            json.dump(document, f)
        sections = sections or {}
        sm = dict(sections.get('sm', {}), node=node, model_file=model)
        for path, (port, peer_port, key_file) in paths.items():
            prefix = '' if path == 'management' else path + '_'
            sm.update({prefix + 'listen_address': '127.0.0.1',
                       prefix + 'listen_port': port,
                       prefix + 'peer_address': '127.0.0.1',
                       prefix + 'peer_port': peer_port,
                       prefix + 'key_file': key_file})
        config = base.write_config(str(tmp_path / node / 'stx.conf'), dict(
            sections, sm=sm, DEFAULT=dict(
                sections.get('DEFAULT', {}), transport_url=rabbit_url,
                control_exchange=exchange or base.unique_name('stx'),
                state_path=str(tmp_path / node / 'state'))))
        self.process = runner.start('stx-sm', '--config-file', config)

    def marked(self, *names):
        return {name for name in os.listdir(self.markers)
                if not name.endswith('.log')} == set(names)

    def active(self):
        """Whether both stand-ins run and hold the active role here."""
        return self.marked(*ACTIVE)

    def standby(self):
        """Whether both stand-ins run, warm, without the active role."""
        return self.marked(*STANDBY)

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
    one, two = start_pair(runner, tmp_path, rabbit_url)
    try:
        _active_standby_restart_failover(one, two)
    finally:
        for controller in (one, two):
            controller.kill_stand_ins()


def _active_standby_restart_failover(one, two):
    wait_active_standby(one, two)
    assert one.enables() == ['ip', 'daemon']

    # SIGHUP with a model that does not pass validation: refused, said in
    # the log, and the running model stays.
    with open(one.model_file, 'w') as f:
        f.write('domain: {name: controller}\n')
    one.process.signal(signal.SIGHUP)
    base.wait('the reload refused', lambda: 'Model not reloaded, keeping '
              'the running one: %s: service_groups: is required'
              % one.model_file in one.process.stderr(), WAIT)

    # The daemon is killed on the active controller: restarted there.
    killed = one.pid('daemon')
    os.kill(killed, signal.SIGKILL)
    base.wait('daemon restarted on controller-0',
              lambda: one.enables() == ['ip', 'daemon', 'daemon'] and
              one.active(), WAIT)
    assert one.pid('daemon') != killed

    # Killed again, it cannot be restarted: past its budget the group
    # fails on controller-0 and moves to controller-1.
    open(os.path.join(one.markers, 'daemon.broken'), 'w').close()
    os.kill(one.pid('daemon'), signal.SIGKILL)
    base.wait('the group active on controller-1', two.active, WAIT)
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
                   'services': [stand_in('ip', str(tmp_path))]}, f)
    result = base.run('stx-sm', '--config-file', config)
    assert result.returncode == 1, result
    assert result.stderr.strip().splitlines() == [
        'stx-sm: error: cannot read [sm] key_file %s: No such file or '
        'directory'
        % (tmp_path / 'missing.key')], result.stderr


def _key(path):
    with open(path, 'w') as f:
        f.write(os.urandom(32).hex())
    return path


class Relays:
    """Each path's datagrams, both ways, through a UdpRelay the test can
    cut.
    """

    def __init__(self, tmp_path, paths):
        self.relays = {}
        self.ports = {}
        for path in paths:
            key = _key(str(tmp_path / ('sm-%s.key' % path)))
            listen = [base.free_port(socket.SOCK_DGRAM) for _ in NODES]
            fronts = [base.free_port(socket.SOCK_DGRAM) for _ in NODES]
            # A node sends to its relay, which forwards to the other node.
            self.relays[path] = [network.UdpRelay(
                ('127.0.0.1', fronts[i]), ('127.0.0.1', listen[1 - i]))
                for i in range(len(NODES))]
            for i, node in enumerate(NODES):
                self.ports.setdefault(node, {})[path] = (
                    listen[i], fronts[i], key)

    def cut(self, *paths):
        for path in paths:
            for relay in self.relays[path]:
                relay.cut()

    def restore(self, *paths):
        for path in paths:
            for relay in self.relays[path]:
                relay.restore()

    def close(self):
        for relays in self.relays.values():
            for relay in relays:
                relay.close()


def wait_active_standby(one, two):
    base.wait('controller-0 active, controller-1 standby (warm)', lambda:
              one.active() and two.standby(), WAIT)


def start_pair(runner, tmp_path, rabbit_url, exchange=None,
               model=small_model, relays=None, sections=None):
    """controller-0's and controller-1's stx-sm, started: one direct
    management path, or the paths of ``relays``.

    :param sections: ``{node: {section: options}}``, more options.
    """
    if relays is None:
        key_file = _key(str(tmp_path / 'sm.key'))
        ports = [base.free_port(socket.SOCK_DGRAM) for _ in NODES]
        paths = {node: {'management': (ports[i], ports[1 - i], key_file)}
                 for i, node in enumerate(NODES)}
    else:
        paths = relays.ports
    pair = [Controller(runner, tmp_path, rabbit_url, node, paths[node],
                       exchange=exchange, model=model,
                       sections=(sections or {}).get(node))
            for node in NODES]
    for controller in pair:
        controller.process.wait_for_output(r'stx-sm ready')
    return pair


def _roles(cli):
    """{(group, controller): state} as ``stx servicegroup-list`` shows."""
    return {(row['service_group_name'], row['node_name']): row['state']
            for row in cli.json('servicegroup-list')}


def test_swact_round_trip_through_host_swact(runner, tmp_path, rabbit_url):
    """stx host-swact, as an operator: sysinv → stx-mtce → stx-sm.

    stx-aio on RabbitMQ without its own service management (each
    controller runs its stx-sm), controller-1 added and unlocked with its
    own stx-agent, stx-sm-api as its own process.
    """
    deployment = test_heartbeat.Deployment(
        runner, tmp_path, rabbit_url,
        DEFAULT={'skip_services': 'sm'}, sm={'swact_timeout': WAIT})
    relays = Relays(tmp_path, ('management', 'cluster_host', 'oam'))
    pair = []
    try:
        deployment.add_worker('controller-1', personality='controller')
        deployment.cli.ok('host-unlock', 'controller-1', '--wait',
                          '--timeout', str(WAIT))
        assert deployment.states('controller-1') == test_heartbeat.IN_SERVICE
        pair = start_pair(runner, tmp_path, rabbit_url, deployment.exchange,
                          relays=relays)
        api_config = base.write_config(str(tmp_path / 'sm-api.conf'), {
            'DEFAULT': {'transport_url': rabbit_url,
                        'control_exchange': deployment.exchange,
                        'state_path': str(tmp_path / 'sm-api')}})
        api = runner.start('stx-sm-api', '--config-file', api_config,
                           '--port', '0')
        sm_url = api.wait_for_output(r'stx-sm-api ready: URL=(\S+)').group(1)
        cli = base.CLI('--stx-url', deployment.url, '--sm-url', sm_url)
        _swact_round_trip(cli, *pair)
        _paths_cut(cli, relays)
        check_one_active(history(tmp_path))
        assert api.stop() == 0, api.describe()
    finally:
        for controller in pair:
            controller.kill_stand_ins()
            controller.process.stop()
        relays.close()
        deployment.close()


def _path_alarms(cli):
    return {alarm['entity_instance_id'] for alarm in cli.json('alarm-list')
            if alarm['alarm_id'] == '400.005'}


def _paths_cut(cli, relays):
    """One path cut, then two: alarms name them, nothing moves."""
    roles = _roles(cli)
    relays.cut('cluster_host')
    base.wait('400.005 for the cluster-host path', lambda: _path_alarms(
        cli) == {'host=controller-0.network=cluster-host',
                 'host=controller-1.network=cluster-host'}, WAIT)
    paths = {path['name']: path['alive'] for path in cli.json(
        'servicenode-show', 'controller-0')['paths']}
    assert paths == {'management': True, 'cluster-host': False,
                     'oam': True}, paths
    relays.cut('oam')
    base.wait('400.005 for cluster-host and oam', lambda: len(_path_alarms(
        cli)) == 4, WAIT)
    time.sleep(2)                       # well past the dead interval
    assert _roles(cli) == roles
    relays.restore('cluster_host', 'oam')
    base.wait('400.005 cleared', lambda: not _path_alarms(cli), WAIT)
    assert _roles(cli) == roles


def _swact_round_trip(cli, one, two):
    base.wait('controller-0 active, controller-1 standby', lambda: _roles(
        cli) == {('core', 'controller-0'): 'active',
                 ('core', 'controller-1'): 'standby'}, WAIT)
    services = {(row['name'], row['node_name']): row['state']
                for row in cli.json('service-list')}
    assert services == {('ip', 'controller-0'): 'enabled-active',
                        ('daemon', 'controller-0'): 'enabled-active',
                        ('ip', 'controller-1'): 'enabled-standby',
                        ('daemon', 'controller-1'): 'enabled-standby'}
    nodes = {row['name']: row for row in cli.json('servicenode-list')}
    assert set(nodes) == set(NODES)

    # Nothing is active on controller-1: service management says so.
    error = cli.error('host-swact', 'controller-1')
    assert 'Cannot swact controller-1: no service group is active there' \
        in error, error

    for source, target, side in (('controller-0', 'controller-1', two),
                                 ('controller-1', 'controller-0', one)):
        cli.ok('host-swact', source, '--wait', '--timeout', str(WAIT))
        assert _roles(cli) == {('core', target): 'active',
                               ('core', source): 'standby'}
        assert side.active()
        base.wait('%s standby, warm' % source,
                  (one if side is two else two).standby, WAIT)
    logs = [event['reason_text'] for event in cli.json('event-list',
                                                       '--logs')
            if event['event_log_id'] == '200.021' and
            event['reason_text'].startswith('Swact of ')]
    assert len(logs) == 2, logs
    assert logs[-1].startswith('Swact of controller-0: core active on '
                               'controller-1 after '), logs
    # Warm standbys: the swacts flipped roles, nothing was started again.
    assert one.enables() == ['ip', 'daemon'] == two.enables()


# A BMC's power hook: the power-offs are logged, and one kills its
# controller's stx-sm and every stand-in, as a power-off would, and ends
# its active roles in its history.
POWER_HOOK = ('echo "$STX_BMC_POWER" >> {log}; '
              'if [ "$STX_BMC_POWER" = off ]; then '
              'kill -9 $(cat {node}/sm.pid); '
              'for f in {node}/markers/*.pid; do kill -9 $(cat "$f"); done; '
              'echo "$(date +%s.%N) * off" >> {node}/' + HISTORY + '; fi')


def fenced_model(markers):
    model = small_model(markers)
    model['domain']['fail_pending_ms'] = 1200
    return model


# The simulator's log line of a power-off through IPMI.
_POWER_OFF = re.compile(r'^(\S+ \S+),(\d+) INFO stx\.sim\.bmc: (\S+): '
                        r'power off \(ipmi\)$')


class Fenced:
    """Two stx-sm whose peers' BMCs are BMCs of one stx-bmc-sim.

    :param exchange: their control_exchange; default a new one.
    :param sections: ``{node: {section: options}}``, more options.
    :param model: ``model(markers)`` -> the model document.
    """

    def __init__(self, runner, tmp_path, rabbit_url, password, relays=None,
                 exchange=None, sections=None, model=fenced_model):
        self.tmp_path = tmp_path
        ports = {node: base.free_port(socket.SOCK_DGRAM) for node in NODES}
        config = str(tmp_path / 'bmcs.yaml')
        with open(config, 'w') as f:
            json.dump({'defaults': {'username': 'admin',
                                    'password': test_mtce.PASSWORD},
                       'bmcs': [{'name': node, 'port': ports[node],
                                 'power_hook': POWER_HOOK.replace(
                                     '{log}', self.power_log(node)).replace(
                                     '{node}', str(tmp_path / node))}
                                for node in NODES]}, f)
        self.sim = runner.start('stx-bmc-sim', '--config', config)
        self.sim.wait_for_output(r'control (http://127\.0\.0\.1:\d+)')
        settings = {node: {
            'DEFAULT': {'enabled_bmc_drivers': 'ipmi'},
            'sm': {'peer_bmc_type': 'ipmi',
                   'peer_bmc_address': '127.0.0.1:%d' % ports[other],
                   'peer_bmc_username': 'admin',
                   'peer_bmc_password': password,
                   'fence_timeout': 5, 'fence_retry_interval': 1}}
            for node, other in zip(NODES, reversed(NODES))}
        for node, more in (sections or {}).items():
            for section, options in more.items():
                settings[node][section] = dict(
                    settings[node].get(section, {}), **options)
        self.pair = start_pair(runner, tmp_path, rabbit_url, exchange,
                               model=model, sections=settings,
                               relays=relays)
        for node, controller in zip(NODES, self.pair):
            (tmp_path / node / 'sm.pid').write_text(
                str(controller.process.pid))

    def power_offs(self):
        """(time, node, '*', 'off') of each power-off, when the simulator
        changed the power state. Its power hook (the stand-ins killed,
        '* off' in the history) runs right after, the power command
        answered meanwhile: a physical power-off takes no such time.
        """
        offs = []
        for line in self.sim.stderr().splitlines():
            found = _POWER_OFF.match(line)
            if found:
                at = time.mktime(time.strptime(found.group(1),
                                               '%Y-%m-%d %H:%M:%S'))
                offs.append((at + int(found.group(2)) / 1000.0,
                             found.group(3), '*', 'off'))
        return offs

    def power_log(self, node):
        return str(self.tmp_path / ('%s-power.log' % node))

    def powered(self, node):
        path = self.power_log(node)
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return f.read().split()

    def close(self):
        for controller in self.pair:
            controller.kill_stand_ins()
            controller.process.kill()


def test_a_dead_active_is_fenced_then_its_groups_taken(runner, tmp_path,
                                                       rabbit_url):
    fenced = Fenced(runner, tmp_path, rabbit_url, test_mtce.PASSWORD)
    one, two = fenced.pair
    try:
        wait_active_standby(one, two)
        one.process.kill()              # kill -9 the active's stx-sm
        killed = time.monotonic()
        base.wait('the group active on controller-1', two.active, WAIT)
        print('failover: %.2f s from kill -9 to active on controller-1'
              % (time.monotonic() - killed))
        # Fenced first: powered off through its BMC, which killed its
        # stand-ins (the marker files stay, the processes are gone).
        assert fenced.powered('controller-0') == ['off']
        assert fenced.powered('controller-1') == []
        for name in ('ip', 'daemon'):
            assert not _alive(one.pid(name))
        check_one_active(history(tmp_path) + fenced.power_offs())
        log = two.process.stderr()
        assert 'Peer failover on controller-1: fail-pending: nothing ' \
            'heard from controller-0 on any path' in log, log
        assert 'Peer failover on controller-1: failed: controller-0 ' \
            'fenced: BMC 127.0.0.1 confirms the power off' in log, log
    finally:
        fenced.close()


def test_no_takeover_without_a_confirmed_fence(runner, tmp_path, rabbit_url):
    fenced = Fenced(runner, tmp_path, rabbit_url, test_mtce.WRONG_PASSWORD)
    one, two = fenced.pair
    try:
        wait_active_standby(one, two)
        one.process.kill()
        base.wait('the fence refused', lambda: 'Peer failover on '
                  'controller-1: fence-failed: controller-0 not fenced' in
                  two.process.stderr(), WAIT)
        time.sleep(3)                   # two more fences refused
        assert two.process.stderr().count('fence-failed') >= 2
        assert two.standby()
        assert fenced.powered('controller-0') == []
        check_one_active(history(tmp_path) + fenced.power_offs())
    finally:
        fenced.close()


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open('/proc/%d/stat' % pid) as f:
        return f.read().split()[2] != 'Z'


def test_cut_off_from_each_other_exactly_one_stays_active(
        runner, tmp_path, rabbit_url):
    """Every path cut: the active keeps its groups (its peer held none),
    the standby fences it and takes them: one active, the other off.
    """
    relays = Relays(tmp_path, ('management', 'cluster_host', 'oam'))
    fenced = Fenced(runner, tmp_path, rabbit_url, test_mtce.PASSWORD,
                    relays=relays)
    one, two = fenced.pair
    try:
        wait_active_standby(one, two)
        relays.cut('management', 'cluster_host', 'oam')
        base.wait('the group active on controller-1', two.active, WAIT)
        assert fenced.powered('controller-0') == ['off']
        assert fenced.powered('controller-1') == []
        assert one.process.wait(5) is not None      # powered off
        log = two.process.stderr()
        assert 'failed: controller-0 fenced' in log, log
        check_one_active(history(tmp_path) + fenced.power_offs())
    finally:
        fenced.close()
        relays.close()


def test_the_packaged_model_runs_the_stx_daemons(runner, tmp_path,
                                                 rabbit_url):
    """stx-sm alone on the packaged model: it starts stx-flock's own
    daemons (ProcessAction) in dependency order and restarts one that is
    killed at once (its pid is watched). The floating addresses become
    commands here: this test changes no interface.
    """
    with open(sm_model.packaged(sm_model.STANDARD)) as f:
        document = yaml.safe_load(f)
    for service in document['services']:
        if service['name'] in ('management-ip', 'oam-ip'):
            service['actions'] = {
                action: {'type': 'command', 'command': ['true']}
                for action in ('enable', 'disable', 'audit')}
    model = str(tmp_path / 'model.yaml')
    with open(model, 'w') as f:
        yaml.safe_dump(document, f)
    state = tmp_path / 'state'
    config = base.write_config(str(tmp_path / 'stx.conf'), {
        'DEFAULT': {'transport_url': rabbit_url,
                    'control_exchange': base.unique_name('stx'),
                    'host': base.unique_name('controller'),
                    'state_path': str(state)},
        'database': {'connection': 'sqlite:///%s' % (tmp_path / 'sysinv.db')},
        'fm_database': {'connection': 'sqlite:///%s' % (tmp_path / 'fm.db')},
        'api': {'host_ip': '127.0.0.1'},
        'sm': {'node': 'controller-0', 'model_file': model}})
    sync = base.run('stx-dbsync', '--config-file', config)
    assert sync.returncode == 0, sync.stderr
    daemons = ('sysinv-conductor', 'sysinv-api', 'fm-manager', 'fm-api',
               'mtce')

    def pid(name):
        try:
            return int((state / 'sm' / ('%s.pid' % name)).read_text())
        except (OSError, ValueError):
            return None

    sm = runner.start('stx-sm', '--config-file', config)
    try:
        base.wait('every daemon ready', lambda: all(
            pid(name) and _alive(pid(name)) and 'stx-%s ready' % name in
            (state / 'sm' / ('%s.log' % name)).read_text()
            for name in daemons), WAIT)
        killed = pid('fm-api')
        os.kill(killed, signal.SIGKILL)
        started = time.monotonic()
        base.wait('fm-api restarted', lambda: pid('fm-api') not in (
            None, killed) and _alive(pid('fm-api')), WAIT)
        # Its audit is 90 s apart: the watch found the exit ("exited"), or,
        # killed before the watch began, the enable's end ("is not
        # running").
        assert time.monotonic() - started < 10
        assert re.search(r'Service fm-api: process %d (exited|is not '
                         r'running)' % killed, sm.stderr()), sm.describe()
        assert sm.stop() == 0, sm.describe()
    finally:
        # stx-sm first: it would start again what is killed under it.
        sm.kill()
        for name in daemons:
            if pid(name):
                try:
                    os.killpg(pid(name), signal.SIGKILL)
                except OSError:
                    pass
