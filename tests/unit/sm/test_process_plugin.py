"""The process plugin running real (fake) console scripts.

No stx daemon runs here: each test puts small shell scripts named like
console scripts (``stx-fake``, ``stx-broken``, ...) in a temporary
directory first on ``PATH``, where the plugin finds them as it would find
``stx-fm-api``. Every process a test starts is killed at the end.
"""

import os
import signal
import stat
import subprocess
import sys
import time

import fixtures
from oslo_config import fixture as config_fixture
from oslotest import base

from stx.conf import CONF
from stx.sm import actions
from stx.sm import model
from stx.sm.plugins import process

# Seconds a test waits for a process to go.
TIMEOUT = 5

SCRIPTS = {
    # Echoes its arguments and the pid of a child it starts, is ready a
    # little later, then sleeps.
    'stx-fake': ('echo "argv: $*"\n'
                 'sleep 30 &\n'
                 'echo "child: $!"\n'
                 'sleep 0.1\n'
                 'echo "stx-fake ready"\n'
                 'sleep 30\n'),
    'stx-broken': ('echo "starting"\n'
                   'echo "stx-broken: error: cannot reach the sysinv '
                   'database" >&2\n'
                   'exit 1\n'),
    # Ignores SIGTERM, and so does the sleep it waits for.
    'stx-stubborn': ("trap '' TERM\n"
                     'echo "stx-stubborn ready: URL=http://127.0.0.1:1"\n'
                     'sleep 30\n'),
}


def gone(pid):
    """Whether ``pid`` has exited (a zombie has)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rpartition(')')[2].split()[0] == 'Z'
    except OSError:
        return True


def wait_gone(pid):
    deadline = time.monotonic() + TIMEOUT
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return gone(pid)


class TestProcessAction(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.state_dir = self.useFixture(fixtures.TempDir()).path
        # The options config_file and config_dir exist once CONF parsed a
        # command line, until the fixture's reset clears them again.
        CONF([], project='stx', default_config_files=[])
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.conf.config(state_path=self.state_dir)
        self.bin_dir = self.useFixture(fixtures.TempDir()).path
        for name, body in SCRIPTS.items():
            self._script(name, body)
        self.useFixture(fixtures.EnvironmentVariable(
            'PATH', os.pathsep.join([self.bin_dir, os.environ['PATH']])))
        self.plugin = process.ProcessAction()
        self.addCleanup(self._kill_children)

    def _script(self, name, body):
        path = os.path.join(self.bin_dir, name)
        with open(path, 'w') as f:
            f.write('#!/bin/sh\n' + body)
        os.chmod(path, stat.S_IRWXU)
        return path

    def _kill_children(self):
        for child in list(self.plugin._children.values()):
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            child.wait()

    def _pid(self, service):
        with open(process.pid_file(service)) as f:
            return int(f.read())

    def _log(self, service):
        with open(process.log_file(service)) as f:
            return f.read()

    def _unrelated_process(self):
        sleep = subprocess.Popen(['sleep', '30'], start_new_session=True)
        self.addCleanup(sleep.wait)
        self.addCleanup(sleep.kill)
        return sleep.pid

    def _write_pid_file(self, service, pid):
        os.makedirs(os.path.dirname(process.pid_file(service)),
                    exist_ok=True)
        with open(process.pid_file(service), 'w') as f:
            f.write('%d\n' % pid)

    def test_enable_starts_the_script_and_waits_until_it_is_ready(self):
        self.plugin.enable('fake')
        pid = self._pid('fake')
        self.assertTrue(process.is_running(pid, 'stx-fake'))
        self.assertIn('stx-fake ready\n', self._log('fake'))
        self.assertEqual(
            os.path.join(self.state_dir, 'sm', 'fake.pid'),
            process.pid_file('fake'))
        self.assertEqual(0o700, stat.S_IMODE(os.stat(
            os.path.join(self.state_dir, 'sm')).st_mode))
        # Its own session: stopping stx-sm does not stop it.
        self.assertEqual(pid, os.getsid(pid))

    def test_enable_of_a_running_service_starts_nothing(self):
        self.plugin.enable('fake')
        pid = self._pid('fake')
        self.plugin.enable('fake')
        self.assertEqual(pid, self._pid('fake'))
        self.assertEqual(1, self._log('fake').count('stx-fake ready'))

    def test_audit_passes_while_it_runs_and_fails_once_it_is_killed(self):
        self.plugin.enable('fake')
        pid = self._pid('fake')
        self.plugin.audit('fake')
        os.killpg(pid, signal.SIGKILL)
        self.assertTrue(wait_gone(pid))
        error = self.assertRaises(process.NotRunning,
                                  self.plugin.audit, 'fake')
        self.assertEqual('stx-fake (pid %d) is not running' % pid, str(error))

    def test_audit_without_a_pid_file_fails(self):
        error = self.assertRaises(process.NotRunning,
                                  self.plugin.audit, 'fake')
        self.assertEqual('stx-fake is not running (pid file %s: missing)'
                         % process.pid_file('fake'), str(error))

    def test_disable_stops_the_whole_session_and_removes_the_pid_file(self):
        self.plugin.enable('fake')
        pid = self._pid('fake')
        child = int(self._log('fake').split('child: ')[1].split()[0])
        self.assertFalse(gone(child))
        self.plugin.disable('fake')
        # An exiting process drops its command line (disable is done)
        # a moment before it is a zombie.
        self.assertTrue(wait_gone(pid))
        self.assertTrue(wait_gone(child))
        self.assertFalse(os.path.exists(process.pid_file('fake')))
        self.assertRaises(process.NotRunning, self.plugin.audit, 'fake')

    def test_disable_kills_a_process_that_ignores_sigterm(self):
        self.useFixture(fixtures.MonkeyPatch(
            'stx.sm.plugins.process.STOP_TIMEOUT', 0.2))
        self.plugin.enable('stubborn')
        pid = self._pid('stubborn')
        self.plugin.disable('stubborn')
        self.assertTrue(wait_gone(pid))
        self.assertFalse(os.path.exists(process.pid_file('stubborn')))

    def test_disable_with_nothing_running_succeeds(self):
        self.plugin.disable('fake')
        self.plugin.enable('fake')
        pid = self._pid('fake')
        os.killpg(pid, signal.SIGKILL)
        self.assertTrue(wait_gone(pid))
        self.plugin.disable('fake')
        self.assertFalse(os.path.exists(process.pid_file('fake')))

    def test_a_pid_file_naming_another_process_is_not_trusted(self):
        for other in (os.getpid(), self._unrelated_process()):
            self._write_pid_file('fake', other)
            error = self.assertRaises(process.NotRunning,
                                      self.plugin.audit, 'fake')
            self.assertEqual('stx-fake (pid %d) is not running' % other,
                             str(error))
            self.plugin.disable('fake')
            self.assertFalse(os.path.exists(process.pid_file('fake')))
            self.assertFalse(gone(other))

            self._write_pid_file('fake', other)
            self.plugin.enable('fake')
            self.assertNotEqual(other, self._pid('fake'))
            self.plugin.disable('fake')
            self.assertFalse(gone(other))

    def test_a_script_that_exits_before_ready_fails_with_its_log(self):
        os.makedirs(os.path.join(self.state_dir, 'sm'))
        with open(process.log_file('broken'), 'w') as f:
            # An earlier run's: not this one's ready line.
            f.write('stx-broken ready\n')
        error = self.assertRaises(process.ExitedBeforeReady,
                                  self.plugin.enable, 'broken')
        self.assertRegex(
            str(error),
            r'^stx-broken \(pid \d+\) exited with status 1 before it was '
            r'ready; .*/sm/broken\.log ends: starting \| stx-broken: error: '
            r'cannot reach the sysinv database$')
        self.assertFalse(os.path.exists(process.pid_file('broken')))

    def test_the_runner_gives_the_reason_on_one_line(self):
        action = model.Action(
            type=model.TYPE_PLUGIN, plugin='%s:ProcessAction'
            % process.__name__, timeout=5)
        result = actions.run('broken', model.ACTION_ENABLE, action)
        self.assertFalse(result.ok)
        self.assertTrue(result.reason.startswith(
            'ExitedBeforeReady: stx-broken (pid '), result.reason)
        self.assertNotIn('\n', result.reason)

    def test_a_missing_script_fails_naming_it(self):
        error = self.assertRaises(process.ScriptNotFound,
                                  self.plugin.enable, 'missing')
        self.assertEqual(
            'Console script stx-missing not found in %s or on PATH'
            % os.path.dirname(sys.executable), str(error))

    def test_the_script_next_to_the_interpreter_comes_first(self):
        name = os.path.basename(sys.executable)
        self._script(name, 'exit 0\n')
        self.assertEqual(os.path.join(os.path.dirname(sys.executable), name),
                         process.find_script(name))
        self.assertEqual(os.path.join(self.bin_dir, 'stx-fake'),
                         process.find_script('stx-fake'))

    def test_the_configuration_is_passed_on(self):
        config_file = os.path.join(self.state_dir, 'stx.conf')
        config_dir = os.path.join(self.state_dir, 'stx.conf.d')
        self.conf.config(config_file=[config_file], config_dir=[config_dir])
        self.plugin.enable('fake')
        self.assertIn('argv: --config-file %s --config-dir %s\n'
                      % (config_file, config_dir), self._log('fake'))
