"""Heartbeat through stx-mtce: host states and alarms from real UDP pulses.

A real stx-mtce manager with its heartbeat monitor (20 ms period, small
thresholds) pulses workers whose agents are real heartbeat Responders on
127.0.0.x; pausing a responder's networks stands in for a dead host or a
broken network.
"""

import socket
import time

from unittest import mock

from stx.common import exception
from stx.common import states
from stx.mtce import faults as mtce_faults
from stx.mtce import heartbeat
from stx.mtce.heartbeat import responder as hb_responder
from stx.mtce import manager
from stx.sysinv.db import api as dbapi
from tests.unit import base as unit_base
from tests.unit.mtce import test_lifecycle

MGMT = heartbeat.NETWORK_MGMT
CLUSTER = heartbeat.NETWORK_CLUSTER_HOST
WAIT = 10


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class LivenessTestCase(test_lifecycle.LifecycleTestCase):

    def setUp(self):
        super().setUp()
        self.config(mgmt_port=_free_port(), cluster_host_port=_free_port(),
                    period_ms=20, minor_threshold=2, degrade_threshold=3,
                    failure_threshold=5, offline_threshold=8,
                    recovery_pulses=3, group='heartbeat')
        self.config(heartbeat_soak_periods=3, group='mtce')
        # controller-0 (127.0.0.1) has no agent here: not pulsed.
        dbapi.host_update(self.context, self.controller['id'],
                          {'mgmt_ip': None})
        self.mtce.liveness.start()
        self.addCleanup(self.mtce.liveness.stop)
        self.responders = {}

    def worker(self, number, in_service=True, key=unit_base.HEARTBEAT_KEY):
        """A worker answering heartbeat on 127.0.0.1<number>{1,2}."""
        mgmt_ip = '127.0.0.1%d1' % number
        cluster_ip = '127.0.0.1%d2' % number
        host = (self.in_service if in_service else
                self.provisioned_worker)(number)
        dbapi.host_update(self.context, host['id'], {
            'mgmt_ip': mgmt_ip, 'cluster_host_ip': cluster_ip})
        responder = hb_responder.Responder(
            key.encode(), host['uuid'],
            {MGMT: (mgmt_ip, self.CONF.heartbeat.mgmt_port),
             CLUSTER: (cluster_ip, self.CONF.heartbeat.cluster_host_port)})
        responder.start()
        self.addCleanup(responder.stop)
        self.responders[number] = responder
        self.mtce.hosts(refresh=True)
        if key != unit_base.HEARTBEAT_KEY:
            return self.host(host['uuid'])
        # Answered once: its own thresholds apply from now on.
        deadline = time.monotonic() + WAIT
        while not all(seen['last_answered'] for seen in
                      self.mtce.liveness.monitor.view()[host['uuid']][
                          'networks'].values()):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.01)
        return self.host(host['uuid'])

    @property
    def CONF(self):
        from stx.conf import CONF
        return CONF

    def wait_for(self, host, availability, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while self.host(host['uuid'])['availability'] != availability:
            self.assertLess(time.monotonic(), deadline, '%s still %s' % (
                host['hostname'],
                self.host(host['uuid'])['availability']))
            time.sleep(0.01)
        return self.host(host['uuid'])

    def active(self, alarm_id):
        return {(a['entity_instance_id'], a['severity'])
                for a in self.alarms(alarm_id)}


class TestFailureDetection(LivenessTestCase):

    def test_heartbeat_lost_everywhere_fails_the_host_until_it_returns(self):
        host = self.worker(0)
        self.responders[0].pause()
        host = self.wait_for(host, states.FAILED)
        self.assertEqual(states.DISABLED, host['operational'])
        self.assertEqual(states.TASK_GRACEFUL_RECOVERY_WAIT, host['task'])
        self.assertEqual({('host=worker-0', 'critical')},
                         self.active(mtce_faults.HOST_FAILED))
        self.assertEqual({('host=worker-0.network=mgmt', 'critical')},
                         self.active(mtce_faults.MGMT_HEARTBEAT))
        self.assertEqual({('host=worker-0.network=cluster-host', 'critical')},
                         self.active(mtce_faults.CLUSTER_HOST_HEARTBEAT))
        logs = [e['reason_text'] for e in
                self.events(mtce_faults.HOST_STATE_CHANGE)]
        self.assertTrue(any('worker-0 is now unlocked/disabled/failed: '
                            'heartbeat failed' in log for log in logs), logs)
        self.responders[0].resume()
        host = self.wait_for(host, states.AVAILABLE)
        self.assertEqual(states.ENABLED, host['operational'])
        self.assertEqual('', host['task'])
        for alarm_id in (mtce_faults.HOST_FAILED, mtce_faults.MGMT_HEARTBEAT,
                         mtce_faults.CLUSTER_HOST_HEARTBEAT):
            self.assertEqual(set(), self.active(alarm_id))

    def test_heartbeat_lost_on_one_network_degrades_the_host(self):
        host = self.worker(0)
        self.responders[0].pause(CLUSTER)
        host = self.wait_for(host, states.DEGRADED)
        self.assertEqual(states.ENABLED, host['operational'])
        self.assertEqual({('host=worker-0.network=cluster-host', 'major')},
                         self.active(mtce_faults.CLUSTER_HOST_HEARTBEAT))
        self.assertEqual(set(), self.active(mtce_faults.MGMT_HEARTBEAT))
        # Longer than the failure threshold: still only degraded.
        time.sleep(0.3)
        self.assertEqual(states.DEGRADED,
                         self.host(host['uuid'])['availability'])
        self.responders[0].resume(CLUSTER)
        self.wait_for(host, states.AVAILABLE)
        self.assertEqual(set(),
                         self.active(mtce_faults.CLUSTER_HOST_HEARTBEAT))

    def test_many_hosts_lost_at_once_hold_failures(self):
        hosts = [self.worker(0), self.worker(1)]
        for responder in self.responders.values():
            responder.pause()
        for host in hosts:
            self.wait_for(host, states.DEGRADED)
        time.sleep(0.3)
        self.assertEqual([states.DEGRADED] * 2,
                         [self.host(h['uuid'])['availability']
                          for h in hosts])
        mnfa = self.alarms(mtce_faults.MULTI_NODE_FAILURE)
        self.assertEqual(1, len(mnfa))
        self.assertIn('worker-0, worker-1', mnfa[0]['reason_text'])
        for responder in self.responders.values():
            responder.resume()
        for host in hosts:
            self.wait_for(host, states.AVAILABLE)
        self.assertEqual([], self.alarms(mtce_faults.MULTI_NODE_FAILURE))

    def test_a_change_sysinv_cannot_store_is_stored_later(self):
        host = self.worker(0)
        unavailable = exception.ServiceUnavailable(service='sysinv',
                                                   reason='down')
        with mock.patch.object(self.mtce.conductor, 'update_host_state',
                               side_effect=unavailable):
            self.responders[0].pause()
            deadline = time.monotonic() + WAIT
            while not self.mtce.liveness._pending:
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.01)
        self.assertEqual(states.AVAILABLE,
                         self.host(host['uuid'])['availability'])
        self.mtce.audit_sensors()
        self.wait_for(host, states.FAILED)


class TestRestart(LivenessTestCase):

    def test_loss_that_ended_while_mtce_was_down_is_settled(self):
        host = self.worker(0)
        dbapi.host_update(self.context, host['id'], {
            'availability': states.DEGRADED})
        self.mtce.faults.raise_alarm(
            mtce_faults.CLUSTER_HOST_HEARTBEAT,
            'host=worker-0.network=cluster-host', states.SEVERITY_MAJOR,
            'lost')
        self.flush()
        restarted = manager.MtceManager(agents=self.agents)
        self.addCleanup(restarted.stop)
        restarted.liveness.start()
        restarted.hosts()
        deadline = time.monotonic() + WAIT
        while self.host(host['uuid'])['availability'] != states.AVAILABLE:
            self.assertLess(time.monotonic(), deadline)
            restarted.audit_sensors()
            time.sleep(0.05)
        restarted.faults.api.flush(10)
        self.assertEqual(set(),
                         self.active(mtce_faults.CLUSTER_HOST_HEARTBEAT))


class TestPresence(LivenessTestCase):

    def test_locked_host_is_online_while_it_answers(self):
        host = self.worker(0, in_service=False)
        self.assertEqual(states.ONLINE, host['availability'])
        self.responders[0].pause()
        self.wait_for(host, states.OFFLINE)
        # Never failed: it is locked.
        self.assertEqual(states.LOCKED,
                         self.host(host['uuid'])['administrative'])
        self.assertEqual(set(), self.active(mtce_faults.HOST_FAILED))
        self.responders[0].resume()
        self.wait_for(host, states.ONLINE)


class TestUnlockSoak(LivenessTestCase):

    def test_unlock_soaks_heartbeat_then_enables(self):
        host = self.worker(0, in_service=False)
        self.action(host, 'unlock')
        host = self.wait_idle(host)
        self.assertEqual((states.UNLOCKED, states.ENABLED, states.AVAILABLE),
                         self.state(host))
        # Now failure detection applies.
        self.responders[0].pause()
        self.wait_for(host, states.FAILED)

    def test_host_with_the_wrong_key_fails_its_soak(self):
        self.config(heartbeat_soak_timeout=1, group='mtce')
        host = self.worker(0, in_service=False,
                           key='another-heartbeat-key-0123456789')
        self.action(host, 'unlock')
        host = self.wait_idle(host)
        self.assertEqual(states.FAILED, host['availability'])
        # Rebooted once more (ar_heartbeat_threshold 2), then given up on.
        self.assertEqual('Heartbeat Failure, threshold reached, Lock/Unlock '
                         'to retry', host['task'])
        self.assertIn('no steady heartbeat within 1s on mgmt, cluster-host',
                      host['last_maintenance_action'])
        self.assertIn('Unlock failed: heartbeat soak: no steady heartbeat '
                      'within 1s on mgmt, cluster-host',
                      [e['reason_text'] for e in
                       self.events(mtce_faults.HOST_ACTION)])
        # The host's agent drops the pulses it cannot verify.
        self.assertGreater(self.responders[0].stats()['forged'], 0)
