"""What a reinstall changes of a host's records (host_reinstalling).

worker-0 holds the ``server`` fixture's inventory, reported through the
conductor, and its operator's configuration (two platform cores, a label,
a data interface), applied by its agent: a recording agent endpoint. A
conductor of the test's own is called directly; the last class goes
through RPC to the shared test conductor.
"""

import oslo_messaging as messaging

from stx.common import exception
from stx.common import states
from stx.sysinv.conductor import bootstrap
from stx.sysinv.conductor import rpcapi
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import interfaces_api
from stx.sysinv.db import inventory_api
from stx.sysinv import nodal
from stx.sysinv import validation
from tests.unit import base
from tests.unit.sysinv import base as sysinv_base
from tests.unit.sysinv.conductor import test_config
from tests.unit.sysinv.conductor import test_inventory

PLATFORM_2 = [{'function': 'platform', 'sockets': [{'0': 2}]}]


class TestHostReinstalling(test_inventory.ConductorTestCase):

    def setUp(self):
        super().setUp()
        self.server = sysinv_base.collect('server')
        host = self.add_worker()
        self.report(host, self.server)
        self.agent = test_config.serve_agent(self, host['uuid'])
        uuid = host['uuid']
        self.conductor.update_cpu_functions(self.context, uuid, PLATFORM_2)
        self.conductor.assign_labels(self.context, uuid,
                                     {'sriov': 'enabled'})
        self.conductor.create_interface(self.context, uuid, {
            'ifname': 'data0', 'iftype': 'ethernet', 'ports': ['eno2']})
        self.target = self.current(host)['config_target']
        self.conductor.iconfig_update_by_ihost(self.context, uuid,
                                               self.target)
        self.host = self.current(host)

    def current(self, host=None):
        return dbapi.host_get(self.context, (host or self.host)['id'])

    def configuration(self):
        """The operator's configuration of the host, as stored."""
        host_id = self.host['id']
        return {
            'cpus': nodal.core_counts(inventory_api.cpu_list(self.context,
                                                             host_id)),
            'labels': [(row['label_key'], row['label_value']) for row in
                       interfaces_api.label_list(self.context, host_id)],
            'interfaces': [(row['ifname'], row['uuid']) for row in
                           interfaces_api.interface_list(self.context,
                                                         host_id)]}

    def test_host_is_provisioning_with_no_configuration_applied(self):
        self.assertEqual((states.PROVISIONED, self.target, None),
                         (self.host['invprovision'],
                          self.host['config_applied'],
                          self.host['config_status']))

        returned = self.conductor.host_reinstalling(self.context,
                                                    self.host['uuid'])

        host = self.current()
        self.assertEqual(states.PROVISIONING, host['invprovision'])
        self.assertIsNone(host['config_applied'])
        self.assertEqual(self.target, host['config_target'])
        self.assertEqual(states.CONFIG_STATUS_OUT_OF_DATE,
                         host['config_status'])
        self.assertNotIn('bm_password', returned)
        self.assertEqual((host['uuid'], states.PROVISIONING),
                         (returned['uuid'], returned['invprovision']))
        self.assertIsInstance(returned['updated_at'], str)

    def test_inventory_and_operator_configuration_are_kept(self):
        inventory = self.stored(self.host)
        configuration = self.configuration()
        self.assertEqual([('sriov', 'enabled')], configuration['labels'])
        self.assertEqual(['data0'], [ifname for ifname, _uuid in
                                     configuration['interfaces']])

        self.conductor.host_reinstalling(self.context, self.host['uuid'])

        self.assertEqual(inventory, self.stored(self.host))
        self.assertEqual(configuration, self.configuration())

    def test_unlock_is_blocked_until_the_agent_reports_again(self):
        self.conductor.host_reinstalling(self.context, self.host['uuid'])
        blockers = validation.unlock_blockers(self.context, self.current())
        self.assertEqual(['the host is provisioning: its agent has not '
                          'reported inventory yet'], blockers)

    def test_whole_report_of_the_new_agent_provisions_it_again(self):
        configuration = self.configuration()
        self.assertEqual(2, configuration['cpus'][0][
            states.CPU_FUNCTION_PLATFORM])
        self.conductor.host_reinstalling(self.context, self.host['uuid'])

        self.report(self.host, self.server)

        host = self.current()
        self.assertEqual(states.PROVISIONED, host['invprovision'])
        self.assertEqual([], validation.unlock_blockers(self.context, host))
        # The report brings the same hardware: the operator's cpu
        # functions, labels and interfaces stay.
        self.assertEqual(configuration, self.configuration())
        self.assertEqual([2, 32, 2, 3, 4, 2], self.counts(self.host))

    def test_new_agent_without_configuration_is_sent_it_again(self):
        sent = len(self.agent.wait_for(2))
        self.conductor.host_reinstalling(self.context, self.host['uuid'])

        # The reinstalled host's agent starts with no configuration.
        self.conductor.iconfig_update_by_ihost(self.context,
                                               self.host['uuid'], None)

        received = self.agent.wait_for(sent + 1)
        self.assertEqual(self.target, received[-1][1]['config_uuid'])
        self.conductor.iconfig_update_by_ihost(self.context,
                                               self.host['uuid'], self.target)
        host = self.current()
        self.assertEqual((self.target, None), (host['config_applied'],
                                               host['config_status']))

    def test_unlocked_host_is_refused_and_unchanged(self):
        error = self.assertRaises(exception.InvalidStateTransition,
                                  self.conductor.host_reinstalling,
                                  self.context, self.controller['uuid'])
        self.assertEqual('administrative', error.field)
        self.assertIn('lock it first', str(error))
        self.assertEqual(self.controller,
                         dbapi.host_get(self.context,
                                        self.controller['uuid']))

    def test_host_without_personality_stays_unprovisioned(self):
        host = self.conductor.discover_ihost(self.context,
                                             [test_inventory.NEW_MAC])
        returned = self.conductor.host_reinstalling(self.context,
                                                    host['uuid'])
        self.assertEqual(states.UNPROVISIONED, returned['invprovision'])

    def test_unknown_host_is_not_found(self):
        self.assertRaises(exception.HostNotFound,
                          self.conductor.host_reinstalling, self.context,
                          'worker-9')


class TestMtceHosts(test_inventory.ConductorTestCase):

    def test_heartbeat_address_and_config_status_reach_maintenance(self):
        host = self.add_worker()
        self.conductor.update_host(self.context, host['uuid'], {
            'mgmt_ip': '192.168.204.10', 'cluster_host_ip': '192.168.206.10'})
        [mtce_host] = self.conductor.get_mtce_hosts(self.context,
                                                    host['uuid'])
        self.assertEqual(('192.168.204.10', '192.168.206.10', None),
                         (mtce_host['mgmt_ip'], mtce_host['cluster_host_ip'],
                          mtce_host['config_status']))


class TestHostReinstallingRPC(base.TestCase):
    """stx-mtce's call through rpcapi to the shared test conductor."""

    def setUp(self):
        super().setUp()
        self.config(rpc_timeout=5, group='sysinv')
        self.useFixture(base.ConductorFixture())
        _system, controller = bootstrap.ensure_system(self.context)
        self.host = sysinv_base.lock(self.context, controller)
        sysinv_base.store_inventory(self.context, self.host)
        self.api = rpcapi.ConductorAPI()

    def test_host_reinstalling_over_rpc(self):
        host = self.api.host_reinstalling(self.context, self.host['uuid'])
        self.assertEqual(states.PROVISIONING, host['invprovision'])
        self.assertNotIn('bm_password', host)

    def test_refusal_reaches_maintenance_as_itself(self):
        dbapi.host_update(self.context, self.host['id'],
                          {'administrative': states.UNLOCKED})
        error = self.assertRaises(exception.InvalidStateTransition,
                                  self.api.host_reinstalling, self.context,
                                  self.host['uuid'])
        self.assertEqual('administrative', error.field)

    def test_capped_client_cannot_call_1_6(self):
        self.config(sysinv_conductor='1.5', group='upgrade_levels')
        self.assertRaises(messaging.RPCVersionCapError,
                          rpcapi.ConductorAPI().host_reinstalling,
                          self.context, self.host['uuid'])
