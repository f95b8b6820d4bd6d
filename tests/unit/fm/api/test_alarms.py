"""GET/DELETE /v1/alarms and /v1/alarms/summary, as fm clients use them."""

from tests.unit.fm import api

# Every field StarlingX's fm client reads from a listed alarm.
CLIENT_FIELDS = ('alarm_id', 'reason_text', 'entity_instance_id', 'severity',
                 'timestamp', 'uuid', 'suppression_status', 'mgmt_affecting',
                 'degrade_affecting')
UNKNOWN_UUID = '7a3c1d52-0000-4000-8000-000000000000'


class TestVersions(api.FMApiCase):

    def test_root_and_v1_documents(self):
        root = self.app.get('/').json
        self.assertEqual('stx-flock Fault Management API', root['name'])
        self.assertEqual('v1', root['default_version']['id'])
        v1 = self.app.get('/v1').json
        for resource in ('alarms', 'event_log', 'event_suppression'):
            self.assertTrue(v1[resource][0]['href'].endswith(
                '/v1/' + resource))

    def test_unknown_path_is_a_json_404(self):
        response = self.app.get('/v2/alarms', expect_errors=True)
        self.assertEqual(404, response.status_int)
        self.assertIn('error_message', response.json)


class TestAlarmList(api.FMApiCase):

    def setUp(self):
        super().setUp()
        self.failed = self.set_alarm()
        self.cpu = self.set_alarm(alarm_id='100.101', severity='major',
                                  entity_type_id='host',
                                  entity_instance_id='host=worker-0',
                                  reason_text='Platform CPU at 91%')
        self.locked = self.set_alarm(alarm_id='200.001', severity='warning',
                                     entity_instance_id='host=worker-1',
                                     reason_text='worker-1 was locked')

    def uuids(self, url):
        return [alarm['uuid'] for alarm in self.app.get(url).json['alarms']]

    def test_list_wraps_newest_first_with_client_fields(self):
        response = self.app.get('/v1/alarms')
        self.assertEqual('application/json', response.content_type)
        alarms = response.json['alarms']
        self.assertEqual([self.locked, self.cpu, self.failed],
                         [alarm['uuid'] for alarm in alarms])
        for alarm in alarms:
            for field in CLIENT_FIELDS + ('alarm_state', 'entity_type_id',
                                          'alarm_type', 'probable_cause',
                                          'proposed_repair_action',
                                          'service_affecting', 'suppression',
                                          'masked', 'links'):
                self.assertIn(field, alarm)
            self.assertNotIn('id', alarm)
            self.assertEqual('unsuppressed', alarm['suppression_status'])
            self.assertIn(alarm['mgmt_affecting'], ('True', 'False'))
            self.assertIn(alarm['degrade_affecting'], ('True', 'False'))
            self.assertTrue(alarm['links'][0]['href'].endswith(
                '/v1/alarms/' + alarm['uuid']))
        cpu = alarms[1]
        self.assertEqual('100.101', cpu['alarm_id'])
        self.assertEqual('host=worker-0', cpu['entity_instance_id'])
        self.assertEqual('major', cpu['severity'])
        self.assertEqual('Platform CPU at 91%', cpu['reason_text'])
        self.assertEqual('set', cpu['alarm_state'])
        self.assertIn('T', cpu['timestamp'])
        self.assertNotIn('next', response.json)

    def test_fm_client_headers_are_accepted(self):
        # python-fmclient sends a JSON content type even on GETs.
        response = self.app.get(
            '/v1/alarms?q.field=severity&q.op=eq&q.type=&q.value=major'
            '&include_suppress=True',
            headers={'Content-Type': 'application/json', 'Accept': '*/*',
                     'User-Agent': 'python-fmclient'})
        self.assertEqual([self.cpu], [alarm['uuid'] for alarm in
                                      response.json['alarms']])

    def test_affecting_follows_the_catalogue_thresholds(self):
        # 100.101 affects management from major up and degrades the host
        # only when critical; 200.004 never degrades; 200.010 affects
        # nothing.
        hot = self.set_alarm(alarm_id='100.101', severity='critical',
                             entity_instance_id='host=worker-2',
                             reason_text='Platform CPU at 99%')
        bmc = self.set_alarm(alarm_id='200.010', severity='warning',
                             reason_text='BMC unreachable')
        alarms = {alarm['uuid']: alarm
                  for alarm in self.app.get('/v1/alarms').json['alarms']}
        for uuid, mgmt, degrade in ((self.failed, 'True', 'False'),
                                    (self.cpu, 'True', 'False'),
                                    (hot, 'True', 'True'),
                                    (bmc, 'False', 'False')):
            self.assertEqual((mgmt, degrade),
                             (alarms[uuid]['mgmt_affecting'],
                              alarms[uuid]['degrade_affecting']),
                             alarms[uuid]['alarm_id'])

    def test_q_filters_as_the_fm_client_sends_them(self):
        self.assertEqual([self.cpu], self.uuids(
            '/v1/alarms?q.field=severity&q.op=eq&q.type=&q.value=major'))
        self.assertEqual([self.locked], self.uuids(
            '/v1/alarms?q.field=alarm_id&q.field=entity_instance_id'
            '&q.op=eq&q.op=eq&q.type=&q.type='
            '&q.value=200.001&q.value=host%3Dworker-1'))
        self.assertEqual([], self.uuids(
            '/v1/alarms?q.field=alarm_id&q.field=entity_instance_id'
            '&q.op=eq&q.op=eq&q.type=&q.type='
            '&q.value=200.001&q.value=host%3Dworker-0'))
        self.assertEqual([self.locked, self.failed], self.uuids(
            '/v1/alarms?q.field=severity&q.op=ne&q.type=string'
            '&q.value=major'))
        # q.op and q.type may be left out: eq.
        self.assertEqual([self.failed], self.uuids(
            '/v1/alarms?q.field=uuid&q.value=' + self.failed))
        self.assertEqual([self.locked, self.cpu], self.uuids(
            '/v1/alarms?q.field=entity_instance_id&q.op=like'
            '&q.value=host%3Dworker'))

    def test_sort_key_and_dir(self):
        self.assertEqual([self.cpu, self.locked, self.failed], self.uuids(
            '/v1/alarms?sort_key=alarm_id&sort_dir=asc'))
        self.assertEqual([self.failed, self.cpu, self.locked], self.uuids(
            '/v1/alarms?sort_key=timestamp&sort_dir=asc'))
        self.assertEqual([self.locked, self.cpu, self.failed], self.uuids(
            '/v1/alarms?sort_key=entity_instance_id&sort_dir=desc'))

    def test_limit_and_marker_page_with_a_next_link(self):
        page = self.app.get('/v1/alarms?limit=2').json
        self.assertEqual([self.locked, self.cpu],
                         [alarm['uuid'] for alarm in page['alarms']])
        self.assertIn('marker=' + self.cpu, page['next'])
        rest = self.follow(page['next'])
        self.assertEqual([self.failed],
                         [alarm['uuid'] for alarm in rest['alarms']])
        self.assertNotIn('next', rest)
        # The filters go along with the link.
        query = ('q.field=entity_instance_id&q.op=like&q.type='
                 '&q.value=host%3Dworker')
        page = self.app.get('/v1/alarms?limit=1&' + query).json
        self.assertEqual([self.locked],
                         [alarm['uuid'] for alarm in page['alarms']])
        self.assertEqual([self.cpu], [alarm['uuid'] for alarm in
                                      self.follow(page['next'])['alarms']])

    def test_suppressed_alarms_hidden_unless_asked_for(self):
        self.set_suppression('200.004', 'suppressed')
        self.assertEqual([self.locked, self.cpu], self.uuids('/v1/alarms'))
        self.assertEqual([self.locked, self.cpu], self.uuids(
            '/v1/alarms?include_suppress=False'))
        alarms = self.app.get('/v1/alarms?include_suppress=True').json
        shown = {alarm['uuid']: alarm for alarm in alarms['alarms']}
        self.assertEqual('suppressed',
                         shown[self.failed]['suppression_status'])
        self.assertEqual('unsuppressed',
                         shown[self.cpu]['suppression_status'])
        self.set_suppression('200.004', 'unsuppressed')
        self.assertEqual(3, len(self.uuids('/v1/alarms')))

    def test_malformed_q_is_refused_naming_the_list(self):
        for query, field in (
                ('q.field=severity&q.op=eq&q.type=&q.value=major'
                 '&q.value=minor', 'q.value'),
                ('q.field=severity&q.field=alarm_id&q.op=eq&q.type='
                 '&q.type=&q.value=major&q.value=100.101', 'q.op'),
                ('q.field=severity&q.op=eq&q.type=&q.type='
                 '&q.value=major', 'q.type'),
                ('q.field=reason_text&q.op=eq&q.type=&q.value=x',
                 'q.field'),
                ('q.field=severity&q.op=regex&q.type=&q.value=x', 'q.op'),
                ('q.field=severity&q.op=eq&q.type=blob&q.value=x',
                 'q.type')):
            self.get_refused('/v1/alarms?' + query, 400, field)

    def test_bad_parameters_are_refused_naming_them(self):
        for query, field in (('limit=0', 'limit'), ('limit=x', 'limit'),
                             ('limit=1&limit=2', 'limit'),
                             ('sort_key=reason_text', 'sort_key'),
                             ('sort_dir=up', 'sort_dir'),
                             ('include_suppress=maybe', 'include_suppress'),
                             ('marker=' + UNKNOWN_UUID, 'marker'),
                             ('colour=red', 'colour')):
            self.get_refused('/v1/alarms?' + query, 400, field)


class TestAlarmSummary(api.FMApiCase):

    def summary(self, query=''):
        return self.app.get('/v1/alarms/summary' + query).json

    def test_empty_is_ok(self):
        self.assertEqual({'critical': 0, 'major': 0, 'minor': 0,
                          'warnings': 0, 'status': 'OK'}, self.summary())

    def test_counts_and_status(self):
        self.set_alarm(alarm_id='200.001', severity='warning')
        self.assertEqual('OK', self.summary()['status'])
        self.set_alarm(alarm_id='200.006', severity='minor',
                       entity_instance_id='host=controller-0.process=sshd',
                       reason_text='sshd failed')
        self.assertEqual('degraded', self.summary()['status'])
        self.set_alarm()
        self.assertEqual({'critical': 1, 'major': 0, 'minor': 1,
                          'warnings': 1, 'status': 'critical'},
                         self.summary())

    def test_suppressed_counted_only_when_asked(self):
        self.set_alarm()
        self.set_suppression('200.004', 'suppressed')
        self.assertEqual(0, self.summary()['critical'])
        self.assertEqual('OK', self.summary()['status'])
        with_suppressed = self.summary('?include_suppress=True')
        self.assertEqual(1, with_suppressed['critical'])
        self.assertEqual('critical', with_suppressed['status'])
        self.get_refused('/v1/alarms/summary?include_suppress=2', 400,
                         'include_suppress')


class TestAlarmShowDelete(api.FMApiCase):

    def test_get_by_uuid_is_the_bare_listed_alarm(self):
        uuid = self.set_alarm()
        alarm = self.app.get('/v1/alarms/' + uuid).json
        self.assertEqual(self.app.get('/v1/alarms').json['alarms'][0],
                         alarm)
        self.assertEqual('200.004', alarm['alarm_id'])

    def test_unknown_uuid_is_404(self):
        fault = self.get_refused('/v1/alarms/' + UNKNOWN_UUID, 404, None,
                                 'stx.alarm.not_found')
        self.assertIn(UNKNOWN_UUID, fault['faultstring'])

    def test_delete_clears_and_logs_a_clear(self):
        uuid = self.set_alarm()
        response = self.app.delete('/v1/alarms/' + uuid)
        self.assertEqual(204, response.status_int)
        self.assertEqual(b'', response.body)
        self.assertEqual([], self.app.get('/v1/alarms').json['alarms'])
        self.assertEqual(404, self.app.get('/v1/alarms/' + uuid,
                                           expect_errors=True).status_int)
        events = self.app.get('/v1/event_log').json['event_log']
        self.assertEqual(['clear', 'set'],
                         [event['state'] for event in events])
        self.assertEqual('200.004', events[0]['event_log_id'])
        self.assertEqual('host=controller-0',
                         events[0]['entity_instance_id'])

    def test_delete_unknown_is_404(self):
        response = self.app.delete('/v1/alarms/' + UNKNOWN_UUID,
                                   expect_errors=True)
        self.assertRefused(response, 404, None, 'stx.alarm.not_found')
