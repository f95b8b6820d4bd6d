"""Benchmark: stx-aio start-up time and memory at rest (DESIGN.md §7).

Starts stx-aio on a fresh state directory (first start: migrations, the
system and controller-0 are created) and again on that same directory
(restart), and for each prints the time from exec to the ready line, then
the RSS (target: <= 150 MB) and the CPU used over ``--rest`` seconds at
rest. Loopback only; every wait is bounded.

Usage: bench_aio_start.py [--rest 5] [--runs 1]
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import psutil

RSS_TARGET_MB = 150
START_TIMEOUT = 60
STOP_TIMEOUT = 15


def _start(state_dir):
    """(process, seconds to the ready line) of a new stx-aio."""
    aio_path = os.path.join(os.path.dirname(sys.executable), 'stx-aio')
    started = time.monotonic()
    aio = subprocess.Popen(
        [aio_path, '--port', '0', '--state-dir', state_dir],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    # readline() blocks; a timer bounds the wait by killing the process.
    timer = threading.Timer(START_TIMEOUT, aio.kill)
    timer.start()
    try:
        line = aio.stdout.readline()
    finally:
        timer.cancel()
    if 'STX_URL=' not in line:
        aio.kill()
        sys.exit('stx-aio did not start within %ss: %r'
                 % (START_TIMEOUT, line))
    return aio, time.monotonic() - started


def _stop(aio):
    started = time.monotonic()
    aio.send_signal(signal.SIGTERM)
    try:
        status = aio.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        aio.kill()
        aio.wait()
        status = 'killed'
    return status, time.monotonic() - started


def _at_rest(pid, seconds):
    """(RSS in MB, CPU % of one core) after ``seconds`` of rest."""
    process = psutil.Process(pid)
    before = process.cpu_times()
    time.sleep(seconds)
    after = process.cpu_times()
    cpu = (after.user - before.user + after.system - before.system)
    return process.memory_info().rss / 2 ** 20, 100.0 * cpu / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rest', type=float, default=5.0,
                        help='seconds at rest before measuring (default 5)')
    parser.add_argument('--runs', type=int, default=1,
                        help='restarts measured after the first start')
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix='stx-bench-aio-') as root:
        state_dir = os.path.join(root, 'state')
        for run in range(1 + args.runs):
            kind = 'first start' if run == 0 else 'restart'
            aio, ready = _start(state_dir)
            try:
                rss, cpu = _at_rest(aio.pid, args.rest)
            finally:
                status, stop = _stop(aio)
            rows.append((kind, ready, rss, cpu, stop, status))
    print('stx-aio start-up and rest (%.0f s at rest)' % args.rest)
    print('%-12s %9s %9s %10s %8s %5s  %s' % (
        'run', 'ready s', 'RSS MB', 'idle CPU', 'stop s', 'exit',
        'RSS <= %d MB' % RSS_TARGET_MB))
    failed = False
    for kind, ready, rss, cpu, stop, status in rows:
        verdict = 'PASS' if rss <= RSS_TARGET_MB else 'FAIL'
        failed = failed or verdict == 'FAIL' or status != 0
        print('%-12s %9.2f %9.1f %9.1f%% %8.2f %5s  %s' % (
            kind, ready, rss, cpu, stop, status, verdict))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
