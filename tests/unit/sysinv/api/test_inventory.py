"""The host inventory API: /v1/ihosts/<host>/<kind> and /v1/<kind>.

controller-0 holds the inventory of the ``server`` fixture (two NUMA
nodes); a worker added in some tests holds the ``edge`` fixture's.
"""

from tests.unit import base
from tests.unit.sysinv import base as sysinv_base

# Each kind: the server fixture's row count, the field rows are sorted by,
# the field naming the host, the NotFound code of an unknown uuid, and the
# fields StarlingX's clients read (besides uuid, timestamps and links).
KINDS = {
    'inodes': (2, 'numa_node', 'ihost_uuid', 'stx.node.not_found',
               ('numa_node', 'capabilities')),
    'icpus': (32, 'cpu', 'ihost_uuid', 'stx.cpu.not_found',
              ('cpu', 'core', 'thread', 'numa_node', 'cpu_family',
               'cpu_model', 'allocated_function', 'function',
               'capabilities', 'inode_uuid')),
    'imemorys': (2, 'numa_node', 'ihost_uuid', 'stx.memory.not_found',
                 ('numa_node', 'inode_uuid', 'memtotal_mib',
                  'memavail_mib', 'platform_reserved_mib',
                  'hugepages_configured', 'vswitch_hugepages_size_mib',
                  'vswitch_hugepages_nr', 'vswitch_hugepages_avail',
                  'vswitch_hugepages_reqd', 'vm_hugepages_nr_4K',
                  'vm_hugepages_nr_2M', 'vm_hugepages_avail_2M',
                  'vm_hugepages_nr_2M_pending', 'vm_hugepages_nr_1G',
                  'vm_hugepages_avail_1G', 'vm_hugepages_nr_1G_pending',
                  'vm_hugepages_use_1G', 'capabilities')),
    'idisks': (3, 'device_node', 'ihost_uuid', 'stx.disk.not_found',
               ('device_node', 'device_num', 'device_type', 'device_path',
                'device_id', 'device_wwn', 'size_mib', 'available_mib',
                'serial_id', 'rpm', 'capabilities')),
    'ports': (4, 'name', 'host_uuid', 'stx.port.not_found',
              ('name', 'type', 'pciaddr', 'dev_id', 'numa_node',
               'dpdksupport', 'pdevice', 'pvendor', 'pclass', 'driver',
               'mac', 'mtu', 'speed', 'sriov_totalvfs', 'sriov_numvfs',
               'sriov_vfs_pci_address', 'node_uuid', 'capabilities')),
    'ethernet_ports': (4, 'name', 'host_uuid', 'stx.port.not_found',
                       ('name', 'mac', 'pciaddr', 'numa_node', 'autoneg',
                        'pdevice', 'bootp', 'mtu', 'speed', 'link_mode',
                        'node_uuid')),
    'pci_devices': (2, 'pciaddr', 'host_uuid', 'stx.pci_device.not_found',
                    ('name', 'pciaddr', 'pclass_id', 'pvendor_id',
                     'pdevice_id', 'pclass', 'pvendor', 'pdevice',
                     'numa_node', 'enabled', 'sriov_totalvfs',
                     'sriov_numvfs', 'driver', 'extra_info')),
}

# Integer keys StarlingX's API never shows.
HIDDEN = ('id', 'forihostid', 'forinodeid', 'host_id', 'node_id')

UNKNOWN_UUID = '7a3c1d52-0000-4000-8000-000000000000'


class InventoryApiTestCase(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        _system, self.controller = self.make_system()
        sysinv_base.store_inventory(self.context, self.controller)

    def rows(self, kind, host='controller-0'):
        return self.app.get('/v1/ihosts/%s/%s' % (host, kind)).json[kind]

    def add_edge_worker(self):
        worker = self.app.post_json('/v1/ihosts', {
            'hostname': 'worker-0', 'personality': 'worker',
            'mgmt_mac': '52:54:00:12:34:56'}).json
        sysinv_base.store_inventory(self.context, worker, 'edge')
        return worker

    def assertNotFound(self, path, code, names):
        response = self.app.get(path, expect_errors=True)
        self.assertEqual(404, response.status_int, response.body)
        fault = self.error_of(response)
        self.assertEqual(code, fault['code'])
        self.assertIn(names, fault['faultstring'])
        return fault


class TestHostInventory(InventoryApiTestCase):

    def test_each_kind_wrapped_sorted_and_complete(self):
        for kind, (count, order, host_field, _code, fields) in KINDS.items():
            rows = self.rows(kind)
            self.assertEqual(count, len(rows), kind)
            keys = [row[order] for row in rows]
            self.assertEqual(sorted(keys), keys, kind)
            for row in rows:
                for field in fields + ('uuid', 'created_at', 'updated_at',
                                       'links', host_field):
                    self.assertIn(field, row, kind)
                for field in HIDDEN:
                    self.assertNotIn(field, row, kind)
                self.assertEqual(self.controller['uuid'], row[host_field])
                self.assertTrue(row['created_at'].endswith('+00:00'))
                self.assertEqual(
                    ['http://localhost/v1/%s/%s' % (kind, row['uuid']),
                     'http://localhost/%s/%s' % (kind, row['uuid'])],
                    [link['href'] for link in row['links']])

    def test_host_named_by_hostname_id_or_uuid(self):
        for kind in KINDS:
            by_name = self.rows(kind)
            for ident in (self.controller['id'], self.controller['uuid']):
                self.assertEqual(by_name, self.rows(kind, ident), kind)

    def test_unknown_host_is_404_naming_it(self):
        for kind in KINDS:
            for ident in ('worker-9', '99', UNKNOWN_UUID):
                self.assertNotFound('/v1/ihosts/%s/%s' % (ident, kind),
                                    'stx.host.not_found',
                                    'Host %s could not' % ident)

    def test_memory_and_cpus_name_their_node_as_starlingx_reads_it(self):
        nodes = {node['uuid']: node['numa_node']
                 for node in self.rows('inodes')}
        self.assertEqual([0, 1], sorted(nodes.values()))
        for kind in ('imemorys', 'icpus'):
            for row in self.rows(kind):
                self.assertEqual(nodes[row['inode_uuid']], row['numa_node'])
        memory = self.rows('imemorys')
        self.assertEqual([65536, 65536],
                         [row['memtotal_mib'] for row in memory])
        self.assertEqual([1024, 1024],
                         [row['vm_hugepages_nr_2M'] for row in memory])
        for port in self.rows('ports'):
            self.assertEqual(nodes[port['node_uuid']], port['numa_node'])

    def test_cpus_carry_their_function_twice(self):
        cpus = self.rows('icpus')
        self.assertEqual(list(range(32)), [cpu['cpu'] for cpu in cpus])
        platform = [cpu['cpu'] for cpu in cpus
                    if cpu['allocated_function'] == 'Platform']
        self.assertEqual([0, 16], platform)
        for cpu in cpus:
            self.assertEqual(cpu['allocated_function'], cpu['function'])
        self.assertEqual(1, cpus[8]['numa_node'])

    def test_ports_and_devices(self):
        eno1 = self.rows('ports')[0]
        self.assertEqual(('eno1', '0000:18:00.0', 'ethernet', 0),
                         (eno1['name'], eno1['pciaddr'], eno1['type'],
                          eno1['numa_node']))
        self.assertEqual([port['uuid'] for port in self.rows('ports')],
                         [port['uuid']
                          for port in self.rows('ethernet_ports')])
        devices = {device['pdevice_id']: device
                   for device in self.rows('pci_devices')}
        self.assertEqual({'37c8', '1eb1'}, set(devices))
        self.assertEqual('10de', devices['1eb1']['pvendor_id'])
        self.assertTrue(devices['37c8']['enabled'])

    def test_host_without_inventory_has_empty_collections(self):
        worker = self.app.post_json('/v1/ihosts', {
            'hostname': 'worker-1', 'personality': 'worker',
            'mgmt_mac': '52:54:00:12:34:57'}).json
        for kind in KINDS:
            self.assertEqual([], self.rows(kind, worker['uuid']), kind)

    def test_one_row_under_its_host_only(self):
        worker = self.add_edge_worker()
        for kind in KINDS:
            row = self.rows(kind)[0]
            self.assertEqual(row, self.app.get('/v1/ihosts/controller-0/'
                                               '%s/%s' % (kind, row['uuid'])
                                               ).json)
            path = '/v1/ihosts/%s/%s/%s' % (worker['hostname'], kind,
                                            row['uuid'])
            self.assertNotFound(path, 'stx.not_found', row['uuid'])

    def test_collection_without_host_or_with_extra_segments_is_404(self):
        for path in ('/v1/ihosts/icpus', '/v1/ihosts/1/icpus/a/b',
                     '/v1/icpus/%s/extra' % self.rows('icpus')[0]['uuid'],
                     '/v1/ihosts/1/nothing'):
            self.assertNotFound(path, 'stx.not_found', 'not be found')


class TestTopLevelInventory(InventoryApiTestCase):

    def test_one_row_by_uuid_is_its_list_entry(self):
        for kind in KINDS:
            row = self.rows(kind)[-1]
            self.assertEqual(row, self.app.get('/v1/%s/%s'
                                               % (kind, row['uuid'])).json)

    def test_unknown_uuid_is_404_naming_it(self):
        for kind, (_count, _order, _host, code, _fields) in KINDS.items():
            self.assertNotFound('/v1/%s/%s' % (kind, UNKNOWN_UUID), code,
                                UNKNOWN_UUID)

    def test_collections_hold_every_host_or_one(self):
        worker = self.add_edge_worker()
        edge = dict(zip(KINDS, (1, 4, 1, 1, 2, 2, 0)))
        for kind, (count, _order, host_field, _code, _f) in KINDS.items():
            rows = self.app.get('/v1/%s' % kind).json[kind]
            self.assertEqual(count + edge[kind], len(rows), kind)
            # By host, in the order hosts were added.
            self.assertEqual([self.controller['uuid']] * count +
                             [worker['uuid']] * edge[kind],
                             [row[host_field] for row in rows])
            for host, expected in ((worker, edge[kind]),
                                   (self.controller, count)):
                rows = self.app.get('/v1/%s?host_uuid=%s'
                                    % (kind, host['uuid'])).json[kind]
                self.assertEqual(expected, len(rows), kind)
            self.assertNotFound('/v1/%s?host_uuid=%s' % (kind, UNKNOWN_UUID),
                                'stx.host.not_found', UNKNOWN_UUID)

    def test_unknown_or_repeated_parameters_are_400(self):
        for path, field in (('/v1/icpus?colour=red', 'colour'),
                            ('/v1/ihosts/1?ident=2', 'ident')):
            response = self.app.get(path, expect_errors=True)
            self.assertEqual(400, response.status_int)
            self.assertEqual(field, self.error_of(response)['field'])

    def test_v1_document_links_every_kind(self):
        v1 = self.app.get('/v1').json
        for kind in KINDS:
            self.assertEqual('http://localhost/v1/%s' % kind,
                             v1[kind][0]['href'])
