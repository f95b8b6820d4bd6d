"""sysinv's database API: a host's inventory and its nodal configuration.

What each host's agent reports (NUMA nodes, cpus, memory, disks, ports, PCI
devices), its readers and per-report syncs, and the writers of the
operator's columns of cpu and memory rows. Systems, hosts and the shared
helpers are in stx.sysinv.db.api.
"""

from oslo_db import exception as db_exc
from oslo_utils import uuidutils
import sqlalchemy as sa

from stx.common import exception
from stx.sysinv.db import api
from stx.sysinv.db import DB
from stx.sysinv.db import models

_HOSTS = api._HOSTS


# Inventory.
#
# What each host's agent reports: NUMA nodes, cpus, memory (a row per NUMA
# node), disks, ports and PCI devices. Readers return every column plus the
# identifiers the REST API shows: ``host_uuid`` on every row,
# ``numa_node`` and ``inode_uuid`` on cpu and memory rows, ``node_uuid``
# on port rows. The conductor makes a host's rows of one kind equal to a
# report with ``<kind>_sync_by_host``.

_NODES = models.Node.__table__


class _Inventory:
    """How one kind of inventory row is stored, listed and synced.

    :param model: its model class.
    :param host_column: the column naming the host (``forihostid``, or
        ``host_id`` for ports and PCI devices, as in StarlingX).
    :param key: the columns that tell a host's rows apart (a report's
        natural key).
    :param order: the column rows are listed by, within a host; a name that
        is not one of the table's is the NUMA node's column.
    :param not_found: the NotFound class raised for an unknown uuid.
    :param not_found_arg: the keyword its message names the uuid with.
    :param node_column: the column referring to i_node; a record names the
        node by its ``numa_node``.
    :param node_required: whether that node must exist (cpus, memory); a
        port whose node is unknown keeps NULL.
    :param node_fields: {label: i_node column} added to each row read.
    :param operator_owned: columns a report sets only on the rows it adds;
        later reports leave them as the operator set them.
    """

    def __init__(self, model, host_column, key, order, not_found,
                 not_found_arg, node_column=None, node_required=False,
                 node_fields=None, operator_owned=()):
        self.table = model.__table__
        self.name = self.table.name
        self.host_column = host_column
        self.key = key
        self.order = order
        self.not_found = not_found
        self.not_found_arg = not_found_arg
        self.node_column = node_column
        self.node_required = node_required
        self.node_fields = node_fields or {}
        self.operator_owned = frozenset(operator_owned)
        # What a record may set: everything but identity, ownership and
        # timestamps (the node column is resolved from numa_node).
        self.writable = frozenset(
            column.name for column in self.table.c
            if column.name not in ('id', 'uuid', 'created_at', 'updated_at',
                                   host_column, node_column))

    def select(self):
        table = self.table
        columns = [table, _HOSTS.c.uuid.label('host_uuid')]
        joined = table.join(_HOSTS, table.c[self.host_column] == _HOSTS.c.id)
        if self.node_column:
            columns += [_NODES.c[column].label(label)
                        for label, column in self.node_fields.items()]
            joined = joined.outerjoin(
                _NODES, table.c[self.node_column] == _NODES.c.id)
        order = (table.c[self.order] if self.order in table.c
                 else _NODES.c[self.order])
        return (sa.select(*columns).select_from(joined)
                .order_by(table.c[self.host_column], order))


_NODE = _Inventory(models.Node, 'forihostid', ('numa_node',), 'numa_node',
                   exception.NodeNotFound, 'node')
_CPU = _Inventory(models.CPU, 'forihostid', ('cpu',), 'cpu',
                  exception.CPUNotFound, 'cpu', node_column='forinodeid',
                  node_required=True,
                  node_fields={'numa_node': 'numa_node', 'inode_uuid': 'uuid'},
                  operator_owned=('allocated_function',))
_MEMORY = _Inventory(models.Memory, 'forihostid', ('forinodeid',),
                     'numa_node', exception.MemoryNotFound, 'memory',
                     node_column='forinodeid', node_required=True,
                     node_fields={'numa_node': 'numa_node',
                                  'inode_uuid': 'uuid'},
                     operator_owned=('platform_reserved_mib',
                                     'vswitch_hugepages_reqd',
                                     'vm_hugepages_nr_2M_pending',
                                     'vm_hugepages_nr_1G_pending'))
_DISK = _Inventory(models.Disk, 'forihostid', ('device_node',),
                   'device_node', exception.DiskNotFound, 'disk')
_PORT = _Inventory(models.Port, 'host_id', ('name',), 'name',
                   exception.PortNotFound, 'port', node_column='node_id',
                   node_fields={'node_uuid': 'uuid'})
_PCI_DEVICE = _Inventory(models.PCIDevice, 'host_id', ('pciaddr',),
                         'pciaddr', exception.PCIDeviceNotFound,
                         'pci_device')


def _inventory_list(kind, context, host_id):
    query = kind.select()
    if host_id is not None:
        query = query.where(kind.table.c[kind.host_column] == host_id)
    with DB.reader.using(context) as session:
        return api._dicts(session.execute(query))


def _inventory_get(kind, context, uuid):
    with DB.reader.using(context) as session:
        row = session.execute(kind.select().where(
            kind.table.c.uuid == uuid)).mappings().first()
    if row is None:
        raise kind.not_found(**{kind.not_found_arg: uuid})
    return dict(row)


def _node_id(kind, nodes, record, host_id):
    """The i_node id of the NUMA node a record names (None if unknown)."""
    node_id = nodes.get(record.get('numa_node'))
    if node_id is None and kind.node_required:
        raise exception.InventoryReportInvalid(
            host=host_id, field='numa_node',
            reason='NUMA node %s is not in the inventory of the host'
            % record.get('numa_node'))
    return node_id


def _inventory_sync(kind, context, host_id, records):
    """Make the host's rows of ``kind`` equal to ``records``, at once.

    A record whose key matches a stored row updates that row, which keeps
    its uuid; only the columns that differ are written, so an unchanged
    report leaves ``updated_at`` alone. Columns a record does not carry,
    and operator-owned ones already set, keep their stored values. Records
    matching no row are added; rows no record matches are deleted.
    """
    table = kind.table
    host_column = table.c[kind.host_column]
    counts = {'created': 0, 'updated': 0, 'deleted': 0, 'unchanged': 0}
    now = api._now()
    try:
        with DB.writer.using(context) as session:
            api._lock_host_row(session, host_id)
            nodes = {}
            if kind.node_column:
                nodes = dict(session.execute(
                    sa.select(_NODES.c.numa_node, _NODES.c.id)
                    .where(_NODES.c.forihostid == host_id)).all())
            stored = {tuple(row[column] for column in kind.key): row
                      for row in session.execute(sa.select(table).where(
                          host_column == host_id)).mappings()}
            for record in records:
                values = {column: value for column, value in record.items()
                          if column in kind.writable}
                if kind.node_column and (kind.node_required or
                                         'numa_node' in record):
                    values[kind.node_column] = _node_id(kind, nodes, record,
                                                        host_id)
                row = stored.pop(tuple(values.get(column)
                                       for column in kind.key), None)
                if row is None:
                    if 'capabilities' in table.c:
                        values.setdefault('capabilities', {})
                    session.execute(sa.insert(table).values(
                        uuid=uuidutils.generate_uuid(), created_at=now,
                        **{kind.host_column: host_id}, **values))
                    counts['created'] += 1
                    continue
                # An operator-owned column a report may still fill in is
                # one nobody set yet (a row stored before its default was
                # known, e.g. before the host had a personality).
                changes = {column: value for column, value in values.items()
                           if (column not in kind.operator_owned
                               or row[column] is None)
                           and row[column] != value}
                if not changes:
                    counts['unchanged'] += 1
                    continue
                session.execute(sa.update(table)
                                .where(table.c.id == row['id'])
                                .values(updated_at=now, **changes))
                counts['updated'] += 1
            if stored:
                session.execute(sa.delete(table).where(table.c.id.in_(
                    [row['id'] for row in stored.values()])))
                counts['deleted'] = len(stored)
    except db_exc.DBDuplicateEntry:
        raise exception.Conflict(
            reason='the %s rows of host %s changed while a report was '
            'stored, or the report repeats a key; nothing was stored'
            % (kind.name, host_id))
    return counts


# One reader, getter and sync per kind. ``host_id`` is the host's integer
# id; listings without it hold every host's rows, by host.

def node_list(context, host_id=None):
    """NUMA nodes, by numa_node."""
    return _inventory_list(_NODE, context, host_id)


def node_get(context, uuid):
    """:raises: NodeNotFound"""
    return _inventory_get(_NODE, context, uuid)


def cpu_list(context, host_id=None):
    """Logical cpus, by cpu; each with numa_node and inode_uuid."""
    return _inventory_list(_CPU, context, host_id)


def cpu_get(context, uuid):
    """:raises: CPUNotFound"""
    return _inventory_get(_CPU, context, uuid)


def memory_list(context, host_id=None):
    """Memory rows, by NUMA node; each with numa_node and inode_uuid."""
    return _inventory_list(_MEMORY, context, host_id)


def memory_get(context, uuid):
    """:raises: MemoryNotFound"""
    return _inventory_get(_MEMORY, context, uuid)


def disk_list(context, host_id=None):
    """Disks, by device_node."""
    return _inventory_list(_DISK, context, host_id)


def disk_get(context, uuid):
    """:raises: DiskNotFound"""
    return _inventory_get(_DISK, context, uuid)


def port_list(context, host_id=None):
    """Ports, by name; each with node_uuid (None if the node is unknown)."""
    return _inventory_list(_PORT, context, host_id)


def port_get(context, uuid):
    """:raises: PortNotFound"""
    return _inventory_get(_PORT, context, uuid)


def pci_device_list(context, host_id=None):
    """PCI devices, by pciaddr."""
    return _inventory_list(_PCI_DEVICE, context, host_id)


def pci_device_get(context, uuid):
    """:raises: PCIDeviceNotFound"""
    return _inventory_get(_PCI_DEVICE, context, uuid)


def node_sync_by_host(context, host_id, records):
    """Store a host's NUMA nodes: ``[{'numa_node', 'capabilities'}]``.

    Deleting a node deletes its cpus and memory rows (ON DELETE CASCADE)
    and detaches its ports.

    :returns: {'created', 'updated', 'deleted', 'unchanged'} row counts.
    :raises: HostNotFound, Conflict; nothing is stored then.
    """
    return _inventory_sync(_NODE, context, host_id, records)


def cpu_sync_by_host(context, host_id, records):
    """Store a host's cpus, keyed by ``cpu``; each names its numa_node.

    ``allocated_function`` is taken only for cpus not stored yet.

    :returns: row counts as node_sync_by_host.
    :raises: HostNotFound, InventoryReportInvalid (a numa_node the host
        does not have), Conflict; nothing is stored then.
    """
    return _inventory_sync(_CPU, context, host_id, records)


def memory_sync_by_host(context, host_id, records):
    """Store a host's memory rows, one per numa_node.

    ``platform_reserved_mib``, ``vswitch_hugepages_reqd`` and the
    ``vm_hugepages_nr_*_pending`` counts are taken only for new rows, or
    where still NULL.

    :returns: row counts as node_sync_by_host.
    :raises: as cpu_sync_by_host.
    """
    return _inventory_sync(_MEMORY, context, host_id, records)


def disk_sync_by_host(context, host_id, records):
    """Store a host's disks, keyed by ``device_node``.

    :returns: row counts as node_sync_by_host.
    :raises: HostNotFound, Conflict; nothing is stored then.
    """
    return _inventory_sync(_DISK, context, host_id, records)


def port_sync_by_host(context, host_id, records):
    """Store a host's ports, keyed by ``name``; ``numa_node`` also sets
    ``node_id`` when the host has that node.

    :returns: row counts as node_sync_by_host.
    :raises: HostNotFound, Conflict; nothing is stored then.
    """
    return _inventory_sync(_PORT, context, host_id, records)


def pci_device_sync_by_host(context, host_id, records):
    """Store a host's PCI devices, keyed by ``pciaddr``.

    :returns: row counts as node_sync_by_host.
    :raises: HostNotFound, Conflict; nothing is stored then.
    """
    return _inventory_sync(_PCI_DEVICE, context, host_id, records)


# Nodal configuration: the operator's columns of cpu and memory rows. Each
# writer locks the host's row first (as _inventory_sync does), so a change
# and a report of one host take turns, and hands the rows it read to a
# ``check`` that decides what to write: the rules see what is stored.


def cpu_functions_update(context, host_id, check):
    """Set the allocated_function of a host's cpus, in one transaction.

    :param check: called as ``check(host, cpus)`` with the locked host's
        row and its cpu rows (as cpu_list returns them); returns
        ``{cpu: allocated_function}``, or raises to write nothing.
    :returns: the host's cpu rows after the change.
    :raises: HostNotFound, whatever ``check`` raises.
    """
    table = _CPU.table
    now = api._now()
    with DB.writer.using(context) as session:
        host = api._lock_host(session, host_id)
        cpus = api._dicts(session.execute(_CPU.select().where(
            table.c.forihostid == host_id)))
        functions = check(host, cpus)
        for cpu in cpus:
            function = functions.get(cpu['cpu'], cpu['allocated_function'])
            if function != cpu['allocated_function']:
                session.execute(sa.update(table)
                                .where(table.c.id == cpu['id'])
                                .values(allocated_function=function,
                                        updated_at=now))
        return api._dicts(session.execute(_CPU.select().where(
            table.c.forihostid == host_id)))


def memory_update(context, uuid, check):
    """Change the operator's columns of one memory row, in one transaction.

    :param check: called as ``check(host, memory)`` with the locked host's
        row and the memory row (as memory_get returns it); returns the
        ``{column: value}`` to write, or raises to write nothing.
    :returns: the memory row after the change.
    :raises: MemoryNotFound, HostNotFound, whatever ``check`` raises.
    """
    table = _MEMORY.table
    with DB.writer.using(context) as session:
        host_id = session.execute(sa.select(table.c.forihostid).where(
            table.c.uuid == uuid)).scalar()
        if host_id is None:
            raise exception.MemoryNotFound(memory=uuid)
        host = api._lock_host(session, host_id)
        row = session.execute(_MEMORY.select().where(
            table.c.uuid == uuid)).mappings().first()
        if row is None:
            raise exception.MemoryNotFound(memory=uuid)
        values = check(host, dict(row))
        unknown = set(values) - _MEMORY.operator_owned
        if unknown:
            raise exception.UnknownField(field=sorted(unknown)[0])
        session.execute(sa.update(table).where(table.c.uuid == uuid)
                        .values(updated_at=api._now(), **values))
        return dict(session.execute(_MEMORY.select().where(
            table.c.uuid == uuid)).mappings().first())
