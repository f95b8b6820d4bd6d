"""Host power actions from the API to the BMC and back, and their refusals.

The sysinv API (webtest), the shared conductor and fm manager, and a real
stx-mtce manager; BMCs are FakeBMC machines and agents a FakeAgents.
"""

import time

from stx.common import states
from stx.drivers.bmc import base as bmc_base
from stx.drivers.bmc import fake as fake_bmc
from stx.mtce import faults as mtce_faults
from stx.sysinv.db import api as dbapi
from tests.unit.mtce import base


class PowerActionTestCase(base.MtceTestCase):

    def assertRefused(self, response, status, field, code=None):
        self.assertEqual(status, response.status_int, response.body)
        fault = self.error_of(response)
        self.assertEqual(field, fault['field'], fault)
        if code:
            self.assertEqual(code, fault['code'])
        return fault['faultstring']


class TestPowerActions(PowerActionTestCase):

    def test_power_off_shows_task_then_power_off_availability(self):
        host = self.add_worker()
        shown = self.action(host, 'power-off').json
        self.assertEqual(states.TASK_POWERING_OFF, shown['task'])
        host = self.wait_idle(host)
        self.assertEqual('', host['task'])
        self.assertEqual(states.POWER_OFF, host['availability'])
        self.assertEqual(states.DISABLED, host['operational'])
        self.assertEqual(bmc_base.POWER_OFF, self.power_state(host))
        logs = self.events(mtce_faults.HOST_ACTION)
        self.assertEqual(['worker-0 powered off (confirmed by its BMC)'],
                         [log['reason_text'] for log in logs])
        self.assertEqual('host=worker-0', logs[0]['entity_instance_id'])

    def test_power_on_after_power_off_is_offline_until_agent_returns(self):
        host = self.add_worker()
        self.action(host, 'power-off')
        self.wait_idle(host)
        self.action(host, 'power-on')
        host = self.wait_idle(host)
        self.assertEqual(states.OFFLINE, host['availability'])
        self.assertEqual(bmc_base.POWER_ON, self.power_state(host))

    def test_reset_leaves_host_powered_on(self):
        host = self.add_worker()
        self.action(host, 'reset')
        host = self.wait_idle(host)
        self.assertEqual('', host['task'])
        self.assertEqual(bmc_base.POWER_ON, self.power_state(host))

    def test_unanswering_bmc_fails_the_task_and_keeps_the_state(self):
        host = self.add_worker()
        fake_bmc.FakeBMC.set_reachable(host['bm_ip'], False)
        self.action(host, 'power-off')
        host = self.wait_idle(host)
        self.assertTrue(host['task'].startswith('Power-off failed: '),
                        host['task'])
        self.assertIn('10.10.0.5', host['task'])
        self.assertEqual(states.OFFLINE, host['availability'])
        # A failed action counts towards "BMC access failure" (200.010):
        # raised at the second failure in a row ([mtce]
        # bmc_access_failure_threshold).
        self.assertEqual([], self.alarms(mtce_faults.BMC_ACCESS_FAILURE))
        self.action(host, 'power-off')
        self.wait_idle(host)
        alarms = self.alarms(mtce_faults.BMC_ACCESS_FAILURE)
        self.assertEqual(['host=worker-0'],
                         [a['entity_instance_id'] for a in alarms])

    def test_second_action_while_one_runs_is_refused(self):
        host = self.add_worker()
        self.assertTrue(self.mtce.actions.acquire(host['uuid'],
                                                  states.TASK_POWERING_ON))
        try:
            response = self.action(host, 'power-off', expect_errors=True)
        finally:
            self.mtce.actions.release(host['uuid'])
        message = self.assertRefused(response, 409, 'action',
                                     'stx.host.action_in_progress')
        self.assertIn('Powering-on', message)


class TestRefusals(PowerActionTestCase):

    def test_host_without_bmc_is_refused_naming_bm_type(self):
        host = self.add_worker(bmc=False)
        message = self.assertRefused(
            self.action(host, 'power-off', expect_errors=True), 409,
            'bm_type')
        self.assertIn('no BMC', message)
        self.assertEqual('', self.host(host['uuid'])['task'])

    def test_unlocked_host_cannot_be_powered_off(self):
        message = self.assertRefused(
            self.action(self.controller, 'power-off', expect_errors=True),
            409, 'action')
        self.assertIn('unlocked', message)

    def test_simplex_refuses_reset(self):
        # A simplex system's only host, locked (as lock will make it).
        dbapi.system_update(self.context, self.system['uuid'],
                            {'system_mode': states.SYSTEM_MODE_SIMPLEX})
        host = dbapi.host_update(self.context, self.controller['uuid'],
                                 {'administrative': states.LOCKED})
        message = self.assertRefused(
            self.action(host, 'reset', expect_errors=True), 409, 'action')
        self.assertIn('simplex', message)

    def test_actions_maintenance_does_not_carry_out_yet_say_so(self):
        host = self.add_worker()
        fault = self.assertRefused(self.action(host, 'host-audit',
                                               expect_errors=True),
                                   409, 'action')
        self.assertIn('does not carry out this action yet', fault)


class TestReboot(PowerActionTestCase):

    def setUp(self):
        super().setUp()
        self.config(reboot_timeout=5, group='mtce')

    def test_reboot_goes_through_the_agent_and_ends_when_it_is_back(self):
        host = self.add_worker()
        self.assertEqual(states.TASK_REBOOTING,
                         self.action(host, 'reboot').json['task'])
        host = self.wait_idle(host)
        self.assertEqual('', host['task'])
        self.assertEqual([(host['uuid'], 'reboot')], self.agents.actions)
        # The BMC was left alone.
        self.assertEqual(bmc_base.POWER_ON, self.power_state(host))

    def test_reboot_of_host_whose_agent_does_not_answer_fails(self):
        host = self.add_worker()
        self.agents.answering = False
        self.action(host, 'reboot')
        host = self.wait_idle(host)
        self.assertEqual('Reboot failed: its agent does not answer; reset '
                         'it through its BMC with host-reset, or use '
                         'host-reboot --force', host['task'])
        self.assertEqual([], self.agents.actions)

    def test_forced_reboot_resets_through_bmc_when_agent_is_silent(self):
        host = self.add_worker()
        self.set_power_state(host, bmc_base.POWER_OFF)
        self.agents.answering = False
        self.action(host, 'force-reboot')
        host = self.wait_idle(host)
        self.assertEqual('', host['task'])
        self.assertEqual(bmc_base.POWER_ON, self.power_state(host))
        logs = [log['reason_text']
                for log in self.events(mtce_faults.HOST_ACTION)]
        self.assertIn('forced reboot: its agent does not answer', logs[0])

    def test_agent_that_never_comes_back_fails_after_reboot_timeout(self):
        self.config(reboot_timeout=1, group='mtce')
        host = self.add_worker()
        self.agents.restarts = False
        started = time.monotonic()
        self.action(host, 'reboot')
        host = self.wait_idle(host)
        self.assertGreaterEqual(time.monotonic() - started, 1)
        self.assertEqual('Reboot failed: its agent did not come back '
                         'within 1s', host['task'])
