"""``stx host-sensor-*`` and ``host-sensorgroup-*``: a host's hardware
sensors and sensor groups, as StarlingX's ``system`` commands.

They are sysinv's ``/v1/isensors`` and ``/v1/isensorgroups``, listed under
the host; a sensor or group is named by name or uuid and found on the
client, as ``system`` does (sensor names may hold characters a URL path
cannot). Host maintenance reads the sensors from the host's BMC; what the
operator sets is what it does about them (a group's actions, audit
interval and suppress) and whether a sensor is suppressed.
"""

from cliff import lister
from cliff import show

from stx.cli import hosts
from stx.cli import inventory
from stx.cli import system
from stx.clients import http

SERVICE = hosts.SERVICE

LIST_COLUMNS = (('uuid', 'uuid'), ('name', 'sensorname'),
                ('sensortype', 'sensortype'), ('status', 'status'),
                ('reading', 'reading'), ('unit_base', 'unit_base'),
                ('state', 'state'), ('suppress', 'suppress'))
SHOW_FIELDS = (
    'uuid', 'sensorname', 'sensortype', 'datatype', 'status', 'state',
    'reading', 'unit_base', 'unit_modifier', 'unit_rate', 't_minor_lower',
    't_minor_upper', 't_major_lower', 't_major_upper', 't_critical_lower',
    't_critical_upper', 'actions_minor', 'actions_major', 'actions_critical',
    'suppress', 'audit_interval', 'algorithm', 'state_requested',
    'sensor_action_requested', 'path', 'capabilities', 'host_uuid',
    'sensorgroup_uuid', 'created_at', 'updated_at')
GROUP_COLUMNS = (('uuid', 'uuid'), ('name', 'sensorgroupname'),
                 ('sensortype', 'sensortype'), ('state', 'state'),
                 ('actions_minor_group', 'actions_minor_group'),
                 ('actions_major_group', 'actions_major_group'),
                 ('actions_critical_group', 'actions_critical_group'),
                 ('audit_interval_group', 'audit_interval_group'),
                 ('suppress', 'suppress'))
GROUP_FIELDS = (
    'uuid', 'sensorgroupname', 'sensortype', 'datatype', 'state',
    'possible_states', 'audit_interval_group', 'actions_minor_group',
    'actions_major_group', 'actions_critical_group', 'actions_minor_choices',
    'actions_major_choices', 'actions_critical_choices', 'suppress',
    'unit_base_group', 'unit_modifier_group', 'unit_rate_group',
    't_minor_lower_group', 't_minor_upper_group', 't_major_lower_group',
    't_major_upper_group', 't_critical_lower_group',
    't_critical_upper_group', 'algorithm', 'description', 'path',
    'record_ttl', 'capabilities', 'sensors', 'host_uuid', 'created_at',
    'updated_at')

# host-sensorgroup-modify takes these short names for StarlingX's.
GROUP_ALIASES = {'actions_minor': 'actions_minor_group',
                 'actions_major': 'actions_major_group',
                 'actions_critical': 'actions_critical_group',
                 'audit_interval': 'audit_interval_group'}


def _table(columns, rows, name_field):
    rows = sorted(rows, key=lambda row: row.get(name_field) or '')
    return (tuple(column[0] for column in columns),
            [[row.get(column[1]) for column in columns] for row in rows])


def _show(fields, row):
    return fields, [row.get(field) for field in fields]


def _find(client, host, collection, name_field, ident, what):
    """The host's row named ``ident`` (name or uuid).

    :raises: ClientError when the host has none.
    """
    for row in inventory.host_collection(client, host, collection):
        if ident in (row.get(name_field), row.get('uuid')):
            return row
    raise http.ClientError('%s not found: host %s: %s' % (what, host, ident))


def find_sensor(client, host, ident):
    return _find(client, host, 'isensors', 'sensorname', ident, 'Sensor')


def find_sensorgroup(client, host, ident):
    return _find(client, host, 'isensorgroups', 'sensorgroupname', ident,
                 'Sensor group')


def group_patch(pairs):
    """JSON-patch of ``key=value`` arguments, short names as StarlingX's
    (``actions_critical=reset`` sets ``actions_critical_group``).
    """
    patch = system.attribute_patch(pairs)
    for operation in patch:
        field = operation['path'][1:]
        operation['path'] = '/' + GROUP_ALIASES.get(field, field)
    return patch


def _host_argument(parser):
    parser.add_argument('host', metavar='<hostname|id|uuid>',
                        help='The host.')


def _attributes_argument(parser, example):
    parser.add_argument('attributes', metavar='<key=value>', nargs='+',
                        help='An attribute to set, e.g. %s. Can be '
                             'repeated.' % example)


class ListSensors(lister.Lister):
    """List a host's sensors, by name."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _host_argument(parser)
        return parser

    def take_action(self, parsed_args):
        rows = inventory.host_collection(self.app.client(SERVICE),
                                         parsed_args.host, 'isensors')
        return _table(LIST_COLUMNS, rows, 'sensorname')


class ShowSensor(show.ShowOne):
    """Show a sensor of a host."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _host_argument(parser)
        parser.add_argument('sensor', metavar='<sensor name|uuid>',
                            help='The sensor.')
        return parser

    def take_action(self, parsed_args):
        return _show(SHOW_FIELDS, find_sensor(
            self.app.client(SERVICE), parsed_args.host, parsed_args.sensor))


class ModifySensor(show.ShowOne):
    """Suppress a sensor of a host, or stop suppressing it
    (``suppress=True|False``): hwmon raises no alarm and takes no action
    for a suppressed sensor.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _host_argument(parser)
        parser.add_argument('sensor', metavar='<sensor name|uuid>',
                            help='The sensor.')
        _attributes_argument(parser, 'suppress=True')
        return parser

    def take_action(self, parsed_args):
        patch = system.attribute_patch(parsed_args.attributes)
        client = self.app.client(SERVICE)
        row = find_sensor(client, parsed_args.host, parsed_args.sensor)
        return _show(SHOW_FIELDS,
                     client.patch('isensors/%s' % row['uuid'], patch))


class ListSensorGroups(lister.Lister):
    """List a host's sensor groups, by name."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _host_argument(parser)
        return parser

    def take_action(self, parsed_args):
        rows = inventory.host_collection(self.app.client(SERVICE),
                                         parsed_args.host, 'isensorgroups')
        return _table(GROUP_COLUMNS, rows, 'sensorgroupname')


class ShowSensorGroup(show.ShowOne):
    """Show a sensor group of a host."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _host_argument(parser)
        parser.add_argument('sensorgroup', metavar='<group name|uuid>',
                            help='The sensor group.')
        return parser

    def take_action(self, parsed_args):
        return _show(GROUP_FIELDS, find_sensorgroup(
            self.app.client(SERVICE), parsed_args.host,
            parsed_args.sensorgroup))


class ModifySensorGroup(show.ShowOne):
    """Change what hwmon does about a host's sensor group; its sensors
    follow.

    actions_minor_group and actions_major_group: ignore, log or alarm;
    actions_critical_group: those, reset or power-cycle (the short names
    actions_minor, actions_major and actions_critical are accepted);
    audit_interval_group (or audit_interval): seconds, 10 to 3600;
    suppress: True or False.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _host_argument(parser)
        parser.add_argument('sensorgroup', metavar='<group name|uuid>',
                            help='The sensor group.')
        _attributes_argument(parser, 'actions_critical_group=reset')
        return parser

    def take_action(self, parsed_args):
        patch = group_patch(parsed_args.attributes)
        client = self.app.client(SERVICE)
        row = find_sensorgroup(client, parsed_args.host,
                               parsed_args.sensorgroup)
        return _show(GROUP_FIELDS,
                     client.patch('isensorgroups/%s' % row['uuid'], patch))
