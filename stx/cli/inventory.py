"""``stx host-cpu-*``, ``host-memory-*``, ``host-node-list``,
``host-disk-*``, ``host-port-*``, ``host-ethernet-port-list`` and
``host-device-*``: a host's inventory, as its agent reported it.

With the columns of StarlingX's ``system`` commands. Each command reads one
of the host's collections (``/v1/ihosts/<host>/icpus``...) and a show
command picks its row on the client, as ``system`` does; the API resolves
the host by hostname, id or uuid and answers 404 for an unknown one.

``host-cpu-modify`` and ``host-memory-modify`` change what the operator
owns of it (CPU functions, pending huge pages) with the requests StarlingX's
client sends; the server checks them against the inventory.
"""

import math

from cliff import lister
from cliff import show

from stx.cli import hosts
from stx.clients import http
from stx.common import states

SERVICE = hosts.SERVICE


def host_collection(client, host, collection):
    """A host's rows of one kind, e.g. ``collection='icpus'``."""
    body = client.get('%s/%s' % (hosts.host_path(host), collection)) or {}
    return body.get(collection) or []


def cpu_function(value):
    """A cpu's assigned function; one StarlingX does not know as
    ``unknown(<value>)``, as ``system host-cpu-list`` prints it.
    """
    if value in states.CPU_FUNCTIONS:
        return value
    return 'unknown(%s)' % value


def gib(mib):
    """MiB as GiB, rounded down to three decimals (``system``'s rule)."""
    if mib is None:
        return None
    return math.floor(mib / 1024 * 1000) / 1000.0


def _sort_key(value):
    return (value is None, value if value is not None else 0)


def _values(fields, row):
    """The values of ``fields`` ``(label, field[, formatter])`` in a row."""
    values = []
    for field in fields:
        value = row.get(field[1], '')
        values.append(field[2](value) if len(field) > 2 else value)
    return values


# (label, field[, formatter]) of each command's columns, in StarlingX's
# order and with its labels.
CPU_COLUMNS = (
    ('uuid', 'uuid'), ('log_core', 'cpu'), ('processor', 'numa_node'),
    ('phy_core', 'core'), ('thread', 'thread'),
    ('processor_model', 'cpu_model'),
    ('assigned_function', 'allocated_function', cpu_function))
CPU_FIELDS = (
    ('logical_core', 'cpu'), ('processor', 'numa_node'),
    ('physical_core', 'core'), ('thread', 'thread'),
    ('assigned_function', 'allocated_function', cpu_function),
    ('processor_model', 'cpu_model'), ('processor_family', 'cpu_family'),
    ('capabilities', 'capabilities'), ('uuid', 'uuid'),
    ('ihost_uuid', 'ihost_uuid'), ('inode_uuid', 'inode_uuid'),
    ('created_at', 'created_at'), ('updated_at', 'updated_at'))

MEMORY_COLUMNS = (
    ('processor', 'numa_node'),
    ('mem_total(MiB)', 'memtotal_mib'),
    ('mem_platform(MiB)', 'platform_reserved_mib'),
    ('mem_avail(MiB)', 'memavail_mib'),
    ('hugepages(hp)_configured', 'hugepages_configured'),
    ('vs_hp_size(MiB)', 'vswitch_hugepages_size_mib'),
    ('vs_hp_total', 'vswitch_hugepages_nr'),
    ('vs_hp_avail', 'vswitch_hugepages_avail'),
    ('vs_hp_reqd', 'vswitch_hugepages_reqd'),
    ('app_total_4K', 'vm_hugepages_nr_4K'),
    ('app_hp_as_percentage', 'vm_pending_as_percentage'),
    ('app_hp_total_2M', 'vm_hugepages_nr_2M'),
    ('app_hp_avail_2M', 'vm_hugepages_avail_2M'),
    ('app_hp_pending_2M', 'vm_hugepages_nr_2M_pending'),
    ('app_hp_total_1G', 'vm_hugepages_nr_1G'),
    ('app_hp_avail_1G', 'vm_hugepages_avail_1G'),
    ('app_hp_pending_1G', 'vm_hugepages_nr_1G_pending'),
    ('app_hp_use_1G', 'vm_hugepages_use_1G'))
# StarlingX labels these with indented prose; the field names read better
# as keys of -f json.
MEMORY_FIELDS = tuple((name, name) for name in (
    'numa_node', 'memtotal_mib', 'platform_reserved_mib', 'memavail_mib',
    'hugepages_configured', 'vswitch_hugepages_size_mib',
    'vswitch_hugepages_nr', 'vswitch_hugepages_avail',
    'vswitch_hugepages_reqd', 'vm_hugepages_nr_4K', 'vm_hugepages_nr_2M',
    'vm_hugepages_nr_2M_pending', 'vm_hugepages_avail_2M',
    'vm_hugepages_nr_1G', 'vm_hugepages_nr_1G_pending',
    'vm_hugepages_avail_1G', 'vm_hugepages_use_1G', 'uuid', 'ihost_uuid',
    'inode_uuid', 'created_at', 'updated_at'))

NODE_COLUMNS = (('uuid', 'uuid'), ('numa_node', 'numa_node'),
                ('capabilities', 'capabilities'))

DISK_COLUMNS = (
    ('uuid', 'uuid'), ('device_node', 'device_node'),
    ('device_num', 'device_num'), ('device_type', 'device_type'),
    ('size_gib', 'size_mib', gib), ('available_gib', 'available_mib', gib),
    ('rpm', 'rpm'), ('serial_id', 'serial_id'),
    ('device_path', 'device_path'))
DISK_FIELDS = (
    ('device_node', 'device_node'), ('device_num', 'device_num'),
    ('device_type', 'device_type'), ('device_path', 'device_path'),
    ('size_gib', 'size_mib', gib), ('available_gib', 'available_mib', gib),
    ('rpm', 'rpm'), ('serial_id', 'serial_id'), ('uuid', 'uuid'),
    ('ihost_uuid', 'ihost_uuid'), ('created_at', 'created_at'),
    ('updated_at', 'updated_at'))

PORT_COLUMNS = (
    ('uuid', 'uuid'), ('name', 'name'), ('type', 'type'),
    ('pci address', 'pciaddr'), ('device', 'dev_id'),
    ('processor', 'numa_node'), ('accelerated', 'dpdksupport'),
    ('device type', 'pdevice'))
PORT_FIELDS = (
    ('name', 'name'), ('namedisplay', 'namedisplay'), ('type', 'type'),
    ('pciaddr', 'pciaddr'), ('dev_id', 'dev_id'),
    ('processor', 'numa_node'), ('sriov_totalvfs', 'sriov_totalvfs'),
    ('sriov_numvfs', 'sriov_numvfs'),
    ('sriov_vfs_pci_address', 'sriov_vfs_pci_address'),
    ('sriov_vf_driver', 'sriov_vf_driver'), ('driver', 'driver'),
    ('pclass', 'pclass'), ('pvendor', 'pvendor'), ('pdevice', 'pdevice'),
    ('capabilities', 'capabilities'), ('uuid', 'uuid'),
    ('host_uuid', 'host_uuid'), ('accelerated', 'dpdksupport'),
    ('created_at', 'created_at'), ('updated_at', 'updated_at'))

ETHERNET_PORT_COLUMNS = (
    ('uuid', 'uuid'), ('name', 'name'), ('mac address', 'mac'),
    ('pci address', 'pciaddr'), ('processor', 'numa_node'),
    ('auto neg', 'autoneg'), ('device type', 'pdevice'),
    ('boot i/f', 'bootp', bool))

DEVICE_COLUMNS = (
    ('name', 'name'), ('address', 'pciaddr'), ('class id', 'pclass_id'),
    ('vendor id', 'pvendor_id'), ('device id', 'pdevice_id'),
    ('class name', 'pclass'), ('vendor name', 'pvendor'),
    ('device name', 'pdevice'), ('numa_node', 'numa_node'),
    ('enabled', 'enabled'))
DEVICE_FIELDS = DEVICE_COLUMNS + (
    ('sriov_totalvfs', 'sriov_totalvfs'), ('sriov_numvfs', 'sriov_numvfs'),
    ('sriov_vfs_pci_address', 'sriov_vfs_pci_address'),
    ('sriov_vf_pdevice_id', 'sriov_vf_pdevice_id'),
    ('extra_info', 'extra_info'), ('created_at', 'created_at'),
    ('updated_at', 'updated_at'))


class _HostList(lister.Lister):
    """Lists one collection of a host, sorted by ``sort_field``."""

    collection = None
    columns = ()
    sort_field = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='<hostname|id|uuid>',
                            help='The host.')
        return parser

    def rows(self, parsed_args):
        return host_collection(self.app.client(SERVICE), parsed_args.host,
                               self.collection)

    def take_action(self, parsed_args):
        rows = sorted(self.rows(parsed_args),
                      key=lambda row: _sort_key(row.get(self.sort_field)))
        return (tuple(column[0] for column in self.columns),
                [_values(self.columns, row) for row in rows])


class _HostShow(show.ShowOne):
    """Shows the row of a host's collection that ``matches`` the item."""

    collection = None
    fields = ()
    item_metavar = None
    item_help = None
    #: What the error says is missing, e.g. 'CPU logical core'.
    item_noun = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='<hostname|id|uuid>',
                            help='The host.')
        parser.add_argument('item', metavar=self.item_metavar,
                            help=self.item_help)
        return parser

    @staticmethod
    def matches(row, item):
        return row.get('uuid') == item

    def find(self, client, host, item):
        for row in host_collection(client, host, self.collection):
            if self.matches(row, item):
                return row
        return None

    def take_action(self, parsed_args):
        host, item = parsed_args.host, parsed_args.item
        row = self.find(self.app.client(SERVICE), host, item)
        if row is None:
            raise http.ClientError('%s not found: host %s: %s'
                                   % (self.item_noun, host, item))
        return (tuple(field[0] for field in self.fields),
                _values(self.fields, row))


class ListCPUs(_HostList):
    """List a host's logical cpus, by logical core."""

    collection = 'icpus'
    columns = CPU_COLUMNS
    sort_field = 'cpu'


class ShowCPU(_HostShow):
    """Show a logical cpu of a host."""

    collection = 'icpus'
    fields = CPU_FIELDS
    item_metavar = '<log_core|uuid>'
    item_help = 'The logical core number or uuid of the cpu.'
    item_noun = 'CPU logical core'

    @staticmethod
    def matches(row, item):
        if item.isdigit():
            return row.get('cpu') == int(item)
        return row.get('uuid') == item


def _memory_with_processor(client, host):
    """The host's memory rows, each with the ``numa_node`` of its NUMA node.

    As StarlingX's client does: the node is the inode whose uuid is the
    row's ``inode_uuid``.
    """
    nodes = {node['uuid']: node['numa_node']
             for node in host_collection(client, host, 'inodes')}
    return [dict(row, numa_node=nodes.get(row.get('inode_uuid')))
            for row in host_collection(client, host, 'imemorys')]


def _free_short_option(parser, option):
    """Take ``option`` (e.g. ``-f``) from cliff's output options, which
    keep their long form (``--format``), for a StarlingX flag.
    """
    for action in parser._actions:
        if option in action.option_strings:
            action.option_strings.remove(option)
            del parser._option_string_actions[option]


# -pN of host-cpu-modify: StarlingX's processors 0 to 3.
PROCESSORS = range(4)


class ModifyCPUs(lister.Lister):
    """Assign physical cores of a locked host to a function.

    Prints the host's cpus afterwards, as host-cpu-list. Output options
    take --format, not -f, which is the function here (as StarlingX).
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _free_short_option(parser, '-f')
        parser.add_argument('host', metavar='<hostname|id|uuid>',
                            help='The host (locked).')
        parser.add_argument(
            '-f', '--function', required=True, metavar='<function>',
            help='platform, vswitch, shared or application-isolated. The '
                 'cores no function has run applications.')
        for processor in PROCESSORS:
            parser.add_argument(
                '-p%d' % processor, '--num-cores-on-processor%d' % processor,
                dest='processor%d' % processor, metavar='<cores>',
                help='Physical cores of processor (NUMA node) %d to give '
                     'the function; every hyper-thread of a core goes with '
                     'it.' % processor)
        return parser

    def take_action(self, parsed_args):
        sockets = [{str(processor): getattr(parsed_args,
                                            'processor%d' % processor)}
                   for processor in PROCESSORS
                   if getattr(parsed_args, 'processor%d' % processor)
                   is not None]
        if not sockets:
            raise http.ClientError('give the cores of at least one '
                                   'processor, e.g. -p0 2')
        # The numbers as typed: the server says which one it refuses.
        sockets = [{node: int(count) if count.isdigit() else count
                    for node, count in socket.items()} for socket in sockets]
        body = [{'function': parsed_args.function, 'sockets': sockets}]
        client = self.app.client(SERVICE)
        result = client.put('%s/state/host_cpus_modify'
                            % hosts.host_path(parsed_args.host), body) or {}
        rows = sorted(result.get('icpus') or [],
                      key=lambda row: _sort_key(row.get('cpu')))
        return (tuple(column[0] for column in CPU_COLUMNS),
                [_values(CPU_COLUMNS, row) for row in rows])


def _processor_memory(client, host, processor):
    """The memory row of one processor of a host, or None."""
    if not processor.isdigit():
        raise http.ClientError('processor %r is not a number' % processor)
    for row in _memory_with_processor(client, host):
        if row['numa_node'] == int(processor):
            return row
    return None


class ListMemory(_HostList):
    """List a host's memory and huge pages, a row per processor."""

    columns = MEMORY_COLUMNS
    sort_field = 'numa_node'

    def rows(self, parsed_args):
        return _memory_with_processor(self.app.client(SERVICE),
                                      parsed_args.host)


class ShowMemory(_HostShow):
    """Show the memory of one processor (NUMA node) of a host."""

    fields = MEMORY_FIELDS
    item_metavar = '<processor>'
    item_help = 'The processor (NUMA node) number.'
    item_noun = 'Processor'

    def find(self, client, host, item):
        return _processor_memory(client, host, item)


class ListNodes(_HostList):
    """List a host's NUMA nodes (processors)."""

    collection = 'inodes'
    columns = NODE_COLUMNS
    sort_field = 'numa_node'


class ListDisks(_HostList):
    """List a host's disks, by device node; sizes in GiB."""

    collection = 'idisks'
    columns = DISK_COLUMNS
    sort_field = 'device_node'


class ShowDisk(_HostShow):
    """Show a disk of a host; sizes in GiB."""

    collection = 'idisks'
    fields = DISK_FIELDS
    item_metavar = '<device_node|uuid>'
    item_help = 'The device node (/dev/sda) or uuid of the disk.'
    item_noun = 'Disk'

    @staticmethod
    def matches(row, item):
        return item in (row.get('device_node'), row.get('uuid'))


class ListPorts(_HostList):
    """List a host's ports, by name."""

    collection = 'ports'
    columns = PORT_COLUMNS
    sort_field = 'name'


class ShowPort(_HostShow):
    """Show a port of a host."""

    collection = 'ports'
    fields = PORT_FIELDS
    item_metavar = '<name|uuid>'
    item_help = 'The name or uuid of the port.'
    item_noun = 'Port'

    @staticmethod
    def matches(row, item):
        return item in (row.get('name'), row.get('uuid'))


class ListEthernetPorts(_HostList):
    """List a host's Ethernet ports, by name."""

    collection = 'ethernet_ports'
    columns = ETHERNET_PORT_COLUMNS
    sort_field = 'name'


class ListDevices(_HostList):
    """List a host's enabled PCI devices, by address."""

    collection = 'pci_devices'
    columns = DEVICE_COLUMNS
    sort_field = 'pciaddr'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('-a', '--all', action='store_true',
                            help='Also list the devices not enabled.')
        return parser

    def rows(self, parsed_args):
        rows = super().rows(parsed_args)
        if parsed_args.all:
            return rows
        return [row for row in rows if row.get('enabled')]


class ShowDevice(_HostShow):
    """Show a PCI device of a host."""

    collection = 'pci_devices'
    fields = DEVICE_FIELDS
    item_metavar = '<name|address>'
    item_help = 'The name (pci_0000_af_00_0) or PCI address of the device.'
    item_noun = 'PCI device'

    @staticmethod
    def matches(row, item):
        return item in (row.get('name'), row.get('pciaddr'))


class ModifyMemory(show.ShowOne):
    """Set the huge pages of one processor (NUMA node) of a locked host.

    The counts become pending (app_hp_pending_2M/1G) and are applied when
    the host next boots. Prints the processor's memory, as
    host-memory-show.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='<hostname|id|uuid>',
                            help='The host (locked).')
        parser.add_argument('processor', metavar='<processor>',
                            help='The processor (NUMA node) number.')
        parser.add_argument('-2M', '--hugepages-2M', dest='pages_2m',
                            metavar='<pages>',
                            help='Number of 2 MiB huge pages.')
        parser.add_argument('-1G', '--hugepages-1G', dest='pages_1g',
                            metavar='<pages>',
                            help='Number of 1 GiB huge pages.')
        return parser

    def take_action(self, parsed_args):
        # As StarlingX's client: the counts as text, replace operations.
        patch = [{'op': 'replace', 'path': '/' + field, 'value': value}
                 for field, value in (
                     ('vm_hugepages_nr_2M_pending', parsed_args.pages_2m),
                     ('vm_hugepages_nr_1G_pending', parsed_args.pages_1g))
                 if value is not None]
        if not patch:
            raise http.ClientError('give -2M and/or -1G')
        host, processor = parsed_args.host, parsed_args.processor
        client = self.app.client(SERVICE)
        row = _processor_memory(client, host, processor)
        if row is None:
            raise http.ClientError('Processor not found: host %s: %s'
                                   % (host, processor))
        updated = client.patch('imemorys/%s' % row['uuid'], patch)
        updated = dict(updated, numa_node=row['numa_node'])
        return (tuple(field[0] for field in MEMORY_FIELDS),
                _values(MEMORY_FIELDS, updated))
