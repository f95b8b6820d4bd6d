"""Agents' identity calls and inventory reports, through the conductor.

The reports are what the collectors of stx.sysinv.agent.inventory read from
the fixture trees (tests/fixtures/inventory: ``server``, two NUMA nodes;
``edge``, one). A conductor is built per test and called directly; the last
class goes through RPC to the shared test conductor. Discovery writes a
customer log through the fm client, so every test has fm's database and the
shared fm manager, and the log can be read back from fm's event log.
"""

import copy
import logging
import threading

import fixtures
import oslo_messaging as messaging
import sqlalchemy as sa

from stx.common import exception
from stx.common import states
from stx.fm import client as fm_client
from stx.fm.db import api as fm_dbapi
from stx.sysinv.conductor import bootstrap
from stx.sysinv.conductor import manager
from stx.sysinv.conductor import reports as report_handlers
from stx.sysinv.conductor import rpcapi
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import DB
from stx.sysinv.db import inventory_api
from stx.sysinv.db import models
from tests.unit import base
from tests.unit.fm import base as fm_base
from tests.unit.sysinv import base as sysinv_base


# Report argument, conductor method and DB API reader of each kind, in the
# order an agent reports them.
KINDS = (
    ('inuma_dict_array', 'inumas_update_by_ihost', 'node_list'),
    ('icpu_dict_array', 'icpus_update_by_ihost', 'cpu_list'),
    ('imemory_dict_array', 'imemory_update_by_ihost', 'memory_list'),
    ('idisk_dict_array', 'idisk_update_by_ihost', 'disk_list'),
    ('inic_dict_array', 'iport_update_by_ihost', 'port_list'),
    ('pci_device_dict_array', 'pci_device_update_by_host',
     'pci_device_list'),
)

MAC_A = '52:54:00:00:0a:01'
MAC_B = '52:54:00:00:0b:01'
NEW_MAC = '3c:fd:fe:a0:00:01'


class Unwrapped:
    """A conductor whose declared exceptions are raised as themselves.

    ``messaging.expected_exceptions`` wraps them in ExpectedException for
    the RPC dispatcher, which unwraps them; this does the same for direct
    calls.
    """

    def __init__(self, conductor):
        self._conductor = conductor

    def __getattr__(self, name):
        method = getattr(self._conductor, name)

        def call(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except messaging.ExpectedException as wrapped:
                raise wrapped.exc_info[1] from None
        return call


class ConductorTestCase(fm_base.FMTestCase):
    """A system, a conductor of its own, and the fm manager behind it."""

    def setUp(self):
        super().setUp()
        fm = self.useFixture(fm_base.FMManagerFixture())
        self.system, self.controller = bootstrap.ensure_system(self.context)
        conductor = manager.ConductorManager('test-host')
        # Logs reach this test's fm database and notifiers, not the next
        # test's (nor the default state directory once the config is reset).
        self.addCleanup(fm.manager.wait_notified)
        self.addCleanup(conductor.close, timeout=10)
        self.conductor = Unwrapped(conductor)

    def add_worker(self, number=0, mac=MAC_A):
        host = self.conductor.create_host(self.context, {
            'hostname': 'worker-%d' % number,
            'personality': states.WORKER, 'mgmt_mac': mac})
        return dbapi.host_get(self.context, host.uuid)

    def report(self, host, reports, only=None):
        """Send reports as an agent does, in order; ``only``: one kind."""
        for argument, method, _reader in KINDS:
            if only in (None, argument):
                getattr(self.conductor, method)(self.context, host['uuid'],
                                                reports[argument])

    def stored(self, host):
        """Every inventory row of a host: {argument: rows}."""
        return {argument: getattr(inventory_api, reader)(
                self.context, host['id'])
                for argument, _method, reader in KINDS}

    def counts(self, host):
        return [len(rows) for rows in self.stored(host).values()]


class TestReports(ConductorTestCase):

    def setUp(self):
        super().setUp()
        self.host = self.add_worker()
        self.server = sysinv_base.collect('server')

    def test_server_inventory_is_stored(self):
        self.report(self.host, self.server)
        self.assertEqual([2, 32, 2, 3, 4, 2], self.counts(self.host))

    def test_edge_inventory_is_stored(self):
        self.report(self.host, sysinv_base.collect('edge'))
        self.assertEqual([1, 4, 1, 1, 2, 0], self.counts(self.host))

    def test_rows_are_sorted_and_carry_what_the_api_shows(self):
        self.report(self.host, self.server)
        stored = self.stored(self.host)
        nodes = {n['numa_node']: n['uuid']
                 for n in stored['inuma_dict_array']}
        cpus = stored['icpu_dict_array']
        self.assertEqual(list(range(32)), [c['cpu'] for c in cpus])
        for row in cpus + stored['imemory_dict_array']:
            self.assertEqual(nodes[row['numa_node']], row['inode_uuid'])
            self.assertEqual(self.host['uuid'], row['host_uuid'])
        self.assertEqual([0, 1], [m['numa_node']
                                  for m in stored['imemory_dict_array']])
        self.assertEqual(['/dev/nvme0n1', '/dev/sda', '/dev/sdb'],
                         [d['device_node']
                          for d in stored['idisk_dict_array']])
        ports = stored['inic_dict_array']
        self.assertEqual(['eno1', 'eno2', 'enp59s0f0', 'enp59s0f1'],
                         [p['name'] for p in ports])
        self.assertEqual({'ethernet'}, {p['type'] for p in ports})
        for port in ports:
            self.assertEqual(nodes[port['numa_node']], port['node_uuid'])
        self.assertEqual(['0000:3d:00.0', '0000:af:00.0'],
                         [d['pciaddr']
                          for d in stored['pci_device_dict_array']])
        reported = {d['device_node']: d
                    for d in self.server['idisk_dict_array']}
        for row in stored['idisk_dict_array']:
            self.assertEqual(reported[row['device_node']],
                             {k: row[k] for k in reported[row['device_node']]})

    def test_cpus_of_the_first_core_start_as_platform(self):
        self.report(self.host, self.server)
        cpus = self.stored(self.host)['icpu_dict_array']
        platform = [(c['numa_node'], c['core']) for c in cpus
                    if c['allocated_function'] ==
                    states.CPU_FUNCTION_PLATFORM]
        self.assertEqual([(0, 0), (0, 0)], platform)
        self.assertEqual(30, [c['allocated_function'] for c in cpus].count(
            states.CPU_FUNCTION_APPLICATION))

    def test_same_report_twice_changes_nothing(self):
        self.report(self.host, self.server)
        before = self.stored(self.host)
        self.report(self.host, copy.deepcopy(self.server))
        after = self.stored(self.host)
        self.assertEqual(before, after)
        for rows in after.values():
            self.assertEqual({None}, {row['updated_at'] for row in rows})

    def test_changed_report_updates_exactly_what_changed(self):
        self.report(self.host, self.server)
        before = self.stored(self.host)
        changed = copy.deepcopy(self.server)
        del changed['idisk_dict_array'][2]
        changed['inic_dict_array'][1]['mtu'] = 9216
        self.report(self.host, changed)
        after = self.stored(self.host)

        self.assertEqual(before['idisk_dict_array'][:2],
                         after['idisk_dict_array'])
        port = after['inic_dict_array'][1]
        self.assertEqual(9216, port['mtu'])
        self.assertIsNotNone(port['updated_at'])
        self.assertEqual(before['inic_dict_array'][1],
                         dict(port, mtu=1500, updated_at=None))
        self.assertEqual(before['inic_dict_array'][:1] +
                         before['inic_dict_array'][2:],
                         after['inic_dict_array'][:1] +
                         after['inic_dict_array'][2:])
        for argument in ('inuma_dict_array', 'icpu_dict_array',
                         'imemory_dict_array', 'pci_device_dict_array'):
            self.assertEqual(before[argument], after[argument])

    def test_empty_report_removes_every_row_of_its_kind(self):
        self.report(self.host, self.server)
        self.conductor.pci_device_update_by_host(self.context,
                                                 self.host['uuid'], [])
        self.assertEqual([2, 32, 2, 3, 4, 0], self.counts(self.host))

    def test_operator_owned_fields_survive_reports(self):
        self.report(self.host, self.server)
        with DB.writer.using(self.context) as session:
            session.execute(sa.update(models.CPU.__table__)
                            .values(allocated_function='Vswitch')
                            .where(models.CPU.__table__.c.cpu == 5))
            session.execute(sa.update(models.Memory.__table__)
                            .values(platform_reserved_mib=8000))
        changed = copy.deepcopy(self.server)
        for record in changed['icpu_dict_array']:
            record['cpu_model'] = 'another model'
        self.report(self.host, changed)
        cpus = self.stored(self.host)['icpu_dict_array']
        self.assertEqual('Vswitch', cpus[5]['allocated_function'])
        self.assertEqual({'another model'}, {c['cpu_model'] for c in cpus})
        self.assertEqual({8000}, {m['platform_reserved_mib'] for m in
                                  self.stored(self.host)[
                                      'imemory_dict_array']})

    def test_fields_a_newer_agent_adds_are_ignored(self):
        reports = copy.deepcopy(self.server)
        for record in reports['inic_dict_array']:
            record['numchannels'] = 8
        self.report(self.host, reports)
        self.assertEqual(4, len(self.stored(self.host)['inic_dict_array']))

    def test_unknown_host_is_not_found(self):
        self.assertRaises(exception.HostNotFound,
                          self.conductor.inumas_update_by_ihost,
                          self.context, '1f1b1c55-0000-4000-8000-000000000000',
                          self.server['inuma_dict_array'])

    def test_deleting_a_host_deletes_its_inventory(self):
        self.report(self.host, self.server)
        other = self.add_worker(1, mac=MAC_B)
        self.report(other, sysinv_base.collect('edge'))
        self.conductor.destroy_host(self.context, self.host['uuid'])
        for _argument, _method, reader in KINDS:
            rows = getattr(inventory_api, reader)(self.context)
            self.assertLessEqual({row['host_uuid'] for row in rows},
                                 {other['uuid']}, reader)
        self.assertEqual([1, 4, 1, 1, 2, 0], self.counts(other))


def _set(argument, index, field, value):
    def change(reports):
        reports[argument][index][field] = value
    return change


def _drop(argument, index, field):
    def change(reports):
        del reports[argument][index][field]
    return change


def _replace(argument, value, index=None):
    def change(reports):
        if index is None:
            reports[argument] = value
        else:
            reports[argument][index] = value
    return change


# (what is wrong, the field the refusal names)
MALFORMED = (
    (_set('icpu_dict_array', 3, 'core', 'three'), 'icpu_dict_array[3].core'),
    (_set('icpu_dict_array', 3, 'core', None), 'icpu_dict_array[3].core'),
    (_drop('icpu_dict_array', 0, 'thread'), 'icpu_dict_array[0].thread'),
    (_set('icpu_dict_array', 7, 'numa_node', True),
     'icpu_dict_array[7].numa_node'),
    (_set('icpu_dict_array', 9, 'cpu', 8), 'icpu_dict_array[9].cpu'),
    (_set('inuma_dict_array', 1, 'capabilities', []),
     'inuma_dict_array[1].capabilities'),
    (_set('imemory_dict_array', 1, 'memtotal_mib', -1),
     'imemory_dict_array[1].memtotal_mib'),
    (_set('imemory_dict_array', 0, 'vm_hugepages_nr_2M', 2 ** 40),
     'imemory_dict_array[0].vm_hugepages_nr_2M'),
    (_set('idisk_dict_array', 2, 'size_mib', '915715'),
     'idisk_dict_array[2].size_mib'),
    (_set('idisk_dict_array', 1, 'device_path', 'x' * 256),
     'idisk_dict_array[1].device_path'),
    (_replace('inic_dict_array', 'eno1'), 'inic_dict_array'),
    (_replace('inic_dict_array', 'eno2', index=1), 'inic_dict_array[1]'),
    (_set('inic_dict_array', 2, 'name', 'eno1'), 'inic_dict_array[2].name'),
    (_set('inic_dict_array', 0, 'mtu', 9000.0), 'inic_dict_array[0].mtu'),
    (_set('pci_device_dict_array', 1, 'enabled', 'yes'),
     'pci_device_dict_array[1].enabled'),
    (_drop('pci_device_dict_array', 0, 'pciaddr'),
     'pci_device_dict_array[0].pciaddr'),
)


class TestProvisioning(ConductorTestCase):
    """invprovision: unprovisioned, provisioning, provisioned."""

    def provision_state(self, host):
        return dbapi.host_get(self.context, host['uuid'])['invprovision']

    def test_added_host_is_provisioned_by_its_cpus_and_memory(self):
        host = self.add_worker()
        self.assertEqual(states.UNPROVISIONED, self.provision_state(host))
        self.report(host, sysinv_base.collect('server'),
                    only='inuma_dict_array')
        self.assertEqual(states.PROVISIONING, self.provision_state(host))
        self.report(host, sysinv_base.collect('server'))
        self.assertEqual(states.PROVISIONED, self.provision_state(host))

    def test_discovered_host_is_provisioned_by_its_personality(self):
        host = self.conductor.discover_ihost(self.context, [NEW_MAC])
        self.report(host, sysinv_base.collect('edge'))
        self.assertEqual(states.UNPROVISIONED, self.provision_state(host))
        self.conductor.update_host(self.context, host['uuid'], {
            'hostname': 'worker-1', 'personality': states.WORKER})
        self.assertEqual(states.PROVISIONED, self.provision_state(host))

    def test_personality_before_inventory_is_provisioning(self):
        host = self.conductor.discover_ihost(self.context, [NEW_MAC])
        self.conductor.update_host(self.context, host['uuid'], {
            'hostname': 'worker-1', 'personality': states.WORKER})
        self.assertEqual(states.PROVISIONING, self.provision_state(host))


class TestMalformedReports(ConductorTestCase):

    def setUp(self):
        super().setUp()
        self.host = self.add_worker()
        self.server = sysinv_base.collect('server')
        self.report(self.host, self.server)
        self.logger = self.useFixture(fixtures.FakeLogger(
            name=report_handlers.__name__, level=logging.WARNING))

    def test_malformed_report_is_refused_naming_the_field(self):
        before = self.stored(self.host)
        for change, field in MALFORMED:
            argument = field.split('[')[0]
            with self.subTest(field=field):
                # The first records are fine: a partial store would show.
                reports = copy.deepcopy(self.server)
                for record in reports['icpu_dict_array']:
                    record['cpu_model'] = 'changed'
                change(reports)
                error = self.assertRaises(
                    exception.InventoryReportInvalid, self.report,
                    self.host, reports, only=argument)
                self.assertIsInstance(error, exception.InvalidParameterValue)
                self.assertEqual(field, error.field)
                self.assertIn('worker-0', str(error))
                self.assertIn(field, self.logger.output)
                self.assertEqual(before, self.stored(self.host))

    def test_cpus_naming_a_numa_node_not_reported_are_refused(self):
        host = self.add_worker(1, mac=MAC_B)
        self.report(host, sysinv_base.collect('edge'), only='inuma_dict_array')
        cpus = self.server['icpu_dict_array']
        first_on_node_1 = [c['numa_node'] for c in cpus].index(1)
        error = self.assertRaises(
            exception.InventoryReportInvalid,
            self.conductor.icpus_update_by_ihost, self.context, host['uuid'],
            cpus)
        self.assertEqual('icpu_dict_array[%d].numa_node' % first_on_node_1,
                         error.field)
        self.assertIn('NUMA node 1', str(error))
        self.assertEqual([], inventory_api.cpu_list(self.context, host['id']))

    def test_memory_before_numa_nodes_is_refused(self):
        host = self.add_worker(1, mac=MAC_B)
        error = self.assertRaises(
            exception.InventoryReportInvalid,
            self.conductor.imemory_update_by_ihost, self.context,
            host['uuid'], self.server['imemory_dict_array'])
        self.assertEqual('imemory_dict_array[0].numa_node', error.field)


class TestIdentity(ConductorTestCase):

    def setUp(self):
        super().setUp()
        self.worker = self.add_worker()

    def host_count(self):
        return dbapi.host_count(self.context)

    def discovery_logs(self, mac=NEW_MAC):
        """(id, state) of the fm event log of host=<mac>, once delivered."""
        # Same process, same queue name: this shares the conductor's
        # sender, so flush() waits for the conductor's logs.
        with fm_client.FaultAPIs(mode=fm_client.MODE_ASYNC,
                                 name=manager.FM_CLIENT_NAME) as faults:
            self.assertTrue(faults.flush(timeout=10))
        events = fm_dbapi.event_list(self.context, filters=[
            ('entity_instance_id', 'eq', 'host=%s' % mac)])
        return [(event['event_log_id'], event['state']) for event in events]

    def test_get_ihost_by_macs_finds_the_host_whatever_the_case(self):
        host = self.conductor.get_ihost_by_macs(
            self.context, ['52:54:00:ff:ff:01', MAC_A.upper()])
        self.assertEqual(self.worker['uuid'], host['uuid'])
        self.assertNotIn('bm_password', host)
        self.assertIsInstance(host['created_at'], str)

    def test_get_ihost_by_macs_without_match_is_none(self):
        self.assertIsNone(self.conductor.get_ihost_by_macs(
            self.context, ['52:54:00:ff:ff:01']))

    def test_get_ihost_by_macs_refuses_what_is_not_a_mac(self):
        error = self.assertRaises(
            exception.InvalidParameterValue, self.conductor.get_ihost_by_macs,
            self.context, [MAC_A, 'eth0'])
        self.assertEqual('ihost_macs[1]', error.field)

    def test_macs_no_nic_has_are_left_out(self):
        host = self.conductor.discover_ihost(
            self.context, ['00:00:00:00:00:00', '33:33:00:00:00:01', NEW_MAC])
        self.assertEqual(NEW_MAC, host['mgmt_mac'])

    def test_get_ihost_by_hostname(self):
        host = self.conductor.get_ihost_by_hostname(self.context, 'Worker-0')
        self.assertEqual(self.worker['uuid'], host['uuid'])
        self.assertIsNone(self.conductor.get_ihost_by_hostname(
            self.context, 'worker-9'))

    def test_discovery_adds_one_unprovisioned_host_and_logs_it(self):
        count = self.host_count()
        host = self.conductor.discover_ihost(
            self.context, [NEW_MAC.upper(), '3c:fd:fe:a0:00:02'],
            hostname='localhost')
        self.assertEqual(count + 1, self.host_count())
        self.assertEqual(NEW_MAC, host['mgmt_mac'])
        self.assertIsNone(host['hostname'])
        self.assertIsNone(host['personality'])
        self.assertEqual(states.UNPROVISIONED, host['invprovision'])
        self.assertEqual(states.LOCKED, host['administrative'])
        self.assertEqual(states.OFFLINE, host['availability'])
        self.assertEqual(self.system['id'], host['forisystemid'])
        self.assertNotIn('bm_password', host)
        self.assertEqual([('200.023', 'log')], self.discovery_logs())

    def test_discovery_of_a_known_host_returns_it_unchanged(self):
        first = self.conductor.discover_ihost(self.context, [NEW_MAC])
        again = self.conductor.discover_ihost(
            self.context, ['3c:fd:fe:a0:00:02', NEW_MAC])
        self.assertEqual(first, again)
        self.assertEqual(first, self.conductor.get_ihost_by_macs(
            self.context, [NEW_MAC]))
        self.assertEqual([('200.023', 'log')], self.discovery_logs())

    def test_discovery_falls_back_to_the_hostname(self):
        count = self.host_count()
        host = self.conductor.discover_ihost(self.context, [NEW_MAC],
                                             hostname='worker-0')
        self.assertEqual(self.worker['uuid'], host['uuid'])
        self.assertEqual(count, self.host_count())

    def test_macs_of_one_host_and_hostname_of_another_conflict(self):
        self.add_worker(1, mac=MAC_B)
        error = self.assertRaises(
            exception.Conflict, self.conductor.discover_ihost, self.context,
            [MAC_A], hostname='worker-1')
        self.assertIsInstance(error, exception.HostIdentityConflict)
        self.assertIn('worker-0', str(error))
        self.assertIn('worker-1', str(error))

    def test_discovery_refuses_bad_macs(self):
        for macs, field in (([], 'ihost_macs'), ('52:54:00:00:0a:01',
                                                 'ihost_macs'),
                            ([None], 'ihost_macs[0]'),
                            ([NEW_MAC, 'eth0'], 'ihost_macs[1]'),
                            # Not a NIC's MAC: left out, so none is left.
                            (['01:00:5e:00:00:01', '00:00:00:00:00:00'],
                             'ihost_macs')):
            with self.subTest(macs=macs):
                error = self.assertRaises(
                    exception.Invalid, self.conductor.discover_ihost,
                    self.context, macs)
                self.assertEqual(field, error.field)

    def test_discovery_refuses_a_hostname_that_is_not_text(self):
        error = self.assertRaises(
            exception.InvalidParameterValue, self.conductor.discover_ihost,
            self.context, [NEW_MAC], hostname=5)
        self.assertEqual('hostname', error.field)

    def test_discovery_refused_on_a_simplex_system(self):
        dbapi.system_update(self.context, self.system['uuid'],
                            {'system_mode': states.SYSTEM_MODE_SIMPLEX})
        self.assertRaises(exception.OperationNotPermitted,
                          self.conductor.discover_ihost, self.context,
                          [NEW_MAC])


class TestConcurrentDiscovery(ConductorTestCase):

    def setUp(self):
        super().setUp()
        # A file: each thread's transaction needs its own connection.
        self.config(connection='sqlite:///%s/sysinv.sqlite' % self.state_dir,
                    group='database')
        DB.reset()
        DB.create_schema()
        self.system, self.controller = bootstrap.ensure_system(self.context)

    def test_concurrent_discoveries_add_one_host(self):
        threads = 8
        barrier = threading.Barrier(threads)
        found, errors = [], []

        def discover():
            barrier.wait()
            try:
                found.append(self.conductor.discover_ihost(
                    self.context, [NEW_MAC]))
            except Exception as error:
                errors.append(error)

        workers = [threading.Thread(target=discover) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
        self.assertEqual([], errors)
        self.assertEqual(1, len({host['uuid'] for host in found}))
        self.assertEqual(threads, len(found))
        self.assertEqual(2, dbapi.host_count(self.context))


class LockedControllerRPCTestCase(base.TestCase):
    """The shared conductor over RPC, and a locked controller-0 holding the
    server fixture's inventory.
    """

    def setUp(self):
        super().setUp()
        self.config(rpc_timeout=5, group='sysinv')
        self.useFixture(base.ConductorFixture())
        _system, controller = bootstrap.ensure_system(self.context)
        self.host = sysinv_base.lock(self.context, controller)
        sysinv_base.store_inventory(self.context, self.host)
        self.api = rpcapi.ConductorAPI()


class TestRPC(base.TestCase):
    """The agent's calls through rpcapi to the shared test conductor.

    It discovers no new host: the shared conductor outlives this test, and
    so would the fm client that a discovery opens.
    """

    def setUp(self):
        super().setUp()
        self.config(rpc_timeout=5, group='sysinv')
        self.useFixture(base.ConductorFixture())
        self.system, controller = bootstrap.ensure_system(self.context)
        # Not the machine's own MAC: uuid.getnode() may make one up.
        self.controller = dbapi.host_update(self.context, controller['id'],
                                            {'mgmt_mac': MAC_A})
        self.api = rpcapi.ConductorAPI()

    def test_agent_finds_its_host_and_reports(self):
        host = self.api.discover_ihost(self.context,
                                       [self.controller['mgmt_mac']],
                                       hostname='controller-0')
        self.assertEqual(self.controller['uuid'], host['uuid'])
        self.assertEqual(host, self.api.get_ihost_by_macs(
            self.context, [self.controller['mgmt_mac']]))
        self.assertEqual(host, self.api.get_ihost_by_hostname(
            self.context, 'controller-0'))
        reports = sysinv_base.collect('edge')
        self.assertIsNone(self.api.inumas_update_by_ihost(
            self.context, host['uuid'], reports['inuma_dict_array']))
        self.api.icpus_update_by_ihost(self.context, host['uuid'],
                                       reports['icpu_dict_array'])
        self.api.imemory_update_by_ihost(self.context, host['uuid'],
                                         reports['imemory_dict_array'])
        self.api.idisk_update_by_ihost(self.context, host['uuid'],
                                       reports['idisk_dict_array'])
        self.api.iport_update_by_ihost(self.context, host['uuid'],
                                       reports['inic_dict_array'])
        self.api.pci_device_update_by_host(self.context, host['uuid'],
                                           reports['pci_device_dict_array'])
        self.assertEqual(4, len(inventory_api.cpu_list(self.context,
                                                       self.controller['id'])))
        self.assertEqual(2, len(inventory_api.port_list(
            self.context, self.controller['id'])))

    def test_refusal_reaches_the_agent_as_itself(self):
        error = self.assertRaises(
            exception.InventoryReportInvalid,
            self.api.icpus_update_by_ihost, self.context,
            self.controller['uuid'], [{'cpu': 0}])
        self.assertEqual('icpu_dict_array[0].numa_node', error.field)

    def test_capped_client_cannot_call_1_1(self):
        self.config(sysinv_conductor='1.0', group='upgrade_levels')
        self.assertRaises(messaging.RPCVersionCapError,
                          rpcapi.ConductorAPI().get_ihost_by_macs,
                          self.context, [self.controller['mgmt_mac']])
