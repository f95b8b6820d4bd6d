"""The plugin actions of the packaged models."""

import fixtures
import testtools

from stx.common import service
from stx.drivers import loader
from stx.sm import model
from stx.sm.plugins import inprocess


class TestInProcessService(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch(
            'stx.common.service.RUNNING', {}))
        self.plugin = inprocess.InProcessService()

    def test_a_running_service_is_enabled_and_passes_its_audit(self):
        service.RUNNING['fm'] = object()
        self.plugin.enable('fm')
        self.plugin.audit('fm')

    def test_a_service_not_running_here_fails(self):
        for action in (self.plugin.enable, self.plugin.audit):
            error = self.assertRaises(inprocess.NotRunning, action, 'fm')
            self.assertEqual('fm is not running in this process', str(error))

    def test_the_aio_model_names_the_installed_services(self):
        aio = model.load(model.packaged(model.AIO))
        group, = aio.groups.values()
        self.assertEqual(('controller-services', 'N', 1, 0),
                         (group.name, group.redundancy_model,
                          group.n_active, group.m_standby))
        self.assertEqual(['fm', 'sysinv', 'mtce'], aio.start_order())
        installed = loader.list_installed(loader.SERVICES_NAMESPACE)
        self.assertEqual(set(installed) - {'sm'}, set(aio.services))
        for spec in aio.services.values():
            self.assertEqual({'enable', 'disable', 'audit'},
                             set(spec.actions))
