"""The service-management model: the shipped file and every check."""

import copy
import os
import textwrap

import fixtures
from oslo_config import fixture as config_fixture
import testtools
import yaml

from stx.conf import CONF
from stx.sm import model

SOURCE = 'test.yaml'
COMMAND = {'type': 'command', 'command': ['true']}


def valid():
    """The smallest model that uses every part of the format."""
    return {
        'domain': {'name': 'controller'},
        'service_groups': [
            {'name': 'core', 'redundancy_model': '1+1',
             'services': [{'name': 'address', 'failure_impact': 'critical'},
                          {'name': 'daemon', 'failure_impact': 'major'}]},
            {'name': 'web', 'redundancy_model': 'N', 'n_active': 2,
             'services': [{'name': 'server', 'failure_impact': 'minor'}]},
        ],
        'services': [
            {'name': 'address',
             'actions': {'enable': {'type': 'plugin',
                                    'plugin': 'stx.sm.fake:Address'},
                         'disable': {'type': 'plugin',
                                     'plugin': 'stx.sm.fake:Address'}}},
            {'name': 'daemon',
             'actions': {'enable': dict(COMMAND), 'disable': dict(COMMAND),
                         'audit': dict(COMMAND)},
             'dependencies': ['address']},
            {'name': 'server',
             'actions': {'enable': {'type': 'systemd', 'unit': 'web.service'},
                         'disable': {'type': 'systemd',
                                     'unit': 'web.service'}}},
        ],
    }


def loads(document):
    return model.loads(yaml.safe_dump(document), SOURCE)


class TestPackagedModel(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.model = model.load()

    def test_has_the_controller_domain_and_groups(self):
        self.assertEqual(('controller', 200, 800, 2000, None, 5000),
                         self.model.domain)
        self.assertEqual(['controller-services', 'oam-services'],
                         list(self.model.groups))
        controller = self.model.groups['controller-services']
        self.assertEqual(('1+1', 1, 1, 300000),
                         (controller.redundancy_model, controller.n_active,
                          controller.m_standby,
                          controller.failure_debounce_ms))
        self.assertEqual(
            [('management-ip', 'critical'), ('sysinv-conductor', 'critical'),
             ('sysinv-api', 'critical'), ('fm-manager', 'critical'),
             ('fm-api', 'critical'), ('mtce', 'critical')],
            list(controller.members))
        self.assertEqual([('oam-ip', 'critical')],
                         list(self.model.groups['oam-services'].members))

    def test_daemons_run_through_the_process_plugin(self):
        for name in ('sysinv-conductor', 'sysinv-api', 'fm-manager',
                     'fm-api', 'mtce'):
            service = self.model.services[name]
            self.assertEqual(2, service.max_failures)
            self.assertEqual(['enable', 'disable', 'audit'],
                             list(service.actions))
            self.assertEqual({'stx.sm.plugins.process:ProcessAction'},
                             {action.plugin
                              for action in service.actions.values()})
        address = self.model.services['management-ip'].actions['enable']
        self.assertEqual('stx.sm.plugins.address:FloatingAddress',
                         address.plugin)

    def test_start_order_puts_the_address_first_and_apis_after_managers(self):
        order = self.model.start_order()
        self.assertEqual('management-ip', order[0])
        self.assertEqual(sorted(self.model.services), sorted(order))
        for api, manager in (('sysinv-api', 'sysinv-conductor'),
                             ('fm-api', 'fm-manager'),
                             ('mtce', 'sysinv-conductor')):
            self.assertGreater(order.index(api), order.index(manager))

    def test_group_of_names_a_services_group(self):
        self.assertEqual('oam-services', self.model.group_of('oam-ip').name)
        self.assertEqual('controller-services',
                         self.model.group_of('mtce').name)
        self.assertRaises(KeyError, self.model.group_of, 'nova-api')


class TestLoad(testtools.TestCase):

    def test_reads_a_file(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'model.yaml')
        with open(path, 'w') as stream:
            yaml.safe_dump(valid(), stream)
        self.assertEqual(['core', 'web'], list(model.load(path).groups))

    def test_sm_model_file_option_names_the_default(self):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'operator.yaml')
        with open(path, 'w') as stream:
            yaml.safe_dump(valid(), stream)
        self.assertIn('controller-services', model.load().groups)
        self.useFixture(config_fixture.Config(CONF)).config(
            model_file=path, group='sm')
        self.assertEqual(['core', 'web'], list(model.load().groups))
        with open(path, 'a') as stream:
            stream.write('extra: 1\n')
        self.assertEqual(path, self.assertRaises(model.ModelError,
                                                 model.load).path)

    def test_unreadable_file_is_a_model_error(self):
        error = self.assertRaises(model.ModelError, model.load,
                                  '/nonexistent/model.yaml')
        self.assertEqual(('/nonexistent/model.yaml', None),
                         (error.path, error.where))
        self.assertIn('No such file', error.reason)

    def test_defaults_are_starlingx_values(self):
        loaded = loads(valid())
        self.assertEqual(('controller', 200, 800, 2000, None, 5000),
                         loaded.domain)
        core = loaded.groups['core']
        self.assertEqual((1, 1, 300000), (core.n_active, core.m_standby,
                                          core.failure_debounce_ms))
        daemon = loaded.services['daemon']
        self.assertEqual(2, daemon.max_failures)
        self.assertEqual(
            model.Action('command', command=('true',), timeout=300),
            daemon.actions['enable'])
        self.assertEqual((300, 40), (daemon.actions['audit'].timeout,
                                     daemon.actions['audit'].interval))
        self.assertEqual((), loaded.services['address'].dependencies)

    def test_n_plus_m_and_n_keep_their_counts(self):
        document = valid()
        document['service_groups'][0].update(
            redundancy_model='N+M', n_active=2, m_standby=0)
        loaded = loads(document)
        self.assertEqual((2, 0), (loaded.groups['core'].n_active,
                                  loaded.groups['core'].m_standby))
        self.assertEqual((2, 0), (loaded.groups['web'].n_active,
                                  loaded.groups['web'].m_standby))

    def test_start_order_goes_in_rounds_sorted_by_name(self):
        # address and server depend on nothing, daemon on address.
        document = valid()
        self.assertEqual(['address', 'server', 'daemon'],
                         loads(document).start_order())
        document['services'].reverse()
        self.assertEqual(['address', 'server', 'daemon'],
                         loads(document).start_order())

    def test_anchors_and_merge_keys_may_be_used(self):
        text = textwrap.dedent("""\
            domain: {name: controller}
            service_groups:
              - name: core
                redundancy_model: 1+1
                services: [{name: daemon, failure_impact: critical}]
            services:
              - name: daemon
                actions:
                  enable: &start {type: command, command: [run], timeout: 5}
                  disable: {<<: *start, command: [stop]}
            """)
        disable = model.loads(text).services['daemon'].actions['disable']
        self.assertEqual((('stop',), 5), (disable.command, disable.timeout))


class TestModelError(testtools.TestCase):
    """Each check: the place it names and its reason."""

    def setUp(self):
        super().setUp()
        self.document = valid()
        self.groups = self.document['service_groups']
        self.services = self.document['services']
        self.daemon_actions = self.services[1]['actions']

    def assertInvalid(self, where, reason, document=None):
        if document is None:
            document = yaml.safe_dump(self.document)
        error = self.assertRaises(model.ModelError, model.loads, document,
                                  SOURCE)
        self.assertEqual((SOURCE, where), (error.path, error.where))
        self.assertIn(reason, error.reason)
        return error

    def test_message_names_file_place_and_reason(self):
        self.daemon_actions['enable']['timeout'] = 0
        error = self.assertInvalid('services[daemon].actions.enable.timeout',
                                   'above 0')
        self.assertEqual('test.yaml: services[daemon].actions.enable.timeout:'
                         ' must be a number of seconds above 0, got 0',
                         str(error))
        self.assertIsInstance(error, ValueError)

    # The file as a whole.

    def test_yaml_syntax_error_names_the_line(self):
        error = self.assertInvalid('line 3, column 1', 'not valid YAML',
                                   document='domain:\n  name: [controller\n')
        self.assertIn('line 3', str(error))

    def test_duplicate_key_names_the_line(self):
        text = yaml.safe_dump(self.document) + 'services: []\n'
        self.assertInvalid('line %d, column 1' % text.count('\n'),
                           "found duplicate key 'services'", document=text)

    def test_document_must_be_a_mapping(self):
        error = self.assertInvalid(None, 'must be a mapping', document='')
        self.assertEqual('test.yaml: must be a mapping, got None', str(error))

    def test_unknown_top_level_key(self):
        self.document['nodes'] = []
        self.assertInvalid('nodes', 'unknown key')

    def test_missing_top_level_key(self):
        del self.document['services']
        self.assertInvalid('services', 'is required')

    # The domain.

    def test_unknown_domain_key(self):
        self.document['domain']['priority'] = 230
        self.assertInvalid('domain.priority', 'unknown key')

    def test_domain_interval_must_be_a_positive_integer(self):
        self.document['domain']['hello_interval_ms'] = 'fast'
        self.assertInvalid('domain.hello_interval_ms',
                           'must be an integer >= 1')

    def test_dead_interval_must_be_above_hello(self):
        self.document['domain']['dead_interval_ms'] = 200
        self.assertInvalid('domain.dead_interval_ms',
                           'must be above hello_interval_ms')

    # Service groups.

    def test_groups_must_be_a_non_empty_list(self):
        self.document['service_groups'] = []
        self.assertInvalid('service_groups', 'must be a non-empty list')

    def test_group_must_be_a_mapping(self):
        self.groups.append('web')
        self.assertInvalid('service_groups[2]', 'must be a mapping')

    def test_group_needs_a_name(self):
        del self.groups[1]['name']
        self.assertInvalid('service_groups[1].name', 'is required')

    def test_duplicate_group_name(self):
        self.groups[1]['name'] = 'core'
        self.assertInvalid('service_groups[1].name',
                           "duplicate service group name 'core'")

    def test_unknown_group_key(self):
        self.groups[0]['core'] = True
        self.assertInvalid('service_groups[core].core', 'unknown key')

    def test_unknown_redundancy_model(self):
        self.groups[0]['redundancy_model'] = 'N-to-N'
        self.assertInvalid('service_groups[core].redundancy_model',
                           "must be one of 1+1, N+M, N, got 'N-to-N'")

    def test_1_plus_1_allows_only_one_active_and_one_standby(self):
        self.groups[0]['m_standby'] = 2
        self.assertInvalid('service_groups[core].m_standby',
                           'must be 1 or left out for the 1+1 model')
        self.groups[0]['m_standby'] = 1
        self.groups[0]['n_active'] = True
        self.assertInvalid('service_groups[core].n_active',
                           'must be 1 or left out for the 1+1 model')

    def test_n_plus_m_needs_both_counts(self):
        self.groups[0].update(redundancy_model='N+M', n_active=1)
        self.assertInvalid('service_groups[core].m_standby',
                           'is required by the N+M model')
        self.groups[0]['m_standby'] = -1
        self.assertInvalid('service_groups[core].m_standby',
                           'must be an integer >= 0')
        del self.groups[0]['n_active']
        self.assertInvalid('service_groups[core].n_active',
                           'is required by the N+M model')

    def test_n_needs_n_active_and_no_standby(self):
        self.groups[1]['m_standby'] = 1
        self.assertInvalid('service_groups[web].m_standby',
                           'the N model has no standby')
        self.groups[1]['m_standby'] = 0
        self.groups[1]['n_active'] = 0
        self.assertInvalid('service_groups[web].n_active',
                           'must be an integer >= 1')
        del self.groups[1]['n_active']
        self.assertInvalid('service_groups[web].n_active',
                           'is required by the N model')

    def test_group_needs_members(self):
        self.groups[1]['services'] = []
        self.assertInvalid('service_groups[web].services',
                           'must be a non-empty list')

    def test_member_must_name_a_defined_service(self):
        self.groups[0]['services'].append(
            {'name': 'nova-api', 'failure_impact': 'critical'})
        self.assertInvalid('service_groups[core].services[2].name',
                           "unknown service 'nova-api'")

    def test_service_in_two_groups(self):
        self.groups[1]['services'].append(
            {'name': 'daemon', 'failure_impact': 'critical'})
        self.assertInvalid('service_groups[web].services[1].name',
                           "service 'daemon' is already a member of 'core'")

    def test_failure_impact_must_be_known(self):
        self.groups[0]['services'][1]['failure_impact'] = 'warning'
        self.assertInvalid(
            'service_groups[core].services[daemon].failure_impact',
            'must be one of critical, major, minor')

    def test_failure_impact_is_required(self):
        del self.groups[0]['services'][0]['failure_impact']
        self.assertInvalid(
            'service_groups[core].services[address].failure_impact',
            'is required')

    def test_service_in_no_group(self):
        del self.groups[1]
        self.assertInvalid('services[server]',
                           'is a member of no service group')

    # Services.

    def test_service_name_must_be_plain(self):
        self.services[0]['name'] = 'Address IP'
        self.assertInvalid('services[0].name',
                           'must be lower-case letters, digits')

    def test_duplicate_service_name(self):
        self.services.append(copy.deepcopy(self.services[0]))
        self.assertInvalid('services[3].name',
                           "duplicate service name 'address'")

    def test_unknown_service_key(self):
        self.services[1]['pidfile'] = '/var/run/daemon.pid'
        self.assertInvalid('services[daemon].pidfile', 'unknown key')

    def test_tie_breaker(self):
        for value, wanted in (('10.10.10.1:22', ('10.10.10.1', 22)),
                              ('[fd00::1]:443', ('fd00::1', 443))):
            self.document['domain']['tie_breaker'] = value
            self.assertEqual(wanted, model.loads(yaml.safe_dump(
                self.document)).domain.tie_breaker)
        for value in ('10.10.10.1', 'gateway:22', '10.10.10.1:0', 22):
            with self.subTest(value=value):
                self.document['domain']['tie_breaker'] = value
                self.assertInvalid('domain.tie_breaker',
                                   'must be "<ip>:<tcp port>"')

    def test_fail_pending_has_starlingx_lowest_value(self):
        self.document['domain']['fail_pending_ms'] = 1000
        self.assertInvalid('domain.fail_pending_ms',
                           'must be an integer >= 1200, got 1000')

    def test_pid_file_must_be_a_path_without_dot_dot(self):
        for value in ('../daemon.pid', 'sm/../../x.pid', '', 7):
            with self.subTest(value=value):
                self.services[1]['pid_file'] = value
                self.assertInvalid('services[daemon].pid_file',
                                   'must be a path (absolute, or under '
                                   'state_path) without ".."')

    def test_pid_file(self):
        self.services[1]['pid_file'] = '/var/run/daemon.pid'
        loaded = model.loads(yaml.safe_dump(self.document))
        self.assertEqual('/var/run/daemon.pid',
                         loaded.services['daemon'].pid_file)
        self.assertIsNone(loaded.services['address'].pid_file)

    def test_max_failures_must_be_an_integer(self):
        self.services[1]['max_failures'] = 1.5
        self.assertInvalid('services[daemon].max_failures',
                           'must be an integer >= 0')

    def test_enable_and_disable_are_required(self):
        del self.daemon_actions['disable']
        self.assertInvalid('services[daemon].actions.disable', 'is required')

    def test_unknown_action(self):
        self.daemon_actions['restart'] = dict(COMMAND)
        self.assertInvalid('services[daemon].actions.restart',
                           'unknown key; expected one of enable, disable, '
                           'go-active, go-standby, audit')

    def test_action_needs_a_known_type(self):
        self.daemon_actions['enable']['type'] = 'ocf-script'
        self.assertInvalid('services[daemon].actions.enable.type',
                           'must be one of command, systemd, plugin')
        del self.daemon_actions['enable']['type']
        self.assertInvalid('services[daemon].actions.enable.type',
                           'is required')

    def test_command_must_be_a_non_empty_list_of_strings(self):
        enable = self.daemon_actions['enable']
        for command in ('true', []):
            enable['command'] = command
            self.assertInvalid('services[daemon].actions.enable.command',
                               'must be a non-empty list of strings')
        enable['command'] = ['sleep', 10]
        self.assertInvalid('services[daemon].actions.enable.command[1]',
                           'must be a non-empty string')

    def test_systemd_action_needs_a_unit(self):
        del self.services[2]['actions']['enable']['unit']
        self.assertInvalid('services[server].actions.enable.unit',
                           'is required')

    def test_plugin_must_be_module_and_class(self):
        self.services[0]['actions']['enable']['plugin'] = 'stx.sm.Address'
        self.assertInvalid('services[address].actions.enable.plugin',
                           'must be "module.path:ClassName"')

    def test_key_of_another_action_type_is_unknown(self):
        self.daemon_actions['enable']['unit'] = 'daemon.service'
        self.assertInvalid('services[daemon].actions.enable.unit',
                           'unknown key; expected one of type, command, '
                           'timeout')

    def test_interval_is_for_audits_only(self):
        self.daemon_actions['audit']['interval'] = -1
        self.assertInvalid('services[daemon].actions.audit.interval',
                           'must be a number of seconds above 0')
        del self.daemon_actions['audit']['interval']
        self.daemon_actions['enable']['interval'] = 10
        self.assertInvalid('services[daemon].actions.enable.interval',
                           'unknown key')

    def test_timeout_must_be_a_positive_number(self):
        self.daemon_actions['disable']['timeout'] = '30s'
        self.assertInvalid('services[daemon].actions.disable.timeout',
                           'must be a number of seconds above 0')

    def test_dependencies_must_be_a_list_of_names(self):
        self.services[1]['dependencies'] = 'address'
        self.assertInvalid('services[daemon].dependencies',
                           'must be a list of service names')

    def test_dependency_must_name_a_defined_service(self):
        self.services[1]['dependencies'] = ['address', 'postgres']
        self.assertInvalid('services[daemon].dependencies[1]',
                           "unknown service 'postgres'")

    def test_dependency_cycle_is_named(self):
        self.services[0]['dependencies'] = ['daemon']
        self.assertInvalid('services[address].dependencies',
                           'dependency cycle: address -> daemon -> address')

    def test_service_may_not_depend_on_itself(self):
        self.services[2]['dependencies'] = ['server']
        self.assertInvalid('services[server].dependencies',
                           'dependency cycle: server -> server')
