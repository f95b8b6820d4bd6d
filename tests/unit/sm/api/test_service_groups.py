"""GET /v1/service_groups, the version documents, and sm being away."""

import uuid

import webtest

from stx.sm.api import app as sm_app
from tests.unit.sm import api

# StarlingX's sm_sda fields (what smc and system servicegroup-list read).
FIELDS = ['id', 'uuid', 'name', 'node_name', 'service_group_name', 'state',
          'desired_state', 'status', 'condition', 'links']
UNKNOWN_UUID = '7a3c1d52-0000-4000-8000-000000000000'


class TestVersions(api.SMApiCase):

    def test_root_and_v1_documents(self):
        root = self.app.get('/').json
        self.assertEqual('stx-flock Service Management API', root['name'])
        self.assertEqual('v1', root['default_version']['id'])
        v1 = self.app.get('/v1').json
        for resource in ('service_groups', 'services', 'servicenode',
                         'nodes'):
            self.assertTrue(v1[resource][0]['href'].endswith(
                '/v1/' + resource))

    def test_unknown_path_is_a_json_404(self):
        self.get_refused('/v1/sm_nothing', 404)


class TestServiceGroups(api.SMApiCase):

    def groups(self):
        return self.app.get('/v1/service_groups').json['service_groups']

    def test_list_has_starlingx_fields_by_node_then_name(self):
        groups = self.groups()
        self.assertEqual(
            [(1, 'controller-0', 'controller-services', 'active', ''),
             (2, 'controller-0', 'oam-services', 'active', ''),
             (3, 'controller-1', 'controller-services', 'standby',
              'degraded'),
             (4, 'controller-1', 'oam-services', 'standby', '')],
            [(group['id'], group['node_name'], group['service_group_name'],
              group['state'], group['status']) for group in groups])
        for group in groups:
            self.assertEqual(FIELDS, list(group))
            self.assertEqual('controller', group['name'])
            self.assertEqual(group['state'], group['desired_state'])
            self.assertTrue(group['links'][0]['href'].endswith(
                '/v1/service_groups/' + group['uuid']))
        self.assertEqual('failed: fm-api', groups[2]['condition'])
        self.assertEqual('', groups[0]['condition'])

    def test_uuids_are_uuid5_of_the_place_stable_across_answers(self):
        first = self.groups()
        for group in first:
            self.assertEqual(5, uuid.UUID(group['uuid']).version)
        self.assertEqual(4, len({group['uuid'] for group in first}))
        # Another answer, in another order, to another API process.
        self.sm.state['service_groups'].reverse()
        other = webtest.TestApp(sm_app.make_app(lambda: self.sm))
        again = other.get('/v1/service_groups').json['service_groups']
        self.assertEqual([(g['id'], g['uuid']) for g in first],
                         [(g['id'], g['uuid']) for g in again])

    def test_get_one_by_uuid_id_or_name_and_node(self):
        standby = self.groups()[2]
        for url in ('/v1/service_groups/' + standby['uuid'],
                    '/v1/service_groups/' + standby['uuid'].upper(),
                    '/v1/service_groups/3',
                    '/v1/service_groups/controller-services'
                    '?node=controller-1'):
            with self.subTest(url=url):
                self.assertEqual(standby, self.app.get(url).json)

    def test_name_on_both_controllers_needs_the_node(self):
        fault = self.get_refused('/v1/service_groups/oam-services', 409)
        self.assertEqual(
            'Service group oam-services is on controller-0 and '
            'controller-1: name it by id or uuid, or give its node.',
            fault['faultstring'])
        self.assertEqual('stx.sm.ambiguous_name', fault['code'])
        self.assertEqual('node', fault['field'])

    def test_a_name_on_one_controller_is_enough(self):
        self.sm.state['service_groups'] = [
            group for group in self.sm.state['service_groups']
            if group['node'] == 'controller-0']
        group = self.app.get('/v1/service_groups/oam-services').json
        self.assertEqual('controller-0', group['node_name'])

    def test_unknown_is_404(self):
        for ident, shown in ((UNKNOWN_UUID, UNKNOWN_UUID), ('5', '5'),
                             ('web-services', 'web-services'),
                             ('oam-services?node=controller-7',
                              'oam-services on controller-7')):
            with self.subTest(ident=ident):
                fault = self.get_refused('/v1/service_groups/' + ident, 404)
                self.assertEqual('Service group %s could not be found.'
                                 % shown, fault['faultstring'])
                self.assertEqual('stx.sm.service_group.not_found',
                                 fault['code'])

    def test_unknown_query_parameter_is_refused(self):
        fault = self.get_refused('/v1/service_groups?limit=2', 400)
        self.assertEqual('limit', fault['field'])


class TestSMUnavailable(api.SMApiCase):

    def test_every_read_is_a_503_naming_stx_sm(self):
        self.sm.error = api.UNAVAILABLE
        for url in ('/v1/service_groups', '/v1/service_groups/1',
                    '/v1/services', '/v1/services/1', '/v1/nodes',
                    '/v1/nodes/controller-0', '/v1/servicenode',
                    '/v1/servicenode/controller-0'):
            with self.subTest(url=url):
                fault = self.get_refused(url, 503)
                self.assertEqual('stx-sm is not available: it did not '
                                 'answer within 10 seconds',
                                 fault['faultstring'])
                self.assertEqual('stx.service.unavailable', fault['code'])
