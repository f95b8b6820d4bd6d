"""PATCH /v1/servicenode/<hostname>: StarlingX's swact command."""

from stx.common import exception
from tests.unit.sm import api

# What StarlingX's mtce sends.
SWACT = {'origin': 'mtce', 'action': 'swact', 'admin': 'unlocked',
         'oper': 'enabled', 'avail': 'available'}


class TestSwact(api.SMApiCase):

    def patch(self, ident, body, status=200):
        response = self.app.patch_json('/v1/servicenode/' + ident, body,
                                       expect_errors=True)
        self.assertEqual(status, response.status_int, response.body)
        return response

    def refused(self, ident, body, status):
        return self.error_of(self.patch(ident, body, status))

    def test_swact_answers_the_command_result_and_groups_moved(self):
        result = self.patch('controller-0', SWACT).json
        self.assertEqual(
            {'origin': 'sm', 'hostname': 'controller-0', 'action': 'swact',
             'admin': 'unlocked', 'oper': 'enabled', 'avail': 'available',
             'error_code': '0',
             'service_groups': ['controller-services', 'oam-services']},
            result)
        self.assertEqual(['controller-0'], self.sm.swacts)

    def test_a_node_may_be_named_by_id_or_uuid(self):
        node = self.app.get('/v1/nodes/controller-1').json
        for ident in ('2', node['uuid']):
            self.patch(ident, {'action': 'swact'})
        self.assertEqual(['controller-1', 'controller-1'], self.sm.swacts)

    def test_refusal_is_a_409_with_the_reason(self):
        self.sm.refusal = ('Cannot swact from controller-0: its peer '
                           'controller does not answer.')
        fault = self.refused('controller-0', SWACT, 409)
        self.assertEqual(self.sm.refusal, fault['faultstring'])
        self.assertEqual('stx.conflict', fault['code'])

    def test_unknown_node_is_a_404_and_nothing_is_asked(self):
        fault = self.refused('controller-7', SWACT, 404)
        self.assertEqual('Service node controller-7 could not be found.',
                         fault['faultstring'])
        self.assertEqual([], self.sm.swacts)

    def test_a_node_whose_stx_sm_does_not_answer_is_a_503(self):
        self.sm.error = exception.ServiceUnavailable(
            service='stx-sm on controller-1', reason='it did not answer '
            'within 40 seconds')
        fault = self.refused('controller-1', SWACT, 503)
        self.assertEqual('stx-sm on controller-1 is not available: it did '
                         'not answer within 40 seconds',
                         fault['faultstring'])

    def test_bad_commands_are_400_naming_the_field(self):
        for body, field, text in (
                (dict(SWACT, action='lock'), 'action',
                 "Invalid value for 'action': 'lock' is not supported; "
                 "supported: swact"),
                (dict(SWACT, action='swact-force'), 'action', None),
                ({'origin': 'mtce'}, 'action',
                 "'action' is required: one of swact"),
                (dict(SWACT, force=True), 'force',
                 "Unknown attribute 'force'."),
                (dict(SWACT, action=1), 'action', None),
                (['swact'], 'body', None)):
            with self.subTest(body=body):
                fault = self.refused('controller-0', body, 400)
                self.assertEqual(field, fault['field'])
                if text:
                    self.assertEqual(text, fault['faultstring'])
        self.assertEqual([], self.sm.swacts)

    def test_a_body_that_is_not_json_is_a_400(self):
        response = self.app.patch('/v1/servicenode/controller-0', 'swact',
                                  content_type='application/json',
                                  expect_errors=True)
        self.assertEqual(400, response.status_int)
        self.assertEqual('body', self.error_of(response)['field'])
