"""POST /v1/ihosts/bulk_add and GET /v1/ihosts/bulk_export."""

import webtest

from stx.common import states
from stx.sysinv.api import app as sysinv_app
from stx.sysinv.db import api as dbapi
from tests.unit import base

GOOD = b"""<?xml version="1.0"?>
<hosts>
  <host>
    <hostname>worker-1</hostname>
    <personality>worker</personality>
    <mgmt_mac>52:54:00:00:00:01</mgmt_mac>
    <location>rack 1</location>
  </host>
  <host>
    <hostname>storage-0</hostname>
    <personality>storage</personality>
    <mgmt_mac>52:54:00:00:00:02</mgmt_mac>
    <bm_type>fake</bm_type>
    <bm_ip>10.0.0.2</bm_ip>
    <bm_username>admin</bm_username>
    <bm_password>secret-pw</bm_password>
  </host>
</hosts>
"""


class TestBulk(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.system, self.controller = self.make_system()

    def upload(self, data, expect_errors=False):
        return self.app.post('/v1/ihosts/bulk_add',
                             upload_files=[('file', 'hosts.xml', data)],
                             expect_errors=expect_errors)

    def test_bulk_add_then_export_round_trips(self):
        result = self.upload(GOOD).json
        self.assertEqual('worker-1\nstorage-0\n', result['success'])
        self.assertEqual('', result['error'])
        worker = dbapi.host_get(self.context, 'worker-1')
        self.assertEqual({'locn': 'rack 1'}, worker['location'])
        self.assertEqual(states.LOCKED, worker['administrative'])
        content = self.app.get('/v1/ihosts/bulk_export').json['content']
        self.assertIn('<hostname>storage-0</hostname>', content)
        self.assertIn('<location>rack 1</location>', content)
        self.assertNotIn('secret-pw', content)
        self.assertNotIn('bm_password', content)

    def test_every_bad_entry_is_reported_and_nothing_added(self):
        bad = b"""<hosts>
          <host><hostname>worker-1</hostname><personality>worker</personality>
                <mgmt_mac>52:54:00:00:00:01</mgmt_mac></host>
          <host><hostname>worker-2</hostname><personality>wizard</personality>
                <mgmt_mac>52:54:00:00:00:02</mgmt_mac></host>
          <host><hostname>worker-3</hostname><personality>worker</personality>
                <mgmt_mac>not-a-mac</mgmt_mac></host>
          <host><hostname>worker-1</hostname><personality>worker</personality>
                <mgmt_mac>52:54:00:00:00:04</mgmt_mac></host>
        </hosts>"""
        response = self.upload(bad, expect_errors=True)
        self.assertEqual(400, response.status_int)
        fault = self.error_of(response)
        self.assertEqual('file', fault['field'])
        self.assertEqual('stx.host.bulk_add.invalid', fault['code'])
        for text in ('host 2 (worker-2)', 'personality', 'host 3 (worker-3)',
                     'mgmt_mac', 'host 4 (worker-1)', 'hostname'):
            self.assertIn(text, fault['faultstring'])
        self.assertEqual(1, dbapi.host_count(self.context))

    def test_cluster_host_ip_is_added_exported_and_checked(self):
        one = GOOD.replace(b'<location>rack 1</location>',
                           b'<cluster_host_ip>192.168.206.11'
                           b'</cluster_host_ip>')
        self.upload(one)
        self.assertEqual('192.168.206.11', dbapi.host_get(
            self.context, 'worker-1')['cluster_host_ip'])
        content = self.app.get('/v1/ihosts/bulk_export').json['content']
        self.assertIn('<cluster_host_ip>192.168.206.11</cluster_host_ip>',
                      content)
        twice = b'''<hosts>
          <host><hostname>worker-2</hostname><personality>worker</personality>
                <mgmt_mac>52:54:00:00:00:03</mgmt_mac>
                <cluster_host_ip>192.168.206.12</cluster_host_ip></host>
          <host><hostname>worker-3</hostname><personality>worker</personality>
                <mgmt_mac>52:54:00:00:00:04</mgmt_mac>
                <cluster_host_ip>192.168.206.12</cluster_host_ip></host>
        </hosts>'''
        fault = self.error_of(self.upload(twice, expect_errors=True))
        self.assertIn('host 2 (worker-3)', fault['faultstring'])
        self.assertIn('cluster_host_ip', fault['faultstring'])
        self.assertEqual(3, dbapi.host_count(self.context))

    def test_known_mac_only_updates_the_bmc(self):
        self.upload(GOOD)
        again = GOOD.replace(b'<bm_ip>10.0.0.2</bm_ip>',
                             b'<bm_ip>10.0.0.3</bm_ip>').replace(
                                 b'rack 1', b'rack 9')
        self.upload(again)
        self.assertEqual('10.0.0.3', dbapi.host_get(
            self.context, 'storage-0')['bm_ip'])
        self.assertEqual({'locn': 'rack 1'}, dbapi.host_get(
            self.context, 'worker-1')['location'])
        self.assertEqual(3, dbapi.host_count(self.context))

    def test_hostile_and_malformed_files_are_refused(self):
        laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
                  b'<hosts><host><hostname>&lol2;</hostname></host></hosts>')
        external = (b'<?xml version="1.0"?><!DOCTYPE hosts [<!ENTITY x '
                    b'SYSTEM "file:///etc/passwd">]><hosts><host>'
                    b'<hostname>&x;</hostname></host></hosts>')
        for data in (laughs, external, b'<hosts><host>', b'<nodes/>',
                     b'<hosts/>', b'<hosts><host><colour>red</colour>'
                     b'</host></hosts>'):
            response = self.upload(data, expect_errors=True)
            self.assertEqual(400, response.status_int, data)
            fault = self.error_of(response)
            self.assertEqual('file', fault['field'])
            self.assertNotIn('root:', fault['faultstring'])
        self.assertEqual(1, dbapi.host_count(self.context))

    def test_oversized_file_is_413(self):
        self.config(max_request_body_size=2048, group='api')
        app = webtest.TestApp(sysinv_app.make_app())
        response = app.post('/v1/ihosts/bulk_add',
                            upload_files=[('file', 'h.xml', b' ' * 4096)],
                            expect_errors=True)
        self.assertEqual(413, response.status_int)

    def test_missing_file_part_is_400(self):
        response = self.app.post('/v1/ihosts/bulk_add', {'other': 'x'},
                                 expect_errors=True)
        self.assertEqual(400, response.status_int)
        self.assertEqual('file', self.error_of(response)['field'])

    def test_refused_on_simplex_and_without_enabled_controller(self):
        dbapi.host_update(self.context, self.controller['id'],
                          {'operational': states.DISABLED})
        response = self.upload(GOOD, expect_errors=True)
        self.assertEqual(409, response.status_int)
        self.assertIn('unlocked, enabled controller',
                      self.error_of(response)['faultstring'])
        dbapi.system_update(self.context, self.system['uuid'],
                            {'system_mode': states.SYSTEM_MODE_SIMPLEX})
        response = self.upload(GOOD, expect_errors=True)
        self.assertEqual(409, response.status_int)
        self.assertIn('simplex', self.error_of(response)['faultstring'])
