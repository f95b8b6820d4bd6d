"""Tests of sm's REST API, and what they share.

The API is served through webtest in front of ``FakeSM``, which stands in
for ``stx.sm.rpcapi.SMAPI``: it answers a fixed domain, two controllers
in contact, or raises what the real client raises.
"""

import copy
import json

from oslo_config import fixture as config_fixture
from oslotest import base
import webtest

from stx.common import exception
from stx.common import states
from stx.conf import CONF
from stx.sm.api import app as sm_app
# Parses the (empty) configuration the API reads.
from tests.unit import base as unit_base  # noqa: F401


def _group(name, node, state, status=states.SG_STATUS_NONE, condition=''):
    return {'name': name, 'node': node, 'state': state,
            'desired_state': state, 'status': status, 'condition': condition}


def _service(name, node, group, state, desired_state=None,
             status=states.SG_STATUS_NONE, condition=''):
    return {'name': name, 'node': node, 'service_group': group,
            'state': state, 'desired_state': desired_state or state,
            'status': status, 'condition': condition}


def _node(name):
    return {'name': name, 'administrative': states.UNLOCKED,
            'operational': states.ENABLED, 'availability': states.AVAILABLE,
            'ready_state': states.ENABLED}


# controller-0 active, controller-1 standby with fm-api failed there. The
# lists are not in order: the API sorts them.
STATE = {
    'node': 'controller-0', 'domain': 'controller',
    'nodes': [_node('controller-1'), dict(_node('controller-0'), paths=[
        {'name': 'management', 'alive': True, 'silent_for': 0.1},
        {'name': 'oam', 'alive': False, 'silent_for': 3.2}],
        failover='normal', reachability={
            'reached': 2, 'total': 3, 'unreached': ['worker-1']},
        decisions=[
            {'at': '2026-12-07T22:00:01', 'state': 'fail-pending',
             'reason': 'nothing heard from controller-1 on any path'},
            {'at': '2026-12-07T22:00:02', 'state': 'normal',
             'reason': 'controller-1 is heard again'}])],
    'service_groups': [
        _group('oam-services', 'controller-1', states.SG_STANDBY),
        _group('controller-services', 'controller-1', states.SG_STANDBY,
               states.SG_STATUS_DEGRADED, 'failed: fm-api'),
        _group('oam-services', 'controller-0', states.SG_ACTIVE),
        _group('controller-services', 'controller-0', states.SG_ACTIVE),
    ],
    'services': [
        _service('sysinv-api', 'controller-0', 'controller-services',
                 states.SVC_ENABLED_ACTIVE),
        _service('fm-api', 'controller-0', 'controller-services',
                 states.SVC_ENABLED_ACTIVE),
        _service('oam-ip', 'controller-0', 'oam-services',
                 states.SVC_ENABLED_ACTIVE),
        _service('sysinv-api', 'controller-1', 'controller-services',
                 states.SVC_ENABLED_STANDBY),
        _service('fm-api', 'controller-1', 'controller-services',
                 states.SVC_DISABLED, states.SVC_ENABLED_STANDBY,
                 states.SG_STATUS_FAILED, 'enable failed: exit status 1'),
        _service('oam-ip', 'controller-1', 'oam-services',
                 states.SVC_INITIAL, states.SVC_ENABLED_STANDBY),
    ],
}

UNAVAILABLE = exception.ServiceUnavailable(
    service='stx-sm', reason='it did not answer within 10 seconds')


class FakeSM:
    """SMAPI's methods over a copy of ``STATE``.

    :ivar state: what get_state answers; change it freely.
    :ivar error: raised by every call when set.
    :ivar refusal: the reason a swact is refused (a Conflict), when set.
    :ivar swacts: the nodes swact was called for.
    """

    def __init__(self):
        self.state = copy.deepcopy(STATE)
        self.asked = []
        self.silent = set()
        self.error = None
        self.refusal = None
        self.swacts = []

    def get_state(self, context, node=None, timeout=None):
        self.asked.append(node)
        if self.error is not None:
            raise self.error
        if node is not None and node in self.silent:
            raise exception.ServiceUnavailable(service='stx-sm on %s' % node,
                                               reason='no answer')
        return copy.deepcopy(self.state)

    def swact(self, context, node, timeout=None):
        if self.error is not None:
            raise self.error
        self.swacts.append(node)
        if self.refusal is not None:
            raise exception.Conflict(self.refusal)
        return sorted(group['name'] for group in self.state['service_groups']
                      if group['node'] == node and
                      group['state'] == states.SG_ACTIVE)


class SMApiCase(base.BaseTestCase):
    """The sm API through webtest, FakeSM behind it (``self.sm``)."""

    def setUp(self):
        super().setUp()
        self.useFixture(config_fixture.Config(CONF))
        self.sm = FakeSM()
        self.app = webtest.TestApp(sm_app.make_app(lambda: self.sm))

    def error_of(self, response):
        """The inner fault object of a StarlingX error body."""
        self.assertEqual('application/json', response.content_type)
        self.assertNotIn('Traceback', response.body.decode())
        return json.loads(response.json['error_message'])

    def get_refused(self, url, status):
        response = self.app.get(url, expect_errors=True)
        self.assertEqual(status, response.status_int, response.body)
        return self.error_of(response)
