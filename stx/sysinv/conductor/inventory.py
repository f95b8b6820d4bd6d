"""Inventory reports: what the conductor accepts from a host's agent.

An agent reports each kind of inventory (NUMA nodes, cpus, memory, disks,
ports, PCI devices) as a list of dicts, the records of
``stx.sysinv.agent.inventory``. The conductor checks a whole report with
``validate()`` before it stores anything: a malformed or partial report is
refused as a whole, with the field at fault named as the agent sent it
(``icpu_dict_array[3].core``).

What a field may hold comes from its column in stx.sysinv.db.models (an int
that fits, a string no longer than the column, a bool, a dict), so the
report and the table cannot disagree. A record's keys that are not fields of
its kind are ignored: a newer agent may report more than this conductor
stores. A field a record leaves out keeps its stored value.
"""

import collections
import json

from oslo_log import log as logging
import sqlalchemy as sa

from stx.common import exception
from stx.common import states
from stx.db import base as db_base
from stx.sysinv.db import inventory_api
from stx.sysinv.db import models
from stx.sysinv import nodal

LOG = logging.getLogger(__name__)

PORT_TYPE_ETHERNET = 'ethernet'

_INT32_MAX = 2 ** 31 - 1
_INT64_MAX = 2 ** 63 - 1
# Longest text a Text column takes from a report (MySQL's TEXT limit).
_TEXT_MAX = 65535


class Report(collections.namedtuple('Report', [
        'argument', 'model', 'key', 'required', 'fields', 'needs_nodes',
        'sync'])):
    """One kind of inventory report.

    :param argument: the conductor method's argument holding the records
        (names the fields in errors).
    :param model: the model whose columns type the fields.
    :param key: the fields that tell two records apart.
    :param required: the fields every record must carry, not None.
    :param fields: every field a record may carry.
    :param needs_nodes: whether each record's ``numa_node`` must be one of
        the host's stored NUMA nodes.
    :param sync: the DB API function that stores the records.
    """


NODES = Report(
    argument='inuma_dict_array', model=models.Node, key=('numa_node',),
    required=('numa_node',), fields=('numa_node', 'capabilities'),
    needs_nodes=False, sync=inventory_api.node_sync_by_host)

CPUS = Report(
    argument='icpu_dict_array', model=models.CPU, key=('cpu',),
    required=('cpu', 'numa_node', 'core', 'thread'),
    fields=('cpu', 'numa_node', 'core', 'thread', 'cpu_family', 'cpu_model',
            'capabilities'),
    needs_nodes=True, sync=inventory_api.cpu_sync_by_host)

MEMORY = Report(
    argument='imemory_dict_array', model=models.Memory, key=('numa_node',),
    required=('numa_node', 'memtotal_mib', 'memavail_mib'),
    # Not platform_reserved_mib, vswitch_hugepages_reqd nor the *_pending
    # counts: the operator sets those.
    fields=('numa_node', 'memtotal_mib', 'memavail_mib', 'node_memtotal_mib',
            'hugepages_configured', 'vswitch_hugepages_size_mib',
            'vswitch_hugepages_nr', 'vswitch_hugepages_avail',
            'vm_hugepages_nr_2M', 'vm_hugepages_nr_1G', 'vm_hugepages_nr_4K',
            'vm_hugepages_avail_2M', 'vm_hugepages_avail_1G',
            'vm_hugepages_possible_2M', 'vm_hugepages_possible_1G',
            'vm_hugepages_use_1G', 'capabilities'),
    needs_nodes=True, sync=inventory_api.memory_sync_by_host)

DISKS = Report(
    argument='idisk_dict_array', model=models.Disk, key=('device_node',),
    required=('device_node', 'size_mib'),
    fields=('device_node', 'device_num', 'device_type', 'device_path',
            'device_id', 'device_wwn', 'size_mib', 'available_mib',
            'serial_id', 'rpm', 'capabilities'),
    needs_nodes=False, sync=inventory_api.disk_sync_by_host)

PORTS = Report(
    argument='inic_dict_array', model=models.Port, key=('name',),
    required=('name',),
    fields=('name', 'namedisplay', 'pciaddr', 'pclass', 'pvendor', 'pdevice',
            'psvendor', 'psdevice', 'prevision', 'dpdksupport', 'numa_node',
            'dev_id', 'sriov_totalvfs', 'sriov_numvfs',
            'sriov_vfs_pci_address', 'sriov_vf_driver',
            'sriov_vf_pdevice_id', 'driver', 'mac', 'mtu', 'speed',
            'link_mode', 'duplex', 'autoneg', 'bootp', 'capabilities'),
    needs_nodes=False, sync=inventory_api.port_sync_by_host)

PCI_DEVICES = Report(
    argument='pci_device_dict_array', model=models.PCIDevice,
    key=('pciaddr',), required=('pciaddr',),
    fields=('name', 'pciaddr', 'pclass_id', 'pvendor_id', 'pdevice_id',
            'pclass', 'pvendor', 'pdevice', 'psvendor', 'psdevice',
            'prevision', 'numa_node', 'sriov_totalvfs', 'sriov_numvfs',
            'sriov_vfs_pci_address', 'sriov_vf_driver',
            'sriov_vf_pdevice_id', 'driver', 'enabled', 'extra_info'),
    needs_nodes=False, sync=inventory_api.pci_device_sync_by_host)


def validate(report, records, host, nodes=()):
    """Check a whole report; return its records as they will be stored.

    :param report: the kind of report (CPUS, MEMORY...).
    :param records: what the agent sent: a list of dicts.
    :param host: the host's name for messages.
    :param nodes: the host's stored NUMA node numbers (for the reports
        whose ``needs_nodes``).
    :returns: a list of dicts holding the known fields each record carries.
    :raises: InventoryReportInvalid naming the first field at fault.
    """
    def invalid(field, reason):
        return exception.InventoryReportInvalid(host=host, field=field,
                                                reason=reason)

    if not isinstance(records, list):
        raise invalid(report.argument, 'must be a list of records, not %s'
                      % type(records).__name__)
    cleaned = []
    seen = {}
    ignored = set()
    for index, record in enumerate(records):
        where = '%s[%d]' % (report.argument, index)
        if not isinstance(record, dict):
            raise invalid(where, 'must be a dict, not %s'
                          % type(record).__name__)
        for name in report.required:
            if record.get(name) is None:
                raise invalid('%s.%s' % (where, name), 'is required')
        values = {}
        for name, value in record.items():
            if name not in report.fields:
                ignored.add(name)
                continue
            reason = _check(report.model, name, value)
            if reason:
                raise invalid('%s.%s' % (where, name), reason)
            values[name] = value
        key = tuple(values[name] for name in report.key)
        if key in seen:
            raise invalid('%s.%s' % (where, report.key[0]),
                          'repeats %s[%d]' % (report.argument, seen[key]))
        seen[key] = index
        if report.needs_nodes and values['numa_node'] not in nodes:
            raise invalid('%s.numa_node' % where,
                          'NUMA node %d is not in the inventory of host %s; '
                          'the agent reports its NUMA nodes first'
                          % (values['numa_node'], host))
        cleaned.append(values)
    if ignored:
        LOG.debug('Inventory report %(report)s of host %(host)s: fields '
                  'not stored: %(fields)s',
                  {'report': report.argument, 'host': host,
                   'fields': ', '.join(sorted(ignored))})
    return cleaned


def _check(model, name, value):
    """Why ``value`` does not fit field ``name``; None when it does."""
    column = model.__table__.c.get(name)
    # numa_node of a cpu or memory record becomes the node reference.
    column_type = column.type if column is not None else sa.Integer()
    if value is None:
        # Fields that must not be None are required; checked already.
        return None
    if isinstance(column_type, sa.Boolean):
        return None if isinstance(value, bool) else 'must be true or false'
    if isinstance(column_type, sa.Integer):
        limit = (_INT64_MAX if isinstance(column_type, sa.BigInteger)
                 else _INT32_MAX)
        if isinstance(value, bool) or not isinstance(value, int):
            return 'must be an integer, not %r' % (value,)
        if not 0 <= value <= limit:
            return 'must be between 0 and %d, not %d' % (limit, value)
        return None
    if isinstance(column_type, db_base.JSONEncodedDict):
        if not isinstance(value, dict):
            return 'must be a dict, not %s' % type(value).__name__
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            return 'must hold only JSON values'
        return None
    if not isinstance(value, str):
        return 'must be a string, not %r' % (value,)
    limit = getattr(column_type, 'length', None) or _TEXT_MAX
    if len(value) > limit:
        return 'is longer than %d characters' % limit
    return None


def initial_cpu_functions(records):
    """The ``allocated_function`` each reported cpu starts with.

    Only the platform's first physical core is kept for the platform: the
    lowest core of the lowest NUMA node (core 0 of node 0 on every usual
    host), with its hyper-threads. Every other cpu runs applications. The
    CPU-assignment feature changes this later; a report never does
    (inventory_api.cpu_sync_by_host takes it only for new cpus).

    :param records: validated cpu records.
    :returns: ``{cpu: function}``.
    """
    if not records:
        return {}
    platform_core = min((r['numa_node'], r['core']) for r in records)
    return {r['cpu']: (states.CPU_FUNCTION_PLATFORM
                       if (r['numa_node'], r['core']) == platform_core
                       else states.CPU_FUNCTION_APPLICATION)
            for r in records}


def rows(report, records, host=None):
    """The validated records of a report as the DB API stores them.

    :param host: the host's row. Memory records then carry the platform
        reservation of their node (nodal.default_platform_reserved_mib),
        which the DB API stores only on a row that has none.
    """
    if report is MEMORY and host is not None:
        return [dict(record, platform_reserved_mib=nodal.
                     default_platform_reserved_mib(host, record['numa_node']))
                for record in records]
    if report is CPUS:
        functions = initial_cpu_functions(records)
        return [dict(record, allocated_function=functions[record['cpu']])
                for record in records]
    if report is PORTS:
        return [dict(record, type=PORT_TYPE_ETHERNET) for record in records]
    return records
