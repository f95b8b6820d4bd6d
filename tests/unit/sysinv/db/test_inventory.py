"""The inventory part of sysinv's database API (stx.sysinv.db.api)."""

from concurrent import futures
import os

from oslo_utils import uuidutils

from stx.common import exception
from stx.common import states
from stx.sysinv.db import api as db_api
from stx.sysinv.db import DB
from stx.sysinv.db import inventory_api
from tests.unit import base

NODES = [{'numa_node': 0, 'capabilities': {}},
         {'numa_node': 1, 'capabilities': {}}]


def cpus(count=4, nodes=2):
    """``count`` cpus spread over ``nodes`` NUMA nodes, a core each."""
    per_node = count // nodes
    return [{'cpu': n, 'numa_node': n // per_node, 'core': n % per_node,
             'thread': 0, 'cpu_model': 'model', 'allocated_function':
             states.CPU_FUNCTION_APPLICATION} for n in range(count)]


class InventoryDbTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.host = self.create_host(0)

    def create_host(self, number):
        return db_api.host_create(self.context, {
            'hostname': 'worker-%d' % number, 'personality': states.WORKER,
            'mgmt_mac': '08:00:27:00:01:%02x' % number})


class TestSync(InventoryDbTestCase):

    def test_counts_of_what_changed(self):
        host_id = self.host['id']
        self.assertEqual({'created': 2, 'updated': 0, 'deleted': 0,
                          'unchanged': 0},
                         inventory_api.node_sync_by_host(self.context, host_id,
                                                         NODES))
        self.assertEqual({'created': 4, 'updated': 0, 'deleted': 0,
                          'unchanged': 0},
                         inventory_api.cpu_sync_by_host(self.context, host_id,
                                                        cpus()))
        changed = cpus()[:3]
        changed[0]['cpu_model'] = 'other'
        self.assertEqual({'created': 0, 'updated': 1, 'deleted': 1,
                          'unchanged': 2},
                         inventory_api.cpu_sync_by_host(self.context, host_id,
                                                        changed))

    def test_failure_midway_stores_nothing(self):
        inventory_api.node_sync_by_host(self.context, self.host['id'],
                                        NODES[:1])
        # The first two cpus would be inserted before the third fails.
        error = self.assertRaises(
            exception.InventoryReportInvalid, inventory_api.cpu_sync_by_host,
            self.context, self.host['id'], cpus())
        self.assertEqual('numa_node', error.field)
        self.assertEqual([], inventory_api.cpu_list(self.context,
                                                    self.host['id']))

    def test_repeated_key_stores_nothing(self):
        disks = [{'device_node': '/dev/sda', 'size_mib': 1},
                 {'device_node': '/dev/sdb', 'size_mib': 2},
                 {'device_node': '/dev/sda', 'size_mib': 3}]
        self.assertRaises(exception.Conflict, inventory_api.disk_sync_by_host,
                          self.context, self.host['id'], disks)
        self.assertEqual([], inventory_api.disk_list(self.context))

    def test_unknown_host(self):
        self.assertRaises(exception.HostNotFound,
                          inventory_api.node_sync_by_host, self.context, 999,
                          NODES)

    def test_capabilities_default_to_an_empty_dict(self):
        inventory_api.disk_sync_by_host(self.context, self.host['id'],
                                        [{'device_node': '/dev/sda'}])
        self.assertEqual({}, inventory_api.disk_list(self.context)[0][
            'capabilities'])

    def test_removed_node_takes_its_cpus_and_memory_and_frees_ports(self):
        host_id = self.host['id']
        inventory_api.node_sync_by_host(self.context, host_id, NODES)
        inventory_api.cpu_sync_by_host(self.context, host_id, cpus())
        inventory_api.memory_sync_by_host(self.context, host_id, [
            {'numa_node': 0, 'memtotal_mib': 1024, 'memavail_mib': 512},
            {'numa_node': 1, 'memtotal_mib': 1024, 'memavail_mib': 512}])
        inventory_api.port_sync_by_host(self.context, host_id, [
            {'name': 'eth0', 'numa_node': 1, 'type': 'ethernet'},
            {'name': 'eth1', 'numa_node': 7, 'type': 'ethernet'}])
        node_1 = inventory_api.node_list(self.context, host_id)[1]['uuid']
        self.assertEqual([node_1, None],
                         [p['node_uuid'] for p in
                          inventory_api.port_list(self.context, host_id)])

        inventory_api.node_sync_by_host(self.context, host_id, NODES[:1])
        self.assertEqual([0, 0], [
            c['numa_node']
            for c in inventory_api.cpu_list(self.context, host_id)])
        self.assertEqual([0], [
            m['numa_node']
            for m in inventory_api.memory_list(self.context, host_id)])
        port = inventory_api.port_list(self.context, host_id)[0]
        self.assertEqual((None, None, 1),
                         (port['node_id'], port['node_uuid'],
                          port['numa_node']))


class TestReaders(InventoryDbTestCase):

    def test_list_of_every_host_is_by_host_then_key(self):
        other = self.create_host(1)
        for host in (other, self.host):
            inventory_api.disk_sync_by_host(self.context, host['id'], [
                {'device_node': '/dev/sdb'}, {'device_node': '/dev/sda'}])
        self.assertEqual(
            [(self.host['uuid'], '/dev/sda'), (self.host['uuid'], '/dev/sdb'),
             (other['uuid'], '/dev/sda'), (other['uuid'], '/dev/sdb')],
            [(d['host_uuid'], d['device_node'])
             for d in inventory_api.disk_list(self.context)])
        self.assertEqual(2, len(inventory_api.disk_list(self.context,
                                                        other['id'])))

    def test_get_by_uuid(self):
        inventory_api.node_sync_by_host(self.context, self.host['id'], NODES)
        inventory_api.cpu_sync_by_host(self.context, self.host['id'], cpus())
        row = inventory_api.cpu_list(self.context)[2]
        self.assertEqual(row, inventory_api.cpu_get(self.context, row['uuid']))
        self.assertEqual(1, row['numa_node'])

    def test_get_unknown_uuid_names_the_kind_and_uuid(self):
        missing = uuidutils.generate_uuid()
        for get, error_class, noun in (
                (inventory_api.node_get, exception.NodeNotFound, 'NUMA node'),
                (inventory_api.cpu_get, exception.CPUNotFound, 'CPU'),
                (inventory_api.memory_get, exception.MemoryNotFound, 'Memory'),
                (inventory_api.disk_get, exception.DiskNotFound, 'Disk'),
                (inventory_api.port_get, exception.PortNotFound, 'Port'),
                (inventory_api.pci_device_get, exception.PCIDeviceNotFound,
                 'PCI device')):
            with self.subTest(kind=noun):
                error = self.assertRaises(error_class, get, self.context,
                                          missing)
                self.assertEqual('%s %s could not be found.'
                                 % (noun, missing), str(error))

    def test_hosts_by_mgmt_macs_in_the_order_asked(self):
        other = self.create_host(1)
        hosts = db_api.host_list_by_mgmt_macs(
            self.context, [other['mgmt_mac'], '08:00:27:00:09:09',
                           self.host['mgmt_mac']])
        self.assertEqual([other['uuid'], self.host['uuid']],
                         [h['uuid'] for h in hosts])
        self.assertNotIn('bm_password', hosts[0])


class TestConcurrentSyncOnSQLiteFile(base.TestCase):
    """Reports of many hosts at once, on a SQLite file as stx-aio keeps it.

    The in-memory database of the other tests has one connection; a file
    has one per thread, and SQLite one writer at a time.
    """

    def setUp(self):
        super().setUp()
        self.conf.config(group='database', connection='sqlite:///%s'
                         % os.path.join(self.state_dir, 'sysinv.sqlite'))
        DB.reset()
        DB.create_schema()
        self.hosts = [db_api.host_create(self.context, {
            'hostname': 'worker-%d' % n, 'personality': states.WORKER,
            'mgmt_mac': '08:00:27:00:02:%02x' % n}) for n in range(8)]

    def test_every_report_is_stored(self):
        def report(host):
            for _ in range(5):
                inventory_api.node_sync_by_host(self.context, host['id'],
                                                NODES)
                inventory_api.cpu_sync_by_host(self.context, host['id'],
                                               cpus())
                inventory_api.cpu_sync_by_host(self.context, host['id'],
                                               cpus()[:2])

        with futures.ThreadPoolExecutor(len(self.hosts)) as pool:
            for result in [pool.submit(report, host)
                           for host in self.hosts]:
                result.result()
        self.assertEqual(2 * len(self.hosts),
                         len(inventory_api.cpu_list(self.context)))
