"""How systems, hosts and their inventory look on the wire (StarlingX's).

Plain functions over DB rows or objects (anything indexable by field name),
fast enough to format 10,000 hosts for one list response.
"""

import datetime

from stx.api import app as api_app
from stx.objects import host as host_object
from stx.objects import system as system_object

SYSTEM_FIELDS = tuple(system_object.System.fields)
# Every stored host field but internal ones; bm_password is never stored
# in a Host object, let alone sent.
HOST_FIELDS = tuple(name for name in host_object.Host.fields
                    if name != 'peer_id')
# What the API shows that is not a column: StarlingX clients read these.
HOST_EXTRA_FIELDS = ('isystem_uuid', 'peers', 'links', 'bm_password')


def timestamp(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.isoformat()
    return value


def system(row):
    data = {name: row[name] for name in SYSTEM_FIELDS}
    data['created_at'] = timestamp(data['created_at'])
    data['updated_at'] = timestamp(data['updated_at'])
    data['capabilities'] = data['capabilities'] or {}
    base = api_app.base_url()
    data['links'] = [
        api_app.version_link('%s/v1/isystems/%s' % (base, data['uuid'])),
        api_app.version_link('%s/isystems/%s' % (base, data['uuid']),
                             rel='bookmark')]
    return data


def host(row, system_uuid, base):
    """The API form of a host: a DB row dict (changed in place) or Host."""
    if isinstance(row, dict):
        data = row
        data.pop('peer_id', None)
        data.pop('bm_password', None)
    else:
        data = {name: row[name] for name in HOST_FIELDS}
    data['created_at'] = timestamp(data['created_at'])
    data['updated_at'] = timestamp(data['updated_at'])
    data['location'] = data['location'] or {}
    data['capabilities'] = data['capabilities'] or {}
    data['isystem_uuid'] = system_uuid
    data['peers'] = None
    data['links'] = [
        {'href': '%s/v1/ihosts/%s' % (base, data['uuid']), 'rel': 'self'},
        {'href': '%s/ihosts/%s' % (base, data['uuid']), 'rel': 'bookmark'}]
    return data


# Host inventory. A row is shown with every stored column but the integer
# keys StarlingX never shows (its API unsets forihostid, forinodeid, host_id
# and node_id), plus the uuids the DB API adds: the host's (``ihost_uuid``
# on StarlingX's i* resources, ``host_uuid`` on ports and PCI devices),
# and the NUMA node's (``inode_uuid``, ``node_uuid``).
_INVENTORY_KEYS = frozenset(('id', 'forihostid', 'forinodeid', 'host_id',
                             'node_id'))


def _inventory(row, collection, base, host_field):
    data = {name: value for name, value in row.items()
            if name not in _INVENTORY_KEYS and name != 'host_uuid'}
    data[host_field] = row['host_uuid']
    data['created_at'] = timestamp(data['created_at'])
    data['updated_at'] = timestamp(data['updated_at'])
    if 'capabilities' in data:
        data['capabilities'] = data['capabilities'] or {}
    data['links'] = [
        {'href': '%s/v1/%s/%s' % (base, collection, data['uuid']),
         'rel': 'self'},
        {'href': '%s/%s/%s' % (base, collection, data['uuid']),
         'rel': 'bookmark'}]
    return data


def node(row, base):
    """A NUMA node (``inodes``): uuid, numa_node, capabilities..."""
    return _inventory(row, 'inodes', base, 'ihost_uuid')


def cpu(row, base):
    """A logical cpu (``icpus``), with its numa_node and inode_uuid.

    ``function`` repeats ``allocated_function``, as StarlingX's clients
    read either.
    """
    data = _inventory(row, 'icpus', base, 'ihost_uuid')
    data['function'] = data['allocated_function']
    return data


def memory(row, base):
    """The memory of one NUMA node (``imemorys``), with inode_uuid."""
    return _inventory(row, 'imemorys', base, 'ihost_uuid')


def disk(row, base):
    """A disk (``idisks``)."""
    return _inventory(row, 'idisks', base, 'ihost_uuid')


def port(row, base, collection='ports'):
    """A port (``ports``) with node_uuid; every port is Ethernet, so
    ``ethernet_ports`` shows the same fields under its own links.
    """
    return _inventory(row, collection, base, 'host_uuid')


def ethernet_port(row, base):
    return port(row, base, collection='ethernet_ports')


def pci_device(row, base):
    """A PCI device (``pci_devices``)."""
    return _inventory(row, 'pci_devices', base, 'host_uuid')


def label(row, base):
    """A host label (``labels``): uuid, host_uuid, label_key, label_value.

    ``hostname`` is added as StarlingX's host-label-list shows it.
    """
    data = {name: row[name] for name in ('uuid', 'host_uuid', 'label_key',
                                         'label_value', 'hostname')}
    data['created_at'] = timestamp(row['created_at'])
    data['updated_at'] = timestamp(row['updated_at'])
    data['links'] = [
        {'href': '%s/v1/labels/%s' % (base, row['uuid']), 'rel': 'self'},
        {'href': '%s/labels/%s' % (base, row['uuid']), 'rel': 'bookmark'}]
    return data


# Interfaces: every column but the integer keys, plus what the DB API adds.
_INTERFACE_HIDDEN = frozenset(('id', 'forihostid', 'port_id', 'host_uuid'))


def interface(row, base):
    """An interface (``iinterfaces``): ifname, iftype, ifclass, imtu,
    vlan_id, aemode, txhashpolicy, uses, used_by, ports, imac,
    networktypelist, ihost_uuid...
    """
    data = {name: value for name, value in row.items()
            if name not in _INTERFACE_HIDDEN}
    data['ihost_uuid'] = row['host_uuid']
    data['created_at'] = timestamp(data['created_at'])
    data['updated_at'] = timestamp(data['updated_at'])
    data['links'] = [
        {'href': '%s/v1/iinterfaces/%s' % (base, row['uuid']),
         'rel': 'self'},
        {'href': '%s/iinterfaces/%s' % (base, row['uuid']),
         'rel': 'bookmark'}]
    return data


def interface_network(row, base):
    """An interface's network (``interface_networks``); ``network_name``
    repeats ``network_type`` (stx-flock has one network per type).
    """
    data = {name: row[name] for name in (
        'uuid', 'interface_uuid', 'ifname', 'network_type', 'host_uuid',
        'hostname')}
    data['network_name'] = row['network_type']
    data['created_at'] = timestamp(row['created_at'])
    data['updated_at'] = timestamp(row['updated_at'])
    data['links'] = [
        {'href': '%s/v1/interface_networks/%s' % (base, row['uuid']),
         'rel': 'self'}]
    return data


# Hardware sensors and sensor groups: StarlingX's fields, the host's uuid
# for its integer id and the group's uuid for its id. ``reading`` (the last
# value read) is stx-flock's addition; a group lists its sensors' uuids.
SENSOR_FIELDS = (
    'uuid', 'sensorname', 'path', 'sensortype', 'datatype', 'status',
    'state', 'state_requested', 'sensor_action_requested', 'audit_interval',
    'algorithm', 'actions_minor', 'actions_major', 'actions_critical',
    'suppress', 'capabilities', 't_minor_lower', 't_minor_upper',
    't_major_lower', 't_major_upper', 't_critical_lower', 't_critical_upper',
    'unit_base', 'unit_modifier', 'unit_rate', 'host_uuid',
    'sensorgroup_uuid', 'reading', 'created_at', 'updated_at')
SENSORGROUP_FIELDS = (
    'uuid', 'sensorgroupname', 'path', 'sensortype', 'datatype',
    'description', 'state', 'possible_states', 'algorithm',
    'audit_interval_group', 'record_ttl', 'actions_minor_group',
    'actions_major_group', 'actions_critical_group', 'actions_minor_choices',
    'actions_major_choices', 'actions_critical_choices', 'suppress',
    'capabilities', 't_minor_lower_group', 't_minor_upper_group',
    't_major_lower_group', 't_major_upper_group', 't_critical_lower_group',
    't_critical_upper_group', 'unit_base_group', 'unit_modifier_group',
    'unit_rate_group', 'host_uuid', 'sensors', 'created_at', 'updated_at')


def _sensor_shape(row, fields, collection, base):
    data = {name: row[name] for name in fields}
    data['capabilities'] = data['capabilities'] or {}
    data['created_at'] = timestamp(data['created_at'])
    data['updated_at'] = timestamp(data['updated_at'])
    data['links'] = [
        {'href': '%s/v1/%s/%s' % (base, collection, row['uuid']),
         'rel': 'self'},
        {'href': '%s/%s/%s' % (base, collection, row['uuid']),
         'rel': 'bookmark'}]
    return data


def sensor(row, base):
    """A sensor (``isensors``): SENSOR_FIELDS and links."""
    return _sensor_shape(row, SENSOR_FIELDS, 'isensors', base)


def sensorgroup(row, base):
    """A sensor group (``isensorgroups``): SENSORGROUP_FIELDS and links."""
    return _sensor_shape(row, SENSORGROUP_FIELDS, 'isensorgroups', base)
