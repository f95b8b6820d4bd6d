"""Interfaces and interface networks, called on a conductor and over RPC.

controller-0 holds the ``server`` fixture's inventory (ports eno1, eno2,
enp59s0f0, enp59s0f1) and is locked.
"""

from stx.common import exception
from stx.common import states
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import interfaces_api
from tests.unit.sysinv import base as sysinv_base
from tests.unit.sysinv.conductor import test_inventory

ETH = {'iftype': 'ethernet'}


class TestInterfaces(test_inventory.ConductorTestCase):

    def setUp(self):
        super().setUp()
        self.host = sysinv_base.lock(self.context, self.controller)
        sysinv_base.store_inventory(self.context, self.host)

    def add(self, **values):
        return self.conductor.create_interface(self.context,
                                               self.host['uuid'], values)

    def stored(self):
        return {row['ifname']: row for row in interfaces_api.interface_list(
            self.context, self.host['id'])}

    def test_rules_refuse_and_store_nothing(self):
        eth0 = self.add(ifname='eth0', ports=['eno1'], ifclass='platform',
                        **ETH)
        self.add(ifname='eth1', ports=['eno2'], **ETH)
        self.add(ifname='v10', iftype='vlan', vlan_id=10, uses=['eth0'])
        self.add(ifname='eth2', ports=['enp59s0f0'], **ETH)
        bond = self.add(ifname='bond0', iftype='ae', uses=['eth2'])
        self.assertEqual(('active_standby', None, ['eth2']),
                         (bond['aemode'], bond['txhashpolicy'],
                          bond['uses']))
        mgmt = self.conductor.assign_interface_network(
            self.context, eth0['uuid'], 'mgmt')
        before = (self.stored(),
                  interfaces_api.interface_network_list(self.context),
                  dbapi.host_get(self.context,
                                 self.host['id'])['config_target'])
        host_uuid = self.host['uuid']

        def add(**values):
            return self.conductor.create_interface(
                self.context, host_uuid=host_uuid, values=values)

        for call, kwargs, field in (
                (add, dict(ifname='eth0', ports=['enp59s0f1'], **ETH),
                 'ifname'),
                (add, dict(ifname='e' * 16, ports=['enp59s0f1'], **ETH),
                 'ifname'),
                (add, dict(ifname='x', ports=['eno1'], **ETH), 'ports'),
                (add, dict(ifname='x', ports=[], **ETH), 'ports'),
                (add, dict(ifname='x', ports=['enp59s0f1'], imtu=10000,
                           **ETH), 'imtu'),
                (add, dict(ifname='x', ports=['enp59s0f1'], ifclass='y',
                           **ETH), 'ifclass'),
                (add, dict(ifname='x', iftype='vlan', vlan_id=10,
                           uses=['eth0']), 'vlan_id'),
                (add, dict(ifname='x', iftype='vlan', vlan_id=5000,
                           uses=['eth1']), 'vlan_id'),
                (add, dict(ifname='x', iftype='vlan', vlan_id=5,
                           uses=['eth1'], imtu=9000), 'imtu'),
                (add, dict(ifname='x', iftype='vlan', vlan_id=5,
                           uses=['eth2']), 'uses'),
                (add, dict(ifname='x', iftype='ae', uses=['eth0']), 'uses'),
                (add, dict(ifname='x', iftype='ae', uses=['bond0']),
                 'uses'),
                (add, dict(ifname='x', iftype='ae', uses=[]), 'uses'),
                (self.conductor.update_interface,
                 dict(interface_uuid=eth0['uuid'],
                      changes={'ifclass': 'data'}), 'ifclass'),
                (self.conductor.update_interface,
                 dict(interface_uuid=eth0['uuid'], changes={'imtu': 500}),
                 'imtu'),
                (self.conductor.update_interface,
                 dict(interface_uuid=eth0['uuid'],
                      changes={'iftype': 'ae'}), 'iftype'),
                (self.conductor.destroy_interface,
                 dict(interface_uuid=eth0['uuid']), 'used_by'),
                (self.conductor.assign_interface_network,
                 dict(interface_uuid=bond['uuid'], network_type='oam'),
                 'ifclass'),
                (self.conductor.assign_interface_network,
                 dict(interface_uuid=eth0['uuid'], network_type='pxeboot'),
                 'network')):
            with self.subTest(call=call, kwargs=kwargs):
                if call is add:
                    raised = self.assertRaises(exception.Invalid, add,
                                               **kwargs)
                else:
                    raised = self.assertRaises(exception.Invalid, call,
                                               self.context, **kwargs)
                self.assertEqual(field, raised.field)
        self.assertEqual(before[2], dbapi.host_get(
            self.context, self.host['id'])['config_target'])
        # One mgmt interface a host; an ae member carries no network.
        self.add(ifname='eth3', ports=['enp59s0f1'], ifclass='platform',
                 **ETH)
        raised = self.assertRaises(exception.Invalid,
                                   self.conductor.assign_interface_network,
                                   self.context,
                                   self.stored()['eth3']['uuid'], 'mgmt')
        self.assertEqual('network', raised.field)
        self.conductor.assign_interface_network(
            self.context, self.stored()['eth3']['uuid'], 'oam')
        raised = self.assertRaises(exception.Invalid, add, ifname='x',
                                   iftype='ae', uses=['eth3'])
        self.assertEqual('uses', raised.field)
        after = self.stored()
        del after['eth3']
        self.assertEqual(before[0], after)
        self.assertEqual(before[1], [
            row for row in interfaces_api.interface_network_list(self.context)
            if row['ifname'] != 'eth3'])
        self.conductor.remove_interface_network(self.context, mgmt['uuid'])
        self.assertEqual(['oam'], [
            row['network_type']
            for row in interfaces_api.interface_network_list(self.context)])

    def test_unlocked_host_refused(self):
        eth0 = self.add(ifname='eth0', ports=['eno1'], ifclass='platform',
                        **ETH)
        dbapi.host_update(self.context, self.host['id'],
                          {'administrative': states.UNLOCKED})
        for call, args in (
                (self.conductor.create_interface,
                 (self.host['uuid'], dict(ifname='x', ports=['eno2'],
                                          **ETH))),
                (self.conductor.update_interface,
                 (eth0['uuid'], {'imtu': 9000})),
                (self.conductor.destroy_interface, (eth0['uuid'],)),
                (self.conductor.assign_interface_network,
                 (eth0['uuid'], 'mgmt'))):
            raised = self.assertRaises(exception.HostNotLocked, call,
                                       self.context, *args)
            self.assertEqual('administrative', raised.field)
        self.assertEqual(['eth0'], list(self.stored()))

    def test_changes_push_the_new_config(self):
        pushed = []
        self.conductor._conductor._push_config = (
            lambda context, host: pushed.append(host['config_target']))
        eth0 = self.add(ifname='eth0', ports=['eno1'], ifclass='platform',
                        **ETH)
        self.conductor.update_interface(self.context, eth0['uuid'],
                                        {'ifname': 'mgmt0'})
        self.conductor.assign_interface_network(self.context, eth0['uuid'],
                                                'mgmt')
        self.conductor.destroy_interface(self.context, eth0['uuid'])
        self.assertEqual(4, len(set(pushed)))
        self.assertEqual(pushed[-1], dbapi.host_get(
            self.context, self.host['id'])['config_target'])


class TestInterfacesRPC(test_inventory.LockedControllerRPCTestCase):

    def test_calls_and_refusals_cross_rpc(self):
        eth0 = self.api.create_interface(
            self.context, self.host['uuid'],
            dict(ifname='eth0', ports=['eno1'], ifclass='platform', **ETH))
        self.assertEqual(['eno1'], eth0['ports'])
        error = self.assertRaises(
            exception.InvalidParameterValue, self.api.create_interface,
            self.context, self.host['uuid'],
            dict(ifname='eth1', ports=['eno1'], **ETH))
        self.assertEqual('ports', error.field)
        network = self.api.assign_interface_network(self.context,
                                                    eth0['uuid'], 'oam')
        self.api.remove_interface_network(self.context, network['uuid'])
        self.api.update_interface(self.context, eth0['uuid'],
                                  {'imtu': 9000})
        self.api.destroy_interface(self.context, eth0['uuid'])
        self.assertEqual([], interfaces_api.interface_list(self.context))
