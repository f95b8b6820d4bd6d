"""stx-bmc-sim: simulated IPMI 2.0 BMCs, many in one process.

Serves the BMCs of a YAML file (``--config``), or ``--count`` BMCs from
``--port`` on, on 127.0.0.1 unless ``--address`` says otherwise, plus an
HTTP control endpoint to inject faults. Prints one line (folded here)
once every BMC answers::

    stx-bmc-sim ready: 3 BMCs on 127.0.0.1 ports 16230-16232, control
    http://127.0.0.1:40123

and exits 0 on SIGTERM or SIGINT. A bad configuration, or a port in use,
is one line on stderr and exit status 1. See doc/source/bmc-sim.rst.
"""

import argparse
import ipaddress
import logging
import signal
import sys
import threading

from stx.sim import bmc as sim_bmc
from stx.sim import config as sim_config
from stx.sim import control

PROG = 'stx-bmc-sim'
LOG = logging.getLogger(PROG)


class _Parser(argparse.ArgumentParser):

    def error(self, message):
        # One line and status 1, like every other error of the command.
        self.exit(1, '%s: error: %s\n' % (PROG, message))


def _parser():
    parser = _Parser(prog=PROG, description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--config', metavar='FILE',
                        help='YAML file of the BMCs to simulate')
    source.add_argument('--port', type=int,
                        help='quick start: the first BMC port')
    quick = parser.add_argument_group('quick start (with --port)')
    quick.add_argument('--count', type=int, help='BMCs to simulate (1)')
    quick.add_argument('--name-prefix', help='BMC names: <prefix><index> '
                       '(bmc-)')
    quick.add_argument('--username', help='user of every BMC (admin)')
    quick.add_argument('--password', help='password of every BMC '
                       '(password)')
    quick.add_argument('--power', choices=('on', 'off'),
                       help='power state at start (on)')
    parser.add_argument('--address', default='127.0.0.1',
                        help='address the BMCs bind (default %(default)s)')
    parser.add_argument('--control-address', default='127.0.0.1',
                        help='address of the control endpoint '
                        '(default %(default)s)')
    parser.add_argument('--control-port', type=int, default=0,
                        help='port of the control endpoint; 0, the '
                        'default, picks a free one')
    parser.add_argument('--debug', action='store_true',
                        help='log every control request and more')
    return parser


def _bmc_configs(args, parser):
    if args.config is not None:
        quick = [name for name in ('count', 'name_prefix', 'username',
                                   'password', 'power')
                 if getattr(args, name) is not None]
        if quick:
            parser.error('--%s goes with --port, not --config'
                         % quick[0].replace('_', '-'))
        return sim_config.load(args.config)
    if not 1 <= args.port <= 65535:
        parser.error('--port: %d is not a port number' % args.port)
    if args.count is not None and args.count < 1:
        parser.error('--count: expected at least 1, got %d' % args.count)
    return sim_config.from_options(
        args.port, 1 if args.count is None else args.count,
        name_prefix='bmc-' if args.name_prefix is None else args.name_prefix,
        username=args.username, password=args.password, power=args.power)


def _is_loopback(address):
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return address == 'localhost'


def _serve(args, bmc_configs, stop):
    rack = control.Rack(bmc_configs, address=args.address)
    rack.start()
    if not _is_loopback(args.address):
        LOG.warning('The BMCs listen on %(address)s: other hosts can reach '
                    'them', {'address': args.address})
    try:
        try:
            server = control.ControlServer(rack, args.control_address,
                                           args.control_port)
        except OSError as error:
            raise sim_bmc.StartupError(
                'cannot serve the control endpoint on %s port %d: %s'
                % (args.control_address, args.control_port,
                   error.strerror or error))
        server.start()
        try:
            ports = sorted(config.port for config in bmc_configs)
            print('%s ready: %d BMCs on %s ports %d-%d, control '
                  'http://%s:%d' % (PROG, len(bmc_configs), args.address,
                                    ports[0], ports[-1],
                                    args.control_address, server.port),
                  flush=True)
            stop.wait()
        finally:
            server.stop()
    finally:
        rack.stop()


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        stream=sys.stderr, level=logging.DEBUG if args.debug
        else logging.INFO,
        format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    # Caught from here on: a signal during the start still ends the
    # process cleanly (exit 0) once what started is stopped.
    stop = threading.Event()
    received = []

    def on_signal(signum, frame):
        received.append(signum)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    try:
        _serve(args, _bmc_configs(args, parser), stop)
    except (sim_config.ConfigError, sim_bmc.StartupError) as error:
        print('%s: error: %s' % (PROG, error), file=sys.stderr, flush=True)
        return 1
    LOG.info('Stopped on %(signal)s',
             {'signal': signal.Signals(received[0]).name})
    return 0


if __name__ == '__main__':
    sys.exit(main())
