"""What the host maintenance tests share: a real stx-mtce manager behind the
sysinv API, the shared test conductor and fm manager, and FakeBMC machines.

One RPC server serves the whole run (as the conductor's does; see
tests.unit.base) on a topic of its own, which only these tests' API
calls, so that other API tests still find no stx-mtce; it hands each
call to the manager of the test that runs, built fresh in ``setUp``. The
manager's periodic tasks are not started: tests run an audit when they
want one.
"""

import threading

import fixtures
import oslo_messaging as messaging
import webtest

from stx.api import app as api_app
from stx.common import rpc
from stx.common import states
from stx.drivers.bmc import fake as fake_bmc
from stx.drivers import loader
from stx.fm.db import api as fm_dbapi
from stx.mtce import manager
from stx.mtce import rpcapi as mtce_rpcapi
from stx.sysinv.api.controllers import root
from stx.sysinv.conductor import rpcapi
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import DB
from tests.unit import base
from tests.unit.fm import base as fm_base


TOPIC = mtce_rpcapi.TOPIC + '-test'


class _Delegate:
    """The shared server's endpoint: forwards to the current manager."""

    target = messaging.Target(version='1.2')
    current = None

    def host_action(self, context, **kwargs):
        return _Delegate.current.host_action(context, **kwargs)

    def host_modified(self, context, **kwargs):
        return _Delegate.current.host_modified(context, **kwargs)

    def goenabled(self, context, **kwargs):
        return _Delegate.current.goenabled(context, **kwargs)

    def host_conditions(self, context, **kwargs):
        return _Delegate.current.host_conditions(context, **kwargs)


class MtceServerFixture(fixtures.Fixture):
    """Serves the stx-mtce topic with ``manager`` for this test."""

    _server = None

    def __init__(self, mtce_manager):
        super().__init__()
        self.mtce_manager = mtce_manager

    def _setUp(self):
        if MtceServerFixture._server is None:
            target = messaging.Target(topic=TOPIC, server='test-host')
            server = rpc.get_server(target, [_Delegate()])
            server.start()
            MtceServerFixture._server = server
        _Delegate.current = self.mtce_manager
        self.addCleanup(setattr, _Delegate, 'current', None)


class FakeAgents:
    """The agents' side of a reboot, as an AgentAPI would see it.

    ``answering`` says whether a host's agent answers; a reboot request
    makes a restarting agent answer with a new start time. Asked for its
    enable tests, an agent reports them to ``mtce`` (a manager), failing
    the ``failed_checks``.
    """

    def __init__(self):
        self.answering = True
        self.restarts = True
        self.actions = []
        self.failed_checks = []
        self.mtce = None
        self._started = {}
        self._lock = threading.Lock()

    def restart(self, host_uuid):
        """The host's agent starts again (after a reset, say)."""
        with self._lock:
            self._started[host_uuid] = 'restart-%d' % len(self.actions)
            self.actions.append((host_uuid, 'restarted'))

    def enable_checks(self, context, host_uuid):
        if not self.answering:
            return
        with self._lock:
            started = self._started.get(host_uuid, 't0')
            failed = list(self.failed_checks)
        self.mtce.goenabled(context, host_uuid, started, not failed, failed)

    def get_status(self, context, host_uuid, timeout):
        if not self.answering:
            from stx.common import exception
            raise exception.ServiceUnavailable(
                service='the agent of host %s' % host_uuid,
                reason='it did not answer within %s seconds' % timeout)
        with self._lock:
            return {'host_uuid': host_uuid,
                    'started_at': self._started.get(host_uuid, 't0'),
                    'boot_id': 'boot-1'}

    def host_action(self, context, host_uuid, action):
        with self._lock:
            self.actions.append((host_uuid, action))
            if self.restarts:
                self._started[host_uuid] = 't%d' % len(self.actions)


class MtceTestCase(fm_base.FMTestCase, base.ApiTestCase):
    """The sysinv API with a real conductor, fm manager and stx-mtce."""

    BMC = {'bm_type': 'fake', 'bm_ip': '10.10.0.5', 'bm_username': 'admin',
           'bm_password': 'secret'}

    def setUp(self):
        super().setUp()
        # A file, not memory: maintenance's worker threads write hosts
        # while API requests read them, and an in-memory database is one
        # connection shared by every thread.
        self.config(connection='sqlite:///%s/sysinv.sqlite' % self.state_dir,
                    group='database')
        DB.reset()
        DB.create_schema()
        self.config(rpc_timeout=5, group='mtce')
        self.config(power_action_timeout=5, group='mtce')
        # The recovery ladder with test timers.
        for option, value in (('graceful_recovery_timeout', 0.2),
                              ('reboot_retry_interval', 0.05),
                              ('bmc_reset_delay', 0.0),
                              ('ar_config_interval', 0.1),
                              ('ar_goenable_interval', 0.1),
                              ('ar_heartbeat_interval', 0.1)):
            self.config(**{option: value, 'group': 'mtce'})
        self.fm = self.useFixture(fm_base.FMManagerFixture())
        fake_bmc.FakeBMC.reset()
        self.addCleanup(fake_bmc.FakeBMC.reset)
        loader.reset()
        self.system, self.controller = self.make_system()
        self.agents = FakeAgents()
        self.mtce = manager.MtceManager(agents=self.agents)
        self.agents.mtce = self.mtce
        self.addCleanup(self._stop_mtce)
        self.useFixture(MtceServerFixture(self.mtce))
        self.app = webtest.TestApp(api_app.setup_app(
            root.RootController(), rpc_factory=rpcapi.ConductorAPI,
            other_rpc={'mtceapi': lambda: mtce_rpcapi.MtceAPI(topic=TOPIC)}))

    def _stop_mtce(self):
        self.flush()
        self.mtce.stop()

    def flush(self):
        """Wait until every alarm and log maintenance sent is in fm."""
        if self.mtce.faults._api is not None:
            self.assertTrue(self.mtce.faults.api.flush(10))
        self.fm.manager.wait_notified()

    def add_worker(self, number=0, bmc=True, **fields):
        body = {'hostname': 'worker-%d' % number, 'personality': 'worker',
                'mgmt_mac': '52:54:00:00:01:%02x' % number}
        if bmc:
            body.update(self.BMC, bm_ip='10.10.0.%d' % (number + 5))
        body.update(fields)
        return self.app.post_json('/v1/ihosts', body).json

    def host(self, ident):
        return dbapi.host_get(self.context, ident)

    def action(self, host, action, expect_errors=False):
        return self.app.patch_json(
            '/v1/ihosts/%s' % host['uuid'],
            [{'op': 'replace', 'path': '/action', 'value': action}],
            expect_errors=expect_errors)

    def wait_idle(self, host, timeout=10):
        """Wait until maintenance has no action for the host; the host."""
        import time
        deadline = time.monotonic() + timeout
        while self.mtce.actions.busy(host['uuid']):
            self.assertLess(time.monotonic(), deadline, 'still busy')
            time.sleep(0.01)
        return self.host(host['uuid'])

    def events(self, alarm_id=None):
        self.flush()
        rows = fm_dbapi.event_list(self.context)
        return [row for row in rows
                if alarm_id is None or row['event_log_id'] == alarm_id]

    def alarms(self, alarm_id):
        self.flush()
        return [row for row in fm_dbapi.alarm_list(self.context)
                if row['alarm_id'] == alarm_id]

    def power_state(self, host):
        driver = fake_bmc.FakeBMC()
        address = host['bm_ip']
        return driver.get_power_state({'address': address,
                                       'username': 'admin',
                                       'password': 'secret'})

    def set_power_state(self, host, state):
        fake_bmc.FakeBMC().set_power_state(
            {'address': host['bm_ip'], 'username': 'admin',
             'password': 'secret'}, state)


LOCKED = states.LOCKED
