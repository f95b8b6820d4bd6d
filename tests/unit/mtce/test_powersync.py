"""The power-state audit: drift corrected and recorded, the BMC access
alarm raised and cleared, the most suspicious hosts first.
"""

import time

import fixtures

from stx.common import states
from stx.drivers.bmc import base as bmc_base
from stx.drivers.bmc import fake as fake_bmc
from stx.mtce import faults as mtce_faults
from stx.sysinv.conductor import rpcapi
from stx.sysinv.db import api as dbapi
from tests.unit.mtce import base


class TestPowerAudit(base.MtceTestCase):

    def test_host_found_off_becomes_power_off_with_a_log(self):
        host = self.add_worker()
        self.set_power_state(host, bmc_base.POWER_OFF)
        self.mtce.audit_power()
        host = self.host(host['uuid'])
        self.assertEqual(states.POWER_OFF, host['availability'])
        self.assertEqual(states.DISABLED, host['operational'])
        logs = self.events(mtce_faults.HOST_STATE_CHANGE)
        self.assertEqual(
            ['Power state drift on worker-0: it was offline but its BMC '
             'reports it powered off; now power-off'],
            [log['reason_text'] for log in logs])
        self.assertEqual(1, self.mtce.power_audit.last_pass['drifts'])

    def test_power_off_host_found_on_becomes_offline(self):
        host = self.add_worker()
        dbapi.host_update(self.context, host['uuid'],
                          {'availability': states.POWER_OFF})
        self.mtce.audit_power()
        self.assertEqual(states.OFFLINE,
                         self.host(host['uuid'])['availability'])

    def test_agreeing_hosts_are_left_alone(self):
        host = self.add_worker()
        before = self.host(host['uuid'])
        self.mtce.audit_power()
        self.assertEqual(before, self.host(host['uuid']))
        self.assertEqual([], self.events(mtce_faults.HOST_STATE_CHANGE))
        self.assertEqual({'hosts': 1, 'drifts': 0, 'failures': 0},
                         {key: value for key, value in
                          self.mtce.power_audit.last_pass.items()
                          if key != 'seconds'})

    def test_hosts_without_bmc_and_busy_hosts_are_skipped(self):
        self.add_worker(0, bmc=False)
        busy = self.add_worker(1)
        self.set_power_state(busy, bmc_base.POWER_OFF)
        self.mtce.actions.acquire(busy['uuid'], states.TASK_POWERING_OFF)
        self.mtce.audit_power()
        self.assertEqual(0, self.mtce.power_audit.last_pass['hosts'])
        self.assertEqual(states.OFFLINE,
                         self.host(busy['uuid'])['availability'])

    def test_unreachable_bmc_alarms_after_threshold_and_clears(self):
        host = self.add_worker()
        fake_bmc.FakeBMC.set_reachable(host['bm_ip'], False)
        self.mtce.audit_power()
        self.assertEqual([], self.alarms(mtce_faults.BMC_ACCESS_FAILURE))
        self.mtce.audit_power()
        alarms = self.alarms(mtce_faults.BMC_ACCESS_FAILURE)
        self.assertEqual(1, len(alarms))
        self.assertEqual('host=worker-0', alarms[0]['entity_instance_id'])
        self.assertIn('10.10.0.5', alarms[0]['reason_text'])
        self.assertNotIn('secret', alarms[0]['reason_text'])
        # Still failing: no second alarm, no new log record.
        self.mtce.audit_power()
        self.assertEqual(1, len(self.alarms(mtce_faults.BMC_ACCESS_FAILURE)))
        fake_bmc.FakeBMC.set_reachable(host['bm_ip'], True)
        self.mtce.audit_power()
        self.assertEqual([], self.alarms(mtce_faults.BMC_ACCESS_FAILURE))

    def test_bmc_without_password_alarms_at_once(self):
        host = self.add_worker()
        dbapi.host_update(self.context, host['uuid'], {'bm_password': None})
        self.mtce.audit_power()
        alarms = self.alarms(mtce_faults.BMC_ACCESS_FAILURE)
        self.assertIn('password', alarms[0]['reason_text'])

    def test_suspicious_hosts_are_audited_first(self):
        hosts = [self.add_worker(number) for number in range(3)]
        fake_bmc.FakeBMC.set_reachable(hosts[2]['bm_ip'], False)
        self.mtce.audit_power()
        order = self.mtce.power_audit.order(self.mtce.hosts(refresh=True))
        self.assertEqual('worker-2', order[0]['hostname'])

    def test_alarm_raised_before_a_restart_is_cleared_after_it(self):
        host = self.add_worker()
        fake_bmc.FakeBMC.set_reachable(host['bm_ip'], False)
        self.mtce.audit_power()
        self.mtce.audit_power()
        self.assertEqual(1, len(self.alarms(mtce_faults.BMC_ACCESS_FAILURE)))
        fake_bmc.FakeBMC.set_reachable(host['bm_ip'], True)
        # A new stx-mtce learns the alarm from fm when it first reads the
        # hosts.
        self.flush()
        self.mtce.faults.close()
        restarted = type(self.mtce)(agents=self.agents)
        self.addCleanup(restarted.stop)
        restarted.audit_power()
        restarted.faults.api.flush(10)
        self.assertEqual([], self.alarms(mtce_faults.BMC_ACCESS_FAILURE))

    def test_bmc_change_resets_the_failure_count(self):
        host = self.add_worker()
        fake_bmc.FakeBMC.set_reachable(host['bm_ip'], False)
        self.mtce.audit_power()
        self.assertEqual(1, self.mtce.bmcs.failures(host['uuid']))
        self.app.patch_json('/v1/ihosts/%s' % host['uuid'], [
            {'op': 'replace', 'path': '/bm_ip', 'value': '10.10.0.99'}])
        self.mtce.host_modified(self.context, host['uuid'])
        self.assertEqual(0, self.mtce.bmcs.failures(host['uuid']))

    def test_audits_pause_with_one_warning_while_sysinv_is_silent(self):
        logs = self.useFixture(fixtures.FakeLogger(name='stx.mtce.manager'))
        silent = rpcapi.ConductorAPI(timeout=0.2, topic='nobody-listens')
        restarted = type(self.mtce)(conductor=silent, agents=self.agents)
        self.addCleanup(restarted.stop)
        restarted.audit_power()
        restarted.audit_sensors()
        self.assertEqual(1, logs.output.count('Audits paused'))
        restarted.conductor = self.mtce.conductor
        restarted.audit_power()
        self.assertIn('Audits resumed', logs.output)

    def test_deleting_a_host_clears_its_alarms(self):
        host = self.add_worker()
        fake_bmc.FakeBMC.set_reachable(host['bm_ip'], False)
        self.mtce.audit_power()
        self.mtce.audit_power()
        self.assertEqual(1, len(self.alarms(mtce_faults.BMC_ACCESS_FAILURE)))
        self.app.delete('/v1/ihosts/%s' % host['uuid'])
        self.mtce.audit_power()
        self.assertEqual(0, self.mtce.bmcs.failures(host['uuid']))
        self.assertFalse(self.mtce.bmcs.alarmed(host['uuid']))
        # The conductor clears them through its own, asynchronous, fm
        # client.
        deadline = time.monotonic() + 10
        while self.alarms(mtce_faults.BMC_ACCESS_FAILURE):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
