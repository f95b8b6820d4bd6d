"""The sm service: a model reload refused keeps the running model."""

import fixtures
from oslo_config import fixture as config_fixture
import testtools

from stx.conf import CONF
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
