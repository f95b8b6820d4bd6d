"""Benchmark: from a host's failure to back in service, rung by rung.

Real processes, as in tests/functional/test_recovery.py: ``stx-aio`` on
RabbitMQ manages two workers, each a real ``stx-agent`` "powered" by a BMC
of ``stx-bmc-sim`` whose power hook kills and starts it. worker-1's agent
is stopped with SIGSTOP (its host fails on heartbeat loss), and the
recovery ladder, with short test timers, takes it through one rung:

- ``graceful``: SIGCONT as soon as the host is failed; it answers
  heartbeat again within ``graceful_recovery_timeout`` and is back in
  service without a reboot;
- ``reboot``: SIGCONT once the graceful recovery time has passed; the
  agent takes a reboot request (the agent-restart action), comes back as
  a new start and the host goes through the enable stages;
- ``bmc-reset``: the agent stays stopped; it takes no reboot request, and
  after ``bmc_reset_delay`` the BMC resets the host (its hook kills the
  hung agent and starts a new one);
- ``give-up`` (last: the host then needs a lock and unlock): every agent
  the BMC starts is stopped too; after ``bmc_reset_attempts`` resets the
  host is left failed with "Recovery Failure, threshold reached".

Each figure is from SIGSTOP to available (to the give-up task for the
last), p50 and max over ``--runs`` runs, timers included (failure
detection about 1.1 s, then the rung's own waits); the rung taken is
checked in the host's ``last_maintenance_action``. Needs RabbitMQ on
127.0.0.1:5672; uses its default virtual host, so run nothing else against
it meanwhile.

Usage: bench_recovery.py [--runs 3] [--rungs graceful,reboot,bmc-reset,
                          give-up]
"""

import argparse
import os
import pathlib
import signal
import statistics
import sys
import tempfile
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from tests.functional import base  # noqa: E402
from tests.functional import test_heartbeat  # noqa: E402
from tests.functional import test_recovery  # noqa: E402

TIMERS = {'graceful_recovery_timeout': 3, 'reboot_attempts': 2,
          'reboot_retry_interval': 0.5, 'bmc_reset_delay': 4,
          'bmc_reset_attempts': 2, 'worker_boot_timeout': 10}
WAIT = 90
HOST = 'worker-1'
FAILED = test_recovery.FAILED
IN_SERVICE = test_heartbeat.IN_SERVICE
# What last_maintenance_action says at the end of each rung.
OUTCOME = {
    'graceful': 'Graceful recovery of %s' % HOST,
    'reboot': '%s recovered: back in service after its reboot' % HOST,
    'bmc-reset': '%s recovered: back in service after BMC reset 1' % HOST,
    'give-up': '%s left failed: 2 BMC resets did not bring it back' % HOST,
}


class Bench:

    def __init__(self, workdir):
        self.runner = base.ProcessRunner(str(workdir))
        self.workers = test_recovery.PoweredWorkers(
            self.runner, workdir, test_heartbeat.WORKERS)
        self.deployment = test_heartbeat.Deployment(
            self.runner, workdir, base.RABBIT_URL,
            DEFAULT={'enabled_bmc_drivers': 'ipmi'}, mtce=TIMERS)
        cli = self.deployment.cli
        for name in test_heartbeat.WORKERS:
            config = self.deployment.worker_config(
                name, *self.workers.bmc_args(name))
            self.workers.power_on(name, config)
            self.deployment.wait_states(name, test_heartbeat.LOCKED_ONLINE)
            cli.ok('host-unlock', name, '--wait', '--timeout', str(WAIT))

    def close(self):
        self.workers.close()
        try:
            self.deployment.close()
        finally:
            self.runner.cleanup()

    def _host(self):
        # The API itself: polling through the CLI would take a process
        # start each time, coarser than what is measured.
        url = self.deployment.cli.url_args[1].rstrip('/')
        response = requests.get('%s/sysinv/v1/ihosts/%s' % (url, HOST),
                                timeout=10)
        response.raise_for_status()
        return response.json()

    def _wait(self, what, predicate, timeout=WAIT):
        return base.wait(what, predicate, timeout, interval=0.05)

    def _states(self):
        host = self._host()
        return (host['administrative'], host['operational'],
                host['availability']), host

    def run(self, rung):
        """One failure of worker-1 through ``rung``; seconds it took."""
        pid = self.workers.agent_pid(HOST)
        os.kill(pid, signal.SIGSTOP)
        stopped = time.monotonic()
        self._wait('%s failed' % HOST, lambda: self._states()[0] == FAILED)
        if rung == 'graceful':
            os.kill(pid, signal.SIGCONT)
        elif rung == 'reboot':
            time.sleep(TIMERS['graceful_recovery_timeout'] + 0.5)
            os.kill(pid, signal.SIGCONT)
        if rung == 'give-up':
            hung = {pid}

            def done():
                # Every agent a reset starts hangs at once.
                new = self.workers.agent_pid(HOST)
                if new not in hung:
                    hung.add(new)
                    os.kill(new, signal.SIGSTOP)
                return 'threshold reached' in self._host()['task']
        else:
            def done():
                return self._states()[0] == IN_SERVICE
        self._wait('%s %s' % (HOST, 'given up on' if rung == 'give-up'
                              else 'in service'), done)
        took = time.monotonic() - stopped
        # The explanation is stored just after the state.
        try:
            self._wait('the %s rung explained' % rung, lambda: OUTCOME[
                rung] in (self._host()['last_maintenance_action'] or ''), 10)
        except BaseException:
            raise SystemExit('%s: not the %s rung: %s' % (
                HOST, rung, self._host()['last_maintenance_action']))
        return took


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--rungs', default=','.join(OUTCOME))
    args = parser.parse_args()
    rungs = args.rungs.split(',')
    unknown = set(rungs) - set(OUTCOME)
    if unknown:
        parser.error('unknown rung %s' % ', '.join(sorted(unknown)))
    # Give-up leaves the host failed: it goes last, once.
    rungs = [r for r in OUTCOME if r in rungs]
    print('timers: %s' % ', '.join('%s=%s' % item
                                   for item in sorted(TIMERS.items())))
    with tempfile.TemporaryDirectory(prefix='bench-recovery-') as workdir:
        bench = Bench(pathlib.Path(workdir))
        try:
            for rung in rungs:
                runs = 1 if rung == 'give-up' else args.runs
                times = [bench.run(rung) for _ in range(runs)]
                print('%-10s failure -> %-10s p50 %5.1f s  max %5.1f s  '
                      '(runs: %s)' % (
                          rung, 'given up' if rung == 'give-up'
                          else 'available', statistics.median(times),
                          max(times), ' '.join('%.1f' % t for t in times)))
        finally:
            bench.close()


if __name__ == '__main__':
    main()
