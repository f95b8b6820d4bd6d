"""The CPU, NUMA-node and memory collectors of stx-agent.

They read the synthesized trees of tests/fixtures/inventory (``server``: two
sockets of eight hyper-threaded cores; ``edge``: one socket of four cores),
a broken tree written here, and the machine the tests run on.
"""

import collections
import os

import fixtures
import testtools

from stx.sysinv.agent import inventory
from stx.sysinv.agent.inventory import cpu
from stx.sysinv.agent.inventory import memory

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', '..',
                        'fixtures', 'inventory')


def fixture_roots(name):
    root = os.path.join(FIXTURES, name)
    return inventory.Roots(proc=os.path.join(root, 'proc'),
                           sys=os.path.join(root, 'sys'),
                           dev=os.path.join(root, 'dev'))


class TestServerCpus(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.cpus = cpu.cpus(fixture_roots('server'))

    def test_every_logical_cpu_is_reported_in_order(self):
        self.assertEqual(list(range(32)), [c['cpu'] for c in self.cpus])

    def test_two_numa_nodes_of_sixteen_cpus(self):
        self.assertEqual([{'numa_node': 0, 'capabilities': {}},
                          {'numa_node': 1, 'capabilities': {}}],
                         cpu.numa_nodes(fixture_roots('server')))
        per_node = collections.Counter(c['numa_node'] for c in self.cpus)
        self.assertEqual({0: 16, 1: 16}, per_node)

    def test_sixteen_cores_of_two_threads(self):
        threads = collections.Counter((c['numa_node'], c['core'])
                                      for c in self.cpus)
        self.assertEqual(16, len(threads))
        self.assertEqual({2}, set(threads.values()))
        self.assertEqual(set(range(8)), {c['core'] for c in self.cpus})

    def test_cpu_and_cpu_plus_16_are_threads_of_one_core(self):
        by_cpu = {c['cpu']: c for c in self.cpus}
        for first in range(16):
            second = first + 16
            self.assertEqual(0, by_cpu[first]['thread'])
            self.assertEqual(1, by_cpu[second]['thread'])
            self.assertEqual(
                (by_cpu[first]['numa_node'], by_cpu[first]['core']),
                (by_cpu[second]['numa_node'], by_cpu[second]['core']))

    def test_record_of_cpu_21(self):
        self.assertEqual({'cpu': 21, 'numa_node': 0, 'core': 5, 'thread': 1,
                          'cpu_family': '6',
                          'cpu_model':
                              'Intel(R) Xeon(R) Gold 6134 CPU @ 3.20GHz',
                          'capabilities': {}},
                         self.cpus[21])

    def test_cpus_8_to_15_are_on_the_second_node(self):
        self.assertEqual([1] * 8, [c['numa_node'] for c in self.cpus[8:16]])
        self.assertEqual(list(range(8)), [c['core'] for c in self.cpus[8:16]])


class TestServerMemory(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.nodes = memory.memory(fixture_roots('server'))

    def test_one_record_per_node_of_64_gib(self):
        self.assertEqual([0, 1], [n['numa_node'] for n in self.nodes])
        for node in self.nodes:
            self.assertEqual(65536, node['memtotal_mib'])
            self.assertEqual(65536, node['node_memtotal_mib'])

    def test_huge_pages_configured_and_free(self):
        self.assertEqual(
            [(True, 1024, 960, 4, 2, True), (True, 1024, 1024, 4, 4, True)],
            [(n['hugepages_configured'],
              n['vm_hugepages_nr_2M'], n['vm_hugepages_avail_2M'],
              n['vm_hugepages_nr_1G'], n['vm_hugepages_avail_1G'],
              n['vm_hugepages_use_1G']) for n in self.nodes])

    def test_possible_pages_fill_the_node(self):
        for node in self.nodes:
            self.assertEqual(32768, node['vm_hugepages_possible_2M'])
            self.assertEqual(64, node['vm_hugepages_possible_1G'])

    def test_available_is_free_plus_file_pages_plus_reclaimable_slab(self):
        # node0: 50176 free + 4096 file pages + 512 reclaimable slab (MiB).
        self.assertEqual([54784, 56832],
                         [n['memavail_mib'] for n in self.nodes])


class TestEdge(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.roots = fixture_roots('edge')

    def test_four_single_thread_cores_on_one_node(self):
        cpus = cpu.cpus(self.roots)
        self.assertEqual([(n, 0, n, 0) for n in range(4)],
                         [(c['cpu'], c['numa_node'], c['core'], c['thread'])
                          for c in cpus])
        self.assertEqual({'Intel(R) Atom(TM) CPU C3558 @ 2.20GHz'},
                         {c['cpu_model'] for c in cpus})
        self.assertEqual([{'numa_node': 0, 'capabilities': {}}],
                         cpu.numa_nodes(self.roots))

    def test_one_node_of_16_gib_without_huge_pages(self):
        self.assertEqual([{
            'numa_node': 0,
            'memtotal_mib': 16384,
            'memavail_mib': 12288 + 2048 + 256,
            'node_memtotal_mib': 16384,
            'hugepages_configured': False,
            'vm_hugepages_nr_2M': 0,
            'vm_hugepages_nr_1G': 0,
            'vm_hugepages_avail_2M': 0,
            'vm_hugepages_avail_1G': 0,
            'vm_hugepages_possible_2M': 8192,
            'vm_hugepages_possible_1G': 16,
            'vm_hugepages_use_1G': True,
        }], memory.memory(self.roots))


class TestBrokenTree(testtools.TestCase):
    """Missing and garbled files are skipped or defaulted, never raised."""

    def setUp(self):
        super().setUp()
        root = self.useFixture(fixtures.TempDir()).path
        self.roots = inventory.Roots(proc=os.path.join(root, 'proc'),
                                     sys=os.path.join(root, 'sys'),
                                     dev=os.path.join(root, 'dev'))

    def write(self, path, text):
        path = os.path.join(os.path.dirname(self.roots.sys), path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as out:
            out.write(text)

    def test_empty_tree_is_one_node_without_cpus_or_memory(self):
        self.assertEqual([], cpu.cpus(self.roots))
        self.assertEqual([{'numa_node': 0, 'capabilities': {}}],
                         cpu.numa_nodes(self.roots))
        [node] = memory.memory(self.roots)
        self.assertEqual((0, 0, 0, False, False),
                         (node['numa_node'], node['memtotal_mib'],
                          node['vm_hugepages_possible_2M'],
                          node['hugepages_configured'],
                          node['vm_hugepages_use_1G']))

    def test_cpu_without_topology_is_a_core_of_its_own(self):
        self.write('sys/devices/system/cpu/online', 'garbage\n')
        self.write('sys/devices/system/cpu/cpu0/topology/core_id', '0\n')
        self.write('sys/devices/system/cpu/cpu0/topology/'
                   'thread_siblings_list', 'zero\n')
        self.write('sys/devices/system/cpu/cpu1/topology/core_id', '\n')
        self.write('sys/devices/system/cpu/cpu2/online', '0\n')
        self.write('proc/cpuinfo', 'processor\t: x\nmodel name\t: ?\n\n'
                                   'processor\t: 1\ncpu family\t: 6\n')
        self.assertEqual(
            [{'cpu': 0, 'numa_node': 0, 'core': 0, 'thread': 0,
              'cpu_family': None, 'cpu_model': None, 'capabilities': {}},
             {'cpu': 1, 'numa_node': 0, 'core': 1, 'thread': 0,
              'cpu_family': '6', 'cpu_model': None, 'capabilities': {}}],
            cpu.cpus(self.roots))

    def test_garbled_meminfo_and_hugepages_count_as_zero(self):
        node = 'sys/devices/system/node/node0/'
        self.write(node + 'meminfo',
                   'Node 0 MemTotal:       8388608 kB\n'
                   'Node 0 MemFree:        lots kB\n'
                   'no colon here\n'
                   ':\n'
                   'Node 0 FilePages:\n')
        self.write(node + 'hugepages/hugepages-2048kB/nr_hugepages', 'x\n')
        [record] = memory.memory(self.roots)
        self.assertEqual(8192, record['memtotal_mib'])
        self.assertEqual(0, record['memavail_mib'])
        self.assertEqual(0, record['vm_hugepages_nr_2M'])
        self.assertFalse(record['hugepages_configured'])
        self.assertFalse(record['vm_hugepages_use_1G'])

    def test_host_without_node_directories_reads_proc_meminfo(self):
        self.write('proc/meminfo', 'MemTotal:  4194304 kB\n'
                                   'MemFree:   1048576 kB\n')
        self.write('sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages',
                   '16\n')
        [record] = memory.memory(self.roots)
        self.assertEqual((0, 4096, 1024, 16, True),
                         (record['numa_node'], record['memtotal_mib'],
                          record['memavail_mib'],
                          record['vm_hugepages_nr_2M'],
                          record['hugepages_configured']))


@testtools.skipUnless(os.path.isdir('/sys/devices/system/cpu'),
                      'needs a Linux /sys')
class TestThisMachine(testtools.TestCase):

    def test_every_online_cpu_and_some_memory_per_node(self):
        cpus = cpu.cpus(inventory.HOST)
        self.assertEqual(os.cpu_count(), len(cpus))
        node_numbers = {n['numa_node'] for n in cpu.numa_nodes(inventory.HOST)}
        self.assertEqual(set(), {c['numa_node'] for c in cpus} - node_numbers)
        nodes = memory.memory(inventory.HOST)
        self.assertTrue(nodes)
        for node in nodes:
            self.assertGreater(node['memtotal_mib'], 0)
