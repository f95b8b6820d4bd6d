"""Tests of fm's REST API, and what they share."""

import json
import urllib.parse

from tests.unit.fm import base


class FMApiCase(base.FMApiTestCase):
    """FMApiTestCase plus the checks every fm API test makes."""

    def error_of(self, response):
        """The inner fault object of a StarlingX error body."""
        return json.loads(response.json['error_message'])

    def assertRefused(self, response, status, field, code=None):
        self.assertEqual(status, response.status_int, response.body)
        self.assertEqual('application/json', response.content_type)
        fault = self.error_of(response)
        self.assertEqual(field, fault['field'], fault)
        self.assertEqual('Client', fault['faultcode'])
        self.assertTrue(fault['faultstring'])
        self.assertNotIn('Traceback', response.body.decode())
        if code:
            self.assertEqual(code, fault['code'])
        return fault

    def get_refused(self, url, status, field, code=None):
        return self.assertRefused(self.app.get(url, expect_errors=True),
                                  status, field, code)

    def follow(self, link):
        """GET a 'next' link (absolute, as the API gives it)."""
        parts = urllib.parse.urlsplit(link)
        return self.app.get('%s?%s' % (parts.path, parts.query)).json

    def suppression(self, alarm_id):
        entries = self.app.get('/v1/event_suppression').json
        return [entry for entry in entries['event_suppression']
                if entry['alarm_id'] == alarm_id][0]

    def set_suppression(self, alarm_id, status):
        entry = self.suppression(alarm_id)
        return self.app.patch_json(
            '/v1/event_suppression/' + entry['uuid'],
            [{'path': '/suppression_status', 'value': status,
              'op': 'replace'}]).json
