"""The /v1/ihosts API, as StarlingX clients use it, and every refusal."""

import webtest

from stx.common import states
from stx.sysinv.api import app as sysinv_app
from stx.sysinv.db import api as dbapi
from tests.unit import base

WORKER = {'hostname': 'worker-0', 'personality': 'worker',
          'mgmt_mac': '52:54:00:12:34:56'}


class HostApiTestCase(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.system, self.controller = self.make_system()

    def add(self, **fields):
        body = dict(WORKER, **fields)
        return self.app.post_json('/v1/ihosts', body).json

    def patch(self, ident, expect_errors=False, **fields):
        ops = [{'op': 'replace', 'path': '/' + name, 'value': value}
               for name, value in fields.items()]
        return self.app.patch_json('/v1/ihosts/%s' % ident, ops,
                                   expect_errors=expect_errors)

    def assertRefused(self, response, status, field, code=None):
        self.assertEqual(status, response.status_int, response.body)
        self.assertEqual('application/json', response.content_type)
        fault = self.error_of(response)
        self.assertEqual(field, fault['field'], fault)
        self.assertIn(fault['faultcode'], ('Client', 'Server'))
        self.assertTrue(fault['faultstring'])
        self.assertNotIn('Traceback', fault['faultstring'])
        if code:
            self.assertEqual(code, fault['code'])
        return fault


class TestHostReads(HostApiTestCase):

    def test_list_wraps_complete_entries(self):
        self.add(location={'locn': 'rack 1'})
        hosts = self.app.get('/v1/ihosts').json['ihosts']
        self.assertEqual(['controller-0', 'worker-0'],
                         [h['hostname'] for h in hosts])
        # host-show by name reads the list entry: every field it prints and
        # the ones StarlingX's client reads directly must be there.
        for field in ('id', 'uuid', 'personality', 'hostname',
                      'invprovision', 'administrative', 'operational',
                      'availability', 'task', 'action', 'mgmt_mac',
                      'serialid', 'capabilities', 'bm_type', 'bm_username',
                      'bm_ip', 'config_applied', 'config_target',
                      'config_status', 'location', 'uptime', 'reserved',
                      'created_at', 'updated_at', 'boot_device',
                      'rootfs_device', 'hw_settle', 'install_output',
                      'console', 'tboot', 'vim_progress_status',
                      'install_state', 'install_state_info', 'inv_state',
                      'clock_synchronization', 'device_image_update',
                      'reboot_needed', 'max_cpu_mhz_configured',
                      'min_cpu_mhz_allowed', 'max_cpu_mhz_allowed',
                      'cstates_available', 'apparmor',
                      'iscsi_initiator_name', 'nvme_host_id',
                      'nvme_host_nqn', 'sw_version', 'subfunctions',
                      'peers', 'isystem_uuid'):
            self.assertIn(field, hosts[1])
        self.assertEqual({'locn': 'rack 1'}, hosts[1]['location'])
        self.assertEqual(self.system['uuid'], hosts[1]['isystem_uuid'])
        self.assertNotIn('bm_password', hosts[1])

    def test_get_by_id_uuid_and_hostname(self):
        host = self.add()
        for ident in (host['id'], host['uuid'], 'worker-0'):
            got = self.app.get('/v1/ihosts/%s' % ident).json
            self.assertEqual(host['uuid'], got['uuid'])

    def test_unknown_host_is_404(self):
        for ident in ('99', 'worker-9',
                      '7a3c1d52-0000-4000-8000-000000000000'):
            response = self.app.get('/v1/ihosts/%s' % ident,
                                    expect_errors=True)
            fault = self.assertRefused(response, 404, None,
                                       'stx.host.not_found')
            self.assertIn(ident, fault['faultstring'])

    def test_list_pages_with_limit_and_marker(self):
        for n in range(5):
            self.add(hostname='worker-%d' % n,
                     mgmt_mac='52:54:00:00:00:%02x' % n)
        page = self.app.get('/v1/ihosts?limit=4').json
        self.assertEqual(4, len(page['ihosts']))
        self.assertIn('marker=%s' % page['ihosts'][-1]['uuid'], page['next'])
        rest = self.app.get('/v1/ihosts?limit=4&marker=%s'
                            % page['ihosts'][-1]['uuid']).json
        self.assertEqual(['worker-3', 'worker-4'],
                         [h['hostname'] for h in rest['ihosts']])
        self.assertNotIn('next', rest)
        newest = self.app.get('/v1/ihosts?sort_key=hostname&sort_dir=desc'
                              '&personality=worker').json['ihosts']
        self.assertEqual('worker-4', newest[0]['hostname'])
        self.assertEqual(5, len(newest))

    def test_bad_list_parameters_name_the_field(self):
        for query, field in (('limit=0', 'limit'), ('limit=x', 'limit'),
                             ('sort_key=bm_password', 'sort_key'),
                             ('sort_dir=up', 'sort_dir'),
                             ('colour=red', 'colour')):
            response = self.app.get('/v1/ihosts?' + query,
                                    expect_errors=True)
            self.assertRefused(response, 400, field)


class TestHostAdd(HostApiTestCase):

    def test_add_returns_bare_host_locked_offline_unprovisioned(self):
        host = self.add(location={'locn': 'rack 3'})
        self.assertEqual('worker-0', host['hostname'])
        self.assertEqual(states.LOCKED, host['administrative'])
        self.assertEqual(states.DISABLED, host['operational'])
        self.assertEqual(states.OFFLINE, host['availability'])
        self.assertEqual(states.UNPROVISIONED, host['invprovision'])
        self.assertEqual('worker', host['subfunctions'])
        self.assertEqual({'locn': 'rack 3'}, host['location'])
        self.assertEqual(self.system['software_version'], host['sw_version'])
        # The client reads only uuid, then GETs by it.
        self.assertEqual(host, self.app.get('/v1/ihosts/' +
                                            host['uuid']).json)

    def test_mac_is_normalised(self):
        host = self.add(mgmt_mac='52-54-00-AB-CD-EF')
        self.assertEqual('52:54:00:ab:cd:ef', host['mgmt_mac'])

    def test_bm_password_is_write_only_and_encrypted(self):
        host = self.add(bm_type='fake', bm_ip='10.0.0.9',
                        bm_username='admin', bm_password='s3cret')
        self.assertNotIn('bm_password', host)
        stored = dbapi.host_get(self.context, host['uuid'])['bm_password']
        self.assertTrue(stored)
        self.assertNotIn('s3cret', stored)
        listed = self.app.get('/v1/ihosts').body.decode()
        self.assertNotIn('s3cret', listed)

    def test_bad_input_is_refused_naming_the_field(self):
        cases = [
            ({'hostname': 'worker_0'}, 400, 'hostname'),
            ({'hostname': 'controller-0'}, 400, 'hostname'),
            ({'personality': 'router'}, 400, 'personality'),
            ({'mgmt_mac': '52:54:00:12:34'}, 400, 'mgmt_mac'),
            ({'mgmt_mac': 'zz:54:00:12:34:56'}, 400, 'mgmt_mac'),
            ({'mgmt_ip': '10.0.0.300'}, 400, 'mgmt_ip'),
            ({'cluster_host_ip': '10.0.1.300'}, 400, 'cluster_host_ip'),
            ({'mgmt_ip': '10.0.0.3', 'cluster_host_ip': '10.0.0.3'}, 400,
             'cluster_host_ip'),
            ({'bm_type': 'acme', 'bm_ip': '10.0.0.9',
              'bm_username': 'admin'}, 400, 'bm_type'),
            ({'bm_type': 'fake', 'bm_ip': 'bmc.example',
              'bm_username': 'admin'}, 400, 'bm_ip'),
            ({'bm_type': 'fake', 'bm_ip': '10.0.0.9:623',
              'bm_username': 'admin'}, 400, 'bm_ip'),
            ({'bm_type': 'fake', 'bm_username': 'admin'}, 400, 'bm_ip'),
            ({'bm_ip': '10.0.0.9'}, 400, 'bm_type'),
            ({'hostname': 5}, 400, 'hostname'),
            ({'colour': 'red'}, 400, 'colour'),
            ({'uuid': 'x'}, 400, 'uuid'),
            ({'install_output': 'fancy'}, 400, 'install_output'),
            ({'hw_settle': 'soon'}, 400, 'hw_settle'),
        ]
        for fields, status, field in cases:
            response = self.app.post_json('/v1/ihosts', dict(WORKER, **fields),
                                          expect_errors=True)
            self.assertRefused(response, status, field)
        response = self.app.post_json('/v1/ihosts', {'hostname': 'worker-0',
                                                     'personality': 'worker'},
                                      expect_errors=True)
        self.assertRefused(response, 400, 'mgmt_mac')
        self.assertEqual(1, dbapi.host_count(self.context))

    def test_duplicates_are_409_naming_the_field(self):
        self.add(mgmt_ip='192.168.204.10')
        for fields, field in (
                ({'hostname': 'worker-1'}, 'mgmt_mac'),
                ({'mgmt_mac': '52:54:00:00:00:01'}, 'hostname'),
                ({'hostname': 'worker-1', 'mgmt_mac': '52:54:00:00:00:01',
                  'mgmt_ip': '192.168.204.10'}, 'mgmt_ip')):
            response = self.app.post_json('/v1/ihosts',
                                          dict(WORKER, **fields),
                                          expect_errors=True)
            self.assertRefused(response, 409, field, 'stx.host.duplicate')
        self.assertEqual(2, dbapi.host_count(self.context))

    def test_duplicate_cluster_host_ip_is_409_naming_it(self):
        self.add(cluster_host_ip='192.168.206.10')
        response = self.app.post_json('/v1/ihosts', dict(
            WORKER, hostname='worker-1', mgmt_mac='52:54:00:00:00:01',
            cluster_host_ip='192.168.206.10'), expect_errors=True)
        fault = self.assertRefused(response, 409, 'cluster_host_ip',
                                   'stx.host.duplicate')
        self.assertIn('192.168.206.10', fault['faultstring'])
        self.assertEqual(2, dbapi.host_count(self.context))

    def test_cluster_host_ip_is_shown_listed_and_normalised(self):
        host = self.add(cluster_host_ip='FD01::0010')
        self.assertEqual('fd01::10', host['cluster_host_ip'])
        self.assertEqual('fd01::10', self.app.get(
            '/v1/ihosts/worker-0').json['cluster_host_ip'])
        listed = self.app.get('/v1/ihosts').json['ihosts']
        self.assertEqual([None, 'fd01::10'],
                         [h['cluster_host_ip'] for h in listed])

    def test_malformed_body_is_400(self):
        response = self.app.post('/v1/ihosts', '{"hostname": ',
                                 content_type='application/json',
                                 expect_errors=True)
        self.assertRefused(response, 400, 'body')
        response = self.app.post_json('/v1/ihosts', ['worker-0'],
                                      expect_errors=True)
        self.assertRefused(response, 400, 'body')

    def test_oversized_body_is_413(self):
        self.config(max_request_body_size=1024, group='api')
        app = webtest.TestApp(sysinv_app.make_app())
        response = app.post_json(
            '/v1/ihosts', dict(WORKER, console='x' * 2000),
            expect_errors=True)
        self.assertEqual(413, response.status_int)
        self.assertEqual('stx.request.too_large',
                         self.error_of(response)['code'])

    def test_add_refused_on_simplex(self):
        dbapi.system_update(self.context, self.system['uuid'],
                            {'system_mode': states.SYSTEM_MODE_SIMPLEX})
        response = self.app.post_json('/v1/ihosts', WORKER,
                                      expect_errors=True)
        fault = self.assertRefused(response, 409, None, 'stx.not_permitted')
        self.assertIn('simplex', fault['faultstring'])


class TestHostUpdate(HostApiTestCase):

    def test_location_text_is_stored_as_locn(self):
        host = self.add()
        updated = self.patch(host['id'], location='rack 3').json
        self.assertEqual({'locn': 'rack 3'}, updated['location'])

    def test_values_arrive_as_strings(self):
        host = self.add()
        updated = self.patch(host['id'], ttys_dcd='true', hw_settle='5',
                             console='ttyS1,9600').json
        self.assertIs(True, updated['ttys_dcd'])
        self.assertEqual('5', updated['hw_settle'])

    def test_bm_type_none_clears_the_bmc(self):
        host = self.add(bm_type='fake', bm_ip='10.0.0.9',
                        bm_username='admin', bm_password='pw')
        updated = self.patch(host['uuid'], bm_type='none').json
        self.assertEqual('none', updated['bm_type'])
        self.assertIsNone(updated['bm_ip'])
        self.assertIsNone(updated['bm_username'])
        self.assertIsNone(dbapi.host_get(self.context,
                                         host['id'])['bm_password'])

    def test_read_only_and_unknown_paths_are_refused(self):
        host = self.add()
        for field, code in (('uuid', 'stx.invalid.read_only'),
                            ('id', 'stx.invalid.read_only'),
                            ('administrative', 'stx.invalid.read_only'),
                            ('availability', 'stx.invalid.read_only'),
                            ('invprovision', 'stx.invalid.read_only'),
                            ('colour', 'stx.invalid.unknown_field')):
            response = self.patch(host['id'], expect_errors=True,
                                  **{field: 'x'})
            self.assertRefused(response, 400, field, code)
        self.assertEqual(states.LOCKED, dbapi.host_get(
            self.context, host['id'])['administrative'])

    def test_malformed_patches_are_refused(self):
        host = self.add()
        for body in ({'location': 'x'}, [],
                     [{'op': 'move', 'path': '/location', 'value': 'x'}],
                     [{'op': 'replace', 'value': 'x'}],
                     [{'op': 'replace', 'path': '/location/locn',
                       'value': 'x'}]):
            response = self.app.patch_json('/v1/ihosts/%s' % host['id'],
                                           body, expect_errors=True)
            self.assertEqual(400, response.status_int, body)

    def test_bad_value_stores_nothing(self):
        host = self.add()
        response = self.patch(host['id'], expect_errors=True,
                              location='rack 9', mgmt_mac='nope')
        self.assertRefused(response, 400, 'mgmt_mac')
        self.assertEqual({}, dbapi.host_get(self.context,
                                            host['id'])['location'])

    def test_duplicate_hostname_on_update_is_409(self):
        self.add()
        other = self.add(hostname='worker-1', mgmt_mac='52:54:00:00:00:01')
        response = self.patch(other['id'], expect_errors=True,
                              hostname='worker-0')
        self.assertRefused(response, 409, 'hostname')

    def test_cluster_host_ip_set_changed_and_cleared(self):
        host = self.add(mgmt_ip='192.168.204.10')
        for value, stored in (('192.168.206.10', '192.168.206.10'),
                              ('192.168.206.11', '192.168.206.11'),
                              (None, None)):
            updated = self.patch(host['id'], cluster_host_ip=value).json
            self.assertEqual(stored, updated['cluster_host_ip'])
            self.assertEqual(stored, dbapi.host_get(
                self.context, host['id'])['cluster_host_ip'])

    def test_cluster_host_ip_of_the_host_s_mgmt_ip_is_400(self):
        host = self.add(mgmt_ip='192.168.204.10',
                        cluster_host_ip='192.168.206.10')
        response = self.patch(host['id'], expect_errors=True,
                              cluster_host_ip='192.168.204.10')
        fault = self.assertRefused(response, 400, 'cluster_host_ip')
        self.assertIn("is the host's mgmt_ip", fault['faultstring'])
        self.assertEqual('192.168.206.10', dbapi.host_get(
            self.context, host['id'])['cluster_host_ip'])

    def test_duplicate_cluster_host_ip_on_update_is_409(self):
        self.add(cluster_host_ip='192.168.206.10')
        other = self.add(hostname='worker-1', mgmt_mac='52:54:00:00:00:01')
        response = self.patch(other['id'], expect_errors=True,
                              cluster_host_ip='192.168.206.10')
        self.assertRefused(response, 409, 'cluster_host_ip',
                           'stx.host.duplicate')
        self.assertIsNone(dbapi.host_get(self.context,
                                         other['id'])['cluster_host_ip'])

    def test_controller_cannot_be_renamed(self):
        response = self.patch(self.controller['id'], expect_errors=True,
                              hostname='controller-1')
        self.assertRefused(response, 409, 'hostname',
                           'stx.state.transition_refused')

    def test_unknown_host_is_404(self):
        response = self.patch('worker-9', expect_errors=True, location='x')
        self.assertRefused(response, 404, None, 'stx.host.not_found')


class TestHostActions(HostApiTestCase):

    def test_valid_action_without_maintenance_is_503(self):
        # No stx-mtce listens in these tests: the API waits for it
        # [mtce] rpc_timeout seconds, then says so.
        host = self.add()
        response = self.patch(host['id'], expect_errors=True,
                              action='power-on')
        fault = self.assertRefused(response, 503, 'action',
                                   'stx.mtce.unavailable')
        self.assertIn('stx-mtce', fault['faultstring'])

    def test_unknown_action_is_400(self):
        host = self.add()
        response = self.patch(host['id'], expect_errors=True,
                              action='explode')
        self.assertRefused(response, 400, 'action')

    def test_refused_transitions_say_why(self):
        host = self.add()
        for target, action, reason in (
                (host['id'], 'lock', 'already locked'),
                (host['id'], 'swact', 'only a controller'),
                (self.controller['id'], 'reboot', 'lock it first'),
                (self.controller['id'], 'unlock', 'already unlocked')):
            response = self.patch(target, expect_errors=True, action=action)
            fault = self.assertRefused(response, 409, 'action',
                                       'stx.state.transition_refused')
            self.assertIn(reason, fault['faultstring'])

    def assertActionRefused(self, host, action, field, reason):
        response = self.patch(host['id'], expect_errors=True, action=action)
        fault = self.assertRefused(response, 409, field,
                                   'stx.state.transition_refused')
        self.assertIn(reason, fault['faultstring'])
        self.assertEqual('', dbapi.host_get(self.context,
                                            host['id'])['task'])

    def test_lock_of_the_only_enabled_controller_is_refused(self):
        for action in ('lock', 'force-lock'):
            with self.subTest(action=action):
                self.assertActionRefused(
                    self.controller, action, 'action',
                    'Cannot %s controller-0: it is the only enabled '
                    'controller; unlock and enable another controller '
                    'first' % action)

    def test_lock_of_a_controller_goes_to_maintenance_when_another_serves(
            self):
        self.add(hostname='controller-1', personality='controller',
                 mgmt_mac='52:54:00:00:00:01')
        dbapi.host_update(self.context, 'controller-1', {
            'administrative': states.UNLOCKED,
            'operational': states.ENABLED,
            'availability': states.DEGRADED})
        response = self.patch(self.controller['id'], expect_errors=True,
                              action='lock')
        # Checked and handed on: no stx-mtce listens in these tests.
        self.assertRefused(response, 503, 'action', 'stx.mtce.unavailable')

    def test_lock_of_the_simplex_controller_goes_to_maintenance(self):
        dbapi.system_update(self.context, self.system['uuid'],
                            {'system_mode': states.SYSTEM_MODE_SIMPLEX})
        response = self.patch(self.controller['id'], expect_errors=True,
                              action='lock')
        self.assertRefused(response, 503, 'action', 'stx.mtce.unavailable')

    def test_unlock_of_a_powered_off_host_is_refused(self):
        host = self.add()
        dbapi.host_update(self.context, host['id'],
                          {'availability': states.POWER_OFF})
        for action in ('unlock', 'force-unlock'):
            with self.subTest(action=action):
                self.assertActionRefused(
                    host, action, 'action',
                    'Cannot %s worker-0: the host is powered off; power it '
                    'on first with host-power-on' % action)

    def test_reinstall_of_an_offline_host_without_bmc_names_bm_type(self):
        host = self.add()
        self.assertEqual(states.OFFLINE, host['availability'])
        self.assertActionRefused(
            host, 'reinstall', 'bm_type',
            'Cannot reinstall worker-0: reinstalling a host that is offline '
            'or powered off needs its BMC: provision bm_type')

    def test_unlock_of_an_unprovisioned_host_lists_what_blocks_it(self):
        host = self.add()
        response = self.patch(host['id'], expect_errors=True,
                              action='unlock')
        fault = self.assertRefused(response, 400, 'action',
                                   'stx.host.unlock_blocked')
        self.assertIn('unprovisioned', fault['faultstring'])

    def test_action_with_other_fields_stores_nothing(self):
        host = self.add()
        self.patch(host['id'], expect_errors=True, action='reboot',
                   location='rack 4')
        self.assertEqual({}, dbapi.host_get(self.context,
                                            host['id'])['location'])


class TestLastMaintenanceAction(HostApiTestCase):
    """What maintenance last did to a host: shown, never set by clients."""

    ACTION = ('2026-11-22T04:10:11Z BMC reset of worker-0 (attempt 1 of 2): '
              'it did not answer 5 reboot requests')

    def store(self, host, action):
        # As maintenance does, through the conductor's update_host_state.
        dbapi.host_update_state(self.context, host['id'],
                                {'last_maintenance_action': action})

    def shown(self, host):
        """(GET /v1/ihosts/<id>, its GET /v1/ihosts entry) of the field."""
        one = self.app.get('/v1/ihosts/%s' % host['id']).json
        [entry] = [h for h in self.app.get('/v1/ihosts').json['ihosts']
                   if h['uuid'] == host['uuid']]
        return one['last_maintenance_action'], entry['last_maintenance_action']

    def test_shown_null_until_maintenance_stores_it(self):
        host = self.add()
        self.assertIsNone(host['last_maintenance_action'])
        self.assertEqual((None, None), self.shown(host))
        self.store(host, self.ACTION)
        self.assertEqual((self.ACTION, self.ACTION), self.shown(host))

    def test_patch_refused_400_naming_it_and_nothing_stored(self):
        host = self.add()
        self.store(host, self.ACTION)
        for ops in ([{'op': 'replace', 'path': '/last_maintenance_action',
                      'value': 'operator was here'}],
                    [{'op': 'remove', 'path': '/last_maintenance_action'}],
                    [{'op': 'replace', 'path': '/location',
                      'value': 'rack 4'},
                     {'op': 'replace', 'path': '/last_maintenance_action',
                      'value': ''}]):
            with self.subTest(ops=ops):
                response = self.app.patch_json(
                    '/v1/ihosts/%s' % host['id'], ops, expect_errors=True)
                fault = self.assertRefused(response, 400,
                                           'last_maintenance_action',
                                           'stx.invalid.read_only')
                self.assertIn('last_maintenance_action', fault['faultstring'])
        stored = dbapi.host_get(self.context, host['id'])
        self.assertEqual((self.ACTION, {}),
                         (stored['last_maintenance_action'],
                          stored['location']))

    def test_add_with_it_refused_naming_it(self):
        # As the other fields the services set (task, availability...).
        response = self.app.post_json(
            '/v1/ihosts', dict(WORKER, last_maintenance_action='x'),
            expect_errors=True)
        self.assertRefused(response, 400, 'last_maintenance_action')
        self.assertEqual(['controller-0'], [
            h['hostname'] for h in self.app.get('/v1/ihosts').json['ihosts']])


class TestHostDelete(HostApiTestCase):

    def test_delete_locked_host(self):
        host = self.add()
        response = self.app.delete('/v1/ihosts/%s' % host['id'])
        self.assertEqual(204, response.status_int)
        self.app.get('/v1/ihosts/%s' % host['uuid'], status=404)

    def test_unlocked_host_cannot_be_deleted(self):
        response = self.app.delete('/v1/ihosts/controller-0',
                                   expect_errors=True)
        fault = self.assertRefused(response, 409, None,
                                   'stx.state.transition_refused')
        self.assertIn('lock it first', fault['faultstring'])

    def test_unknown_host_is_404(self):
        self.app.delete('/v1/ihosts/worker-9', status=404)
