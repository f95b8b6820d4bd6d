"""``stx servicegroup-*``, ``service-*``, ``servicenode-*``: what service
management runs on which controller (sm's ``/v1/service_groups``,
``/v1/services`` and ``/v1/nodes``).

Tables look like StarlingX's ``smc`` and ``system servicegroup-list``: the
state shows as ``<state>-<status>`` when the status is not empty
(``active-degraded``), service-list leaves out services still ``initial``,
and rows are sorted by name, then host. The machine formats (``-f json``,
``-f yaml``) give the API's field names and values instead.

A service or service group runs on both controllers, so its name alone
may name two; ``--host`` says which.
"""

from urllib import parse

from cliff import lister
from cliff import show

from stx.cli import alarms
from stx.cli import system
from stx.clients import http
from stx.common import states

SERVICE = 'sm'
# The API's code for a name that is on both controllers.
AMBIGUOUS_NAME = 'stx.sm.ambiguous_name'

SERVICE_GROUP_FIELDS = ('id', 'uuid', 'name', 'node_name',
                        'service_group_name', 'state', 'desired_state',
                        'status', 'condition')
SERVICE_FIELDS = ('id', 'uuid', 'name', 'node_name', 'service_group_name',
                  'state', 'desired_state', 'status', 'condition')
NODE_FIELDS = ('id', 'uuid', 'name', 'administrative_state',
               'operational_state', 'availability_status', 'ready_state',
               'paths', 'failover', 'decisions', 'reachability')

NODE_COLUMNS = (('id', 'id'), ('name', 'name'),
                ('administrative', 'administrative_state'),
                ('operational', 'operational_state'),
                ('availability', 'availability_status'),
                ('ready_state', 'ready_state'))

# smc leaves services that never started out of service-list.
_NOT_STARTED = states.SVC_INITIAL


def paths_text(resource):
    """``management: alive, oam: silent 3.2 s``: the paths to the peer."""
    return ', '.join(
        '%s: %s' % (path['name'], 'alive' if path['alive'] else
                    'never heard' if path['silent_for'] is None else
                    'silent %.1f s' % path['silent_for'])
        for path in resource.get('paths') or ())


def reachability_text(resource):
    """``2 of 3 hosts (not worker-1)``: the hosts the node reaches."""
    score = resource.get('reachability')
    if not score:
        return ''
    text = '%d of %d hosts' % (score['reached'], score['total'])
    if score['unreached']:
        text += ' (not %s)' % ', '.join(score['unreached'])
    return text


def decisions_text(resource):
    """The failover decisions, one line each, the last one last."""
    return '\n'.join(
        '%s %s: %s' % (decision['at'], decision['state'], decision['reason'])
        for decision in resource.get('decisions') or ())


def state_text(resource):
    """``<state>-<status>``, or the state when the status is empty."""
    state, status = resource.get('state'), resource.get('status')
    return '%s-%s' % (state, status) if status else state


def resource_path(collection, ident, host=None):
    """``<collection>/<ident>``, with ``?node=<host>`` when one is given."""
    path = '%s/%s' % (collection, parse.quote(str(ident), safe=''))
    if host:
        path += '?' + parse.urlencode({'node': host})
    return path


def _get(client, path):
    """GET one resource; a name on both controllers asks for --host."""
    try:
        return client.get(path)
    except http.HTTPError as error:
        if error.code == AMBIGUOUS_NAME:
            raise http.ClientError('%s with --host.'
                                   % error.message.rstrip('.'))
        raise


def _listed(client, collection, name_field='name'):
    """A collection's rows, sorted by ``name_field``, then host."""
    rows = (client.get(collection) or {}).get(collection) or []
    return sorted(rows, key=lambda row: (row.get(name_field) or '',
                                         row.get('node_name') or ''))


def _shown(parsed_args, resource, columns):
    """``(names, values)`` of a ShowOne: ``columns`` for people, every
    API field for programs.
    """
    if alarms.machine_readable(parsed_args):
        return system.sorted_fields(resource)
    return ([label for label, _field in columns],
            [field(resource) if callable(field) else resource.get(field)
             for _label, field in columns])


def _add_host_option(parser, what):
    parser.add_argument(
        '--host', metavar='<hostname>',
        help='The controller whose %s to show; needed for a name that '
             'is on both.' % what)


class ListServiceGroups(lister.Lister):
    """List the service groups on each controller."""

    def take_action(self, parsed_args):
        rows = _listed(self.app.client(SERVICE), 'service_groups',
                       'service_group_name')
        columns = (('uuid', 'uuid'),
                   ('service_group_name', 'service_group_name'),
                   ('hostname', 'node_name'), ('state', state_text))
        return alarms.table(parsed_args, rows, columns, SERVICE_GROUP_FIELDS)


class ShowServiceGroup(show.ShowOne):
    """Show a service group on one controller."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('servicegroup', metavar='<uuid|id|name>',
                            help='The service group.')
        _add_host_option(parser, 'service group')
        return parser

    def take_action(self, parsed_args):
        group = _get(self.app.client(SERVICE), resource_path(
            'service_groups', parsed_args.servicegroup, parsed_args.host))
        # smc's fields, and the condition: why a group is not well.
        columns = (('uuid', 'uuid'), ('name', 'name'),
                   ('hostname', 'node_name'),
                   ('service_group_name', 'service_group_name'),
                   ('state', state_text), ('condition', 'condition'))
        return _shown(parsed_args, group, columns)


class ListServices(lister.Lister):
    """List the services on each controller."""

    def take_action(self, parsed_args):
        rows = [row for row in _listed(self.app.client(SERVICE), 'services')
                if row.get('state') != _NOT_STARTED]
        columns = (('id', 'id'), ('service_name', 'name'),
                   ('hostname', 'node_name'), ('state', state_text))
        return alarms.table(parsed_args, rows, columns, SERVICE_FIELDS)


class ShowService(show.ShowOne):
    """Show a service on one controller."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('service', metavar='<id|uuid|name>',
                            help='The service.')
        _add_host_option(parser, 'service')
        return parser

    def take_action(self, parsed_args):
        service = _get(self.app.client(SERVICE), resource_path(
            'services', parsed_args.service, parsed_args.host))
        columns = (('id', 'id'), ('service_name', 'name'),
                   ('hostname', 'node_name'), ('state', state_text),
                   ('condition', 'condition'))
        return _shown(parsed_args, service, columns)


class ListServiceNodes(lister.Lister):
    """List the controllers service management knows, and their states."""

    def take_action(self, parsed_args):
        rows = _listed(self.app.client(SERVICE), 'nodes')
        return alarms.table(parsed_args, rows, NODE_COLUMNS, NODE_FIELDS)


class ShowServiceNode(show.ShowOne):
    """Show a controller's states as service management sees them."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('node', metavar='<id|uuid|name>',
                            help='The controller.')
        return parser

    def take_action(self, parsed_args):
        node = _get(self.app.client(SERVICE), resource_path(
            'nodes', parsed_args.node))
        columns = [(field, field) for _label, field in NODE_COLUMNS]
        columns.extend((
            ('paths', paths_text),
            ('failover', lambda resource: resource.get('failover') or ''),
            ('reachability', reachability_text),
            ('decisions', decisions_text)))
        return _shown(parsed_args, node, columns)
