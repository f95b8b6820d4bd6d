"""What an agent does when maintenance asks for its status or a reboot:
over the in-process transport, with the real host action drivers.
"""

import os
import sys
import threading
import time

import fixtures

from stx.common import exception
from stx.drivers.host import fake as fake_host
from stx.sysinv.agent import host_actions
from stx.sysinv.agent import rpcapi as agent_rpcapi
from tests.unit.sysinv.agent import test_manager

WAIT = 10


def _wait(predicate):
    deadline = time.monotonic() + WAIT
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()


class HostActionTest(test_manager.AgentTestCase):

    def setUp(self):
        super().setUp()
        self.host = test_manager.make_host('worker-0',
                                           test_manager.SERVER_MACS[0])
        self.conductor = self.serve(test_manager.FakeConductor([self.host]))
        self.restarts = []
        self.restarted = threading.Event()

        def restart():
            self.restarts.append(time.monotonic())
            self.restarted.set()

        self.agent = self.make_agent(restart=restart)
        self.agent.identify()
        self.agent.listen()
        self.addCleanup(self.agent.stop_listening)
        fake_host.FakeHost.reset()
        self.addCleanup(fake_host.FakeHost.reset)

    def test_status_answers_with_start_time_and_boot_id(self):
        status = agent_rpcapi.AgentAPI().get_status(
            self.agent.context, self.host['uuid'], timeout=5)
        self.assertEqual(self.host['uuid'], status['host_uuid'])
        self.assertEqual('worker-0', status['hostname'])
        self.assertEqual(self.agent.started_at, status['started_at'])
        # The fixture's /proc has no boot_id; a real one has.
        self.assertEqual(host_actions.boot_id(self.roots[0]),
                         status['boot_id'])

    def test_status_of_a_host_with_no_agent_is_service_unavailable(self):
        self.assertRaises(exception.ServiceUnavailable,
                          agent_rpcapi.AgentAPI().get_status,
                          self.agent.context,
                          '7d3f1b2a-0000-4000-8000-000000000000',
                          timeout=0.3)

    def test_reboot_with_agent_restart_driver_restarts_the_agent(self):
        agent_rpcapi.AgentAPI().host_action(self.agent.context,
                                            self.host['uuid'], 'reboot')
        self.assertTrue(self.restarted.wait(WAIT))
        self.assertEqual(1, len(self.restarts))

    def test_configured_driver_is_used(self):
        self.conf.config(host_action_driver='fake', group='agent')
        self.assertTrue(host_actions.run('shutdown', None))
        self.assertEqual([fake_host.ACTION_SHUTDOWN],
                         fake_host.FakeHost.actions)

    def test_agent_restart_refuses_shutdown(self):
        logs = self.useFixture(fixtures.FakeLogger(
            name='stx.sysinv.agent.host_actions'))
        self.assertFalse(host_actions.run('shutdown', lambda: None))
        self.assertIn('does not shut hosts down', logs.output)

    def test_unknown_action_is_refused(self):
        self.assertFalse(host_actions.run('explode', lambda: None))
        self.assertEqual([], self.restarts)


class CommandDriverTest(test_manager.AgentTestCase):

    def test_command_runs_with_the_action_appended(self):
        work = self.useFixture(fixtures.TempDir()).path
        out = os.path.join(work, 'out')
        script = os.path.join(work, 'action.py')
        with open(script, 'w') as f:
            f.write('import sys\nopen(sys.argv[1], "w").write('
                    '" ".join(sys.argv[2:]))\n')
        self.conf.config(host_action_driver='command', group='agent')
        self.conf.config(host_action_command='%s %s %s lab-host'
                         % (sys.executable, script, out), group='agent')
        self.assertTrue(host_actions.run('reboot', None))
        self.assertTrue(_wait(lambda: os.path.exists(out) and
                              open(out).read()))
        with open(out) as f:
            self.assertEqual('lab-host reboot', f.read())

    def test_command_driver_without_command_says_what_is_missing(self):
        logs = self.useFixture(fixtures.FakeLogger(
            name='stx.sysinv.agent.host_actions'))
        self.conf.config(host_action_driver='command', group='agent')
        self.assertFalse(host_actions.run('reboot', None))
        self.assertIn('host_action_command', logs.output)
