"""Nodal configuration through the API: host_cpus_modify, PATCH imemorys,
and unlock refused while something blocks it.

controller-0 holds the ``server`` fixture's inventory (two NUMA nodes of 8
cores × 2 threads, 65,536 MiB each) and is locked for these tests.
"""

from stx.common import states
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import inventory_api
from tests.unit import base
from tests.unit.sysinv import base as sysinv_base

HOST = 'controller-0'


class NodalApiTestCase(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        _system, controller = self.make_system()
        self.controller = dbapi.host_update(
            self.context, controller['id'],
            {'administrative': states.LOCKED})
        sysinv_base.store_inventory(self.context, self.controller)

    def cpus_modify(self, body, host=HOST, expect_errors=False):
        return self.app.put_json(
            '/v1/ihosts/%s/state/host_cpus_modify' % host, body,
            expect_errors=expect_errors)

    def functions(self):
        return {cpu['cpu']: cpu['allocated_function']
                for cpu in inventory_api.cpu_list(self.context,
                                                  self.controller['id'])}

    def memory(self, numa_node):
        return [row for row in inventory_api.memory_list(self.context,
                                                         self.controller['id'])
                if row['numa_node'] == numa_node][0]

    def memory_patch(self, numa_node, expect_errors=False, **fields):
        ops = [{'op': 'replace', 'path': '/' + name, 'value': value}
               for name, value in fields.items()]
        return self.app.patch_json(
            '/v1/imemorys/%s' % self.memory(numa_node)['uuid'], ops,
            expect_errors=expect_errors)

    def assertRefused(self, response, status, field, code=None):
        self.assertEqual(status, response.status_int, response.body)
        fault = self.error_of(response)
        self.assertEqual(field, fault['field'], fault)
        if code:
            self.assertEqual(code, fault['code'])
        return fault


class TestCpuModify(NodalApiTestCase):

    def test_two_platform_cores_on_node_0(self):
        response = self.cpus_modify(
            [{'function': 'platform', 'sockets': [{'0': 2}]}])
        cpus = response.json['icpus']
        self.assertEqual(32, len(cpus))
        platform = [(cpu['numa_node'], cpu['core'], cpu['thread'])
                    for cpu in cpus if cpu['allocated_function'] ==
                    states.CPU_FUNCTION_PLATFORM]
        # 2 cores × 2 threads, all on node 0.
        self.assertEqual([(0, 0, 0), (0, 1, 0), (0, 0, 1), (0, 1, 1)],
                         platform)
        self.assertEqual([0, 1, 16, 17], sorted(
            cpu for cpu, function in self.functions().items()
            if function == states.CPU_FUNCTION_PLATFORM))

    def test_one_vswitch_core_on_node_1(self):
        self.cpus_modify([{'function': 'vswitch', 'sockets': [{'1': 1}]}])
        functions = self.functions()
        self.assertEqual([8, 24], sorted(
            cpu for cpu, function in functions.items()
            if function == states.CPU_FUNCTION_VSWITCH))
        # The platform core of node 0 stays.
        self.assertEqual([0, 16], sorted(
            cpu for cpu, function in functions.items()
            if function == states.CPU_FUNCTION_PLATFORM))

    def test_refusals_name_the_field_and_store_nothing(self):
        before = self.functions()
        for body, status, field in (
                ([{'function': 'platform', 'sockets': [{'0': 0}]}], 400,
                 'platform'),
                ([{'function': 'platform', 'sockets': [{'0': 9}]}], 400,
                 'processor 0'),
                ([{'function': 'platform', 'sockets': [{'0': 4}]},
                  {'function': 'shared', 'sockets': [{'0': 5}]}], 400,
                 'processor 0'),
                ([{'function': 'vswitch', 'sockets': [{'3': 1}]}], 400,
                 'processor 3'),
                ([{'function': 'turbo', 'sockets': [{'0': 1}]}], 400,
                 'function'),
                ([{'function': 'platform', 'sockets': [{'0': -1}]}], 400,
                 'processor 0'),
                ([{'function': 'platform', 'sockets': [{'0': 'x'}]}], 400,
                 'processor 0'),
                ([{'function': 'platform', 'sockets': []}], 400, 'sockets'),
                ({'function': 'platform'}, 400, 'functions')):
            with self.subTest(body=body):
                fault = self.assertRefused(
                    self.cpus_modify(body, expect_errors=True), status, field)
                if field.startswith('processor 3'):
                    self.assertIn('has no processor (NUMA node) 3',
                                  fault['faultstring'])
        self.assertEqual(before, self.functions())

    def test_unlocked_host_refused_with_the_reason(self):
        dbapi.host_update(self.context, self.controller['id'],
                          {'administrative': states.UNLOCKED})
        before = self.functions()
        fault = self.assertRefused(
            self.cpus_modify([{'function': 'platform',
                               'sockets': [{'0': 2}]}], expect_errors=True),
            409, 'administrative', 'stx.host.not_locked')
        self.assertIn('it is unlocked', fault['faultstring'])
        self.assertIn('lock it first', fault['faultstring'])
        self.assertEqual(before, self.functions())

    def test_unknown_host_is_404(self):
        response = self.cpus_modify(
            [{'function': 'platform', 'sockets': [{'0': 1}]}],
            host='worker-9', expect_errors=True)
        self.assertEqual(404, response.status_int)


class TestMemoryModify(NodalApiTestCase):

    def test_platform_reservation_is_shown(self):
        rows = self.app.get('/v1/ihosts/%s/imemorys' % HOST).json['imemorys']
        self.assertEqual([8000, 1000],
                         [row['platform_reserved_mib'] for row in rows])

    def test_hugepages_that_fit_are_stored_as_pending(self):
        memory = self.memory_patch(
            0, vm_hugepages_nr_2M_pending='1024',
            vm_hugepages_nr_1G_pending=4).json
        self.assertEqual((1024, 4), (memory['vm_hugepages_nr_2M_pending'],
                                     memory['vm_hugepages_nr_1G_pending']))
        stored = self.memory(0)
        self.assertEqual((1024, 4), (stored['vm_hugepages_nr_2M_pending'],
                                     stored['vm_hugepages_nr_1G_pending']))

    def test_refusals_name_the_field_and_store_nothing(self):
        for fields, field in (
                ({'vm_hugepages_nr_1G_pending': 40000},
                 'vm_hugepages_nr_1G_pending'),
                ({'vm_hugepages_nr_2M_pending': -1},
                 'vm_hugepages_nr_2M_pending'),
                ({'vm_hugepages_nr_2M_pending': '1.5'},
                 'vm_hugepages_nr_2M_pending'),
                ({'vm_hugepages_nr_1G_pending': 'many'},
                 'vm_hugepages_nr_1G_pending'),
                ({'memtotal_mib': 1}, 'memtotal_mib'),
                ({'platform_reserved_mib': 1}, 'platform_reserved_mib')):
            with self.subTest(fields=fields):
                self.assertRefused(
                    self.memory_patch(0, expect_errors=True, **fields),
                    400, field)
        stored = self.memory(0)
        self.assertEqual((None, None), (stored['vm_hugepages_nr_2M_pending'],
                                        stored['vm_hugepages_nr_1G_pending']))

    def test_too_many_pages_say_what_is_left(self):
        fault = self.assertRefused(
            self.memory_patch(0, expect_errors=True,
                              vm_hugepages_nr_1G_pending=40000), 400,
            'vm_hugepages_nr_1G_pending')
        # 65,536 MiB less the controller's 8,000 MiB on node 0.
        self.assertIn('57536 MiB', fault['faultstring'])

    def test_unlocked_host_refused_with_the_reason(self):
        dbapi.host_update(self.context, self.controller['id'],
                          {'administrative': states.UNLOCKED})
        fault = self.assertRefused(
            self.memory_patch(0, expect_errors=True,
                              vm_hugepages_nr_2M_pending=10),
            409, 'administrative', 'stx.host.not_locked')
        self.assertIn('lock it first', fault['faultstring'])
        self.assertIsNone(self.memory(0)['vm_hugepages_nr_2M_pending'])

    def test_unknown_memory_is_404(self):
        response = self.app.patch_json(
            '/v1/imemorys/7a3c1d52-0000-4000-8000-000000000000',
            [{'op': 'replace', 'path': '/vm_hugepages_nr_2M_pending',
              'value': 1}], expect_errors=True)
        self.assertEqual(404, response.status_int)


class TestUnlock(NodalApiTestCase):

    def unlock(self, host=HOST):
        ops = [{'op': 'replace', 'path': '/action', 'value': 'unlock'}]
        return self.app.patch_json('/v1/ihosts/%s' % host, ops,
                                   expect_errors=True)

    def test_host_without_blockers_goes_to_maintenance(self):
        self.assertRefused(self.unlock(), 503, 'action',
                           'stx.mtce.unavailable')

    def test_blockers_are_listed_in_one_400(self):
        with_pages = dict(self.memory(1))
        inventory_api.memory_update(self.context, with_pages['uuid'],
                                    lambda host, memory: {
                                        'vm_hugepages_nr_1G_pending': 64})
        inventory_api.cpu_functions_update(
            self.context, self.controller['id'],
            lambda host, cpus: {cpu['cpu']: states.CPU_FUNCTION_APPLICATION
                                for cpu in cpus})
        fault = self.assertRefused(self.unlock(), 400, 'action',
                                   'stx.host.unlock_blocked')
        self.assertIn('no core is assigned to the platform',
                      fault['faultstring'])
        self.assertIn('processor 1', fault['faultstring'])

    def test_new_host_lists_every_blocker(self):
        worker = self.app.post_json('/v1/ihosts', {
            'hostname': 'worker-0', 'personality': 'worker',
            'mgmt_mac': '52:54:00:12:34:56'}).json
        fault = self.assertRefused(self.unlock(worker['uuid']), 400,
                                   'action', 'stx.host.unlock_blocked')
        self.assertIn('unprovisioned', fault['faultstring'])
        self.assertIn('no cpus', fault['faultstring'])
