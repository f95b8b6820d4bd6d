"""GET /v1/event_log: alarm history and customer logs, newest first."""

import urllib.parse

from tests.unit.fm import api

CLIENT_FIELDS = ('timestamp', 'state', 'event_log_id', 'reason_text',
                 'entity_instance_id', 'severity', 'uuid',
                 'suppression_status')
UNKNOWN_UUID = '7a3c1d52-0000-4000-8000-000000000000'


class TestEventLog(api.FMApiCase):

    def setUp(self):
        super().setUp()
        # set, clear, log, set: four records, the last one newest.
        self.set_alarm()
        self.rpcapi.clear_faults(self.context,
                                 [['200.004', 'host=controller-0']])
        self.set_event()
        self.set_alarm(alarm_id='100.101', severity='major',
                       entity_instance_id='host=worker-0',
                       reason_text='Platform CPU at 91%')

    def states(self, url):
        return [(event['event_log_id'], event['state'])
                for event in self.app.get(url).json['event_log']]

    def test_list_wraps_newest_first_with_client_fields(self):
        events = self.app.get('/v1/event_log').json['event_log']
        self.assertEqual([('100.101', 'set'), ('200.021', 'log'),
                          ('200.004', 'clear'), ('200.004', 'set')],
                         [(e['event_log_id'], e['state']) for e in events])
        for event in events:
            for field in CLIENT_FIELDS + ('entity_type_id', 'event_log_type',
                                          'probable_cause',
                                          'proposed_repair_action',
                                          'service_affecting', 'suppression',
                                          'links'):
                self.assertIn(field, event)
            self.assertNotIn('id', event)
            self.assertTrue(event['links'][0]['href'].endswith(
                '/v1/event_log/' + event['uuid']))
        self.assertEqual('clear', events[2]['severity'])
        self.assertEqual('controller-0 lock requested',
                         events[1]['reason_text'])

    def test_alarms_or_logs_only(self):
        self.assertEqual([('100.101', 'set'), ('200.004', 'clear'),
                          ('200.004', 'set')],
                         self.states('/v1/event_log?alarms=True'))
        self.assertEqual([('200.021', 'log')],
                         self.states('/v1/event_log?logs=True'))
        self.assertEqual(4, len(self.states(
            '/v1/event_log?alarms=True&logs=True')))
        self.assertEqual(4, len(self.states(
            '/v1/event_log?alarms=False&logs=False')))

    def test_limit_pages_with_a_next_link(self):
        # As the fm client sends it: limit first, then the flags.
        page = self.app.get('/v1/event_log?limit=2&alarms=True').json
        self.assertEqual(['100.101', '200.004'],
                         [e['event_log_id'] for e in page['event_log']])
        rest = self.follow(page['next'])
        self.assertEqual([('200.004', 'set')],
                         [(e['event_log_id'], e['state'])
                          for e in rest['event_log']])
        self.assertNotIn('next', rest)

    def test_since_keeps_newer_records(self):
        events = self.app.get('/v1/event_log').json['event_log']
        since = urllib.parse.quote(events[1]['timestamp'])
        self.assertEqual([('100.101', 'set'), ('200.021', 'log')],
                         self.states('/v1/event_log?since=' + since))
        self.assertEqual([], self.states(
            '/v1/event_log?since=2999-01-01T00:00:00Z'))
        self.assertEqual(4, len(self.states(
            '/v1/event_log?since=2000-01-01T00:00:00')))

    def test_q_filters(self):
        self.assertEqual([('200.004', 'clear'), ('200.004', 'set')],
                         self.states('/v1/event_log?q.field=event_log_id'
                                     '&q.op=eq&q.type=&q.value=200.004'))
        self.assertEqual([('200.004', 'clear')], self.states(
            '/v1/event_log?q.field=event_log_id&q.field=state&q.op=eq'
            '&q.op=eq&q.type=&q.type=&q.value=200.004&q.value=clear'))
        self.assertEqual([('100.101', 'set')], self.states(
            '/v1/event_log?q.field=entity_instance_id&q.op=eq&q.type='
            '&q.value=host%3Dworker-0'))

    def test_suppressed_records_hidden_unless_asked_for(self):
        self.set_suppression('200.004', 'suppressed')
        self.assertEqual([('100.101', 'set'), ('200.021', 'log')],
                         self.states('/v1/event_log'))
        events = self.app.get(
            '/v1/event_log?include_suppress=True').json['event_log']
        self.assertEqual(['unsuppressed', 'unsuppressed', 'suppressed',
                          'suppressed'],
                         [e['suppression_status'] for e in events])

    def test_get_one_and_unknown_uuid(self):
        listed = self.app.get('/v1/event_log').json['event_log'][0]
        self.assertEqual(listed, self.app.get(
            '/v1/event_log/' + listed['uuid']).json)
        self.get_refused('/v1/event_log/' + UNKNOWN_UUID, 404, None,
                         'stx.event.not_found')

    def test_bad_parameters_are_refused_naming_them(self):
        for query, field in (
                ('limit=-1', 'limit'), ('limit=many', 'limit'),
                ('alarms=yes please', 'alarms'), ('logs=2', 'logs'),
                ('include_suppress=x', 'include_suppress'),
                ('since=yesterday', 'since'),
                ('marker=' + UNKNOWN_UUID, 'marker'),
                ('sort_key=severity', 'sort_key'),
                ('q.field=alarm_id&q.op=eq&q.type=&q.value=200.004',
                 'q.field'),
                ('q.field=state&q.op=near&q.type=&q.value=set', 'q.op'),
                ('q.field=state&q.field=severity&q.op=eq&q.op=eq'
                 '&q.type=&q.type=&q.value=set', 'q.value')):
            self.get_refused('/v1/event_log?' + query, 400, field)
