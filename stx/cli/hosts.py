"""``stx host-*``: list, show, add, update and delete hosts; bulk add/export.

Hosts are sysinv's ``/v1/ihosts``. A host can be named on the command line
by hostname, integer id or uuid; the API resolves all three.
"""

import os
from urllib import parse

from cliff import command
from cliff import lister
from cliff import show

from stx.cli import system
from stx.clients import http

SERVICE = 'sysinv'

LIST_COLUMNS = ('id', 'hostname', 'personality', 'administrative',
                'operational', 'availability')

# host-add options: (flags, request field, help). Long options take the
# dashed form and StarlingX's underscored one; the short ones are
# StarlingX's, except its -c (--console), which cliff's -c/--column takes.
ADD_OPTIONS = (
    (('-n', '--hostname'), 'hostname', 'The host name.'),
    (('-p', '--personality'), 'personality',
     'controller, worker or storage.'),
    (('-m', '--mgmt-mac', '--mgmt_mac'), 'mgmt_mac',
     'MAC address of the management interface.'),
    (('--mgmt-ip', '--mgmt_ip'), 'mgmt_ip',
     'IP address on the management network.'),
    (('--cluster-host-ip', '--cluster_host_ip'), 'cluster_host_ip',
     'IP address on the cluster-host network, a second heartbeat path; '
     'not the mgmt-ip.'),
    (('-s', '--subfunctions'), 'subfunctions',
     'Comma-separated subfunctions, e.g. controller,worker.'),
    (('-I', '--bm-ip', '--bm_ip'), 'bm_ip',
     'Address of the board management controller (BMC).'),
    (('-T', '--bm-type', '--bm_type'), 'bm_type',
     'BMC protocol, e.g. ipmi, redfish or dynamic.'),
    (('-U', '--bm-username', '--bm_username'), 'bm_username',
     'BMC user name.'),
    (('-P', '--bm-password', '--bm_password'), 'bm_password',
     'BMC password.'),
    (('-b', '--boot-device', '--boot_device'), 'boot_device',
     'Device to boot from, e.g. /dev/sda.'),
    (('-r', '--rootfs-device', '--rootfs_device'), 'rootfs_device',
     'Device holding the root file system.'),
    (('-R', '--install-output', '--install_output'), 'install_output',
     'Installer output: text or graphical.'),
    (('--console',), 'console', 'Console, e.g. ttyS0,115200.'),
    (('-l', '--location'), 'location', 'Where the host is, as free text.'),
    (('-C', '--clock-synchronization', '--clock_synchronization'),
     'clock_synchronization', 'ntp or ptp.'),
)


def host_path(host):
    """The API path of a host named by hostname, id or uuid."""
    return 'ihosts/%s' % parse.quote(str(host), safe='')


def get_host(client, host):
    """Fetch one host by hostname, id or uuid."""
    return client.get(host_path(host))


def location_text(location):
    """The text of a host's location (the API stores ``{"locn": text}``)."""
    if isinstance(location, dict):
        return location.get('locn', '')
    return location


def host_fields(host):
    """``(names, values)`` of every field, alphabetical, as host-show."""
    host = dict(host, location=location_text(host.get('location')))
    return system.sorted_fields(host)


def _sort_key(host):
    host_id = host.get('id')
    return (host_id is None, host_id if host_id is not None else 0,
            host.get('hostname') or '')


class ListHosts(lister.Lister):
    """List hosts, by id."""

    def take_action(self, parsed_args):
        body = self.app.client(SERVICE).get('ihosts') or {}
        hosts = sorted(body.get('ihosts') or [], key=_sort_key)
        return LIST_COLUMNS, [[host.get(column) for column in LIST_COLUMNS]
                              for host in hosts]


class ShowHost(show.ShowOne):
    """Show a host's attributes."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='<hostname|id|uuid>',
                            help='The host to show.')
        return parser

    def take_action(self, parsed_args):
        return host_fields(get_host(self.app.client(SERVICE),
                                    parsed_args.host))


class AddHost(show.ShowOne):
    """Add a host; it starts locked, disabled and offline."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        for flags, field, help_text in ADD_OPTIONS:
            parser.add_argument(*flags, dest=field, metavar='<%s>' % field,
                                help=help_text)
        return parser

    def take_action(self, parsed_args):
        body = {field: getattr(parsed_args, field)
                for _flags, field, _help in ADD_OPTIONS
                if getattr(parsed_args, field) is not None}
        if 'location' in body:
            body['location'] = {'locn': body['location']}
        client = self.app.client(SERVICE)
        created = client.post('ihosts', body)
        # As StarlingX's client: read the new host back by its uuid.
        return host_fields(get_host(client, created['uuid']))


class UpdateHost(show.ShowOne):
    """Update a host's attributes (values are sent as strings)."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='<hostname|id|uuid>',
                            help='The host to update.')
        parser.add_argument(
            'attributes', metavar='<key=value>', nargs='+',
            help='An attribute to set, e.g. location="rack 3". '
                 'Can be repeated.')
        return parser

    def take_action(self, parsed_args):
        patch = system.attribute_patch(parsed_args.attributes)
        client = self.app.client(SERVICE)
        host = get_host(client, parsed_args.host)
        # StarlingX patches by the integer id taken from the host.
        updated = client.patch(host_path(host.get('id', host['uuid'])),
                               patch)
        return host_fields(updated)


class DeleteHost(command.Command):
    """Delete hosts."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('hosts', metavar='<hostname|id|uuid>', nargs='+',
                            help='A host to delete. Can be repeated.')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client(SERVICE)
        failures = []
        for name in parsed_args.hosts:
            try:
                host = get_host(client, name)
                client.delete(host_path(host.get('id', host['uuid'])))
            except http.HTTPError as exc:
                failures.append('%s: %s' % (name, exc))
                continue
            self.app.stdout.write('Deleted host %s\n' % host['hostname'])
        if failures:
            raise http.ClientError('could not delete %s' %
                                   '; '.join(failures))


class BulkAddHosts(command.Command):
    """Add the hosts described in an XML file."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'file', metavar='<file.xml>',
            help='<hosts><host><hostname>..</hostname>'
                 '<personality>..</personality><mgmt_mac>..</mgmt_mac>'
                 '</host>...</hosts>, as host-bulk-export writes it.')
        return parser

    def take_action(self, parsed_args):
        try:
            with open(parsed_args.file, 'rb') as xml_file:
                content = xml_file.read()
        except OSError as exc:
            raise http.ClientError('cannot read %s: %s'
                                   % (parsed_args.file, exc.strerror))
        files = {'file': (os.path.basename(parsed_args.file), content,
                          'application/xml')}
        result = self.app.client(SERVICE).post('ihosts/bulk_add',
                                               files=files) or {}
        success = (result.get('success') or '').strip()
        if success:
            self.app.stdout.write('Success: %s\n' % success)
        error = (result.get('error') or '').strip()
        if error:
            raise http.ClientError(error)


class BulkExportHosts(command.Command):
    """Write every host's configuration as XML, for host-bulk-add."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--filename', metavar='<file>',
            help='Write the XML to this file instead of standard output.')
        return parser

    def take_action(self, parsed_args):
        result = self.app.client(SERVICE).get('ihosts/bulk_export') or {}
        content = result.get('content') or ''
        if content and not content.endswith('\n'):
            content += '\n'
        if not parsed_args.filename:
            self.app.stdout.write(content)
            return
        try:
            with open(parsed_args.filename, 'w') as xml_file:
                xml_file.write(content)
        except OSError as exc:
            raise http.ClientError('cannot write %s: %s'
                                   % (parsed_args.filename, exc.strerror))
        self.app.stdout.write('Exported hosts to %s\n' % parsed_args.filename)
