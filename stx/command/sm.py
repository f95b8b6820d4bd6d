"""stx-sm: keep this controller's services highly available.

Runs the service engine (stx.sm.manager) on the model ``[sm] model_file``
and, when ``[sm] peer_address`` is set, talks to the other controller's
stx-sm over UDP (stx.sm.peer); answers the sm API and host maintenance
over RPC (topic stx-sm). Prints "stx-sm ready" once started, and stops on
SIGTERM or SIGINT; the services it enabled keep running. SIGHUP reloads
the model: one that does not pass validation is refused, in the log, and
the running model stays.
"""

import signal
import sys

from stx.common import rpc
from stx.common import service


def _run(argv):
    service.prepare_service(argv, __doc__.splitlines()[0])
    signals = service.ShutdownSignals()
    svc, = service.load_services(['sm'])
    try:
        svc.start()
        signal.signal(signal.SIGHUP, lambda signum, frame: svc.reload())
        print('stx-sm ready: %s%s' % (svc.node, '' if svc.peer is None else
                                      ', peer %s:%d' % svc.peer), flush=True)
        signals.wait()
    finally:
        svc.stop()
        rpc.cleanup()


def main(argv=None):
    return service.run_command(_run, argv)


if __name__ == '__main__':
    sys.exit(main())
