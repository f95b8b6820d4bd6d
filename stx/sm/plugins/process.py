"""Service-management actions that run an stx-flock daemon as a process.

StarlingX SM starts and stops the controller daemons itself: it enables a
service on the active controller by starting its daemon, disables it by
stopping it, and audits it by checking that the process still runs. In
stx-flock every such daemon is a console script, ``stx-<service>``
(``stx-sysinv-api``, ``stx-fm-manager``, ``stx-mtce``, ...), that prints
``stx-<service> ready`` (an API adds ``: URL=...``) on a line of its own
once it serves; this plugin is what the packaged model
(``stx/sm/data/model.yaml``) names for them.

``ProcessAction`` starts the script from stx-sm's own installation (the
directory of ``sys.executable``, else ``PATH``) with stx-sm's configuration
files, detached in a session of its own, so that the daemon outlives a
restart of stx-sm and a stop reaches everything the daemon started. Its
output is appended to ``$state_path/sm/<service>.log`` and its pid kept in
``$state_path/sm/<service>.pid`` (``pid_file``), which is how a later
stx-sm finds it again. A pid is only trusted while the process is alive
and its command line names the script: a pid file left from before a
reboot may name someone else's process, which is then neither taken for
the daemon nor signalled.
"""

import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import time

from oslo_log import log as logging

from stx.common import exception
from stx.conf import CONF
from stx.sm import watch

LOG = logging.getLogger(__name__)

#: Seconds a daemon has to exit after SIGTERM before its session is killed.
STOP_TIMEOUT = 10
# Seconds a process has to vanish after SIGKILL; longer means it is stuck
# in the kernel.
_KILL_TIMEOUT = 2
# Seconds between two looks at a starting or stopping process. The
# runner's timeout bounds how long enable waits.
_POLL_INTERVAL = 0.05
# The last lines of a daemon's log quoted when it exits before it is
# ready, and the most characters of them.
_LOG_TAIL_LINES = 3
_LOG_TAIL_CHARS = 500


class ScriptNotFound(exception.StxException):
    msg_fmt = ('Console script %(script)s not found in %(bin_dir)s or on '
               'PATH')
    error_code = 'stx.sm.process.script_not_found'


class ExitedBeforeReady(exception.StxException):
    msg_fmt = ('%(script)s (pid %(pid)s) %(status)s before it was ready; '
               '%(log)s ends: %(tail)s')
    error_code = 'stx.sm.process.exited'


class NotRunning(exception.StxException):
    msg_fmt = '%(script)s (pid %(pid)s) is not running'
    error_code = 'stx.sm.process.not_running'


class NotStarted(NotRunning):
    msg_fmt = '%(script)s is not running (pid file %(path)s: %(reason)s)'


class StopFailed(exception.StxException):
    msg_fmt = '%(script)s (pid %(pid)s) is still running after SIGKILL'
    error_code = 'stx.sm.process.stop_failed'


def script_name(service):
    """The console script of service ``service``: ``stx-<service>``."""
    return 'stx-%s' % service


def find_script(name):
    """The path of console script ``name``.

    The script installed with stx-sm (next to ``sys.executable``, the same
    virtual environment) comes first, so that stx-sm never runs a daemon
    of another installation; then ``PATH``.

    :raises: ScriptNotFound naming the script.
    """
    bin_dir = os.path.dirname(sys.executable)
    path = shutil.which(name, path=bin_dir) or shutil.which(name)
    if path is None:
        raise ScriptNotFound(script=name, bin_dir=bin_dir)
    return path


def pid_file(service):
    """``$state_path/sm/<service>.pid``: the pid of the service's daemon."""
    return os.path.join(CONF.state_path, 'sm', '%s.pid' % service)


def log_file(service):
    """``$state_path/sm/<service>.log``: the daemon's output, appended."""
    return os.path.join(CONF.state_path, 'sm', '%s.log' % service)


def is_running(pid, name):
    """Whether process ``pid`` is alive, not a zombie, and runs script
    ``name`` (one of its arguments is a path to it; a script runs as
    ``interpreter script ...``).
    """
    try:
        with open('/proc/%d/stat' % pid, 'rb') as stat:
            # "pid (comm) state ...": comm may hold spaces and brackets.
            state = stat.read().rpartition(b')')[2].split()[:1]
        with open('/proc/%d/cmdline' % pid, 'rb') as cmdline:
            argv = cmdline.read().split(b'\0')
    except OSError:
        return False
    if state == [b'Z']:
        return False
    name = os.fsencode(name)
    return any(os.path.basename(arg) == name for arg in argv)


def _config_args():
    """stx-sm's own configuration files and directories, for a daemon."""
    args = []
    for path in CONF.config_file:
        args += ['--config-file', os.path.abspath(path)]
    for path in CONF.config_dir:
        args += ['--config-dir', os.path.abspath(path)]
    return args


def _write_pid_file(path, pid):
    # The engine may read it at any time: never let it see half a file.
    temporary = '%s.tmp' % path
    with open(temporary, 'w') as f:
        f.write('%d\n' % pid)
    os.replace(temporary, path)


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _exit_status(returncode):
    if returncode < 0:
        return 'was killed by signal %d' % -returncode
    return 'exited with status %d' % returncode


class ProcessAction:
    """Plugin running service ``<name>`` as console script ``stx-<name>``.

    One instance serves every service of the process; it keeps the
    ``Popen`` of the daemons it started so that it reaps them.
    """

    def __init__(self):
        # The daemons this process started and has not reaped, by pid.
        self._children = {}

    def enable(self, service):
        """Start the service's daemon unless it runs; wait until ready.

        :raises: ScriptNotFound; ExitedBeforeReady, with the end of its
            log, if the daemon exits before it prints its ready line.
        """
        name = script_name(service)
        pid = self._pid(service)
        if pid is not None and self._running(pid, name):
            LOG.debug('%(script)s (pid %(pid)d) is already running',
                      {'script': name, 'pid': pid})
            return
        argv = [find_script(name)] + _config_args()
        os.makedirs(CONF.state_path, mode=0o700, exist_ok=True)
        os.makedirs(os.path.dirname(pid_file(service)), mode=0o700,
                    exist_ok=True)
        log_path = log_file(service)
        with open(log_path, 'ab') as log:
            # Earlier runs' ready lines are above this offset.
            offset = os.fstat(log.fileno()).st_size
            child = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        self._children[child.pid] = child
        _write_pid_file(pid_file(service), child.pid)
        LOG.info('Started %(script)s (pid %(pid)d), output in %(log)s',
                 {'script': name, 'pid': child.pid, 'log': log_path})
        try:
            self._wait_until_ready(name, child, log_path, offset)
        except ExitedBeforeReady:
            _remove(pid_file(service))
            raise
        LOG.info('%(script)s (pid %(pid)d) is ready',
                 {'script': name, 'pid': child.pid})

    def disable(self, service):
        """Stop the service's daemon and everything in its session.

        SIGTERM first, SIGKILL after ``STOP_TIMEOUT`` seconds. A pid file
        that names no running daemon is removed, nothing is signalled.

        :raises: StopFailed if the daemon survives SIGKILL.
        """
        name = script_name(service)
        path = pid_file(service)
        pid = self._pid(service)
        if pid is None:
            _remove(path)
            return
        if not self._running(pid, name):
            if os.path.exists('/proc/%d' % pid):
                LOG.warning('Pid file %(path)s names pid %(pid)d, which is '
                            'not %(script)s: not signalling it',
                            {'path': path, 'pid': pid, 'script': name})
            _remove(path)
            return
        # Started by this plugin, it leads a session of its own.
        try:
            group = pid if os.getpgid(pid) == pid else None
        except ProcessLookupError:
            group = None
        LOG.info('Stopping %(script)s (pid %(pid)d)',
                 {'script': name, 'pid': pid})
        self._signal(pid, group, signal.SIGTERM)
        gone = self._wait_gone(pid, name, STOP_TIMEOUT)
        if not gone:
            LOG.warning('%(script)s (pid %(pid)d) still runs %(timeout)ss '
                        'after SIGTERM: killing it',
                        {'script': name, 'pid': pid, 'timeout': STOP_TIMEOUT})
        if group is not None:
            # Also what is left of its session once it went, e.g. a
            # worker that ignores SIGTERM.
            self._signal(pid, group, signal.SIGKILL)
        elif not gone:
            self._signal(pid, None, signal.SIGKILL)
        if not gone and not self._wait_gone(pid, name, _KILL_TIMEOUT):
            raise StopFailed(script=name, pid=pid)
        _remove(path)

    def audit(self, service):
        """:raises: NotRunning (NotStarted without a usable pid file)."""
        name = script_name(service)
        try:
            pid = watch.read_pid_file(pid_file(service))
        except watch.PidFileError as error:
            raise NotStarted(script=name, path=error.kwargs['path'],
                             reason=error.kwargs['reason'])
        if not self._running(pid, name):
            raise NotRunning(script=name, pid=pid)

    def _pid(self, service):
        """The pid in the service's pid file, or None without one."""
        try:
            return watch.read_pid_file(pid_file(service))
        except watch.PidFileError as error:
            if os.path.exists(error.kwargs['path']):
                LOG.warning('%(error)s Ignoring it.', {'error': error})
            return None

    def _running(self, pid, name):
        child = self._children.get(pid)
        if child is not None and child.poll() is not None:
            # A timed-out enable may still be polling it too.
            self._children.pop(pid, None)
            return False
        return is_running(pid, name)

    def _signal(self, pid, group, signum):
        try:
            if group is None:
                os.kill(pid, signum)
            else:
                os.killpg(group, signum)
        except ProcessLookupError:
            pass

    def _wait_gone(self, pid, name, timeout):
        deadline = time.monotonic() + timeout
        while self._running(pid, name):
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_INTERVAL)
        return True

    def _wait_until_ready(self, name, child, log_path, offset):
        """Return once ``child`` printed its ready line after ``offset``.

        :raises: ExitedBeforeReady if it exits first.
        """
        ready = re.compile(rb'%s ready\b' % re.escape(os.fsencode(name)))
        tail = collections.deque(maxlen=_LOG_TAIL_LINES)
        partial = b''
        with open(log_path, 'rb') as log:
            log.seek(offset)
            while True:
                # Whether it exited before the read: what it wrote before
                # it exited is read now.
                returncode = child.poll()
                lines = (partial + log.read()).split(b'\n')
                partial = lines.pop()
                for line in lines + [partial]:
                    if ready.match(line):
                        return
                tail.extend(line for line in lines if line.strip())
                if returncode is not None:
                    break
                time.sleep(_POLL_INTERVAL)
        self._children.pop(child.pid, None)
        if partial.strip():
            tail.append(partial)
        text = ' | '.join(line.decode('utf-8', 'replace').strip()
                          for line in tail)
        raise ExitedBeforeReady(
            script=name, pid=child.pid, status=_exit_status(returncode),
            log=log_path, tail=text[-_LOG_TAIL_CHARS:] or '(nothing)')
