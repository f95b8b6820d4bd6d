"""Benchmark: fault management throughput and latency (DESIGN.md §7).

Runs stx-fm's API in this process (cheroot on loopback) on a SQLite file or
a fresh PostgreSQL database, with the fm manager either

- ``inprocess``: in this process behind the in-process RPC transport, as
  the all-in-one runs it (the default on SQLite, the AIO's database), or
- ``process``: ``stx-fm-manager`` as its own OS process over RabbitMQ, as
  standard controllers run it (the default on PostgreSQL, their database);
  the callers then no longer share the manager's interpreter and GIL,

and measures:

- sustained durable set/clear operations per second from 16 client
  threads through the fm client library (target: >= 2,000/s),
- set -> visible in GET /v1/alarms (target: <= 50 ms p99),
- GET /v1/alarms (a page of 100) and GET /v1/alarms/summary with 100,000
  active alarms (target: <= 50 ms p99 for the page).

Usage: bench_fm.py [--db sqlite|postgresql] [--manager inprocess|process]
                   [--threads 16] [--ops 20000] [--alarms 100000]
                   [--transport-url rabbit://guest:guest@127.0.0.1:5672/]
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings

import requests

import benchdb

os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

TIMEOUT = 30
# A cold stx-fm-manager imports oslo.*, SQLAlchemy and kombu.
START_TIMEOUT = 60
RABBIT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'
# Where each database is deployed: SQLite in the all-in-one (one process,
# in-process RPC), PostgreSQL on standard controllers (stx-fm-manager a
# process of its own, RabbitMQ).
DEFAULT_MANAGER = {'sqlite': 'inprocess', 'postgresql': 'process'}


def _percentiles(samples):
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return statistics.median(samples) * 1e3, p99 * 1e3


def _write_config(path, sections):
    with open(path, 'w') as conf:
        for section, options in sections.items():
            conf.write('[%s]\n' % section)
            for name, value in options.items():
                conf.write('%s = %s\n' % (name, value))
    return path


def _rabbit_vhost(transport_url):
    """A virtual host of this run on ``transport_url``'s broker.

    oslo.messaging names a topic's queue after the topic alone, so on a
    shared virtual host another deployment's stx-fm-manager (a concurrent
    test run) would consume this run's calls whatever the control
    exchange. rabbitmqctl needs the broker's Erlang cookie; without it the
    run uses the URL as given. Returns (URL, cleanup function).
    """
    if not shutil.which('rabbitmqctl') or not transport_url.endswith('/'):
        return transport_url, lambda: None
    vhost = 'stxbench_%s' % uuid.uuid4().hex[:12]

    def ctl(*args):
        try:
            return subprocess.run(
                ['rabbitmqctl', '-q'] + list(args), capture_output=True,
                stdin=subprocess.DEVNULL, timeout=60).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False

    if not ctl('add_vhost', vhost):
        return transport_url, lambda: None
    if not ctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*'):
        ctl('delete_vhost', vhost)
        return transport_url, lambda: None
    return transport_url + vhost, lambda: ctl('delete_vhost', vhost)


class ManagerProcess:
    """stx-fm-manager as its own process, on the bench's configuration."""

    def __init__(self, state_dir, config):
        # Its own log file: two processes appending to one interleave.
        own = _write_config(os.path.join(state_dir, 'manager.conf'), {
            'DEFAULT': {'log_file': os.path.join(state_dir, 'manager.log')}})
        self.stdout = os.path.join(state_dir, 'manager.stdout')
        self.stderr = os.path.join(state_dir, 'manager.stderr')
        script = os.path.join(os.path.dirname(sys.executable),
                              'stx-fm-manager')
        with open(self.stdout, 'wb') as out, open(self.stderr, 'wb') as err:
            self.popen = subprocess.Popen(
                [script, '--config-file', config, '--config-file', own],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                cwd=state_dir)
        deadline = time.monotonic() + START_TIMEOUT
        while 'stx-fm-manager ready' not in self._read(self.stdout):
            if self.popen.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError('stx-fm-manager did not start:\n%s'
                                   % self._read(self.stderr)[-3000:])
            time.sleep(0.05)

    @staticmethod
    def _read(path):
        with open(path, encoding='utf-8', errors='replace') as stream:
            return stream.read()

    def stop(self):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(START_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(START_TIMEOUT)


def _start(state_dir, connection, manager, transport_url):
    """Start fm; returns (API server, function stopping the manager)."""
    from stx.common import service
    from stx.common import wsgi_server
    from stx.db import migration
    from stx.fm import service as fm_service

    options = {'state_path': state_dir,
               'log_file': os.path.join(state_dir, 'bench.log'),
               'transport_url': 'stx-inproc://',
               'enabled_fm_notifiers': 'log'}
    if manager == 'process':
        options.update(transport_url=transport_url,
                       control_exchange='stxbench_%s' % uuid.uuid4().hex[:8],
                       host='bench-%s' % uuid.uuid4().hex[:8])
    config = _write_config(os.path.join(state_dir, 'stx.conf'), {
        'DEFAULT': options, 'fm_database': {'connection': connection}})
    service.prepare_service(['bench', '--config-file', config])
    fm = fm_service.FMService()
    migration.upgrade(fm.database)
    if manager == 'process':
        stop = ManagerProcess(state_dir, config).stop
    else:
        fm.start()
        stop = fm.stop
    try:
        server = wsgi_server.APIServer({'fm': fm.wsgi_app()}, '127.0.0.1', 0)
        server.start()
    except BaseException:
        stop()
        raise
    return server, stop


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
    return done / elapsed, done, len(failures) + _not_stored(done)


def _not_stored(done):
    """Operations of bench_throughput missing from the database.

    Each set and each clear leaves one event log record (while ``done``
    stays within [fm] event_log_max_size, 100,000), and every alarm was
    cleared again.
    """
    import sqlalchemy as sa

    from stx.common import context
    from stx.fm.db import api as dbapi
    from stx.fm.db import DB

    prefix = 'host=bench-%'
    with DB.reader.using(context.get_admin_context()) as session:
        logged = session.execute(sa.select(sa.func.count()).where(
            dbapi.EVENTS.c.entity_instance_id.like(prefix))).scalar()
        active = session.execute(sa.select(sa.func.count()).where(
            dbapi.ALARMS.c.entity_instance_id.like(prefix))).scalar()
    return abs(done - logged) + active


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
    parser.add_argument('--manager', choices=('inprocess', 'process'),
                        help='where the fm manager runs; default: where '
                        'deployments on that database run it (sqlite: '
                        'inprocess, postgresql: process)')
    parser.add_argument('--transport-url', default=RABBIT_URL,
                        help='the broker of --manager process (a virtual '
                        'host of the run is made on it when rabbitmqctl '
                        'can)')
    parser.add_argument('--threads', type=int, default=16)
    parser.add_argument('--ops', type=int, default=20000)
    parser.add_argument('--alarms', type=int, default=100000)
    args = parser.parse_args()
    manager = args.manager or DEFAULT_MANAGER[args.db]

    drop = None
    transport_url, delete_vhost = RABBIT_URL, lambda: None
    with tempfile.TemporaryDirectory(prefix='stx-bench-fm-') as state_dir:
        if args.db == 'postgresql':
            connection, drop = benchdb.postgresql_database(
                'stx_bench_fm')
        else:
            connection = 'sqlite:///' + os.path.join(state_dir, 'fm.sqlite')
        if manager == 'process':
            transport_url, delete_vhost = _rabbit_vhost(args.transport_url)
        server, stop_manager = None, lambda: None
        try:
            server, stop_manager = _start(state_dir, connection, manager,
                                          transport_url)
            rate, done, failed = bench_throughput(args.threads, args.ops)
            print('fm on %s, manager %s, %d client threads'
                  % (args.db, manager, args.threads))
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
            if server is not None:
                server.stop()
            stop_manager()
            from stx.common import rpc
            rpc.cleanup()
            delete_vhost()
            if drop is not None:
                from stx.fm.db import DB
                DB.reset()
                drop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
