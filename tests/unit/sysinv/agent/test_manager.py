"""stx-agent's manager against a recording conductor over real RPC.

The conductor is ``FakeConductor``, served on the in-process transport on a
topic of its own per test (the shared real conductor of other tests serves
the usual topic); the agent reads the synthesized hosts of
tests/fixtures/inventory through the [agent] *_root options.
"""

import atexit
import os
import shutil
import threading
import time
import uuid

import fixtures
from oslo_config import fixture as config_fixture
import oslo_messaging as messaging
from oslotest import base as oslotest_base

from stx.common import exception
from stx.common import rpc
from stx.conf import CONF
from stx.objects import base as objects_base
from stx.sysinv.agent import inventory
from stx.sysinv.agent.inventory import cpu
from stx.sysinv.agent.inventory import disk
from stx.sysinv.agent.inventory import memory
from stx.sysinv.agent.inventory import pci
from stx.sysinv.agent import manager
from stx.sysinv.conductor import rpcapi
from tests.unit import base

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', '..',
                        'fixtures', 'inventory')
SERVER_MACS = ['3c:fd:fe:a0:00:01', '3c:fd:fe:a0:00:02',
               'b0:26:28:c0:00:01', 'b0:26:28:c0:00:02']
UPDATES = ['inumas_update_by_ihost', 'icpus_update_by_ihost',
           'imemory_update_by_ihost', 'idisk_update_by_ihost',
           'iport_update_by_ihost', 'pci_device_update_by_host']
# Where each update method takes its records.
RECORDS_ARGUMENT = {
    'inumas_update_by_ihost': 'inuma_dict_array',
    'icpus_update_by_ihost': 'icpu_dict_array',
    'imemory_update_by_ihost': 'imemory_dict_array',
    'idisk_update_by_ihost': 'idisk_dict_array',
    'iport_update_by_ihost': 'inic_dict_array',
    'pci_device_update_by_host': 'pci_device_dict_array',
}
# Calls a fake conductor answers: long enough for a loaded machine.
RPC_TIMEOUT = 5
# Calls nobody answers: short, so that tests waiting for them stay fast.
UNANSWERED_TIMEOUT = 0.3
WAIT = 10


class FakeConductor:
    """The conductor methods the agent calls, recording every call.

    ``hosts`` are the hosts it knows (plain dicts); ``refused`` the update
    methods it answers with Invalid.
    """

    target = messaging.Target(version='1.1')

    def __init__(self, hosts=()):
        self.hosts = [dict(host) for host in hosts]
        self.refused = set()
        self.calls = []
        self._lock = threading.Lock()

    def _record(self, method, **kwargs):
        with self._lock:
            self.calls.append((method, kwargs))

    def methods(self):
        """The names of the methods called so far, in order."""
        with self._lock:
            return [method for method, _ in self.calls]

    def arguments(self, method):
        """The arguments of the last call of ``method``."""
        with self._lock:
            return [kwargs for name, kwargs in self.calls
                    if name == method][-1]

    def forget_calls(self):
        with self._lock:
            del self.calls[:]

    def get_ihost_by_macs(self, context, ihost_macs):
        self._record('get_ihost_by_macs', ihost_macs=ihost_macs)
        for host in self.hosts:
            if host['mgmt_mac'] in ihost_macs:
                return host
        return None

    def get_ihost_by_hostname(self, context, ihost_hostname):
        self._record('get_ihost_by_hostname', ihost_hostname=ihost_hostname)
        for host in self.hosts:
            if host['hostname'] == ihost_hostname:
                return host
        return None

    def discover_ihost(self, context, ihost_macs, hostname=None):
        self._record('discover_ihost', ihost_macs=ihost_macs,
                     hostname=hostname)
        host = make_host(hostname, ihost_macs[0],
                         invprovision='unprovisioned', personality=None)
        self.hosts.append(host)
        return host

    @messaging.expected_exceptions(exception.StxException)
    def _update(self, method, updated_uuid, **arguments):
        self._record(method, **arguments)
        if method in self.refused:
            raise exception.Invalid(reason='%s refused' % method)
        if updated_uuid not in [host['uuid'] for host in self.hosts]:
            raise exception.HostNotFound(host=updated_uuid)

    def inumas_update_by_ihost(self, context, ihost_uuid, inuma_dict_array):
        self._update('inumas_update_by_ihost', ihost_uuid,
                     ihost_uuid=ihost_uuid, inuma_dict_array=inuma_dict_array)

    def icpus_update_by_ihost(self, context, ihost_uuid, icpu_dict_array):
        self._update('icpus_update_by_ihost', ihost_uuid,
                     ihost_uuid=ihost_uuid, icpu_dict_array=icpu_dict_array)

    def imemory_update_by_ihost(self, context, ihost_uuid,
                                imemory_dict_array):
        self._update('imemory_update_by_ihost', ihost_uuid,
                     ihost_uuid=ihost_uuid,
                     imemory_dict_array=imemory_dict_array)

    def idisk_update_by_ihost(self, context, ihost_uuid, idisk_dict_array):
        self._update('idisk_update_by_ihost', ihost_uuid,
                     ihost_uuid=ihost_uuid, idisk_dict_array=idisk_dict_array)

    def iport_update_by_ihost(self, context, ihost_uuid, inic_dict_array):
        self._update('iport_update_by_ihost', ihost_uuid,
                     ihost_uuid=ihost_uuid, inic_dict_array=inic_dict_array)

    def pci_device_update_by_host(self, context, host_uuid,
                                  pci_device_dict_array):
        self._update('pci_device_update_by_host', host_uuid,
                     host_uuid=host_uuid,
                     pci_device_dict_array=pci_device_dict_array)


def make_host(hostname, mgmt_mac, **fields):
    host = {'uuid': str(uuid.uuid4()), 'hostname': hostname,
            'mgmt_mac': mgmt_mac, 'personality': 'controller',
            'invprovision': 'provisioned'}
    host.update(fields)
    return host


class AgentTestCase(oslotest_base.BaseTestCase):
    """An agent reading a fixture host; a fake conductor on its topic."""

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(CONF))
        CONF.set_override('transport_url', base.IN_PROCESS_TRANSPORT)
        rpc.init(CONF)
        self.logs = self.useFixture(fixtures.FakeLogger(
            name='stx.sysinv.agent.manager'))
        self.topic = 'stx-sysinv-conductor-%s' % uuid.uuid4().hex[:12]
        self.use_host('server')
        self.conf.config(hostname='server-1', group='agent')

    def use_host(self, name, root=None):
        """Have the agent read fixture host ``name`` (or a copy at root)."""
        root = root or os.path.join(FIXTURES, name)
        self.roots = (os.path.join(root, 'proc'), os.path.join(root, 'sys'),
                      os.path.join(root, 'dev'))
        self.conf.config(proc_root=self.roots[0], sys_root=self.roots[1],
                         dev_root=self.roots[2], group='agent')

    def copy_of(self, name):
        """A writable copy of fixture host ``name``; the agent reads it."""
        root = os.path.join(self.useFixture(fixtures.TempDir()).path, name)
        shutil.copytree(os.path.join(FIXTURES, name), root, symlinks=True)
        self.use_host(name, root)
        return root

    def serve(self, conductor):
        """Answer the test's topic with ``conductor`` until the test ends."""
        target = messaging.Target(topic=self.topic, server='test-host')
        server = rpc.get_server(target, [conductor],
                                objects_base.StxObjectSerializer())
        server.start()
        self.addCleanup(server.stop)
        # Waiting for a server that answered takes a second (its
        # executor's idle poll); by exit, that second has long passed.
        atexit.register(server.wait)
        return conductor

    def make_agent(self, rpc_timeout=RPC_TIMEOUT, **kwargs):
        client = rpcapi.ConductorAPI(timeout=rpc_timeout, topic=self.topic)
        return manager.AgentManager(client, **kwargs)

    def collected(self):
        """What the collectors read now, by update method."""
        roots = inventory.Roots(*self.roots)
        return {
            'inumas_update_by_ihost': cpu.numa_nodes(roots),
            'icpus_update_by_ihost': cpu.cpus(roots),
            'imemory_update_by_ihost': memory.memory(roots),
            'idisk_update_by_ihost': disk.disks(roots),
            'iport_update_by_ihost': pci.ports(roots),
            'pci_device_update_by_host': pci.pci_devices(roots),
        }

    def sent(self, conductor, method):
        return conductor.arguments(method)[RECORDS_ARGUMENT[method]]


class IdentifyTest(AgentTestCase):

    def test_identified_by_the_mac_of_a_port(self):
        host = make_host('controller-0', SERVER_MACS[2])
        conductor = self.serve(FakeConductor([host]))
        agent = self.make_agent()

        self.assertEqual(host['uuid'], agent.identify()['uuid'])
        self.assertEqual(host['uuid'], agent.host['uuid'])
        self.assertEqual([('get_ihost_by_macs',
                           {'ihost_macs': SERVER_MACS})], conductor.calls)

    def test_configured_macs_replace_the_ports_macs(self):
        host = make_host('controller-0', '52:54:00:12:34:56')
        self.conf.config(mgmt_macs=['52:54:00:12:34:56'], group='agent')
        conductor = self.serve(FakeConductor([host]))

        self.assertEqual(host['uuid'], self.make_agent().identify()['uuid'])
        self.assertEqual([('get_ihost_by_macs',
                           {'ihost_macs': ['52:54:00:12:34:56']})],
                         conductor.calls)

    def test_identified_by_hostname_when_no_mac_matches(self):
        host = make_host('server-1', '52:54:00:12:34:56')
        conductor = self.serve(FakeConductor([host]))

        self.assertEqual(host['uuid'], self.make_agent().identify()['uuid'])
        self.assertEqual(['get_ihost_by_macs', 'get_ihost_by_hostname'],
                         conductor.methods())
        self.assertEqual({'ihost_hostname': 'server-1'},
                         conductor.arguments('get_ihost_by_hostname'))

    def test_discovered_when_neither_macs_nor_hostname_match(self):
        conductor = self.serve(FakeConductor(
            [make_host('controller-0', '52:54:00:12:34:56')]))
        agent = self.make_agent()

        host = agent.identify()

        self.assertEqual(['get_ihost_by_macs', 'get_ihost_by_hostname',
                          'discover_ihost'], conductor.methods())
        self.assertEqual({'ihost_macs': SERVER_MACS, 'hostname': 'server-1'},
                         conductor.arguments('discover_ihost'))
        self.assertEqual(conductor.hosts[-1]['uuid'], host['uuid'])
        self.assertEqual('unprovisioned', agent.host['invprovision'])

    def test_conflict_from_the_conductor_reaches_the_caller(self):
        class Conflicting(FakeConductor):
            @messaging.expected_exceptions(exception.Conflict)
            def discover_ihost(self, context, ihost_macs, hostname=None):
                raise exception.Conflict('MACs and hostname name different '
                                         'hosts')

        self.serve(Conflicting())
        agent = self.make_agent()

        self.assertRaises(exception.Conflict, agent.identify)
        self.assertIsNone(agent.host)


class ReportTest(AgentTestCase):

    def setUp(self):
        super().setUp()
        self.host = make_host('controller-0', SERVER_MACS[0])
        self.conductor = self.serve(FakeConductor([self.host]))

    def reported(self, agent, **kwargs):
        """Report, returning the update methods the conductor saw."""
        self.conductor.forget_calls()
        agent.report(**kwargs)
        return self.conductor.methods()

    def test_first_report_sends_every_kind_in_order(self):
        agent = self.make_agent()
        agent.identify()

        self.assertEqual(UPDATES, self.reported(agent))
        expected = self.collected()
        for method in UPDATES:
            self.assertEqual(expected[method], self.sent(self.conductor,
                                                         method), method)
        self.assertEqual(32, len(self.sent(self.conductor,
                                           'icpus_update_by_ihost')))
        self.assertEqual(self.host['uuid'], self.conductor.arguments(
            'icpus_update_by_ihost')['ihost_uuid'])
        self.assertEqual(self.host['uuid'], self.conductor.arguments(
            'pci_device_update_by_host')['host_uuid'])
        self.assertTrue(agent.inventory_complete)

    def test_edge_host_reports_its_one_node_and_no_pci_device(self):
        self.use_host('edge')
        agent = self.make_agent()

        self.assertEqual(['get_ihost_by_macs', 'get_ihost_by_hostname',
                          'discover_ihost'] + UPDATES,
                         self.reported(agent))
        self.assertEqual(4, len(self.sent(self.conductor,
                                          'icpus_update_by_ihost')))
        self.assertEqual([{'numa_node': 0, 'capabilities': {}}],
                         self.sent(self.conductor, 'inumas_update_by_ihost'))
        self.assertEqual([], self.sent(self.conductor,
                                       'pci_device_update_by_host'))
        self.assertEqual(['enp1s0', 'enp2s0'], [
            port['name'] for port in self.sent(self.conductor,
                                               'iport_update_by_ihost')])

    def test_second_audit_without_change_sends_nothing(self):
        agent = self.make_agent()
        agent.report()

        self.assertEqual([], self.reported(agent))

    def test_forced_report_sends_every_kind_again(self):
        agent = self.make_agent()
        agent.report()

        self.assertEqual(UPDATES, self.reported(agent, force=True))

    def test_changed_port_sends_only_ports(self):
        root = self.copy_of('server')
        agent = self.make_agent()
        agent.report()
        with open(os.path.join(root, 'sys', 'class', 'net', 'eno1', 'mtu'),
                  'w') as mtu:
            mtu.write('1500\n')

        self.assertEqual(['iport_update_by_ihost'], self.reported(agent))
        ports = {port['name']: port for port in self.sent(
            self.conductor, 'iport_update_by_ihost')}
        self.assertEqual(1500, ports['eno1']['mtu'])
        self.assertEqual([], self.reported(agent))

    def test_refused_kind_is_retried_next_audit_alone(self):
        self.conductor.refused.add('icpus_update_by_ihost')
        agent = self.make_agent()
        agent.identify()

        self.assertEqual(UPDATES, self.reported(agent))
        self.assertFalse(agent.inventory_complete)
        self.assertIn('cpus of host controller-0 not reported',
                      self.logs.output)
        self.assertIn('icpus_update_by_ihost refused\n', self.logs.output)
        # One line: the conductor's traceback is not the agent's to log.
        self.assertNotIn('Traceback', self.logs.output)

        self.assertEqual(['icpus_update_by_ihost'], self.reported(agent))

        self.conductor.refused.clear()
        self.assertEqual(['icpus_update_by_ihost'], self.reported(agent))
        self.assertTrue(agent.inventory_complete)
        self.assertEqual([], self.reported(agent))

    def test_forgotten_host_is_identified_again(self):
        agent = self.make_agent()
        agent.report()
        self.conductor.hosts.clear()
        root = self.copy_of('server')
        with open(os.path.join(root, 'sys', 'class', 'net', 'eno1', 'mtu'),
                  'w') as mtu:
            mtu.write('1500\n')

        self.assertEqual(['iport_update_by_ihost'], self.reported(agent))
        self.assertIsNone(agent.host)
        self.assertIn('no longer knows host controller-0', self.logs.output)

        # Discovered anew, the host gets its whole inventory.
        self.assertEqual(['get_ihost_by_macs', 'get_ihost_by_hostname',
                          'discover_ihost'] + UPDATES,
                         self.reported(agent))

    def test_unanswered_report_stops_at_the_first_kind(self):
        agent = self.make_agent()
        agent.identify()
        agent.conductor = rpcapi.ConductorAPI(
            timeout=UNANSWERED_TIMEOUT, topic=self.topic + '-nobody')

        start = time.monotonic()
        self.assertEqual([], agent.report())
        # One timeout, not one per kind.
        self.assertLess(time.monotonic() - start, 3 * UNANSWERED_TIMEOUT)
        self.assertIn('numa_nodes and later kinds of host controller-0 not '
                      'reported', self.logs.output)


class RunTest(AgentTestCase):

    def start(self, agent):
        """Run ``agent`` in a thread; returns (stop event, reported)."""
        stop = threading.Event()
        reported = threading.Event()
        thread = threading.Thread(target=agent.run, args=(stop,),
                                  kwargs={'on_reported': reported.set},
                                  daemon=True)
        thread.start()

        def stop_thread():
            stop.set()
            thread.join(WAIT)
        self.addCleanup(stop_thread)
        return stop, reported, thread

    def test_reports_once_identified_then_stops_promptly(self):
        conductor = self.serve(FakeConductor(
            [make_host('controller-0', SERVER_MACS[0])]))
        stop, reported, thread = self.start(self.make_agent())

        self.assertTrue(reported.wait(WAIT))
        self.assertEqual(['get_ihost_by_macs'] + UPDATES,
                         conductor.methods())
        self.assertRegex(self.logs.output,
                         r'inventory of controller-0 reported in '
                         r'\d+\.\d\ds')

        start = time.monotonic()
        stop.set()
        thread.join(WAIT)
        self.assertFalse(thread.is_alive())
        self.assertLess(time.monotonic() - start, 1)

    def test_audits_every_interval(self):
        self.conf.config(audit_interval=1, group='agent')
        root = self.copy_of('server')
        conductor = self.serve(FakeConductor(
            [make_host('controller-0', SERVER_MACS[0])]))
        stop, reported, thread = self.start(self.make_agent())
        self.assertTrue(reported.wait(WAIT))

        with open(os.path.join(root, 'sys', 'class', 'net', 'eno2', 'mtu'),
                  'w') as mtu:
            mtu.write('9000\n')
        deadline = time.monotonic() + WAIT
        while (conductor.methods().count('iport_update_by_ihost') < 2
               and time.monotonic() < deadline):
            time.sleep(0.05)

        self.assertEqual(['get_ihost_by_macs'] + UPDATES +
                         ['iport_update_by_ihost'], conductor.methods())

    def test_unavailable_conductor_is_retried_until_it_answers(self):
        agent = self.make_agent(rpc_timeout=UNANSWERED_TIMEOUT,
                                retry_initial=0.05, retry_max=0.1)
        stop, reported, thread = self.start(agent)
        deadline = time.monotonic() + WAIT
        while (self.logs.output.count('cannot identify this machine') < 2
               and time.monotonic() < deadline):
            time.sleep(0.05)
        self.assertFalse(reported.is_set())

        conductor = self.serve(FakeConductor(
            [make_host('controller-0', SERVER_MACS[0])]))

        self.assertTrue(reported.wait(WAIT))
        self.assertIn('retrying in 0.1s', self.logs.output)
        # Asks that timed out were answered late; the reports follow.
        self.assertEqual(UPDATES, [method for method in conductor.methods()
                                   if method != 'get_ihost_by_macs'])

    def test_stop_before_identification_ends_the_retries(self):
        agent = self.make_agent(rpc_timeout=UNANSWERED_TIMEOUT,
                                retry_initial=30, retry_max=30)
        stop, reported, thread = self.start(agent)
        deadline = time.monotonic() + WAIT
        while ('cannot identify this machine' not in self.logs.output
               and time.monotonic() < deadline):
            time.sleep(0.05)

        start = time.monotonic()
        stop.set()
        thread.join(WAIT)
        self.assertFalse(thread.is_alive())
        self.assertLess(time.monotonic() - start, 1)
        self.assertIsNone(agent.host)
