"""``stx host-if-*`` and ``interface-network-*``: a host's network
interfaces and the platform networks they carry, as StarlingX's ``system``
commands.

Interfaces are sysinv's ``/v1/iinterfaces``, listed under the host; an
interface is named by ifname or uuid and found on the client, as
``system`` does. The server checks every change (the host must be locked).
"""

from cliff import command
from cliff import lister
from cliff import show

from stx.cli import hosts
from stx.cli import inventory
from stx.clients import http

SERVICE = hosts.SERVICE


def attributes(row):
    """StarlingX's ``attributes`` column: ``MTU=1500[,AE_MODE=...]``."""
    parts = ['MTU=%s' % row.get('imtu')]
    if row.get('aemode'):
        parts.append('AE_MODE=%s' % row['aemode'])
    if row.get('txhashpolicy'):
        parts.append('AE_XMIT_POLICY=%s' % row['txhashpolicy'])
    return ','.join(parts)


LIST_COLUMNS = (
    ('uuid', 'uuid'), ('name', 'ifname'), ('class', 'ifclass'),
    ('type', 'iftype'), ('vlan id', 'vlan_id'), ('ports', 'ports'),
    ('uses i/f', 'uses'), ('used by i/f', 'used_by'),
    ('attributes', None, attributes))
SHOW_FIELDS = (
    ('ifname', 'ifname'), ('iftype', 'iftype'), ('ports', 'ports'),
    ('imac', 'imac'), ('imtu', 'imtu'), ('ifclass', 'ifclass'),
    ('aemode', 'aemode'), ('txhashpolicy', 'txhashpolicy'),
    ('vlan_id', 'vlan_id'), ('uses', 'uses'), ('used_by', 'used_by'),
    ('networktypelist', 'networktypelist'), ('uuid', 'uuid'),
    ('ihost_uuid', 'ihost_uuid'), ('created_at', 'created_at'),
    ('updated_at', 'updated_at'))
NETWORK_COLUMNS = (('hostname', 'hostname'), ('uuid', 'uuid'),
                   ('ifname', 'ifname'), ('network_name', 'network_name'))
NETWORK_FIELDS = (('hostname', 'hostname'), ('uuid', 'uuid'),
                  ('ifname', 'ifname'), ('network_name', 'network_name'),
                  ('network_type', 'network_type'),
                  ('interface_uuid', 'interface_uuid'))


def _value(field, row):
    if len(field) > 2:
        return field[2](row)
    return row.get(field[1])


def _show(fields, row):
    return (tuple(field[0] for field in fields),
            [_value(field, row) for field in fields])


def find_interface(client, host, ident):
    """The host's interface named ``ident`` (ifname or uuid).

    :raises: ClientError when the host has none.
    """
    for row in inventory.host_collection(client, host, 'iinterfaces'):
        if ident in (row.get('ifname'), row.get('uuid')):
            return row
    raise http.ClientError('Interface not found: host %s: %s'
                           % (host, ident))


def _host_arguments(parser):
    parser.add_argument('host', metavar='<hostname|id|uuid>',
                        help='The host.')
    parser.add_argument('interface', metavar='<ifname|uuid>',
                        help='The interface.')


class ListInterfaces(lister.Lister):
    """List a host's interfaces, by name."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='<hostname|id|uuid>',
                            help='The host.')
        return parser

    def take_action(self, parsed_args):
        rows = inventory.host_collection(self.app.client(SERVICE),
                                         parsed_args.host, 'iinterfaces')
        rows = sorted(rows, key=lambda row: row['ifname'])
        return (tuple(column[0] for column in LIST_COLUMNS),
                [[_value(column, row) for column in LIST_COLUMNS]
                 for row in rows])


class ShowInterface(show.ShowOne):
    """Show an interface of a host."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _host_arguments(parser)
        return parser

    def take_action(self, parsed_args):
        return _show(SHOW_FIELDS, find_interface(
            self.app.client(SERVICE), parsed_args.host,
            parsed_args.interface))


class AddInterface(show.ShowOne):
    """Add an interface to a locked host.

    An ethernet interface names its port; a vlan its lower interface; an
    ae its ethernet member interfaces. Output options take --column, not
    -c, which is the class here (as StarlingX).
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        inventory._free_short_option(parser, '-c')
        parser.add_argument('host', metavar='<hostname|id|uuid>',
                            help='The host (locked).')
        parser.add_argument('ifname', metavar='<ifname>',
                            help='The interface name (at most 15 '
                                 'characters).')
        parser.add_argument('iftype', metavar='<iftype>',
                            choices=('ethernet', 'vlan', 'ae'),
                            help='ethernet, vlan or ae.')
        parser.add_argument('lowers', metavar='<port or interface>',
                            nargs='+',
                            help='ethernet: its port; vlan: its lower '
                                 'interface; ae: its member interfaces.')
        parser.add_argument('-c', '--ifclass', metavar='<class>',
                            help='platform, data, pci-sriov or none '
                                 '(default).')
        parser.add_argument('-m', '--imtu', metavar='<mtu>', type=int,
                            help='MTU, 576 to 9216 (default 1500).')
        parser.add_argument('--vlan_id', '--vlan-id', dest='vlan_id',
                            metavar='<vlan id>', type=int,
                            help='VLAN id, 1 to 4094 (vlan only).')
        parser.add_argument('-a', '--aemode', metavar='<mode>',
                            help='active_standby (default), balanced or '
                                 '802.3ad (ae only).')
        parser.add_argument('-x', '--txhashpolicy', metavar='<policy>',
                            help='layer2 (default), layer2+3 or layer3+4 '
                                 '(balanced and 802.3ad ae only).')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client(SERVICE)
        host = hosts.get_host(client, parsed_args.host)
        body = {'ihost_uuid': host['uuid'], 'ifname': parsed_args.ifname,
                'iftype': parsed_args.iftype}
        lowers = 'ports' if parsed_args.iftype == 'ethernet' else 'uses'
        body[lowers] = parsed_args.lowers
        for field in ('ifclass', 'imtu', 'vlan_id', 'aemode',
                      'txhashpolicy'):
            if getattr(parsed_args, field) is not None:
                body[field] = getattr(parsed_args, field)
        return _show(SHOW_FIELDS, client.post('iinterfaces', body))


class ModifyInterface(show.ShowOne):
    """Change the name, class or MTU of an interface of a locked host.

    Output options take --column, not -c, which is the class here.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        inventory._free_short_option(parser, '-c')
        _host_arguments(parser)
        parser.add_argument('-n', '--ifname', metavar='<new name>',
                            help='A new name.')
        parser.add_argument('-c', '--ifclass', metavar='<class>',
                            help='platform, data, pci-sriov or none.')
        parser.add_argument('-m', '--imtu', metavar='<mtu>',
                            help='MTU, 576 to 9216.')
        return parser

    def take_action(self, parsed_args):
        patch = [{'op': 'replace', 'path': '/' + field,
                  'value': getattr(parsed_args, field)}
                 for field in ('ifname', 'ifclass', 'imtu')
                 if getattr(parsed_args, field) is not None]
        if not patch:
            raise http.ClientError('give -n, -c and/or -m')
        client = self.app.client(SERVICE)
        row = find_interface(client, parsed_args.host, parsed_args.interface)
        return _show(SHOW_FIELDS,
                     client.patch('iinterfaces/%s' % row['uuid'], patch))


class DeleteInterface(command.Command):
    """Delete an interface of a locked host."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _host_arguments(parser)
        return parser

    def take_action(self, parsed_args):
        client = self.app.client(SERVICE)
        row = find_interface(client, parsed_args.host, parsed_args.interface)
        client.delete('iinterfaces/%s' % row['uuid'])
        self.app.stdout.write('Deleted interface %s of host %s\n'
                              % (row['ifname'], parsed_args.host))


class ListInterfaceNetworks(lister.Lister):
    """List the platform networks of a host's interfaces."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='<hostname|id|uuid>',
                            help='The host.')
        return parser

    def take_action(self, parsed_args):
        rows = inventory.host_collection(self.app.client(SERVICE),
                                         parsed_args.host,
                                         'interface_networks')
        return (tuple(column[0] for column in NETWORK_COLUMNS),
                [[_value(column, row) for column in NETWORK_COLUMNS]
                 for row in rows])


class AssignInterfaceNetwork(show.ShowOne):
    """Put a platform network (mgmt, cluster-host, oam) on an interface
    of a locked host.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _host_arguments(parser)
        parser.add_argument('network', metavar='<network>',
                            help='mgmt, cluster-host or oam.')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client(SERVICE)
        row = find_interface(client, parsed_args.host, parsed_args.interface)
        return _show(NETWORK_FIELDS, client.post(
            'interface_networks', {'interface_uuid': row['uuid'],
                                   'network_type': parsed_args.network}))


class RemoveInterfaceNetwork(command.Command):
    """Take a platform network from its interface (host locked)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('uuid', metavar='<interface network uuid>',
                            help='As interface-network-list shows it.')
        return parser

    def take_action(self, parsed_args):
        self.app.client(SERVICE).delete('interface_networks/%s'
                                        % parsed_args.uuid)
        self.app.stdout.write('Deleted interface network %s\n'
                              % parsed_args.uuid)
