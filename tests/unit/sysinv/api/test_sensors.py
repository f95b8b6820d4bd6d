"""Hardware sensors and sensor groups through the API: /v1/isensors,
/v1/isensorgroups and a host's, /v1/ihosts/<host>/isensors and
/v1/ihosts/<host>/isensorgroups.

controller-0's sensors are what stx-mtce reported of its BMC (the
conductor tests' REPORT).
"""

from stx.sysinv.api.controllers.v1 import formats
from stx.sysinv.conductor import manager
from stx.sysinv.db import sensors_api
from tests.unit import base
from tests.unit.sysinv.conductor import test_sensors

HOST = 'controller-0'
UNKNOWN_UUID = '9f0b0c1e-8c1e-4f7e-9f35-0d9f2d7d0a11'


class TestSensorsApi(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        _system, self.host = self.make_system()
        manager.ConductorManager('test-host').hwmon_sensors_update(
            self.context, self.host['uuid'], test_sensors.REPORT)
        self.sensors = {row['sensorname']: row for row in
                        sensors_api.sensor_list(self.context)}
        self.groups = {row['sensorgroupname']: row for row in
                       sensors_api.sensorgroup_list(self.context)}

    def patch(self, collection, uuid, expect_errors=False, **fields):
        ops = [{'op': 'replace', 'path': '/' + name, 'value': value}
               for name, value in fields.items()]
        return self.app.patch_json('/v1/%s/%s' % (collection, uuid), ops,
                                   expect_errors=expect_errors)

    def assertRefused(self, response, status, field, code):
        self.assertEqual(status, response.status_int, response.body)
        fault = self.error_of(response)
        self.assertEqual((field, code), (fault['field'], fault['code']),
                         fault)
        return fault

    def test_host_sensors_are_wrapped_and_carry_starlingx_fields(self):
        listed = self.app.get('/v1/ihosts/%s/isensors' % HOST).json
        self.assertEqual(['isensors'], list(listed))
        sensors = listed['isensors']
        self.assertEqual(sorted(self.sensors),
                         [row['sensorname'] for row in sensors])
        for row in sensors:
            self.assertEqual(list(formats.SENSOR_FIELDS) + ['links'],
                             list(row))
        fan = {row['sensorname']: row for row in sensors}['Fan 1']
        self.assertEqual(
            (self.host['uuid'], self.groups['server fans']['uuid'], 4200.0,
             'RPM', 500.0, 'ok', 'analog', False, 'alarm', {}),
            (fan['host_uuid'], fan['sensorgroup_uuid'], fan['reading'],
             fan['unit_base'], fan['t_critical_lower'], fan['status'],
             fan['datatype'], fan['suppress'], fan['actions_critical'],
             fan['capabilities']))
        self.assertTrue(fan['links'][0]['href'].endswith(
            '/v1/isensors/' + fan['uuid']))
        # The host by id and uuid too; the top level, with or without it.
        for url in ('/v1/ihosts/1/isensors',
                    '/v1/ihosts/%s/isensors' % self.host['uuid'],
                    '/v1/isensors?host_uuid=%s' % HOST, '/v1/isensors'):
            self.assertEqual(listed, self.app.get(url).json, url)

    def test_host_sensor_groups(self):
        listed = self.app.get('/v1/ihosts/%s/isensorgroups' % HOST).json
        self.assertEqual(['isensorgroups'], list(listed))
        groups = {row['sensorgroupname']: row
                  for row in listed['isensorgroups']}
        self.assertEqual(sorted(test_sensors.GROUPS), sorted(groups))
        temperature = groups['server temperature']
        self.assertEqual(list(formats.SENSORGROUP_FIELDS) + ['links'],
                         list(temperature))
        self.assertEqual(
            sorted([self.sensors['CPU1 Temp']['uuid'],
                    self.sensors['Inlet Temp']['uuid']]),
            sorted(temperature['sensors']))
        self.assertEqual(('ignore', 'log', 'alarm', 120, self.host['uuid']),
                         (temperature['actions_minor_group'],
                          temperature['actions_major_group'],
                          temperature['actions_critical_group'],
                          temperature['audit_interval_group'],
                          temperature['host_uuid']))
        self.assertEqual(listed, self.app.get('/v1/isensorgroups').json)

    def test_one_by_uuid_and_under_its_host_by_name(self):
        fan = self.sensors['Fan 1']
        one = self.app.get('/v1/isensors/%s' % fan['uuid']).json
        self.assertEqual('Fan 1', one['sensorname'])
        for ident in (fan['uuid'], 'Fan%201'):
            self.assertEqual(one, self.app.get(
                '/v1/ihosts/%s/isensors/%s' % (HOST, ident)).json)
        group = self.groups['server fans']
        one = self.app.get('/v1/isensorgroups/%s' % group['uuid']).json
        self.assertEqual([fan['uuid']], one['sensors'])
        self.assertEqual(one, self.app.get(
            '/v1/ihosts/%s/isensorgroups/server%%20fans' % HOST).json)

    def test_unknown_is_404_naming_it(self):
        for url, code in (
                ('/v1/isensors/%s' % UNKNOWN_UUID, 'stx.sensor.not_found'),
                ('/v1/isensorgroups/%s' % UNKNOWN_UUID,
                 'stx.sensorgroup.not_found'),
                ('/v1/ihosts/%s/isensors/Fan%%209' % HOST,
                 'stx.sensor.not_found'),
                ('/v1/ihosts/%s/isensorgroups/%s' % (HOST, UNKNOWN_UUID),
                 'stx.sensorgroup.not_found'),
                ('/v1/ihosts/worker-9/isensors', 'stx.host.not_found'),
                ('/v1/ihosts/worker-9/isensorgroups', 'stx.host.not_found'),
                ('/v1/isensors?host_uuid=worker-9', 'stx.host.not_found')):
            with self.subTest(url=url):
                response = self.app.get(url, expect_errors=True)
                self.assertEqual(404, response.status_int, response.body)
                self.assertEqual(code, self.error_of(response)['code'])
        response = self.app.get('/v1/isensors/%s' % UNKNOWN_UUID,
                                expect_errors=True)
        self.assertIn(UNKNOWN_UUID, self.error_of(response)['faultstring'])

    def test_patch_sensor_suppress(self):
        fan = self.sensors['Fan 1']
        patched = self.patch('isensors', fan['uuid'], suppress='True').json
        self.assertTrue(patched['suppress'])
        self.assertEqual(list(formats.SENSOR_FIELDS) + ['links'],
                         list(patched))
        self.assertTrue(self.app.get('/v1/isensors/%s' % fan['uuid'])
                        .json['suppress'])

    def test_patch_sensor_refusals(self):
        fan = self.sensors['Fan 1']
        for fields, field, code in (
                ({'status': 'ok'}, 'status', 'stx.invalid.read_only'),
                ({'colour': 'red'}, 'colour', 'stx.invalid.unknown_field'),
                ({'suppress': 'perhaps'}, 'suppress', 'stx.invalid.value')):
            with self.subTest(fields=fields):
                self.assertRefused(self.patch('isensors', fan['uuid'],
                                              expect_errors=True, **fields),
                                   400, field, code)
        response = self.patch('isensors', UNKNOWN_UUID, expect_errors=True,
                              suppress='True')
        self.assertEqual(404, response.status_int)
        self.assertFalse(sensors_api.sensor_get(self.context,
                                                fan['uuid'])['suppress'])

    def test_patch_group_changes_its_sensors(self):
        group = self.groups['server fans']
        patched = self.patch('isensorgroups', group['uuid'],
                             actions_critical_group='reset',
                             audit_interval_group='60',
                             suppress='False').json
        self.assertEqual(('reset', 60, False),
                         (patched['actions_critical_group'],
                          patched['audit_interval_group'],
                          patched['suppress']))
        fan = self.app.get('/v1/isensors/%s'
                           % self.sensors['Fan 1']['uuid']).json
        self.assertEqual(('reset', 60), (fan['actions_critical'],
                                         fan['audit_interval']))

    def test_patch_group_refusals_name_the_field_and_store_nothing(self):
        group = self.groups['server fans']
        for fields, field, code in (
                ({'actions_minor_group': 'reset'}, 'actions_minor_group',
                 'stx.invalid.value'),
                ({'actions_critical_group': 'explode'},
                 'actions_critical_group', 'stx.invalid.value'),
                ({'audit_interval_group': '5'}, 'audit_interval_group',
                 'stx.invalid.value'),
                ({'suppress': 'perhaps'}, 'suppress', 'stx.invalid.value'),
                ({'sensorgroupname': 'x'}, 'sensorgroupname',
                 'stx.invalid.read_only'),
                ({'colour': 'red'}, 'colour', 'stx.invalid.unknown_field')):
            with self.subTest(fields=fields):
                fault = self.assertRefused(
                    self.patch('isensorgroups', group['uuid'],
                               expect_errors=True,
                               **dict({'actions_major_group': 'alarm'},
                                      **fields)),
                    400, field, code)
                self.assertIn(field, fault['faultstring'])
        fault = self.error_of(self.patch(
            'isensorgroups', group['uuid'], expect_errors=True,
            actions_critical_group='explode'))
        self.assertIn('ignore, log, alarm, reset, power-cycle',
                      fault['faultstring'])
        response = self.app.patch_json(
            '/v1/isensorgroups/%s' % group['uuid'], {'suppress': True},
            expect_errors=True)
        self.assertRefused(response, 400, 'body', 'stx.invalid')
        self.assertEqual(group, sensors_api.sensorgroup_get(self.context,
                                                            group['uuid']))
        self.assertEqual('log', sensors_api.sensor_get(
            self.context, self.sensors['Fan 1']['uuid'])['actions_major'])
