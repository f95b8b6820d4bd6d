"""A real fm API on a loopback port, for tests of the ``stx`` fm commands.

It serves the app with cheroot under /fm/, the way stx-aio mounts it, with
fm's shared test manager (tests.unit.fm.base.FMManagerFixture) on the
in-process transport behind it, a fresh in-memory fm database whose
suppression entries come from the catalogue, and only the fake notifier.
"""

import threading

from cheroot import wsgi
import fixtures
from oslo_config import fixture as config_fixture

from stx.common import context as stx_context
from stx.conf import CONF
from stx.drivers import loader
from stx.fm.api import app as fm_app
from stx.fm import catalogue
from stx.fm.db import DB
from stx.fm.manager import manager
from stx.fm.manager import rpcapi
from stx.fm.notifiers import fake
from tests.unit.fm import base as fm_base


class FMServer(fixtures.Fixture):
    """After setUp: ``url`` is an AIO-style base URL (``.../``).

    ``set_alarm`` and ``set_event`` write through the manager's RPC API,
    as every service raising alarms does.
    """

    def _setUp(self):
        conf = self.useFixture(config_fixture.Config(CONF))
        state_dir = self.useFixture(fixtures.TempDir()).path
        conf.config(state_path=state_dir)
        # A file: the manager's writer and cheroot's threads use it at once.
        conf.config(connection='sqlite:///%s/fm.sqlite' % state_dir,
                    group='fm_database')
        conf.config(rpc_timeout=5, group='fm')
        conf.config(enabled_fm_notifiers=['fake'])
        for reset in (catalogue.reset, loader.reset, fake.FakeNotifier.reset):
            reset()
            self.addCleanup(reset)
        DB.reset()
        DB.create_schema()
        self.addCleanup(DB.reset)
        self.context = stx_context.get_admin_context()
        manager.sync_suppression(self.context)
        self.useFixture(fm_base.FMManagerFixture())
        self.rpcapi = rpcapi.FMAPI()

        dispatcher = wsgi.PathInfoDispatcher({'/fm': fm_app.make_app()})
        self.server = wsgi.Server(('127.0.0.1', 0), dispatcher, numthreads=4)
        self.server.prepare()
        thread = threading.Thread(target=self.server.serve, daemon=True)
        thread.start()
        self.addCleanup(self.server.stop)
        host, port = self.server.bind_addr[:2]
        self.url = 'http://%s:%d/' % (host, port)

    def set_alarm(self, **fields):
        """Raise an alarm (default: critical 200.004 on controller-0).

        :returns: the alarm's uuid.
        """
        fault = dict(alarm_id='200.004', alarm_state='set',
                     entity_type_id='host',
                     entity_instance_id='host=controller-0',
                     severity='critical', reason_text='controller-0 failed')
        fault.update(fields)
        return self.rpcapi.set_faults(self.context, [fault])[0]

    def set_event(self, **fields):
        """Write a customer log (default: 200.021 on controller-0).

        :returns: the event's uuid.
        """
        event = dict(alarm_id='200.021', alarm_state='log',
                     entity_type_id='host',
                     entity_instance_id='host=controller-0',
                     severity='not-applicable',
                     reason_text='controller-0 lock requested')
        event.update(fields)
        return self.rpcapi.set_events(self.context, [event])[0]
