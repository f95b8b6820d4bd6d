"""Passive process monitoring: pid files and the process watcher."""

import errno
import os
import signal
import subprocess
import sys
import threading
from unittest import mock

import fixtures
from oslotest import base

from stx.sm import watch

# Long enough for the exit to be noticed: the watcher should take
# milliseconds.
_PROMPTLY = 1.0


class Calls:
    """A callback that records its calls and sets an event per key."""

    def __init__(self):
        self.calls = []
        self._events = {}
        self._lock = threading.Lock()

    def _event(self, key):
        with self._lock:
            return self._events.setdefault(key, threading.Event())

    def __call__(self, key, pid):
        self.calls.append((key, pid))
        self._event(key).set()

    def wait(self, key, timeout=_PROMPTLY):
        return self._event(key).wait(timeout)


def _open_fds():
    return len(os.listdir('/proc/self/fd'))


def _reap(process):
    if process.poll() is None:
        process.kill()
        process.wait()


class WatcherTests:
    """What a watcher does, with pidfds or by polling (``use_pidfd``)."""

    use_pidfd = True

    def setUp(self):
        super().setUp()
        self.calls = Calls()
        self.watcher = self.new_watcher()

    def new_watcher(self):
        watcher = watch.ProcessWatcher(fallback_interval=0.02,
                                       use_pidfd=self.use_pidfd)
        watcher.start()
        self.addCleanup(watcher.stop, 1.0)
        return watcher

    def spawn(self):
        process = subprocess.Popen(
            [sys.executable, '-c', 'import time; time.sleep(60)'])
        self.addCleanup(_reap, process)
        return process

    def kill(self, process, reap=True):
        process.send_signal(signal.SIGKILL)
        if reap:
            process.wait()

    def test_callback_on_exit_with_key_and_pid(self):
        process = self.spawn()
        self.assertTrue(self.watcher.watch('fm-manager', process.pid,
                                           self.calls))
        self.assertEqual({'fm-manager': process.pid},
                         self.watcher.watching())
        self.kill(process)
        self.assertTrue(self.calls.wait('fm-manager'))
        self.assertEqual([('fm-manager', process.pid)], self.calls.calls)
        self.assertEqual({}, self.watcher.watching())
        # The exit was taken: nothing left to unwatch.
        self.assertFalse(self.watcher.unwatch('fm-manager'))

    def test_watch_of_a_process_reaped_already_is_refused(self):
        process = self.spawn()
        self.kill(process)
        self.assertFalse(self.watcher.watch('fm-manager', process.pid,
                                            self.calls))
        self.assertEqual({}, self.watcher.watching())

    def test_no_callback_after_unwatch(self):
        process, sentinel = self.spawn(), self.spawn()
        self.watcher.watch('fm-manager', process.pid, self.calls)
        self.watcher.watch('sentinel', sentinel.pid, self.calls)
        self.assertTrue(self.watcher.unwatch('fm-manager'))
        self.kill(process)
        # The sentinel dies later: once its exit is seen, the other's would
        # have been.
        self.kill(sentinel)
        self.assertTrue(self.calls.wait('sentinel'))
        self.assertEqual([('sentinel', sentinel.pid)], self.calls.calls)

    def test_watching_a_key_again_replaces_its_watch(self):
        first, second = self.spawn(), self.spawn()
        replaced = Calls()
        self.watcher.watch('fm-manager', first.pid, replaced)
        self.assertTrue(self.watcher.watch('fm-manager', second.pid,
                                           self.calls))
        self.assertEqual({'fm-manager': second.pid},
                         self.watcher.watching())
        self.kill(first)
        self.kill(second)
        self.assertTrue(self.calls.wait('fm-manager'))
        self.assertEqual([('fm-manager', second.pid)], self.calls.calls)
        self.assertEqual([], replaced.calls)

    def test_a_failed_watch_ends_the_keys_previous_watch(self):
        live, gone = self.spawn(), self.spawn()
        self.kill(gone)
        self.watcher.watch('fm-manager', live.pid, self.calls)
        self.assertFalse(self.watcher.watch('fm-manager', gone.pid,
                                            self.calls))
        self.assertEqual({}, self.watcher.watching())

    def test_a_failing_callback_does_not_stop_the_watcher(self):
        first, second = self.spawn(), self.spawn()
        raised = threading.Event()

        def failing(key, pid):
            raised.set()
            raise RuntimeError('engine queue closed')

        self.watcher.watch('fm-manager', first.pid, failing)
        self.watcher.watch('mtc-agent', second.pid, self.calls)
        with mock.patch.object(watch.LOG, 'exception') as log_exception:
            self.kill(first)
            self.assertTrue(raised.wait(_PROMPTLY))
            self.kill(second)
            self.assertTrue(self.calls.wait('mtc-agent'))
        log_exception.assert_called_once()
        self.assertEqual([('mtc-agent', second.pid)], self.calls.calls)

    def test_a_callback_may_watch_again(self):
        first, second = self.spawn(), self.spawn()
        watched = threading.Event()

        def rewatch(key, pid):
            self.watcher.watch(key, second.pid, self.calls)
            watched.set()

        self.watcher.watch('fm-manager', first.pid, rewatch)
        self.kill(first)
        self.assertTrue(watched.wait(_PROMPTLY))
        self.kill(second)
        self.assertTrue(self.calls.wait('fm-manager'))
        self.assertEqual([('fm-manager', second.pid)], self.calls.calls)

    def test_stop_closes_every_fd(self):
        processes = [self.spawn() for _ in range(4)]
        before = _open_fds()
        watcher = watch.ProcessWatcher(fallback_interval=0.02,
                                       use_pidfd=self.use_pidfd)
        watcher.start()
        for index, process in enumerate(processes):
            watcher.watch(index, process.pid, self.calls)
        watcher.watch(0, processes[0].pid, self.calls)      # replaced
        watcher.unwatch(1)
        self.kill(processes[2])
        self.assertTrue(self.calls.wait(2))
        watcher.stop(1.0)
        self.assertEqual(before, _open_fds())
        self.assertRaises(RuntimeError, watcher.watch, 9, processes[3].pid,
                          self.calls)
        self.assertEqual(before, _open_fds())

    def test_stop_before_start_closes_every_fd(self):
        process = self.spawn()
        before = _open_fds()
        watcher = watch.ProcessWatcher(use_pidfd=self.use_pidfd)
        watcher.watch('fm-manager', process.pid, self.calls)
        watcher.stop()
        self.assertEqual(before, _open_fds())

    def test_no_callback_after_stop(self):
        process = self.spawn()
        self.watcher.watch('fm-manager', process.pid, self.calls)
        self.watcher.stop(1.0)
        self.kill(process)
        self.assertFalse(self.calls.wait('fm-manager', 0.1))

    def test_a_pid_that_is_not_positive_is_refused(self):
        self.assertRaises(ValueError, self.watcher.watch, 'fm-manager', 0,
                          self.calls)


class TestPidfdWatcher(WatcherTests, base.BaseTestCase):

    def _zombie(self):
        process = self.spawn()
        self.kill(process, reap=False)
        # Wait for the exit without reaping it.
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        return process

    def _still_a_zombie(self, process):
        self.assertIsNotNone(os.waitid(
            os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT))

    def test_callback_when_the_process_is_not_reaped(self):
        process = self.spawn()
        self.watcher.watch('fm-manager', process.pid, self.calls)
        self.kill(process, reap=False)
        self.assertTrue(self.calls.wait('fm-manager'))
        self._still_a_zombie(process)

    def test_watch_of_a_zombie_calls_back_at_once(self):
        process = self._zombie()
        self.assertTrue(self.watcher.watch('fm-manager', process.pid,
                                           self.calls))
        self.assertTrue(self.calls.wait('fm-manager'))
        self._still_a_zombie(process)


class TestFallbackWatcher(WatcherTests, base.BaseTestCase):
    """The same behaviour, by polling with kill(pid, 0)."""

    use_pidfd = False


class TestWithoutPidfdOpen(base.BaseTestCase):
    """Where the kernel or Python has no pidfd_open, the watcher polls."""

    def _watch_and_kill(self):
        calls = Calls()
        watcher = watch.ProcessWatcher(fallback_interval=0.02)
        watcher.start()
        self.addCleanup(watcher.stop, 1.0)
        process = subprocess.Popen(
            [sys.executable, '-c', 'import time; time.sleep(60)'])
        self.addCleanup(_reap, process)
        self.assertTrue(watcher.watch('fm-manager', process.pid, calls))
        process.kill()
        process.wait()
        self.assertTrue(calls.wait('fm-manager'))
        self.assertEqual([('fm-manager', process.pid)], calls.calls)

    def test_python_without_pidfd_open(self):
        self.useFixture(fixtures.MonkeyPatch('os.pidfd_open',
                                             fixtures.MonkeyPatch.delete))
        self._watch_and_kill()

    def test_kernel_without_pidfd_open(self):
        pidfd_open = self.useFixture(fixtures.MockPatch(
            'os.pidfd_open', side_effect=OSError(errno.ENOSYS, 'ENOSYS')))
        self._watch_and_kill()
        pidfd_open.mock.assert_called_once()


class TestReadPidFile(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir())

    def _write(self, content):
        path = self.dir.join('fm-manager.pid')
        with open(path, 'w') as f:
            f.write(content)
        return path

    def test_reads_the_pid(self):
        self.assertEqual(4242, watch.read_pid_file(self._write('4242\n')))

    def _assert_refused(self, path, reason):
        error = self.assertRaises(watch.PidFileError, watch.read_pid_file,
                                  path)
        self.assertEqual('Pid file %s: %s.' % (path, reason), str(error))

    def test_missing(self):
        self._assert_refused(self.dir.join('mtc-agent.pid'), 'missing')

    def test_unreadable(self):
        self._assert_refused(self.dir.path, 'unreadable (Is a directory)')

    def test_not_a_number(self):
        self._assert_refused(self._write('abc\n'),
                             "'abc' is not a positive integer")

    def test_negative(self):
        self._assert_refused(self._write('-3'),
                             "'-3' is not a positive integer")

    def test_zero(self):
        self._assert_refused(self._write('0\n'),
                             "'0' is not a positive integer")

    def test_empty(self):
        self._assert_refused(self._write(''), "'' is not a positive integer")

    def test_beyond_the_largest_pid(self):
        self._assert_refused(self._write('99999999999'),
                             '99999999999 is beyond the largest pid')
