"""Automatic recovery, and what a host's own monitors report, end to end
through a real stx-mtce manager, conductor and fm manager (fake agents and
BMCs, test timers).
"""

from stx.common import states
from stx.drivers.bmc import base as bmc_base
from stx.mtce import faults as mtce_faults
from stx.mtce import recovery
from stx.sysinv.db import api as dbapi
from tests.unit.mtce import test_lifecycle

CRITICAL, MAJOR = states.SEVERITY_CRITICAL, states.SEVERITY_MAJOR
IN_SERVICE = (states.UNLOCKED, states.ENABLED, states.AVAILABLE)


class RecoveryTestCase(test_lifecycle.LifecycleTestCase):

    def failed_host(self, host):
        """``host`` failed, as maintenance has it when recovery starts."""
        self.mtce.hosts()       # (Its first read resumes recoveries.)
        dbapi.host_update(self.context, host['id'], {
            'operational': states.DISABLED, 'availability': states.FAILED,
            'task': states.TASK_GRACEFUL_RECOVERY_WAIT})
        return [h for h in self.mtce.hosts(refresh=True)
                if h['uuid'] == host['uuid']][0]

    def report(self, host, source, *conditions, started_at='t0'):
        self.mtce.host_conditions(
            self.context, host_uuid=host['uuid'], started_at=started_at,
            source=source, conditions=[
                {'key': key, 'severity': severity, 'reason': reason}
                for key, severity, reason in conditions])

    def actions_text(self):
        return [e['reason_text'] for e in
                reversed(self.events(mtce_faults.HOST_ACTION))]

    def reset_restarts_agent(self):
        """A BMC reset starts the host's agent again, as a power hook."""
        resets = []
        real_call = self.mtce.bmcs.call

        def call(host, method, *args, **kwargs):
            result = real_call(host, method, *args, **kwargs)
            if method == 'set_power_state' and \
                    args[0] == bmc_base.POWER_RESET:
                resets.append(host['uuid'])
                self.agents.answering = True
                self.agents.restart(host['uuid'])
            return result

        self.mtce.bmcs.call = call
        return resets


class TestConditions(RecoveryTestCase):

    def test_major_process_failure_degrades_until_it_clears(self):
        host = self.in_service()
        self.report(host, 'process',
                    ('sshd', MAJOR, 'process sshd died 4 times'))
        self.assertEqual((states.UNLOCKED, states.ENABLED, states.DEGRADED),
                         self.state(host))
        alarms = self.alarms(mtce_faults.PROCESS_FAILED)
        self.assertEqual([('host=worker-0.process=sshd', MAJOR)],
                         [(a['entity_instance_id'], a['severity'])
                          for a in alarms])
        self.assertIn('process sshd died 4 times',
                      self.host(host['uuid'])['last_maintenance_action'])
        self.report(host, 'process')
        self.assertEqual(IN_SERVICE, self.state(host))
        self.assertEqual([], self.alarms(mtce_faults.PROCESS_FAILED))

    def test_minor_process_failure_only_alarms(self):
        host = self.in_service()
        self.report(host, 'process', ('ntpd', 'minor', 'ntpd died'))
        self.assertEqual(IN_SERVICE, self.state(host))
        self.assertEqual(['minor'], [a['severity'] for a in
                                     self.alarms(mtce_faults.PROCESS_FAILED)])

    def test_critical_resource_degrades_with_its_alarm(self):
        host = self.in_service()
        self.report(host, 'resource',
                    ('filesystem=/var/log', CRITICAL, '/var/log 96% used'),
                    ('cpu', MAJOR, 'cpu 91%'))
        self.assertEqual(states.DEGRADED, self.state(host)[2])
        self.assertEqual(
            [('host=worker-0.filesystem=/var/log', CRITICAL)],
            [(a['entity_instance_id'], a['severity'])
             for a in self.alarms(mtce_faults.FILESYSTEM_USAGE)])
        self.assertEqual([('host=worker-0', MAJOR)],
                         [(a['entity_instance_id'], a['severity'])
                          for a in self.alarms(mtce_faults.CPU_USAGE)])
        # The filesystem drops to major: no longer degrading.
        self.report(host, 'resource',
                    ('filesystem=/var/log', MAJOR, '/var/log 85% used'))
        self.assertEqual(IN_SERVICE, self.state(host))
        self.assertEqual([], self.alarms(mtce_faults.CPU_USAGE))
        self.assertEqual([MAJOR], [a['severity'] for a in self.alarms(
            mtce_faults.FILESYSTEM_USAGE)])

    def test_bad_conditions_are_ignored(self):
        host = self.in_service()
        self.report(host, 'process', ('a.b', MAJOR, 'dotted name'),
                    ('sshd', 'fatal', 'unknown severity'))
        self.report(host, 'resource', ('disk', CRITICAL, 'unknown key'))
        self.report(host, 'nonsense', ('x', CRITICAL, 'unknown source'))
        self.assertEqual(IN_SERVICE, self.state(host))
        self.assertEqual([], self.alarms(mtce_faults.PROCESS_FAILED))

    def test_a_new_agent_start_clears_what_the_old_one_reported(self):
        host = self.in_service()
        self.report(host, 'process', ('sshd', 'minor', 'sshd died'))
        self.mtce.goenabled(self.context, host['uuid'], 't9', True, [])
        self.flush()
        self.assertEqual([], self.alarms(mtce_faults.PROCESS_FAILED))


class TestRecovery(RecoveryTestCase):

    def test_critical_process_fails_host_and_a_reboot_recovers_it(self):
        host = self.in_service()
        self.report(host, 'process',
                    ('sm', CRITICAL, 'process sm died 4 times'))
        host = self.wait_idle(host)
        self.assertEqual(IN_SERVICE, self.state(host))
        self.assertEqual([(host['uuid'], 'reboot')], self.agents.actions)
        # The agent's new start reported no condition: alarms cleared.
        self.assertEqual([], self.alarms(mtce_faults.PROCESS_FAILED))
        self.assertEqual([], self.alarms(mtce_faults.HOST_FAILED))
        texts = self.actions_text()
        self.assertIn('Reboot of worker-0 requested through its agent '
                      '(request 1 of 5): process sm died 4 times', texts)
        self.assertIn('worker-0 recovered: back in service after its reboot',
                      texts)
        self.assertIn('worker-0 recovered', host['last_maintenance_action'])
        failed = [e for e in self.events(mtce_faults.HOST_STATE_CHANGE)
                  if 'failed' in e['reason_text']]
        self.assertIn('process sm died 4 times', failed[0]['reason_text'])

    def test_silent_host_is_reset_through_its_bmc_after_the_delay(self):
        self.config(reboot_attempts=2, bmc_reset_delay=0.3, group='mtce')
        host = self.in_service()
        resets = self.reset_restarts_agent()
        self.agents.answering = False
        self.mtce._recover(self.failed_host(host), recovery.Failure(
            recovery.CAUSE_HEARTBEAT_LOSS, 'heartbeat failed: mgmt silent'))
        host = self.wait_idle(host)
        self.assertEqual(IN_SERVICE, self.state(host))
        self.assertEqual([host['uuid']], resets)
        texts = self.actions_text()
        sequence = ['worker-0 took none of 2 reboot requests: its agent '
                    'does not answer',
                    'BMC reset of worker-0 in 0s (0.3s after its failure, '
                    'time for a crash dump)',
                    'BMC reset of worker-0 (1 of 7), confirmed by its BMC '
                    '(power on): heartbeat failed: mgmt silent',
                    'worker-0 enabled (recovery)',
                    'worker-0 recovered: back in service after BMC reset 1']
        self.assertEqual(sequence, [text for text in texts
                                    if text in sequence])
        self.assertIn('recovered', host['last_maintenance_action'])

    def test_host_that_keeps_failing_its_tests_is_given_up_on(self):
        host = self.in_service()
        self.agents.failed_checks = ['disk check']
        self.mtce._recover(self.failed_host(host), recovery.Failure(
            recovery.CAUSE_PROCESS, 'sm died'))
        host = self.wait_idle(host)
        self.assertEqual((states.UNLOCKED, states.DISABLED, states.FAILED),
                         self.state(host))
        self.assertEqual('In-Test Failure, threshold reached, Lock/Unlock '
                         'to retry', host['task'])
        # One reboot, one more after the failure, then no more.
        self.assertEqual(2, self.agents.actions.count((host['uuid'],
                                                       'reboot')))
        self.assertIn('rebooting it again in 0.1s', ' '.join(
            self.actions_text()))
        [alarm] = self.alarms(mtce_faults.HOST_FAILED)
        self.assertIn('lock and unlock it to try again',
                      alarm['reason_text'])
        # An operator lock clears it, and the counts start again.
        self.action(host, 'lock')
        host = self.wait_idle(host)
        self.assertEqual(states.LOCKED, host['administrative'])
        self.assertEqual([], self.alarms(mtce_faults.HOST_FAILED))

    def test_graceful_recovery_is_skipped_after_its_limit(self):
        self.config(max_graceful_recoveries=0, group='mtce')
        host = self.in_service()
        self.mtce._recover(self.failed_host(host), recovery.Failure(
            recovery.CAUSE_HEARTBEAT_LOSS, 'heartbeat failed'))
        host = self.wait_idle(host)
        self.assertEqual(IN_SERVICE, self.state(host))
        self.assertIn('No graceful recovery for worker-0: it recovered '
                      'gracefully 0 times in a row; rebooting it',
                      self.actions_text())

    def test_lock_cancels_a_recovery(self):
        self.config(bmc_reset_delay=60, reboot_attempts=1, group='mtce')
        host = self.in_service()
        self.agents.answering = False
        self.mtce._recover(self.failed_host(host), recovery.Failure(
            recovery.CAUSE_PROCESS, 'sm died'))
        self.wait_task(host, states.TASK_RECOVERY_RESET_WAIT)
        self.action(host, 'force-lock')
        host = self.wait_idle(host)
        self.assertEqual(states.LOCKED, host['administrative'])
        self.assertEqual('', host['task'])
