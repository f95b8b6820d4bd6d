"""sysinv as a service: its API, its conductor and its first start.

``stx-sysinv-api`` serves ``wsgi_app()``, ``stx-sysinv-conductor`` runs
``start()``, and ``stx-aio`` runs both plus ``bootstrap()``, after which
``start()`` also runs the all-in-one's own agent: the controller reports
the inventory of the machine it runs on, as controller-0.
"""

import threading

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import rpc
from stx.common import service
from stx.common import states
from stx.conf import CONF
from stx.drivers import loader
from stx.sysinv.conductor import rpcapi
from stx.sysinv.db import DB

LOG = logging.getLogger(__name__)


class SysinvService(service.Service):
    """Inventory and configuration: the system and its hosts."""

    name = 'sysinv'
    # Other services read hosts from sysinv, so it starts first.
    start_order = 10
    database = DB
    api_port = 6385

    def __init__(self):
        self._rpc_server = None
        self._manager = None
        self._run_agent = False
        self._agent_stop = threading.Event()
        self._agent_thread = None

    def wsgi_app(self):
        # Imported here: a conductor-only process never loads pecan.
        from stx.sysinv.api import app
        return app.make_app()

    def start(self):
        from stx.objects import base as objects_base
        from stx.sysinv.conductor import manager

        # A BMC driver enabled but not installed would fail every host
        # that names it; refuse to start instead.
        loader.validate_enabled(loader.BMC)
        target = messaging.Target(topic=rpcapi.TOPIC, server=CONF.host)
        self._manager = manager.ConductorManager(CONF.host)
        self._rpc_server = rpc.get_server(
            target, [self._manager],
            serializer=objects_base.StxObjectSerializer())
        self._rpc_server.start()
        LOG.info('sysinv conductor listening on topic %(topic)s as '
                 '%(host)s', {'topic': rpcapi.TOPIC, 'host': CONF.host})
        if self._run_agent:
            self._start_agent()

    def _start_agent(self):
        from stx.sysinv.agent import manager as agent_manager

        self._agent_stop = threading.Event()
        agent = agent_manager.AgentManager(restart=self._restart_agent)
        self._agent_thread = threading.Thread(
            target=agent.run, args=(self._agent_stop,), name='stx-agent',
            daemon=True)
        self._agent_thread.start()

    def _restart_agent(self):
        """Stop the all-in-one's agent and start a new one (its host
        action driver's stand-in for a reboot). Called from the agent's
        own threads, so the work is done in another.
        """
        def restart():
            thread, stop = self._agent_thread, self._agent_stop
            if thread is None:
                return
            stop.set()
            thread.join(CONF.sysinv.rpc_timeout)
            if self._rpc_server is None:
                return      # sysinv is stopping
            LOG.warning('All-in-one agent restarted')
            self._start_agent()

        threading.Thread(target=restart, name='stx-agent-restart',
                         daemon=True).start()

    def stop(self):
        if self._agent_thread is not None:
            # Before the conductor: the agent's call in flight is answered.
            self._agent_stop.set()
            self._agent_thread.join(CONF.sysinv.rpc_timeout)
            self._agent_thread = None
        if self._rpc_server is None:
            return
        self._rpc_server.stop()
        self._rpc_server.wait()
        self._rpc_server = None
        self._manager.close()
        self._manager = None
        LOG.info('sysinv conductor stopped')

    def bootstrap(self, context, options):
        from stx.sysinv.conductor import bootstrap

        wanted = options.get('system_mode')
        system, controller = bootstrap.ensure_system(
            context, system_mode=wanted or states.SYSTEM_MODE_DUPLEX)
        # This machine is controller-0, whatever its hostname, and is
        # known by the MAC bootstrap gave it (which may be no port's, as in
        # a container): the agent says so rather than being discovered as
        # a new host. Configured [agent] values still win.
        CONF.set_default('hostname', controller['hostname'], group='agent')
        CONF.set_default('mgmt_macs', [controller['mgmt_mac']],
                         group='agent')
        self._run_agent = True
        if wanted and wanted != system['system_mode']:
            LOG.warning('System mode %(wanted)s ignored: the system exists '
                        'in %(mode)s mode', {'wanted': wanted,
                                             'mode': system['system_mode']})
