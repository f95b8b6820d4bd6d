"""Process and resource monitoring in a worker's agent, as an operator sees
them: real processes.

``stx-aio`` on RabbitMQ manages worker-1, a real ``stx-agent`` (the
deployment of test_heartbeat) whose process monitor watches two ``sleep``
processes started by a small script that writes their pidfile, and whose
resource monitor samples, every second, a directory with thresholds of 1,
2 and 3 percent. The test kills the major process (restarted), kills it
past its restarts (alarm 200.006 major, host degraded), lets it stay up
(cleared), kills the minor one (alarm only), then creates the directory
(alarm 100.104 critical, host degraded) and removes it again.
"""

import os
import signal
import time

from tests.functional import base
from tests.functional import test_heartbeat

WAIT = test_heartbeat.WAIT
DEGRADED = ('unlocked', 'enabled', 'degraded')
IN_SERVICE = test_heartbeat.IN_SERVICE
MAJOR = 'sleeper-major'
MINOR = 'sleeper-minor'
# Writes its pid where its argument says, then becomes a long sleep (ended
# by the test, or on its own if a failed test leaves it behind).
SLEEPER = 'echo $$ > "$1"\nexec sleep 300\n'
_wait = test_heartbeat._wait


class Monitored:
    """The pmon and rmon files of worker-1's agent, and its processes."""

    def __init__(self, tmp_path):
        self.run_dir = tmp_path / 'run'
        self.run_dir.mkdir()
        conf_dir = tmp_path / 'pmon.d'
        conf_dir.mkdir()
        script = tmp_path / 'sleeper.sh'
        script.write_text(SLEEPER)
        for name, options in (
                # Long enough debounces for the CLI calls between kills.
                (MAJOR, {'severity': 'major', 'restarts': 2,
                         'debounce': 12}),
                (MINOR, {'severity': 'minor', 'restarts': 0,
                         'debounce': 5})):
            options.update(process=name, pidfile=self.pidfile(name),
                           script='sh %s %s' % (script, self.pidfile(name)),
                           interval=0.5, startuptime=0.5)
            base.write_config(str(conf_dir / ('%s.conf' % name)),
                              {'process': options})
        # Created by the test: rmon samples it from then on.
        self.filesystem = str(tmp_path / 'filling')
        self.config_file = base.write_config(
            str(tmp_path / 'monitors.conf'), {
                'agent': {'condition_report_interval': 5},
                'pmon': {'conf_dir': str(conf_dir), 'audit_period': 0.2},
                'rmon': {'audit_interval': 1,
                         'filesystems': self.filesystem,
                         'filesystem_minor_threshold': 1,
                         'filesystem_major_threshold': 2,
                         'filesystem_critical_threshold': 3,
                         # Only the file system is under test here: a
                         # loaded machine's cpu may well be 100% busy.
                         'cpu_minor_threshold': 101,
                         'cpu_major_threshold': 101,
                         'cpu_critical_threshold': 101,
                         'memory_minor_threshold': 101,
                         'memory_major_threshold': 101,
                         'memory_critical_threshold': 101}})
        self.pids = set()

    def pidfile(self, name):
        return str(self.run_dir / ('%s.pid' % name))

    def pid(self, name):
        """The live pid in ``name``'s pidfile, or None."""
        try:
            with open(self.pidfile(name)) as pidfile:
                pid = int(pidfile.read())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        self.pids.add(pid)
        return pid

    def restarted(self, name, old_pid):
        """Wait until ``name`` runs with a new pid; return it."""
        _wait('%s restarted' % name,
              lambda: self.pid(name) not in (None, old_pid))
        # The agent reaped it, even after its own restart (exec).
        assert not os.path.exists('/proc/%d' % old_pid), 'a zombie'
        return self.pid(name)

    def kill_all(self):
        for name in (MAJOR, MINOR):
            self.pid(name)
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def test_process_and_filesystem_conditions(runner, tmp_path, rabbit_url):
    monitored = Monitored(tmp_path)
    deployment = test_heartbeat.Deployment(runner, tmp_path, rabbit_url)
    try:
        _monitors(deployment, monitored, tmp_path / 'worker-1.log')
    finally:
        try:
            deployment.close()
        finally:
            monitored.kill_all()


def _alarms(deployment, alarm_id):
    """{entity_instance_id: severity} of the alarms ``alarm_id``."""
    return {alarm['entity_instance_id']: alarm['severity']
            for alarm in deployment.cli.json('alarm-list')
            if alarm['alarm_id'] == alarm_id}


def _log(path):
    with open(path) as log:
        return log.read()


def _monitors(deployment, monitored, log_path):
    # worker-1's agent reads the monitors' options after its own.
    agent = deployment.runner.start(
        'stx-agent', '--config-file', deployment.worker_config('worker-1'),
        '--config-file', monitored.config_file,
        env=dict(os.environ))   # (with rmon: see ProcessRunner.start)
    agent.wait_for_output('stx-agent ready')
    deployment.agents['worker-1'] = agent
    # The agent started both processes.
    major = _wait('%s started' % MAJOR, lambda: monitored.pid(MAJOR))
    minor = _wait('%s started' % MINOR, lambda: monitored.pid(MINOR))
    deployment.wait_states('worker-1', test_heartbeat.LOCKED_ONLINE)
    deployment.cli.ok('host-unlock', 'worker-1', '--wait', '--timeout',
                      str(WAIT))
    assert deployment.states('worker-1') == IN_SERVICE
    # The unlock restarted the agent; it found them running.
    assert (monitored.pid(MAJOR), monitored.pid(MINOR)) == (major, minor)
    _wait('the restarted agent watching them', lambda: _log(log_path).count(
        'pmon: monitoring process %s (pid %d)' % (MAJOR, major)))

    # Killed once: restarted, nothing reported.
    os.kill(major, signal.SIGKILL)
    major = monitored.restarted(MAJOR, major)
    _wait('restart logged', lambda: 'pmon: process %s restarted (pid %d)'
          % (MAJOR, major) in _log(log_path))
    assert _alarms(deployment, '200.006') == {}
    assert deployment.states('worker-1') == IN_SERVICE

    # Killed past its 2 restarts: major failure, host degraded.
    for _ in range(2):
        os.kill(major, signal.SIGKILL)
        major = monitored.restarted(MAJOR, major)
    entity = 'host=worker-1.process=%s' % MAJOR
    _wait('alarm 200.006', lambda: _alarms(deployment, '200.006'))
    assert _alarms(deployment, '200.006') == {entity: 'major'}
    deployment.wait_states('worker-1', DEGRADED)

    # Up for its debounce (12 s): cleared. (The alarm and the state are
    # two writes: wait for each.)
    deployment.wait_states('worker-1', IN_SERVICE)
    _wait('alarm 200.006 cleared',
          lambda: not _alarms(deployment, '200.006'))
    assert monitored.pid(MAJOR) == major

    # A minor process: an alarm, the host stays available.
    os.kill(minor, signal.SIGKILL)
    _wait('alarm 200.006 minor', lambda: _alarms(deployment, '200.006'))
    assert _alarms(deployment, '200.006') == {
        'host=worker-1.process=%s' % MINOR: 'minor'}
    assert deployment.states('worker-1') == IN_SERVICE
    monitored.restarted(MINOR, minor)
    _wait('alarm 200.006 cleared',
          lambda: not _alarms(deployment, '200.006'))

    # A file system above its critical threshold.
    started = time.monotonic()
    os.mkdir(monitored.filesystem)
    entity = 'host=worker-1.filesystem=%s' % monitored.filesystem
    _wait('alarm 100.104', lambda: _alarms(deployment, '100.104'))
    print('filesystem alarm %.2fs after the directory appeared'
          % (time.monotonic() - started))
    assert _alarms(deployment, '100.104') == {entity: 'critical'}
    deployment.wait_states('worker-1', DEGRADED)
    os.rmdir(monitored.filesystem)
    deployment.wait_states('worker-1', IN_SERVICE)
    _wait('alarm 100.104 cleared',
          lambda: not _alarms(deployment, '100.104'))
