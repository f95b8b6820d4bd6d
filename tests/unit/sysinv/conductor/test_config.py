"""Configuration tracking: config_target, config_applied, config_status.

A conductor of the test's own is called directly; its casts go to a
recording agent endpoint served on the in-process transport on the agent
topic addressed to the host (Target(topic='stx-sysinv-agent',
server=<host uuid>)), as a real agent serves it. controller-0 holds the
``server`` fixture's inventory (cpus 0 and 16 are the platform's).
"""

import atexit
import threading
import time

import oslo_messaging as messaging

from stx.common import exception
from stx.common import rpc
from stx.common import states
from stx.conf import CONF
from stx.sysinv.agent import rpcapi as agent_rpcapi
from stx.sysinv.conductor import config as host_config
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import inventory_api
from stx.sysinv import nodal
from tests.unit import base
from tests.unit.sysinv import base as sysinv_base
from tests.unit.sysinv.conductor import test_inventory

PLATFORM_2 = [{'function': 'platform', 'sockets': [{'0': 2}]}]
WAIT = 10


class RecordingAgent:
    """The agent's RPC endpoint, keeping what it is sent."""

    target = messaging.Target(version='1.0')

    def __init__(self):
        self.received = []
        self.arrived = threading.Condition()

    def config_apply(self, context, host_uuid, config):
        with self.arrived:
            self.received.append((host_uuid, config))
            self.arrived.notify_all()

    def wait_for(self, count):
        """The configurations received, once there are ``count``."""
        deadline = time.monotonic() + WAIT
        with self.arrived:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.arrived.wait(remaining)
            return list(self.received)


def serve_agent(test, host_uuid):
    """A recording agent endpoint for ``host_uuid`` until the test ends."""
    CONF.set_override('transport_url', base.IN_PROCESS_TRANSPORT)
    rpc.init(CONF)
    agent = RecordingAgent()
    server = rpc.get_server(
        messaging.Target(topic=agent_rpcapi.TOPIC, server=host_uuid),
        [agent])
    server.start()
    test.addCleanup(server.stop)
    # Waiting costs a second of the listener's poll; by exit it has passed.
    atexit.register(server.wait)
    return agent


class TestRenderHostConfig(test_inventory.ConductorTestCase):

    def setUp(self):
        super().setUp()
        self.host = sysinv_base.lock(self.context, self.controller)
        sysinv_base.store_inventory(self.context, self.host)

    def test_cpulist_text(self):
        self.assertEqual('0-1,16-17', host_config.cpulist([17, 0, 16, 1]))
        self.assertEqual('3', host_config.cpulist([3]))
        self.assertEqual('0,2,4-6', host_config.cpulist([6, 4, 5, 0, 2]))
        self.assertEqual('', host_config.cpulist([]))

    def test_server_as_stored(self):
        config = host_config.render_host_config(self.context, dbapi.host_get(
            self.context, self.host['id']))
        self.assertEqual(
            {'Platform': {'0': '0,16'},
             'Application': {'0': '1-7,17-23', '1': '8-15,24-31'}},
            config['cpus'])
        self.assertEqual(('controller-0', 'controller'),
                         (config['hostname'], config['personality']))
        self.assertEqual({'0': 8000, '1': 1000},
                         config['platform_reserved_mib'])
        self.assertEqual([(0, 2), (0, 1024), (1, 2), (1, 1024)],
                         [(pages['numa_node'], pages['size_mib'])
                          for pages in config['hugepages']])

    def test_pending_hugepages_win_over_configured(self):
        memory = inventory_api.memory_list(self.context, self.host['id'])[1]
        configured = memory['vm_hugepages_nr_2M']
        self.conductor.update_memory(self.context, memory['uuid'],
                                     {nodal.HUGEPAGES_1G: 3})
        config = host_config.render_host_config(self.context, dbapi.host_get(
            self.context, self.host['id']))
        self.assertIn({'numa_node': 1, 'size_mib': 1024, 'count': 3},
                      config['hugepages'])
        self.assertIn({'numa_node': 1, 'size_mib': 2,
                       'count': configured or 0}, config['hugepages'])


class TestConfigTracking(test_inventory.ConductorTestCase):

    def setUp(self):
        super().setUp()
        self.host = sysinv_base.lock(self.context, self.controller)
        sysinv_base.store_inventory(self.context, self.host)
        self.agent = serve_agent(self, self.host['uuid'])

    def current(self):
        return dbapi.host_get(self.context, self.host['id'])

    def test_cpu_change_pushes_a_new_target_to_the_host(self):
        self.assertIsNone(self.current()['config_target'])
        self.conductor.update_cpu_functions(self.context, self.host['uuid'],
                                            PLATFORM_2)

        host = self.current()
        self.assertTrue(host['config_target'])
        self.assertEqual(states.CONFIG_STATUS_OUT_OF_DATE,
                         host['config_status'])
        [(host_uuid, config)] = self.agent.wait_for(1)
        self.assertEqual(self.host['uuid'], host_uuid)
        self.assertEqual(host['config_target'], config['config_uuid'])
        self.assertEqual({'0': '0-1,16-17'}, config['cpus']['Platform'])

    def test_each_change_is_a_new_target(self):
        self.conductor.update_cpu_functions(self.context, self.host['uuid'],
                                            PLATFORM_2)
        first = self.current()['config_target']
        memory = inventory_api.memory_list(self.context, self.host['id'])[0]
        self.conductor.update_memory(self.context, memory['uuid'],
                                     {nodal.HUGEPAGES_2M: 10})
        second = self.current()['config_target']
        self.assertNotEqual(first, second)
        self.assertEqual([first, second], [
            config['config_uuid'] for _, config in self.agent.wait_for(2)])

    def test_refused_change_keeps_the_target(self):
        self.assertRaises(exception.InvalidParameterValue,
                          self.conductor.update_cpu_functions, self.context,
                          self.host['uuid'],
                          [{'function': 'platform', 'sockets': [{'0': 0}]}])
        self.assertIsNone(self.current()['config_target'])

    def test_applied_target_clears_the_status(self):
        self.conductor.update_cpu_functions(self.context, self.host['uuid'],
                                            PLATFORM_2)
        target = self.current()['config_target']

        self.conductor.iconfig_update_by_ihost(self.context,
                                               self.host['uuid'], target)

        host = self.current()
        self.assertEqual((target, None), (host['config_applied'],
                                          host['config_status']))
        self.assertEqual(1, len(self.agent.wait_for(1)))

    def test_old_config_keeps_the_status_and_is_pushed_again(self):
        self.conductor.update_cpu_functions(self.context, self.host['uuid'],
                                            PLATFORM_2)
        old = self.current()['config_target']
        self.conductor.update_cpu_functions(
            self.context, self.host['uuid'],
            [{'function': 'platform', 'sockets': [{'0': 1}]}])
        target = self.current()['config_target']

        self.conductor.iconfig_update_by_ihost(self.context,
                                               self.host['uuid'], old)

        host = self.current()
        self.assertEqual((old, target, states.CONFIG_STATUS_OUT_OF_DATE),
                         (host['config_applied'], host['config_target'],
                          host['config_status']))
        received = self.agent.wait_for(3)
        self.assertEqual([old, target, target],
                         [config['config_uuid'] for _, config in received])

    def test_agent_without_config_at_start_gets_the_target(self):
        self.conductor.update_cpu_functions(self.context, self.host['uuid'],
                                            PLATFORM_2)
        self.conductor.iconfig_update_by_ihost(self.context,
                                               self.host['uuid'], None)
        self.assertEqual(2, len(self.agent.wait_for(2)))
        self.assertEqual(states.CONFIG_STATUS_OUT_OF_DATE,
                         self.current()['config_status'])

    def test_host_never_configured_is_not_pushed(self):
        self.conductor.iconfig_update_by_ihost(self.context,
                                               self.host['uuid'], None)
        host = self.current()
        self.assertEqual((None, None), (host['config_target'],
                                        host['config_status']))
        time.sleep(0.1)
        self.assertEqual([], self.agent.received)

    def test_bad_config_uuid_refused(self):
        error = self.assertRaises(
            exception.InvalidParameterValue,
            self.conductor.iconfig_update_by_ihost, self.context,
            self.host['uuid'], 'not-a-uuid')
        self.assertEqual('config_applied', error.field)

    def test_personality_change_is_a_new_target(self):
        worker = self.add_worker()
        agent = serve_agent(self, worker['uuid'])
        self.conductor.update_host(self.context, worker['uuid'],
                                   {'location': {'locn': 'rack 2'}})
        self.assertIsNone(dbapi.host_get(self.context,
                                         worker['id'])['config_target'])
        self.conductor.update_host(self.context, worker['uuid'],
                                   {'subfunctions': 'worker,lowlatency'})
        host = dbapi.host_get(self.context, worker['id'])
        self.assertEqual(states.CONFIG_STATUS_OUT_OF_DATE,
                         host['config_status'])
        [(_, config)] = agent.wait_for(1)
        self.assertEqual(('worker,lowlatency', host['config_target']),
                         (config['subfunctions'], config['config_uuid']))

    def test_capped_agent_client_cannot_send_1_0(self):
        self.config(sysinv_agent='0.9', group='upgrade_levels')
        self.assertRaises(messaging.RPCVersionCapError,
                          agent_rpcapi.AgentAPI().config_apply,
                          self.context, self.host['uuid'], {})
