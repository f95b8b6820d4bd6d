"""stx-agent: report this machine's inventory to the sysinv conductor.

Finds its host in the conductor (by MACs, then hostname, else adds it),
reports its NUMA nodes, cpus, memory, disks, ports and PCI devices, and
audits them every [agent] audit_interval seconds until SIGTERM or SIGINT.
Prints "stx-agent ready" once the conductor has accepted the whole
inventory.
"""

import os
import sys
import threading

from oslo_log import log as logging

from stx.common import rpc
from stx.common import service
from stx.sysinv.agent import manager

LOG = logging.getLogger(__name__)

# Seconds the process waits, after a signal, for the audit thread to end.
# Between audits it ends at once; during a call to the conductor it would
# end only when the call answers or times out ([sysinv] rpc_timeout), which
# the process does not wait for: every call the agent makes can be repeated.
STOP_TIMEOUT = 1


def _restart():
    """Replace this process by a new stx-agent with the same arguments
    (the agent-restart host action driver's "reboot"); the PID stays.
    """
    LOG.warning('stx-agent restarting')
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable] + sys.argv)


def _run(argv):
    service.prepare_service(argv, __doc__.splitlines()[0])
    signals = service.ShutdownSignals()
    agent = manager.AgentManager(restart=_restart)
    failure = []

    def audit_until_stopped():
        try:
            agent.run(signals.event, on_reported=lambda: print(
                'stx-agent ready', flush=True))
        except BaseException as error:
            failure.append(error)
        finally:
            # Wakes the main thread if run() ended without a signal.
            signals.event.set()

    # The audits run in their own thread so that a signal stops the
    # process at once, even while a call to the conductor is waiting for
    # its answer.
    thread = threading.Thread(target=audit_until_stopped, name='stx-agent',
                              daemon=True)
    thread.start()
    try:
        received = signals.wait()
        thread.join(STOP_TIMEOUT)
    finally:
        rpc.cleanup()
    if failure and not received:
        # run() failed on its own (a bug): exit 1 with its error.
        raise failure[0]
    LOG.info('stx-agent stopped')


def main(argv=None):
    return service.run_command(_run, argv)


if __name__ == '__main__':
    sys.exit(main())
