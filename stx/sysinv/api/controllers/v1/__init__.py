"""The v1 API of sysinv: its resources and its version document."""

from stx.api import expose
from stx.api import versions
from stx.sysinv.api.controllers.v1 import host
from stx.sysinv.api.controllers.v1 import interface
from stx.sysinv.api.controllers.v1 import inventory
from stx.sysinv.api.controllers.v1 import label
from stx.sysinv.api.controllers.v1 import sensor
from stx.sysinv.api.controllers.v1 import system

_RESOURCES = ('isystems', 'ihosts', 'inodes', 'icpus', 'imemorys', 'idisks',
              'ports', 'ethernet_ports', 'pci_devices', 'labels',
              'iinterfaces', 'interface_networks', 'isensors',
              'isensorgroups')


class V1Controller:
    isystems = system.SystemController()
    ihosts = host.HostController()
    inodes = inventory.InventoryController(inventory.NODES)
    icpus = inventory.InventoryController(inventory.CPUS)
    imemorys = inventory.MemoryController()
    idisks = inventory.InventoryController(inventory.DISKS)
    ports = inventory.InventoryController(inventory.PORTS)
    ethernet_ports = inventory.InventoryController(inventory.ETHERNET_PORTS)
    pci_devices = inventory.InventoryController(inventory.PCI_DEVICES)
    labels = label.LabelController()
    iinterfaces = interface.InterfaceController()
    interface_networks = interface.InterfaceNetworkController()
    isensors = sensor.SensorController()
    isensorgroups = sensor.SensorGroupController()

    @expose.expose()
    def index(self):
        return versions.v1_document('sysinv', _RESOURCES)
