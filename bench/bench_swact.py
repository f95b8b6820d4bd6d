"""Benchmark: a controlled swact, from ``host-swact`` to the peer active.

Real processes, as in tests/functional/test_sm.py: ``stx-aio`` on
RabbitMQ (without its own service management), controller-1 added and
unlocked with its ``stx-agent``, one ``stx-sm`` per controller over signed
UDP on 127.0.0.1 and ``stx-sm-api``. The model is the packaged one's
shape (StarlingX's intervals: hello 200 ms, dead 800 ms; one 1+1 group of
six services in the same dependency order), each service a stand-in
process its enable starts, with go-active / go-standby actions that each
run a command (a process start, as a real one would).

Each run sends the swact action to the sysinv API (as ``stx host-swact``)
for the controller the group is active on, and times, from the request:

- ``active``: until the sm API shows the group active on the peer and
  standby on the source (polled every 20 ms);
- ``task``: until the source host's task is clear again (what
  ``stx host-swact --wait`` waits for).

Runs alternate direction. Reports p50/p99/max over ``--runs`` runs
(default 20). Needs RabbitMQ on 127.0.0.1:5672.

Usage: bench_swact.py [--runs 20] [--keep]
"""

import argparse
import os
import pathlib
import statistics
import sys
import tempfile
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from tests.functional import base  # noqa: E402
from tests.functional import test_heartbeat  # noqa: E402
from tests.functional import test_sm  # noqa: E402

WAIT = 60
GROUP = 'controller-services'
# The packaged model's services, in its dependency order.
SERVICES = (('management-ip', ()), ('sysinv-conductor', ('management-ip',)),
            ('sysinv-api', ('sysinv-conductor',)),
            ('fm-manager', ('management-ip',)), ('fm-api', ('fm-manager',)),
            ('mtce', ('sysinv-api',)))


def packaged_shape(markers):
    return {
        'domain': {'name': 'controller', 'hello_interval_ms': 200,
                   'dead_interval_ms': 800},
        'service_groups': [{
            'name': GROUP, 'redundancy_model': '1+1',
            'services': [{'name': name, 'failure_impact': 'critical'}
                         for name, _deps in SERVICES]}],
        'services': [test_sm.stand_in(name, markers, dependencies=deps,
                                      audit_interval=5)
                     for name, deps in SERVICES]}


class Bench:

    def __init__(self, workdir):
        self.runner = base.ProcessRunner(str(workdir))
        self.pair = []
        try:
            self._start(workdir)
        except BaseException:
            # Nothing started may outlive a setup that failed.
            self.runner.cleanup()
            raise

    def _start(self, workdir):
        self.deployment = test_heartbeat.Deployment(
            self.runner, workdir, base.RABBIT_URL,
            DEFAULT={'skip_services': 'sm'}, sm={'swact_timeout': WAIT})
        deployment = self.deployment
        deployment.add_worker('controller-1', personality='controller')
        deployment.cli.ok('host-unlock', 'controller-1', '--wait',
                          '--timeout', str(WAIT))
        self.pair = test_sm.start_pair(
            self.runner, workdir, base.RABBIT_URL, deployment.exchange,
            model=packaged_shape)
        config = base.write_config(str(workdir / 'sm-api.conf'), {
            'DEFAULT': {'transport_url': base.RABBIT_URL,
                        'control_exchange': deployment.exchange,
                        'state_path': str(workdir / 'sm-api')}})
        api = self.runner.start('stx-sm-api', '--config-file', config,
                                '--port', '0')
        self.sm_url = api.wait_for_output(
            r'stx-sm-api ready: URL=(\S+)').group(1).rstrip('/')
        self.sysinv_url = deployment.url.rstrip('/') + '/sysinv'
        self.session = requests.Session()

    def close(self):
        for controller in self.pair:
            controller.kill_stand_ins()
        try:
            self.deployment.close()
        finally:
            self.runner.cleanup()

    def roles(self):
        response = self.session.get(self.sm_url + '/v1/service_groups',
                                    timeout=10)
        response.raise_for_status()
        return {row['node_name']: row['state']
                for row in response.json()['service_groups']
                if row['service_group_name'] == GROUP}

    def task(self, host):
        response = self.session.get(
            '%s/v1/ihosts/%s' % (self.sysinv_url, host), timeout=10)
        response.raise_for_status()
        return response.json()['task']

    def run(self):
        """One swact away from the active controller; (source, active s,
        task s).
        """
        base.wait('one active, one standby', lambda: sorted(
            self.roles().values()) == ['active', 'standby'], WAIT)
        source = [node for node, state in self.roles().items()
                  if state == 'active'][0]
        target, = set(test_sm.NODES) - {source}
        started = time.monotonic()
        response = self.session.patch(
            '%s/v1/ihosts/%s' % (self.sysinv_url, source),
            json=[{'op': 'replace', 'path': '/action', 'value': 'swact'}],
            timeout=30)
        if not response.ok:
            raise SystemExit('swact of %s refused: %s %s' % (
                source, response.status_code, response.text))
        swapped = {target: 'active', source: 'standby'}
        base.wait('%s active' % target, lambda: self.roles() == swapped,
                  WAIT, interval=0.02)
        active = time.monotonic() - started
        base.wait('%s task clear' % source, lambda: not self.task(source),
                  WAIT, interval=0.02)
        return source, active, time.monotonic() - started


def _figures(times):
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * len(ordered))) - 1)]
    return 'p50 %.2f s  p99 %.2f s  max %.2f s' % (
        statistics.median(ordered), p99, ordered[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=20)
    parser.add_argument('--keep', action='store_true',
                        help='keep the work directory (logs) and say where')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='bench-swact-') as workdir:
        if args.keep:
            workdir = tempfile.mkdtemp(prefix='bench-swact-')
            print('work directory: %s' % workdir)
        bench = Bench(pathlib.Path(workdir))
        try:
            results = []
            for number in range(args.runs):
                source, active, task = bench.run()
                results.append((active, task))
                print('run %2d  %s -> peer: active %.2f s, task clear '
                      '%.2f s' % (number + 1, source, active, task),
                      flush=True)
            print('swact -> group active on the peer: %s' % _figures(
                [active for active, _task in results]))
            print('swact -> host task clear:          %s' % _figures(
                [task for _active, task in results]))
        finally:
            bench.close()


if __name__ == '__main__':
    main()
