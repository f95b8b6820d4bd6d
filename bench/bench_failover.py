"""Benchmark: uncontrolled failover, and randomized kills and partitions.

Real processes, as in tests/functional/test_sm.py: two ``stx-sm`` on
127.0.0.1 with three peer paths each through UDP relays the bench can cut,
each controller's BMC a BMC of ``stx-bmc-sim`` whose power hook kills that
controller's stx-sm and stand-in services (a power-off), StarlingX's fail
pending at its lowest (1.2 s), a 400 ms dead interval. Every go-active and
end of the active role is written to the controllers' histories.

``--runs N`` (default 20): kill -9 the active controller's stx-sm and time
until its group is active on the peer (fail-pending and the IPMI fence
confirmed by reading the power state back included); p50/p99/max.

``--random N`` (default 0): N runs of a random scenario, each on a fresh
pair: kill -9 the active, kill -9 the standby, cut every path, or cut one
or two paths (nothing may move), after a random 0-1 s. Each run checks the
outcome (which controller holds the group, which was powered off) and
merges both histories to prove no instant with the group active on both.

``--hosts-runs N`` (default 0): the kill -9 of ``--runs`` with health
scores (below): the survivor asks its silent peer over RPC first.

``--hosts-random N`` (default 0): the random runs with health scores, on one
stx-aio (without its own service management) managing three unlocked
workers whose heartbeat each stx-sm pulses through relays of its own
(tests/functional/test_sm_survivor.py): kill -9 the active; cut every
path with both reaching every worker (the active keeps the group, nobody
powered off); cut the active, or the standby, off from the workers, then
every path after a random 0-1 s (the other one holds the group; only the
active cut off may be powered off, if it still held the group when
asked); or cut one or two paths.

Needs RabbitMQ on 127.0.0.1:5672 (stx-sm's RPC server).

Usage: bench_failover.py [--runs 20] [--random 100] [--hosts-runs 20]
                         [--hosts-random 100] [--seed N]
"""

import argparse
import contextlib
import os
import pathlib
import random
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from tests.functional import base  # noqa: E402
from tests.functional import test_heartbeat  # noqa: E402
from tests.functional import test_mtce  # noqa: E402
from tests.functional import test_sm  # noqa: E402
from tests.functional import test_sm_survivor  # noqa: E402

WAIT = 30
PATHS = ('management', 'cluster_host', 'oam')
SCENARIOS = ('kill-active', 'kill-standby', 'cut-all', 'cut-one', 'cut-two')
HOST_SCENARIOS = ('kill-active', 'equal', 'active-off-hosts',
                  'standby-off-hosts', 'cut-one', 'cut-two')


class Pair:
    """A fresh fenced pair in its own directory."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.runner = base.ProcessRunner(str(workdir))
        self.relays = test_sm.Relays(workdir, PATHS)
        try:
            self.fenced = test_sm.Fenced(self.runner, workdir,
                                         base.RABBIT_URL, test_mtce.PASSWORD,
                                         relays=self.relays)
            self.one, self.two = self.fenced.pair
            test_sm.wait_active_standby(self.one, self.two)
        except BaseException:
            # Nothing started may outlive a setup that failed.
            self.runner.cleanup()
            self.relays.close()
            raise

    def close(self):
        try:
            self.fenced.close()
            self.relays.close()
        finally:
            self.runner.cleanup()


def kill_active(pair):
    """kill -9 controller-0's stx-sm: seconds until its group is active on
    controller-1, controller-0 powered off first.
    """
    pair.one.process.kill()
    killed = time.monotonic()
    base.wait('active on controller-1', pair.two.active, WAIT, interval=0.01)
    took = time.monotonic() - killed
    assert pair.fenced.powered('controller-0') == ['off']
    return took


def check_outcome(pair, workdir, scenario, holder, allowed):
    """``holder`` holds the group, and still does past dead interval,
    fail-pending and a fence; the controllers powered off are one of the
    ``allowed`` lists; never both active. Returns those powered off.
    """
    base.wait('%s holding the group' % scenario, holder.active, WAIT)
    time.sleep(3)
    assert holder.active(), scenario
    powered_off = [node for node in test_sm.NODES
                   if pair.fenced.powered(node) == ['off']]
    assert powered_off in allowed, (scenario, powered_off)
    test_sm.check_one_active(test_sm.history(workdir) +
                             pair.fenced.power_offs())
    return powered_off


def failover_time(workdir):
    pair = Pair(workdir)
    try:
        took = kill_active(pair)
        test_sm.check_one_active(test_sm.history(workdir) +
                                 pair.fenced.power_offs())
        return took
    finally:
        pair.close()


def random_run(workdir, rng):
    scenario = rng.choice(SCENARIOS)
    pair = Pair(workdir)
    try:
        time.sleep(rng.uniform(0, 1))
        if scenario == 'kill-active':
            pair.one.process.kill()
            holder, off = pair.two, ['controller-0']
        elif scenario == 'kill-standby':
            pair.two.process.kill()
            holder, off = pair.one, []
        elif scenario == 'cut-all':
            pair.relays.cut(*PATHS)
            holder, off = pair.two, ['controller-0']
        else:
            count = 1 if scenario == 'cut-one' else 2
            pair.relays.cut(*rng.sample(PATHS, count))
            holder, off = pair.one, []
        check_outcome(pair, workdir, scenario, holder, [off])
        return scenario
    finally:
        pair.close()


@contextlib.contextmanager
def site_pair(site, workdir):
    """A fresh stx-sm pair of ``site`` (test_sm_survivor.Pair), started:
    active and standby, both reaching every worker.
    """
    runner = base.ProcessRunner(str(workdir))
    pair = None
    try:
        pair = test_sm_survivor.Pair(runner, workdir, site)
        pair.start()
        yield pair
    finally:
        try:
            if pair is not None:
                pair.close()
        finally:
            runner.cleanup()


def hosts_run(site, workdir, rng):
    """One random run of HOST_SCENARIOS on a fresh pair of ``site``."""
    scenario = rng.choice(HOST_SCENARIOS)
    with site_pair(site, workdir) as pair:
        paths = PATHS
        if scenario == 'kill-active':
            holder, off = pair.two, [['controller-0']]
        elif scenario == 'equal':
            holder, off = pair.one, [[]]
        elif scenario.endswith('off-hosts'):
            cut_off = 'controller-0' if scenario == 'active-off-hosts' \
                else 'controller-1'
            pair.hosts.cut(cut_off)
            pair.wait_reachability(cut_off, test_sm_survivor.NONE)
            holder = pair.two if cut_off == 'controller-0' else pair.one
            off = [[], ['controller-0']] if cut_off == 'controller-0' \
                else [[]]
        else:
            paths = rng.sample(PATHS, 1 if scenario == 'cut-one' else 2)
            holder, off = pair.one, [[]]
        time.sleep(rng.uniform(0, 1))
        if scenario == 'kill-active':
            pair.one.process.kill()
        else:
            pair.paths.cut(*paths)
        return scenario, check_outcome(pair, workdir, scenario, holder, off)


def hosts_failover_time(site, workdir):
    """kill -9 the active stx-sm, both reaching every worker: seconds
    until its group is active on the peer (which asks it over RPC first).
    """
    with site_pair(site, workdir) as pair:
        took = kill_active(pair)
        pair.check_one_active()
        return took


def with_hosts(runs, count, rng):
    """``runs`` timed failovers and ``count`` HOST_SCENARIOS runs on one
    site; the times and {scenario: runs}.
    """
    test_heartbeat.HOSTS['worker-3'] = test_sm_survivor.WORKER_3
    times = []
    done = {}
    with tempfile.TemporaryDirectory(prefix='bench-failover-') as work:
        work = pathlib.Path(work)
        runner = base.ProcessRunner(str(work))
        try:
            site = test_sm_survivor.Site(runner, work, base.RABBIT_URL)
            try:
                for number in range(runs + count):
                    run = work / ('run-%d' % number)
                    run.mkdir()
                    if number < runs:
                        times.append(hosts_failover_time(site, run))
                        print('hosts run %2d: kill -9 -> active on the peer '
                              '%.2f s' % (number + 1, times[-1]), flush=True)
                        continue
                    scenario, off = hosts_run(site, run, rng)
                    done[scenario] = done.get(scenario, 0) + 1
                    print('hosts random %3d: %s: one active, no overlap%s'
                          % (number - runs + 1, scenario,
                             ', %s powered off' % off[0] if off else ''),
                          flush=True)
            finally:
                site.close()
        finally:
            runner.cleanup()
    return times, done


def report(what, times):
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1,
                      int(round(0.99 * len(ordered))) - 1)]
    print('failover (%s): p50 %.2f s  p99 %.2f s  max %.2f s over %d runs'
          % (what, statistics.median(ordered), p99, ordered[-1],
             len(ordered)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=20)
    parser.add_argument('--random', type=int, default=0)
    parser.add_argument('--hosts-runs', type=int, default=0)
    parser.add_argument('--hosts-random', type=int, default=0)
    parser.add_argument('--seed', type=int, default=None)
    args = parser.parse_args()
    times = []
    for number in range(args.runs):
        with tempfile.TemporaryDirectory(prefix='bench-failover-') as work:
            times.append(failover_time(pathlib.Path(work)))
        print('run %2d: kill -9 -> active on the peer %.2f s'
              % (number + 1, times[-1]), flush=True)
    if times:
        report('dead 0.4 s + fail-pending 1.2 s + IPMI fence', times)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    done = {}
    for number in range(args.random):
        with tempfile.TemporaryDirectory(prefix='bench-failover-') as work:
            scenario = random_run(pathlib.Path(work), rng)
        done[scenario] = done.get(scenario, 0) + 1
        print('random %3d: %s: one active, no overlap' % (number + 1,
                                                          scenario),
              flush=True)
    if args.random:
        print('randomized (seed %d): %d runs, every one with exactly one '
              'active and no instant with two: %s' % (
                  seed, args.random, ', '.join(
                      '%s %d' % item for item in sorted(done.items()))))
    if args.hosts_runs or args.hosts_random:
        times, done = with_hosts(args.hosts_runs, args.hosts_random, rng)
    if args.hosts_runs:
        report('with health scores: dead 0.4 s + fail-pending 1.2 s + '
               'the peer asked over RPC + IPMI fence', times)
    if args.hosts_random:
        print('randomized with health scores (seed %d): %d runs, every one '
              'with exactly one active and no instant with two: %s' % (
                  seed, args.hosts_random, ', '.join(
                      '%s %d' % item for item in sorted(done.items()))))


if __name__ == '__main__':
    main()
