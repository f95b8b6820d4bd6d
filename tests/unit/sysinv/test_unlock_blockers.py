"""stx.sysinv.validation.unlock_blockers: every reason at once."""

from stx.common import states
from stx.sysinv.conductor import bootstrap
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import inventory_api
from stx.sysinv import validation
from tests.unit import base
from tests.unit.sysinv import base as sysinv_base


class TestUnlockBlockers(base.TestCase):

    def setUp(self):
        super().setUp()
        _system, controller = bootstrap.ensure_system(self.context)
        self.controller = dbapi.host_update(
            self.context, controller['id'], {'administrative': states.LOCKED})

    def blockers(self, host=None):
        host = dbapi.host_get(self.context, (host or self.controller)['id'])
        return validation.unlock_blockers(self.context, host)

    def test_host_with_inventory_and_defaults_can_unlock(self):
        sysinv_base.store_inventory(self.context, self.controller)
        self.assertEqual([], self.blockers())

    def test_no_inventory_reported_yet(self):
        self.assertEqual(['no cpus are in its inventory yet'],
                         self.blockers())

    def test_discovered_host_lists_every_reason(self):
        host = dbapi.host_create(self.context, {
            'mgmt_mac': '52:54:00:00:00:01',
            'invprovision': states.UNPROVISIONED,
            'administrative': states.LOCKED})
        reasons = self.blockers(host)
        self.assertEqual(3, len(reasons), reasons)
        self.assertIn('no personality', reasons[0])
        self.assertIn('unprovisioned', reasons[1])
        self.assertIn('no cpus', reasons[2])

    def test_no_platform_core(self):
        sysinv_base.store_inventory(self.context, self.controller, 'edge')
        inventory_api.cpu_functions_update(
            self.context, self.controller['id'],
            lambda host, cpus: {cpu['cpu']: states.CPU_FUNCTION_APPLICATION
                                for cpu in cpus})
        reasons = self.blockers()
        self.assertEqual(1, len(reasons), reasons)
        self.assertIn('no core is assigned to the platform', reasons[0])

    def test_hugepages_over_the_node_memory(self):
        sysinv_base.store_inventory(self.context, self.controller, 'edge')
        memory = inventory_api.memory_list(self.context,
                                           self.controller['id'])[0]
        # 16,384 MiB less the controller's 8,000: 8,384 MiB for pages.
        inventory_api.memory_update(self.context, memory['uuid'],
                                    lambda host, row: {
                                        'vm_hugepages_nr_1G_pending': 8,
                                        'vm_hugepages_nr_2M_pending': 97})
        reasons = self.blockers()
        self.assertEqual(1, len(reasons), reasons)
        self.assertIn('8386 MiB of huge pages', reasons[0])
        self.assertIn('processor 0', reasons[0])
        inventory_api.memory_update(self.context, memory['uuid'],
                                    lambda host, row: {
                                        'vm_hugepages_nr_2M_pending': 96})
        self.assertEqual([], self.blockers())

    def test_reservation_follows_the_configured_options(self):
        self.config(platform_reserved_mib_controller_node0=4000,
                    group='sysinv')
        sysinv_base.store_inventory(self.context, self.controller)
        self.assertEqual([4000, 1000], [
            row['platform_reserved_mib'] for row in
            inventory_api.memory_list(self.context, self.controller['id'])])
