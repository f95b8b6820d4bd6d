"""pmon watching real short-lived processes (``sleep 30``) with tiny
intervals: restarts, failures asserted and cleared, pidfiles, no zombies.

Tests drive ``ProcessMonitor.audit()`` themselves, polling until what they
expect happens (or a deadline passes); every process the monitor or a test
starts is killed at the end.
"""

import os
import signal
import subprocess
import time

import fixtures
from oslo_config import fixture as config_fixture
import testtools

from stx.conf import CONF
from stx.mtce.pmon import config
from stx.mtce.pmon import monitor

TIMEOUT = 10
# Long enough that nothing is cleared while a test still kills it.
LONG = 60
# A script that writes its pid to the file named by its argument, then
# becomes a sleep of that pid.
WRITES_PIDFILE = 'echo $$ > "$1"; exec sleep 30\n'


def process(name='sleeper', **fields):
    values = dict(path='/etc/pmon.d/%s.conf' % name, script='sleep 30',
                  severity='major', restarts=3, interval=0.05,
                  debounce=LONG, startuptime=0.05)
    values.update(fields)
    return config.Process(name=name, **values)


def exists(pid):
    """Whether ``pid`` names any process, zombies included."""
    return os.path.exists('/proc/%d' % pid)


class MonitorTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.logs = self.useFixture(fixtures.FakeLogger(
            name='stx.mtce.pmon.monitor'))
        self.reports = []
        self.spawned = []

    def spawn(self, argv):
        child = monitor.spawn(argv)
        self.spawned.append(child)
        self.addCleanup(self.kill, child)
        return child

    def kill(self, child):
        # Popen signals only a child it has not reaped; the monitor may
        # have reaped it (then wait() returns at once).
        child.kill()
        child.wait(TIMEOUT)

    def make_monitor(self, *processes):
        self.monitor = monitor.ProcessMonitor(processes, self.reports.append,
                                              spawn=self.spawn)
        return self.monitor

    def until(self, predicate, what):
        """Audit until ``predicate()`` holds; return the status then."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            self.monitor.audit()
            if predicate(self.monitor.status()):
                return self.monitor.status()
            if time.monotonic() > deadline:
                self.fail('no %s within %ss: %s' % (what, TIMEOUT,
                                                    self.monitor.status()))
            time.sleep(0.01)

    def running(self, name='sleeper', other_than=None):
        """Audit until ``name`` runs (with a pid other than one given)."""
        return self.until(
            lambda status: status[name]['state'] == monitor.RUNNING and
            status[name]['pid'] != other_than,
            '%s running' % name)[name]

    def kill_watched(self, name='sleeper'):
        pid = self.monitor.status()[name]['pid']
        os.kill(pid, signal.SIGKILL)
        return pid

    def sleeper_script(self):
        path = os.path.join(self.dir, 'sleeper.sh')
        with open(path, 'w') as script:
            script.write(WRITES_PIDFILE)
        return path


class TestRestarts(MonitorTestCase):

    def test_started_at_start_then_watched(self):
        self.make_monitor(process())

        status = self.running()

        self.assertEqual(1, len(self.spawned))
        self.assertEqual(self.spawned[0].pid, status['pid'])
        self.assertEqual((0, 0, False), (status['deaths'],
                                         status['restarts'],
                                         status['asserted']))
        self.assertIn('pmon: starting process sleeper', self.logs.output)
        self.assertIn('pmon: process sleeper started (pid %d)'
                      % status['pid'], self.logs.output)
        self.assertEqual([], self.reports[-1])

    def test_killed_process_is_restarted_and_reaped(self):
        self.make_monitor(process())
        self.running()
        killed = self.kill_watched()

        status = self.running(other_than=killed)

        self.assertEqual((1, 1, False), (status['deaths'],
                                         status['restarts'],
                                         status['asserted']))
        self.assertFalse(exists(killed), 'pid %d left a zombie' % killed)
        self.assertIn('pmon: process sleeper (pid %d) died' % killed,
                      self.logs.output)
        self.assertIn('pmon: process sleeper restarted (pid %d)'
                      % status['pid'], self.logs.output)
        self.assertEqual([], self.reports[-1])

    def test_deaths_past_its_restarts_are_reported(self):
        self.make_monitor(process(restarts=2, severity='critical'))
        pid = self.running()['pid']
        for _ in range(2):
            os.kill(pid, signal.SIGKILL)
            pid = self.running(other_than=pid)['pid']
            self.assertEqual([], self.reports[-1])
        os.kill(pid, signal.SIGKILL)

        status = self.until(lambda status: status['sleeper']['asserted'],
                            'the failure asserted')['sleeper']

        self.assertEqual(3, status['deaths'])
        condition, = self.reports[-1]
        self.assertEqual(('sleeper', 'critical'),
                         (condition['key'], condition['severity']))
        self.assertRegex(condition['reason'],
                         r'^process sleeper died 3 times in \d+ s; 2 '
                         r'restarts did not keep it up$')
        self.assertIn('pmon: critical failure of process sleeper: '
                      'process sleeper died 3 times', self.logs.output)
        # As StarlingX, pmon goes on restarting it.
        status = self.running(other_than=pid)
        self.assertTrue(status['asserted'])
        self.assertEqual(3, status['restarts'])

    def test_staying_up_debounce_clears_the_failure(self):
        self.make_monitor(process(restarts=0, debounce=0.5,
                                  severity='minor'))
        self.running()
        killed = self.kill_watched()

        self.until(lambda status: status['sleeper']['asserted'],
                   'the failure asserted')
        self.assertEqual(
            [{'key': 'sleeper', 'severity': 'minor',
              'reason': 'process sleeper died and has no restarts before '
                        'its failure is reported'}], self.reports[-1])

        status = self.until(
            lambda status: not status['sleeper']['asserted'],
            'the failure cleared')['sleeper']

        self.assertEqual((monitor.RUNNING, 0, 0),
                         (status['state'], status['deaths'],
                          status['restarts']))
        self.assertNotEqual(killed, status['pid'])
        self.assertEqual([], self.reports[-1])
        self.assertIn('pmon: process sleeper stayed up 0.5s after 1 deaths: '
                      'failure cleared', self.logs.output)

    def test_script_that_cannot_run_counts_as_a_death(self):
        self.make_monitor(process(script='/nonexistent/sleeper',
                                  restarts=1))

        status = self.until(lambda status: status['sleeper']['asserted'],
                            'the failure asserted')['sleeper']

        self.assertEqual(2, status['deaths'])
        self.assertIn("pmon: cannot start process sleeper with "
                      "'/nonexistent/sleeper'", self.logs.output)

    def test_ignored_process_is_left_alone(self):
        self.make_monitor(process(mode=config.IGNORE))

        self.monitor.audit()

        self.assertEqual({}, self.monitor.status())
        self.assertEqual([], self.spawned)
        self.assertIn('pmon: process sleeper not monitored (mode ignore)',
                      self.logs.output)


class TestPidfile(MonitorTestCase):

    def setUp(self):
        super().setUp()
        self.pidfile = os.path.join(self.dir, 'sleeper.pid')

    def pidfile_pid(self):
        with open(self.pidfile) as pidfile:
            return int(pidfile.read())

    def start_sleep(self):
        """A process the test starts, as the process's own service would,
        with its pid in the pidfile.
        """
        child = subprocess.Popen(['sleep', '30'])
        self.addCleanup(self.kill, child)
        with open(self.pidfile, 'w') as pidfile:
            pidfile.write('%d\n' % child.pid)
        return child

    def test_pid_is_the_pidfiles(self):
        script = '%s %s %s' % ('sh', self.sleeper_script(), self.pidfile)
        self.make_monitor(process(pidfile=self.pidfile, script=script))

        pid = self.running()['pid']
        self.assertEqual(self.pidfile_pid(), pid)

        os.kill(pid, signal.SIGKILL)
        status = self.running(other_than=pid)

        self.assertEqual(self.pidfile_pid(), status['pid'])
        self.assertEqual(2, len(self.spawned))
        self.assertFalse(exists(pid), 'pid %d left a zombie' % pid)

    def test_running_process_is_watched_not_started(self):
        child = self.start_sleep()
        self.make_monitor(process(pidfile=self.pidfile))

        self.assertEqual(child.pid, self.running()['pid'])
        self.assertEqual([], self.spawned)
        self.assertIn('pmon: monitoring process sleeper (pid %d)'
                      % child.pid, self.logs.output)

    def test_stale_pidfile_starts_the_process(self):
        with open(self.pidfile, 'w') as pidfile:
            pidfile.write('%d\n' % self.dead_pid())
        script = '%s %s %s' % ('sh', self.sleeper_script(), self.pidfile)
        self.make_monitor(process(pidfile=self.pidfile, script=script))

        pid = self.running()['pid']

        self.assertEqual(self.pidfile_pid(), pid)
        self.assertEqual(1, len(self.spawned))

    def dead_pid(self):
        child = subprocess.Popen(['true'])
        child.wait()
        return child.pid

    def test_death_without_script_is_reported_at_once_until_it_is_back(self):
        first = self.start_sleep()
        self.make_monitor(process(pidfile=self.pidfile, script=None,
                                  restarts=3, debounce=0.2))
        self.running()
        first.kill()

        self.until(lambda status: status['sleeper']['asserted'],
                   'the failure asserted')
        self.assertEqual(
            [{'key': 'sleeper', 'severity': 'major',
              'reason': 'process sleeper died and cannot be restarted: it '
                        'has no script'}], self.reports[-1])
        self.assertFalse(exists(first.pid), 'a zombie is left')

        second = self.start_sleep()
        self.assertEqual(second.pid, self.running()['pid'])
        self.assertIn('pmon: process sleeper is running again (pid %d)'
                      % second.pid, self.logs.output)
        self.until(lambda status: not status['sleeper']['asserted'],
                   'the failure cleared')
        self.assertEqual([], self.reports[-1])
        self.assertEqual([], self.spawned)

    def test_absent_at_start_without_script_is_reported(self):
        self.make_monitor(process(pidfile=self.pidfile, script=None))

        self.until(lambda status: status['sleeper']['asserted'],
                   'the failure asserted')
        self.assertIn('pmon: process sleeper is not running 0.05s after its '
                      'start (no live pid in %s)' % self.pidfile,
                      self.logs.output)


class TestThread(MonitorTestCase):

    def test_audits_in_its_thread_and_leaves_processes_at_stop(self):
        conf = self.useFixture(config_fixture.Config(CONF))
        conf.config(audit_period=0.01, group='pmon')
        self.make_monitor(process())
        self.monitor.start()
        deadline = time.monotonic() + TIMEOUT
        while (self.monitor.status()['sleeper']['state'] != monitor.RUNNING
               and time.monotonic() < deadline):
            time.sleep(0.01)
        pid = self.monitor.status()['sleeper']['pid']

        started = time.monotonic()
        self.monitor.stop()

        self.assertLess(time.monotonic() - started, 1)
        self.assertEqual(self.spawned[0].pid, pid)
        self.assertIsNone(self.spawned[0].poll(), 'pmon stopped it')
        self.assertEqual([], self.reports[-1])
