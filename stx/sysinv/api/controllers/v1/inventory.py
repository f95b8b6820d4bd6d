"""Host inventory, read only: NUMA nodes, cpus, memory, disks, ports, PCI
devices.

Each kind is served as StarlingX serves it, under its host
(``/v1/ihosts/<host>/icpus``, the host named by id, uuid or hostname) and
at the top level (``/v1/icpus``, every host's rows or ``?host_uuid=``'s;
``/v1/icpus/<uuid>``, one row). Agents report inventory and the conductor
stores it.

What the operator sets of it goes to the conductor, which checks it against
the stored inventory (stx.sysinv.nodal) and writes:
``PUT /v1/ihosts/<host>/state/host_cpus_modify`` assigns cores to functions
and ``PATCH /v1/imemorys/<uuid>`` sets a node's pending huge pages, both as
StarlingX's client sends them.
"""

import collections

import pecan
from pecan import rest

from stx.api import app as api_app
from stx.api import expose
from stx.api import jsonpatch
from stx.common import exception
from stx.sysinv.api.controllers.v1 import formats
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import inventory_api
from stx.sysinv import nodal


class Kind(collections.namedtuple('Kind', ['collection', 'lister', 'getter',
                                           'format'])):
    """One kind of inventory as the API serves it.

    :param collection: its path segment and its collections' key
        (``icpus``).
    :param lister: the DB API reader, ``(context, host_id=None)``.
    :param getter: the DB API reader of one row by uuid; raises the kind's
        NotFound.
    :param format: the formats function of its wire shape,
        ``(row, base_url)``.
    """


NODES = Kind('inodes', inventory_api.node_list, inventory_api.node_get,
             formats.node)
CPUS = Kind('icpus', inventory_api.cpu_list, inventory_api.cpu_get,
            formats.cpu)
MEMORY = Kind('imemorys', inventory_api.memory_list, inventory_api.memory_get,
              formats.memory)
DISKS = Kind('idisks', inventory_api.disk_list, inventory_api.disk_get,
             formats.disk)
PORTS = Kind('ports', inventory_api.port_list, inventory_api.port_get,
             formats.port)
# StarlingX's Ethernet ports are its ports with Ethernet columns; here every
# port is Ethernet and one table holds both, so both serve the same rows.
ETHERNET_PORTS = Kind('ethernet_ports', inventory_api.port_list,
                      inventory_api.port_get,
                      formats.ethernet_port)
PCI_DEVICES = Kind('pci_devices', inventory_api.pci_device_list,
                   inventory_api.pci_device_get, formats.pci_device)


def _collection(kind, host_id=None):
    rows = kind.lister(pecan.request.context, host_id)
    base = api_app.base_url()
    return {kind.collection: [kind.format(row, base) for row in rows]}


def _host_id(ident):
    """:raises: HostNotFound naming ``ident``."""
    return dbapi.host_get(pecan.request.context, ident)['id']


class InventoryController(rest.RestController):
    """/v1/<kind>: every host's rows, or one row by uuid."""

    def __init__(self, kind):
        self._kind = kind

    @expose.expose()
    def get_all(self, host_uuid=None):
        """Every host's rows, by host; with ``host_uuid``, one host's.

        ``host_uuid`` may also be the host's id or hostname.
        """
        if host_uuid is None:
            return _collection(self._kind)
        return _collection(self._kind, _host_id(host_uuid))

    @expose.expose()
    def get_one(self, uuid):
        row = self._kind.getter(pecan.request.context, uuid)
        return self._kind.format(row, api_app.base_url())


class HostInventoryController(rest.RestController):
    """/v1/ihosts/<host>/<kind>: one host's rows, and one of them."""

    def __init__(self, kind):
        self._kind = kind

    @expose.expose()
    def get_all(self, host=None):
        # pecan also routes /v1/ihosts/<kind>, without a host, here.
        if host is None:
            raise exception.NotFound()
        return _collection(self._kind, _host_id(host))

    @expose.expose()
    def get_one(self, host, uuid):
        """One of the host's rows; another host's row is not found here."""
        context = pecan.request.context
        host_row = dbapi.host_get(context, host)
        row = self._kind.getter(context, uuid)
        if row['host_uuid'] != host_row['uuid']:
            raise exception.NotFound(
                '%s/%s is not in the inventory of host %s.'
                % (self._kind.collection, uuid, host))
        return self._kind.format(row, api_app.base_url())


class MemoryController(InventoryController):
    """/v1/imemorys, and PATCH of one row's pending huge pages."""

    _WRITABLE = frozenset(nodal.HUGEPAGE_MIB)

    def __init__(self):
        super().__init__(MEMORY)

    @expose.expose()
    def patch(self, uuid):
        """JSON-patch ``replace`` of vm_hugepages_nr_2M_pending and
        vm_hugepages_nr_1G_pending (numbers, or their decimal text as
        StarlingX's client sends them).
        """
        context = pecan.request.context
        row = inventory_api.memory_get(context, uuid)
        changes = jsonpatch.to_changes(expose.request_json(), frozenset(row),
                                       self._WRITABLE)
        for field, value in changes.items():
            nodal.whole_number(field, value)
        pecan.request.rpcapi.update_memory(context, row['uuid'], changes)
        return formats.memory(inventory_api.memory_get(context, uuid),
                              api_app.base_url())


class HostStateController(rest.RestController):
    """/v1/ihosts/<host>/state/<change>: StarlingX's host changes that are
    not field updates.
    """

    _custom_actions = {'host_cpus_modify': ['PUT']}

    @expose.expose()
    def host_cpus_modify(self, host=None):
        """Assign physical cores to functions; answers the host's cpus.

        The body is StarlingX's: ``[{"function": "platform", "sockets":
        [{"0": 2}, {"1": 0}]}]``.
        """
        if host is None:
            raise exception.NotFound()
        functions = expose.request_json()
        nodal.parse_cpu_functions(functions)
        context = pecan.request.context
        host_row = dbapi.host_get(context, host)
        pecan.request.rpcapi.update_cpu_functions(context, host_row['uuid'],
                                                  functions)
        return _collection(CPUS, host_row['id'])
