"""Passive process monitoring: watch each process's pid, restart it when it
dies, report it when its restarts do not keep it up.

Every ``[pmon] audit_period`` seconds (StarlingX pmond: 500 ms) each
process is checked. Its pid is read from its pidfile at every check, or,
without a pidfile, is the child pmon started; children that end are reaped.
At start, a process that does not run is started with its script; one with
no script is given ``startuptime`` to appear.

A process that dies is restarted ``interval`` seconds later, and watched
again ``startuptime`` seconds after that. Deaths are counted until the
process stays up ``debounce`` seconds. When they exceed its ``restarts``
(at once for a process without a script, which pmon cannot restart), its
failure is asserted: a condition with the process's severity is reported,
and, as StarlingX does, pmon goes on restarting it; once it stays up
``debounce`` seconds the count is reset and the condition cleared.

pmon does not stop what it started when it stops (nor does StarlingX's).
"""

import os
import subprocess
import threading
import time

from oslo_log import log as logging

from stx.common import periodic
from stx.conf import CONF
from stx.mtce.pmon import config

LOG = logging.getLogger(__name__)

# What pmon knows of a process.
STARTING = 'starting'   # started, or awaited, and not watched yet
RUNNING = 'running'     # its pid is watched
DOWN = 'down'           # dead; restarted when its interval has passed

# Seconds stop() waits for the audit in progress.
_STOP_TIMEOUT = 1


def spawn(argv):
    """Start ``argv`` detached from the agent: no shell, no terminal, in a
    session of its own, so a signal to the agent does not reach it.
    """
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            start_new_session=True)


def read_pidfile(path):
    """The pid ``path`` holds; None if missing, unreadable or not a pid."""
    try:
        with open(path) as pidfile:
            words = pidfile.read(64).split()
        pid = int(words[0])
    except (OSError, IndexError, ValueError):
        return None
    return pid if pid > 0 else None


def alive(pid):
    """Whether process ``pid`` runs. A child of this process that ended is
    reaped; a zombie of another parent is dead too.
    """
    try:
        return os.waitpid(pid, os.WNOHANG)[0] != pid
    except ChildProcessError:
        pass        # not ours
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass        # another user's: it exists
    try:
        with open('/proc/%d/stat' % pid) as stat:
            # "pid (comm) state ...": comm may hold spaces and brackets.
            state = stat.read().rpartition(')')[2].split()[:1]
    except OSError:
        return True
    return state != ['Z']


class _Watched:
    """A process and what pmon knows of it."""

    def __init__(self, process):
        self.process = process
        self.state = None           # not looked at yet
        self.since = None           # monotonic time state was entered
        self.pid = None
        self.child = None           # the Popen of its latest start
        self.children = []          # Popens not reaped yet
        self.deaths = 0             # since it was last stable
        self.first_death = None
        self.restarts = 0           # since it was last stable
        self.condition = None       # reported while its failure is asserted

    def enter(self, state, now):
        self.state = state
        self.since = now

    def reap(self):
        self.children = [child for child in self.children
                         if child.poll() is None]

    def live_pid(self):
        """Its running pid: its pidfile's, else its child's; or None."""
        if self.process.pidfile:
            pid = read_pidfile(self.process.pidfile)
            return pid if pid is not None and alive(pid) else None
        if self.child is not None and self.child.poll() is None:
            return self.child.pid
        return None


class ProcessMonitor:
    """Watches processes; reports the asserted ones after every audit.

    :param processes: ``config.Process`` tuples; those of mode ``ignore``
        are left alone.
    :param report: called after every audit with the list of conditions
        (``key``, ``severity``, ``reason``) of the asserted processes.
    :param spawn: starts an argv, returning its ``subprocess.Popen``.
    """

    def __init__(self, processes, report, spawn=spawn):
        self._watched = []
        for process in processes:
            if process.mode == config.IGNORE:
                LOG.info('pmon: process %(name)s not monitored (mode '
                         'ignore)', {'name': process.name})
            else:
                self._watched.append(_Watched(process))
        self._report = report
        self._spawn = spawn
        self._lock = threading.Lock()
        self._task = periodic.PeriodicTask(
            'stx-agent-pmon', self.audit, lambda: CONF.pmon.audit_period)

    def start(self):
        self._task.start()

    def stop(self):
        """Stop watching; the processes go on running."""
        self._task.stop(_STOP_TIMEOUT)

    def status(self):
        """{process name: {state, pid, deaths, restarts, asserted}}."""
        with self._lock:
            return {watched.process.name: {
                'state': watched.state,
                'pid': watched.pid if watched.state == RUNNING else None,
                'deaths': watched.deaths,
                'restarts': watched.restarts,
                'asserted': watched.condition is not None,
            } for watched in self._watched}

    def audit(self):
        """Check every process once, then report the asserted ones."""
        now = time.monotonic()
        with self._lock:
            for watched in self._watched:
                watched.reap()
                self._check(watched, now)
            conditions = [dict(watched.condition) for watched in self._watched
                          if watched.condition is not None]
        self._report(conditions)

    def _check(self, watched, now):
        process = watched.process
        if watched.state is None:
            self._begin(watched, now)
        elif watched.state == STARTING:
            if now - watched.since >= process.startuptime:
                self._up_or_dead(watched, now)
        elif watched.state == RUNNING:
            pid = watched.live_pid()
            if pid is None:
                self._died(watched, now)
            else:
                watched.pid = pid   # a pidfile may name a new one
                if (watched.deaths and
                        now - watched.since >= process.debounce):
                    self._stable(watched)
        else:
            # Down; it may have been started by someone else meanwhile.
            pid = watched.live_pid()
            if pid is not None:
                watched.pid = pid
                watched.enter(RUNNING, now)
                LOG.info('pmon: process %(name)s is running again (pid '
                         '%(pid)d)', {'name': process.name, 'pid': pid})
            elif (process.script is not None and
                  now - watched.since >= process.interval):
                watched.restarts += 1
                LOG.warning('pmon: restarting process %(name)s (restart '
                            '%(count)d)', {'name': process.name,
                                           'count': watched.restarts})
                self._launch(watched, now)

    def _begin(self, watched, now):
        process = watched.process
        pid = watched.live_pid()
        if pid is not None:
            watched.pid = pid
            watched.enter(RUNNING, now)
            LOG.info('pmon: monitoring process %(name)s (pid %(pid)d)',
                     {'name': process.name, 'pid': pid})
        elif process.script is not None:
            LOG.info('pmon: starting process %(name)s',
                     {'name': process.name})
            self._launch(watched, now)
        else:
            # Its own service starts it; give it startuptime to appear.
            watched.enter(STARTING, now)

    def _launch(self, watched, now):
        process = watched.process
        watched.pid = None
        try:
            child = self._spawn(process.argv)
        except OSError as error:
            LOG.error('pmon: cannot start process %(name)s with '
                      '%(script)r: %(error)s',
                      {'name': process.name, 'script': process.script,
                       'error': error})
            self._died(watched, now)
            return
        watched.child = child
        watched.children.append(child)
        watched.enter(STARTING, now)

    def _up_or_dead(self, watched, now):
        """``startuptime`` after a start: watch it if it runs."""
        process = watched.process
        pid = watched.live_pid()
        if pid is None:
            LOG.warning('pmon: process %(name)s is not running '
                        '%(seconds)gs after its start%(where)s',
                        {'name': process.name,
                         'seconds': process.startuptime,
                         'where': (' (no live pid in %s)' % process.pidfile
                                   if process.pidfile else '')})
            self._died(watched, now)
            return
        watched.pid = pid
        watched.enter(RUNNING, now)
        LOG.info('pmon: process %(name)s %(how)s (pid %(pid)d)',
                 {'name': process.name, 'pid': pid,
                  'how': 'restarted' if watched.restarts else 'started'})

    def _died(self, watched, now):
        process = watched.process
        if watched.state == RUNNING:
            LOG.warning('pmon: process %(name)s (pid %(pid)d) died',
                        {'name': process.name, 'pid': watched.pid})
        watched.deaths += 1
        if watched.deaths == 1:
            watched.first_death = now
        watched.enter(DOWN, now)
        if process.script is None or watched.deaths > process.restarts:
            self._assert(watched, now)

    def _assert(self, watched, now):
        if watched.condition is not None:
            return
        process = watched.process
        if process.script is None:
            reason = ('process %s died and cannot be restarted: it has no '
                      'script' % process.name)
        elif watched.deaths == 1:
            reason = ('process %s died and has no restarts before its '
                      'failure is reported' % process.name)
        else:
            reason = ('process %s died %d times in %.0f s; %d restarts did '
                      'not keep it up' % (process.name, watched.deaths,
                                          now - watched.first_death,
                                          process.restarts))
        watched.condition = {'key': process.name,
                             'severity': process.severity, 'reason': reason}
        LOG.error('pmon: %(severity)s failure of process %(name)s: '
                  '%(reason)s', {'severity': process.severity,
                                 'name': process.name, 'reason': reason})

    def _stable(self, watched):
        process = watched.process
        LOG.info('pmon: process %(name)s stayed up %(seconds)gs after '
                 '%(deaths)d deaths%(cleared)s',
                 {'name': process.name, 'seconds': process.debounce,
                  'deaths': watched.deaths,
                  'cleared': (': failure cleared' if watched.condition
                              else '')})
        watched.deaths = 0
        watched.restarts = 0
        watched.first_death = None
        watched.condition = None
