"""Passive monitoring of service processes: learn of an exit at once.

StarlingX SM watches the processes of the services it enabled passively, as
well as auditing them: it learns of a process's exit the moment it happens
instead of at the service's next audit, and starts recovery that much
sooner. This module owns that watch. Once a service's enable action
succeeded, the engine reads the service's pid file (``read_pid_file``) and
asks a ``ProcessWatcher`` to watch that pid; the watcher calls back when the
process exits. Before a disable the engine stops watching.

The watcher uses Linux process file descriptors (``pidfd_open``, Linux 5.3):
one thread waits in ``poll`` on the pidfds of all watched processes and on a
self-pipe that wakes it when the set changes or on stop. A pidfd becomes
readable when its process exits, also while it is an un-reaped zombie, and
it cannot be fooled by the pid being reused. Where pidfds are not available
the thread instead checks each watched pid with ``kill(pid, 0)`` every
``fallback_interval`` seconds: slower, blind to zombies (a zombie still
exists, so it looks alive until reaped) and to a pid reused between two
checks.
"""

import errno
import os
import select
import threading

from oslo_log import log as logging

from stx.common import exception

LOG = logging.getLogger(__name__)

# Linux's PID_MAX_LIMIT: no pid is larger.
_PID_MAX_LIMIT = 4194304


class PidFileError(exception.StxException):
    """A pid file is missing, unreadable or does not hold a pid."""

    msg_fmt = 'Pid file %(path)s: %(reason)s.'
    error_code = 'stx.sm.pid_file'


def read_pid_file(path):
    """The pid a pid file holds.

    :param path: the pid file.
    :returns: the pid, a positive int.
    :raises: PidFileError naming the file and why it cannot be used.
    """
    try:
        with open(path, 'rb') as f:
            # A pid file holds a few digits: more is not a pid file.
            content = f.read(64)
    except FileNotFoundError:
        raise PidFileError(path=path, reason='missing')
    except OSError as e:
        raise PidFileError(path=path,
                           reason='unreadable (%s)' % (e.strerror or e))
    text = content.decode('ascii', errors='replace').strip()
    # isdigit alone would take other scripts' digits; int() would take '+3'.
    if not (text.isascii() and text.isdigit()) or int(text) == 0:
        raise PidFileError(path=path, reason='%r is not a positive integer'
                           % text[:20])
    if int(text) > _PID_MAX_LIMIT:
        raise PidFileError(path=path, reason='%s is beyond the largest pid'
                           % text[:20])
    return int(text)


class _Watch:
    """One watched process; ``fd`` is its pidfd, or None when polled."""

    def __init__(self, key, pid, callback, fd):
        self.key = key
        self.pid = pid
        self.callback = callback
        self.fd = fd


class ProcessWatcher:
    """Call back when a watched process exits; see the module docstring.

    Thread-safe: any thread may watch and unwatch. Callbacks run on the
    watcher's one daemon thread, outside its lock (a callback may watch and
    unwatch), so they should be quick, e.g. put an event on a queue. A
    watcher is started once and stopped once; watches made before
    ``start`` are taken up when it starts.

    :param fallback_interval: seconds between two ``kill(pid, 0)`` checks of
        a process watched without a pidfd.
    :param use_pidfd: False to always use the fallback (tests).
    """

    def __init__(self, fallback_interval=1.0, use_pidfd=True):
        self.fallback_interval = fallback_interval
        self._use_pidfd = use_pidfd
        self._lock = threading.Lock()
        self._watches = {}
        # Pidfds of watches that ended other than by exit: only the thread
        # closes them, once it no longer polls them, so that no fd number
        # it polls is reused under it.
        self._retired = []
        self._wake_fds = None
        self._thread = None
        self._stopping = False

    # Life cycle.

    def start(self):
        with self._lock:
            if self._thread is not None or self._stopping:
                raise RuntimeError('A ProcessWatcher starts only once.')
            self._wake_fds = os.pipe()
            for fd in self._wake_fds:
                os.set_blocking(fd, False)
            self._thread = threading.Thread(target=self._loop, daemon=True,
                                            name='sm-watch')
        self._thread.start()

    def stop(self, timeout=5.0):
        """Stop watching everything.

        No callback starts once this is called; one already running may
        finish (this waits for it up to ``timeout``). Pending watches end
        without a callback. Every pidfd is closed, by the thread on its way
        out (or here if it never started).

        :param timeout: seconds to wait for the thread (a callback that
            blocks delays it).
        """
        with self._lock:
            self._stopping = True
            thread = self._thread
            self._wake()
        if thread is None:
            self._close_all()
        elif thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                LOG.warning('Process watcher did not stop within %(timeout)s '
                            's: a callback is blocking it',
                            {'timeout': timeout})

    # Watching.

    def watch(self, key, pid, callback):
        """Call ``callback(key, pid)`` once, when process ``pid`` exits.

        A process already gone is not watched: the caller learns it at once
        from the result. A zombie (exited, not reaped) is watched and calls
        back at once with a pidfd; the fallback sees it alive until reaped.

        :param key: what the watch is known by (hashable). Watching a key
            again ends its watch as ``unwatch`` does, whatever the result.
        :param pid: the process, a positive int.
        :param callback: called with ``(key, pid)`` from the watcher's
            thread; an exception it raises is logged.
        :returns: True if the process is watched, False if it does not
            exist.
        :raises: ValueError for a pid that is not positive; RuntimeError
            once the watcher is stopped.
        """
        if pid <= 0:
            # kill(0, 0) would signal our own process group.
            raise ValueError('Cannot watch pid %s: not a positive pid' % pid)
        fd = self._pidfd_open(pid)
        if fd == -1 or (fd is None and not _exists(pid)):
            self.unwatch(key)
            return False
        with self._lock:
            if self._stopping:
                if fd is not None:
                    os.close(fd)
                raise RuntimeError('Cannot watch pid %d for %s: the process '
                                   'watcher is stopped' % (pid, key))
            old = self._watches.pop(key, None)
            if old is not None and old.fd is not None:
                self._retired.append(old.fd)
            self._watches[key] = _Watch(key, pid, callback, fd)
            self._wake()
        LOG.debug('Watching process %(pid)d of %(key)s',
                  {'pid': pid, 'key': key})
        return True

    def unwatch(self, key):
        """Stop watching ``key``.

        :returns: True if the watch was ended here: its callback never
            comes. False if there was none, or its process's exit was
            already taken (the callback came or is coming).
        """
        with self._lock:
            old = self._watches.pop(key, None)
            if old is None:
                return False
            if old.fd is not None:
                self._retired.append(old.fd)
                self._wake()
        LOG.debug('No longer watching process %(pid)d of %(key)s',
                  {'pid': old.pid, 'key': key})
        return True

    def watching(self):
        """The keys watched now, and their pids."""
        with self._lock:
            return {key: w.pid for key, w in self._watches.items()}

    def _pidfd_open(self, pid):
        """A pidfd of ``pid``; -1 if there is no such process; None for the
        fallback.
        """
        pidfd_open = getattr(os, 'pidfd_open', None)
        if not self._use_pidfd or pidfd_open is None:
            if self._use_pidfd:
                self._no_pidfd('os.pidfd_open is missing')
            return None
        try:
            return pidfd_open(pid)
        except ProcessLookupError:
            return -1
        except OSError as e:
            if e.errno == errno.ENOSYS:
                self._no_pidfd(e)
            else:
                # Out of fds, or a seccomp filter that refuses the call:
                # this process can still be polled.
                LOG.warning('Cannot open a pidfd for process %(pid)d '
                            '(%(error)s): checking it every %(interval)s s',
                            {'pid': pid, 'error': e,
                             'interval': self.fallback_interval})
            return None

    def _no_pidfd(self, reason):
        self._use_pidfd = False
        LOG.warning('Process watcher: no pidfds (%(reason)s); checking '
                    'watched processes every %(interval)s s instead, which '
                    'does not see a zombie as dead',
                    {'reason': reason, 'interval': self.fallback_interval})

    # The thread.

    def _wake(self):
        """Wake the thread (under the lock: the thread closes the pipe)."""
        if self._wake_fds is None:
            return
        try:
            os.write(self._wake_fds[1], b'x')
        except BlockingIOError:
            pass            # the pipe is full: the thread wakes anyway

    def _loop(self):
        try:
            while True:
                with self._lock:
                    if self._stopping:
                        return
                    retired, self._retired = self._retired, []
                    watches = list(self._watches.values())
                for fd in retired:
                    os.close(fd)
                self._wait(watches)
        except Exception:
            LOG.exception('Process watcher failed: no longer watching')
        finally:
            self._close_all()

    def _wait(self, watches):
        """Wait for an exit or a wake-up; take the exits and call back."""
        poller = select.poll()
        poller.register(self._wake_fds[0], select.POLLIN)
        by_fd = {}
        polled = []
        for w in watches:
            if w.fd is None:
                polled.append(w)
            else:
                by_fd[w.fd] = w
                poller.register(w.fd, select.POLLIN)
        timeout = self.fallback_interval * 1000 if polled else None
        ready = [fd for fd, _ in poller.poll(timeout)]
        if self._wake_fds[0] in ready:
            self._drain()
        exited = [by_fd[fd] for fd in ready if fd in by_fd]
        exited.extend(w for w in polled if not _exists(w.pid))
        taken = []
        with self._lock:
            for w in exited:
                # Unless unwatched or replaced since: then its fd is
                # retired and closed on the next turn.
                if self._watches.get(w.key) is w:
                    del self._watches[w.key]
                    taken.append(w)
        for w in taken:
            if w.fd is not None:
                os.close(w.fd)
        for w in taken:
            LOG.info('Process %(pid)d of %(key)s exited',
                     {'pid': w.pid, 'key': w.key})
            if self._stopping:
                # stop() promised no more callbacks (it may be one of them
                # that stopped the watcher).
                break
            try:
                w.callback(w.key, w.pid)
            except Exception:
                LOG.exception('Process watcher: callback for %(key)s '
                              'failed', {'key': w.key})

    def _drain(self):
        try:
            while os.read(self._wake_fds[0], 4096):
                pass
        except BlockingIOError:
            pass

    def _close_all(self):
        with self._lock:
            fds = self._retired + [w.fd for w in self._watches.values()
                                   if w.fd is not None]
            fds.extend(self._wake_fds or ())
            self._retired = []
            self._watches = {}
            self._wake_fds = None
        for fd in fds:
            os.close(fd)


def _exists(pid):
    """Whether ``pid`` exists (a zombie does)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass            # it exists, owned by another user
    return True
