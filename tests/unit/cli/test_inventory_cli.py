"""The ``stx host-<inventory>`` commands, run through ``main(argv)``.

They run against a real sysinv API whose controller-0 holds the inventory of
the ``server`` fixture (tests/fixtures/inventory).
"""

import json

import fixtures

from stx.cli import inventory
from stx.common import states
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import inventory_api
from tests.unit.cli import test_cli
from tests.unit import fixtures as stx_fixtures
from tests.unit.sysinv import base as sysinv_base

HOST = 'controller-0'


def _header(out):
    """The labels of a cliff table's header row."""
    return [label.strip() for label in out.splitlines()[1].split('|')[1:-1]]


class InventoryCliTestCase(test_cli.CliTestCase):
    """A sysinv API whose controller-0 holds the ``server`` inventory."""

    def setUp(self):
        super().setUp()
        server = self.useFixture(stx_fixtures.SysinvServer())
        self.useFixture(fixtures.EnvironmentVariable('STX_URL', server.url))
        self.context = server.context
        self.controller = dbapi.host_get(self.context, HOST)
        sysinv_base.store_inventory(self.context, self.controller)

    def json_of(self, *argv):
        status, out, err = self.stx(*(argv + ('--format', 'json')))
        self.assertEqual(0, status, err)
        return json.loads(out)

    def table_of(self, *argv):
        status, out, err = self.stx(*argv)
        self.assertEqual(0, status, err)
        return out

    def assertColumns(self, columns, *argv):
        expected = [column[0] for column in columns]
        self.assertEqual(expected, _header(self.table_of(*argv)))
        rows = self.json_of(*argv)
        for row in rows:
            self.assertEqual(expected, list(row))
        return rows


class TestInventoryCommands(InventoryCliTestCase):

    def test_cpu_list(self):
        self.assertEqual(
            ['uuid', 'log_core', 'processor', 'phy_core', 'thread',
             'processor_model', 'assigned_function'],
            [column[0] for column in inventory.CPU_COLUMNS])
        cpus = self.assertColumns(inventory.CPU_COLUMNS, 'host-cpu-list',
                                  HOST)
        self.assertEqual(list(range(32)), [cpu['log_core'] for cpu in cpus])
        self.assertEqual([0, 16], [cpu['log_core'] for cpu in cpus
                                   if cpu['assigned_function'] == 'Platform'])
        self.assertEqual(1, cpus[8]['processor'])
        self.assertEqual((0, 1), (cpus[16]['phy_core'], cpus[16]['thread']))
        self.assertIn('Xeon(R) Gold 6134', cpus[0]['processor_model'])
        # By id and uuid too.
        self.assertEqual(cpus, self.json_of('host-cpu-list', '1'))
        self.assertEqual(cpus, self.json_of('host-cpu-list',
                                            self.controller['uuid']))

    def test_cpu_function_starlingx_does_not_know(self):
        self.assertEqual('Platform', inventory.cpu_function('Platform'))
        self.assertEqual('None', inventory.cpu_function('None'))
        self.assertEqual('unknown(Turbo)', inventory.cpu_function('Turbo'))
        self.assertEqual('unknown(None)', inventory.cpu_function(None))

    def test_cpu_show_by_log_core_or_uuid(self):
        cpu = self.json_of('host-cpu-show', HOST, '8')
        self.assertEqual([field[0] for field in inventory.CPU_FIELDS],
                         list(cpu))
        self.assertEqual((8, 1, 'Application'),
                         (cpu['logical_core'], cpu['processor'],
                          cpu['assigned_function']))
        self.assertEqual(self.controller['uuid'], cpu['ihost_uuid'])
        self.assertEqual(cpu, self.json_of('host-cpu-show', HOST,
                                           cpu['uuid']))
        err = self.assertOneLineError(self.stx('host-cpu-show', HOST, '99'))
        self.assertIn('CPU logical core not found', err)
        self.assertIn('99', err)

    def test_memory_list(self):
        memory = self.assertColumns(inventory.MEMORY_COLUMNS,
                                    'host-memory-list', HOST)
        self.assertEqual([0, 1], [row['processor'] for row in memory])
        self.assertEqual([65536, 65536],
                         [row['mem_total(MiB)'] for row in memory])
        self.assertEqual([1024, 1024],
                         [row['app_hp_total_2M'] for row in memory])
        self.assertEqual([54784, 56832],
                         [row['mem_avail(MiB)'] for row in memory])
        out = self.table_of('host-memory-list', HOST)
        self.assertIn('65536', out)
        self.assertIn('1024', out)

    def test_memory_show_by_processor(self):
        memory = self.json_of('host-memory-show', HOST, '1')
        self.assertEqual([field[0] for field in inventory.MEMORY_FIELDS],
                         list(memory))
        self.assertEqual((1, 56832, 4),
                         (memory['numa_node'], memory['memavail_mib'],
                          memory['vm_hugepages_avail_1G']))
        for processor in ('2', 'x'):
            err = self.assertOneLineError(self.stx('host-memory-show', HOST,
                                                   processor))
            self.assertIn(processor, err)

    def test_node_list(self):
        nodes = self.assertColumns(inventory.NODE_COLUMNS, 'host-node-list',
                                   HOST)
        self.assertEqual([0, 1], [node['numa_node'] for node in nodes])

    def test_disk_list_and_show_in_gib(self):
        disks = self.assertColumns(inventory.DISK_COLUMNS, 'host-disk-list',
                                   HOST)
        self.assertEqual(['/dev/nvme0n1', '/dev/sda', '/dev/sdb'],
                         [disk['device_node'] for disk in disks])
        # 457862 MiB, rounded down to three decimals.
        self.assertEqual(447.13, disks[1]['size_gib'])
        self.assertEqual(1863.016, disks[2]['available_gib'])
        disk = self.json_of('host-disk-show', HOST, '/dev/sdb')
        self.assertEqual([field[0] for field in inventory.DISK_FIELDS],
                         list(disk))
        self.assertEqual(('HDD', 'ZC200001', 1863.016),
                         (disk['device_type'], disk['serial_id'],
                          disk['size_gib']))
        self.assertEqual(disk, self.json_of('host-disk-show', HOST,
                                            disk['uuid']))
        err = self.assertOneLineError(self.stx('host-disk-show', HOST,
                                               '/dev/sdz'))
        self.assertIn('/dev/sdz', err)

    def test_gib_rounds_down(self):
        self.assertEqual(0.999, inventory.gib(1023))
        self.assertIsNone(inventory.gib(None))

    def test_port_list_and_show(self):
        self.assertEqual(
            ['uuid', 'name', 'type', 'pci address', 'device', 'processor',
             'accelerated', 'device type'],
            [column[0] for column in inventory.PORT_COLUMNS])
        ports = self.assertColumns(inventory.PORT_COLUMNS, 'host-port-list',
                                   HOST)
        self.assertEqual(['eno1', 'eno2', 'enp59s0f0', 'enp59s0f1'],
                         [port['name'] for port in ports])
        self.assertEqual(('0000:18:00.0', 'ethernet', 0, False),
                         (ports[0]['pci address'], ports[0]['type'],
                          ports[0]['processor'], ports[0]['accelerated']))
        self.assertEqual(1, ports[2]['processor'])
        port = self.json_of('host-port-show', HOST, 'eno1')
        self.assertEqual([field[0] for field in inventory.PORT_FIELDS],
                         list(port))
        self.assertEqual(('i40e', 8), (port['driver'], port['sriov_numvfs']))
        self.assertEqual(port, self.json_of('host-port-show', HOST,
                                            ports[0]['uuid']))
        err = self.assertOneLineError(self.stx('host-port-show', HOST,
                                               'eth9'))
        self.assertIn('Port not found', err)

    def test_ethernet_port_list(self):
        ports = self.assertColumns(inventory.ETHERNET_PORT_COLUMNS,
                                   'host-ethernet-port-list', HOST)
        self.assertEqual(('eno1', '3c:fd:fe:a0:00:01', '0000:18:00.0'),
                         (ports[0]['name'], ports[0]['mac address'],
                          ports[0]['pci address']))
        self.assertEqual(4, len(ports))

    def test_device_list_and_show(self):
        devices = self.assertColumns(inventory.DEVICE_COLUMNS,
                                     'host-device-list', HOST)
        self.assertEqual(['0000:3d:00.0', '0000:af:00.0'],
                         [device['address'] for device in devices])
        qat, gpu = devices
        self.assertEqual(('8086', '37c8', 'Co-processor', 0),
                         (qat['vendor id'], qat['device id'],
                          qat['class name'], qat['numa_node']))
        self.assertEqual(('10de', '1eb1', 'NVIDIA Corporation', 1),
                         (gpu['vendor id'], gpu['device id'],
                          gpu['vendor name'], gpu['numa_node']))
        out = self.table_of('host-device-list', HOST)
        self.assertIn('37c8', out)
        self.assertIn('VGA compatible controller', out)
        for ident in ('pci_0000_af_00_0', '0000:af:00.0'):
            device = self.json_of('host-device-show', HOST, ident)
            self.assertEqual([field[0] for field in inventory.DEVICE_FIELDS],
                             list(device))
            self.assertEqual('1eb1', device['device id'])
        err = self.assertOneLineError(self.stx('host-device-show', HOST,
                                               '0000:00:00.0'))
        self.assertIn('PCI device not found', err)

    def test_device_list_hides_disabled_devices_unless_all(self):
        records = [dict(record, enabled=record['pdevice_id'] != '1eb1')
                   for record in sysinv_base.collect('server')[
                       'pci_device_dict_array']]
        inventory_api.pci_device_sync_by_host(
            self.context, self.controller['id'], records)
        self.assertEqual(['0000:3d:00.0'],
                         [device['address'] for device in
                          self.json_of('host-device-list', HOST)])
        self.assertEqual(2, len(self.json_of('host-device-list', HOST,
                                             '--all')))

    def test_unknown_host_is_one_line_error(self):
        for command in ('host-cpu-list', 'host-memory-list',
                        'host-node-list', 'host-disk-list', 'host-port-list',
                        'host-ethernet-port-list', 'host-device-list'):
            err = self.assertOneLineError(self.stx(command, 'worker-9'))
            self.assertEqual('Error: Host worker-9 could not be found.', err)
        for command, item in (('host-cpu-show', '0'),
                              ('host-memory-show', '0'),
                              ('host-disk-show', '/dev/sda'),
                              ('host-port-show', 'eno1'),
                              ('host-device-show', '0000:af:00.0')):
            err = self.assertOneLineError(self.stx(command, 'worker-9', item))
            self.assertEqual('Error: Host worker-9 could not be found.', err)

    def test_host_without_inventory_lists_nothing(self):
        self.json_of('host-add', '-n', 'worker-0', '-p', 'worker',
                     '-m', '52:54:00:12:34:56')
        for command in ('host-cpu-list', 'host-memory-list',
                        'host-node-list', 'host-disk-list', 'host-port-list',
                        'host-ethernet-port-list', 'host-device-list'):
            self.assertEqual([], self.json_of(command, 'worker-0'))


class TestNodalCommands(InventoryCliTestCase):
    """host-cpu-modify and host-memory-modify; controller-0 locked."""

    def setUp(self):
        super().setUp()
        self.controller = dbapi.host_update(
            self.context, self.controller['id'],
            {'administrative': states.LOCKED})

    def test_cpu_modify_prints_the_cpus(self):
        cpus = self.json_of('host-cpu-modify', HOST, '-f', 'platform',
                            '-p0', '2')
        self.assertEqual([column[0] for column in inventory.CPU_COLUMNS],
                         list(cpus[0]))
        self.assertEqual([0, 1, 16, 17],
                         [cpu['log_core'] for cpu in cpus
                          if cpu['assigned_function'] == 'Platform'])
        cpus = self.json_of('host-cpu-modify', HOST, '-f', 'vswitch',
                            '-p1', '1')
        self.assertEqual([8, 24], [cpu['log_core'] for cpu in cpus
                                   if cpu['assigned_function'] == 'Vswitch'])
        out = self.table_of('host-cpu-modify', HOST, '--function', 'shared',
                            '-p0', '1', '-p1', '1')
        self.assertIn('Shared', out)

    def test_cpu_modify_refusals_are_one_line(self):
        for argv, words in (
                (('-f', 'platform', '-p0', '0'), 'platform'),
                (('-f', 'shared', '-p3', '1'), 'processor 3'),
                (('-f', 'shared', '-p0', '9'), 'processor 0'),
                (('-f', 'shared', '-p0', 'x'), 'processor 0'),
                (('-f', 'turbo', '-p0', '1'), 'function'),
                (('-f', 'shared'), 'at least one processor')):
            with self.subTest(argv=argv):
                err = self.assertOneLineError(
                    self.stx('host-cpu-modify', HOST, *argv))
                self.assertIn(words, err)
        dbapi.host_update(self.context, self.controller['id'],
                          {'administrative': states.UNLOCKED})
        err = self.assertOneLineError(self.stx(
            'host-cpu-modify', HOST, '-f', 'platform', '-p0', '2'))
        self.assertIn('lock it first', err)

    def test_memory_modify_prints_the_processor(self):
        memory = self.json_of('host-memory-modify', HOST, '0', '-2M', '1024',
                              '-1G', '4')
        self.assertEqual([field[0] for field in inventory.MEMORY_FIELDS],
                         list(memory))
        self.assertEqual((0, 1024, 4, 8000),
                         (memory['numa_node'],
                          memory['vm_hugepages_nr_2M_pending'],
                          memory['vm_hugepages_nr_1G_pending'],
                          memory['platform_reserved_mib']))
        rows = self.json_of('host-memory-list', HOST)
        self.assertEqual([1024, None],
                         [row['app_hp_pending_2M'] for row in rows])

    def test_memory_modify_refusals_are_one_line(self):
        for argv, words in (
                (('0', '-1G', '40000'), 'vm_hugepages_nr_1G_pending'),
                (('0', '-2M', '-5'), 'vm_hugepages_nr_2M_pending'),
                (('0', '-2M', 'many'), 'vm_hugepages_nr_2M_pending'),
                (('7', '-2M', '1'), 'Processor not found'),
                (('0',), '-2M')):
            with self.subTest(argv=argv):
                err = self.assertOneLineError(
                    self.stx('host-memory-modify', HOST, *argv))
                self.assertIn(words, err)
        dbapi.host_update(self.context, self.controller['id'],
                          {'administrative': states.UNLOCKED})
        err = self.assertOneLineError(self.stx(
            'host-memory-modify', HOST, '0', '-2M', '1'))
        self.assertIn('lock it first', err)
