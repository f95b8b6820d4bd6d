"""Benchmark: IPMI power-state queries through IPMIBMC against stx-bmc-sim.

Starts ``stx-bmc-sim`` with ``--bmcs`` simulated BMCs (one process, ports
from ``--first-port``) and measures, through the real driver
(``stx.drivers.bmc.ipmi.IPMIBMC``, pyghmi's client):

- the latency of one get_power_state on a warm (logged-in) session, p50
  and p99 over ``--calls`` calls, and of a cold one (login included);
- one "audit pass", as stx-mtce's power audit makes: get_power_state for
  every BMC from a thread pool of 8, 16 and 32 workers (``--workers``),
  first with no session (every BMC logs in), then warm; BMCs per second;
- one pass of stx-mtce's power audit itself (stx.mtce.powersync), 16
  workers, warm.

Prints the figures and stops the simulator.

Usage: bench_bmc.py [--bmcs 500] [--first-port 17000] [--calls 2000]
                    [--workers 8,16,32] [--passes 3]
"""

import argparse
import concurrent.futures
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings

os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

PASSWORD = 'bench-password'
START_TIMEOUT = 30
READY = re.compile(r'stx-bmc-sim ready: (\d+) BMCs')


def _percentiles(samples):
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return statistics.median(samples) * 1e3, p99 * 1e3


def start_simulator(workdir, count, first_port):
    config = os.path.join(workdir, 'bmc-sim.yaml')
    with open(config, 'w') as f:
        f.write('defaults: {username: admin, password: %s, power: on}\n'
                'bmcs:\n'
                '  - {name_prefix: bench-, count: %d, first_port: %d}\n'
                % (PASSWORD, count, first_port))
    command = os.path.join(os.path.dirname(sys.executable), 'stx-bmc-sim')
    started = time.monotonic()
    process = subprocess.Popen([command, '--config', config],
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=open(os.path.join(workdir, 'sim.err'),
                                           'w'),
                               text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.append(
        process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    if not lines or not READY.search(lines[0]):
        process.kill()
        sys.exit('stx-bmc-sim did not get ready: %r (see %s)'
                 % (lines, os.path.join(workdir, 'sim.err')))
    return process, time.monotonic() - started


def stop_simulator(process):
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def bmc_info(first_port, index):
    return {'address': '127.0.0.1', 'port': first_port + index,
            'username': 'admin', 'password': PASSWORD}


def bench_latency(driver, first_port, calls):
    from stx.drivers.bmc import ipmi

    info = bmc_info(first_port, 0)
    driver.get_power_state(info)
    warm = []
    for _ in range(calls):
        started = time.perf_counter()
        driver.get_power_state(info)
        warm.append(time.perf_counter() - started)
    cold = []
    for index in range(1, min(101, calls)):
        ipmi.reset_sessions()
        started = time.perf_counter()
        driver.get_power_state(bmc_info(first_port, index))
        cold.append(time.perf_counter() - started)
    return _percentiles(warm), _percentiles(cold)


def audit_pass(driver, infos, workers):
    failures = []

    def query(info):
        try:
            driver.get_power_state(info)
        except Exception as error:
            failures.append((info['port'], error))

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(query, infos))
    return len(infos) / (time.perf_counter() - started), failures


class _QuietFaults:
    """Where stx-mtce's audit would raise alarms: counted, not sent."""

    def __init__(self):
        self.raised = 0

    def raise_alarm(self, *args):
        self.raised += 1

    def clear_alarm(self, *args):
        pass

    def log(self, *args, **kwargs):
        pass


def mtce_audit_pass(first_port, count, workers, state_dir):
    """One pass of stx-mtce's own power audit (stx.mtce.powersync) over
    hosts whose BMCs are the simulator's: what the driver costs plus the
    password decryption, driver lookup and ordering the audit adds.
    """
    import futurist

    from stx.common import secrets
    from stx.conf import CONF
    from stx.mtce import bmc as mtce_bmc
    from stx.mtce import powersync

    CONF.set_override('enabled_bmc_drivers', ['ipmi'])
    key_file = os.path.join(state_dir, 'bm-key')
    CONF.set_override('bm_password_key_file', key_file, group='sysinv')
    token = secrets.encrypt(key_file, PASSWORD)
    hosts = [{'uuid': 'host-%d' % index, 'hostname': 'host-%d' % index,
              'bm_type': 'ipmi',
              'bm_ip': '127.0.0.1:%d' % (first_port + index),
              'bm_username': 'admin', 'bm_password': token,
              'availability': 'online', 'task': ''}
             for index in range(count)]
    faults = _QuietFaults()
    with futurist.ThreadPoolExecutor(max_workers=workers) as executor:
        audit = powersync.PowerAudit(None, mtce_bmc.BMCAccess(faults), faults,
                                     executor, lambda uuid: False)
        audit.run(None, hosts)
        audit.run(None, hosts)
    return audit.last_pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--bmcs', type=int, default=500)
    parser.add_argument('--first-port', type=int, default=17000)
    parser.add_argument('--calls', type=int, default=2000)
    parser.add_argument('--workers', default='8,16,32')
    parser.add_argument('--passes', type=int, default=3)
    args = parser.parse_args()

    from stx.conf import CONF
    from stx.drivers.bmc import ipmi

    CONF([], project='stx', default_config_files=[])
    driver = ipmi.IPMIBMC()
    infos = [bmc_info(args.first_port, index) for index in range(args.bmcs)]
    with tempfile.TemporaryDirectory(prefix='stx-bench-bmc-') as workdir:
        process, ready = start_simulator(workdir, args.bmcs, args.first_port)
        try:
            print('stx-bmc-sim: %d BMCs on ports %d-%d, ready in %.2f s'
                  % (args.bmcs, args.first_port,
                     args.first_port + args.bmcs - 1, ready))
            (warm50, warm99), (cold50, cold99) = bench_latency(
                driver, args.first_port, args.calls)
            print('get_power_state, warm session (%d calls): p50 %.2f ms, '
                  'p99 %.2f ms' % (args.calls, warm50, warm99))
            print('get_power_state, cold (login + request, %d BMCs): p50 '
                  '%.2f ms, p99 %.2f ms'
                  % (min(100, args.calls - 1), cold50, cold99))
            for workers in [int(w) for w in args.workers.split(',')]:
                ipmi.reset_sessions()
                cold_rate, failures = audit_pass(driver, infos, workers)
                warm_rates = []
                for _ in range(args.passes):
                    rate, failed = audit_pass(driver, infos, workers)
                    warm_rates.append(rate)
                    failures += failed
                print('audit pass, %2d workers: cold %5.0f BMCs/s (%.2f s), '
                      'warm %5.0f BMCs/s (median of %d, %.2f s), %d failed'
                      % (workers, cold_rate, args.bmcs / cold_rate,
                         statistics.median(warm_rates), args.passes,
                         args.bmcs / statistics.median(warm_rates),
                         len(failures)))
                for port, error in failures[:5]:
                    print('  port %d: %s' % (port, error))
            figures = mtce_audit_pass(args.first_port, args.bmcs, 16, workdir)
            print('stx-mtce power audit pass (16 workers, warm): %d hosts in '
                  '%.2f s, %.0f BMCs/s, %d failed'
                  % (figures['hosts'], figures['seconds'],
                     figures['hosts'] / figures['seconds'],
                     figures['failures']))
        finally:
            ipmi.reset_sessions()
            stop_simulator(process)


if __name__ == '__main__':
    main()
