"""GET /v1/services: each service on each controller."""

from tests.unit.sm import api

# StarlingX's service fields, then ours (uuid, node_name,
# service_group_name, condition).
FIELDS = ['id', 'uuid', 'name', 'node_name', 'service_group_name', 'state',
          'desired_state', 'status', 'condition', 'links']


class TestServices(api.SMApiCase):

    def services(self):
        return self.app.get('/v1/services').json['services']

    def test_list_by_node_then_name(self):
        services = self.services()
        self.assertEqual(
            [(1, 'fm-api', 'controller-0', 'enabled-active', ''),
             (2, 'oam-ip', 'controller-0', 'enabled-active', ''),
             (3, 'sysinv-api', 'controller-0', 'enabled-active', ''),
             (4, 'fm-api', 'controller-1', 'disabled', 'failed'),
             (5, 'oam-ip', 'controller-1', 'initial', ''),
             (6, 'sysinv-api', 'controller-1', 'enabled-standby', '')],
            [(service['id'], service['name'], service['node_name'],
              service['state'], service['status']) for service in services])
        for service in services:
            self.assertEqual(FIELDS, list(service))

    def test_a_failed_service_says_why(self):
        failed = self.app.get('/v1/services/4').json
        self.assertEqual(('fm-api', 'controller-services', 'disabled',
                          'enabled-standby', 'failed',
                          'enable failed: exit status 1'),
                         (failed['name'], failed['service_group_name'],
                          failed['state'], failed['desired_state'],
                          failed['status'], failed['condition']))

    def test_get_one_by_id_uuid_or_name_and_node(self):
        standby = self.services()[5]
        for url in ('/v1/services/6', '/v1/services/' + standby['uuid'],
                    '/v1/services/sysinv-api?node=controller-1'):
            with self.subTest(url=url):
                self.assertEqual(standby, self.app.get(url).json)

    def test_service_and_group_of_one_name_have_different_uuids(self):
        self.sm.state['services'][0]['name'] = 'controller-services'
        services = {service['uuid'] for service in self.services()}
        groups = {group['uuid'] for group in self.app.get(
            '/v1/service_groups').json['service_groups']}
        self.assertEqual(set(), services & groups)

    def test_name_on_both_controllers_needs_the_node(self):
        fault = self.get_refused('/v1/services/fm-api', 409)
        self.assertEqual('stx.sm.ambiguous_name', fault['code'])
        self.assertIn('controller-0 and controller-1', fault['faultstring'])

    def test_unknown_is_404(self):
        for ident in ('7', 'keystone', 'fm-api?node=controller-2'):
            with self.subTest(ident=ident):
                fault = self.get_refused('/v1/services/' + ident, 404)
                self.assertEqual('stx.sm.service.not_found', fault['code'])
                self.assertIn('could not be found', fault['faultstring'])
