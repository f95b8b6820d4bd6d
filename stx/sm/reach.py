"""Which hosts this controller still reaches: its health score.

When the two controllers no longer hear each other, neither can tell
"the peer is dead" from "I am the one cut off". StarlingX answers with the
hosts: each controller's heartbeat agent pulses every host, and the
controller that reaches more of them is the survivor; one that reaches
none gives up (starlingx.md section 4.3). stx-mtce's monitor runs only
beside the active services, so each stx-sm pulses the hosts itself, with
the same heartbeat (stx.mtce.heartbeat: the hosts' agents answer any
monitor holding the shared key) from sockets of its own.

The hosts are the unlocked hosts other than controllers with a heartbeat
address, as the sysinv conductor lists them, read again every
``[sm] hosts_refresh_interval`` and kept in ``$state_path/sm/hosts.json``
so that a controller started while the conductor is out of reach still
knows them. A host is *reached* when it answered on some network within
the last ``[heartbeat] failure_threshold`` periods (the time that fails
a host in maintenance).
"""

import collections
import json
import os
import threading
import time

from oslo_log import log as logging

from stx.common import context as stx_context
from stx.common import states
from stx.conf import CONF
from stx.mtce import heartbeat
from stx.mtce.heartbeat import keys
from stx.mtce.heartbeat import monitor as hb_monitor
from stx.mtce.heartbeat import tracker

LOG = logging.getLogger(__name__)

CACHE_FILE = 'hosts.json'

#: ``reached`` of ``total`` hosts; ``unreached``: their names, sorted.
Score = collections.namedtuple('Score', 'reached total unreached')


def score_text(score):
    return '%d of %d hosts' % (score.reached, score.total)


def targets(hosts):
    """The heartbeat targets among sysinv ``hosts``: unlocked, not a
    controller, with a heartbeat address.
    """
    found = []
    for host in hosts:
        addresses = heartbeat.host_addresses(host)
        if (addresses and host.get('personality') != states.CONTROLLER and
                host.get('administrative') == states.UNLOCKED):
            found.append(tracker.Target(host['uuid'], host['hostname'],
                                        addresses, True))
    return found


class HostReach:
    """Pulses the hosts and tells how many answer.

    :param key: the heartbeat key (bytes).
    :param list_hosts: ``list_hosts()`` -> the sysinv hosts (dicts with
        uuid, hostname, personality, administrative, mgmt_ip,
        cluster_host_ip); may raise.
    :param cache_dir: where the last list is kept.
    :param refresh_interval: seconds between two reads of the list.
    :raises: OSError when the monitor's sockets (``[heartbeat]
        monitor_address``, any ports) cannot be bound.
    """

    def __init__(self, key, list_hosts, cache_dir, refresh_interval):
        self._list_hosts = list_hosts
        self._cache = os.path.join(cache_dir, CACHE_FILE)
        self._refresh_interval = refresh_interval
        # Its events are not used: only when each host last answered.
        self._monitor = hb_monitor.Monitor(
            key, lambda events: None, mnfa_threshold=0,
            ports=dict.fromkeys(heartbeat.NETWORKS, 0))
        self._window = (CONF.heartbeat.failure_threshold *
                        CONF.heartbeat.period_ms / 1000.0)
        self._targets = ()
        self._stop = threading.Event()
        self._thread = None
        self._listed = False

    def start(self):
        """Pulse the hosts last known; read the list again from now on."""
        self._set_targets(self._cached(), 'cache')
        self._monitor.start()
        self._thread = threading.Thread(target=self._refresh_loop,
                                        daemon=True, name='sm-host-reach')
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(1.0)
            self._thread = None
        self._monitor.stop()

    def score(self):
        """A Score, or None when there is no host to reach."""
        targets = self._targets
        if not targets:
            return None
        view = self._monitor.view()
        since = time.monotonic() - self._window
        unreached = []
        for target in targets:
            networks = view.get(target.uuid, {}).get('networks', {})
            if not any(seen['last_answered'] is not None and
                       seen['last_answered'] >= since
                       for seen in networks.values()):
                unreached.append(target.name)
        return Score(len(targets) - len(unreached), len(targets),
                     sorted(unreached))

    def refresh(self):
        """Read the host list now; True when it was read."""
        try:
            hosts = self._list_hosts()
        except Exception as error:
            if self._listed or not self._targets:
                LOG.warning('Host list not read, the last one known is '
                            'kept: %(error)s', {'error': error})
            self._listed = False
            return False
        self._listed = True
        kept = [{field: host.get(field) for field in (
            'uuid', 'hostname', 'personality', 'administrative', 'mgmt_ip',
            'cluster_host_ip')} for host in hosts]
        try:
            _write(self._cache, kept)
        except OSError as error:
            LOG.warning('Host list not kept in %(path)s: %(error)s',
                        {'path': self._cache, 'error': error})
        self._set_targets(kept, 'sysinv')
        return True

    def _refresh_loop(self):
        while not self._stop.is_set():
            self.refresh()
            self._stop.wait(self._refresh_interval)

    def _cached(self):
        try:
            with open(self._cache) as f:
                return json.load(f)
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as error:
            LOG.warning('Host list in %(path)s not read: %(error)s',
                        {'path': self._cache, 'error': error})
            return []

    def _set_targets(self, hosts, source):
        try:
            found = targets(hosts)
            self._monitor.set_targets(found)
        except (KeyError, TypeError, ValueError) as error:
            LOG.error('Hosts from %(source)s not pulsed: %(error)s',
                      {'source': source, 'error': error})
            return
        if [t.uuid for t in found] != [t.uuid for t in self._targets]:
            LOG.info('Pulsing %(count)d hosts (from %(source)s) for the '
                     'health score', {'count': len(found), 'source': source})
        self._targets = tuple(found)


def _write(path, hosts):
    # A controller restarted at any moment must find a whole list.
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = '%s.tmp' % path
    with open(temporary, 'w') as f:
        json.dump(hosts, f)
    os.replace(temporary, path)


def configured(conductor):
    """The HostReach ``[sm]`` configures, not started, or None when
    ``[sm] host_reachability`` is off.

    :param conductor: a sysinv ConductorAPI.
    :raises: StxException when the heartbeat key cannot be read; OSError
        when the monitor's sockets cannot be bound.
    """
    if not CONF.sm.host_reachability:
        return None
    context = stx_context.get_admin_context()
    return HostReach(keys.load_key(),
                     lambda: conductor.get_mtce_hosts(context),
                     os.path.join(CONF.state_path, 'sm'),
                     CONF.sm.hosts_refresh_interval)
