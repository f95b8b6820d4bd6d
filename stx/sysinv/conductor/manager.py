"""The sysinv conductor: the only writer of sysinv's database.

The API checks the shape of a request; the conductor checks its meaning
against stored state (validation, duplicates, system mode) and writes.
Agents find their host here (by MAC, by hostname, or by being discovered)
and report its inventory. Every method raises only the exceptions listed in
its ``expected_exceptions``, which reach the caller as themselves.
"""

import datetime
import re
import threading

from oslo_utils import uuidutils

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import exception
from stx.common import secrets
from stx.common import states
from stx.conf import CONF
from stx.fm import client as fm_client
from stx import objects
from stx.sysinv.agent import rpcapi as agent_rpcapi
from stx.sysinv.conductor import config as host_config
from stx.sysinv.conductor import inventory
from stx.sysinv.db import api as dbapi
from stx.sysinv import interfaces
from stx.sysinv import labels as host_labels
from stx.sysinv import nodal
from stx.sysinv import validation
from stx import version

LOG = logging.getLogger(__name__)

_EXPECTED = (exception.Invalid, exception.NotFound, exception.Conflict)

SYSTEM_DEFAULTS = {
    'name': 'stx-flock',
    'system_type': states.SYSTEM_TYPE_AIO,
    'system_mode': states.SYSTEM_MODE_DUPLEX,
    'timezone': 'UTC',
    'capabilities': {},
}
SYSTEM_WRITABLE = frozenset((
    'name', 'system_type', 'system_mode', 'description', 'contact',
    'location', 'latitude', 'longitude', 'timezone', 'region_name',
    'distributed_cloud_role', 'service_project_name', 'security_feature',
    'capabilities'))

# A new host, as StarlingX adds one: locked, disabled, offline and waiting
# for its agent to report inventory.
HOST_DEFAULTS = {
    'administrative': states.LOCKED,
    'operational': states.DISABLED,
    'availability': states.OFFLINE,
    'invprovision': states.UNPROVISIONED,
    'subfunction_oper': states.DISABLED,
    'subfunction_avail': states.OFFLINE,
    'action': states.ACTION_NONE,
    'task': '',
    'vim_progress_status': '',
    'bm_type': states.BM_TYPE_NONE,
    'boot_device': '/dev/sda',
    'rootfs_device': '/dev/sda',
    'hw_settle': '0',
    'install_output': 'text',
    'console': 'ttyS0,115200',
    'tboot': '',
    'apparmor': 'disabled',
    'clock_synchronization': 'ntp',
    'ttys_dcd': False,
    'reboot_needed': False,
    'reserved': False,
    'uptime': 0,
    'location': {},
    'capabilities': {},
}


# Text shaped like a MAC; normalize_mac also refuses those no NIC has.
_MAC_TEXT = re.compile(r'^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$',
                       re.IGNORECASE)

# The customer log of a host found by its agent's MACs alone.
HOST_DISCOVERED_LOG_ID = '200.023'
# The conductor's own fm client queue (<[fm] client_queue_dir>/<name>.sqlite).
FM_CLIENT_NAME = 'sysinv-conductor'


def software_version():
    """The platform release: major.minor of this code."""
    return '.'.join(version.version_string().split('.')[:2])


class ConductorManager:
    """RPC endpoint of stx-sysinv-conductor."""

    target = messaging.Target(version='1.4')

    def __init__(self, host=None):
        self.host = host or CONF.host
        self._fault_api = None
        self._fault_api_lock = threading.Lock()
        self._agent_api = None

    def close(self, timeout=0):
        """Let go of the fm client.

        :param timeout: seconds to wait for the logs still queued to reach
            fm first. Those that did not stay queued on disk, and the next
            conductor on the same state directory sends them.
        """
        with self._fault_api_lock:
            if self._fault_api is not None:
                if timeout:
                    self._fault_api.flush(timeout)
                self._fault_api.close()
                self._fault_api = None

    def _faults(self):
        # Made on first use: most conductors never log anything.
        with self._fault_api_lock:
            if self._fault_api is None:
                self._fault_api = fm_client.FaultAPIs(
                    mode=fm_client.MODE_ASYNC, name=FM_CLIENT_NAME)
            return self._fault_api

    # System.

    @messaging.expected_exceptions(*_EXPECTED)
    def create_system(self, context, values):
        unknown = set(values) - SYSTEM_WRITABLE
        if unknown:
            raise exception.UnknownField(field=sorted(unknown)[0])
        values = dict(SYSTEM_DEFAULTS, **values)
        _check_system_values(values)
        values['software_version'] = software_version()
        system = dbapi.system_create(context, values)
        LOG.info('System %(name)s created (%(type)s, %(mode)s)',
                 {'name': system['name'], 'type': system['system_type'],
                  'mode': system['system_mode']})
        return objects.system.System.from_db(system, context)

    @messaging.expected_exceptions(*_EXPECTED)
    def update_system(self, context, system_uuid, values):
        unknown = set(values) - SYSTEM_WRITABLE
        if unknown:
            raise exception.UnknownField(field=sorted(unknown)[0])
        current = dbapi.system_get(context, system_uuid)
        _check_system_values(dict(current, **values))
        if ('system_mode' in values and
                values['system_mode'] != current['system_mode'] and
                current['system_mode'] != states.SYSTEM_MODE_SIMPLEX and
                values['system_mode'] == states.SYSTEM_MODE_SIMPLEX):
            raise exception.OperationNotPermitted(
                reason='a duplex system cannot become simplex',
                field='system_mode')
        system = dbapi.system_update(context, system_uuid, values)
        return objects.system.System.from_db(system, context)

    # Hosts.

    def _enabled_bm_types(self):
        return CONF.enabled_bmc_drivers

    def _host_values(self, context, values, system):
        values = validation.validate_host(
            values, enabled_bm_types=self._enabled_bm_types())
        _encrypt_bm_password(values)
        new = dict(HOST_DEFAULTS, **{k: v for k, v in values.items()
                                     if v is not None})
        new['forisystemid'] = system['id']
        new['sw_version'] = new.get('sw_version') or system[
            'software_version']
        if new.get('personality') and not new.get('subfunctions'):
            new['subfunctions'] = _default_subfunctions(
                new['personality'], system)
        return new

    def _system_for_add(self, context):
        try:
            system = dbapi.system_get(context)
        except exception.SystemNotFound:
            raise exception.OperationNotPermitted(
                reason='no system exists yet; create it first')
        if system['system_mode'] == states.SYSTEM_MODE_SIMPLEX:
            raise exception.OperationNotPermitted(
                reason='hosts cannot be added to a simplex system')
        return system

    @messaging.expected_exceptions(*_EXPECTED)
    def create_host(self, context, values):
        system = self._system_for_add(context)
        host = dbapi.host_create(context,
                                 self._host_values(context, values, system))
        LOG.info('Host %(host)s added (%(uuid)s, %(personality)s)',
                 {'host': host['hostname'] or host['mgmt_mac'],
                  'uuid': host['uuid'], 'personality': host['personality']})
        return objects.host.Host.from_db(host, context)

    @messaging.expected_exceptions(*_EXPECTED)
    def update_host(self, context, host_uuid, values):
        current = dbapi.host_get(context, host_uuid)
        changes = validation.validate_host(
            values, current=current,
            enabled_bm_types=self._enabled_bm_types())
        _check_host_change(current, changes)
        _encrypt_bm_password(changes)
        if 'personality' in changes and not current['subfunctions']:
            changes.setdefault('subfunctions', _default_subfunctions(
                changes['personality'], dbapi.system_get(context)))
        if changes.get('personality'):
            state = _provision_state(context, dict(current, **changes))
            if state != current['invprovision']:
                changes['invprovision'] = state
        reconfigured = any(
            field in changes and changes[field] != current[field]
            for field in ('personality', 'subfunctions'))
        if reconfigured:
            changes.update(_new_config_target())
        host = dbapi.host_update(context, host_uuid, changes)
        LOG.info('Host %(host)s updated: %(fields)s',
                 {'host': host['hostname'] or host['uuid'],
                  'fields': ', '.join(sorted(changes))})
        if reconfigured:
            self._push_config(context, host)
        return objects.host.Host.from_db(host, context)

    @messaging.expected_exceptions(*_EXPECTED)
    def destroy_host(self, context, host_uuid):
        host = dbapi.host_get(context, host_uuid)
        if host['administrative'] != states.LOCKED:
            raise exception.InvalidStateTransition(
                action='delete', target=host['hostname'] or host_uuid,
                reason='the host is unlocked; lock it first')
        dbapi.host_destroy(context, host_uuid)
        LOG.info('Host %(host)s deleted (%(uuid)s)',
                 {'host': host['hostname'], 'uuid': host['uuid']})

    @messaging.expected_exceptions(*_EXPECTED)
    def bulk_add_hosts(self, context, hosts):
        """Validate every host first; then add all of them or none.

        A host whose mgmt_mac is already known only has its BMC fields
        updated, as StarlingX does.

        :param hosts: a list of field dicts, one per <host> element.
        :returns: {'created': [Host], 'updated': [Host]}
        :raises: InvalidBulkFile listing every bad entry.
        """
        system = self._system_for_add(context)
        _require_enabled_controller(context)
        creates, updates, errors = [], [], []
        seen = {}
        for index, values in enumerate(hosts, 1):
            label = 'host %d (%s)' % (index, values.get('hostname') or
                                      values.get('mgmt_mac') or '?')
            try:
                self._bulk_entry(context, values, system, creates, updates,
                                 seen)
            except exception.StxException as error:
                errors.append('%s: %s' % (label, error))
        if errors:
            raise exception.InvalidBulkFile(reason='; '.join(errors),
                                            field='file')
        created, updated = dbapi.hosts_bulk_write(context, creates, updates)
        LOG.info('Bulk add: %(created)d hosts added, %(updated)d updated',
                 {'created': len(created), 'updated': len(updated)})
        host = objects.host.Host.from_db
        return {'created': [host(h, context) for h in created],
                'updated': [host(h, context) for h in updated]}

    # Host identity: how an agent finds the host it runs on.

    @messaging.expected_exceptions(*_EXPECTED)
    def get_ihost_by_macs(self, context, ihost_macs):
        """The host whose mgmt_mac is one of ``ihost_macs``.

        :param ihost_macs: the MAC addresses of the agent's ports, in any
            case, with ':' or '-'; the first one that names a host wins.
        :returns: the host (see _host_dict), or None.
        :raises: InvalidParameterValue naming a value that is not a MAC.
        """
        hosts = dbapi.host_list_by_mgmt_macs(context, _macs(ihost_macs))
        return _host_dict(hosts[0]) if hosts else None

    @messaging.expected_exceptions(*_EXPECTED)
    def get_ihost_by_hostname(self, context, ihost_hostname):
        """The host named ``ihost_hostname`` (any case), or None.

        :raises: InvalidParameterValue if it is not a non-empty string.
        """
        if not isinstance(ihost_hostname, str) or not ihost_hostname:
            raise exception.InvalidParameterValue(
                field='ihost_hostname', reason='must be a host name')
        host = _host_named(context, ihost_hostname)
        return host and _host_dict(host)

    @messaging.expected_exceptions(*_EXPECTED)
    def discover_ihost(self, context, ihost_macs, hostname=None):
        """The host of an agent, added if no host has its MACs.

        A host with one of the MACs is returned as it is; failing that, the
        host named ``hostname``, as StarlingX's agent falls back to its
        hostname. Otherwise a host is added as StarlingX shows a
        discovered one: mgmt_mac the first MAC, no hostname, no
        personality, locked, offline and unprovisioned. That is logged, and
        recorded as customer log 200.023 through the fm client in async
        mode (the conductor never waits for fm). Two agents discovering at
        once with the same first MAC get the same host: the second insert
        breaks mgmt_mac's unique constraint and reads the first one's host.

        :param ihost_macs: the MAC addresses of the agent's ports.
        :param hostname: the agent's hostname, if it has one.
        :returns: the host (see _host_dict).
        :raises: HostIdentityConflict (a Conflict) when the MACs belong to
            one host and ``hostname`` to another; InvalidParameterValue,
            MissingParameterValue for bad MACs or hostname;
            OperationNotPermitted when no system exists or it is simplex.
        """
        macs = _macs(ihost_macs)
        if not macs:
            raise exception.MissingParameterValue(
                field='ihost_macs', reason='an agent is known by the MAC '
                'addresses of its ports')
        if hostname is not None and not isinstance(hostname, str):
            raise exception.InvalidParameterValue(
                field='hostname', reason='must be a host name or None')
        named = _host_named(context, hostname) if hostname else None
        hosts = dbapi.host_list_by_mgmt_macs(context, macs)
        if hosts:
            host = hosts[0]
            if named is not None and named['id'] != host['id']:
                LOG.warning('Agent with MACs %(macs)s and hostname '
                            '%(hostname)s names two hosts: %(host)s and '
                            '%(other)s', {'macs': ', '.join(macs),
                                          'hostname': hostname,
                                          'host': _label(host),
                                          'other': _label(named)})
                raise exception.HostIdentityConflict(
                    mac=host['mgmt_mac'], host=_label(host),
                    hostname=hostname, other=_label(named))
            return _host_dict(host)
        if named is not None:
            return _host_dict(named)
        system = self._system_for_add(context)
        values = self._host_values(context, {'mgmt_mac': macs[0]}, system)
        try:
            host = dbapi.host_create(context, values)
        except exception.HostAlreadyExists:
            # Another discovery of this host won the race: theirs is ours.
            hosts = dbapi.host_list_by_mgmt_macs(context, macs)
            if not hosts:
                raise
            return _host_dict(hosts[0])
        LOG.info('Host discovered: management MAC %(mac)s (%(uuid)s), '
                 'unprovisioned', {'mac': host['mgmt_mac'],
                                   'uuid': host['uuid']})
        self._log_discovery(host)
        return _host_dict(host)

    def _log_discovery(self, host):
        fault = fm_client.Fault(
            alarm_id=HOST_DISCOVERED_LOG_ID, alarm_state=fm_client.LOG,
            entity_type_id='host',
            entity_instance_id='host=%s' % host['mgmt_mac'],
            severity=states.SEVERITY_NOT_APPLICABLE,
            reason_text='A new host was discovered with management MAC %s '
                        '(%s)' % (host['mgmt_mac'], host['uuid']))
        try:
            self._faults().set_event(fault)
        except Exception:
            # The host is added; a customer log that cannot be queued (a
            # full disk, a queue file held by another process) must not
            # undo that, nor send the agent into a retry loop.
            LOG.exception('Customer log %(id)s for discovered host %(mac)s '
                          'could not be queued',
                          {'id': HOST_DISCOVERED_LOG_ID,
                           'mac': host['mgmt_mac']})

    # Inventory reports, in the order an agent sends them: NUMA nodes
    # first, since cpus and memory name them. Each report replaces the
    # host's rows of its kind, as a whole or not at all, and returns None.

    @messaging.expected_exceptions(*_EXPECTED)
    def inumas_update_by_ihost(self, context, ihost_uuid, inuma_dict_array):
        """Store the host's NUMA nodes; ``[{numa_node, capabilities}]``.

        :raises: HostNotFound, InventoryReportInvalid naming the field.
        """
        self._store_report(context, inventory.NODES, ihost_uuid,
                           inuma_dict_array)

    @messaging.expected_exceptions(*_EXPECTED)
    def icpus_update_by_ihost(self, context, ihost_uuid, icpu_dict_array):
        """Store the host's logical cpus (stx.sysinv.agent.inventory.cpu).

        A cpu first reported gets its allocated_function from
        inventory.initial_cpu_functions; a later report keeps it.

        :raises: HostNotFound, InventoryReportInvalid (also for a numa_node
            the host's NUMA node report did not have).
        """
        self._store_report(context, inventory.CPUS, ihost_uuid,
                           icpu_dict_array)

    @messaging.expected_exceptions(*_EXPECTED)
    def imemory_update_by_ihost(self, context, ihost_uuid,
                                imemory_dict_array):
        """Store the host's memory, a record per NUMA node.

        :raises: HostNotFound, InventoryReportInvalid.
        """
        self._store_report(context, inventory.MEMORY, ihost_uuid,
                           imemory_dict_array)

    @messaging.expected_exceptions(*_EXPECTED)
    def idisk_update_by_ihost(self, context, ihost_uuid, idisk_dict_array):
        """Store the host's disks, by device_node.

        :raises: HostNotFound, InventoryReportInvalid.
        """
        self._store_report(context, inventory.DISKS, ihost_uuid,
                           idisk_dict_array)

    @messaging.expected_exceptions(*_EXPECTED)
    def iport_update_by_ihost(self, context, ihost_uuid, inic_dict_array):
        """Store the host's Ethernet ports, by interface ``name``.

        :raises: HostNotFound, InventoryReportInvalid.
        """
        self._store_report(context, inventory.PORTS, ihost_uuid,
                           inic_dict_array)

    @messaging.expected_exceptions(*_EXPECTED)
    def pci_device_update_by_host(self, context, host_uuid,
                                  pci_device_dict_array):
        """Store the host's PCI devices, by pciaddr.

        :raises: HostNotFound, InventoryReportInvalid.
        """
        self._store_report(context, inventory.PCI_DEVICES, host_uuid,
                           pci_device_dict_array)

    def _store_report(self, context, report, host_uuid, records):
        host = dbapi.host_get(context, host_uuid)
        name = _label(host)
        nodes = ()
        if report.needs_nodes:
            nodes = {node['numa_node']
                     for node in dbapi.node_list(context, host['id'])}
        try:
            records = inventory.validate(report, records, name, nodes)
            counts = report.sync(context, host['id'],
                                 inventory.rows(report, records, host))
        except exception.InventoryReportInvalid as error:
            LOG.warning('Inventory report of host %(host)s refused: '
                        '%(field)s %(reason)s',
                        {'host': name, 'field': error.field,
                         'reason': error.kwargs.get('reason')})
            raise
        if counts['created'] or counts['updated'] or counts['deleted']:
            LOG.info('Inventory of host %(host)s: %(report)s stored, '
                     '%(created)d added, %(updated)d changed, %(deleted)d '
                     'removed', dict(counts, host=name,
                                     report=report.argument))
        else:
            LOG.debug('Inventory of host %(host)s: %(report)s unchanged',
                      {'host': name, 'report': report.argument})
        state = _provision_state(context, host)
        if state != host['invprovision']:
            dbapi.host_update(context, host['uuid'], {'invprovision': state})
            LOG.info('Host %(host)s is %(state)s', {'host': name,
                                                    'state': state})

    # Nodal configuration: what the operator sets of a host's inventory.
    # Checked against the stored inventory inside the transaction that
    # writes it (dbapi.*_update hand the locked rows to the check).

    @messaging.expected_exceptions(*_EXPECTED)
    def update_cpu_functions(self, context, host_uuid, functions):
        """Assign physical cores to functions (``host-cpu-modify``).

        :param functions: StarlingX's body: ``[{"function": "platform",
            "sockets": [{"0": 2}, {"1": 0}]}]`` (nodal.parse_cpu_functions).
        :returns: the host's cpu rows after the change, by cpu
            (timestamps as ISO text).
        :raises: HostNotFound; HostNotLocked; InvalidParameterValue,
            MissingParameterValue naming the field (``function``,
            ``processor N``, ``platform``). Nothing is stored then.
        """
        requested = nodal.parse_cpu_functions(functions)
        host = dbapi.host_get(context, host_uuid)

        def check(host, cpus):
            _require_locked(host, 'CPU assignment')
            return nodal.assign_cpu_functions(host, cpus, requested)

        cpus = dbapi.cpu_functions_update(context, host['id'], check)
        LOG.info('CPU functions of host %(host)s changed: %(counts)s',
                 {'host': _label(host),
                  'counts': _describe_counts(nodal.core_counts(cpus))})
        self._config_update_host(context, host['id'])
        return [_json_row(cpu) for cpu in cpus]

    @messaging.expected_exceptions(*_EXPECTED)
    def update_memory(self, context, memory_uuid, values):
        """Set a NUMA node's pending huge pages (``host-memory-modify``).

        :param values: ``{"vm_hugepages_nr_2M_pending": n,
            "vm_hugepages_nr_1G_pending": n}``, either or both.
        :returns: the memory row after the change (timestamps as ISO
            text).
        :raises: MemoryNotFound; HostNotLocked; UnknownField,
            InvalidParameterValue naming the field (also when the pages
            do not fit the node after the platform reservation). Nothing
            is stored then.
        """
        def check(host, memory):
            _require_locked(host, 'memory configuration')
            return nodal.check_hugepages(host, memory, values)

        memory = dbapi.memory_update(context, memory_uuid, check)
        LOG.info('Huge pages of processor %(node)s of host %(host)s: '
                 '%(pages_2m)s × 2M, %(pages_1g)s × 1G pending',
                 {'node': memory['numa_node'], 'host': memory['host_uuid'],
                  'pages_2m': memory[nodal.HUGEPAGES_2M],
                  'pages_1g': memory[nodal.HUGEPAGES_1G]})
        self._config_update_host(context, memory['forihostid'])
        return _json_row(memory)

    # Configuration tracking, as StarlingX's: every accepted change of a
    # host gives it a new config_target and makes it "Config out-of-date";
    # the conductor casts the rendered configuration to the host's agent
    # (stx.sysinv.agent.rpcapi), which applies it and reports its uuid
    # back with iconfig_update_by_ihost, setting config_applied. An agent
    # that was down when the cast was sent reports its on-disk uuid when it
    # starts, and gets the current configuration again then.

    def _config_update_host(self, context, host_id):
        """A new config_target for the host; its configuration pushed."""
        host = dbapi.host_update(context, host_id, _new_config_target())
        self._push_config(context, host)
        return host

    def _agents(self):
        if self._agent_api is None:
            self._agent_api = agent_rpcapi.AgentAPI()
        return self._agent_api

    def _push_config(self, context, host):
        """Cast the host's configuration to its agent; never raises.

        A failed cast is logged only: the change is stored, and the agent
        gets the configuration when it next starts.
        """
        config = host_config.render_host_config(context, host)
        try:
            self._agents().config_apply(context, host['uuid'], config)
        except (exception.StxException, messaging.MessagingException) as error:
            failure = error
        else:
            LOG.info('Configuration %(config)s sent to host %(host)s',
                     {'config': config['config_uuid'], 'host': _label(host)})
            return
        LOG.warning('Configuration %(config)s of host %(host)s not sent, '
                    'its agent gets it when it starts: %(error)s',
                    {'config': config['config_uuid'], 'host': _label(host),
                     'error': failure})

    @messaging.expected_exceptions(*_EXPECTED)
    def iconfig_update_by_ihost(self, context, ihost_uuid, config_applied):
        """The configuration the host's agent has applied (or has at start).

        Sets config_applied; config_status is cleared when it is the
        host's config_target, else stays "Config out-of-date" and the
        current configuration is pushed again (an agent reporting an old
        one missed the last cast, or applied two in the wrong order).

        :param config_applied: a config uuid, or None when the agent has
            no configuration yet.
        :raises: HostNotFound; InvalidParameterValue for a config_applied
            that is not a uuid.
        """
        if config_applied is not None and not uuidutils.is_uuid_like(
                config_applied):
            raise exception.InvalidParameterValue(
                field='config_applied',
                reason='%r is not a config uuid' % (config_applied,))
        host = dbapi.host_get(context, ihost_uuid)
        host = dbapi.host_config_applied(context, host['id'], config_applied,
                                         states.CONFIG_STATUS_OUT_OF_DATE)
        if host['config_status'] == states.CONFIG_STATUS_OUT_OF_DATE:
            LOG.info('Host %(host)s has configuration %(applied)s, not '
                     '%(target)s; sending it again',
                     {'host': _label(host), 'applied': config_applied,
                      'target': host['config_target']})
            self._push_config(context, host)
        elif config_applied is not None:
            LOG.info('Host %(host)s applied configuration %(applied)s',
                     {'host': _label(host), 'applied': config_applied})

    # Host labels (``host-label-assign``): the Kubernetes labels of the
    # host's node. Unlike CPU and memory changes they need no lock.

    @messaging.expected_exceptions(*_EXPECTED)
    def assign_labels(self, context, host_uuid, labels, overwrite=False):
        """Give a host labels, all or none.

        :param labels: ``{key: value}`` (stx.sysinv.labels).
        :param overwrite: whether keys the host has take the new values.
        :returns: the labels given, as stored (timestamps as ISO text).
        :raises: HostNotFound; InvalidParameterValue naming the key that
            is not a label key or whose value is not a label value;
            LabelAlreadyExists naming a key the host has (without
            ``overwrite``). Nothing is stored then.
        """
        labels = host_labels.check_labels(labels)
        host = dbapi.host_get(context, host_uuid)
        rows = dbapi.labels_assign(context, host['id'], labels,
                                   overwrite=bool(overwrite))
        LOG.info('Labels of host %(host)s assigned: %(labels)s',
                 {'host': _label(host),
                  'labels': ', '.join('%s=%s' % item
                                      for item in labels.items())})
        return [_json_row(row) for row in rows]

    @messaging.expected_exceptions(*_EXPECTED)
    def remove_label(self, context, label_uuid):
        """Remove one label of a host.

        :returns: the label removed (timestamps as ISO text).
        :raises: LabelNotFound
        """
        row = dbapi.label_destroy(context, label_uuid)
        LOG.info('Label %(key)s of host %(host)s removed',
                 {'key': row['label_key'],
                  'host': row['hostname'] or row['host_uuid']})
        return _json_row(row)

    # Interfaces and their platform networks (``host-if-*``,
    # ``interface-network-*``): checked by stx.sysinv.interfaces against
    # the host's stored interfaces, inside the transaction that writes.
    # The host must be locked; every accepted change gives it a new
    # config_target, as CPU changes do.

    @messaging.expected_exceptions(*_EXPECTED)
    def create_interface(self, context, host_uuid, values):
        """Add an interface to a host (``host-if-add``).

        :param values: ifname, iftype, ifclass, imtu, vlan_id, aemode,
            txhashpolicy, ports or uses (stx.sysinv.interfaces).
        :returns: the interface (timestamps as ISO text).
        :raises: HostNotFound; HostNotLocked; InvalidParameterValue
            naming the field. Nothing is stored then.
        """
        host = dbapi.host_get(context, host_uuid)

        def check(host, state):
            _require_locked(host, 'interfaces')
            return interfaces.check_new_interface(state, values)

        interface = dbapi.interface_create(context, host['id'], check)
        LOG.info('Interface %(ifname)s (%(iftype)s) added to host %(host)s',
                 {'ifname': interface['ifname'],
                  'iftype': interface['iftype'], 'host': _label(host)})
        self._config_update_host(context, host['id'])
        return _json_row(interface)

    @messaging.expected_exceptions(*_EXPECTED)
    def update_interface(self, context, interface_uuid, changes):
        """Change an interface's ifname, ifclass or imtu (``host-if-modify``).

        :returns: the interface after the change.
        :raises: InterfaceNotFound; HostNotLocked; ReadOnlyField,
            InvalidParameterValue naming the field. Nothing is stored then.
        """
        def check(host, state, interface):
            _require_locked(host, 'interfaces')
            return interfaces.check_interface_change(state, interface,
                                                     changes)

        interface = dbapi.interface_update(context, interface_uuid, check)
        LOG.info('Interface %(ifname)s of host %(host)s changed: %(fields)s',
                 {'ifname': interface['ifname'],
                  'host': interface['host_uuid'],
                  'fields': ', '.join(sorted(changes))})
        self._config_update_host(context, interface['forihostid'])
        return _json_row(interface)

    @messaging.expected_exceptions(*_EXPECTED)
    def destroy_interface(self, context, interface_uuid):
        """Delete an interface and its networks (``host-if-delete``).

        :raises: InterfaceNotFound; HostNotLocked; InvalidParameterValue
            (``used_by``) for an interface a vlan or ae uses.
        """
        def check(host, state, interface):
            _require_locked(host, 'interfaces')
            interfaces.check_interface_delete(interface)

        interface = dbapi.interface_destroy(context, interface_uuid, check)
        LOG.info('Interface %(ifname)s of host %(host)s deleted',
                 {'ifname': interface['ifname'],
                  'host': interface['host_uuid']})
        self._config_update_host(context, interface['forihostid'])

    @messaging.expected_exceptions(*_EXPECTED)
    def assign_interface_network(self, context, interface_uuid,
                                 network_type):
        """Put a platform network on an interface
        (``interface-network-assign``).

        :returns: the interface network (timestamps as ISO text).
        :raises: InterfaceNotFound; HostNotLocked; InvalidParameterValue
            naming ``network`` or ``ifclass``. Nothing is stored then.
        """
        def check(host, state, interface):
            _require_locked(host, 'interfaces')
            return interfaces.check_network_assign(state, interface,
                                                   network_type)

        row = dbapi.interface_network_create(context, interface_uuid, check)
        LOG.info('Network %(network)s assigned to interface %(ifname)s of '
                 'host %(host)s', {'network': network_type,
                                   'ifname': row['ifname'],
                                   'host': row['hostname']})
        self._config_update_host(context, row['forihostid'])
        return _json_row(row)

    @messaging.expected_exceptions(*_EXPECTED)
    def remove_interface_network(self, context, interface_network_uuid):
        """Take a platform network from its interface
        (``interface-network-remove``).

        :raises: InterfaceNetworkNotFound; HostNotLocked.
        """
        def check(host, network):
            _require_locked(host, 'interfaces')

        row = dbapi.interface_network_destroy(context,
                                              interface_network_uuid, check)
        LOG.info('Network %(network)s removed from interface %(ifname)s of '
                 'host %(host)s', {'network': row['network_type'],
                                   'ifname': row['ifname'],
                                   'host': row['hostname']})
        self._config_update_host(context, row['forihostid'])

    def _bulk_entry(self, context, values, system, creates, updates, seen):
        values = {k: v for k, v in values.items() if v is not None}
        power_on = values.pop('power_on', None)
        mac = values.get('mgmt_mac')
        try:
            existing = dbapi.host_get_by_mgmt_mac(
                context, validation.normalize_mac(mac)) if mac else None
        except exception.HostNotFound:
            existing = None
        if existing is not None:
            bmc = {k: v for k, v in values.items()
                   if k in ('bm_ip', 'bm_type', 'bm_username', 'bm_password')}
            changes = validation.validate_host(
                bmc, current=existing,
                enabled_bm_types=self._enabled_bm_types())
            _encrypt_bm_password(changes)
            updates.append((existing['id'], changes))
            return
        new = self._host_values(context, values, system)
        if power_on is not None and new['bm_type'] == states.BM_TYPE_NONE:
            raise exception.InvalidParameterValue(
                field='power_on', reason='powering on needs a bm_type')
        for field in ('hostname', 'mgmt_mac', 'mgmt_ip'):
            if new.get(field) is None:
                continue
            other = seen.setdefault((field, new[field]), values)
            if other is not values:
                raise exception.HostAlreadyExists(field=field,
                                                  value=new[field])
        creates.append(new)


def _new_config_target():
    """The host values of a change its agent has yet to apply."""
    return {'config_target': uuidutils.generate_uuid(),
            'config_status': states.CONFIG_STATUS_OUT_OF_DATE}


def _check_system_values(values):
    if values.get('system_mode') not in states.SYSTEM_MODES:
        raise exception.InvalidParameterValue(
            field='system_mode', reason="'%s' is not one of %s" % (
                values.get('system_mode'), ', '.join(states.SYSTEM_MODES)))
    if values.get('system_type') not in states.SYSTEM_TYPES:
        raise exception.InvalidParameterValue(
            field='system_type', reason="'%s' is not one of %s" % (
                values.get('system_type'), ', '.join(states.SYSTEM_TYPES)))
    if (values['system_type'] == states.SYSTEM_TYPE_STANDARD and
            values['system_mode'] == states.SYSTEM_MODE_SIMPLEX):
        raise exception.InvalidParameterValue(
            field='system_mode', reason='a Standard system has two '
            'controllers; simplex is for All-in-one systems')


def _default_subfunctions(personality, system):
    if (personality == states.CONTROLLER and
            system['system_type'] == states.SYSTEM_TYPE_AIO):
        return '%s,%s' % (states.CONTROLLER, states.WORKER)
    return personality


def _encrypt_bm_password(values):
    if values.get('bm_password'):
        values['bm_password'] = secrets.encrypt(
            CONF.sysinv.bm_password_key_file, values['bm_password'])


def _check_host_change(current, changes):
    """Refuse changes the host's current state does not allow."""
    name = current['hostname'] or current['uuid']
    locked = current['administrative'] == states.LOCKED
    provisioned = current['invprovision'] != states.UNPROVISIONED

    def refuse(field, reason):
        return exception.InvalidStateTransition(
            action='change %s of' % field, target=name, reason=reason,
            field=field)

    if ('personality' in changes and current['personality'] and
            changes['personality'] != current['personality'] and
            provisioned):
        raise refuse('personality', 'a provisioned host keeps its '
                     'personality; delete and re-add it')
    for field in ('hostname', 'mgmt_mac'):
        if (field in changes and changes[field] != current[field] and
                current[field] and not locked):
            raise refuse(field, 'the host is unlocked; lock it first')
    if ('hostname' in changes and current['personality'] ==
            states.CONTROLLER and changes['hostname'] != current['hostname']):
        raise refuse('hostname', 'controllers keep their names')


def _require_locked(host, what):
    """:raises: HostNotLocked unless the host is locked (StarlingX's rule:
    its CPU and memory configuration is applied while it boots).
    """
    if host['administrative'] != states.LOCKED:
        raise exception.HostNotLocked(host=_label(host), what=what,
                                      field='administrative')


def _describe_counts(counts):
    return '; '.join(
        'processor %d: %s' % (node, ', '.join(
            '%s %d' % (function, count)
            for function, count in sorted(functions.items())))
        for node, functions in sorted(counts.items()))


def _provision_state(context, host):
    """The invprovision a host has reached, as StarlingX moves it.

    unprovisioned until it has a personality, provisioning until its agent
    has reported its cpus and memory, then provisioned. A host past these
    (provisioned, upgrading) stays where it is.
    """
    if host['invprovision'] not in (states.UNPROVISIONED,
                                    states.PROVISIONING):
        return host['invprovision']
    if not host['personality']:
        return states.UNPROVISIONED
    if (dbapi.cpu_list(context, host['id'])
            and dbapi.memory_list(context, host['id'])):
        return states.PROVISIONED
    return states.PROVISIONING


def _label(host):
    """How logs and messages name a host (discovered ones have no name)."""
    return host['hostname'] or host['mgmt_mac'] or host['uuid']


def _host_dict(host):
    """A host as the identity methods return it to an agent.

    Every column but bm_password; timestamps as ISO 8601 text, so that the
    dict is the same over every transport (a broker sends JSON).
    """
    return _json_row({name: value for name, value in host.items()
                      if name != 'bm_password'})


def _json_row(row):
    """A DB row with its timestamps as ISO 8601 text (JSON over any
    transport).
    """
    return {name: (value.isoformat()
                   if isinstance(value, datetime.datetime) else value)
            for name, value in row.items()}


def _host_named(context, hostname):
    """The host of that name (stored lower-case), or None."""
    try:
        return dbapi.host_get_by_hostname(context, hostname.lower())
    except exception.HostNotFound:
        return None


def _macs(ihost_macs):
    """An agent's MACs in stored form, without repeats, in their order.

    A MAC that cannot be a host's mgmt_mac (all zeros, multicast: some
    firmware gives a port one) is left out rather than refused, so that one
    odd port does not keep an agent from finding its host.

    :raises: InvalidParameterValue naming the value that is not a MAC.
    """
    if not isinstance(ihost_macs, (list, tuple)):
        raise exception.InvalidParameterValue(
            field='ihost_macs', reason='must be a list of MAC addresses')
    macs = []
    for index, mac in enumerate(ihost_macs):
        field = 'ihost_macs[%d]' % index
        if not isinstance(mac, str) or not _MAC_TEXT.match(mac):
            raise exception.InvalidParameterValue(
                field=field, reason='%r is not a MAC address '
                '(xx:xx:xx:xx:xx:xx)' % (mac,))
        try:
            mac = validation.normalize_mac(mac, field=field)
        except exception.InvalidParameterValue as error:
            LOG.debug('MAC %(mac)s ignored: %(error)s',
                      {'mac': mac, 'error': error})
            continue
        if mac not in macs:
            macs.append(mac)
    return macs


def _require_enabled_controller(context):
    for host in dbapi.host_list(context, personality=states.CONTROLLER):
        if (host['administrative'] == states.UNLOCKED and
                host['operational'] == states.ENABLED):
            return
    raise exception.OperationNotPermitted(
        reason='bulk add needs an unlocked, enabled controller first')
