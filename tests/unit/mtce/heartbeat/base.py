"""What the heartbeat tests over loopback UDP share."""

import socket
import time
import uuid

from stx.mtce import heartbeat
from tests.unit import base

KEY = b'heartbeat-test-key-0123456789abcdef'
MGMT = heartbeat.NETWORK_MGMT
CLUSTER = heartbeat.NETWORK_CLUSTER_HOST
LOOPBACK = {MGMT: ('127.0.0.1', 0), CLUSTER: ('127.0.0.1', 0)}
# Generous: these tests must pass on a loaded machine; they wait for what
# they expect and only fail if it never comes.
TIMEOUT = 10.0


class UDPTestCase(base.TestCase):

    def udp_socket(self, ip='127.0.0.1'):
        """A blocking UDP socket on a free loopback port, closed at the
        end of the test.
        """
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(sock.close)
        sock.bind((ip, 0))
        sock.settimeout(TIMEOUT)
        return sock

    def wait(self, predicate, what, timeout=TIMEOUT):
        """Poll ``predicate`` until it returns something true; return it."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                self.fail('timed out after %s s waiting for %s'
                          % (timeout, what))
            time.sleep(0.005)


def new_uuid():
    return str(uuid.uuid4())
