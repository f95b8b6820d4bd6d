"""Lock, unlock and reinstall from the API through stx-mtce and back.

The sysinv API (webtest), the shared conductor and fm manager, and a real
stx-mtce manager; agents are a FakeAgents, BMCs FakeBMC machines. Hosts
here have no heartbeat address: heartbeat's part is in test_liveness.
"""

import time

import fixtures

from stx.common import states
from stx.drivers.bmc import base as bmc_base
from stx.drivers.bmc import fake as fake_bmc
from stx.mtce import actions as mtce_actions
from stx.mtce import faults as mtce_faults
from stx.mtce import power
from stx.sysinv.db import api as dbapi
from tests.unit.mtce import base
from tests.unit.sysinv import base as sysinv_base


class LifecycleTestCase(base.MtceTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MockPatchObject(
            power, 'AGENT_POLL_INTERVAL', 0.02))
        self.useFixture(fixtures.MockPatch(
            'stx.mtce.lifecycle.GOENABLED_ASK_INTERVAL', 0.1))

    def provisioned_worker(self, number=0, **fields):
        """A locked, online worker that may be unlocked."""
        host = self.add_worker(number, **fields)
        row = dbapi.host_get(self.context, host['uuid'])
        sysinv_base.store_inventory(self.context, row)
        dbapi.host_update(self.context, row['id'], {
            'invprovision': states.PROVISIONED,
            'availability': states.ONLINE})
        return self.host(host['uuid'])

    def in_service(self, number=0):
        host = self.provisioned_worker(number)
        dbapi.host_update(self.context, host['id'], {
            'administrative': states.UNLOCKED,
            'operational': states.ENABLED,
            'availability': states.AVAILABLE})
        return self.host(host['uuid'])

    def wait_task(self, host, task, timeout=10):
        deadline = time.monotonic() + timeout
        while self.host(host['uuid'])['task'] != task:
            self.assertLess(time.monotonic(), deadline,
                            'task still %r' % self.host(host['uuid'])['task'])
            time.sleep(0.01)

    def state(self, host):
        host = self.host(host['uuid'])
        return (host['administrative'], host['operational'],
                host['availability'])


class TestLock(LifecycleTestCase):

    def test_lock_takes_the_host_out_of_service(self):
        host = self.in_service()
        shown = self.action(host, 'lock').json
        self.assertEqual(states.TASK_LOCKING, shown['task'])
        host = self.wait_idle(host)
        self.assertEqual((states.LOCKED, states.DISABLED, states.ONLINE),
                         self.state(host))
        self.assertEqual('', host['task'])
        alarms = self.alarms(mtce_faults.HOST_LOCKED)
        self.assertEqual(['host=worker-0'],
                         [a['entity_instance_id'] for a in alarms])
        self.assertEqual(states.SEVERITY_WARNING, alarms[0]['severity'])
        self.assertIn('worker-0 locked (online)',
                      [e['reason_text'] for e in
                       self.events(mtce_faults.HOST_ACTION)])

    def test_lock_of_a_silent_host_leaves_it_offline(self):
        host = self.in_service()
        self.agents.answering = False
        self.action(host, 'force-lock')
        self.wait_idle(host)
        self.assertEqual((states.LOCKED, states.DISABLED, states.OFFLINE),
                         self.state(host))

    def test_lock_of_a_locked_host_is_refused_by_the_api(self):
        host = self.provisioned_worker()
        response = self.action(host, 'lock', expect_errors=True)
        self.assertEqual(409, response.status_int)
        self.assertIn('already locked',
                      self.error_of(response)['faultstring'])


class TestUnlock(LifecycleTestCase):

    def test_unlock_reboots_tests_and_enables(self):
        host = self.provisioned_worker()
        self.mtce.faults.raise_alarm(mtce_faults.HOST_LOCKED,
                                     'host=worker-0',
                                     states.SEVERITY_WARNING, 'locked')
        shown = self.action(host, 'unlock').json
        self.assertEqual(states.UNLOCKED, shown['administrative'])
        self.assertEqual(states.TASK_UNLOCKING, shown['task'])
        host = self.wait_idle(host)
        self.assertEqual((states.UNLOCKED, states.ENABLED, states.AVAILABLE),
                         self.state(host))
        self.assertEqual('', host['task'])
        self.assertEqual([(host['uuid'], 'reboot')], self.agents.actions)
        self.assertEqual([], self.alarms(mtce_faults.HOST_LOCKED))
        self.assertIn('worker-0 enabled (unlock)',
                      [e['reason_text'] for e in
                       self.events(mtce_faults.HOST_ACTION)])

    def test_failed_enable_tests_fail_the_host_until_locked(self):
        self.config(ar_goenable_threshold=1, group='mtce')
        host = self.provisioned_worker()
        self.agents.failed_checks = ['disk check']
        self.action(host, 'unlock')
        host = self.wait_idle(host)
        self.assertEqual((states.UNLOCKED, states.DISABLED, states.FAILED),
                         self.state(host))
        self.assertEqual('In-Test Failure, threshold reached, Lock/Unlock '
                         'to retry', host['task'])
        self.assertIn('Unlock failed: enable tests failed: disk check',
                      [e['reason_text'] for e in
                       self.events(mtce_faults.HOST_ACTION)])
        alarms = self.alarms(mtce_faults.HOST_FAILED)
        self.assertEqual(1, len(alarms))
        self.assertIn('disk check', alarms[0]['reason_text'])
        self.assertIn('lock and unlock it', alarms[0]['reason_text'])
        # A lock takes it out of service and clears the alarm.
        self.action(host, 'lock')
        host = self.wait_idle(host)
        self.assertEqual((states.LOCKED, states.DISABLED, states.ONLINE),
                         self.state(host))
        self.assertEqual('', host['task'])
        self.assertEqual([], self.alarms(mtce_faults.HOST_FAILED))

    def test_agent_not_back_within_the_boot_timeout_fails_the_unlock(self):
        self.config(worker_boot_timeout=1, bmc_reset_attempts=1,
                    group='mtce')
        self.agents.restarts = False
        host = self.provisioned_worker(bmc=False)
        self.action(host, 'unlock')
        # Recovery has no BMC to reset it with: it waits for the agent.
        self.wait_task(host, states.TASK_GRACEFUL_RECOVERY_WAIT)
        host = self.host(host['uuid'])
        self.assertEqual(states.FAILED, host['availability'])
        self.assertIn('No BMC to reset worker-0 with',
                      host['last_maintenance_action'])
        self.assertIn('Unlock failed: its agent did not answer within 1s '
                      'of the reboot',
                      [e['reason_text'] for e in
                       self.events(mtce_faults.HOST_ACTION)])

    def test_configuration_not_applied_fails_the_unlock(self):
        self.config(goenabled_timeout=1, ar_config_threshold=1,
                    group='mtce')
        host = self.provisioned_worker()
        dbapi.host_update(self.context, host['id'], {
            'config_status': states.CONFIG_STATUS_OUT_OF_DATE})
        self.action(host, 'unlock')
        host = self.wait_idle(host)
        self.assertEqual(states.FAILED, host['availability'])
        self.assertEqual('Configuration Failure, threshold reached, '
                         'Lock/Unlock to retry', host['task'])
        self.assertIn('configuration was not applied',
                      host['last_maintenance_action'])

    def test_lock_while_unlocking_is_refused_force_lock_cancels(self):
        self.agents.restarts = False
        host = self.provisioned_worker()
        self.action(host, 'unlock')
        self.wait_task(host, states.TASK_REBOOTING)
        response = self.action(host, 'lock', expect_errors=True)
        self.assertEqual(409, response.status_int)
        self.assertEqual('stx.host.action_in_progress',
                         self.error_of(response)['code'])
        self.action(host, 'force-lock')
        host = self.wait_idle(host)
        self.assertEqual((states.LOCKED, states.DISABLED, states.ONLINE),
                         self.state(host))
        self.assertEqual('', host['task'])
        self.assertEqual([], self.alarms(mtce_faults.HOST_FAILED))

    def test_unlock_interrupted_by_a_restart_is_resumed(self):
        host = self.provisioned_worker()
        dbapi.host_update(self.context, host['id'], {
            'administrative': states.UNLOCKED,
            'task': states.TASK_TESTING,
            'availability': states.INTEST})
        self.mtce.hosts()
        host = self.wait_idle(self.host(host['uuid']))
        self.assertEqual((states.UNLOCKED, states.ENABLED, states.AVAILABLE),
                         self.state(host))

    def test_power_action_interrupted_by_a_restart_says_so(self):
        host = self.provisioned_worker()
        dbapi.host_update(self.context, host['id'], {
            'task': states.TASK_POWERING_OFF})
        self.mtce.hosts()
        self.assertEqual('Powering-off interrupted: stx-mtce restarted; '
                         'try again', self.host(host['uuid'])['task'])


class TestReinstall(LifecycleTestCase):

    def test_reinstall_boots_from_network_and_waits_for_the_agent(self):
        host = self.provisioned_worker()
        shown = self.action(host, 'reinstall').json
        self.assertEqual(states.TASK_REINSTALLING, shown['task'])
        self.wait_task(host, states.TASK_REINSTALLING)
        # Once reset, the BMC boots the host from the network...
        deadline = time.monotonic() + 10
        while self.host(host['uuid'])['availability'] != states.OFFLINE:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.01)
        bmc = {'address': host['bm_ip'], 'username': 'admin',
               'password': 'secret'}
        self.assertEqual(bmc_base.BOOT_DEVICE_NETWORK,
                         fake_bmc.FakeBMC().get_boot_device(bmc)[
                             'boot_device'])
        self.assertEqual(states.PROVISIONING,
                         self.host(host['uuid'])['invprovision'])
        # ... and its agent comes back.
        self.agents.restart(host['uuid'])
        host = self.wait_idle(host)
        self.assertEqual((states.LOCKED, states.DISABLED, states.ONLINE),
                         self.state(host))
        self.assertEqual('', host['task'])

    def test_reinstall_without_a_bmc_is_refused_naming_bm_type(self):
        host = self.provisioned_worker(bmc=False)
        response = self.action(host, 'reinstall', expect_errors=True)
        self.assertEqual(409, response.status_int)
        fault = self.error_of(response)
        self.assertEqual('bm_type', fault['field'])
        self.assertIn('through its BMC', fault['faultstring'])
        self.assertEqual('', self.host(host['uuid'])['task'])


class TestHostActions(base.MtceTestCase):

    def test_cancel_frees_the_host(self):
        actions = mtce_actions.HostActions()
        self.assertTrue(actions.acquire('u', 'Unlocking'))
        cancelled = actions.cancelled('u')
        self.assertFalse(cancelled.is_set())
        self.assertFalse(actions.cancel('u', 0.05))
        self.assertTrue(cancelled.is_set())
        actions.release('u')
        self.assertTrue(actions.cancel('u', 0.05))
