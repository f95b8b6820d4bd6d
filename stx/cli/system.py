"""``stx system-*``: show and modify the system (sysinv ``/v1/isystems``)."""

from cliff import show

from stx.clients import http

SERVICE = 'sysinv'


def attribute_patch(pairs):
    """Turn ``key=value`` arguments into JSON-patch ``replace`` operations.

    Values stay strings, as StarlingX's ``system`` client sends them.

    :raises stx.clients.http.ClientError: an argument has no ``=``.
    """
    patch = []
    for pair in pairs:
        key, sep, value = pair.partition('=')
        if not sep or not key:
            raise http.ClientError(
                'attribute %r is not of the form key=value' % pair)
        patch.append({'op': 'replace', 'path': '/' + key.lstrip('/'),
                      'value': value})
    return patch


def sorted_fields(resource, hidden=('links',)):
    """``(names, values)`` of every field, in alphabetical order."""
    names = sorted(name for name in resource if name not in hidden)
    return names, [resource[name] for name in names]


def get_system(client):
    """The system: a sysinv has exactly one."""
    systems = (client.get('isystems') or {}).get('isystems') or []
    if not systems:
        raise http.ClientError('no system is defined on %s' % client.root)
    return systems[0]


class ShowSystem(show.ShowOne):
    """Show the system's attributes."""

    def take_action(self, parsed_args):
        return sorted_fields(get_system(self.app.client(SERVICE)))


class ModifySystem(show.ShowOne):
    """Modify the system's attributes (name, description, contact, ...)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'attributes', metavar='<key=value>', nargs='+',
            help='An attribute to set, e.g. name=edge-1 or '
                 'description="lab rack 3". Can be repeated.')
        return parser

    def take_action(self, parsed_args):
        patch = attribute_patch(parsed_args.attributes)
        client = self.app.client(SERVICE)
        system = get_system(client)
        updated = client.patch('isystems/%s' % system['uuid'], patch)
        return sorted_fields(updated)
