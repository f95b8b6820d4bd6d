"""Benchmark: sysinv's host API with 10,000 hosts stored (DESIGN.md §7).

Stores the hosts straight into a SQLite database in a temporary state
directory (one bulk insert: the API is measured, not the conductor), then
serves that state either with stx-aio in its own process (the default:
client and server do not share a GIL) or in this process with cheroot, and
times, through one keep-alive requests.Session on loopback:

- GET one host by uuid (target: <= 20 ms p99),
- GET a page of 100 hosts with a random marker (target: <= 50 ms p99),
- GET the whole collection (target: <= 1 s; StarlingX clients read it all).

Usage: bench_hosts_api.py [--hosts 10000] [--server aio|inprocess]
"""

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import requests

# As the console scripts do (stx.command): skip eventlet's unused green DNS
# and its import-time deprecation warning.
os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

# Every wait is bounded so that the benchmark always ends.
START_TIMEOUT = 60
REQUEST_TIMEOUT = 30

TARGETS = {'one host': 20.0, 'page of 100': 50.0, 'full list': 1000.0}


def _prepare(state_dir, count):
    """Migrate, bootstrap and insert ``count`` hosts; returns their uuids."""
    from oslo_utils import timeutils
    from oslo_utils import uuidutils
    import sqlalchemy as sa

    from stx.common import context
    from stx.common import service
    from stx.db import migration
    from stx.sysinv.conductor import bootstrap
    from stx.sysinv.conductor import manager
    from stx.sysinv.db import DB
    from stx.sysinv.db import models

    config = os.path.join(state_dir, 'stx.conf')
    with open(config, 'w') as conf:
        conf.write('[DEFAULT]\nstate_path = %s\nlog_file = %s\n'
                   'transport_url = stx-inproc://\n'
                   % (state_dir, os.path.join(state_dir, 'bench.log')))
    service.prepare_service(['bench', '--config-file', config])
    migration.upgrade(DB)
    system, _controller = bootstrap.ensure_system(
        context.get_admin_context())
    now = timeutils.utcnow()
    rows = []
    for index in range(count):
        rows.append(dict(
            manager.HOST_DEFAULTS, uuid=uuidutils.generate_uuid(),
            hostname='worker-%05d' % index, personality='worker',
            subfunctions='worker', forisystemid=system['id'],
            mgmt_mac='52:54:%02x:%02x:%02x:%02x' % (
                index >> 24 & 255, index >> 16 & 255, index >> 8 & 255,
                index & 255),
            mgmt_ip='10.%d.%d.%d' % (index >> 16 & 255, index >> 8 & 255,
                                     index & 255),
            sw_version=system['software_version'], created_at=now))
    started = time.monotonic()
    with DB.get_engine().begin() as connection:
        connection.execute(sa.insert(models.Host.__table__), rows)
    print('stored %d hosts in %.1f s' % (count, time.monotonic() - started))
    return [row['uuid'] for row in rows]


def _serve_in_process():
    from stx.common import wsgi_server
    from stx.sysinv.api import app

    server = wsgi_server.APIServer({'sysinv': app.make_app()}, '127.0.0.1', 0)
    server.start()
    return server.url, server.stop


def _serve_aio(state_dir):
    aio_path = os.path.join(os.path.dirname(sys.executable), 'stx-aio')
    aio = subprocess.Popen(
        [aio_path, '--port', '0', '--state-dir', state_dir],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)

    def stop():
        aio.send_signal(signal.SIGTERM)
        try:
            aio.wait(15)
        except subprocess.TimeoutExpired:
            aio.kill()

    deadline = time.monotonic() + START_TIMEOUT
    # The ready line is the first the AIO prints; a dead AIO closes stdout.
    line = aio.stdout.readline()
    if 'STX_URL=' not in line or time.monotonic() > deadline:
        stop()
        sys.exit('stx-aio did not start: %r' % line)
    return line.strip().split('STX_URL=', 1)[1], stop


def _measure(session, urls):
    """Milliseconds of each GET, after one untimed warm-up request."""
    session.get(urls[0], timeout=REQUEST_TIMEOUT).raise_for_status()
    times = []
    for url in urls:
        started = time.perf_counter()
        response = session.get(url, timeout=REQUEST_TIMEOUT)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return times


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction *
                                                   (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--hosts', type=int, default=10000)
    parser.add_argument('--server', choices=('aio', 'inprocess'),
                        default='aio')
    args = parser.parse_args()
    random.seed(42)
    with tempfile.TemporaryDirectory(prefix='stx-bench-') as state_dir:
        uuids = _prepare(state_dir, args.hosts)
        if args.server == 'aio':
            url, stop = _serve_aio(state_dir)
        else:
            url, stop = _serve_in_process()
        hosts_url = url + 'sysinv/v1/ihosts'
        try:
            with requests.Session() as session:
                results = {
                    'one host': _measure(session, [
                        '%s/%s' % (hosts_url, random.choice(uuids))
                        for _ in range(200)]),
                    'page of 100': _measure(session, [
                        '%s?limit=100&marker=%s' % (
                            hosts_url, random.choice(uuids[:-100]))
                        for _ in range(100)]),
                    'full list': _measure(session, [hosts_url] * 10),
                }
                count = len(session.get(
                    hosts_url, timeout=REQUEST_TIMEOUT).json()['ihosts'])
        finally:
            stop()
    print('sysinv host API, %d hosts stored (%d listed), server: %s'
          % (args.hosts, count, args.server))
    print('%-12s %6s %9s %9s %9s  %s' % ('request', 'n', 'p50 ms', 'p99 ms',
                                         'target', 'result'))
    failed = False
    for name, times in results.items():
        p99 = _percentile(times, 0.99)
        verdict = 'PASS' if p99 <= TARGETS[name] else 'FAIL'
        failed = failed or verdict == 'FAIL'
        print('%-12s %6d %9.1f %9.1f %9.0f  %s' % (
            name, len(times), statistics.median(times), p99, TARGETS[name],
            verdict))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
