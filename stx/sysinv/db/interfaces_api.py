"""sysinv's database API: a host's labels and interfaces.

The operator's Kubernetes labels of a host, and its network interfaces with
the platform networks they carry. Systems, hosts and the shared helpers are
in stx.sysinv.db.api.
"""

from oslo_utils import uuidutils
import sqlalchemy as sa

from stx.common import exception
from stx.sysinv.db import api
from stx.sysinv.db import DB
from stx.sysinv.db import models

_HOSTS = api._HOSTS


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
        return api._dicts(session.execute(query))


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
    now = api._now()
    with DB.writer.using(context) as session:
        host = api._lock_host(session, host_id)
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
        rows = {row['label_key']: row for row in api._dicts(session.execute(
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
        api._lock_host_row(session, row['host_id'])
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
    rows = api._dicts(session.execute(query))
    if not rows:
        return rows
    host_ids = {row['forihostid'] for row in rows}
    # Decorating needs every interface of those hosts (names of lower and
    # upper interfaces, MACs of lower ones).
    everyone = {row['id']: row for row in api._dicts(session.execute(
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
            'ports': api._dicts(session.execute(
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
    host = api._lock_host(session, host_id)
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
    now = api._now()
    uuid = uuidutils.generate_uuid()
    with DB.writer.using(context) as session:
        host = api._lock_host(session, host_id)
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
                            .values(updated_at=api._now(), **values))
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
        return api._dicts(session.execute(query))


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
            network_type=network_type, created_at=api._now()))
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
        host = api._lock_host(session, row['forihostid'])
        check(host, dict(row))
        session.execute(sa.delete(_IFACE_NETWORKS).where(
            _IFACE_NETWORKS.c.uuid == uuid))
        return dict(row)
