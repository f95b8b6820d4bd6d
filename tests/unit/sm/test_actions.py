"""Running service actions: commands, systemd units, plugins."""

import collections
import sys
import threading
import time

import fixtures
from oslotest import base

from stx.sm import actions
from stx.sm import model

Action = collections.namedtuple('Action', 'type command unit plugin timeout')


def _command(*argv, timeout=5):
    return Action('command', list(argv), None, None, timeout)


def _plugin(name, timeout=5):
    return Action('plugin', None, None, '%s:%s' % (__name__, name), timeout)


class Recorder:
    """A plugin: records its calls; go-standby says no, audit raises."""

    calls = []
    release = threading.Event()

    def enable(self, service):
        self.calls.append(('enable', service))

    def go_standby(self, service):
        return False

    def audit(self, service):
        raise RuntimeError('%s is not answering' % service)

    def disable(self, service):
        self.release.wait(10)


class TestCommands(base.BaseTestCase):

    def test_exit_status_zero_is_success(self):
        self.assertEqual(actions.Result(True, None), actions.run(
            'fm-manager', model.ACTION_ENABLE, _command('true')))

    def test_failure_says_the_status_and_the_output(self):
        result = actions.run('fm-manager', model.ACTION_AUDIT, _command(
            sys.executable, '-c',
            'import sys; print("not listening"); sys.exit(3)'))
        self.assertEqual(actions.Result(False, 'exit status 3: not '
                                        'listening'), result)

    def test_a_command_that_cannot_run(self):
        result = actions.run('fm-manager', model.ACTION_ENABLE,
                             _command('/nonexistent/stx-fm-manager'))
        self.assertFalse(result.ok)
        self.assertIn('cannot run /nonexistent/stx-fm-manager',
                      result.reason)

    def test_timeout_kills_everything_the_command_started(self):
        pid_file = self.useFixture(fixtures.TempDir()).join('child.pid')
        script = ('import os, subprocess, sys, time\n'
                  'child = subprocess.Popen(["sleep", "30"])\n'
                  'open(sys.argv[1], "w").write(str(child.pid))\n'
                  'time.sleep(30)\n')
        started = time.monotonic()
        result = actions.run('fm-manager', model.ACTION_ENABLE, _command(
            sys.executable, '-c', script, pid_file, timeout=1))
        self.assertEqual(actions.Result(False, 'timed out after 1s'),
                         result)
        self.assertLess(time.monotonic() - started, 5)
        with open(pid_file) as f:
            child = int(f.read())
        deadline = time.monotonic() + 5
        while _alive(child):
            self.assertLess(time.monotonic(), deadline, 'child still alive')
            time.sleep(0.05)


def _alive(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().split()[2] != 'Z'
    except FileNotFoundError:
        return False


class TestSystemd(base.BaseTestCase):

    def test_a_unit_has_no_roles(self):
        unit = Action('systemd', None, 'stx-fm-manager.service', None, 5)
        for name in (model.ACTION_GO_ACTIVE, model.ACTION_GO_STANDBY):
            self.assertEqual(actions.Result(True, None),
                             actions.run('fm-manager', name, unit))


class TestPlugins(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        Recorder.calls.clear()
        Recorder.release.clear()
        self.addCleanup(Recorder.release.set)

    def test_method_of_the_action_called_with_the_service(self):
        self.assertEqual(actions.Result(True, None), actions.run(
            'mgmt-ip', model.ACTION_ENABLE, _plugin('Recorder')))
        self.assertEqual([('enable', 'mgmt-ip')], Recorder.calls)

    def test_false_exception_missing_method_and_timeout_fail(self):
        plugin = _plugin('Recorder', timeout=0.2)
        self.assertEqual(
            actions.Result(False, '%s:Recorder.go_standby returned False'
                           % __name__),
            actions.run('mgmt-ip', model.ACTION_GO_STANDBY, plugin))
        self.assertEqual(
            actions.Result(False, 'RuntimeError: mgmt-ip is not answering'),
            actions.run('mgmt-ip', model.ACTION_AUDIT, plugin))
        self.assertEqual(
            actions.Result(False, 'timed out after 0.2s'),
            actions.run('mgmt-ip', model.ACTION_DISABLE, plugin))
        result = actions.run('mgmt-ip', model.ACTION_GO_ACTIVE, plugin)
        self.assertEqual(False, result.ok)
        self.assertIn('has no go_active method', result.reason)

    def test_a_plugin_that_cannot_be_imported(self):
        result = actions.run('mgmt-ip', model.ACTION_ENABLE, Action(
            'plugin', None, None, 'stx.sm.no_such_module:Thing', 5))
        self.assertEqual(False, result.ok)
        self.assertIn("No module named 'stx.sm.no_such_module'",
                      result.reason)

    def test_one_instance_per_plugin(self):
        for _ in range(2):
            actions.run('a', model.ACTION_ENABLE, _plugin('Recorder'))
        path = '%s:Recorder' % __name__
        self.assertIs(actions._plugins[path],
                      actions._plugin_instance(path))
