"""Base classes of fm's unit tests: its database, manager and API.

Everything runs for real: a SQLite file per test, the manager behind the
in-process RPC transport, the API through webtest, the fake notifier.
"""

import atexit
import os

import fixtures
import oslo_messaging as messaging
from oslo_utils import uuidutils
import webtest
import yaml

from stx.common import context as stx_context
from stx.common import rpc
from stx.conf import CONF
from stx.drivers import loader
from stx.fm import catalogue
from stx.fm.db import DB
from stx.fm.manager import manager
from stx.fm.manager import rpcapi
from stx.fm.notifiers import fake
from tests.unit import base


class FMDatabase(fixtures.Fixture):
    """A fresh fm database with the catalogue's suppression rows.

    The fake notifier is the only one enabled and starts empty. ``skip``
    says why the test cannot run, when it cannot.

    :param conf: the test's oslo.config fixture.
    """

    skip = None

    def __init__(self, conf):
        super().__init__()
        self.conf = conf

    def connection_url(self):
        # A file, not memory: the manager's writer thread and the API's
        # request threads use the database at once, and an in-memory
        # database is one connection shared by every thread.
        return 'sqlite:///%s/fm.sqlite' % CONF.state_path

    def _setUp(self):
        url = self.connection_url()
        if url is None:
            return
        self.conf.config(connection=url, group='fm_database')
        self.conf.config(enabled_fm_notifiers=['fake'])
        for reset in (catalogue.reset, loader.reset,
                      fake.FakeNotifier.reset):
            reset()
            self.addCleanup(reset)
        DB.reset()
        DB.create_schema()
        self.addCleanup(DB.reset)
        manager.sync_suppression(stx_context.get_admin_context())


class PostgreSQLFMDatabase(FMDatabase):
    """FMDatabase on a fresh PostgreSQL database, dropped afterwards.

    For the writer's PostgreSQL-only path. Skipped when PostgreSQL does
    not answer on ``STX_TEST_POSTGRESQL`` (host:port, default
    127.0.0.1:5432; user postgres, no password), unless
    ``STX_REQUIRE_SERVICES=1`` (CI), as the functional tests are.
    """

    def connection_url(self):
        import psycopg2

        host, _sep, port = os.environ.get(
            'STX_TEST_POSTGRESQL', '127.0.0.1:5432').partition(':')
        port = int(port or 5432)
        try:
            admin = psycopg2.connect(host=host, port=port, user='postgres',
                                     dbname='postgres', connect_timeout=2)
        except psycopg2.OperationalError as error:
            if os.environ.get('STX_REQUIRE_SERVICES') == '1':
                raise
            self.skip = 'PostgreSQL is not available: %s' % error
            return None
        admin.autocommit = True
        self.addCleanup(admin.close)
        name = 'stxunit_%s' % uuidutils.generate_uuid(dashed=False)[:12]
        with admin.cursor() as cursor:
            cursor.execute('CREATE DATABASE %s' % name)

        def drop():
            with admin.cursor() as cursor:
                cursor.execute('DROP DATABASE IF EXISTS %s WITH (FORCE)'
                               % name)

        # Cleanups run last first: the engine is gone before this.
        self.addCleanup(drop)
        return 'postgresql+psycopg2://postgres@%s:%d/%s' % (host, port, name)


class FMTestCase(base.TestCase):
    """A test with a fresh fm database (FMDatabase).

    ``database_fixture`` may name another one: PostgreSQLFMDatabase runs
    a test class on PostgreSQL.
    """

    database_fixture = FMDatabase

    def setUp(self):
        super().setUp()
        database = self.useFixture(self.database_fixture(self.conf))
        if database.skip:
            self.skipTest(database.skip)

    def use_catalogue(self, changes):
        """Make ``[fm] catalogue_file`` the packaged catalogue, changed.

        :param changes: {alarm id: fields to change, or None to drop the
            id}.
        """
        path = os.path.join(os.path.dirname(catalogue.__file__), 'data',
                            'events.yaml')
        with open(path, encoding='utf-8') as stream:
            document = yaml.safe_load(stream)
        for alarm_id, fields in changes.items():
            if fields is None:
                del document[alarm_id]
            else:
                document[alarm_id] = dict(document[alarm_id], **fields)
        path = os.path.join(self.state_dir, 'events-%d.yaml' % len(
            os.listdir(self.state_dir)))
        with open(path, 'w', encoding='utf-8') as stream:
            yaml.safe_dump(document, stream)
        self.config(catalogue_file=path, group='fm')
        catalogue.reset()


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
        return set_alarm(self.rpcapi, self.context, **fields)

    def set_event(self, **fields):
        return set_event(self.rpcapi, self.context, **fields)


def set_alarm(api, context, **fields):
    """Raise an alarm through the manager's RPC API; returns its uuid.

    Defaults give a valid critical 200.004 on host=controller-0.
    """
    fault = dict(alarm_id='200.004', alarm_state='set',
                 entity_type_id='host',
                 entity_instance_id='host=controller-0',
                 severity='critical', reason_text='controller-0 failed')
    fault.update(fields)
    return api.set_faults(context, [fault])[0]


def set_event(api, context, **fields):
    """Write a customer log through the manager; returns its uuid.

    Defaults give a 200.021 log on host=controller-0.
    """
    event = dict(alarm_id='200.021', alarm_state='log',
                 entity_type_id='host',
                 entity_instance_id='host=controller-0',
                 severity='not-applicable',
                 reason_text='controller-0 lock requested')
    event.update(fields)
    return api.set_events(context, [event])[0]
