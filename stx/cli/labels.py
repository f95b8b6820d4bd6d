"""``stx host-label-assign``, ``host-label-list`` and ``host-label-remove``:
a host's Kubernetes labels, as StarlingX's ``system`` commands.

Labels are sysinv's ``/v1/labels``: assigned with StarlingX's request
(``POST /v1/labels/<host uuid>?overwrite=...`` with ``{key: value}``),
listed under the host, removed one by one by uuid.
"""

from cliff import command
from cliff import lister

from stx.cli import hosts
from stx.cli import inventory
from stx.clients import http

SERVICE = hosts.SERVICE

LIST_COLUMNS = (('uuid', 'uuid'), ('label_key', 'label_key'),
                ('label_value', 'label_value'))
ASSIGN_COLUMNS = (('uuid', 'uuid'), ('host_uuid', 'host_uuid'),
                  ('label_key', 'label_key'), ('label_value', 'label_value'))


def parse_labels(pairs):
    """``['key=value', ...]`` as an ordered dict; a value may be empty.

    :raises: ClientError for text without ``=``.
    """
    labels = {}
    for pair in pairs:
        key, equals, value = pair.partition('=')
        if not equals:
            raise http.ClientError('%r is not key=value' % pair)
        labels[key] = value
    return labels


def _rows(columns, labels):
    return (tuple(column[0] for column in columns),
            [[label.get(column[1]) for column in columns]
             for label in labels])


class ListLabels(lister.Lister):
    """List a host's labels, by key."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='<hostname|id|uuid>',
                            help='The host.')
        return parser

    def take_action(self, parsed_args):
        labels = inventory.host_collection(self.app.client(SERVICE),
                                           parsed_args.host, 'labels')
        return _rows(LIST_COLUMNS,
                     sorted(labels, key=lambda label: label['label_key']))


class AssignLabels(lister.Lister):
    """Give a host labels: all of them, or none if one is refused."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='<hostname|id|uuid>',
                            help='The host.')
        parser.add_argument('labels', metavar='<key=value>', nargs='+',
                            help='A label. Can be repeated.')
        parser.add_argument('--overwrite', action='store_true',
                            help='Change the value of a key the host has '
                                 'already; without it such a key refuses '
                                 'the whole command.')
        return parser

    def take_action(self, parsed_args):
        labels = parse_labels(parsed_args.labels)
        client = self.app.client(SERVICE)
        host = hosts.get_host(client, parsed_args.host)
        result = client.post('labels/%s?overwrite=%s'
                             % (host['uuid'], parsed_args.overwrite),
                             labels) or {}
        return _rows(ASSIGN_COLUMNS, result.get('labels') or [])


class RemoveLabels(command.Command):
    """Remove labels of a host, by key."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='<hostname|id|uuid>',
                            help='The host.')
        parser.add_argument('keys', metavar='<label key>', nargs='+',
                            help='A label key. Can be repeated.')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client(SERVICE)
        host = parsed_args.host
        labels = {label['label_key']: label for label in
                  inventory.host_collection(client, host, 'labels')}
        failures = []
        for key in parsed_args.keys:
            label = labels.get(key)
            if label is None:
                failures.append('%s: host %s has no such label' % (key, host))
                continue
            try:
                client.delete('labels/%s' % label['uuid'])
            except http.HTTPError as exc:
                failures.append('%s: %s' % (key, exc))
                continue
            self.app.stdout.write('Deleted host label %s for host %s\n'
                                  % (key, host))
        if failures:
            raise http.ClientError('could not remove %s'
                                   % '; '.join(failures))
