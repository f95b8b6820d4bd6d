"""stx-agent applying the configuration the conductor pushes.

First against a recording conductor (test_manager's), then end to end: the
shared real conductor and a real AgentManager reading the ``server``
fixture, both on the in-process transport.
"""

import json
import os
import threading
import time

import fixtures
import oslo_messaging as messaging

from stx.common import context as stx_context
from stx.common import states
from stx.sysinv.agent import host_config
from stx.sysinv.agent import manager
from stx.sysinv.agent import rpcapi as agent_rpcapi
from stx.sysinv.conductor import bootstrap
from stx.sysinv.conductor import rpcapi
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import DB
from tests.unit import base
from tests.unit.sysinv.agent import test_manager

CONFIG_UUID = '0b6e0a52-6a4e-4d7b-9a58-0c1f2f4b5e01'
WAIT = 10


class ConfigConductor(test_manager.FakeConductor):
    """The recording conductor, with the 1.3 method."""

    target = messaging.Target(version='1.3')

    def iconfig_update_by_ihost(self, context, ihost_uuid, config_applied):
        self._update('iconfig_update_by_ihost', ihost_uuid,
                     ihost_uuid=ihost_uuid, config_applied=config_applied)


def _wait(predicate):
    deadline = time.monotonic() + WAIT
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()


class ConfigApplyTest(test_manager.AgentTestCase):

    def setUp(self):
        super().setUp()
        self.config_dir = os.path.join(
            self.useFixture(fixtures.TempDir()).path, 'agent-config')
        self.conf.config(config_dir=self.config_dir, group='agent')
        self.host = test_manager.make_host('controller-0',
                                           test_manager.SERVER_MACS[0])
        self.conductor = self.serve(ConfigConductor([self.host]))
        self.agent = self.make_agent()
        self.agent.identify()
        self.conductor.forget_calls()

    def stored(self):
        with open(os.path.join(self.config_dir, 'host-config.json')) as f:
            return json.load(f)

    def test_config_is_written_and_reported(self):
        config = {'config_uuid': CONFIG_UUID,
                  'cpus': {'Platform': {'0': '0-1,16-17'}}}
        self.agent.config_apply(self.host['uuid'], config)

        self.assertEqual(config, self.stored())
        self.assertEqual([('iconfig_update_by_ihost',
                           {'ihost_uuid': self.host['uuid'],
                            'config_applied': CONFIG_UUID})],
                         self.conductor.calls)
        self.assertEqual(CONFIG_UUID, host_config.applied_uuid())
        # Only the file: the temporary one was renamed over it.
        self.assertEqual(['host-config.json'], os.listdir(self.config_dir))

    def test_write_replaces_the_file_atomically(self):
        self.agent.config_apply(self.host['uuid'],
                                {'config_uuid': CONFIG_UUID})
        replaced = []
        real_replace = os.replace

        def replace(source, destination):
            # The new text is complete before it takes the file's name.
            with open(source) as new:
                replaced.append(json.load(new)['config_uuid'])
            self.assertEqual(CONFIG_UUID, self.stored()['config_uuid'])
            real_replace(source, destination)

        self.useFixture(fixtures.MonkeyPatch('os.replace', replace))
        other = '6f1c3a8e-2b47-4c59-8d0e-1a2b3c4d5e6f'
        self.agent.config_apply(self.host['uuid'], {'config_uuid': other})
        self.assertEqual([other], replaced)
        self.assertEqual(other, self.stored()['config_uuid'])

    def test_config_for_another_host_is_ignored(self):
        self.agent.config_apply('7d3f1b2a-0000-4000-8000-000000000000',
                                {'config_uuid': CONFIG_UUID})

        self.assertFalse(os.path.exists(self.config_dir))
        self.assertEqual([], self.conductor.calls)
        self.assertIn('configuration for host 7d3f1b2a', self.logs.output)

    def test_cast_on_the_host_topic_reaches_the_agent(self):
        self.agent.listen()
        self.addCleanup(self.agent.stop_listening)

        agent_rpcapi.AgentAPI().config_apply(
            self.agent.context, self.host['uuid'],
            {'config_uuid': CONFIG_UUID})

        self.assertTrue(_wait(lambda: 'iconfig_update_by_ihost' in
                              self.conductor.methods()))
        self.assertEqual(CONFIG_UUID, self.stored()['config_uuid'])

    def test_start_reports_the_config_on_disk(self):
        host_config.write({'config_uuid': CONFIG_UUID})
        stop = threading.Event()
        thread = threading.Thread(target=self.agent.run, args=(stop,),
                                  daemon=True)
        thread.start()
        self.addCleanup(thread.join, WAIT)
        self.addCleanup(stop.set)

        self.assertTrue(_wait(lambda: 'iconfig_update_by_ihost' in
                              self.conductor.methods()))
        self.assertEqual(CONFIG_UUID, self.conductor.arguments(
            'iconfig_update_by_ihost')['config_applied'])
        # Before the inventory: a configuration missed is resent first.
        self.assertEqual('iconfig_update_by_ihost', [
            method for method in self.conductor.methods()
            if method != 'get_ihost_by_macs'][0])

    def test_start_without_config_reports_none(self):
        self.agent.report_config()
        self.assertIsNone(self.conductor.arguments(
            'iconfig_update_by_ihost')['config_applied'])


class EndToEndTest(test_manager.AgentTestCase):
    """The shared real conductor, a real agent, one process."""

    def setUp(self):
        super().setUp()
        self.state_dir = self.useFixture(fixtures.TempDir()).path
        self.conf.config(state_path=self.state_dir)
        self.conf.config(connection='sqlite://', group='database')
        self.conf.config(rpc_timeout=5, group='sysinv')
        DB.reset()
        DB.create_schema()
        self.addCleanup(DB.reset)
        self.useFixture(base.ConductorFixture())
        self.context = stx_context.get_admin_context()
        _system, controller = bootstrap.ensure_system(self.context)
        self.host = dbapi.host_update(
            self.context, controller['id'],
            {'administrative': states.LOCKED,
             'mgmt_mac': test_manager.SERVER_MACS[0]})

    def test_cpu_change_is_applied_by_the_agent(self):
        agent = manager.AgentManager(rpcapi.ConductorAPI())
        stop = threading.Event()
        reported = threading.Event()
        thread = threading.Thread(target=agent.run, args=(stop,),
                                  kwargs={'on_reported': reported.set},
                                  daemon=True)
        thread.start()
        self.addCleanup(thread.join, WAIT)
        self.addCleanup(stop.set)
        self.assertTrue(reported.wait(WAIT))

        rpcapi.ConductorAPI().update_cpu_functions(
            self.context, self.host['uuid'],
            [{'function': 'platform', 'sockets': [{'0': 2}]}])

        def host():
            return dbapi.host_get(self.context, self.host['id'])
        self.assertTrue(_wait(lambda: host()['config_applied'] and
                              host()['config_applied'] ==
                              host()['config_target']), host())
        self.assertIsNone(host()['config_status'])
        path = os.path.join(self.state_dir, 'agent-config',
                            'host-config.json')
        with open(path) as config_file:
            config = json.load(config_file)
        self.assertEqual(host()['config_target'], config['config_uuid'])
        self.assertEqual({'0': '0-1,16-17'}, config['cpus']['Platform'])
