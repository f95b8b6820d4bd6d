"""The sm service: a model reload refused keeps the running model; what
a controller learns of its silent peer over RPC.
"""

from unittest import mock

import fixtures
from oslo_config import fixture as config_fixture
import testtools

from stx.common import exception
from stx.conf import CONF
from stx.sm import reach
from stx.sm import service


class Engine:

    def __init__(self):
        self.models = []

    def reload(self, model):
        self.models.append(model)


class TestReload(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.path = self.useFixture(fixtures.TempDir()).join('model.yaml')
        self.svc = service.SMService()
        self.svc.engine = Engine()
        self.conf.config(model_file=self.path, group='sm')
        self.log = self.useFixture(fixtures.FakeLogger())

    def test_a_valid_model_is_taken(self):
        with open(self.path, 'w') as f:
            f.write(VALID)
        self.assertTrue(self.svc.reload())
        [model] = self.svc.engine.models
        self.assertEqual(['core'], list(model.groups))

    def test_an_invalid_model_is_refused_and_logged(self):
        with open(self.path, 'w') as f:
            f.write(VALID.replace('dependencies: [ip]', 'dependencies: [db]'))
        self.assertFalse(self.svc.reload())
        self.assertEqual([], self.svc.engine.models)
        self.assertIn('Model not reloaded, keeping the running one: %s: '
                      'services[daemon].dependencies[0]: unknown service '
                      "'db'" % self.path, self.log.output)


VALID = '''
domain: {name: controller}
service_groups:
  - name: core
    redundancy_model: 1+1
    services:
      - {name: ip, failure_impact: critical}
      - {name: daemon, failure_impact: critical}
services:
  - name: ip
    actions: &actions
      enable: {type: command, command: ["true"]}
      disable: {type: command, command: ["true"]}
  - name: daemon
    actions: *actions
    dependencies: [ip]
'''


class TestAskPeer(testtools.TestCase):
    """What a controller learns of its silent peer over RPC."""

    def setUp(self):
        super().setUp()
        self.useFixture(config_fixture.Config(CONF))
        self.useFixture(fixtures.FakeLogger())

    def test_the_peer_s_score_and_groups_from_its_own_description(self):
        state = {
            'nodes': [{'name': 'controller-0', 'reachability': {
                'reached': 2, 'total': 3, 'unreached': ['worker-1']}},
                {'name': 'controller-1'}],
            'services': [
                {'name': 'ip', 'node': 'controller-0',
                 'service_group': 'core', 'state': 'enabled-go-standby'},
                {'name': 'web', 'node': 'controller-0',
                 'service_group': 'oam', 'state': 'enabled-standby'},
                {'name': 'web', 'node': 'controller-1',
                 'service_group': 'oam', 'state': 'enabled-active'}]}
        with mock.patch.object(service.rpcapi, 'SMAPI') as api:
            get_state = api.return_value.get_state
            get_state.return_value = state
            word = service.ask_peer('controller-0')
        self.assertEqual({'score': reach.Score(2, 3, ['worker-1']),
                          'holding': ['core']}, word)
        self.assertEqual(('controller-0', 1.0), (
            get_state.call_args.kwargs['node'],
            get_state.call_args.kwargs['timeout']))

    def test_no_answer_is_none(self):
        with mock.patch.object(service.rpcapi, 'SMAPI') as api:
            api.return_value.get_state.side_effect = \
                exception.ServiceUnavailable(service='stx-sm',
                                             reason='no answer')
            self.assertIsNone(service.ask_peer('controller-0'))

    def test_a_peer_without_a_score(self):
        word = service.peer_word({'nodes': [{'name': 'controller-0',
                                             'reachability': None}],
                                  'services': []}, 'controller-0')
        self.assertEqual({'score': None, 'holding': []}, word)
