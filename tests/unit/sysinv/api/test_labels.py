"""Host labels through the API: POST /v1/labels/<host uuid>,
GET /v1/ihosts/<host>/labels, GET and DELETE /v1/labels/<uuid>.
"""

from stx.sysinv.db import api as dbapi
from stx.sysinv.db import interfaces_api
from tests.unit import base

HOST = 'controller-0'


class TestLabels(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        _system, self.controller = self.make_system()

    def assign(self, labels, overwrite=None, host=None, expect_errors=False):
        url = '/v1/labels/%s' % (host or self.controller['uuid'])
        if overwrite is not None:
            url += '?overwrite=%s' % overwrite
        return self.app.post_json(url, labels, expect_errors=expect_errors)

    def stored(self):
        return {row['label_key']: row['label_value']
                for row in interfaces_api.label_list(self.context,
                                                     self.controller['id'])}

    def assertRefused(self, response, status, field, code):
        self.assertEqual(status, response.status_int, response.body)
        fault = self.error_of(response)
        self.assertEqual(field, fault['field'], fault)
        self.assertEqual(code, fault['code'])
        return fault

    def test_assign_answers_the_labels_and_lists_them(self):
        response = self.assign({'sriov': 'enabled',
                                'kubernetes.io/role': 'edge',
                                'empty': ''})
        labels = response.json['labels']
        self.assertEqual(['sriov', 'kubernetes.io/role', 'empty'],
                         [label['label_key'] for label in labels])
        self.assertEqual({'sriov': 'enabled', 'kubernetes.io/role': 'edge',
                          'empty': ''}, self.stored())
        label = labels[0]
        self.assertEqual(self.controller['uuid'], label['host_uuid'])
        self.assertEqual(HOST, label['hostname'])
        self.assertTrue(label['links'][0]['href'].endswith(
            '/v1/labels/' + label['uuid']))
        listed = self.app.get('/v1/ihosts/%s/labels' % HOST).json['labels']
        self.assertEqual(['empty', 'kubernetes.io/role', 'sriov'],
                         [row['label_key'] for row in listed])
        one = self.app.get('/v1/labels/%s' % label['uuid']).json
        self.assertEqual(('sriov', 'enabled'),
                         (one['label_key'], one['label_value']))

    def test_existing_key_refused_without_overwrite(self):
        self.assign({'sriov': 'enabled'})
        for overwrite in (None, 'False'):
            fault = self.assertRefused(
                self.assign({'new': 'x', 'sriov': 'disabled'},
                            overwrite=overwrite, expect_errors=True),
                409, 'sriov', 'stx.label.duplicate')
            self.assertIn('sriov', fault['faultstring'])
        # Nothing stored: not even the new key before it.
        self.assertEqual({'sriov': 'enabled'}, self.stored())

    def test_overwrite_changes_the_value_keeps_the_uuid(self):
        first = self.assign({'sriov': 'enabled'}).json['labels'][0]
        second = self.assign({'sriov': 'disabled', 'x': 'y'},
                             overwrite='True').json['labels']
        self.assertEqual(first['uuid'], second[0]['uuid'])
        self.assertEqual({'sriov': 'disabled', 'x': 'y'}, self.stored())

    def test_bad_keys_and_values_refused_naming_them(self):
        self.assign({'kept': 'yes'})
        for labels, field in (
                ({'ok': 'a', 'bad key': 'v'}, 'bad key'),
                ({'k' * 64: 'v'}, 'k' * 64),
                ({'-leading': 'v'}, '-leading'),
                ({'Upper.Case/name': 'v'}, 'Upper.Case/name'),
                ({'/name': 'v'}, '/name'),
                ({'prefix.io/': 'v'}, 'prefix.io/'),
                ({'': 'v'}, ''),
                ({'good': 'v' * 64}, 'good'),
                ({'good': 'has space'}, 'good'),
                ({'good': 5}, 'good'),
                ({'good': None}, 'good')):
            with self.subTest(labels=labels):
                self.assertRefused(self.assign(labels, expect_errors=True),
                                   400, field, 'stx.invalid.value')
        self.assertEqual({'kept': 'yes'}, self.stored())

    def test_body_must_be_labels(self):
        for body in ({}, ['a=b']):
            self.assertRefused(self.assign(body, expect_errors=True),
                               400, 'body', 'stx.invalid.value')
        self.assertRefused(self.assign({'a': 'b'}, overwrite='maybe',
                                       expect_errors=True),
                           400, 'overwrite', 'stx.invalid.value')
        self.assertEqual({}, self.stored())

    def test_label_named_overwrite_is_a_label(self):
        self.assign({'overwrite': 'x'})
        self.assertEqual({'overwrite': 'x'}, self.stored())

    def test_unknown_host_and_label(self):
        response = self.assign({'a': 'b'}, host='worker-9',
                               expect_errors=True)
        self.assertEqual(404, response.status_int)
        for method in (self.app.get, self.app.delete):
            response = method('/v1/labels/%s' % ('0' * 8 + '-0000-0000-'
                                                 '0000-' + '0' * 12),
                              expect_errors=True)
            self.assertEqual(404, response.status_int)
            self.assertEqual('stx.label.not_found',
                             self.error_of(response)['code'])
        response = self.app.get('/v1/ihosts/worker-9/labels',
                                expect_errors=True)
        self.assertEqual(404, response.status_int)

    def test_delete_removes_one_label(self):
        labels = self.assign({'a': '1', 'b': '2'}).json['labels']
        response = self.app.delete('/v1/labels/%s' % labels[0]['uuid'])
        self.assertEqual(204, response.status_int)
        self.assertEqual({'b': '2'}, self.stored())

    def test_labels_go_with_their_host(self):
        self.assign({'a': '1'})
        dbapi.host_destroy(self.context, self.controller['id'])
        self.assertEqual([], interfaces_api.label_list(self.context))
