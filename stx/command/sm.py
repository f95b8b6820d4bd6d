"""stx-sm: keep this controller's services highly available.

Runs the service engine (stx.sm.manager) on the model ``[sm] model_file``
and, when ``[sm] peer_address`` is set, talks to the other controller's
stx-sm over UDP (stx.sm.peer). Prints "stx-sm ready" once started, and
stops on SIGTERM or SIGINT; the services it enabled keep running.
"""

import socket
import sys

from oslo_log import log as logging

from stx.common import rpc
from stx.common import service
from stx.conf import CONF
from stx.fm import client as fm_client
from stx.sm import manager
from stx.sm import model as sm_model
from stx.sm import peer as sm_peer

LOG = logging.getLogger(__name__)

STOP_TIMEOUT = 5


def _key():
    try:
        with open(CONF.sm.key_file, 'rb') as f:
            key = f.read().strip()
    except OSError as error:
        raise service.StartupError('cannot read [sm] key_file %s: %s' % (
            CONF.sm.key_file, error.strerror)) from None
    if len(key) < 16:
        raise service.StartupError('[sm] key_file %s holds %d bytes; at '
                                   'least 16 are needed'
                                   % (CONF.sm.key_file, len(key)))
    return key


def _run(argv):
    service.prepare_service(argv, __doc__.splitlines()[0])
    signals = service.ShutdownSignals()
    try:
        model = sm_model.load()
    except sm_model.ModelError as error:
        raise service.StartupError(str(error)) from None
    node = CONF.sm.node or socket.gethostname()
    engine = None
    link = None
    if CONF.sm.peer_address:
        domain = model.domain
        link = sm_peer.PeerLink(
            _key(), node, (CONF.sm.listen_address, CONF.sm.listen_port),
            (CONF.sm.peer_address, CONF.sm.peer_port),
            hello=lambda: engine.hello(),
            hello_interval=domain.hello_interval_ms / 1000.0,
            dead_interval=domain.dead_interval_ms / 1000.0)
    faults = fm_client.FaultAPIs(mode=fm_client.MODE_ASYNC, name='sm')
    engine = manager.ServiceManager(model, node, peer=link, faults=faults)
    try:
        if link is not None:
            link.start()
        engine.start()
        print('stx-sm ready: %s%s' % (node, '' if link is None else
                                      ', peer %s:%d' % link.peer),
              flush=True)
        signals.wait()
    finally:
        engine.stop(STOP_TIMEOUT)
        if link is not None:
            link.stop()
        faults.close()
        rpc.cleanup()
    LOG.info('stx-sm stopped')


def main(argv=None):
    return service.run_command(_run, argv)


if __name__ == '__main__':
    sys.exit(main())
