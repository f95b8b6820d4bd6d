"""The ``stx`` service-management commands, run through ``main(argv)``.

They talk to the real sm API, served by cheroot under /sm/ as stx-aio
mounts it, with tests.unit.sm.api.FakeSM answering for stx-sm behind it.
``host-swact`` goes to sysinv: a fake one records what it is sent.
"""

import json

import fixtures
from oslo_config import fixture as config_fixture

from stx.cli import sm
from stx.conf import CONF
from stx.sm.api import app as sm_app
from tests.unit.cli import test_cli
from tests.unit.cli import test_host_action_cli
from tests.unit import fixtures as unit_fixtures
from tests.unit.sm import api as sm_api


class SMServer(fixtures.Fixture):
    """After setUp: ``url`` is an AIO-style base URL, ``sm`` the FakeSM."""

    def _setUp(self):
        self.useFixture(config_fixture.Config(CONF))
        self.sm = sm_api.FakeSM()
        self.url = self.useFixture(unit_fixtures.LoopbackServer(
            {'/sm': sm_app.make_app(lambda: self.sm)})).url


def _table(out):
    """The rows of a cliff table, each a list of its cells."""
    return [[cell.strip() for cell in line.strip('|').split('|')]
            for line in out.splitlines() if line.startswith('|')]


class TestSMCommands(test_cli.CliTestCase):

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(SMServer())
        self.useFixture(fixtures.EnvironmentVariable('STX_URL',
                                                     self.server.url))

    def table_of(self, *argv):
        status, out, err = self.stx(*argv)
        self.assertEqual(0, status, err)
        return _table(out)

    def json_of(self, *argv):
        status, out, err = self.stx(*(argv + ('-f', 'json')))
        self.assertEqual(0, status, err)
        return json.loads(out)

    def test_servicegroup_list_like_smc(self):
        rows = self.table_of('servicegroup-list')
        self.assertEqual(['uuid', 'service_group_name', 'hostname', 'state'],
                         rows[0])
        self.assertEqual(
            [['controller-services', 'controller-0', 'active'],
             ['controller-services', 'controller-1', 'standby-degraded'],
             ['oam-services', 'controller-0', 'active'],
             ['oam-services', 'controller-1', 'standby']],
            [row[1:] for row in rows[1:]])

    def test_servicegroup_list_json_gives_api_fields(self):
        listed = self.json_of('servicegroup-list')
        self.assertEqual(4, len(listed))
        for group in listed:
            self.assertEqual(list(sm.SERVICE_GROUP_FIELDS), list(group))
        self.assertEqual(('standby', 'degraded'),
                         (listed[1]['state'], listed[1]['status']))

    def test_servicegroup_show_by_name_and_host_or_uuid(self):
        rows = self.table_of('servicegroup-show', 'controller-services',
                             '--host', 'controller-1')
        self.assertEqual(
            [['Field', 'Value'], ['uuid', rows[1][1]],
             ['name', 'controller'], ['hostname', 'controller-1'],
             ['service_group_name', 'controller-services'],
             ['state', 'standby-degraded'], ['condition', 'failed: fm-api']],
            rows)
        group = self.json_of('servicegroup-show', rows[1][1])
        self.assertEqual(('controller-1', 'degraded'),
                         (group['node_name'], group['status']))
        self.assertNotIn('links', group)

    def test_a_name_on_both_controllers_asks_for_host(self):
        err = self.assertOneLineError(self.stx('servicegroup-show',
                                               'oam-services'))
        self.assertEqual(
            'Error: Service group oam-services is on controller-0 and '
            'controller-1: name it by id or uuid, or give its node with '
            '--host.', err)

    def test_service_list_like_smc_without_services_not_started(self):
        rows = self.table_of('service-list')
        self.assertEqual(['id', 'service_name', 'hostname', 'state'],
                         rows[0])
        self.assertEqual(
            [['1', 'fm-api', 'controller-0', 'enabled-active'],
             ['4', 'fm-api', 'controller-1', 'disabled-failed'],
             ['2', 'oam-ip', 'controller-0', 'enabled-active'],
             ['3', 'sysinv-api', 'controller-0', 'enabled-active'],
             ['6', 'sysinv-api', 'controller-1', 'enabled-standby']],
            rows[1:])
        self.assertEqual([1, 4, 2, 3, 6],
                         [service['id'] for service in
                          self.json_of('service-list')])

    def test_service_show_says_why_it_failed(self):
        rows = self.table_of('service-show', 'fm-api', '--host',
                             'controller-1')
        self.assertEqual(
            [['Field', 'Value'], ['id', '4'], ['service_name', 'fm-api'],
             ['hostname', 'controller-1'], ['state', 'disabled-failed'],
             ['condition', 'enable failed: exit status 1']], rows)
        self.assertEqual('controller-services',
                         self.json_of('service-show', '4')[
                             'service_group_name'])

    def test_servicenode_list_and_show(self):
        rows = self.table_of('servicenode-list')
        self.assertEqual(['id', 'name', 'administrative', 'operational',
                          'availability', 'ready_state'], rows[0])
        self.assertEqual(
            [['1', 'controller-0', 'unlocked', 'enabled', 'available',
              'enabled'],
             ['2', 'controller-1', 'unlocked', 'enabled', 'available',
              'enabled']], rows[1:])
        rows = self.table_of('servicenode-show', 'controller-1')
        self.assertEqual(
            [['Field', 'Value'], ['id', '2'], ['name', 'controller-1'],
             ['administrative_state', 'unlocked'],
             ['operational_state', 'enabled'],
             ['availability_status', 'available'],
             ['ready_state', 'enabled'], ['paths', ''], ['failover', ''],
             ['reachability', ''], ['decisions', '']], rows)
        shown = dict(self.json_of('servicenode-show', 'controller-0'))
        self.assertEqual('normal', shown['failover'])
        rows = dict(self.table_of('servicenode-show', 'controller-0')[1:])
        self.assertEqual('management: alive, oam: silent 3.2 s',
                         rows['paths'])
        self.assertEqual('2 of 3 hosts (not worker-1)', rows['reachability'])
        # One line per decision (the table helper keeps a cell's first).
        self.assertEqual(
            '2026-12-07T22:00:01 fail-pending: nothing heard from '
            'controller-1 on any path', rows['decisions'])
        self.assertEqual(2, len(shown['decisions']))

    def test_unknown_is_one_line(self):
        for argv, text in (
                (('servicegroup-show', 'web-services'),
                 'Service group web-services could not be found.'),
                (('service-show', '99'), 'Service 99 could not be found.'),
                (('service-show', 'fm-api', '--host', 'controller-5'),
                 'Service fm-api on controller-5 could not be found.'),
                (('servicenode-show', 'controller-9'),
                 'Service node controller-9 could not be found.')):
            with self.subTest(argv=argv):
                self.assertEqual('Error: ' + text,
                                 self.assertOneLineError(self.stx(*argv)))

    def test_sm_unavailable_is_one_line(self):
        self.server.sm.error = sm_api.UNAVAILABLE
        for argv in (('servicegroup-list',), ('service-list',),
                     ('servicenode-show', 'controller-0')):
            with self.subTest(argv=argv):
                self.assertEqual(
                    'Error: stx-sm is not available: it did not answer '
                    'within 10 seconds',
                    self.assertOneLineError(self.stx(*argv)))


class TestEndpoint(test_cli.CliTestCase):

    def test_sm_url_of_a_standalone_api(self):
        server = self.useFixture(SMServer())
        status, out, err = self.stx('--sm-url', server.url + 'sm/v1',
                                    'servicenode-list', '-f', 'value',
                                    '-c', 'name')
        self.assertEqual(0, status, err)
        self.assertEqual('controller-0\ncontroller-1\n', out)


class TestHostSwact(test_cli.CliTestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch(
            'stx.cli.host_actions.POLL_INTERVAL', 0.01))

    def test_sends_the_swact_action_and_waits_for_its_task(self):
        sysinv = self.useFixture(test_host_action_cli.FakeSysinv(
            {'task': 'Swacting'}, {'task': ''}))
        code, out, err = self.stx('--sysinv-url', sysinv.url, 'host-swact',
                                  'worker-0', '--wait', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual([[{'op': 'replace', 'path': '/action',
                            'value': 'swact'}]], sysinv.patches)
        self.assertEqual(['worker-0: Swacting',
                          'worker-0: done (locked/disabled/online)'],
                         err.splitlines())
        self.assertEqual('', json.loads(out)['task'])
