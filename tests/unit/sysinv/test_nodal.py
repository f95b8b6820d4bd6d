"""The rules of stx.sysinv.nodal, on plain rows."""

from oslo_config import fixture as config_fixture
import testtools

from stx.common import exception
from stx.common import states
from stx.conf import CONF
from stx.sysinv import nodal

PLATFORM = states.CPU_FUNCTION_PLATFORM
APPLICATION = states.CPU_FUNCTION_APPLICATION
HOST = {'hostname': 'worker-0', 'uuid': 'u', 'personality': states.WORKER}


def _cpus(nodes=2, cores=8, threads=2):
    """Rows numbered as Linux does: threads 0 first, then threads 1."""
    cpus = []
    for thread in range(threads):
        for node in range(nodes):
            for core in range(cores):
                cpus.append({'cpu': len(cpus), 'numa_node': node,
                             'core': core, 'thread': thread,
                             'allocated_function': (
                                 PLATFORM if (node, core) == (0, 0)
                                 else APPLICATION)})
    return cpus


def _memory(**values):
    row = {'numa_node': 0, 'memtotal_mib': 16384, 'node_memtotal_mib': 16384,
           'platform_reserved_mib': 2000, 'vswitch_hugepages_reqd': None,
           'vswitch_hugepages_nr': 0, 'vswitch_hugepages_size_mib': 1024,
           'vm_hugepages_nr_2M': 0, 'vm_hugepages_nr_1G': 0,
           'vm_hugepages_nr_2M_pending': None,
           'vm_hugepages_nr_1G_pending': None}
    row.update(values)
    return row


class TestParseCpuFunctions(testtools.TestCase):

    def test_starlingx_body(self):
        self.assertEqual(
            {PLATFORM: {0: 2, 1: 0}, states.CPU_FUNCTION_VSWITCH: {1: 1}},
            nodal.parse_cpu_functions([
                {'function': 'Platform', 'sockets': [{'0': 2}, {'1': '0'}]},
                {'function': 'vswitch', 'sockets': [{'1': 1}]}]))

    def test_refusals_name_the_field(self):
        for body, field in (
                ([], 'functions'),
                ([{'function': 'application', 'sockets': [{'0': 1}]}],
                 'function'),
                ([{'function': 'shared', 'sockets': [{'0': 1}]},
                  {'function': 'shared', 'sockets': [{'1': 1}]}],
                 'function'),
                ([{'function': 'shared', 'sockets': [{'0': 1}, {'0': 2}]}],
                 'processor 0'),
                ([{'function': 'shared', 'sockets': [{'x': 1}]}], 'sockets'),
                ([{'function': 'shared', 'sockets': [{'1': True}]}],
                 'processor 1'),
                ([{'function': 'shared'}], 'sockets')):
            with self.subTest(body=body):
                error = self.assertRaises(exception.Invalid,
                                          nodal.parse_cpu_functions, body)
                self.assertEqual(field, error.field)


class TestAssignCpuFunctions(testtools.TestCase):

    def assign(self, body, cpus=None):
        return nodal.assign_cpu_functions(
            HOST, cpus or _cpus(), nodal.parse_cpu_functions(body))

    def test_hyperthreads_share_their_core_function(self):
        functions = self.assign([
            {'function': 'platform', 'sockets': [{'0': 2}]},
            {'function': 'shared', 'sockets': [{'0': 1}]},
            {'function': 'application-isolated', 'sockets': [{'1': 2}]}])
        cpus = _cpus()
        for cpu in cpus:
            sibling = [other for other in cpus
                       if (other['numa_node'], other['core']) ==
                       (cpu['numa_node'], cpu['core'])]
            self.assertEqual({functions[cpu['cpu']]},
                             {functions[other['cpu']] for other in sibling})
        self.assertEqual(
            {(0, 0): PLATFORM, (0, 1): PLATFORM,
             (0, 2): states.CPU_FUNCTION_SHARED, (0, 3): APPLICATION,
             (1, 0): states.CPU_FUNCTION_APPLICATION_ISOLATED,
             (1, 1): states.CPU_FUNCTION_APPLICATION_ISOLATED,
             (1, 2): APPLICATION},
            {(cpu['numa_node'], cpu['core']): functions[cpu['cpu']]
             for cpu in cpus if cpu['core'] < 4 and cpu['thread'] == 0
             and (cpu['numa_node'], cpu['core']) != (1, 3)})

    def test_unnamed_nodes_keep_their_cores(self):
        functions = self.assign([{'function': 'vswitch',
                                  'sockets': [{'1': 1}]}])
        self.assertEqual(PLATFORM, functions[0])
        self.assertEqual(states.CPU_FUNCTION_VSWITCH, functions[8])

    def test_every_core_of_a_node_may_be_assigned(self):
        functions = self.assign([{'function': 'platform',
                                  'sockets': [{'0': 8}]}])
        self.assertEqual(16, sum(1 for f in functions.values()
                                 if f == PLATFORM))

    def test_refusals(self):
        for body, field, words in (
                ([{'function': 'platform', 'sockets': [{'0': 0}]}],
                 'platform', 'at least one platform core'),
                ([{'function': 'platform', 'sockets': [{'0': 5}]},
                  {'function': 'vswitch', 'sockets': [{'0': 4}]}],
                 'processor 0', 'has only 8'),
                ([{'function': 'shared', 'sockets': [{'2': 1}]}],
                 'processor 2', 'no processor (NUMA node) 2')):
            with self.subTest(body=body):
                error = self.assertRaises(exception.InvalidParameterValue,
                                          self.assign, body)
                self.assertEqual(field, error.field)
                self.assertIn(words, str(error))


class TestHugepages(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(config_fixture.Config(CONF))

    def test_pages_that_fit(self):
        # 16,384 - 2,000 = 14,384 MiB: 14 × 1 GiB + 24 × 2 MiB.
        self.assertEqual(
            {nodal.HUGEPAGES_1G: 14, nodal.HUGEPAGES_2M: 24},
            nodal.check_hugepages(HOST, _memory(), {
                nodal.HUGEPAGES_1G: '14', nodal.HUGEPAGES_2M: 24}))

    def test_node_smaller_than_its_reservation_without_pages_is_fine(self):
        small = _memory(node_memtotal_mib=5722, platform_reserved_mib=8000)
        self.assertIsNone(nodal.hugepages_problem(HOST, small))
        error = self.assertRaises(
            exception.InvalidParameterValue, nodal.check_hugepages, HOST,
            small, {nodal.HUGEPAGES_2M: 1})
        self.assertIn('exceed', str(error))

    def test_vswitch_pages_count(self):
        error = self.assertRaises(
            exception.InvalidParameterValue, nodal.check_hugepages, HOST,
            _memory(vswitch_hugepages_nr=1), {nodal.HUGEPAGES_1G: 14,
                                              nodal.HUGEPAGES_2M: 24})
        self.assertEqual(nodal.HUGEPAGES_1G, error.field)
        self.assertIn('1024 MiB vswitch', str(error))

    def test_stored_pending_counts_are_kept(self):
        memory = _memory(vm_hugepages_nr_1G_pending=14)
        error = self.assertRaises(exception.InvalidParameterValue,
                                  nodal.check_hugepages, HOST, memory,
                                  {nodal.HUGEPAGES_2M: 25})
        self.assertEqual(nodal.HUGEPAGES_2M, error.field)

    def test_bad_counts(self):
        for value in (-1, '-1', 1.5, '1.5', 'x', None, True, '²'):
            with self.subTest(value=value):
                error = self.assertRaises(
                    exception.InvalidParameterValue, nodal.check_hugepages,
                    HOST, _memory(), {nodal.HUGEPAGES_2M: value})
                self.assertEqual(nodal.HUGEPAGES_2M, error.field)
        error = self.assertRaises(exception.UnknownField,
                                  nodal.check_hugepages, HOST, _memory(),
                                  {'memtotal_mib': 1})
        self.assertEqual('memtotal_mib', error.field)

    def test_default_reservations(self):
        controller = dict(HOST, personality=states.CONTROLLER)
        self.assertEqual(8000, nodal.default_platform_reserved_mib(
            controller, 0))
        self.assertEqual(2000, nodal.default_platform_reserved_mib(HOST, 0))
        self.assertEqual(1000, nodal.default_platform_reserved_mib(HOST, 1))
        self.assertIsNone(nodal.default_platform_reserved_mib(
            dict(HOST, personality=None), 0))
