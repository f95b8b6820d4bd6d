"""How the service domain looks on the wire, and finding one resource in it.

stx-sm keeps the domain's state in memory and describes all of it in one
answer (``stx.sm.rpcapi.SMAPI.get_state``). This module turns that answer
into the resources of StarlingX's sm-api, with the field names its clients
(``smc``, sysinv's ``system servicegroup-list``, mtce) read:

* ``service_groups``: one per (group, node), StarlingX's service domain
  assignment (sm_sda): ``name`` is the domain, ``node_name`` the
  controller, ``service_group_name`` the group.
* ``services``: one per (service, node). StarlingX's sm-api lists only
  its own node's services and has no ``node_name`` (``smc`` prints its own
  hostname instead); ours carry ``node_name``, and also ``uuid``,
  ``service_group_name`` and ``condition``.
* ``nodes``: the controllers, with StarlingX's names for their states,
  and ours, as the stx-sm answering sees them: ``paths``, its paths to its
  peer (``name``, ``alive``, ``silent_for`` seconds); ``failover``, the
  state its peer is in for it (normal, fail-pending, fencing,
  fence-failed, isolated, yielded, handing-over, failed;
  stx.sm.failover), ``decisions``, the last failover decisions with their
  reasons (``at``, ``state``, ``reason``), and ``reachability``, the hosts
  it reaches, its health score (``reached``, ``total``, ``unreached``;
  stx.sm.reach), None without hosts to reach.
  Empty (None) for the other node and for a node without a peer.
* ``servicenode``: a node as mtce and sysinv ask about it before a swact:
  ``admin``/``oper``/``avail``, ``active_services`` and
  ``swactable_services`` (``yes``/``no``); ours add ``id``, ``uuid``,
  ``ready_state`` and ``paths``.

A status of ``none`` goes out as ``''``, the value StarlingX's sm database
holds (sm_types.c): clients print ``<state>-<status>`` whenever the status
is not empty, so ``none`` would show as ``active-none``.

Identity: nothing is stored, so identifiers are derived from the state.

* ``uuid``: uuid5, in a fixed namespace, of (kind, domain, node, name): the
  same resource has the same uuid in every answer, API process and
  restart.
* ``id``: the 1-based position in the collection sorted by (node, name);
  nodes by name. It stays the same while the model and the controllers
  heard from stay the same; a uuid is the identifier to keep.
"""

import typing
import uuid

from oslo_utils import uuidutils

from stx.common import exception
from stx.common import states

# Fixed forever: changing it changes every uuid the API has given out.
NAMESPACE = uuid.UUID('43795a3a-311c-4668-99fb-87d3b765cd90')

ORIGIN = 'sm'
# Seconds a node is given to describe itself before any node is asked.
NODE_TIMEOUT = 2
YES = 'yes'
NO = 'no'

# A group in one of these states, or going to one, may hold services
# active on its node: sm-api's test for active_services.
_HOLDING = (states.SG_ACTIVE, states.SG_GO_ACTIVE, states.SG_GO_STANDBY,
            states.SG_DISABLING, states.SG_UNKNOWN)


class ServiceGroupNotFound(exception.NotFound):
    msg_fmt = 'Service group %(ident)s could not be found.'
    error_code = 'stx.sm.service_group.not_found'


class ServiceNotFound(exception.NotFound):
    msg_fmt = 'Service %(ident)s could not be found.'
    error_code = 'stx.sm.service.not_found'


class ServiceNodeNotFound(exception.NotFound):
    msg_fmt = 'Service node %(ident)s could not be found.'
    error_code = 'stx.sm.node.not_found'


class AmbiguousName(exception.Conflict):
    msg_fmt = ('%(what)s %(name)s is on %(nodes)s: name it by id or uuid, '
               'or give its node.')
    error_code = 'stx.sm.ambiguous_name'


class Kind(typing.NamedTuple):
    """What ``find`` needs to know of a collection."""

    label: str
    name_field: str
    node_field: str
    not_found: type


SERVICE_GROUP = Kind('Service group', 'service_group_name', 'node_name',
                     ServiceGroupNotFound)
SERVICE = Kind('Service', 'name', 'node_name', ServiceNotFound)
NODE = Kind('Service node', 'name', 'name', ServiceNodeNotFound)
SERVICE_NODE = Kind('Service node', 'hostname', 'hostname',
                    ServiceNodeNotFound)


def _uuid(kind, domain, node, name=''):
    return str(uuid.uuid5(NAMESPACE, '/'.join((kind, domain, node, name))))


def _status(status):
    return '' if status == states.SG_STATUS_NONE else status


def _links(base, collection, ident):
    return [{'href': '%s/v1/%s/%s' % (base, collection, ident),
             'rel': 'self'},
            {'href': '%s/%s/%s' % (base, collection, ident),
             'rel': 'bookmark'}]


def _by_node_and_name(entries):
    return sorted(entries, key=lambda entry: (entry['node'], entry['name']))


def service_groups(state, base):
    """The ``service_groups`` collection of a get_state answer.

    :param base: the API's base URL, for the links.
    """
    domain = state['domain']
    result = []
    for number, group in enumerate(
            _by_node_and_name(state['service_groups']), 1):
        group_uuid = _uuid('service_group', domain, group['node'],
                           group['name'])
        result.append({
            'id': number, 'uuid': group_uuid, 'name': domain,
            'node_name': group['node'], 'service_group_name': group['name'],
            'state': group['state'], 'desired_state': group['desired_state'],
            'status': _status(group['status']),
            'condition': group['condition'] or '',
            'links': _links(base, 'service_groups', group_uuid)})
    return result


def services(state, base):
    """The ``services`` collection of a get_state answer."""
    domain = state['domain']
    result = []
    for number, service in enumerate(_by_node_and_name(state['services']),
                                     1):
        service_uuid = _uuid('service', domain, service['node'],
                             service['name'])
        result.append({
            'id': number, 'uuid': service_uuid, 'name': service['name'],
            'node_name': service['node'],
            'service_group_name': service['service_group'],
            'state': service['state'],
            'desired_state': service['desired_state'],
            'status': _status(service['status']),
            'condition': service['condition'] or '',
            'links': _links(base, 'services', service_uuid)})
    return result


def nodes(state, base):
    """The ``nodes`` collection of a get_state answer, by name."""
    domain = state['domain']
    result = []
    for number, node in enumerate(sorted(state['nodes'],
                                         key=lambda node: node['name']), 1):
        node_uuid = _uuid('node', domain, node['name'])
        result.append({
            'id': number, 'uuid': node_uuid, 'name': node['name'],
            'administrative_state': node['administrative'],
            'operational_state': node['operational'],
            'availability_status': node['availability'],
            'ready_state': node['ready_state'],
            'paths': node.get('paths', []),
            'failover': node.get('failover'),
            'decisions': node.get('decisions', []),
            'reachability': node.get('reachability'),
            'links': _links(base, 'nodes', node_uuid)})
    return result


def service_nodes(state):
    """The nodes as ``/v1/servicenode`` shows them.

    A node has swactable services when a group that may be active on it
    also runs on another node, which could take it over. (StarlingX asks
    whether the group's redundancy model is N+M; stx-sm's answer does not
    carry the model, and a group another controller runs is one a swact
    can move.)
    """
    groups = state['service_groups']
    result = []
    for node in nodes(state, ''):
        name = node['name']
        holding = {group['name'] for group in groups
                   if group['node'] == name and (
                       group['state'] in _HOLDING or
                       group['desired_state'] in _HOLDING)}
        movable = {group['name'] for group in groups
                   if group['node'] != name and group['name'] in holding}
        result.append({
            'id': node['id'], 'uuid': node['uuid'], 'origin': ORIGIN,
            'hostname': name, 'admin': node['administrative_state'],
            'oper': node['operational_state'],
            'avail': node['availability_status'],
            'ready_state': node['ready_state'],
            'active_services': YES if holding else NO,
            'swactable_services': YES if movable else NO,
            'paths': node['paths'], 'failover': node['failover'],
            'decisions': node['decisions'],
            'reachability': node['reachability']})
    return result


def state_of(rpcapi, context, ident):
    """get_state from the node ``ident`` names, when it answers: only a
    node itself knows its paths and failover decisions. From any node
    otherwise (an id or uuid, or a node that does not answer within
    ``NODE_TIMEOUT``).
    """
    if not ident.isdigit() and not uuidutils.is_uuid_like(ident):
        try:
            return rpcapi.get_state(context, node=ident,
                                    timeout=NODE_TIMEOUT)
        except exception.ServiceUnavailable:
            pass
    return rpcapi.get_state(context)


def find(resources, ident, kind, node=None):
    """The one resource ``ident`` names: an id, a uuid, or a name.

    :param kind: SERVICE_GROUP, SERVICE, NODE or SERVICE_NODE.
    :param node: only a resource on this node; it makes a name that is on
        several nodes name one.
    :raises: ``kind.not_found``; AmbiguousName when a name is on several
        nodes and no node is given.
    """
    ident = str(ident)
    if ident.isdigit():
        field, value = 'id', int(ident)
    elif uuidutils.is_uuid_like(ident):
        field, value = 'uuid', str(uuid.UUID(ident))
    else:
        field, value = kind.name_field, ident
    matches = [resource for resource in resources
               if resource[field] == value and
               (node is None or resource[kind.node_field] == node)]
    if not matches:
        raise kind.not_found(
            ident=ident if node is None else '%s on %s' % (ident, node))
    if len(matches) > 1:
        raise AmbiguousName(
            what=kind.label, name=ident, field='node',
            nodes=' and '.join(sorted(match[kind.node_field]
                                      for match in matches)))
    return matches[0]
