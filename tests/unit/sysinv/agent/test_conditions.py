"""The agent's condition reports to host maintenance: cast on change, again
every interval, held until the host is known, retried after a failure;
and the agent casting them over real RPC once identified.
"""

import atexit
import threading
import time
import types
import uuid

import fixtures
from oslo_config import fixture as config_fixture
import oslo_messaging as messaging
from oslotest import base as oslotest_base

from stx.common import rpc
from stx.conf import CONF
from stx.mtce.pmon import monitor as pmon_monitor
from stx.mtce import rmon
from stx.mtce import rpcapi as mtce_rpcapi
from stx.sysinv.agent import conditions
from tests.unit.sysinv.agent import test_manager

WAIT = 10
HOST = {'uuid': str(uuid.uuid4()), 'hostname': 'worker-1'}
STARTED_AT = '2026-01-01T00:00:00'
SLEEPER = {'key': 'sleeper', 'severity': 'major',
           'reason': 'process sleeper died 4 times in 12 s; 3 restarts did '
                     'not keep it up'}
DISK = {'key': 'filesystem=/var/log', 'severity': 'critical',
        'reason': 'filesystem /var/log 93.2% used (critical threshold 90%)'}


def wait_for(predicate, what):
    deadline = time.monotonic() + WAIT
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('no %s within %ss' % (what, WAIT))
        time.sleep(0.01)


class FakeMtce:
    """Records host_conditions casts; fails them while ``failing``."""

    def __init__(self):
        self.casts = []
        self.failing = False

    def host_conditions(self, context, host_uuid, started_at, source,
                        conditions):
        if self.failing:
            raise messaging.MessageDeliveryFailure('broker unreachable')
        self.casts.append((host_uuid, started_at, source, conditions))

    def take(self):
        """The (source, conditions) cast since the last take."""
        casts, self.casts = self.casts, []
        return [(source, found) for _, _, source, found in casts]


class ReporterTestCase(oslotest_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.logs = self.useFixture(fixtures.FakeLogger(
            name='stx.sysinv.agent.conditions'))
        self.manager = types.SimpleNamespace(
            host=dict(HOST), context=object(), started_at=STARTED_AT)
        self.mtce = FakeMtce()
        self.now = 1000.0
        self.reporter = conditions.ConditionReporter(
            self.manager, mtce=self.mtce, clock=lambda: self.now)


class TestReports(ReporterTestCase):
    """Driven through ``send()``, as the reporter's thread runs it."""

    def test_first_report_sends_every_source_even_empty(self):
        self.reporter.update(conditions.PROCESS, [SLEEPER])

        self.reporter.send()

        self.assertEqual([(HOST['uuid'], STARTED_AT, 'process', [SLEEPER]),
                          (HOST['uuid'], STARTED_AT, 'resource', [])],
                         self.mtce.casts)

    def test_change_is_cast_alone_and_no_change_not_at_all(self):
        self.reporter.send()
        self.mtce.take()

        self.reporter.update(conditions.RESOURCE, [DISK])
        self.reporter.send()
        self.assertEqual([('resource', [DISK])], self.mtce.take())

        self.reporter.update(conditions.RESOURCE, [dict(DISK)])
        self.reporter.send()
        self.assertEqual([], self.mtce.take())

        self.reporter.update(conditions.RESOURCE, [])
        self.reporter.send()
        self.assertEqual([('resource', [])], self.mtce.take())

    def test_order_of_conditions_is_no_change(self):
        other = dict(SLEEPER, key='other')
        self.reporter.update(conditions.PROCESS, [SLEEPER, other])
        self.reporter.send()
        self.mtce.take()

        self.reporter.update(conditions.PROCESS, [other, SLEEPER])
        self.reporter.send()

        self.assertEqual([], self.mtce.take())

    def test_every_source_is_cast_again_each_interval(self):
        self.conf.config(condition_report_interval=30, group='agent')
        self.reporter.update(conditions.PROCESS, [SLEEPER])
        self.reporter.send()
        self.mtce.take()

        self.now += 29
        self.reporter.send()
        self.assertEqual([], self.mtce.take())

        self.now += 1
        self.reporter.send()
        self.assertEqual([('process', [SLEEPER]), ('resource', [])],
                         self.mtce.take())

    def test_held_until_the_host_is_known(self):
        self.manager.host = None
        self.reporter.update(conditions.RESOURCE, [DISK])

        self.reporter.send()
        self.assertEqual([], self.mtce.casts)

        self.manager.host = dict(HOST)
        self.reporter.send()
        self.assertEqual([('process', []), ('resource', [DISK])],
                         self.mtce.take())

    def test_another_host_gets_every_source(self):
        self.reporter.send()
        self.mtce.take()

        self.manager.host = dict(HOST, uuid=str(uuid.uuid4()))
        self.reporter.send()

        self.assertEqual([self.manager.host['uuid']] * 2,
                         [cast[0] for cast in self.mtce.casts])

    def test_cast_failure_logged_once_and_retried(self):
        self.mtce.failing = True
        self.reporter.update(conditions.PROCESS, [SLEEPER])
        self.reporter.send()
        self.reporter.send()
        self.reporter.update(conditions.RESOURCE, [DISK])
        self.reporter.send()

        self.assertEqual([], self.mtce.casts)
        self.assertEqual(1, self.logs.output.count(
            'conditions not reported to host maintenance, retrying: '
            'broker unreachable'))

        self.mtce.failing = False
        self.reporter.send()
        self.assertEqual([('process', [SLEEPER]), ('resource', [DISK])],
                         self.mtce.take())
        self.assertIn('conditions reported to host maintenance again',
                      self.logs.output)


class TestThread(ReporterTestCase):

    def setUp(self):
        super().setUp()
        self.reporter = conditions.ConditionReporter(self.manager,
                                                     mtce=self.mtce)
        self.reporter.start()
        self.addCleanup(self.reporter.stop)

    def test_update_is_cast_at_once(self):
        self.reporter.host_identified()
        wait_for(lambda: len(self.mtce.casts) == 2, 'first report')

        self.reporter.update(conditions.PROCESS, [SLEEPER])

        wait_for(lambda: len(self.mtce.casts) == 3, 'cast of the change')
        self.assertEqual('process', self.mtce.casts[-1][2])

    def test_repeated_every_interval(self):
        self.conf.config(condition_report_interval=1, group='agent')
        self.reporter.host_identified()

        wait_for(lambda: len(self.mtce.casts) >= 4, 'a second full report')

    def test_update_does_not_wait_for_a_slow_cast(self):
        release = threading.Event()
        self.addCleanup(release.set)
        self.mtce.host_conditions = lambda *args: release.wait(WAIT)
        self.reporter.host_identified()

        started = time.monotonic()
        for _ in range(3):
            self.reporter.update(conditions.PROCESS, [])
            self.reporter.update(conditions.PROCESS, [SLEEPER])

        self.assertLess(time.monotonic() - started, 0.5)


class TestStartMonitors(oslotest_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.reporter = conditions.ConditionReporter(None, mtce=FakeMtce())

    def test_none_when_off(self):
        self.conf.config(conf_dir='', group='pmon')
        self.conf.config(audit_interval=0, group='rmon')

        self.assertEqual([], conditions.start_monitors(self.reporter))

    def test_both_when_configured(self):
        conf_dir = self.useFixture(fixtures.TempDir()).path
        with open('%s/quiet.conf' % conf_dir, 'w') as conf_file:
            conf_file.write('[process]\nprocess = quiet\nscript = true\n'
                            'mode = ignore\n')
        self.conf.config(conf_dir=conf_dir, group='pmon')

        monitors = conditions.start_monitors(self.reporter)
        for monitor in monitors:
            self.addCleanup(monitor.stop)

        self.assertEqual([pmon_monitor.ProcessMonitor, rmon.ResourceMonitor],
                         [type(monitor) for monitor in monitors])


class FakeMtceServer:
    """stx-mtce's host_conditions, recording what arrives over RPC."""

    target = messaging.Target(version='1.2')

    def __init__(self):
        self.casts = []

    def host_conditions(self, context, host_uuid, started_at, source,
                        conditions):
        self.casts.append((host_uuid, source, conditions))


class TestAgentReports(test_manager.AgentTestCase):

    def test_identified_agent_casts_its_conditions(self):
        self.conf.config(audit_interval=0, group='rmon')
        host = test_manager.make_host('controller-0',
                                      test_manager.SERVER_MACS[0])
        self.serve(test_manager.FakeConductor([host]))
        topic = 'stx-mtce-%s' % uuid.uuid4().hex[:12]
        received = FakeMtceServer()
        server = rpc.get_server(messaging.Target(topic=topic, server='mtce'),
                                [received])
        server.start()
        self.addCleanup(server.stop)
        # As AgentTestCase.serve: by exit, its idle poll has long passed.
        atexit.register(server.wait)
        agent = self.make_agent()
        agent.conditions = conditions.ConditionReporter(
            agent, mtce=mtce_rpcapi.MtceAPI(topic=topic))
        stop = threading.Event()
        thread = threading.Thread(target=agent.run, args=(stop,),
                                  daemon=True)
        thread.start()
        self.addCleanup(thread.join, WAIT)
        self.addCleanup(stop.set)

        wait_for(lambda: len(received.casts) == 2, 'conditions cast')
        self.assertEqual([(host['uuid'], 'process', []),
                          (host['uuid'], 'resource', [])], received.casts)

        agent.conditions.update(conditions.PROCESS, [SLEEPER])
        wait_for(lambda: len(received.casts) == 3, 'a change cast')
        self.assertEqual((host['uuid'], 'process', [SLEEPER]),
                         received.casts[-1])
