"""/v1/isystems and the version documents at / and /v1."""

import webtest

from stx.api import app as api_app
from stx.common import states
from stx.sysinv.api.controllers import root
from stx.sysinv.conductor import rpcapi
from tests.unit import base


class TestSystemApi(base.ApiTestCase):

    def test_post_creates_the_one_system(self):
        system = self.app.post_json('/v1/isystems', {
            'name': 'edge-1', 'system_mode': 'duplex',
            'system_type': 'Standard'}, status=201).json
        self.assertEqual('edge-1', system['name'])
        self.assertEqual(states.SYSTEM_TYPE_STANDARD, system['system_type'])
        self.assertTrue(system['software_version'])
        listed = self.app.get('/v1/isystems').json['isystems']
        self.assertEqual([system['uuid']], [s['uuid'] for s in listed])
        response = self.app.post_json('/v1/isystems', {'name': 'again'},
                                      expect_errors=True)
        self.assertEqual(409, response.status_int)
        self.assertEqual('stx.system.exists',
                         self.error_of(response)['code'])

    def test_bad_system_values_name_the_field(self):
        for body, field in (({'system_mode': 'triplex'}, 'system_mode'),
                            ({'system_type': 'Huge'}, 'system_type'),
                            ({'system_type': 'Standard',
                              'system_mode': 'simplex'}, 'system_mode'),
                            ({'software_version': '99'},
                             'software_version'),
                            ({'name': 7}, 'name')):
            response = self.app.post_json('/v1/isystems', body,
                                          expect_errors=True)
            self.assertEqual(400, response.status_int, body)
            self.assertEqual(field, self.error_of(response)['field'])
        self.assertEqual([], self.app.get('/v1/isystems').json['isystems'])

    def test_patch_and_show(self):
        system, _ = self.make_system()
        patched = self.app.patch_json(
            '/v1/isystems/%s' % system['uuid'],
            [{'op': 'replace', 'path': '/description', 'value': 'lab'}]).json
        self.assertEqual('lab', patched['description'])
        shown = self.app.get('/v1/isystems/%s' % system['uuid']).json
        self.assertEqual('lab', shown['description'])
        self.assertIsInstance(shown['capabilities'], dict)

    def test_patch_refusals(self):
        system, _ = self.make_system()
        url = '/v1/isystems/%s' % system['uuid']
        for path, value, status, field in (
                ('/uuid', 'x', 400, 'uuid'),
                ('/software_version', '9', 400, 'software_version'),
                ('/system_mode', 'simplex', 409, 'system_mode')):
            response = self.app.patch_json(
                url, [{'op': 'replace', 'path': path, 'value': value}],
                expect_errors=True)
            self.assertEqual(status, response.status_int, path)
            self.assertEqual(field, self.error_of(response)['field'])
        self.app.get('/v1/isystems/%s' % ('0' * 8 + '-0000-4000-8000-' +
                                          '0' * 12), status=404)


class TestVersionsAndErrors(base.ApiTestCase):

    def test_root_and_v1_documents(self):
        root = self.app.get('/').json
        self.assertEqual('v1', root['default_version']['id'])
        v1 = self.app.get('/v1').json
        self.assertEqual('v1', v1['id'])
        self.assertIn('ihosts', v1)
        self.assertIn('isystems', v1)

    def test_unknown_path_and_method_get_json_errors(self):
        response = self.app.get('/v2/ihosts', expect_errors=True)
        self.assertEqual(404, response.status_int)
        self.assertEqual('stx.not_found', self.error_of(response)['code'])
        self.assertTrue(response.headers['x-openstack-request-id'])
        response = self.app.put_json('/v1/ihosts/1', {},
                                     expect_errors=True)
        self.assertIn(response.status_int, (404, 405))
        self.assertIn('error_message', response.json)

    def test_conductor_timeout_is_a_clean_503(self):
        # An API whose conductor never answers: its client calls a topic
        # no server listens on.
        self.config(rpc_timeout=1, group='sysinv')
        app = webtest.TestApp(api_app.setup_app(
            root.RootController(),
            rpc_factory=lambda: rpcapi.ConductorAPI(topic='nobody-listens')))
        self.make_system()
        response = app.post_json('/v1/ihosts', {
            'hostname': 'worker-0', 'personality': 'worker',
            'mgmt_mac': '52:54:00:12:34:56'}, expect_errors=True)
        self.assertEqual(503, response.status_int)
        fault = self.error_of(response)
        self.assertEqual('stx.service.unavailable', fault['code'])
        self.assertIn('stx-sysinv-conductor', fault['faultstring'])
