"""What a reinstall changes of a host's records (host_reinstalling), and
what maintenance stores of a host (update_host_state, get_mtce_hosts).

worker-0 holds the ``server`` fixture's inventory, reported through the
conductor, and its operator's configuration (two platform cores, a label,
a data interface), applied by its agent: a recording agent endpoint. A
conductor of the test's own is called directly; the RPC classes go
through RPC to the shared test conductor.
"""

import fixtures
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


# What maintenance writes after an automatic action.
BMC_RESET = ('2026-11-22T04:10:11Z BMC reset of worker-0 (attempt 1 of 2): '
             'it did not answer 5 reboot requests; heartbeat silent on mgmt '
             'and cluster-host since 04:09:58 (10 missed pulses each); the '
             'BMC confirmed the reset')


class TestLastMaintenanceAction(test_inventory.ConductorTestCase):

    def setUp(self):
        super().setUp()
        self.host = self.add_worker()

    def update(self, values, expected=None):
        return self.conductor.update_host_state(
            self.context, self.host['uuid'], values, expected)

    def stored(self):
        return dbapi.host_get(self.context, self.host['id'])

    def test_stored_alone_and_given_to_maintenance(self):
        returned = self.update({'last_maintenance_action': BMC_RESET})

        self.assertEqual(BMC_RESET, returned['last_maintenance_action'])
        host = self.stored()
        self.assertEqual(BMC_RESET, host['last_maintenance_action'])
        self.assertEqual(
            (self.host['administrative'], self.host['operational'],
             self.host['availability'], self.host['task']),
            (host['administrative'], host['operational'],
             host['availability'], host['task']))
        [one] = self.conductor.get_mtce_hosts(self.context,
                                              self.host['uuid'])
        self.assertEqual(BMC_RESET, one['last_maintenance_action'])
        every = {host['hostname']: host['last_maintenance_action'] for host
                 in self.conductor.get_mtce_hosts(self.context)}
        self.assertEqual({'controller-0': None, 'worker-0': BMC_RESET},
                         every)

    def test_stored_with_the_state_change_it_explains(self):
        self.update({'availability': states.OFFLINE, 'task': 'Rebooting',
                     'last_maintenance_action': BMC_RESET})
        host = self.stored()
        self.assertEqual((states.OFFLINE, 'Rebooting', BMC_RESET),
                         (host['availability'], host['task'],
                          host['last_maintenance_action']))

    def test_a_state_change_alone_keeps_it(self):
        self.update({'last_maintenance_action': BMC_RESET})
        self.update({'availability': states.ONLINE, 'task': ''})
        self.assertEqual(BMC_RESET, self.stored()['last_maintenance_action'])

    def test_empty_text_and_none_clear_it(self):
        for cleared in ('', None):
            with self.subTest(value=cleared):
                self.update({'last_maintenance_action': BMC_RESET})
                returned = self.update({'last_maintenance_action': cleared})
                self.assertIsNone(returned['last_maintenance_action'])
                self.assertIsNone(self.stored()['last_maintenance_action'])

    def test_longest_text_is_stored_whole(self):
        longest = BMC_RESET + 'x' * (2048 - len(BMC_RESET))
        self.update({'last_maintenance_action': longest})
        self.assertEqual(longest, self.stored()['last_maintenance_action'])

    def test_too_long_or_not_text_refused_naming_it(self):
        self.update({'last_maintenance_action': BMC_RESET})
        before = self.stored()
        for value, reason in (('x' * 2049, '2049 characters; at most 2048'),
                              (5, 'must be text'),
                              ([BMC_RESET], 'must be text'),
                              ({'action': 'reboot'}, 'must be text'),
                              (b'reboot', 'must be text')):
            with self.subTest(value=value):
                error = self.assertRaises(
                    exception.InvalidParameterValue, self.update,
                    {'availability': states.OFFLINE,
                     'last_maintenance_action': value})
                self.assertEqual('values.last_maintenance_action',
                                 error.field)
                self.assertIn(reason, str(error))
        # Nothing of a refused update is stored, not even its states.
        self.assertEqual(before, self.stored())

    def test_expected_value_guards_the_update(self):
        self.update({'last_maintenance_action': BMC_RESET})
        self.assertIsNone(self.update({'last_maintenance_action': ''},
                                      expected={'last_maintenance_action':
                                                'something else'}))
        self.assertEqual(BMC_RESET, self.stored()['last_maintenance_action'])
        self.update({'last_maintenance_action': None},
                    expected={'last_maintenance_action': BMC_RESET})
        self.assertIsNone(self.stored()['last_maintenance_action'])
        # '' expects it cleared, as '' clears it.
        self.assertIsNotNone(self.update(
            {'task': ''}, expected={'last_maintenance_action': ''}))

    def test_operators_cannot_set_it(self):
        error = self.assertRaises(exception.UnknownField,
                                  self.conductor.update_host, self.context,
                                  self.host['uuid'],
                                  {'last_maintenance_action': BMC_RESET})
        self.assertEqual('last_maintenance_action', error.field)
        self.assertIsNone(self.stored()['last_maintenance_action'])


class TestLastMaintenanceActionRPC(base.TestCase):
    """stx-mtce's update_host_state through rpcapi (1.7)."""

    def setUp(self):
        super().setUp()
        self.config(rpc_timeout=5, group='sysinv')
        self.useFixture(base.ConductorFixture())
        _system, self.host = bootstrap.ensure_system(self.context)

    def stored(self):
        return dbapi.host_get(self.context, self.host['id'])

    def test_stored_over_rpc(self):
        host = rpcapi.ConductorAPI().update_host_state(
            self.context, self.host['uuid'],
            {'last_maintenance_action': BMC_RESET})
        self.assertEqual(BMC_RESET, host['last_maintenance_action'])
        self.assertEqual(BMC_RESET, self.stored()['last_maintenance_action'])

    def test_refusal_reaches_maintenance_naming_the_field(self):
        error = self.assertRaises(
            exception.InvalidParameterValue,
            rpcapi.ConductorAPI().update_host_state, self.context,
            self.host['uuid'], {'last_maintenance_action': 'x' * 2049})
        self.assertEqual('values.last_maintenance_action', error.field)

    def test_capped_client_stores_the_states_and_logs_the_action(self):
        self.config(sysinv_conductor='1.6', group='upgrade_levels')
        logs = self.useFixture(fixtures.FakeLogger(
            name='stx.sysinv.conductor.rpcapi'))
        values = {'task': 'Rebooting', 'last_maintenance_action': BMC_RESET}
        host = rpcapi.ConductorAPI().update_host_state(
            self.context, self.host['uuid'], values)
        self.assertEqual(('Rebooting', None),
                         (host['task'], host['last_maintenance_action']))
        self.assertIn('last_maintenance_action not stored', logs.output)
        self.assertIn(BMC_RESET, logs.output)
        # The caller's dict is left as it was.
        self.assertEqual(BMC_RESET, values['last_maintenance_action'])

    def test_capped_client_sends_states_alone_at_1_5(self):
        self.config(sysinv_conductor='1.5', group='upgrade_levels')
        host = rpcapi.ConductorAPI().update_host_state(
            self.context, self.host['uuid'], {'task': 'Rebooting'})
        self.assertEqual('Rebooting', host['task'])


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
