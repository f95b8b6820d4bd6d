"""Helpers of the functional tests: real processes on loopback.

Tests need RabbitMQ and PostgreSQL on their usual loopback ports. When one
is absent its tests are skipped with the reason, unless
``STX_REQUIRE_SERVICES=1`` (CI), which turns the skip into a failure.
Processes are the installed console scripts, found next to the running
interpreter; their output goes to files, every wait is bounded, and every
process still running at teardown is killed.
"""

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest

RABBITMQ = ('127.0.0.1', 5672)
RABBIT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'
POSTGRESQL = ('127.0.0.1', 5432)
POSTGRESQL_USER = 'postgres'

# A cold process imports oslo.*, SQLAlchemy and pecan: a few seconds on a
# loaded 2-core machine.
START_TIMEOUT = 30
STOP_TIMEOUT = 15
CLI_TIMEOUT = 60


def _reachable(address):
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def require(address, what):
    """Skip (or fail under STX_REQUIRE_SERVICES=1) without ``what``."""
    if _reachable(address):
        return
    reason = '%s is not reachable on %s:%d' % (what, address[0], address[1])
    if os.environ.get('STX_REQUIRE_SERVICES') == '1':
        pytest.fail(reason + ' and STX_REQUIRE_SERVICES=1')
    pytest.skip(reason)


def require_rabbitmq():
    require(RABBITMQ, 'RabbitMQ')


def require_postgresql():
    require(POSTGRESQL, 'PostgreSQL')


def unique_name(prefix):
    return '%s_%s' % (prefix, uuid.uuid4().hex[:12])


def script(name):
    """The path of an installed console script of this environment."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    if not os.path.exists(path):
        pytest.fail('%s is not installed next to %s'
                    % (name, sys.executable))
    return path


class Process:
    """A running console script whose output is captured to files."""

    def __init__(self, name, args, workdir, env=None):
        self.name = name
        self.stdout_path = os.path.join(workdir, name + '.stdout')
        self.stderr_path = os.path.join(workdir, name + '.stderr')
        # A process that does not stop is sent SIGABRT: Python's fault
        # handler then writes every thread's stack to its stderr.
        env = dict(os.environ if env is None else env, PYTHONFAULTHANDLER='1')
        with open(self.stdout_path, 'wb') as out, \
                open(self.stderr_path, 'wb') as err:
            self.popen = subprocess.Popen(
                [script(args[0])] + list(args[1:]), stdin=subprocess.DEVNULL,
                stdout=out, stderr=err, env=env, cwd=workdir)

    @property
    def pid(self):
        return self.popen.pid

    def stdout(self):
        with open(self.stdout_path, encoding='utf-8', errors='replace') as f:
            return f.read()

    def stderr(self):
        with open(self.stderr_path, encoding='utf-8', errors='replace') as f:
            return f.read()

    def describe(self, tail=3000):
        return '%s (pid %d, exit %s)\nstdout:\n%s\nstderr:\n%s' % (
            self.name, self.pid, self.popen.poll(), self.stdout()[-tail:],
            self.stderr()[-tail:])

    def wait_for_output(self, pattern, timeout=START_TIMEOUT):
        """Wait until stdout matches ``pattern``; returns the match."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            match = regex.search(self.stdout())
            if match:
                return match
            if self.popen.poll() is not None:
                pytest.fail('%s exited before printing %r:\n%s'
                            % (self.name, pattern, self.describe()))
            if time.monotonic() > deadline:
                pytest.fail('%s did not print %r within %ss:\n%s'
                            % (self.name, pattern, timeout, self.describe()))
            time.sleep(0.05)

    def signal(self, signum):
        self.popen.send_signal(signum)

    def wait(self, timeout=STOP_TIMEOUT):
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            # Where it hangs: the stacks SIGABRT makes it write.
            self.signal(signal.SIGABRT)
            try:
                self.popen.wait(5)
            except subprocess.TimeoutExpired:
                pass
            pytest.fail('%s did not exit within %ss:\n%s'
                        % (self.name, timeout, self.describe(tail=20000)))

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM, and the exit status once it exited."""
        self.signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self):
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(STOP_TIMEOUT)


class ProcessRunner:
    """Starts processes and kills those still running at teardown."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.processes = []

    def start(self, *args, env=None):
        """Start console script ``args[0]`` with arguments ``args[1:]``.

        :param env: its environment. By default this one, with the
            resource monitor off (``OS_RMON__AUDIT_INTERVAL=0``, which
            oslo.config reads before configuration files): on a busy test
            machine its CPU alarms would degrade hosts the tests expect
            available. The tests of the monitor pass their own.
        """
        if env is None:
            env = dict(os.environ, OS_RMON__AUDIT_INTERVAL='0')
        # Numbered: a restarted process gets output files of its own.
        name = '%s-%d' % (args[0], len(self.processes))
        process = Process(name, args, self.workdir, env=env)
        self.processes.append(process)
        return process

    def cleanup(self):
        for process in self.processes:
            process.kill()


def run(*args, timeout=CLI_TIMEOUT, env=None, cwd=None):
    """Run a console script to completion; returns CompletedProcess."""
    try:
        return subprocess.run([script(args[0])] + list(args[1:]),
                              capture_output=True, text=True,
                              timeout=timeout, env=env, cwd=cwd,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as error:
        pytest.fail('%s did not finish within %ss: %s'
                    % (' '.join(args), timeout, error.stderr))


class CLI:
    """The ``stx`` command pointed at one deployment."""

    def __init__(self, *url_args, cwd=None):
        self.url_args = list(url_args)
        self.cwd = cwd

    def run(self, *args):
        return run('stx', *(self.url_args + list(args)), cwd=self.cwd)

    def ok(self, *args):
        """Run a command that must succeed; returns its stdout."""
        result = self.run(*args)
        assert result.returncode == 0, (
            'stx %s failed (%d): %s' % (' '.join(args), result.returncode,
                                        result.stderr))
        return result.stdout

    def json(self, *args):
        return json.loads(self.ok(*(list(args) + ['-f', 'json'])))

    def error(self, *args):
        """Run a command that must fail; returns its one stderr line."""
        result = self.run(*args)
        assert result.returncode == 1, (
            'stx %s: expected exit 1, got %d: %s %s' % (
                ' '.join(args), result.returncode, result.stdout,
                result.stderr))
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, 'not one line: %r' % result.stderr
        return lines[0]


# Ports handed out come from below the kernel's ephemeral range (32768
# and up here): a port the kernel picked (bind to port 0) is free only
# until the caller binds it, and the processes under test bind ports 0
# themselves (heartbeat monitors, RPC clients), which could take it
# meanwhile. Never the same port twice in one test run.
_PORTS = range(20000, 32000)
_handed_out = set()


def free_port(kind=socket.SOCK_STREAM):
    """A free loopback port (TCP; UDP with ``socket.SOCK_DGRAM``), outside
    the ephemeral range.
    """
    while True:
        port = random.choice(_PORTS)
        if port in _handed_out:
            continue
        with socket.socket(socket.AF_INET, kind) as sock:
            try:
                sock.bind(('127.0.0.1', port))
            except OSError:
                continue
        _handed_out.add(port)
        return port


def wait(what, predicate, timeout, interval=0.1):
    """What ``predicate()`` returns once it is true; fail after
    ``timeout`` seconds saying ``what`` did not come.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, (
            'no %s within %ss' % (what, timeout))
        time.sleep(interval)


def write_config(path, sections):
    """Write an oslo.config file from {section: {option: value}}."""
    with open(path, 'w') as config:
        for section, options in sections.items():
            config.write('[%s]\n' % section)
            for name, value in options.items():
                config.write('%s = %s\n' % (name, value))
    return path


def start_fm_manager(runner, config_file):
    """stx-fm-manager as a process, once it serves."""
    manager = runner.start('stx-fm-manager', '--config-file', config_file)
    manager.wait_for_output(r'stx-fm-manager ready')
    return manager
