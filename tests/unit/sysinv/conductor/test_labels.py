"""assign_labels and remove_label, called on a conductor and over RPC."""

import oslo_messaging as messaging

from stx.common import exception
from stx.sysinv.conductor import bootstrap
from stx.sysinv.conductor import rpcapi
from stx.sysinv.db import interfaces_api
from stx.sysinv import labels
from tests.unit import base
from tests.unit.sysinv.conductor import test_inventory


class TestLabels(test_inventory.ConductorTestCase):

    def stored(self):
        return {row['label_key']: row['label_value']
                for row in interfaces_api.label_list(self.context,
                                                     self.controller['id'])}

    def assign(self, labels, overwrite=False):
        return self.conductor.assign_labels(
            self.context, self.controller['uuid'], labels, overwrite)

    def test_assign_returns_rows_in_the_order_given(self):
        rows = self.assign({'b': '2', 'a': '1'})
        self.assertEqual(['b', 'a'], [row['label_key'] for row in rows])
        self.assertIsInstance(rows[0]['created_at'], str)
        self.assertEqual({'a': '1', 'b': '2'}, self.stored())

    def test_refusals_store_nothing(self):
        self.assign({'kept': 'yes'})
        for request, error, field in (
                ({'new': '1', 'kept': 'no'}, exception.LabelAlreadyExists,
                 'kept'),
                ({'new': '1', 'bad/key/x': 'v'},
                 exception.InvalidParameterValue, 'bad/key/x'),
                ({'new': '1', 'v': '!'}, exception.InvalidParameterValue,
                 'v'),
                ({}, exception.InvalidParameterValue, 'body')):
            with self.subTest(request=request):
                raised = self.assertRaises(error, self.assign, request)
                self.assertEqual(field, raised.field)
        self.assertEqual({'kept': 'yes'}, self.stored())

    def test_overwrite(self):
        self.assign({'kept': 'yes'})
        self.assign({'kept': 'no'}, overwrite=True)
        self.assertEqual({'kept': 'no'}, self.stored())

    def test_unknown_host(self):
        self.assertRaises(exception.HostNotFound,
                          self.conductor.assign_labels, self.context,
                          'worker-9', {'a': 'b'})

    def test_remove(self):
        rows = self.assign({'a': '1', 'b': '2'})
        removed = self.conductor.remove_label(self.context, rows[0]['uuid'])
        self.assertEqual('a', removed['label_key'])
        self.assertEqual({'b': '2'}, self.stored())
        self.assertRaises(exception.LabelNotFound,
                          self.conductor.remove_label, self.context,
                          rows[0]['uuid'])


class TestLabelRules(base.TestCase):

    def test_keys(self):
        for key in ('a', 'A-b_c.d', 'k' * 63, 'example.com/x',
                    'node-role.kubernetes.io/worker'):
            self.assertIsNone(labels.key_problem(key), key)
        for key in ('', 'k' * 64, '-a', 'a-', 'a b', 'Ex.com/x', '/x',
                    'x/', 'a..b/x', 'a/b/c', ('p' * 64) + '.io/x', 5):
            self.assertIsNotNone(labels.key_problem(key), key)

    def test_values(self):
        for value in ('', 'v', 'v' * 63, 'a.b-c_d'):
            self.assertIsNone(labels.value_problem(value), value)
        for value in ('v' * 64, '-v', 'a b', None, 3):
            self.assertIsNotNone(labels.value_problem(value), value)


class TestLabelsRPC(base.TestCase):

    def setUp(self):
        super().setUp()
        self.config(rpc_timeout=5, group='sysinv')
        self.useFixture(base.ConductorFixture())
        _system, self.host = bootstrap.ensure_system(self.context)
        self.api = rpcapi.ConductorAPI()

    def test_calls_and_refusals_cross_rpc(self):
        rows = self.api.assign_labels(self.context, self.host['uuid'],
                                      {'a': '1'})
        error = self.assertRaises(exception.LabelAlreadyExists,
                                  self.api.assign_labels, self.context,
                                  self.host['uuid'], {'a': '2'})
        self.assertEqual('a', error.field)
        self.api.remove_label(self.context, rows[0]['uuid'])
        self.assertEqual([], interfaces_api.label_list(self.context))

    def test_capped_client_cannot_call_1_4(self):
        self.config(sysinv_conductor='1.3', group='upgrade_levels')
        self.assertRaises(messaging.RPCVersionCapError,
                          rpcapi.ConductorAPI().assign_labels,
                          self.context, self.host['uuid'], {'a': 'b'})
