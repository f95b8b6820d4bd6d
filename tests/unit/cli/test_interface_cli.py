"""``stx host-if-*`` and ``interface-network-*`` against a real sysinv API
whose controller-0 holds the ``server`` inventory and is locked.
"""

from stx.cli import interfaces
from stx.common import states
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import interfaces_api
from tests.unit.cli import test_inventory_cli

HOST = 'controller-0'


class TestInterfaceCommands(test_inventory_cli.InventoryCliTestCase):

    def setUp(self):
        super().setUp()
        self.controller = dbapi.host_update(
            self.context, self.controller['id'],
            {'administrative': states.LOCKED})

    def stored(self):
        return {row['ifname']: row for row in interfaces_api.interface_list(
            self.context, self.controller['id'])}

    def test_add_list_show_modify_delete(self):
        eth0 = self.json_of('host-if-add', HOST, 'eth0', 'ethernet', 'eno1',
                            '-c', 'platform', '-m', '9000')
        self.assertEqual([field[0] for field in interfaces.SHOW_FIELDS],
                         list(eth0))
        self.assertEqual(('ethernet', ['eno1'], 9000, 'platform'),
                         (eth0['iftype'], eth0['ports'], eth0['imtu'],
                          eth0['ifclass']))
        self.json_of('host-if-add', HOST, 'mgmt0', 'vlan', 'eth0',
                     '--vlan_id', '10', '-c', 'platform')
        self.json_of('host-if-add', HOST, 'eth1', 'ethernet', 'enp59s0f0')
        self.json_of('host-if-add', HOST, 'eth2', 'ethernet', 'enp59s0f1')
        bond = self.json_of('host-if-add', HOST, 'bond0', 'ae', 'eth1',
                            'eth2', '-a', 'balanced', '-x', 'layer3+4')
        self.assertEqual(('balanced', 'layer3+4'),
                         (bond['aemode'], bond['txhashpolicy']))
        rows = self.assertColumns(interfaces.LIST_COLUMNS, 'host-if-list',
                                  HOST)
        self.assertEqual(['bond0', 'eth0', 'eth1', 'eth2', 'mgmt0'],
                         [row['name'] for row in rows])
        self.assertEqual('MTU=1500,AE_MODE=balanced,AE_XMIT_POLICY=layer3+4',
                         rows[0]['attributes'])
        self.assertEqual(['mgmt0'], rows[1]['used by i/f'])
        self.assertEqual(10, rows[4]['vlan id'])
        shown = self.json_of('host-if-show', HOST, 'mgmt0')
        self.assertEqual(['eth0'], shown['uses'])
        self.assertEqual(shown, self.json_of('host-if-show', HOST,
                                             shown['uuid']))
        changed = self.json_of('host-if-modify', HOST, 'mgmt0', '-n', 'oam0',
                               '-m', '1400', '-c', 'data')
        self.assertEqual(('oam0', 1400, 'data'),
                         (changed['ifname'], changed['imtu'],
                          changed['ifclass']))
        status, out, err = self.stx('host-if-delete', HOST, 'oam0')
        self.assertEqual(0, status, err)
        self.assertIn('Deleted interface oam0 of host controller-0', out)
        self.assertNotIn('oam0', self.stored())

    def test_refusals_are_one_line_and_store_nothing(self):
        self.json_of('host-if-add', HOST, 'eth0', 'ethernet', 'eno1')
        for argv, words in (
                (('host-if-add', HOST, 'eth1', 'ethernet', 'eno1'),
                 "'ports'"),
                (('host-if-add', HOST, 'eth0', 'ethernet', 'eno2'),
                 "'ifname'"),
                (('host-if-add', HOST, 'e' * 16, 'ethernet', 'eno2'),
                 "'ifname'"),
                (('host-if-add', HOST, 'v', 'vlan', 'eth0', '--vlan_id',
                  '4095'), "'vlan_id'"),
                (('host-if-add', HOST, 'v', 'vlan', 'eth0', '--vlan_id',
                  '5', '-m', '9000'), "'imtu'"),
                (('host-if-add', HOST, 'b', 'ae', 'nothing'), "'uses'"),
                (('host-if-add', HOST, 'x', 'ethernet', 'eno2', '-c',
                  'fast'), "'ifclass'"),
                (('host-if-modify', HOST, 'eth0', '-m', '100'), "'imtu'"),
                (('host-if-modify', HOST, 'eth0'), '-n'),
                (('host-if-show', HOST, 'eth9'), 'Interface not found'),
                (('host-if-delete', HOST, 'eth9'), 'Interface not found')):
            with self.subTest(argv=argv):
                err = self.assertOneLineError(self.stx(*argv))
                self.assertIn(words, err)
        self.assertEqual(['eth0'], list(self.stored()))
        self.assertEqual(1500, self.stored()['eth0']['imtu'])
        dbapi.host_update(self.context, self.controller['id'],
                          {'administrative': states.UNLOCKED})
        err = self.assertOneLineError(self.stx(
            'host-if-add', HOST, 'eth1', 'ethernet', 'eno2'))
        self.assertIn('lock it first', err)

    def test_interface_networks(self):
        self.json_of('host-if-add', HOST, 'eth0', 'ethernet', 'eno1', '-c',
                     'platform')
        self.json_of('host-if-add', HOST, 'eth1', 'ethernet', 'eno2', '-c',
                     'platform')
        self.json_of('host-if-add', HOST, 'data0', 'ethernet', 'enp59s0f0',
                     '-c', 'data')
        network = self.json_of('interface-network-assign', HOST, 'eth0',
                               'mgmt')
        self.assertEqual([field[0] for field in interfaces.NETWORK_FIELDS],
                         list(network))
        self.json_of('interface-network-assign', HOST, 'eth1', 'oam')
        for argv, words in ((('eth1', 'mgmt'), "'network'"),
                            (('data0', 'cluster-host'), "'ifclass'"),
                            (('eth1', 'pxeboot'), "'network'")):
            with self.subTest(argv=argv):
                err = self.assertOneLineError(self.stx(
                    'interface-network-assign', HOST, *argv))
                self.assertIn(words, err)
        rows = self.assertColumns(interfaces.NETWORK_COLUMNS,
                                  'interface-network-list', HOST)
        self.assertEqual([('controller-0', 'eth0', 'mgmt'),
                          ('controller-0', 'eth1', 'oam')],
                         [(row['hostname'], row['ifname'],
                           row['network_name']) for row in rows])
        status, out, err = self.stx('interface-network-remove',
                                    network['uuid'])
        self.assertEqual(0, status, err)
        self.assertEqual(['oam'], [row['network_name'] for row in
                                   self.json_of('interface-network-list',
                                                HOST)])
