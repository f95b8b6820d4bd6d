"""``stx alarm-*``: list, show, summarise and delete active alarms.

Alarms are fm's ``/v1/alarms``. Requests have the shapes StarlingX's ``fm``
client sends: filters travel as parallel ``q.field``/``q.op``/``q.type``/
``q.value`` lists, the other parameters follow them.

Tables look like ``fm``'s (``Alarm ID`` shows ``S(<id>)`` for a suppressed
alarm); the machine formats (``-f json``, ``-f yaml``) give the API's field
names and values instead, so scripts need not parse the decoration.
"""

from urllib import parse

from cliff import command
from cliff import lister
from cliff import show

from stx.cli import system
from stx.clients import http
from stx.common import states

SERVICE = 'fm'

SEVERITIES = states.SEVERITIES
SUPPRESSED = 'suppressed'
UNSUPPRESSED = 'unsuppressed'

#: Formats whose output is read by programs rather than people.
MACHINE_FORMATS = ('json', 'yaml', 'shell')

#: Every alarm field but ``links``, in the API's order (machine formats).
ALARM_FIELDS = (
    'uuid', 'alarm_id', 'alarm_state', 'entity_type_id',
    'entity_instance_id', 'timestamp', 'severity', 'reason_text',
    'alarm_type', 'probable_cause', 'proposed_repair_action',
    'service_affecting', 'suppression', 'suppression_status',
    'mgmt_affecting', 'degrade_affecting', 'masked')

SUMMARY_COLUMNS = (('Critical Alarms', 'critical'),
                   ('Major Alarms', 'major'),
                   ('Minor Alarms', 'minor'),
                   ('Warnings', 'warnings'))


def query_path(path, filters=(), params=(), q_type=''):
    """``path`` with fm's query string, e.g. ``alarms?q.field=...&limit=5``.

    :param filters: ``(field, value)`` pairs; each becomes one entry of the
        ``q.field``, ``q.op`` (``eq``), ``q.type`` and ``q.value`` lists,
        which come first, as in StarlingX's ``fm`` client.
    :param params: further ``(name, value)`` pairs, in order.
    :param q_type: the ``q.type`` of every filter (``fm`` sends an empty
        one for alarms and events, ``string`` for suppressions).
    """
    query = []
    if filters:
        query.extend(('q.field', field) for field, _value in filters)
        query.extend(('q.op', 'eq') for _filter in filters)
        query.extend(('q.type', q_type) for _filter in filters)
        query.extend(('q.value', value) for _field, value in filters)
    query.extend(params)
    if not query:
        return path
    return '%s?%s' % (path, parse.urlencode(query))


def resource_path(collection, uuid):
    """The API path of one resource of ``collection``."""
    return '%s/%s' % (collection, parse.quote(str(uuid), safe=''))


def machine_readable(parsed_args):
    """Whether the output format is for programs (API names and values)."""
    return getattr(parsed_args, 'formatter', None) in MACHINE_FORMATS


def suppressed_id(event_id, resource):
    """``S(<id>)`` for a suppressed alarm or event, as ``fm`` shows it."""
    if resource.get('suppression_status') == SUPPRESSED:
        return 'S(%s)' % event_id
    return event_id


def table(parsed_args, rows, columns, fields):
    """``(columns, rows)`` for a Lister, in human or machine form.

    :param columns: ``(label, field)`` pairs of the human table; a field
        may be a callable of the row.
    :param fields: the field names of the machine formats.
    """
    if machine_readable(parsed_args):
        return fields, [[row.get(field) for field in fields] for row in rows]
    return ([label for label, _field in columns],
            [[field(row) if callable(field) else row.get(field)
              for _label, field in columns] for row in rows])


def add_uuid_option(parser, what):
    parser.add_argument('--uuid', action='store_true',
                        help='Include the UUID of each %s.' % what)


def add_suppress_option(parser, what):
    parser.add_argument(
        '--include-suppress', '--include_suppress', action='store_true',
        dest='include_suppress',
        help='Include %s whose id is suppressed.' % what)


def add_limit_option(parser, what, flags=('--limit',)):
    parser.add_argument(*flags, dest='limit', metavar='<N>', type=int,
                        help='Return at most N %s.' % what)


class ListAlarms(lister.Lister):
    """List active alarms, newest first."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--severity', metavar='<severity>',
                            choices=SEVERITIES,
                            help='Only alarms of this severity: %s.'
                                 % ', '.join(SEVERITIES))
        parser.add_argument('--entity', metavar='<entity_instance_id>',
                            help='Only alarms of this entity, e.g. '
                                 'host=controller-0.')
        parser.add_argument('--alarm-id', '--alarm_id', dest='alarm_id',
                            metavar='<alarm_id>',
                            help='Only alarms with this id, e.g. 200.004.')
        add_suppress_option(parser, 'alarms')
        parser.add_argument('--sort-key', '--sort_key', dest='sort_key',
                            metavar='<field>',
                            help='Sort by timestamp (the default), '
                                 'severity, alarm_id, entity_instance_id '
                                 'or uuid.')
        parser.add_argument('--sort-dir', '--sort_dir', dest='sort_dir',
                            choices=('asc', 'desc'),
                            help='Sort direction: asc or desc (default).')
        add_limit_option(parser, 'alarms')
        add_uuid_option(parser, 'alarm')
        parser.add_argument('--mgmt-affecting', '--mgmt_affecting',
                            dest='mgmt_affecting', action='store_true',
                            help='Include the Management Affecting column.')
        parser.add_argument('--degrade-affecting', '--degrade_affecting',
                            dest='degrade_affecting', action='store_true',
                            help='Include the Degrade Affecting column.')
        return parser

    def take_action(self, parsed_args):
        args = parsed_args
        filters = [(field, value) for field, value in (
            ('severity', args.severity),
            ('entity_instance_id', args.entity),
            ('alarm_id', args.alarm_id)) if value is not None]
        params = [(name, value) for name, value in (
            ('include_suppress', 'True' if args.include_suppress else None),
            ('limit', args.limit),
            ('sort_key', args.sort_key),
            ('sort_dir', args.sort_dir)) if value is not None]
        body = self.app.client(SERVICE).get(
            query_path('alarms', filters, params)) or {}
        columns = [('Alarm ID', lambda a: suppressed_id(a.get('alarm_id'), a)),
                   ('Reason Text', 'reason_text'),
                   ('Entity ID', 'entity_instance_id'),
                   ('Severity', 'severity'),
                   ('Time Stamp', 'timestamp')]
        if args.uuid:
            columns.insert(0, ('UUID', 'uuid'))
        if args.mgmt_affecting:
            columns.append(('Management Affecting', 'mgmt_affecting'))
        if args.degrade_affecting:
            columns.append(('Degrade Affecting', 'degrade_affecting'))
        return table(args, body.get('alarms') or [], columns, ALARM_FIELDS)


class ShowAlarm(show.ShowOne):
    """Show an active alarm's attributes."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('alarm', metavar='<uuid>',
                            help='UUID of the alarm.')
        return parser

    def take_action(self, parsed_args):
        alarm = self.app.client(SERVICE).get(
            resource_path('alarms', parsed_args.alarm))
        return system.sorted_fields(alarm)


class AlarmSummary(lister.Lister):
    """Count the active alarms of each severity."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        add_suppress_option(parser, 'alarms')
        return parser

    def take_action(self, parsed_args):
        params = [('include_suppress', 'True')] if (
            parsed_args.include_suppress) else []
        summary = self.app.client(SERVICE).get(
            query_path('alarms/summary', (), params)) or {}
        return table(parsed_args, [summary], SUMMARY_COLUMNS,
                     [field for _label, field in SUMMARY_COLUMNS] +
                     ['status'])


class DeleteAlarm(command.Command):
    """Delete active alarms (each is logged as cleared)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('alarms', metavar='<uuid>', nargs='+',
                            help='UUID of an alarm to delete. '
                                 'Can be repeated.')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client(SERVICE)
        failures = []
        for uuid in parsed_args.alarms:
            try:
                client.delete(resource_path('alarms', uuid))
            except http.HTTPError as exc:
                failures.append('%s: %s' % (uuid, exc))
                continue
            self.app.stdout.write('Deleted alarm %s\n' % uuid)
        if failures:
            raise http.ClientError('could not delete %s'
                                   % '; '.join(failures))
