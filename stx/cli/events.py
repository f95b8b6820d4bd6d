"""``stx event-*``: the event log and the suppression of alarm ids.

The event log is fm's ``/v1/event_log``: every alarm set and clear and every
customer log, newest first. Suppression (``/v1/event_suppression``, one
entry per catalogue id) hides an id's alarms and events from the default
listings and from the northbound notifiers; it never changes stored alarms.

As StarlingX's ``fm`` client does, ``event-suppress`` and
``event-unsuppress`` read the whole suppression list, find each id's entry
and PATCH its ``suppression_status``.
"""

from cliff import lister
from cliff import show

from stx.cli import alarms
from stx.cli import system
from stx.clients import http

SERVICE = alarms.SERVICE

SEVERITIES = alarms.SEVERITIES + ('clear', 'not-applicable')

#: Every event field but ``links``, in the API's order (machine formats).
EVENT_FIELDS = (
    'uuid', 'event_log_id', 'state', 'entity_type_id', 'entity_instance_id',
    'timestamp', 'severity', 'reason_text', 'event_log_type',
    'probable_cause', 'proposed_repair_action', 'service_affecting',
    'suppression', 'suppression_status')

SUPPRESSION_FIELDS = ('uuid', 'alarm_id', 'description',
                      'suppression_status')


def suppression_table(parsed_args, entries):
    """``(columns, rows)`` of suppression entries, by status then id."""
    entries = sorted(entries, key=lambda entry: (
        entry.get('suppression_status') or '', entry.get('alarm_id') or ''))
    columns = [('Event ID', 'alarm_id'), ('Status', 'suppression_status')]
    if parsed_args.uuid:
        columns.insert(0, ('UUID', 'uuid'))
    return alarms.table(parsed_args, entries, columns, SUPPRESSION_FIELDS)


def list_suppressions(client, status=None):
    """The suppression entries, all or (server-side) those of ``status``."""
    filters = [('suppression_status', status)] if status else []
    body = client.get(alarms.query_path('event_suppression', filters,
                                        q_type='string')) or {}
    return body.get('event_suppression') or []


def set_status(client, entries, status):
    """PATCH each entry to ``status``; return the entries as updated."""
    patch = [{'op': 'replace', 'path': '/suppression_status',
              'value': status}]
    updated = []
    for entry in entries:
        result = client.patch(
            alarms.resource_path('event_suppression', entry['uuid']), patch)
        updated.append(result or dict(entry, suppression_status=status))
    return updated


def alarm_ids(values):
    """The ids of ``--alarm-id a b`` or ``--alarm-id a,b``, in order."""
    ids = []
    for value in values:
        for alarm_id in value.split(','):
            alarm_id = alarm_id.strip()
            if alarm_id and alarm_id not in ids:
                ids.append(alarm_id)
    return ids


class ListEvents(lister.Lister):
    """List the event log (alarm sets and clears, logs), newest first."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument('--alarms', action='store_true',
                          help='Only alarm sets and clears.')
        kind.add_argument('--logs', action='store_true',
                          help='Only customer logs.')
        parser.add_argument('--since', metavar='<ISO timestamp>',
                            help='Only events at or after this time, e.g. '
                                 '2026-11-21T15:00:00.')
        alarms.add_limit_option(parser, 'events', ('-l', '--limit'))
        alarms.add_suppress_option(parser, 'events')
        parser.add_argument('--severity', metavar='<severity>',
                            choices=SEVERITIES,
                            help='Only events of this severity: %s.'
                                 % ', '.join(SEVERITIES))
        parser.add_argument('--entity', metavar='<entity_instance_id>',
                            help='Only events of this entity, e.g. '
                                 'host=controller-0.')
        alarms.add_uuid_option(parser, 'event')
        return parser

    def take_action(self, parsed_args):
        args = parsed_args
        filters = [(field, value) for field, value in (
            ('severity', args.severity),
            ('entity_instance_id', args.entity)) if value is not None]
        params = [(name, value) for name, value in (
            ('limit', args.limit),
            ('include_suppress', 'True' if args.include_suppress else None),
            ('alarms', 'True' if args.alarms else None),
            ('logs', 'True' if args.logs else None),
            ('since', args.since)) if value is not None]
        body = self.app.client(SERVICE).get(
            alarms.query_path('event_log', filters, params)) or {}
        columns = [('Time Stamp', 'timestamp'),
                   ('State', 'state'),
                   ('Event Log ID', lambda event: alarms.suppressed_id(
                       event.get('event_log_id'), event)),
                   ('Reason Text', 'reason_text'),
                   ('Entity Instance ID', 'entity_instance_id'),
                   ('Severity', 'severity')]
        if args.uuid:
            columns.insert(0, ('UUID', 'uuid'))
        return alarms.table(args, body.get('event_log') or [], columns,
                            EVENT_FIELDS)


class ShowEvent(show.ShowOne):
    """Show an event log record's attributes."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('event', metavar='<uuid>',
                            help='UUID of the event log record.')
        return parser

    def take_action(self, parsed_args):
        event = self.app.client(SERVICE).get(
            alarms.resource_path('event_log', parsed_args.event))
        return system.sorted_fields(event)


class ListSuppressions(lister.Lister):
    """List the suppressed alarm ids (or every id's status)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--include-unsuppressed', '--include_unsuppressed',
            dest='include_unsuppressed', action='store_true',
            help='List every catalogue id, suppressed or not.')
        alarms.add_uuid_option(parser, 'entry')
        return parser

    def take_action(self, parsed_args):
        status = (None if parsed_args.include_unsuppressed
                  else alarms.SUPPRESSED)
        return suppression_table(
            parsed_args,
            list_suppressions(self.app.client(SERVICE), status))


class _ChangeSuppression(lister.Lister):
    """Set the suppression status of the given alarm ids."""

    status = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--alarm-id', '--alarm_id', dest='alarm_id', required=True,
            nargs='+', metavar='<alarm_id>',
            help='An alarm or log id, e.g. 200.004; several may follow, '
                 'separated by spaces or commas.')
        alarms.add_uuid_option(parser, 'entry')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client(SERVICE)
        by_id = {entry.get('alarm_id'): entry
                 for entry in list_suppressions(client)}
        wanted = alarm_ids(parsed_args.alarm_id)
        if not wanted:
            raise http.ClientError('no alarm id given')
        unknown = [alarm_id for alarm_id in wanted if alarm_id not in by_id]
        if unknown:
            # Refuse before changing anything.
            raise http.ClientError(
                'unknown alarm id %s (stx event-suppress-list '
                '--include-unsuppressed lists them)' % ', '.join(unknown))
        updated = set_status(client, [by_id[alarm_id] for alarm_id in wanted],
                             self.status)
        return suppression_table(parsed_args, updated)


class Suppress(_ChangeSuppression):
    """Suppress alarm ids: their alarms and events are hidden by default."""

    status = alarms.SUPPRESSED


class Unsuppress(_ChangeSuppression):
    """Unsuppress alarm ids."""

    status = alarms.UNSUPPRESSED


class UnsuppressAll(lister.Lister):
    """Unsuppress every suppressed alarm id."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        alarms.add_uuid_option(parser, 'entry')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client(SERVICE)
        suppressed = [entry for entry in
                      list_suppressions(client, alarms.SUPPRESSED)
                      if entry.get('suppression_status') == alarms.SUPPRESSED]
        return suppression_table(
            parsed_args, set_status(client, suppressed, alarms.UNSUPPRESSED))
