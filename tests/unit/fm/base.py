"""Base classes of fm's unit tests: its database, manager and API.

Everything runs for real: a SQLite file per test, the manager behind the
in-process RPC transport, the API through webtest, the fake notifier.
"""

import atexit

import fixtures
import oslo_messaging as messaging
import webtest

from stx.common import rpc
from stx.conf import CONF
from stx.drivers import loader
from stx.fm import catalogue
from stx.fm.db import DB
from stx.fm.manager import manager
from stx.fm.manager import rpcapi
from stx.fm.notifiers import fake
from tests.unit import base


class FMTestCase(base.TestCase):
    """A fresh fm database with the catalogue's suppression rows.

    The fake notifier is the only one enabled and starts empty.
    """

    def setUp(self):
        super().setUp()
        # A file, not memory: the manager's writer thread and the API's
        # request threads use the database at once, and an in-memory
        # database is one connection shared by every thread.
        self.config(connection='sqlite:///%s/fm.sqlite' % self.state_dir,
                    group='fm_database')
        self.config(enabled_fm_notifiers=['fake'])
        catalogue.reset()
        self.addCleanup(catalogue.reset)
        loader.reset()
        self.addCleanup(loader.reset)
        fake.FakeNotifier.reset()
        self.addCleanup(fake.FakeNotifier.reset)
        DB.reset()
        DB.create_schema()
        self.addCleanup(DB.reset)
        manager.sync_suppression(self.context)


class FMManagerFixture(fixtures.Fixture):
    """One real FMManager serving RPC for the whole test run.

    Stopping an RPC server waits for its listener's one-second poll, so the
    server (and the manager's writer and notifier threads) outlive the
    test; the manager reads the configuration, the catalogue, the database
    and the enabled notifiers each time it uses them. ``manager`` is the
    shared FMManager, for tests that look at its counters or wait for its
    notifications (``manager.wait_notified()``).
    """

    manager = None
    _server = None

    def _setUp(self):
        if FMManagerFixture._server is None:
            CONF.set_override('transport_url', base.IN_PROCESS_TRANSPORT)
            rpc.init(CONF)
            fm_manager = manager.FMManager('test-host')
            fm_manager.start()
            target = messaging.Target(topic=rpcapi.TOPIC, server='test-host')
            server = rpc.get_server(target, [fm_manager])
            server.start()
            atexit.register(_stop, server, fm_manager)
            FMManagerFixture._server = server
            FMManagerFixture.manager = fm_manager
        self.manager = FMManagerFixture.manager
        # A test must not see the previous test's notifications arrive.
        self.manager.wait_notified()
        fake.FakeNotifier.reset()


def _stop(server, fm_manager):
    server.stop()
    server.wait()
    fm_manager.stop()


class FMApiTestCase(FMTestCase):
    """fm's API through webtest, with the shared manager behind it."""

    def setUp(self):
        super().setUp()
        self.config(rpc_timeout=5, group='fm')
        self.fixture = self.useFixture(FMManagerFixture())
        self.manager = self.fixture.manager
        self.rpcapi = rpcapi.FMAPI()
        # Imported here: the API is another module's, and manager tests
        # should not depend on it.
        from stx.fm.api import app as fm_app
        self.app = webtest.TestApp(fm_app.make_app())

    def set_alarm(self, **fields):
        """Raise an alarm through the manager; returns its uuid.

        Defaults give a valid 200.004 on host=controller-0.
        """
        fault = dict(alarm_id='200.004', alarm_state='set',
                     entity_type_id='host',
                     entity_instance_id='host=controller-0',
                     severity='critical',
                     reason_text='controller-0 failed')
        fault.update(fields)
        return self.rpcapi.set_faults(self.context, [fault])[0]

    def set_event(self, **fields):
        """Write a customer log through the manager; returns its uuid."""
        event = dict(alarm_id='200.021', alarm_state='log',
                     entity_type_id='host',
                     entity_instance_id='host=controller-0',
                     severity='not-applicable',
                     reason_text='controller-0 lock requested')
        event.update(fields)
        return self.rpcapi.set_events(self.context, [event])[0]
