"""Benchmark: fault management throughput and latency (DESIGN.md §7).

Runs stx-fm's manager and API in this process (in-process RPC, cheroot on
loopback) on a SQLite file or a fresh PostgreSQL database, and measures:

- sustained durable set/clear operations per second from 16 client
  threads through the fm client library (target: >= 2,000/s),
- set -> visible in GET /v1/alarms (target: <= 50 ms p99),
- GET /v1/alarms (a page of 100) and GET /v1/alarms/summary with 100,000
  active alarms (target: <= 50 ms p99 for the page).

Usage: bench_fm.py [--db sqlite|postgresql] [--threads 16] [--ops 20000]
                   [--alarms 100000]
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import warnings

import requests

import benchdb

os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

TIMEOUT = 30


def _percentiles(samples):
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return statistics.median(samples) * 1e3, p99 * 1e3


def _start(state_dir, connection):
    from stx.common import service
    from stx.common import wsgi_server
    from stx.db import migration
    from stx.fm import service as fm_service

    config = os.path.join(state_dir, 'stx.conf')
    with open(config, 'w') as conf:
        conf.write('[DEFAULT]\nstate_path = %s\nlog_file = %s\n'
                   'transport_url = stx-inproc://\n'
                   'enabled_fm_notifiers = log\n'
                   '[fm_database]\nconnection = %s\n'
                   % (state_dir, os.path.join(state_dir, 'bench.log'),
                      connection))
    service.prepare_service(['bench', '--config-file', config])
    fm = fm_service.FMService()
    migration.upgrade(fm.database)
    fm.start()
    server = wsgi_server.APIServer({'fm': fm.wsgi_app()}, '127.0.0.1', 0)
    server.start()
    return fm, server


def _fault(client, eid):
    return client.Fault(alarm_id='200.004', alarm_state=client.SET,
                        entity_type_id='host', entity_instance_id=eid,
                        severity='critical', reason_text='bench %s' % eid)


def bench_throughput(threads, ops):
    from stx.fm import client

    fm = client.FaultAPIs(mode=client.MODE_SYNC, timeout=10,
                          name='bench-throughput')
    per_thread = ops // threads // 2
    failures = []

    def work(number):
        for i in range(per_thread):
            eid = 'host=bench-%d-%d' % (number, i)
            if fm.set_fault(_fault(client, eid)) is None:
                failures.append(eid)
            if not fm.clear_fault('200.004', eid):
                failures.append(eid)

    workers = [threading.Thread(target=work, args=(n,))
               for n in range(threads)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(TIMEOUT * 10)
    elapsed = time.monotonic() - started
    fm.close()
    done = per_thread * threads * 2
    return done / elapsed, done, len(failures)


def bench_visible(base, samples=200):
    from stx.fm import client

    fm = client.FaultAPIs(mode=client.MODE_SYNC, timeout=10,
                          name='bench-visible')
    session = requests.Session()
    latencies = []
    for i in range(samples):
        eid = 'host=visible-%d' % i
        started = time.perf_counter()
        fm.set_fault(_fault(client, eid))
        while True:
            found = session.get(base + 'fm/v1/alarms', params={
                'q.field': 'entity_instance_id', 'q.op': 'eq',
                'q.type': '', 'q.value': eid}, timeout=TIMEOUT).json()
            if found['alarms']:
                break
        latencies.append(time.perf_counter() - started)
        fm.clear_fault('200.004', eid)
    fm.close()
    return _percentiles(latencies)


def fill(count):
    from stx.common import context
    from stx.fm.manager import rpcapi

    api = rpcapi.FMAPI(timeout=120)
    ctx = context.get_admin_context()
    started = time.monotonic()
    chunk = 500
    for first in range(0, count, chunk):
        api.set_faults(ctx, [
            # A realistic mix: CPU alarms, major or critical.
            {'alarm_id': '100.101', 'alarm_state': 'set',
             'entity_type_id': 'host',
             'entity_instance_id': 'host=fill-%d' % n,
             'severity': ('critical', 'major')[n % 2],
             'reason_text': 'fill %d' % n}
            for n in range(first, min(first + chunk, count))])
    return time.monotonic() - started


def bench_reads(base, requests_each=100):
    session = requests.Session()
    results = {}
    for name, path in (('page of 100', 'fm/v1/alarms?limit=100'),
                       ('summary', 'fm/v1/alarms/summary')):
        session.get(base + path, timeout=TIMEOUT).raise_for_status()
        times = []
        for _ in range(requests_each):
            started = time.perf_counter()
            session.get(base + path, timeout=TIMEOUT).raise_for_status()
            times.append(time.perf_counter() - started)
        results[name] = _percentiles(times)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--db', choices=('sqlite', 'postgresql'),
                        default='sqlite')
    parser.add_argument('--threads', type=int, default=16)
    parser.add_argument('--ops', type=int, default=20000)
    parser.add_argument('--alarms', type=int, default=100000)
    args = parser.parse_args()

    drop = None
    with tempfile.TemporaryDirectory(prefix='stx-bench-fm-') as state_dir:
        if args.db == 'postgresql':
            connection, drop = benchdb.postgresql_database(
                'stx_bench_fm')
        else:
            connection = 'sqlite:///' + os.path.join(state_dir, 'fm.sqlite')
        fm, server = _start(state_dir, connection)
        try:
            rate, done, failed = bench_throughput(args.threads, args.ops)
            print('fm on %s, %d client threads' % (args.db, args.threads))
            verdict = 'PASS' if rate >= 2000 and not failed else 'FAIL'
            print('durable set/clear: %d ops, %.0f ops/s, %d failed '
                  '(target >= 2000/s: %s)' % (done, rate, failed, verdict))
            p50, p99 = bench_visible(server.url)
            print('set -> visible in GET /v1/alarms: p50 %.1f ms, p99 %.1f '
                  'ms (target <= 50 ms p99: %s)'
                  % (p50, p99, 'PASS' if p99 <= 50 else 'FAIL'))
            seconds = fill(args.alarms)
            print('stored %d active alarms in %.1f s (%.0f/s)'
                  % (args.alarms, seconds, args.alarms / seconds))
            for name, (p50, p99) in bench_reads(server.url).items():
                verdict = ''
                if name == 'page of 100':
                    verdict = ' (target <= 50 ms p99: %s)' % (
                        'PASS' if p99 <= 50 else 'FAIL')
                print('GET %s with %d alarms: p50 %.1f ms, p99 %.1f ms%s'
                      % (name, args.alarms, p50, p99, verdict))
        finally:
            server.stop()
            fm.stop()
            if drop is not None:
                from stx.fm.db import DB
                DB.reset()
                drop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
