"""GET /v1/nodes and /v1/servicenode: the controllers and their states."""

from stx.common import states
from tests.unit.sm import api

NODE_FIELDS = ['id', 'uuid', 'name', 'administrative_state',
               'operational_state', 'availability_status', 'ready_state',
               'paths', 'failover', 'decisions', 'reachability', 'links']
# StarlingX's ServiceNode, then ours (id, uuid, ready_state, paths,
# failover, decisions, reachability).
SERVICENODE_FIELDS = ['id', 'uuid', 'origin', 'hostname', 'admin', 'oper',
                      'avail', 'ready_state', 'active_services',
                      'swactable_services', 'paths', 'failover',
                      'decisions', 'reachability']


class TestNodes(api.SMApiCase):

    def test_list_by_name_with_starlingx_state_fields(self):
        nodes = self.app.get('/v1/nodes').json['nodes']
        self.assertEqual([(1, 'controller-0'), (2, 'controller-1')],
                         [(node['id'], node['name']) for node in nodes])
        for node in nodes:
            self.assertEqual(NODE_FIELDS, list(node))
            self.assertEqual(('unlocked', 'enabled', 'available', 'enabled'),
                             (node['administrative_state'],
                              node['operational_state'],
                              node['availability_status'],
                              node['ready_state']))

    def test_get_one_by_name_id_or_uuid(self):
        second = self.app.get('/v1/nodes').json['nodes'][1]
        for ident in ('controller-1', '2', second['uuid']):
            with self.subTest(ident=ident):
                self.assertEqual(second,
                                 self.app.get('/v1/nodes/' + ident).json)

    def test_a_node_named_is_asked_itself_first(self):
        self.sm.asked.clear()
        self.app.get('/v1/nodes/controller-1')
        self.assertEqual(['controller-1'], self.sm.asked)
        # One that does not answer: any other describes it.
        self.sm.asked.clear()
        self.sm.silent.add('controller-1')
        node = self.app.get('/v1/nodes/controller-1').json
        self.assertEqual('controller-1', node['name'])
        self.assertEqual(['controller-1', None], self.sm.asked)
        # By id or uuid: any node.
        self.sm.asked.clear()
        self.app.get('/v1/nodes/2')
        self.app.get('/v1/servicenode/2')
        self.assertEqual([None, None], self.sm.asked)
        self.sm.asked.clear()
        self.app.get('/v1/servicenode/controller-0')
        self.assertEqual(['controller-0'], self.sm.asked)

    def test_unknown_is_404(self):
        fault = self.get_refused('/v1/nodes/controller-9', 404)
        self.assertEqual('Service node controller-9 could not be found.',
                         fault['faultstring'])
        self.assertEqual('stx.sm.node.not_found', fault['code'])


class TestServiceNode(api.SMApiCase):

    def node(self, ident):
        return self.app.get('/v1/servicenode/' + ident).json

    def test_active_and_standby_controllers(self):
        active, standby = self.node('controller-0'), self.node('2')
        self.assertEqual(SERVICENODE_FIELDS, list(active))
        self.assertEqual(
            ('sm', 'controller-0', 'unlocked', 'enabled', 'available',
             'yes', 'yes'),
            (active['origin'], active['hostname'], active['admin'],
             active['oper'], active['avail'], active['active_services'],
             active['swactable_services']))
        self.assertEqual(('controller-1', 'no', 'no'),
                         (standby['hostname'], standby['active_services'],
                          standby['swactable_services']))

    def test_same_id_and_uuid_as_in_nodes(self):
        node = self.app.get('/v1/nodes/controller-1').json
        servicenode = self.node(node['uuid'])
        self.assertEqual((node['id'], node['uuid']),
                         (servicenode['id'], servicenode['uuid']))

    def test_a_lone_controller_has_nothing_swactable(self):
        for key in ('nodes', 'service_groups', 'services'):
            self.sm.state[key] = [entry for entry in self.sm.state[key]
                                  if entry.get('node', entry['name']) ==
                                  'controller-0']
        node = self.node('controller-0')
        self.assertEqual(('yes', 'no'), (node['active_services'],
                                         node['swactable_services']))

    def test_a_peer_out_of_contact_may_hold_services(self):
        # As StarlingX: a group in state unknown may be active there.
        for group in self.sm.state['service_groups']:
            if group['node'] == 'controller-1':
                group['state'] = states.SG_UNKNOWN
        self.assertEqual('yes', self.node('controller-1')['active_services'])

    def test_list_and_unknown(self):
        listed = self.app.get('/v1/servicenode').json['servicenode']
        self.assertEqual(['controller-0', 'controller-1'],
                         [node['hostname'] for node in listed])
        fault = self.get_refused('/v1/servicenode/storage-0', 404)
        self.assertEqual('stx.sm.node.not_found', fault['code'])
