"""Inventory reports: the conductor's RPC methods an agent stores its host's
inventory with (``*_update_by_ihost``), each checked by
stx.sysinv.conductor.inventory and stored as a whole, moving the host's
invprovision along.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import exception
from stx.sysinv.conductor import common
from stx.sysinv.conductor import inventory
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import inventory_api

LOG = logging.getLogger(__name__)


class ReportsMixin:
    """Conductor RPC methods of inventory reports."""

    # Inventory reports, in the order an agent sends them: NUMA nodes
    # first, since cpus and memory name them. Each report replaces the
    # host's rows of its kind, as a whole or not at all, and returns None.

    @messaging.expected_exceptions(*common.EXPECTED)
    def inumas_update_by_ihost(self, context, ihost_uuid, inuma_dict_array):
        """Store the host's NUMA nodes; ``[{numa_node, capabilities}]``.

        :raises: HostNotFound, InventoryReportInvalid naming the field.
        """
        self._store_report(context, inventory.NODES, ihost_uuid,
                           inuma_dict_array)

    @messaging.expected_exceptions(*common.EXPECTED)
    def icpus_update_by_ihost(self, context, ihost_uuid, icpu_dict_array):
        """Store the host's logical cpus (stx.sysinv.agent.inventory.cpu).

        A cpu first reported gets its allocated_function from
        inventory.initial_cpu_functions; a later report keeps it.

        :raises: HostNotFound, InventoryReportInvalid (also for a numa_node
            the host's NUMA node report did not have).
        """
        self._store_report(context, inventory.CPUS, ihost_uuid,
                           icpu_dict_array)

    @messaging.expected_exceptions(*common.EXPECTED)
    def imemory_update_by_ihost(self, context, ihost_uuid,
                                imemory_dict_array):
        """Store the host's memory, a record per NUMA node.

        :raises: HostNotFound, InventoryReportInvalid.
        """
        self._store_report(context, inventory.MEMORY, ihost_uuid,
                           imemory_dict_array)

    @messaging.expected_exceptions(*common.EXPECTED)
    def idisk_update_by_ihost(self, context, ihost_uuid, idisk_dict_array):
        """Store the host's disks, by device_node.

        :raises: HostNotFound, InventoryReportInvalid.
        """
        self._store_report(context, inventory.DISKS, ihost_uuid,
                           idisk_dict_array)

    @messaging.expected_exceptions(*common.EXPECTED)
    def iport_update_by_ihost(self, context, ihost_uuid, inic_dict_array):
        """Store the host's Ethernet ports, by interface ``name``.

        :raises: HostNotFound, InventoryReportInvalid.
        """
        self._store_report(context, inventory.PORTS, ihost_uuid,
                           inic_dict_array)

    @messaging.expected_exceptions(*common.EXPECTED)
    def pci_device_update_by_host(self, context, host_uuid,
                                  pci_device_dict_array):
        """Store the host's PCI devices, by pciaddr.

        :raises: HostNotFound, InventoryReportInvalid.
        """
        self._store_report(context, inventory.PCI_DEVICES, host_uuid,
                           pci_device_dict_array)

    def _store_report(self, context, report, host_uuid, records):
        host = dbapi.host_get(context, host_uuid)
        name = common.host_label(host)
        nodes = ()
        if report.needs_nodes:
            nodes = {node['numa_node']
                     for node in inventory_api.node_list(context, host['id'])}
        try:
            records = inventory.validate(report, records, name, nodes)
            counts = report.sync(context, host['id'],
                                 inventory.rows(report, records, host))
        except exception.InventoryReportInvalid as error:
            LOG.warning('Inventory report of host %(host)s refused: '
                        '%(field)s %(reason)s',
                        {'host': name, 'field': error.field,
                         'reason': error.kwargs.get('reason')})
            raise
        if counts['created'] or counts['updated'] or counts['deleted']:
            LOG.info('Inventory of host %(host)s: %(report)s stored, '
                     '%(created)d added, %(updated)d changed, %(deleted)d '
                     'removed', dict(counts, host=name,
                                     report=report.argument))
        else:
            LOG.debug('Inventory of host %(host)s: %(report)s unchanged',
                      {'host': name, 'report': report.argument})
        state = common.provision_state(context, host)
        if state != host['invprovision']:
            dbapi.host_update(context, host['uuid'], {'invprovision': state})
            LOG.info('Host %(host)s is %(state)s', {'host': name,
                                                    'state': state})
