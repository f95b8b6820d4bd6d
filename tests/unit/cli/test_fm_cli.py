"""The ``stx`` alarm and event commands, run through ``main(argv)``.

``TestFMCommands`` drives a real fm API (tests/unit/cli/fm_server.py);
``TestFMRequests`` checks the exact requests against a recording stub.
"""

import http.server
import json
import threading

import fixtures

from stx.cli import alarms
from stx.cli import events
from tests.unit.cli import test_cli

ALARM_HEADER = ('| Alarm ID | Reason Text | Entity ID | Severity | '
                'Time Stamp |')


def _header(out):
    """The header row of a cliff table, with single spaces."""
    return ' '.join(out.splitlines()[1].split())


class TestFMCommands(test_cli.CliTestCase):
    """Every fm command against the real API, on an AIO-style base URL."""

    def setUp(self):
        super().setUp()
        # Imported here so that the request tests run without the server.
        from tests.unit.cli import fm_server
        self.fm = self.useFixture(fm_server.FMServer())
        self.useFixture(fixtures.EnvironmentVariable('STX_URL', self.fm.url))

    def json_of(self, *argv):
        status, out, err = self.stx(*(argv + ('-f', 'json')))
        self.assertEqual(0, status, err)
        return json.loads(out)

    def two_alarms(self):
        failed = self.fm.set_alarm()
        locked = self.fm.set_alarm(
            alarm_id='200.001', severity='warning',
            entity_instance_id='host=worker-0',
            reason_text='worker-0 was administratively locked')
        return failed, locked

    def test_alarm_list_table_like_fm(self):
        self.two_alarms()
        status, out, err = self.stx('alarm-list')
        self.assertEqual(0, status, err)
        self.assertEqual(ALARM_HEADER, _header(out))
        self.assertIn('| 200.004 ', out)
        self.assertIn('host=worker-0', out)
        status, out, _err = self.stx('alarm-list', '--uuid')
        self.assertTrue(_header(out).startswith('| UUID | Alarm ID |'))

    def test_alarm_list_json_gives_api_fields(self):
        failed, locked = self.two_alarms()
        listed = self.json_of('alarm-list')
        self.assertEqual({failed, locked}, {a['uuid'] for a in listed})
        for alarm in listed:
            self.assertEqual(list(alarms.ALARM_FIELDS), list(alarm))
            self.assertEqual('unsuppressed', alarm['suppression_status'])
        by_id = {alarm['alarm_id']: alarm for alarm in listed}
        self.assertEqual('critical', by_id['200.004']['severity'])
        self.assertEqual('host=worker-0',
                         by_id['200.001']['entity_instance_id'])

    def test_alarm_list_filters(self):
        failed, locked = self.two_alarms()

        def uuids(*argv):
            return [a['uuid'] for a in self.json_of('alarm-list', *argv)]

        self.assertEqual([locked], uuids('--severity', 'warning'))
        self.assertEqual([failed], uuids('--entity', 'host=controller-0'))
        self.assertEqual([locked], uuids('--alarm-id', '200.001'))
        self.assertEqual([], uuids('--alarm-id', '200.001',
                                   '--severity', 'critical'))
        self.assertEqual(1, len(uuids('--limit', '1')))
        ascending = uuids('--sort-key', 'alarm_id', '--sort-dir', 'asc')
        self.assertEqual([locked, failed], ascending)
        self.assertEqual([failed, locked],
                         uuids('--sort-key', 'alarm_id',
                               '--sort-dir', 'desc'))

    def test_alarm_list_mgmt_and_degrade_affecting_columns(self):
        self.fm.set_alarm()
        status, out, err = self.stx('alarm-list', '--mgmt-affecting',
                                    '--degrade-affecting')
        self.assertEqual(0, status, err)
        self.assertTrue(_header(out).endswith(
            '| Management Affecting | Degrade Affecting |'), out)

    def test_bad_sort_key_names_it(self):
        result = self.stx('alarm-list', '--sort-key', 'colour')
        self.assertIn('sort_key', self.assertOneLineError(result))

    def test_alarm_show(self):
        failed, _locked = self.two_alarms()
        alarm = self.json_of('alarm-show', failed)
        self.assertEqual(sorted(alarm), list(alarm))
        self.assertEqual(('200.004', 'host=controller-0', 'critical'),
                         (alarm['alarm_id'], alarm['entity_instance_id'],
                          alarm['severity']))
        self.assertNotIn('links', alarm)
        status, out, _err = self.stx('alarm-show', failed)
        self.assertEqual(0, status)
        self.assertIn('| reason_text ', out)

    def test_unknown_uuid_is_one_line(self):
        missing = '0b5b4c3c-2b58-4a4f-8d0e-3d7ee0b3f1a9'
        for argv in (('alarm-show', missing), ('alarm-delete', missing),
                     ('event-show', missing)):
            err = self.assertOneLineError(self.stx(*argv))
            self.assertIn(missing, err)
            self.assertIn('could not be found', err)

    def test_alarm_summary(self):
        self.two_alarms()
        self.fm.set_alarm(entity_instance_id='host=worker-1',
                          reason_text='worker-1 failed')
        status, out, err = self.stx('alarm-summary')
        self.assertEqual(0, status, err)
        self.assertEqual('| Critical Alarms | Major Alarms | Minor Alarms | '
                         'Warnings |', _header(out))
        self.assertEqual([{'critical': 2, 'major': 0, 'minor': 0,
                           'warnings': 1, 'status': 'critical'}],
                         self.json_of('alarm-summary'))
        status, out, _err = self.stx('alarm-summary', '-f', 'value')
        self.assertEqual('2 0 0 1\n', out)

    def test_alarm_delete_logs_a_clear(self):
        failed, locked = self.two_alarms()
        status, out, err = self.stx('alarm-delete', failed, locked)
        self.assertEqual(0, status, err)
        self.assertEqual('Deleted alarm %s\nDeleted alarm %s\n'
                         % (failed, locked), out)
        self.assertEqual([], self.json_of('alarm-list'))
        states = [e['state'] for e in self.json_of('event-list', '--alarms')]
        self.assertEqual(['clear', 'clear', 'set', 'set'], states)

    def test_alarm_delete_reports_what_it_could_not_delete(self):
        failed = self.fm.set_alarm()
        result = self.stx('alarm-delete', 'no-such-alarm', failed)
        self.assertIn('no-such-alarm', self.assertOneLineError(result))
        self.assertEqual('Deleted alarm %s\n' % failed, result[1])

    def test_event_list_and_show(self):
        failed, _locked = self.two_alarms()
        log = self.fm.set_event()
        self.stx('alarm-delete', failed)
        status, out, err = self.stx('event-list')
        self.assertEqual(0, status, err)
        self.assertEqual('| Time Stamp | State | Event Log ID | Reason Text '
                         '| Entity Instance ID | Severity |', _header(out))
        listed = self.json_of('event-list')
        self.assertEqual(['clear', 'log', 'set', 'set'],
                         [event['state'] for event in listed])
        self.assertEqual(list(events.EVENT_FIELDS), list(listed[0]))
        self.assertEqual(log, listed[1]['uuid'])
        event = self.json_of('event-show', log)
        self.assertEqual(sorted(event), list(event))
        self.assertEqual(('200.021', 'log'),
                         (event['event_log_id'], event['state']))
        status, out, _err = self.stx('event-list', '--uuid')
        self.assertTrue(_header(out).startswith('| UUID | Time Stamp |'))

    def test_event_list_filters(self):
        # Event records have uuids of their own; name them by their id.
        self.two_alarms()
        self.fm.set_event()
        listed = self.json_of('event-list')

        def ids(*argv):
            return [e['event_log_id'] for e in
                    self.json_of('event-list', *argv)]

        self.assertEqual(['200.021', '200.001', '200.004'], ids())
        self.assertEqual(['200.021'], ids('--logs'))
        self.assertEqual(['200.001', '200.004'], ids('--alarms'))
        self.assertEqual(['200.021'], ids('-l', '1'))
        self.assertEqual(['200.021', '200.001'], ids('--limit', '2'))
        self.assertEqual(['200.001'], ids('--severity', 'warning'))
        self.assertEqual(['200.021', '200.004'],
                         ids('--entity', 'host=controller-0'))
        self.assertEqual(['200.021', '200.001'],
                         ids('--since', listed[1]['timestamp']))
        self.assertEqual(2, self.stx('event-list', '--alarms', '--logs')[0])

    def test_suppression_round_trip(self):
        failed, locked = self.two_alarms()
        self.assertEqual([], self.json_of('event-suppress-list'))
        status, out, err = self.stx('event-suppress', '--alarm-id',
                                    '200.004')
        self.assertEqual(0, status, err)
        self.assertEqual('| Event ID | Status |', _header(out))
        self.assertIn('| 200.004 | suppressed |', ' '.join(out.split()))
        self.assertEqual(['200.004'], [
            entry['alarm_id']
            for entry in self.json_of('event-suppress-list')])

        # Hidden by default, shown as S(id) on request.
        self.assertEqual([locked],
                         [a['uuid'] for a in self.json_of('alarm-list')])
        status, out, _err = self.stx('alarm-list', '--include-suppress')
        self.assertIn('S(200.004)', out)
        included = self.json_of('alarm-list', '--include-suppress')
        self.assertEqual({'suppressed', 'unsuppressed'},
                         {a['suppression_status'] for a in included})
        self.assertEqual(0, self.json_of('alarm-summary')[0]['critical'])
        self.assertEqual(1, self.json_of('alarm-summary',
                                         '--include-suppress')[0]['critical'])
        self.assertEqual(['200.001'], [
            e['event_log_id'] for e in self.json_of('event-list')])
        status, out, _err = self.stx('event-list', '--include-suppress')
        self.assertIn('S(200.004)', out)

        status, out, err = self.stx('event-unsuppress', '--alarm-id',
                                    '200.004')
        self.assertEqual(0, status, err)
        self.assertEqual([], self.json_of('event-suppress-list'))
        self.assertEqual({failed, locked},
                         {a['uuid'] for a in self.json_of('alarm-list')})

    def test_suppress_several_and_unsuppress_all(self):
        changed = self.json_of('event-suppress', '--alarm-id', '200.004',
                               '200.005,400.001', '--uuid')
        self.assertEqual(['200.004', '200.005', '400.001'],
                         [entry['alarm_id'] for entry in changed])
        self.assertEqual(list(events.SUPPRESSION_FIELDS), list(changed[0]))
        every = self.json_of('event-suppress-list', '--include-unsuppressed')
        self.assertGreater(len(every), 3)
        self.assertEqual(3, len([e for e in every if e[
            'suppression_status'] == 'suppressed']))
        status, out, err = self.stx('event-unsuppress-all', '-f', 'value',
                                    '-c', 'Event ID')
        self.assertEqual(0, status, err)
        self.assertEqual('200.004\n200.005\n400.001\n', out)
        self.assertEqual([], self.json_of('event-suppress-list'))

    def test_unknown_alarm_id_changes_nothing(self):
        result = self.stx('event-suppress', '--alarm-id', '200.004',
                          '999.999')
        err = self.assertOneLineError(result)
        self.assertIn('999.999', err)
        self.assertNotIn('200.004', err)
        self.assertEqual([], self.json_of('event-suppress-list'))
        err = self.assertOneLineError(
            self.stx('event-unsuppress', '--alarm_id', '999.999'))
        self.assertIn('999.999', err)

    def test_customer_log_id_cannot_be_suppressed(self):
        # As in StarlingX, only alarm ids have event suppression entries.
        err = self.assertOneLineError(
            self.stx('event-suppress', '--alarm-id', '200.021'))
        self.assertIn('200.021', err)
        self.assertEqual([], self.json_of('event-suppress-list'))

    def test_alarm_id_is_required(self):
        self.assertEqual(2, self.stx('event-suppress')[0])


class Recorder(fixtures.Fixture):
    """An HTTP server that records requests and answers from ``answers``.

    ``answers`` maps ``(method, path)`` (the path without its query) to a
    JSON-able body; anything else gets 404. ``requests`` holds
    ``(method, path with query, decoded JSON body or None)``.
    """

    def _setUp(self):
        self.answers = {}
        self.requests = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length)
                recorder.requests.append(
                    (self.command, self.path,
                     json.loads(body) if body else None))
                key = (self.command, self.path.partition('?')[0])
                status, answer = ((200, recorder.answers[key])
                                  if key in recorder.answers
                                  else (404, {'error_message': json.dumps(
                                      {'faultstring': 'Not here'})}))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_PATCH = do_DELETE = do_GET

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        self.url = 'http://127.0.0.1:%d/fm' % server.server_address[1]


class TestFMRequests(test_cli.CliTestCase):
    """The requests are the ones StarlingX's ``fm`` client sends."""

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(Recorder())
        self.useFixture(fixtures.EnvironmentVariable('STX_FM_URL',
                                                     self.server.url))

    def paths(self, *argv):
        status, _out, err = self.stx(*argv)
        self.assertEqual(0, status, err)
        return [path for _method, path, _body in self.server.requests]

    def test_alarm_list_query(self):
        self.server.answers['GET', '/fm/v1/alarms'] = {'alarms': []}
        self.assertEqual(['/fm/v1/alarms'], self.paths('alarm-list'))
        self.server.requests[:] = []
        self.assertEqual(
            ['/fm/v1/alarms?q.field=severity&q.field=entity_instance_id'
             '&q.op=eq&q.op=eq&q.type=&q.type=&q.value=major'
             '&q.value=host%3Dworker-0&include_suppress=True&limit=5'
             '&sort_key=severity&sort_dir=asc'],
            self.paths('alarm-list', '--severity', 'major',
                       '--entity', 'host=worker-0', '--include-suppress',
                       '--limit', '5', '--sort-key', 'severity',
                       '--sort-dir', 'asc'))

    def test_summary_and_event_list_queries(self):
        self.server.answers['GET', '/fm/v1/alarms/summary'] = {
            'critical': 0, 'major': 0, 'minor': 0, 'warnings': 0,
            'status': 'OK'}
        self.server.answers['GET', '/fm/v1/event_log'] = {'event_log': []}
        self.assertEqual(
            ['/fm/v1/alarms/summary?include_suppress=True',
             '/fm/v1/event_log?limit=5&alarms=True'],
            self.paths('alarm-summary', '--include_suppress') +
            self.paths('event-list', '-l', '5', '--alarms')[1:])

    def test_suppress_lists_then_patches(self):
        entry = {'uuid': 'u-1', 'alarm_id': '200.004', 'description': 'x',
                 'suppression_status': 'unsuppressed'}
        self.server.answers['GET', '/fm/v1/event_suppression'] = {
            'event_suppression': [entry]}
        self.server.answers['PATCH', '/fm/v1/event_suppression/u-1'] = dict(
            entry, suppression_status='suppressed')
        self.paths('event-suppress', '--alarm-id', '200.004')
        self.assertEqual(
            [('GET', '/fm/v1/event_suppression', None),
             ('PATCH', '/fm/v1/event_suppression/u-1',
              [{'op': 'replace', 'path': '/suppression_status',
                'value': 'suppressed'}])],
            self.server.requests)

    def test_suppress_list_filters_on_the_server(self):
        self.server.answers['GET', '/fm/v1/event_suppression'] = {
            'event_suppression': []}
        self.assertEqual(
            ['/fm/v1/event_suppression?q.field=suppression_status&q.op=eq'
             '&q.type=string&q.value=suppressed',
             '/fm/v1/event_suppression'],
            self.paths('event-suppress-list') +
            self.paths('event-suppress-list', '--include-unsuppressed')[1:])
