"""Heartbeat: UDP failure detection of hosts, apart from the broker.

stx-mtce on a controller runs a ``Monitor``; every host's agent runs a
``Responder``. Liveness travels on its own UDP paths, never through the
message broker or a database, so a broker or database outage never makes a
healthy host look dead (DESIGN.md section 4).

Pulses (as StarlingX's hbsAgent / hbsClient, section 3.3 of the StarlingX
reference, but unicast and signed):

- Every period (``[heartbeat] period_ms``, 100 ms by default) the monitor
  sends one pulse request per host per monitored network, ``mgmt`` and
  ``cluster-host``, from its socket of that network (ports 2103 / 2113) to
  the host's responder on that network (ports 2106 / 2116).
- The responder answers each request at once, from the socket it arrived
  on, to the request's source address.
- Every message is 112 bytes signed with HMAC-SHA512 over a key shared by
  every controller and host (``stx.mtce.heartbeat.keys``); the format is in
  ``stx.mtce.heartbeat.protocol``. A message with a bad signature is
  dropped and counted as forged.
- Replays are dropped and counted at both ends. Requests carry the
  monitor's random 16-byte id and a sequence number; the responder answers
  a monitor only with sequence numbers greater than the last it answered
  on that network. The monitor accepts a response only to one of its last
  ``replay_window`` requests, greater than the last it accepted from that
  host on that network, from the address it sent to, naming the host it
  was sent to.

Health (``stx.mtce.heartbeat.tracker``, pure logic, one evaluation per
period): per host and network, the consecutive periods without a valid
response. An unlocked host is ``minor`` from 4 misses on a network,
``degraded`` from 6, and ``failed`` only when every network it is
monitored on has missed 10: loss on one network never fails a host, the
other proves it alive (DESIGN.md section 8). It is healthy again after 11
back-to-back answered periods on every network. A locked host is watched
for presence only: ``ok`` when it answers, ``offline`` after 90 misses on
every network. Multi-node failure avoidance: when two or more unlocked
hosts lose every network at once, a network fault is assumed and nobody is
failed until fewer are in loss (or ``mnfa_timeout`` expires).

A failed host is declared about ``failure_threshold + 1`` periods after its
last answer: 1.1 s at the defaults, 0.45 s at 50 ms x 8
(bench/bench_heartbeat.py measures it).
"""

from stx.conf import CONF

NETWORK_MGMT = 'mgmt'
NETWORK_CLUSTER_HOST = 'cluster-host'
#: Every network heartbeat can run on, in the order events list them.
NETWORKS = (NETWORK_MGMT, NETWORK_CLUSTER_HOST)


def host_addresses(host):
    """Where a host answers heartbeat: {network: (ip, port)}.

    :param host: a sysinv host (``mgmt_ip``, ``cluster_host_ip``); the
        ports are ``[heartbeat] mgmt_port`` and ``cluster_host_port``.
    """
    addresses = {}
    if host.get('mgmt_ip'):
        addresses[NETWORK_MGMT] = (host['mgmt_ip'], CONF.heartbeat.mgmt_port)
    if host.get('cluster_host_ip'):
        addresses[NETWORK_CLUSTER_HOST] = (host['cluster_host_ip'],
                                           CONF.heartbeat.cluster_host_port)
    return addresses
