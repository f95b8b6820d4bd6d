"""Inventory of the fixture hosts, for sysinv's tests.

tests/fixtures/inventory holds the /proc, /sys and /dev trees of two
machines: ``server`` (two NUMA nodes, 32 cpus, 3 disks, 4 ports, 2 PCI
devices) and ``edge`` (one NUMA node). ``collect`` reads one with
stx-agent's collectors, as an agent reports it; ``store_inventory`` stores
that for a host the way the conductor does, without RPC.
"""

import os

from stx.common import states
from stx.sysinv.agent import inventory
from stx.sysinv.agent.inventory import cpu
from stx.sysinv.agent.inventory import disk
from stx.sysinv.agent.inventory import memory
from stx.sysinv.agent.inventory import pci
from stx.sysinv.conductor import inventory as reports
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import inventory_api

FIXTURES = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures',
                        'inventory')

# The conductor's reports, in the order an agent sends them: NUMA nodes
# first, since cpus and memory name them.
REPORTS = (reports.NODES, reports.CPUS, reports.MEMORY, reports.DISKS,
           reports.PORTS, reports.PCI_DEVICES)


def collect(name):
    """The reports of fixture host ``name``: {report argument: records}."""
    root = os.path.join(FIXTURES, name)
    roots = inventory.Roots(proc=os.path.join(root, 'proc'),
                            sys=os.path.join(root, 'sys'),
                            dev=os.path.join(root, 'dev'))
    return {'inuma_dict_array': cpu.numa_nodes(roots),
            'icpu_dict_array': cpu.cpus(roots),
            'imemory_dict_array': memory.memory(roots),
            'idisk_dict_array': disk.disks(roots),
            'inic_dict_array': pci.ports(roots),
            'pci_device_dict_array': pci.pci_devices(roots)}


def store_inventory(context, host, name='server'):
    """Store fixture host ``name``'s inventory as ``host``'s (a DB row).

    As the conductor stores a report: validated, cpus given their initial
    functions (cpus 0 and 16 of ``server`` are the platform's), memory its
    platform reservation (from the host's personality), ports typed
    Ethernet.
    """
    collected = collect(name)
    for report in REPORTS:
        nodes = {node['numa_node']
                 for node in inventory_api.node_list(context, host['id'])}
        records = reports.validate(report, collected[report.argument],
                                   host['hostname'], nodes)
        report.sync(context, host['id'],
                    reports.rows(report, records, host))


def lock(context, host):
    """Lock ``host`` (a DB row) in the database; returns it locked.

    Nodal and interface changes need a locked host; the all-in-one's
    controller-0 starts unlocked.
    """
    return dbapi.host_update(context, host['id'],
                             {'administrative': states.LOCKED})
