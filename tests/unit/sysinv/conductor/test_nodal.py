"""update_cpu_functions and update_memory, called on a conductor and over
RPC. controller-0 holds the ``server`` fixture's inventory (two NUMA nodes,
8 cores × 2 threads and 65,536 MiB each).
"""

import oslo_messaging as messaging

from stx.common import exception
from stx.common import states
from stx.sysinv.conductor import rpcapi
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import inventory_api
from stx.sysinv import nodal
from tests.unit.sysinv import base as sysinv_base
from tests.unit.sysinv.conductor import test_inventory

PLATFORM_2 = [{'function': 'platform', 'sockets': [{'0': 2}]}]


class TestNodal(test_inventory.ConductorTestCase):

    def setUp(self):
        super().setUp()
        self.host = sysinv_base.lock(self.context, self.controller)
        sysinv_base.store_inventory(self.context, self.host)

    def functions(self):
        return [cpu['allocated_function']
                for cpu in inventory_api.cpu_list(self.context,
                                                  self.host['id'])]

    def memory(self, numa_node=0):
        return inventory_api.memory_list(self.context,
                                         self.host['id'])[numa_node]

    def test_platform_cores_and_their_threads(self):
        cpus = self.conductor.update_cpu_functions(
            self.context, self.host['uuid'], PLATFORM_2)
        self.assertEqual(
            [0, 1, 16, 17],
            [cpu['cpu'] for cpu in cpus
             if cpu['allocated_function'] == states.CPU_FUNCTION_PLATFORM])
        self.assertEqual({0}, {cpu['numa_node'] for cpu in cpus
                               if cpu['allocated_function'] ==
                               states.CPU_FUNCTION_PLATFORM})
        self.assertIsInstance(cpus[0]['created_at'], str)

    def test_refusals_store_nothing(self):
        before = self.functions()
        for functions, error, field in (
                ([{'function': 'platform', 'sockets': [{'0': 0}]}],
                 exception.InvalidParameterValue, 'platform'),
                ([{'function': 'shared', 'sockets': [{'0': 8}]}],
                 exception.InvalidParameterValue, 'processor 0'),
                ([{'function': 'shared', 'sockets': [{'5': 1}]}],
                 exception.InvalidParameterValue, 'processor 5'),
                ([{'function': 'nope', 'sockets': [{'0': 1}]}],
                 exception.InvalidParameterValue, 'function')):
            with self.subTest(functions=functions):
                raised = self.assertRaises(
                    error, self.conductor.update_cpu_functions, self.context,
                    self.host['uuid'], functions)
                self.assertEqual(field, raised.field)
        self.assertEqual(before, self.functions())

    def test_unlocked_host_refused(self):
        dbapi.host_update(self.context, self.host['id'],
                          {'administrative': states.UNLOCKED})
        before = self.functions()
        error = self.assertRaises(
            exception.HostNotLocked, self.conductor.update_cpu_functions,
            self.context, self.host['uuid'], PLATFORM_2)
        self.assertIn('lock it first', str(error))
        self.assertEqual(before, self.functions())
        self.assertRaises(exception.HostNotLocked,
                          self.conductor.update_memory, self.context,
                          self.memory()['uuid'], {nodal.HUGEPAGES_2M: 1})
        self.assertIsNone(self.memory()[nodal.HUGEPAGES_2M])

    def test_hugepages_that_fit_are_pending(self):
        memory = self.conductor.update_memory(
            self.context, self.memory()['uuid'],
            {nodal.HUGEPAGES_2M: 1024, nodal.HUGEPAGES_1G: 4})
        self.assertEqual((1024, 4), (memory[nodal.HUGEPAGES_2M],
                                     memory[nodal.HUGEPAGES_1G]))
        # The agent's next report keeps them, and the reservation.
        self.report(self.host, sysinv_base.collect('server'),
                    only='imemory_dict_array')
        self.assertEqual((1024, 4, 8000),
                         (self.memory()[nodal.HUGEPAGES_2M],
                          self.memory()[nodal.HUGEPAGES_1G],
                          self.memory()['platform_reserved_mib']))

    def test_hugepages_over_the_node_refused(self):
        error = self.assertRaises(
            exception.InvalidParameterValue, self.conductor.update_memory,
            self.context, self.memory()['uuid'], {nodal.HUGEPAGES_1G: 40000})
        self.assertEqual(nodal.HUGEPAGES_1G, error.field)
        self.assertIsNone(self.memory()[nodal.HUGEPAGES_1G])

    def test_reservation_is_filled_in_once_the_personality_is_known(self):
        worker = self.add_worker()
        dbapi.host_update(self.context, worker['id'], {'personality': None,
                                                       'hostname': None})
        server = sysinv_base.collect('server')
        self.report(worker, server)
        self.assertEqual([None, 1000], [
            row['platform_reserved_mib']
            for row in inventory_api.memory_list(self.context, worker['id'])])
        dbapi.host_update(self.context, worker['id'],
                          {'personality': states.WORKER,
                           'hostname': 'worker-0'})
        self.report(worker, server, only='imemory_dict_array')
        self.assertEqual([2000, 1000], [
            row['platform_reserved_mib']
            for row in inventory_api.memory_list(self.context, worker['id'])])


class TestNodalRPC(test_inventory.LockedControllerRPCTestCase):

    def test_calls_and_refusals_cross_rpc(self):
        cpus = self.api.update_cpu_functions(
            self.context, self.host['uuid'],
            [{'function': 'vswitch', 'sockets': [{'1': 1}]}])
        self.assertEqual([8, 24], [
            cpu['cpu'] for cpu in cpus
            if cpu['allocated_function'] == states.CPU_FUNCTION_VSWITCH])
        memory = inventory_api.memory_list(self.context, self.host['id'])[1]
        error = self.assertRaises(
            exception.InvalidParameterValue, self.api.update_memory,
            self.context, memory['uuid'], {nodal.HUGEPAGES_1G: 40000})
        self.assertEqual(nodal.HUGEPAGES_1G, error.field)

    def test_capped_client_cannot_call_1_2(self):
        self.config(sysinv_conductor='1.1', group='upgrade_levels')
        self.assertRaises(messaging.RPCVersionCapError,
                          rpcapi.ConductorAPI().update_cpu_functions,
                          self.context, self.host['uuid'], [])
