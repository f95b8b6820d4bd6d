"""The disk, Ethernet-port and PCI-device collectors of stx-agent.

They read the synthesized trees of tests/fixtures/inventory (described in
its README.rst), broken trees written here, and the machine the tests run
on.
"""

import os

import fixtures
import testtools

from stx.sysinv.agent import inventory
from stx.sysinv.agent.inventory import disk
from stx.sysinv.agent.inventory import pci

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', '..',
                        'fixtures', 'inventory')
ENO1_VFS = ','.join('0000:18:02.%d' % vf for vf in range(8))
PORT_FIELDS = {
    'name', 'pciaddr', 'pclass', 'pvendor', 'pdevice', 'pclass_id',
    'pvendor_id', 'pdevice_id', 'prevision', 'psvendor', 'psdevice',
    'numa_node', 'sriov_totalvfs', 'sriov_numvfs', 'sriov_vfs_pci_address',
    'sriov_vf_driver', 'sriov_vf_pdevice_id', 'driver', 'mac', 'mtu',
    'speed', 'link_mode', 'dev_id', 'dpdksupport'}
DEVICE_FIELDS = {
    'name', 'pciaddr', 'pclass_id', 'pvendor_id', 'pdevice_id', 'pclass',
    'pvendor', 'pdevice', 'prevision', 'psvendor', 'psdevice', 'numa_node',
    'sriov_totalvfs', 'sriov_numvfs', 'sriov_vfs_pci_address',
    'sriov_vf_driver', 'sriov_vf_pdevice_id', 'driver', 'enabled',
    'extra_info'}
DISK_FIELDS = {
    'device_node', 'device_num', 'device_type', 'device_path', 'device_id',
    'device_wwn', 'size_mib', 'available_mib', 'serial_id', 'rpm',
    'capabilities'}


def fixture_roots(name):
    root = os.path.join(FIXTURES, name)
    return inventory.Roots(proc=os.path.join(root, 'proc'),
                           sys=os.path.join(root, 'sys'),
                           dev=os.path.join(root, 'dev'))


class TestServerPorts(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.ports = {p['name']: p for p in pci.ports(fixture_roots('server'))}

    def test_four_ethernet_ports_and_no_virtual_interface(self):
        self.assertEqual(['eno1', 'eno2', 'enp59s0f0', 'enp59s0f1'],
                         sorted(self.ports))
        for port in self.ports.values():
            self.assertEqual(PORT_FIELDS, set(port))

    def test_two_ports_are_sriov_capable_with_64_vfs(self):
        capable = {name for name, port in self.ports.items()
                   if port['sriov_totalvfs']}
        self.assertEqual({'eno1', 'eno2'}, capable)
        self.assertEqual(64, self.ports['eno1']['sriov_totalvfs'])
        self.assertEqual(64, self.ports['eno2']['sriov_totalvfs'])
        self.assertIsNone(self.ports['enp59s0f0']['sriov_totalvfs'])

    def test_eno1_has_eight_vfs_with_their_addresses(self):
        eno1 = self.ports['eno1']
        self.assertEqual(8, eno1['sriov_numvfs'])
        self.assertEqual(ENO1_VFS, eno1['sriov_vfs_pci_address'])
        self.assertEqual('iavf', eno1['sriov_vf_driver'])
        self.assertEqual('154c', eno1['sriov_vf_pdevice_id'])

    def test_eno2_has_no_vf_enabled(self):
        eno2 = self.ports['eno2']
        self.assertEqual(0, eno2['sriov_numvfs'])
        self.assertEqual('', eno2['sriov_vfs_pci_address'])
        self.assertIsNone(eno2['sriov_vf_driver'])
        self.assertIsNone(eno2['sriov_vf_pdevice_id'])

    def test_eno1_record(self):
        self.assertEqual({
            'name': 'eno1', 'pciaddr': '0000:18:00.0',
            'pclass_id': '020000', 'pvendor_id': '8086',
            'pdevice_id': '1572',
            'pclass': 'Ethernet controller [0200]',
            'pvendor': 'Intel Corporation [8086]',
            'pdevice': 'Device [1572]', 'prevision': '-r01',
            'psvendor': 'Intel Corporation [8086]',
            'psdevice': 'Device [0008]', 'numa_node': 0,
            'sriov_totalvfs': 64, 'sriov_numvfs': 8,
            'sriov_vfs_pci_address': ENO1_VFS, 'sriov_vf_driver': 'iavf',
            'sriov_vf_pdevice_id': '154c', 'driver': 'i40e',
            'mac': '3c:fd:fe:a0:00:01', 'mtu': 9000, 'speed': 10000,
            'link_mode': 0, 'dev_id': 0, 'dpdksupport': False,
        }, self.ports['eno1'])

    def test_link_down_has_no_speed(self):
        self.assertIsNone(self.ports['eno2']['speed'])
        self.assertEqual(1000, self.ports['enp59s0f0']['speed'])

    def test_ports_on_the_second_numa_node(self):
        self.assertEqual({'eno1': 0, 'eno2': 0, 'enp59s0f0': 1,
                          'enp59s0f1': 1},
                         {n: p['numa_node'] for n, p in self.ports.items()})

    def test_zero_revision_is_stored_as_starlingx_does(self):
        port = self.ports['enp59s0f0']
        self.assertEqual('0', port['prevision'])
        self.assertEqual('Broadcom Inc. and subsidiaries [14e4]',
                         port['pvendor'])
        self.assertEqual('Dell [1028]', port['psvendor'])
        self.assertEqual('tg3', port['driver'])


class TestServerPciDevices(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.devices = pci.pci_devices(fixture_roots('server'))

    def test_gpu_and_qat_only(self):
        self.assertEqual(['0000:3d:00.0', '0000:af:00.0'],
                         [d['pciaddr'] for d in self.devices])
        for device in self.devices:
            self.assertEqual(DEVICE_FIELDS, set(device))

    def test_qat_accelerator(self):
        self.assertEqual({
            'name': 'pci_0000_3d_00_0', 'pciaddr': '0000:3d:00.0',
            'pclass_id': '0b4000', 'pvendor_id': '8086',
            'pdevice_id': '37c8', 'pclass': 'Co-processor',
            'pvendor': 'Intel Corporation', 'pdevice': 'Device 37c8',
            'prevision': '-r04', 'psvendor': 'Intel Corporation',
            'psdevice': 'Device 0000', 'numa_node': 0,
            'sriov_totalvfs': 16, 'sriov_numvfs': 0,
            'sriov_vfs_pci_address': '', 'sriov_vf_driver': None,
            'sriov_vf_pdevice_id': None, 'driver': 'c6xx',
            'enabled': True, 'extra_info': None,
        }, self.devices[0])

    def test_gpu(self):
        gpu = self.devices[1]
        self.assertEqual('pci_0000_af_00_0', gpu['name'])
        self.assertEqual(('030000', '10de', '1eb1'),
                         (gpu['pclass_id'], gpu['pvendor_id'],
                          gpu['pdevice_id']))
        self.assertEqual('VGA compatible controller', gpu['pclass'])
        self.assertEqual('NVIDIA Corporation', gpu['pvendor'])
        self.assertEqual('Device 1eb1', gpu['pdevice'])
        self.assertEqual('-ra1', gpu['prevision'])
        self.assertEqual(1, gpu['numa_node'])
        self.assertEqual('nvidia', gpu['driver'])
        self.assertTrue(gpu['enabled'])


class TestServerDisks(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.disks = {d['device_node']: d
                      for d in disk.disks(fixture_roots('server'))}

    def test_three_disks_and_no_partition_loop_dm_or_optical(self):
        self.assertEqual(['/dev/nvme0n1', '/dev/sda', '/dev/sdb'],
                         sorted(self.disks))
        for record in self.disks.values():
            self.assertEqual(DISK_FIELDS, set(record))

    def test_two_solid_state_disks_and_one_hdd(self):
        self.assertEqual({'/dev/sda': ('SSD', 'N/A'),
                          '/dev/nvme0n1': ('NVME', 'N/A'),
                          '/dev/sdb': ('HDD', 'Undetermined')},
                         {n: (d['device_type'], d['rpm'])
                          for n, d in self.disks.items()})

    def test_sizes_in_mib(self):
        self.assertEqual({'/dev/sda': 457862, '/dev/sdb': 1907729,
                          '/dev/nvme0n1': 915715},
                         {n: d['size_mib'] for n, d in self.disks.items()})
        for record in self.disks.values():
            self.assertEqual(record['size_mib'], record['available_mib'])

    def test_by_path_is_udevs_id_path(self):
        self.assertEqual(
            {'/dev/sda': '/dev/disk/by-path/pci-0000:00:17.0-ata-1.0',
             '/dev/sdb': '/dev/disk/by-path/pci-0000:00:17.0-ata-2.0',
             '/dev/nvme0n1': '/dev/disk/by-path/pci-0000:5e:00.0-nvme-1'},
            {n: d['device_path'] for n, d in self.disks.items()})

    def test_sata_ssd_record(self):
        sda = self.disks['/dev/sda']
        self.assertEqual(2048, sda['device_num'])
        self.assertEqual('ata-INTEL_SSDSC2KB480G8_PHYF000000480BGN',
                         sda['device_id'])
        self.assertEqual('wwn-0x55cd2e4150000001', sda['device_wwn'])
        self.assertEqual('PHYF000000480BGN', sda['serial_id'])
        self.assertEqual('INTEL SSDSC2KB48',
                         sda['capabilities']['model_num'])

    def test_nvme_record(self):
        nvme = self.disks['/dev/nvme0n1']
        self.assertEqual(os.makedev(259, 0), nvme['device_num'])
        self.assertEqual('nvme-SAMSUNG_MZQLB960HAJR-00007_S437NA0M000001',
                         nvme['device_id'])
        self.assertEqual('eui.0025388b91b2c3d4', nvme['device_wwn'])
        self.assertEqual('S437NA0M000001', nvme['serial_id'])
        self.assertEqual('SAMSUNG MZQLB960HAJR-00007',
                         nvme['capabilities']['model_num'])


class TestEdge(testtools.TestCase):

    def test_two_ports_without_sriov(self):
        ports = pci.ports(fixture_roots('edge'))
        self.assertEqual(['enp1s0', 'enp2s0'], [p['name'] for p in ports])
        for port in ports:
            self.assertIsNone(port['sriov_totalvfs'])
            self.assertEqual(0, port['sriov_numvfs'])
            self.assertEqual('igb', port['driver'])
            # The kernel says -1 on a single-node host.
            self.assertEqual(0, port['numa_node'])

    def test_one_disk(self):
        disks = disk.disks(fixture_roots('edge'))
        self.assertEqual(1, len(disks))
        self.assertEqual(('/dev/sda', 'SSD', 228936,
                          '/dev/disk/by-path/pci-0000:00:17.0-ata-1.0'),
                         (disks[0]['device_node'], disks[0]['device_type'],
                          disks[0]['size_mib'], disks[0]['device_path']))

    def test_no_gpu_or_accelerator(self):
        self.assertEqual([], pci.pci_devices(fixture_roots('edge')))


class BrokenTreeBase(testtools.TestCase):
    """A scratch ``Roots`` to write partial or malformed trees into."""

    def setUp(self):
        super().setUp()
        top = self.useFixture(fixtures.TempDir()).path
        self.roots = inventory.Roots(*(os.path.join(top, part)
                                       for part in ('proc', 'sys', 'dev')))

    def write(self, path, text=''):
        path = os.path.join(os.path.dirname(self.roots.sys), path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as file:
            file.write(text)

    def link(self, path, target):
        path = os.path.join(os.path.dirname(self.roots.sys), path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(target, path)


class TestBrokenTrees(BrokenTreeBase):

    def test_empty_tree_gives_empty_lists(self):
        self.assertEqual([], disk.disks(self.roots))
        self.assertEqual([], pci.ports(self.roots))
        self.assertEqual([], pci.pci_devices(self.roots))

    def test_disk_with_garbage_gives_defaults(self):
        self.write('sys/block/sda/dev', 'eight:zero')
        self.write('sys/block/sda/size', 'lots')
        self.write('sys/block/sda/queue/rotational', 'maybe')
        self.link('dev/disk/by-path/pci-0000:00:17.0-ata-1', '../../sdb')
        self.write('dev/disk/by-id/not-a-link')
        self.assertEqual([{
            'device_node': '/dev/sda', 'device_num': None,
            'device_type': None, 'device_path': None, 'device_id': None,
            'device_wwn': None, 'size_mib': 0, 'available_mib': 0,
            'serial_id': None, 'rpm': 'Undetermined',
            'capabilities': {'model_num': 'Unknown'},
        }], disk.disks(self.roots))

    def test_disk_with_no_file_at_all_is_still_reported(self):
        self.write('sys/block/vda/.keep')
        self.assertEqual(['/dev/vda'],
                         [d['device_node'] for d in disk.disks(self.roots)])

    def test_root_disk_is_marked_rootfs(self):
        self.write('proc/cmdline', 'BOOT_IMAGE=/vmlinuz root=UUID=1234 ro')
        self.write('sys/block/nvme0n1/size', '2048')
        self.write('sys/block/nvme1n1/size', '2048')
        self.link('dev/disk/by-uuid/1234', '../../nvme1n1p2')
        functions = {d['device_node']: d['capabilities'].get('stor_function')
                     for d in disk.disks(self.roots)}
        self.assertEqual({'/dev/nvme0n1': None, '/dev/nvme1n1': 'rootfs'},
                         functions)

    def test_root_given_by_name(self):
        self.write('proc/cmdline', 'root=/dev/sdb3')
        self.write('sys/block/sdb/size', '2048')
        self.assertEqual('rootfs',
                         disk.disks(self.roots)[0]['capabilities']
                         ['stor_function'])

    def test_unresolvable_root_marks_no_disk(self):
        self.write('proc/cmdline', 'root=UUID=missing')
        self.write('sys/block/sda/size', '2048')
        self.assertNotIn('stor_function',
                         disk.disks(self.roots)[0]['capabilities'])

    def pci_function(self, address, **files):
        for name, text in files.items():
            self.write('sys/devices/pci0000:00/%s/%s' % (address, name),
                       text)
        self.link('sys/bus/pci/devices/' + address,
                  '../../../devices/pci0000:00/' + address)

    def netdev(self, name, function=None, **files):
        files.setdefault('type', '1')
        where = ('devices/pci0000:00/%s/net/%s' % (function, name)
                 if function else 'devices/virtual/net/' + name)
        for file_name, text in files.items():
            self.write('sys/%s/%s' % (where, file_name), text)
        if function:
            self.link('sys/%s/device' % where, '../../../' + function)
        self.link('sys/class/net/' + name, '../../' + where)

    def test_port_with_garbage_gives_defaults(self):
        self.pci_function('0000:01:00.0', vendor='intel', numa_node='x',
                          sriov_numvfs='?', revision='')
        self.netdev('eth0', '0000:01:00.0', address='not-a-mac',
                    mtu='big', speed='-1', dev_port='two', link_mode='')
        self.assertEqual([{
            'name': 'eth0', 'pciaddr': '0000:01:00.0', 'pclass_id': None,
            'pvendor_id': None, 'pdevice_id': None, 'pclass': None,
            'pvendor': None, 'pdevice': None, 'prevision': None,
            'psvendor': None, 'psdevice': None, 'numa_node': 0,
            'sriov_totalvfs': None, 'sriov_numvfs': 0,
            'sriov_vfs_pci_address': '', 'sriov_vf_driver': None,
            'sriov_vf_pdevice_id': None, 'driver': None, 'mac': None,
            'mtu': None, 'speed': None, 'link_mode': None, 'dev_id': 0,
            'dpdksupport': False,
        }], pci.ports(self.roots))

    def test_unknown_ids_are_named_as_lspci_does(self):
        self.pci_function('0000:01:00.0', **{
            'class': '0x028000', 'vendor': '0x1d0f', 'device': '0xec20',
            'subsystem_vendor': '0x1d0f', 'subsystem_device': '0xec20'})
        self.netdev('eth0', '0000:01:00.0', dev_id='0x1')
        port = pci.ports(self.roots)[0]
        self.assertEqual(('Network controller [0280]', 'Vendor [1d0f]',
                          'Device [ec20]', 'Unknown vendor [1d0f]'),
                         (port['pclass'], port['pvendor'], port['pdevice'],
                          port['psvendor']))
        self.assertEqual(1, port['dev_id'])

    def test_virtual_interfaces_and_vfs_are_not_ports(self):
        self.pci_function('0000:01:00.0', sriov_totalvfs='4',
                          sriov_numvfs='1')
        self.pci_function('0000:01:10.0')
        self.link('sys/devices/pci0000:00/0000:01:00.0/virtfn0',
                  '../0000:01:10.0')
        self.link('sys/devices/pci0000:00/0000:01:10.0/physfn',
                  '../0000:01:00.0')
        self.netdev('pf0', '0000:01:00.0')
        self.netdev('vf0', '0000:01:10.0')
        self.netdev('lo', type='772')
        self.netdev('br0')
        self.netdev('pf0.10')
        self.write('sys/class/net/bonding_masters', 'bond0')
        self.netdev('ib0', '0000:01:00.0', type='32')
        self.assertEqual(['pf0'], [p['name'] for p in pci.ports(self.roots)])
        self.assertEqual('0000:01:10.0',
                         pci.ports(self.roots)[0]['sriov_vfs_pci_address'])

    def test_virtio_nic_is_found_through_its_virtio_device(self):
        self.pci_function('0000:00:03.0', vendor='0x1af4', device='0x1041')
        self.write('sys/devices/pci0000:00/0000:00:03.0/virtio2/'
                   'net/eth0/type', '1')
        self.link('sys/devices/pci0000:00/0000:00:03.0/virtio2/'
                  'net/eth0/device', '../../../virtio2')
        self.link('sys/class/net/eth0',
                  '../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0')
        port = pci.ports(self.roots)[0]
        self.assertEqual(('eth0', '0000:00:03.0', 'Red Hat, Inc. [1af4]'),
                         (port['name'], port['pciaddr'], port['pvendor']))

    def test_bonded_port_reports_its_own_mac(self):
        self.pci_function('0000:01:00.0')
        self.pci_function('0000:01:00.1')
        self.netdev('eth0', '0000:01:00.0', address='AA:00:00:00:00:01')
        self.netdev('eth1', '0000:01:00.1', address='aa:00:00:00:00:01')
        self.netdev('bond0')
        for port in ('eth0', 'eth1'):
            self.link('sys/devices/pci0000:00/0000:01:00.%s/net/%s/master'
                      % (port[-1], port),
                      '../../../../virtual/net/bond0')
        self.write('proc/net/bonding/bond0', (
            'Bonding Mode: IEEE 802.3ad Dynamic link aggregation\n\n'
            'Slave Interface: eth0\nMII Status: up\n'
            'Permanent HW addr: aa:00:00:00:00:01\n\n'
            'Slave Interface: eth1\nMII Status: up\n'
            'Permanent HW addr: AA:00:00:00:00:02\n'))
        self.assertEqual(['aa:00:00:00:00:01', 'aa:00:00:00:00:02'],
                         [p['mac'] for p in pci.ports(self.roots)])

    def test_device_classes_of_interest_only(self):
        classes = {'0000:00:00.0': '0x060000', '0000:00:02.0': '0x030000',
                   '0000:00:03.0': '0x020000', '0000:00:04.0': '0x120000',
                   '0000:00:05.0': '0x108000', '0000:00:06.0': 'garbage'}
        for address, class_code in classes.items():
            self.pci_function(address, **{'class': class_code})
        self.assertEqual(['pci_0000_00_02_0', 'pci_0000_00_04_0',
                          'pci_0000_00_05_0'],
                         [d['name'] for d in pci.pci_devices(self.roots)])


class TestThisMachine(testtools.TestCase):
    """The collectors run on the real /sys and /dev without raising."""

    def assertListOfRecords(self, records, fields):
        self.assertIsInstance(records, list)
        for record in records:
            self.assertIsInstance(record, dict)
            self.assertEqual(fields, set(record))

    def test_disks(self):
        self.assertListOfRecords(disk.disks(inventory.HOST), DISK_FIELDS)

    def test_ports(self):
        self.assertListOfRecords(pci.ports(inventory.HOST), PORT_FIELDS)

    def test_pci_devices(self):
        self.assertListOfRecords(pci.pci_devices(inventory.HOST),
                                 DEVICE_FIELDS)
