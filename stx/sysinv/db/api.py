"""sysinv's database API: systems, hosts and host inventory.

Readers return plain dicts (one per row, every column), which is what both
the REST API and the versioned objects are built from; listing 10,000 hosts
this way stays well under a second. Only the conductor calls the writers.
"""

from oslo_db import exception as db_exc
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa

from stx.common import exception
from stx.sysinv.db import DB
from stx.sysinv.db import models

_HOSTS = models.Host.__table__
_SYSTEMS = models.System.__table__
# Host listings never carry the (encrypted) BMC password.
_LISTED_HOST_COLUMNS = [column for column in _HOSTS.c
                        if column.name != 'bm_password']


def _now():
    # Whole seconds: versioned objects carry timestamps to the second, and a
    # host must read the same whether it came from RPC or from the database.
    return timeutils.utcnow().replace(microsecond=0)


SORT_KEYS = ('id', 'hostname', 'personality', 'created_at', 'updated_at',
             'administrative', 'operational', 'availability')


def _ident_filter(table, ident):
    ident = str(ident)
    if ident.isdigit():
        return table.c.id == int(ident)
    if uuidutils.is_uuid_like(ident):
        return table.c.uuid == ident
    if 'hostname' in table.c:
        return table.c.hostname == ident
    return table.c.name == ident


def _dicts(result):
    # zip with the keys read once: building each dict from a RowMapping
    # asks for its keys again, a third of the time of a 10,000-host list.
    keys = tuple(result.keys())
    return [dict(zip(keys, row)) for row in result]


def _one(session, table, where, not_found):
    row = session.execute(sa.select(table).where(where)).mappings().first()
    if row is None:
        raise not_found
    return dict(row)


# Systems.

def system_get(context, ident=None):
    """The system named by id, uuid or name; the only one when None."""
    with DB.reader.using(context) as session:
        where = sa.true() if ident is None else _ident_filter(_SYSTEMS, ident)
        return _one(session, _SYSTEMS, where,
                    exception.SystemNotFound(system=ident or ''))


def system_list(context):
    with DB.reader.using(context) as session:
        return _dicts(session.execute(
            sa.select(_SYSTEMS).order_by(_SYSTEMS.c.id)))


def system_create(context, values):
    values = dict(values)
    values.setdefault('uuid', uuidutils.generate_uuid())
    values['created_at'] = _now()
    with DB.writer.using(context) as session:
        existing = session.execute(sa.select(_SYSTEMS.c.uuid)).first()
        if existing is not None:
            raise exception.SystemAlreadyExists(system=existing.uuid)
        session.execute(sa.insert(_SYSTEMS).values(**values))
        return _one(session, _SYSTEMS, _SYSTEMS.c.uuid == values['uuid'],
                    exception.SystemNotFound(system=values['uuid']))


def system_update(context, ident, values):
    with DB.writer.using(context) as session:
        current = _one(session, _SYSTEMS, _ident_filter(_SYSTEMS, ident),
                       exception.SystemNotFound(system=ident))
        values = dict(values, updated_at=_now())
        session.execute(sa.update(_SYSTEMS)
                        .where(_SYSTEMS.c.id == current['id'])
                        .values(**values))
        current.update(values)
        return current


# Hosts.

def host_get(context, ident):
    """The host named by integer id, uuid or hostname.

    :raises: HostNotFound
    """
    with DB.reader.using(context) as session:
        return _one(session, _HOSTS, _ident_filter(_HOSTS, ident),
                    exception.HostNotFound(host=ident))


def host_get_by_mgmt_mac(context, mgmt_mac):
    with DB.reader.using(context) as session:
        return _one(session, _HOSTS, _HOSTS.c.mgmt_mac == mgmt_mac,
                    exception.HostNotFound(host=mgmt_mac))


def host_get_by_hostname(context, hostname):
    """The host of that name (never read as an id or uuid).

    :raises: HostNotFound
    """
    with DB.reader.using(context) as session:
        return _one(session, _HOSTS, _HOSTS.c.hostname == hostname,
                    exception.HostNotFound(host=hostname))


def host_list_by_mgmt_macs(context, mgmt_macs):
    """The hosts whose mgmt_mac is one of ``mgmt_macs`` (stored form:
    lower-case, colon-separated), in the order of ``mgmt_macs``.
    """
    if not mgmt_macs:
        return []
    with DB.reader.using(context) as session:
        hosts = _dicts(session.execute(
            sa.select(*_LISTED_HOST_COLUMNS)
            .where(_HOSTS.c.mgmt_mac.in_(list(mgmt_macs)))))
    position = {mac: n for n, mac in reversed(list(enumerate(mgmt_macs)))}
    return sorted(hosts, key=lambda host: position[host['mgmt_mac']])


def _sort_expression(sort_key):
    # Never NULL, so that a marker can name any host: hosts discovered by
    # MAC alone have no hostname or personality yet.
    column = _HOSTS.c[sort_key]
    if sort_key == 'updated_at':
        return sa.func.coalesce(column, _HOSTS.c.created_at)
    if isinstance(column.type, sa.String):
        return sa.func.coalesce(column, '')
    return column


def host_list(context, limit=None, marker=None, sort_key='id',
              sort_dir='asc', personality=None):
    """Hosts in ``sort_key`` order; every host unless ``limit`` is given.

    :param marker: the uuid of the last host of the previous page.
    :raises: HostNotFound when the marker names no host.
    """
    key = _sort_expression(sort_key)
    order = key.desc() if sort_dir == 'desc' else key.asc()
    query = (sa.select(*_LISTED_HOST_COLUMNS)
             .order_by(order, _HOSTS.c.id.asc()))
    if personality is not None:
        query = query.where(_HOSTS.c.personality == personality)
    with DB.reader.using(context) as session:
        if marker is not None:
            last = session.execute(sa.select(key.label('key'), _HOSTS.c.id)
                                   .where(_HOSTS.c.uuid == marker)).first()
            if last is None:
                raise exception.HostNotFound(host=marker)
            after = key < last.key if sort_dir == 'desc' else key > last.key
            query = query.where(sa.or_(
                after, sa.and_(key == last.key, _HOSTS.c.id > last.id)))
        if limit is not None:
            query = query.limit(limit)
        return _dicts(session.execute(query))


def host_count(context, **filters):
    query = sa.select(sa.func.count()).select_from(_HOSTS)
    for name, value in filters.items():
        query = query.where(_HOSTS.c[name] == value)
    with DB.reader.using(context) as session:
        return session.execute(query).scalar()


def _duplicate(error, values):
    field = (error.columns or ['hostname'])[0]
    return exception.HostAlreadyExists(field=field, value=values.get(field))


def _insert_host(session, values):
    values = dict(values)
    values.setdefault('uuid', uuidutils.generate_uuid())
    values['created_at'] = _now()
    try:
        with session.begin_nested():
            session.execute(sa.insert(_HOSTS).values(**values))
    except db_exc.DBDuplicateEntry as error:
        raise _duplicate(error, values)
    return _one(session, _HOSTS, _HOSTS.c.uuid == values['uuid'],
                exception.HostNotFound(host=values['uuid']))


def _update_host(session, host_id, values):
    values = dict(values, updated_at=_now())
    try:
        with session.begin_nested():
            result = session.execute(sa.update(_HOSTS)
                                     .where(_HOSTS.c.id == host_id)
                                     .values(**values))
    except db_exc.DBDuplicateEntry as error:
        raise _duplicate(error, values)
    if result.rowcount != 1:
        raise exception.HostNotFound(host=host_id)
    return _one(session, _HOSTS, _HOSTS.c.id == host_id,
                exception.HostNotFound(host=host_id))


def host_create(context, values):
    """Insert one host; returns it.

    :raises: HostAlreadyExists naming the duplicate column.
    """
    with DB.writer.using(context) as session:
        return _insert_host(session, values)


def host_update(context, ident, values):
    """Change fields of one host; returns it.

    :raises: HostNotFound, HostAlreadyExists
    """
    with DB.writer.using(context) as session:
        current = _one(session, _HOSTS, _ident_filter(_HOSTS, ident),
                       exception.HostNotFound(host=ident))
        return _update_host(session, current['id'], values)


def host_config_applied(context, host_id, config_applied, out_of_date):
    """Record the configuration a host's agent applied, in one transaction.

    The host's row is locked before it is read, so a new config_target
    written at the same time is not hidden by a stale "up to date".

    :param config_applied: the config uuid the agent has (or None).
    :param out_of_date: the config_status of a host whose config_applied
        is not its config_target.
    :returns: the host after the change.
    :raises: HostNotFound
    """
    with DB.writer.using(context) as session:
        host = _lock_host(session, host_id)
        status = None
        if host['config_target'] and host['config_target'] != config_applied:
            status = out_of_date
        return _update_host(session, host_id,
                            {'config_applied': config_applied,
                             'config_status': status})


def host_destroy(context, ident):
    with DB.writer.using(context) as session:
        current = _one(session, _HOSTS, _ident_filter(_HOSTS, ident),
                       exception.HostNotFound(host=ident))
        session.execute(sa.delete(_HOSTS).where(_HOSTS.c.id == current['id']))
        return current


def hosts_bulk_write(context, creates, updates):
    """Create and update many hosts in one transaction: all or nothing.

    :param creates: a list of value dicts for new hosts.
    :param updates: a list of (host id, values) pairs.
    :returns: (created hosts, updated hosts).
    :raises: HostAlreadyExists; nothing is written then.
    """
    with DB.writer.using(context) as session:
        created = [_insert_host(session, values) for values in creates]
        updated = [_update_host(session, host_id, values)
                   for host_id, values in updates]
        return created, updated


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
        return _dicts(session.execute(query))


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


def _lock_host_row(session, host_id):
    """Begin a writer transaction by locking a host's row.

    Writing first: concurrent writes of one host's inventory take turns
    (PostgreSQL), and SQLite takes its write lock (waiting its busy
    timeout) before the transaction reads; a read first would fail at once
    ("database is locked") had another writer committed in between.

    :raises: HostNotFound
    """
    if not session.execute(sa.update(_HOSTS).where(
            _HOSTS.c.id == host_id).values(id=_HOSTS.c.id)).rowcount:
        raise exception.HostNotFound(host=host_id)


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
    now = _now()
    try:
        with DB.writer.using(context) as session:
            _lock_host_row(session, host_id)
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

def _lock_host(session, host_id):
    _lock_host_row(session, host_id)
    return _one(session, _HOSTS, _HOSTS.c.id == host_id,
                exception.HostNotFound(host=host_id))


def cpu_functions_update(context, host_id, check):
    """Set the allocated_function of a host's cpus, in one transaction.

    :param check: called as ``check(host, cpus)`` with the locked host's
        row and its cpu rows (as cpu_list returns them); returns
        ``{cpu: allocated_function}``, or raises to write nothing.
    :returns: the host's cpu rows after the change.
    :raises: HostNotFound, whatever ``check`` raises.
    """
    table = _CPU.table
    now = _now()
    with DB.writer.using(context) as session:
        host = _lock_host(session, host_id)
        cpus = _dicts(session.execute(_CPU.select().where(
            table.c.forihostid == host_id)))
        functions = check(host, cpus)
        for cpu in cpus:
            function = functions.get(cpu['cpu'], cpu['allocated_function'])
            if function != cpu['allocated_function']:
                session.execute(sa.update(table)
                                .where(table.c.id == cpu['id'])
                                .values(allocated_function=function,
                                        updated_at=now))
        return _dicts(session.execute(_CPU.select().where(
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
        host = _lock_host(session, host_id)
        row = session.execute(_MEMORY.select().where(
            table.c.uuid == uuid)).mappings().first()
        if row is None:
            raise exception.MemoryNotFound(memory=uuid)
        values = check(host, dict(row))
        unknown = set(values) - _MEMORY.operator_owned
        if unknown:
            raise exception.UnknownField(field=sorted(unknown)[0])
        session.execute(sa.update(table).where(table.c.uuid == uuid)
                        .values(updated_at=_now(), **values))
        return dict(session.execute(_MEMORY.select().where(
            table.c.uuid == uuid)).mappings().first())


# Labels: the operator's Kubernetes labels of a host. Rows carry
# ``host_uuid`` and ``hostname``.

_LABELS = models.Label.__table__


def _label_select():
    return (sa.select(_LABELS, _HOSTS.c.uuid.label('host_uuid'),
                      _HOSTS.c.hostname)
            .select_from(_LABELS.join(_HOSTS,
                                      _LABELS.c.host_id == _HOSTS.c.id))
            .order_by(_LABELS.c.host_id, _LABELS.c.label_key))


def label_list(context, host_id=None):
    """Labels, by host then key."""
    query = _label_select()
    if host_id is not None:
        query = query.where(_LABELS.c.host_id == host_id)
    with DB.reader.using(context) as session:
        return _dicts(session.execute(query))


def label_get(context, uuid):
    """:raises: LabelNotFound"""
    with DB.reader.using(context) as session:
        row = session.execute(_label_select().where(
            _LABELS.c.uuid == uuid)).mappings().first()
    if row is None:
        raise exception.LabelNotFound(label=uuid)
    return dict(row)


def labels_assign(context, host_id, labels, overwrite=False):
    """Give a host labels, in one transaction: all or nothing.

    :param labels: ``{label_key: label_value}``.
    :param overwrite: whether a key the host has takes the new value;
        else such a key refuses the whole request.
    :returns: the rows of the labels given, in the order given.
    :raises: HostNotFound; LabelAlreadyExists naming the first key the
        host has (without ``overwrite``).
    """
    now = _now()
    with DB.writer.using(context) as session:
        host = _lock_host(session, host_id)
        stored = {row.label_key: row for row in session.execute(
            sa.select(_LABELS).where(_LABELS.c.host_id == host_id))}
        for key, value in labels.items():
            row = stored.get(key)
            if row is None:
                session.execute(sa.insert(_LABELS).values(
                    uuid=uuidutils.generate_uuid(), host_id=host_id,
                    label_key=key, label_value=value, created_at=now))
            elif not overwrite:
                raise exception.LabelAlreadyExists(
                    host=host['hostname'] or host['uuid'], key=key,
                    value=row.label_value, field=key)
            elif row.label_value != value:
                session.execute(sa.update(_LABELS)
                                .where(_LABELS.c.id == row.id)
                                .values(label_value=value, updated_at=now))
        rows = {row['label_key']: row for row in _dicts(session.execute(
            _label_select().where(_LABELS.c.host_id == host_id)))}
        return [rows[key] for key in labels]


def label_destroy(context, uuid):
    """Delete one label; returns its row.

    :raises: LabelNotFound
    """
    with DB.writer.using(context) as session:
        row = session.execute(_label_select().where(
            _LABELS.c.uuid == uuid)).mappings().first()
        if row is None:
            raise exception.LabelNotFound(label=uuid)
        _lock_host_row(session, row['host_id'])
        session.execute(sa.delete(_LABELS).where(_LABELS.c.uuid == uuid))
        return dict(row)


# Interfaces: the operator's network interfaces of a host and the platform
# networks they carry. Readers return each interface with what the API
# shows: ``host_uuid``; ``uses`` and ``used_by`` (interface names);
# ``ports`` (the bound port's name, for an ethernet interface) and
# ``imac`` (its MAC; a vlan's or ae's is its first lower interface's);
# ``networktypelist`` (network types). The writers lock the host's row and
# hand a ``check`` the host's interfaces and ports as they are stored.

_IFACES = models.Interface.__table__
_IFACE_LINKS = models.InterfaceToInterface.__table__
_IFACE_NETWORKS = models.InterfaceNetwork.__table__
_PORTS = models.Port.__table__


def _interfaces(session, host_id=None, where=None):
    """Interfaces, decorated as the readers return them, by host and name."""
    query = (sa.select(_IFACES, _HOSTS.c.uuid.label('host_uuid'))
             .select_from(_IFACES.join(_HOSTS,
                                       _IFACES.c.forihostid == _HOSTS.c.id))
             .order_by(_IFACES.c.forihostid, _IFACES.c.ifname))
    if host_id is not None:
        query = query.where(_IFACES.c.forihostid == host_id)
    if where is not None:
        query = query.where(where)
    rows = _dicts(session.execute(query))
    if not rows:
        return rows
    host_ids = {row['forihostid'] for row in rows}
    # Decorating needs every interface of those hosts (names of lower and
    # upper interfaces, MACs of lower ones).
    everyone = {row['id']: row for row in _dicts(session.execute(
        sa.select(_IFACES).where(_IFACES.c.forihostid.in_(host_ids))))}
    ids = list(everyone)
    ports = {row.id: row for row in session.execute(
        sa.select(_PORTS.c.id, _PORTS.c.name, _PORTS.c.mac)
        .where(_PORTS.c.host_id.in_(host_ids)))}
    uses, used_by = {}, {}
    for link in session.execute(sa.select(_IFACE_LINKS).where(
            _IFACE_LINKS.c.used_by_id.in_(ids)).order_by(
            _IFACE_LINKS.c.used_by_id, _IFACE_LINKS.c.uses_id)):
        uses.setdefault(link.used_by_id, []).append(link.uses_id)
        used_by.setdefault(link.uses_id, []).append(link.used_by_id)
    networks = {}
    for network in session.execute(sa.select(
            _IFACE_NETWORKS.c.interface_id, _IFACE_NETWORKS.c.network_type)
            .where(_IFACE_NETWORKS.c.interface_id.in_(ids))
            .order_by(_IFACE_NETWORKS.c.network_type)):
        networks.setdefault(network.interface_id, []).append(
            network.network_type)

    def mac(interface_id, seen=()):
        interface = everyone[interface_id]
        port = ports.get(interface['port_id'])
        if port is not None:
            return port.mac
        for lower in uses.get(interface_id, []):
            if lower not in seen:
                return mac(lower, seen + (interface_id,))
        return None

    def names(interface_ids):
        return sorted(everyone[other]['ifname'] for other in interface_ids)

    for row in rows:
        port = ports.get(row['port_id'])
        row['uses'] = names(uses.get(row['id'], []))
        row['used_by'] = names(used_by.get(row['id'], []))
        row['ports'] = [port.name] if port is not None else []
        row['imac'] = mac(row['id'])
        row['networktypelist'] = networks.get(row['id'], [])
    return rows


def interface_list(context, host_id=None):
    """Interfaces, by host and ifname."""
    with DB.reader.using(context) as session:
        return _interfaces(session, host_id)


def interface_get(context, uuid):
    """:raises: InterfaceNotFound"""
    with DB.reader.using(context) as session:
        rows = _interfaces(session, where=_IFACES.c.uuid == uuid)
    if not rows:
        raise exception.InterfaceNotFound(interface=uuid)
    return rows[0]


def _interface_state(session, host_id):
    """What a check sees: the host's interfaces and ports."""
    return {'interfaces': _interfaces(session, host_id),
            'ports': _dicts(session.execute(
                sa.select(_PORTS.c.id, _PORTS.c.uuid, _PORTS.c.name,
                          _PORTS.c.mac, _PORTS.c.mtu)
                .where(_PORTS.c.host_id == host_id)
                .order_by(_PORTS.c.name)))}


def _locked_interface(session, uuid):
    """(host, state, interface) of an interface, its host's row locked."""
    host_id = session.execute(sa.select(_IFACES.c.forihostid).where(
        _IFACES.c.uuid == uuid)).scalar()
    if host_id is None:
        raise exception.InterfaceNotFound(interface=uuid)
    host = _lock_host(session, host_id)
    state = _interface_state(session, host_id)
    for interface in state['interfaces']:
        if interface['uuid'] == uuid:
            return host, state, interface
    raise exception.InterfaceNotFound(interface=uuid)


def _link(session, used_by_id, uses_ids, now):
    for uses_id in uses_ids:
        session.execute(sa.insert(_IFACE_LINKS).values(
            used_by_id=used_by_id, uses_id=uses_id, created_at=now))


def interface_create(context, host_id, check):
    """Add an interface to a host, in one transaction.

    :param check: called as ``check(host, state)`` with the locked host's
        row and ``{'interfaces': [...], 'ports': [...]}``; returns
        ``(values, uses)``: the interface's columns (``port_id`` included
        for an ethernet one) and the ids of its lower interfaces. Raises to
        write nothing.
    :returns: the interface, as interface_get returns it.
    :raises: HostNotFound, whatever ``check`` raises.
    """
    now = _now()
    uuid = uuidutils.generate_uuid()
    with DB.writer.using(context) as session:
        host = _lock_host(session, host_id)
        values, uses = check(host, _interface_state(session, host_id))
        session.execute(sa.insert(_IFACES).values(
            uuid=uuid, forihostid=host_id, created_at=now, **values))
        interface_id = session.execute(sa.select(_IFACES.c.id).where(
            _IFACES.c.uuid == uuid)).scalar()
        _link(session, interface_id, uses, now)
        return _interfaces(session, where=_IFACES.c.uuid == uuid)[0]


def interface_update(context, uuid, check):
    """Change an interface's columns, in one transaction.

    :param check: called as ``check(host, state, interface)``; returns
        the ``{column: value}`` to write, or raises to write nothing.
    :returns: the interface after the change.
    :raises: InterfaceNotFound, whatever ``check`` raises.
    """
    with DB.writer.using(context) as session:
        host, state, interface = _locked_interface(session, uuid)
        values = check(host, state, interface)
        if values:
            session.execute(sa.update(_IFACES)
                            .where(_IFACES.c.uuid == uuid)
                            .values(updated_at=_now(), **values))
        return _interfaces(session, where=_IFACES.c.uuid == uuid)[0]


def interface_destroy(context, uuid, check):
    """Delete an interface (and its networks), in one transaction.

    :param check: called as ``check(host, state, interface)``; raises to
        delete nothing.
    :returns: the interface deleted.
    :raises: InterfaceNotFound, whatever ``check`` raises.
    """
    with DB.writer.using(context) as session:
        host, state, interface = _locked_interface(session, uuid)
        check(host, state, interface)
        session.execute(sa.delete(_IFACES).where(_IFACES.c.uuid == uuid))
        return interface


def _network_select():
    return (sa.select(_IFACE_NETWORKS,
                      _IFACES.c.uuid.label('interface_uuid'),
                      _IFACES.c.ifname, _IFACES.c.forihostid,
                      _HOSTS.c.uuid.label('host_uuid'), _HOSTS.c.hostname)
            .select_from(_IFACE_NETWORKS.join(
                _IFACES, _IFACE_NETWORKS.c.interface_id == _IFACES.c.id)
                .join(_HOSTS, _IFACES.c.forihostid == _HOSTS.c.id))
            .order_by(_IFACES.c.forihostid, _IFACES.c.ifname,
                      _IFACE_NETWORKS.c.network_type))


def interface_network_list(context, host_id=None):
    """Interface networks, by host, ifname and network type; each with
    ``interface_uuid``, ``ifname``, ``host_uuid`` and ``hostname``.
    """
    query = _network_select()
    if host_id is not None:
        query = query.where(_IFACES.c.forihostid == host_id)
    with DB.reader.using(context) as session:
        return _dicts(session.execute(query))


def interface_network_get(context, uuid):
    """:raises: InterfaceNetworkNotFound"""
    with DB.reader.using(context) as session:
        row = session.execute(_network_select().where(
            _IFACE_NETWORKS.c.uuid == uuid)).mappings().first()
    if row is None:
        raise exception.InterfaceNetworkNotFound(interface_network=uuid)
    return dict(row)


def interface_network_create(context, interface_uuid, check):
    """Give an interface a network, in one transaction.

    :param check: called as ``check(host, state, interface)``; returns
        the network type, or raises to write nothing.
    :returns: the interface network, as interface_network_get.
    :raises: InterfaceNotFound, whatever ``check`` raises.
    """
    uuid = uuidutils.generate_uuid()
    with DB.writer.using(context) as session:
        host, state, interface = _locked_interface(session, interface_uuid)
        network_type = check(host, state, interface)
        session.execute(sa.insert(_IFACE_NETWORKS).values(
            uuid=uuid, interface_id=interface['id'],
            network_type=network_type, created_at=_now()))
        return dict(session.execute(_network_select().where(
            _IFACE_NETWORKS.c.uuid == uuid)).mappings().first())


def interface_network_destroy(context, uuid, check):
    """Take a network from its interface, in one transaction.

    :param check: called as ``check(host, network)``; raises to delete
        nothing.
    :returns: the interface network deleted.
    :raises: InterfaceNetworkNotFound, whatever ``check`` raises.
    """
    with DB.writer.using(context) as session:
        row = session.execute(_network_select().where(
            _IFACE_NETWORKS.c.uuid == uuid)).mappings().first()
        if row is None:
            raise exception.InterfaceNetworkNotFound(interface_network=uuid)
        host = _lock_host(session, row['forihostid'])
        check(host, dict(row))
        session.execute(sa.delete(_IFACE_NETWORKS).where(
            _IFACE_NETWORKS.c.uuid == uuid))
        return dict(row)
