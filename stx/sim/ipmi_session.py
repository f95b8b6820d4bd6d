"""The simulator's IPMI server sessions: pyghmi's, with a login that works.

pyghmi's ``ServerSession`` answers a client's first Open Session Request
(RAKP-HMAC-SHA256) with "OK, SHA1", which its own client cannot use; it
keeps the last session's keys when a client logs in again from the same
address; and it waits silently on an unknown user. ``SimServerSession``
mends the three, and keeps the time of its last datagram so that idle
sessions expire (ipmi-sensors.md section 0).
"""

import logging
import time

from pyghmi.ipmi.private import constants
from pyghmi.ipmi.private import serversession

LOG = logging.getLogger(__name__)

# RMCP+ status codes (IPMI table 13-15).
RMCP_UNAUTHORIZED_NAME = 0x0D
RMCP_NO_CIPHER_SUITE_MATCH = 0x11
AUTH_RAKP_HMAC_SHA1 = 0x01


def of_a_session(data):
    """Whether a datagram belongs to a client's session, login included.

    RMCP+ login messages, and IPMI 2.0 messages with a session ID; not the
    sessionless requests (channel authentication capabilities, cipher
    suites) a client sends before it logs in again from the same address.
    """
    if len(data) < 10 or data[4] != 0x06:  # not IPMI 2.0 / RMCP+
        return False
    payload_type = data[5] & 0x3F
    return (payload_type in (0x10, 0x12, 0x14)  # open session, RAKP 1, 3
            or data[6:10] != b'\0\0\0\0')


class SimServerSession(serversession.ServerSession):
    """pyghmi's server session, with a working login and an idle clock."""

    def __init__(self, *args, **kwargs):
        self.last_active = time.monotonic()
        super().__init__(*args, **kwargs)
        self.bmc.sessions[self.sockaddr] = self

    def create_open_session_response(self, request):
        # A client logging in again from the same address reuses this
        # object: forget the last session's keys and sequence numbers, or
        # the answer would go out encrypted with them and the new session's
        # datagrams would look like replays. Kg defaults to the password at
        # RAKP1, so a login after a password change needs it forgotten too.
        self.kg = self.bmc.kg
        self.k1 = None
        self.integrityalgo = self.confalgo = 0
        self.sessionid = self.sequencenumber = 0
        self.remseqnumber = None
        # The first request of pyghmi's client proposes RAKP-HMAC-SHA256,
        # which pyghmi's server cannot do but would accept: refuse it, and
        # the client proposes SHA1 next (ipmi-sensors.md section 0).
        if request[12] != AUTH_RAKP_HMAC_SHA1:
            return bytearray([request[0], RMCP_NO_CIPHER_SUITE_MATCH, 0, 0]
                             ) + request[4:8]
        return super().create_open_session_response(request)

    def _got_rakp1(self, data):
        name = bytes(data[28:]).decode('utf-8', 'replace')
        if data[27] and self.authdata.get(name) is not None:
            return super()._got_rakp1(data)
        LOG.info('%(bmc)s: login refused for unknown user %(user)r',
                 {'bmc': self.bmc.name, 'user': name})
        self.send_payload(bytearray([data[0], RMCP_UNAUTHORIZED_NAME, 0, 0])
                          + self.clientsessionid,
                          constants.payload_types['rakp2'], retry=False)

    def handle(self, data):
        """Handle a datagram of this session's client.

        Not through pyghmi's process_pktqueue: its routing looks the client
        up in Session.bmc_handlers, which pyghmi empties for the client's
        address (every BMC's session at once) when it sees a sessionless
        datagram from it; receive() keeps those away from sessions.
        """
        self.last_active = time.monotonic()
        self._handle_ipmi_packet(bytearray(data), sockaddr=self.sockaddr,
                                 qent=(data, self.sockaddr, self.socket,
                                       True))

    def close_server_session(self):
        self.bmc.forget_session(self)
