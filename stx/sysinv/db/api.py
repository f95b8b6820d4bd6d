"""sysinv's database API: systems, hosts and what the other parts share.

Readers return plain dicts (one per row, every column), which is what both
the REST API and the versioned objects are built from; listing 10,000 hosts
this way stays well under a second. Only the conductor calls the writers.
A host's inventory and nodal configuration are in
stx.sysinv.db.inventory_api, its labels and interfaces in
stx.sysinv.db.interfaces_api; both use the helpers and host-row locks here.
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


def _lock_host_row(session, host_id):
    """Begin a writer transaction by locking a host's row.

    Writing first: concurrent writes of one host's inventory take turns
    (PostgreSQL), and SQLite takes its write lock (waiting its busy
    timeout) before the transaction reads; a read first would fail at once
    ("database is locked") had another writer committed in between.

    :raises: HostNotFound
    """
    # updated_at given as itself: the column's onupdate default would
    # otherwise stamp the host as changed.
    if not session.execute(sa.update(_HOSTS).where(
            _HOSTS.c.id == host_id).values(
                id=_HOSTS.c.id,
                updated_at=_HOSTS.c.updated_at)).rowcount:
        raise exception.HostNotFound(host=host_id)


def _lock_host(session, host_id):
    """The host's row, locked as _lock_host_row does.

    :raises: HostNotFound
    """
    _lock_host_row(session, host_id)
    return _one(session, _HOSTS, _HOSTS.c.id == host_id,
                exception.HostNotFound(host=host_id))


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


def host_list_with_bmc_secret(context):
    """Every host, every column, the BMC password token included: only for
    host maintenance, which needs it to reach the BMCs.
    """
    with DB.reader.using(context) as session:
        return _dicts(session.execute(sa.select(_HOSTS)
                                      .order_by(_HOSTS.c.id)))


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
        # Written first, as _lock_host_row explains: on SQLite a read
        # first fails at once if another writer commits meanwhile.
        if not session.execute(sa.update(_HOSTS).where(
                _ident_filter(_HOSTS, ident)).values(
                    id=_HOSTS.c.id,
                    updated_at=_HOSTS.c.updated_at)).rowcount:
            raise exception.HostNotFound(host=ident)
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


def host_update_state(context, host_id, values, expected=None):
    """Change a host's maintenance state if it is still what the caller saw.

    :param values: the fields to change.
    :param expected: fields and the values they must have now, or None.
    :returns: the host after the change, or None when a field of
        ``expected`` has another value (nothing is changed then).
    :raises: HostNotFound
    """
    with DB.writer.using(context) as session:
        host = _lock_host(session, host_id)
        if any(host[field] != value
               for field, value in (expected or {}).items()):
            return None
        return _update_host(session, host_id, values)


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
