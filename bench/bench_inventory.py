"""Benchmark: the sysinv conductor ingesting agents' inventory reports.

Runs the sysinv conductor in this process (in-process RPC, SQLite in a
temporary state directory, or a fresh PostgreSQL database) and simulates
``--agents`` stx-agents starting at once, ``--concurrency`` at a time: each
is discovered by a MAC of its own (discover_ihost) and reports the whole
inventory of the synthesized server of tests/fixtures/inventory (2 NUMA
nodes, 32 cpus, 2 memory rows, 3 disks, 4 ports, 2 PCI devices) in
StarlingX's order, through the conductor RPC API as stx-agent does. Then
every agent audits once with an unchanged inventory, which stores nothing.

Prints agents per second and the latency of one agent's first full report.

Usage: bench_inventory.py [--agents 1000] [--concurrency 50]
                          [--db sqlite|postgresql]
"""

import argparse
import concurrent.futures
import os
import statistics
import sys
import tempfile
import time
import warnings

import benchdb

os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       os.pardir, 'tests', 'fixtures', 'inventory', 'server')


def _start(state_dir, connection):
    from stx.common import context
    from stx.common import service
    from stx.db import migration
    from stx.sysinv.conductor import bootstrap
    from stx.sysinv import service as sysinv_service

    config = os.path.join(state_dir, 'stx.conf')
    with open(config, 'w') as conf:
        conf.write('[DEFAULT]\nstate_path = %s\nlog_file = %s\n'
                   'transport_url = stx-inproc://\n'
                   '[database]\nconnection = %s\n'
                   % (state_dir, os.path.join(state_dir, 'bench.log'),
                      connection))
    service.prepare_service(['bench', '--config-file', config])
    sysinv = sysinv_service.SysinvService()
    migration.upgrade(sysinv.database)
    bootstrap.ensure_system(context.get_admin_context())
    sysinv.start()
    return sysinv


def _inventory():
    from stx.sysinv.agent import inventory
    from stx.sysinv.agent import manager

    tree = os.path.abspath(FIXTURE)
    roots = inventory.Roots(*(os.path.join(tree, name)
                              for name in ('proc', 'sys', 'dev')))
    return [(kind.method, kind.collect(roots)) for kind in manager.KINDS]


def _agent(api, ctx, number, reports):
    """One agent's discovery and full report; returns (host uuid, s)."""
    started = time.perf_counter()
    mac = '02:00:%02x:%02x:%02x:%02x' % tuple(
        number.to_bytes(4, 'big'))
    host = api.discover_ihost(ctx, [mac], hostname=None)
    _report(api, ctx, host['uuid'], reports)
    return host['uuid'], time.perf_counter() - started


def _report(api, ctx, host_uuid, reports):
    for method, records in reports:
        getattr(api, method)(ctx, host_uuid, records)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--agents', type=int, default=1000)
    parser.add_argument('--concurrency', type=int, default=50)
    parser.add_argument('--db', choices=('sqlite', 'postgresql'),
                        default='sqlite')
    args = parser.parse_args()

    drop = None
    with tempfile.TemporaryDirectory(prefix='stx-bench-inv-') as state_dir:
        if args.db == 'postgresql':
            connection, drop = benchdb.postgresql_database(
                'stx_bench_inventory')
        else:
            connection = 'sqlite:///' + os.path.join(state_dir,
                                                     'sysinv.sqlite')
        sysinv = _start(state_dir, connection)
        try:
            from stx.common import context
            from stx.sysinv.conductor import rpcapi

            api = rpcapi.ConductorAPI(timeout=300)
            ctx = context.get_admin_context()
            reports = _inventory()
            with concurrent.futures.ThreadPoolExecutor(
                    args.concurrency) as pool:
                started = time.perf_counter()
                results = list(pool.map(
                    lambda n: _agent(api, ctx, n, reports),
                    range(args.agents)))
                first = time.perf_counter() - started
                started = time.perf_counter()
                list(pool.map(lambda result: _report(api, ctx, result[0],
                                                     reports), results))
                audit = time.perf_counter() - started
            latencies = sorted(seconds for _uuid, seconds in results)
            p99 = latencies[min(len(latencies) - 1,
                                int(len(latencies) * 0.99))]
            print('sysinv conductor on %s, %d agents, %d at a time'
                  % (args.db, args.agents, args.concurrency))
            print('discovery + full first report: %.1f s, %.0f agents/s '
                  '(%.0f reports/s); one agent p50 %.0f ms, p99 %.0f ms'
                  % (first, args.agents / first,
                     args.agents * len(reports) / first,
                     statistics.median(latencies) * 1e3, p99 * 1e3))
            print('unchanged audit of every agent: %.1f s, %.0f agents/s'
                  % (audit, args.agents / audit))
        finally:
            sysinv.stop()
            if drop is not None:
                from stx.sysinv.db import DB
                DB.reset()
                drop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
