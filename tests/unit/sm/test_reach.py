"""The health score: the hosts a controller's stx-sm still reaches.

Real heartbeat over loopback UDP (20 ms periods, a host unreached 5
periods after its last answer), hosts on 127.0.0.101 and .102.
"""

import json
import os

import fixtures

from stx.common import states
from stx.mtce import heartbeat
from stx.mtce.heartbeat import responder
from stx.sm import reach
from tests.unit.mtce.heartbeat import base

HOSTS = (('worker-0', '127.0.0.101'), ('worker-1', '127.0.0.102'))


def host(name, ip, personality=states.WORKER,
         administrative=states.UNLOCKED):
    return {'uuid': base.new_uuid(), 'hostname': name, 'mgmt_ip': ip,
            'cluster_host_ip': None, 'personality': personality,
            'administrative': administrative, 'bm_password': 'secret'}


class TestHostReach(base.UDPTestCase):

    def setUp(self):
        super().setUp()
        probe = self.udp_socket(HOSTS[0][1])
        self.port = probe.getsockname()[1]
        probe.close()
        self.config(group='heartbeat', period_ms=20, minor_threshold=2,
                    degrade_threshold=3, failure_threshold=5,
                    monitor_address='127.0.0.1', mgmt_port=self.port)
        self.hosts = [host(name, ip) for name, ip in HOSTS]
        self.responders = {}
        for entry in self.hosts:
            answering = responder.Responder(
                base.KEY, entry['uuid'],
                {heartbeat.NETWORK_MGMT: (entry['mgmt_ip'], self.port)})
            self.addCleanup(answering.stop)
            answering.start()
            self.responders[entry['hostname']] = answering
        self.listed = self.hosts
        self.cache_dir = self.useFixture(fixtures.TempDir()).path

    def list_hosts(self):
        if isinstance(self.listed, Exception):
            raise self.listed
        return self.listed

    def _reach(self):
        host_reach = reach.HostReach(base.KEY, self.list_hosts,
                                     self.cache_dir, refresh_interval=3600)
        self.addCleanup(host_reach.stop)
        host_reach.start()
        return host_reach

    def test_counts_the_hosts_that_answer(self):
        host_reach = self._reach()
        self.wait(lambda: host_reach.score() == reach.Score(2, 2, []),
                  'both hosts reached')
        self.responders['worker-1'].pause()
        self.wait(lambda: host_reach.score() == reach.Score(
            1, 2, ['worker-1']), 'worker-1 unreached')
        self.responders['worker-1'].resume()
        self.wait(lambda: host_reach.score() == reach.Score(2, 2, []),
                  'worker-1 reached again')

    def test_only_unlocked_hosts_other_than_controllers_count(self):
        self.listed = self.hosts + [
            host('controller-1', '127.0.0.103', states.CONTROLLER),
            host('worker-2', '127.0.0.104',
                 administrative=states.LOCKED),
            host('worker-3', None)]        # no heartbeat address
        host_reach = self._reach()
        self.wait(lambda: host_reach.score() == reach.Score(2, 2, []),
                  'the two workers reached, nothing else counted')

    def test_no_host_to_reach_no_score(self):
        self.listed = []
        self.assertIsNone(self._reach().score())

    def test_the_last_list_read_serves_a_start_without_sysinv(self):
        self._reach().stop()
        with open(os.path.join(self.cache_dir, reach.CACHE_FILE)) as f:
            kept = json.load(f)
        self.assertEqual(['worker-0', 'worker-1'],
                         [entry['hostname'] for entry in kept])
        self.assertNotIn('bm_password', kept[0])
        self.listed = ConnectionError('sysinv conductor: no answer')
        host_reach = self._reach()
        self.wait(lambda: host_reach.score() == reach.Score(2, 2, []),
                  'the hosts kept reached')
        self.assertFalse(host_reach.refresh())

    def test_a_host_never_heard_is_not_reached(self):
        self.listed = self.hosts + [host('worker-9', '127.0.0.109')]
        host_reach = self._reach()
        self.wait(lambda: host_reach.score() == reach.Score(
            2, 3, ['worker-9']), 'worker-9 unreached')
