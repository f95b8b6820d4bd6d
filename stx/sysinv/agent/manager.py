"""stx-agent's manager: tell the conductor which host this is and what it has.

As StarlingX's sysinv-agent does (``agent/manager.py``), the manager first
finds its host in the conductor's inventory: by the MACs of its ports, else
by hostname; a machine the conductor knows by neither is discovered, i.e.
added as a new unprovisioned host. It then reports every kind of inventory
in StarlingX's order (NUMA nodes, cpus, memory, disks, ports, PCI devices)
and audits again every ``[agent] audit_interval`` seconds (StarlingX's
``inventory_audit``, 60 s).

Unlike StarlingX, an audit sends only the kinds whose records differ from
what the conductor last accepted, so a host whose hardware does not change
costs the conductor little (memory, whose available figures move on a live
host, is the kind usually resent). A kind the conductor refuses, or that
does not reach it, stays unaccepted and is sent again at the next audit;
the other kinds are not resent.

The records are the collectors' (``stx.sysinv.agent.inventory``), unchanged:
a port's interface name is ``name`` (StarlingX's agent renames it ``pname``).

Once its host is identified, the agent also serves RPC on
``Target(topic='stx-sysinv-agent', server=<host uuid>)`` (``AgentEndpoint``),
where the conductor casts the host's rendered configuration
(``config_apply``). The agent writes it to its host configuration file
(``stx.sysinv.agent.host_config``), and reports
its ``config_uuid`` with the conductor's ``iconfig_update_by_ihost``. When
it starts it reports the config_uuid already on disk (None if there is no
file), so that a configuration cast while it was down is sent again: that
one call per start is how a missed cast is recovered, so the inventory
reports cost the conductor nothing more.

It answers heartbeat and reports its enable tests to host maintenance
(``stx.sysinv.agent.liveness``), and runs the process and resource monitors,
whose findings it reports there too (``stx.sysinv.agent.conditions``).

``run()`` blocks its thread and sleeps on a ``threading.Event``; nothing here
uses eventlet.
"""

import collections
import socket
import threading
import time

from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import timeutils

from stx.common import context as stx_context
from stx.common import exception
from stx.common import rpc
from stx.conf import CONF
from stx.sysinv.agent import conditions as agent_conditions
from stx.sysinv.agent import host_actions
from stx.sysinv.agent import host_config
from stx.sysinv.agent import inventory
from stx.sysinv.agent.inventory import cpu
from stx.sysinv.agent.inventory import disk
from stx.sysinv.agent.inventory import memory
from stx.sysinv.agent.inventory import pci
from stx.sysinv.agent import liveness as agent_liveness
from stx.sysinv.agent import rpcapi as agent_rpcapi
from stx.sysinv.conductor import rpcapi

LOG = logging.getLogger(__name__)

# What an RPC to the conductor may fail with: an StxException it raised on
# purpose (refusal, HostNotFound) or rpc.call's ServiceUnavailable, or a
# messaging error (a conductor bug as RemoteError, a version cap).
RPC_ERRORS = (exception.StxException, messaging.MessagingException)

Kind = collections.namedtuple('Kind', ['name', 'collect', 'method'])
Kind.__doc__ = ('One kind of inventory: its collector (``collect(roots)``) '
                'and the conductor method it is reported with.')

#: Every kind, in the order StarlingX's agent reports them: a cpu names its
#: NUMA node, so nodes go first.
KINDS = (
    Kind('numa_nodes', cpu.numa_nodes, 'inumas_update_by_ihost'),
    Kind('cpus', cpu.cpus, 'icpus_update_by_ihost'),
    Kind('memory', memory.memory, 'imemory_update_by_ihost'),
    Kind('disks', disk.disks, 'idisk_update_by_ihost'),
    Kind('ports', pci.ports, 'iport_update_by_ihost'),
    Kind('pci_devices', pci.pci_devices, 'pci_device_update_by_host'),
)


def rpc_error(function, *args, **kwargs):
    """Call ``function``; the ``RPC_ERRORS`` it raised, or None.

    Callers log the error after the ``except`` block: oslo.log appends the
    exception being handled to warnings logged inside one, which would
    repeat the reason.
    """
    try:
        function(*args, **kwargs)
    except RPC_ERRORS as error:
        return error
    return None


def reason(error):
    """An RPC failure on one line.

    oslo.messaging appends the conductor's traceback to the text of the
    exceptions it rebuilds; the conductor logs it, the agent need not.
    """
    if isinstance(error, exception.StxException):
        return error.message
    if isinstance(error, messaging.RemoteError):
        return '%s: %s' % (error.exc_type, error.value)
    return str(error)


def host_label(host):
    """How log lines name a host: its hostname, else MAC, else uuid."""
    return host.get('hostname') or host.get('mgmt_mac') or host['uuid']


class AgentEndpoint:
    """The RPC endpoint of stx-agent (stx.sysinv.agent.rpcapi)."""

    target = messaging.Target(version='1.2')

    def __init__(self, manager):
        self._manager = manager

    def config_apply(self, context, host_uuid, config):
        """Apply the host's rendered configuration; see
        ``AgentManager.config_apply``.
        """
        self._manager.config_apply(host_uuid, config)

    def get_status(self, context):
        """See ``AgentAPI.get_status``."""
        return self._manager.status()

    def host_action(self, context, host_uuid, action):
        """See ``AgentAPI.host_action``; runs in its own thread."""
        host_actions.start(action, self._manager.restart)

    def enable_checks(self, context, host_uuid):
        """See ``AgentAPI.enable_checks``."""
        self._manager.liveness.report(asked=True)


class AgentManager:
    """Keeps this machine's host and inventory current in the conductor.

    Use it from one thread: ``run()``, or ``identify()`` then ``report()``.

    :param conductor: the conductor client: a ``ConductorAPI`` (RPC API
        1.1) or anything with its agent methods; a new one if None.
    :param roots: the ``inventory.Roots`` to read; ``[agent] proc_root``,
        ``sys_root`` and ``dev_root`` (read at each audit) if None.
    :param retry_initial: seconds before the second attempt to identify
        the host; doubled after each failure ...
    :param retry_max: ... up to this many seconds.
    :param restart: a callable that restarts this agent, for the
        agent-restart host action driver; None if it cannot be restarted.
    """

    def __init__(self, conductor=None, roots=None, retry_initial=1.0,
                 retry_max=30.0, restart=None):
        self.conductor = conductor or rpcapi.ConductorAPI()
        self.restart = restart
        self.started_at = timeutils.utcnow().isoformat()
        self._roots = roots
        self.retry_initial = retry_initial
        self.retry_max = retry_max
        self.context = stx_context.get_admin_context()
        #: The conductor's record of this host; None until identified.
        self.host = None
        # Kind name -> the records the conductor last accepted for it.
        self._accepted = {}
        # The RPC server of the host uuid it serves, once identified.
        self._rpc_server = None
        self._served_uuid = None
        # config_apply calls run in the RPC server's threads: one at a time.
        self._config_lock = threading.Lock()
        self.liveness = agent_liveness.AgentLiveness(self)
        self.conditions = agent_conditions.ConditionReporter(self)

    @property
    def roots(self):
        """The trees the collectors read."""
        if self._roots is not None:
            return self._roots
        return inventory.Roots(proc=CONF.agent.proc_root,
                               sys=CONF.agent.sys_root,
                               dev=CONF.agent.dev_root)

    def status(self):
        """What host maintenance asks to tell a restart or a reboot."""
        host = self.host or {}
        return {'host_uuid': host.get('uuid'),
                'hostname': host.get('hostname'),
                'started_at': self.started_at,
                'boot_id': host_actions.boot_id(self.roots.proc)}

    @property
    def inventory_complete(self):
        """Whether the conductor has accepted every kind at least once."""
        return all(kind.name in self._accepted for kind in KINDS)

    def mgmt_macs(self, ports=None):
        """The MACs that identify this host.

        :param ports: port records; collected now if None.
        :returns: ``[agent] mgmt_macs`` if set, else the MACs of the
            Ethernet ports, in port order, each once.
        """
        configured = [mac.lower() for mac in CONF.agent.mgmt_macs]
        if configured:
            return configured
        if ports is None:
            ports = pci.ports(self.roots)
        macs = []
        for port in ports:
            if port['mac'] and port['mac'] not in macs:
                macs.append(port['mac'])
        return macs

    def identify(self):
        """Find this machine's host in the conductor, adding it if new.

        Asks by MACs, then by hostname (``[agent] hostname`` or the
        machine's), and else has the conductor discover it: add an
        unprovisioned host with these MACs and name. A host other than the
        one known before starts with nothing reported.

        :returns: the conductor's host record (``uuid``, ``hostname``,
            ``mgmt_mac``, ``personality``, ``invprovision``...).
        :raises: ServiceUnavailable when the conductor does not answer.
        :raises: Conflict when the MACs and the hostname name different
            hosts; any other ``RPC_ERRORS`` the conductor answers with.
        """
        macs = self.mgmt_macs()
        hostname = CONF.agent.hostname or socket.gethostname()
        host = None
        how = 'MAC'
        if macs:
            host = self.conductor.get_ihost_by_macs(self.context, macs)
        if host is None:
            how = 'hostname'
            host = self.conductor.get_ihost_by_hostname(self.context,
                                                        hostname)
        if host is None:
            how = 'discovery'
            host = self.conductor.discover_ihost(self.context, macs,
                                                 hostname=hostname)
        if self.host is None or self.host['uuid'] != host['uuid']:
            self._accepted.clear()
        self.host = host
        self.liveness.host_identified(host)
        self.conditions.host_identified()
        LOG.info('stx-agent: this machine is host %(host)s (%(uuid)s, '
                 '%(provision)s), found by %(how)s',
                 {'host': host_label(host), 'uuid': host['uuid'],
                  'provision': host.get('invprovision'), 'how': how})
        return host

    def collect(self):
        """Read every kind of inventory now.

        :returns: {kind name: records}. A kind whose collector fails (a
            bug: collectors do not raise for odd files) is left out and
            logged.
        """
        roots = self.roots
        collected = {}
        for kind in KINDS:
            try:
                collected[kind.name] = kind.collect(roots)
            except Exception:
                LOG.exception('stx-agent: cannot read the %(kind)s of this '
                              'machine', {'kind': kind.name})
        return collected

    def report(self, force=False):
        """Send the conductor each kind of inventory that changed.

        Every kind is read first, then the kinds whose records differ from
        what the conductor last accepted are sent, in ``KINDS`` order. A
        kind the conductor refuses is logged and stays unaccepted, so the
        next report sends it again. When the conductor does not answer,
        the remaining kinds wait for the next report too; when it no longer
        knows the host, the host is forgotten and the next report
        identifies it again.

        :param force: send every kind, changed or not.
        :returns: the names of the kinds sent and accepted, in order.
        :raises: what ``identify()`` raises, when the host is not
            identified yet.
        """
        if self.host is None:
            self.identify()
        host = self.host
        collected = self.collect()
        accepted = []
        for kind in KINDS:
            if kind.name not in collected:
                continue
            records = collected[kind.name]
            if not force and self._accepted.get(kind.name) == records:
                continue
            error = rpc_error(getattr(self.conductor, kind.method),
                              self.context, host['uuid'], records)
            if isinstance(error, exception.HostNotFound):
                LOG.warning('stx-agent: the conductor no longer knows host '
                            '%(host)s (%(error)s); identifying it again at '
                            'the next audit',
                            {'host': host_label(host), 'error': reason(error)})
                self.host = None
                self._accepted.clear()
                break
            if isinstance(error, exception.ServiceUnavailable):
                LOG.warning('stx-agent: %(kind)s and later kinds of host '
                            '%(host)s not reported, retrying at the next '
                            'audit: %(error)s',
                            {'kind': kind.name, 'host': host_label(host),
                             'error': reason(error)})
                break
            if error is not None:
                LOG.warning('stx-agent: %(kind)s of host %(host)s not '
                            'reported, retrying at the next audit: '
                            '%(error)s',
                            {'kind': kind.name, 'host': host_label(host),
                             'error': reason(error)})
                continue
            self._accepted[kind.name] = records
            accepted.append(kind.name)
            LOG.debug('stx-agent: %(count)d %(kind)s of host %(host)s '
                      'reported', {'count': len(records), 'kind': kind.name,
                                   'host': host_label(host)})
        return accepted

    # Configuration pushed by the conductor.

    def config_apply(self, host_uuid, config):
        """Apply the configuration the conductor sent, and say so.

        :param host_uuid: the host it is for; another host's (a message
            meant for a previous identity of this machine) is ignored.
        :param config: the rendered configuration
            (stx.sysinv.conductor.config), with its ``config_uuid``.
        """
        host = self.host
        if host is None or host['uuid'] != host_uuid:
            LOG.warning('stx-agent: configuration for host %(uuid)s ignored: '
                        'this machine is host %(ours)s',
                        {'uuid': host_uuid,
                         'ours': host and host['uuid']})
            return
        if not isinstance(config, dict) or not config.get('config_uuid'):
            LOG.warning('stx-agent: configuration without a config_uuid '
                        'ignored')
            return
        config_uuid = config['config_uuid']
        with self._config_lock:
            try:
                host_config.write(config)
            except OSError as error:
                LOG.error('stx-agent: cannot write configuration '
                          '%(config)s to %(path)s: %(error)s',
                          {'config': config_uuid, 'path': host_config.path(),
                           'error': error})
                return
            LOG.info('stx-agent: configuration %(config)s of host %(host)s '
                     'written to %(path)s',
                     {'config': config_uuid, 'host': host_label(host),
                      'path': host_config.path()})
            self._report_config(host, config_uuid)

    def report_config(self):
        """Tell the conductor which configuration is on disk (at start)."""
        host = self.host
        if host is not None:
            with self._config_lock:
                self._report_config(host, host_config.applied_uuid())

    def _report_config(self, host, config_uuid):
        error = rpc_error(self.conductor.iconfig_update_by_ihost,
                          self.context, host['uuid'], config_uuid)
        if error is not None:
            LOG.warning('stx-agent: configuration %(config)s of host '
                        '%(host)s not reported: %(error)s',
                        {'config': config_uuid, 'host': host_label(host),
                         'error': reason(error)})

    def listen(self):
        """Serve the agent topic addressed to the identified host.

        Restarts the server when the host's uuid changed; does nothing
        when it serves that host already.

        :returns: whether a server was started.
        """
        if self.host is None or self._served_uuid == self.host['uuid']:
            return False
        self.stop_listening()
        target = messaging.Target(topic=agent_rpcapi.TOPIC,
                                  server=self.host['uuid'])
        server = rpc.get_server(target, [AgentEndpoint(self)])
        server.start()
        self._rpc_server = server
        self._served_uuid = self.host['uuid']
        LOG.info('stx-agent: listening on topic %(topic)s as %(uuid)s',
                 {'topic': agent_rpcapi.TOPIC, 'uuid': self._served_uuid})
        return True

    def stop_listening(self):
        """Stop serving RPC; messages cast meanwhile wait in the queue.

        Does not wait for the server: a config_apply in progress ends on
        its own, and waiting for the listener's poll would delay a stop by
        up to 5 s on RabbitMQ.
        """
        server, self._rpc_server = self._rpc_server, None
        self._served_uuid = None
        if server is not None:
            rpc.begin_stop(server)

    def run(self, stop_event, on_reported=None):
        """Identify, report, and audit every interval until stopped.

        Identification is retried while it fails (the conductor not
        started yet, or refusing), after ``retry_initial`` seconds doubling
        up to ``retry_max``. Then the agent serves its RPC topic, reports
        the configuration on disk, and sends a first full report, and a
        report every ``[agent] audit_interval`` seconds. No failure of an
        audit ends the loop; the RPC server stops when it ends.

        :param stop_event: a ``threading.Event``; setting it makes ``run``
            return as soon as the call in progress, if any, answers.
        :param on_reported: called once, without arguments, when the
            conductor has first accepted every kind of inventory.
        """
        self.conditions.start()
        monitors = agent_conditions.start_monitors(self.conditions)
        try:
            self._run(stop_event, on_reported)
        finally:
            self.stop_listening()
            self.liveness.stop()
            for monitor in monitors:
                monitor.stop()
            self.conditions.stop()

    def _run(self, stop_event, on_reported):
        started = time.monotonic()
        if not self._identify_until_stopped(stop_event):
            return
        force = True
        reported = False
        while not stop_event.is_set():
            # At start, and after the host was identified anew.
            if self.host is not None and self.listen():
                self.report_config()
            self._audit(force)
            force = False
            if not reported and self.inventory_complete:
                reported = True
                LOG.info('stx-agent: inventory of %(host)s reported in '
                         '%(seconds).2fs',
                         {'host': host_label(self.host),
                          'seconds': time.monotonic() - started})
                self.liveness.report()
                if on_reported is not None:
                    on_reported()
            stop_event.wait(CONF.agent.audit_interval)

    def _identify_until_stopped(self, stop_event):
        """``identify()`` until it succeeds; False if stopped first."""
        delay = self.retry_initial
        while not stop_event.is_set():
            error = rpc_error(self.identify)
            if error is None:
                return True
            LOG.warning('stx-agent: cannot identify this machine to the '
                        'conductor, retrying in %(delay)ss: %(error)s',
                        {'delay': delay, 'error': reason(error)})
            stop_event.wait(delay)
            delay = min(delay * 2, self.retry_max)
        return False

    def _audit(self, force):
        try:
            error = rpc_error(self.report, force=force)
        except Exception:
            # A bug must not end the audits of a running host.
            LOG.exception('stx-agent: inventory audit failed')
            return
        if error is not None:
            # Only identify() lets these through: the host was forgotten.
            LOG.warning('stx-agent: cannot identify this machine to the '
                        'conductor, retrying at the next audit: %(error)s',
                        {'error': reason(error)})
