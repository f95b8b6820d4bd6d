"""Interfaces and their networks through the API.

controller-0 holds the ``server`` fixture's inventory (ports eno1, eno2,
enp59s0f0, enp59s0f1) and is locked for these tests.
"""

from stx.common import states
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import interfaces_api
from stx.sysinv.db import inventory_api
from tests.unit import base
from tests.unit.sysinv import base as sysinv_base

HOST = 'controller-0'


class InterfaceApiTestCase(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        _system, controller = self.make_system()
        self.host = dbapi.host_update(self.context, controller['id'],
                                      {'administrative': states.LOCKED})
        sysinv_base.store_inventory(self.context, self.host)

    def add(self, expect_errors=False, **body):
        body.setdefault('ihost_uuid', self.host['uuid'])
        return self.app.post_json('/v1/iinterfaces', body,
                                  expect_errors=expect_errors)

    def ethernet(self, ifname, port, **body):
        return self.add(ifname=ifname, iftype='ethernet', ports=[port],
                        **body).json

    def listed(self):
        return {row['ifname']: row for row in self.app.get(
            '/v1/ihosts/%s/iinterfaces' % HOST).json['iinterfaces']}

    def patch(self, interface, expect_errors=False, **fields):
        ops = [{'op': 'replace', 'path': '/' + name, 'value': value}
               for name, value in fields.items()]
        return self.app.patch_json('/v1/iinterfaces/%s' % interface['uuid'],
                                   ops, expect_errors=expect_errors)

    def assign(self, interface, network, expect_errors=False):
        return self.app.post_json(
            '/v1/interface_networks',
            {'interface_uuid': interface['uuid'], 'network_type': network},
            expect_errors=expect_errors)

    def config_target(self):
        return dbapi.host_get(self.context, self.host['id'])['config_target']

    def assertRefused(self, response, status, field):
        self.assertEqual(status, response.status_int, response.body)
        fault = self.error_of(response)
        self.assertEqual(field, fault['field'], fault)
        return fault


class TestInterfaces(InterfaceApiTestCase):

    def test_ethernet_vlan_ae_and_their_fields(self):
        eth0 = self.ethernet('eth0', 'eno1', ifclass='platform', imtu=9000)
        self.assertEqual(
            ('ethernet', 'platform', 9000, ['eno1'], self.host['uuid']),
            (eth0['iftype'], eth0['ifclass'], eth0['imtu'], eth0['ports'],
             eth0['ihost_uuid']))
        port = [p for p in inventory_api.port_list(self.context,
                                                   self.host['id'])
                if p['name'] == 'eno1'][0]
        self.assertEqual(port['mac'], eth0['imac'])
        vlan = self.add(ifname='mgmt0', iftype='vlan', vlan_id=10,
                        uses=['eth0'], ifclass='platform').json
        self.assertEqual((10, ['eth0'], 1500, port['mac']),
                         (vlan['vlan_id'], vlan['uses'], vlan['imtu'],
                          vlan['imac']))
        self.ethernet('eth1', 'enp59s0f0')
        self.ethernet('eth2', 'enp59s0f1')
        bond = self.add(ifname='bond0', iftype='ae', aemode='802.3ad',
                        uses=['eth1', 'eth2']).json
        self.assertEqual(('802.3ad', 'layer2', ['eth1', 'eth2'], 'none'),
                         (bond['aemode'], bond['txhashpolicy'],
                          bond['uses'], bond['ifclass']))
        listed = self.listed()
        self.assertEqual(['bond0', 'eth0', 'eth1', 'eth2', 'mgmt0'],
                         sorted(listed))
        self.assertEqual(['mgmt0'], listed['eth0']['used_by'])
        self.assertEqual(['bond0'], listed['eth1']['used_by'])
        one = self.app.get('/v1/iinterfaces/%s' % vlan['uuid']).json
        self.assertEqual('mgmt0', one['ifname'])
        self.assertEqual(5, len(self.app.get(
            '/v1/iinterfaces?host_uuid=%s' % HOST).json['iinterfaces']))

    def test_every_change_gives_a_new_config_target(self):
        targets = [self.config_target()]
        eth0 = self.ethernet('eth0', 'eno1', ifclass='platform')
        targets.append(self.config_target())
        self.patch(eth0, imtu=9000)
        targets.append(self.config_target())
        network = self.assign(eth0, 'mgmt').json
        targets.append(self.config_target())
        self.app.delete('/v1/interface_networks/%s' % network['uuid'])
        targets.append(self.config_target())
        self.app.delete('/v1/iinterfaces/%s' % eth0['uuid'])
        targets.append(self.config_target())
        self.assertEqual(len(targets), len(set(targets)))
        self.assertEqual(states.CONFIG_STATUS_OUT_OF_DATE, dbapi.host_get(
            self.context, self.host['id'])['config_status'])

    def test_add_refusals_name_the_field_and_store_nothing(self):
        self.ethernet('eth0', 'eno1', ifclass='platform')
        self.ethernet('eth1', 'eno2')
        self.add(ifname='v10', iftype='vlan', vlan_id=10, uses=['eth0'])
        self.ethernet('eth2', 'enp59s0f0')
        self.add(ifname='bond0', iftype='ae', uses=['eth2'])
        target = self.config_target()
        for body, field in (
                # ifname: unique, at most 15 characters.
                ({'ifname': 'eth0', 'iftype': 'ethernet',
                  'ports': ['enp59s0f1']}, 'ifname'),
                ({'ifname': 'x' * 16, 'iftype': 'ethernet',
                  'ports': ['enp59s0f1']}, 'ifname'),
                ({'ifname': 'a/b', 'iftype': 'ethernet',
                  'ports': ['enp59s0f1']}, 'ifname'),
                ({'iftype': 'ethernet', 'ports': ['enp59s0f1']}, 'ifname'),
                ({'ifname': 'x', 'iftype': 'bridge'}, 'iftype'),
                ({'ifname': 'x', 'iftype': 'ethernet', 'ifclass': 'fast',
                  'ports': ['enp59s0f1']}, 'ifclass'),
                ({'ifname': 'x', 'iftype': 'ethernet', 'imtu': 575,
                  'ports': ['enp59s0f1']}, 'imtu'),
                ({'ifname': 'x', 'iftype': 'ethernet', 'imtu': 9217,
                  'ports': ['enp59s0f1']}, 'imtu'),
                # ethernet: exactly one free port of this host.
                ({'ifname': 'x', 'iftype': 'ethernet', 'ports': []},
                 'ports'),
                ({'ifname': 'x', 'iftype': 'ethernet',
                  'ports': ['eno1', 'enp59s0f1']}, 'ports'),
                ({'ifname': 'x', 'iftype': 'ethernet', 'ports': ['eno1']},
                 'ports'),
                ({'ifname': 'x', 'iftype': 'ethernet', 'ports': ['eth9']},
                 'ports'),
                ({'ifname': 'x', 'iftype': 'ethernet',
                  'ports': ['enp59s0f1'], 'uses': ['eth0']}, 'uses'),
                ({'ifname': 'x', 'iftype': 'ethernet',
                  'ports': ['enp59s0f1'], 'vlan_id': 5}, 'vlan_id'),
                # vlan: one lower interface, vlan_id 1-4094 unique on it.
                ({'ifname': 'x', 'iftype': 'vlan', 'vlan_id': 10,
                  'uses': ['eth0']}, 'vlan_id'),
                ({'ifname': 'x', 'iftype': 'vlan', 'vlan_id': 0,
                  'uses': ['eth0']}, 'vlan_id'),
                ({'ifname': 'x', 'iftype': 'vlan', 'vlan_id': 4095,
                  'uses': ['eth0']}, 'vlan_id'),
                ({'ifname': 'x', 'iftype': 'vlan', 'uses': ['eth0']},
                 'vlan_id'),
                ({'ifname': 'x', 'iftype': 'vlan', 'vlan_id': 11,
                  'uses': ['eth0', 'eth1']}, 'uses'),
                ({'ifname': 'x', 'iftype': 'vlan', 'vlan_id': 11,
                  'uses': ['nothing']}, 'uses'),
                ({'ifname': 'x', 'iftype': 'vlan', 'vlan_id': 11,
                  'uses': ['eth2']}, 'uses'),
                ({'ifname': 'x', 'iftype': 'vlan', 'vlan_id': 11,
                  'uses': ['eth0'], 'imtu': 1600}, 'imtu'),
                ({'ifname': 'x', 'iftype': 'vlan', 'vlan_id': 11,
                  'ports': ['enp59s0f1']}, 'ports'),
                ({'ifname': 'x', 'iftype': 'vlan', 'vlan_id': 11,
                  'uses': ['v10']}, 'uses'),
                # ae: ethernet interfaces nothing else uses.
                ({'ifname': 'x', 'iftype': 'ae', 'uses': []}, 'uses'),
                ({'ifname': 'x', 'iftype': 'ae', 'uses': ['eth2']}, 'uses'),
                ({'ifname': 'x', 'iftype': 'ae', 'uses': ['eth0']}, 'uses'),
                ({'ifname': 'x', 'iftype': 'ae', 'uses': ['v10']}, 'uses'),
                ({'ifname': 'x', 'iftype': 'ae', 'uses': ['eth1', 'eth1']},
                 'uses'),
                ({'ifname': 'x', 'iftype': 'ae', 'uses': ['eth1'],
                  'aemode': 'round_robin'}, 'aemode'),
                ({'ifname': 'x', 'iftype': 'ae', 'uses': ['eth1'],
                  'aemode': 'balanced', 'txhashpolicy': 'layer9'},
                 'txhashpolicy'),
                ({'ifname': 'x', 'iftype': 'ae', 'uses': ['eth1'],
                  'txhashpolicy': 'layer2'}, 'txhashpolicy'),
                ({'ifname': 'x', 'iftype': 'ethernet', 'ports': ['eno1'],
                  'color': 'red'}, 'color')):
            with self.subTest(body=body):
                self.assertRefused(self.add(expect_errors=True, **body),
                                   400, field)
        self.assertEqual(['bond0', 'eth0', 'eth1', 'eth2', 'v10'],
                         sorted(self.listed()))
        self.assertEqual(target, self.config_target())

    def test_another_hosts_port_or_interface_is_unknown(self):
        worker = self.app.post_json('/v1/ihosts', {
            'hostname': 'worker-0', 'personality': 'worker',
            'mgmt_mac': '52:54:00:00:00:01'}).json
        worker = dbapi.host_get(self.context, worker['uuid'])
        sysinv_base.store_inventory(self.context, worker)
        self.ethernet('eth0', 'eno1')
        self.assertRefused(self.add(
            ihost_uuid=worker['uuid'], ifname='v', iftype='vlan', vlan_id=5,
            uses=['eth0'], expect_errors=True), 400, 'uses')
        self.add(ihost_uuid=worker['uuid'], ifname='eth0',
                 iftype='ethernet', ports=['eno1'])

    def test_unlocked_host_refused(self):
        eth0 = self.ethernet('eth0', 'eno1', ifclass='platform')
        network = self.assign(eth0, 'oam').json
        dbapi.host_update(self.context, self.host['id'],
                          {'administrative': states.UNLOCKED})
        target = self.config_target()
        for response in (
                self.add(ifname='eth1', iftype='ethernet', ports=['eno2'],
                         expect_errors=True),
                self.patch(eth0, imtu=9000, expect_errors=True),
                self.app.delete('/v1/iinterfaces/%s' % eth0['uuid'],
                                expect_errors=True),
                self.assign(eth0, 'mgmt', expect_errors=True),
                self.app.delete('/v1/interface_networks/%s'
                                % network['uuid'], expect_errors=True)):
            fault = self.assertRefused(response, 409, 'administrative')
            self.assertEqual('stx.host.not_locked', fault['code'])
        self.assertEqual(['eth0'], list(self.listed()))
        self.assertEqual(1500, self.listed()['eth0']['imtu'])
        self.assertEqual(['oam'], self.listed()['eth0']['networktypelist'])
        self.assertEqual(target, self.config_target())

    def test_modify(self):
        eth0 = self.ethernet('eth0', 'eno1', imtu=9000)
        vlan = self.add(ifname='v10', iftype='vlan', vlan_id=10,
                        uses=['eth0'], imtu=9000).json
        changed = self.patch(vlan, ifname='mgmt0', ifclass='platform').json
        self.assertEqual(('mgmt0', 'platform'),
                         (changed['ifname'], changed['ifclass']))
        self.assertEqual(['mgmt0'], self.listed()['eth0']['used_by'])
        self.assign(changed, 'mgmt')
        for target, fields, field in (
                (eth0, {'imtu': 1500}, 'imtu'),
                (vlan, {'imtu': 9216}, 'imtu'),
                (vlan, {'imtu': 100}, 'imtu'),
                (vlan, {'ifname': 'eth0'}, 'ifname'),
                (vlan, {'ifname': 'y' * 16}, 'ifname'),
                (vlan, {'ifclass': 'data'}, 'ifclass'),
                (vlan, {'ifclass': 'fast'}, 'ifclass'),
                (vlan, {'vlan_id': 20}, 'vlan_id'),
                (vlan, {'iftype': 'ae'}, 'iftype')):
            with self.subTest(fields=fields):
                self.assertRefused(self.patch(target, expect_errors=True,
                                              **fields), 400, field)
        listed = self.listed()
        self.assertEqual((9000, 'platform', 10),
                         (listed['mgmt0']['imtu'], listed['mgmt0']['ifclass'],
                          listed['mgmt0']['vlan_id']))
        self.assertEqual(9000, listed['eth0']['imtu'])

    def test_delete(self):
        eth0 = self.ethernet('eth0', 'eno1', ifclass='platform')
        vlan = self.add(ifname='v10', iftype='vlan', vlan_id=10,
                        uses=['eth0']).json
        self.assign(eth0, 'mgmt')
        self.assertRefused(self.app.delete(
            '/v1/iinterfaces/%s' % eth0['uuid'], expect_errors=True),
            400, 'used_by')
        self.app.delete('/v1/iinterfaces/%s' % vlan['uuid'])
        self.app.delete('/v1/iinterfaces/%s' % eth0['uuid'])
        self.assertEqual({}, self.listed())
        self.assertEqual([],
                         interfaces_api.interface_network_list(self.context))
        # The port is free again.
        self.ethernet('eth0', 'eno1')
        response = self.app.get('/v1/iinterfaces/%s' % vlan['uuid'],
                                expect_errors=True)
        self.assertEqual(404, response.status_int)
        self.assertEqual('stx.interface.not_found',
                         self.error_of(response)['code'])


class TestInterfaceNetworks(InterfaceApiTestCase):

    def setUp(self):
        super().setUp()
        self.eth0 = self.ethernet('eth0', 'eno1', ifclass='platform')
        self.eth1 = self.ethernet('eth1', 'eno2', ifclass='platform')
        self.data0 = self.ethernet('data0', 'enp59s0f0', ifclass='data')

    def networks(self):
        return [(row['ifname'], row['network_type'])
                for row in self.app.get('/v1/ihosts/%s/interface_networks'
                                        % HOST).json['interface_networks']]

    def test_assign_list_remove(self):
        network = self.assign(self.eth0, 'mgmt').json
        self.assertEqual(('eth0', 'mgmt', 'mgmt', self.eth0['uuid']),
                         (network['ifname'], network['network_type'],
                          network['network_name'],
                          network['interface_uuid']))
        self.assign(self.eth0, 'cluster-host')
        self.assign(self.eth1, 'oam')
        self.assertEqual([('eth0', 'cluster-host'), ('eth0', 'mgmt'),
                          ('eth1', 'oam')], self.networks())
        self.assertEqual(['cluster-host', 'mgmt'],
                         self.listed()['eth0']['networktypelist'])
        one = self.app.get('/v1/interface_networks/%s' % network['uuid'])
        self.assertEqual('mgmt', one.json['network_type'])
        self.app.delete('/v1/interface_networks/%s' % network['uuid'])
        self.assertEqual([('eth0', 'cluster-host'), ('eth1', 'oam')],
                         self.networks())
        response = self.app.delete('/v1/interface_networks/%s'
                                   % network['uuid'], expect_errors=True)
        self.assertEqual(404, response.status_int)

    def test_refusals_name_the_field_and_store_nothing(self):
        self.assign(self.eth0, 'mgmt')
        for interface, network, field in (
                (self.eth1, 'mgmt', 'network'),
                (self.eth0, 'mgmt', 'network'),
                (self.eth1, 'storage', 'network'),
                (self.data0, 'oam', 'ifclass')):
            with self.subTest(network=network, interface=interface['ifname']):
                self.assertRefused(self.assign(interface, network,
                                               expect_errors=True),
                                   400, field)
        self.assertRefused(self.app.post_json(
            '/v1/interface_networks', {'interface_uuid': self.eth1['uuid']},
            expect_errors=True), 400, 'network_type')
        self.assertEqual([('eth0', 'mgmt')], self.networks())

    def test_networks_in_the_rendered_config(self):
        from stx.sysinv.conductor import config
        self.assign(self.eth0, 'mgmt')
        self.add(ifname='v10', iftype='vlan', vlan_id=10, uses=['eth1'])
        host = dbapi.host_get(self.context, self.host['id'])
        rendered = config.render_host_config(self.context, host)
        self.assertEqual(host['config_target'], rendered['config_uuid'])
        self.assertEqual([
            {'ifname': 'data0', 'iftype': 'ethernet', 'ifclass': 'data',
             'mtu': 1500, 'vlan_id': None, 'uses': [],
             'ports': ['enp59s0f0'], 'networks': []},
            {'ifname': 'eth0', 'iftype': 'ethernet', 'ifclass': 'platform',
             'mtu': 1500, 'vlan_id': None, 'uses': [], 'ports': ['eno1'],
             'networks': ['mgmt']},
            {'ifname': 'eth1', 'iftype': 'ethernet', 'ifclass': 'platform',
             'mtu': 1500, 'vlan_id': None, 'uses': [], 'ports': ['eno2'],
             'networks': []},
            {'ifname': 'v10', 'iftype': 'vlan', 'ifclass': 'none',
             'mtu': 1500, 'vlan_id': 10, 'uses': ['eth1'], 'ports': [],
             'networks': []}], rendered['interfaces'])
