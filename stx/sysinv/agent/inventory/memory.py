"""Memory and huge pages of each NUMA node, as StarlingX's agent reports them.

Files read (under ``roots.sys`` and ``roots.proc``):

* ``/sys/devices/system/node/nodeN/meminfo``: ``MemTotal``, ``MemFree``,
  ``FilePages`` and ``SReclaimable`` of the node, in kB.
* ``/sys/devices/system/node/nodeN/hugepages/hugepages-2048kB/`` and
  ``hugepages-1048576kB/``: ``nr_hugepages`` and ``free_hugepages``.
* A host without node directories is one node 0 described by
  ``/proc/meminfo`` and ``/sys/kernel/mm/hugepages/``.

How the numbers are derived:

* ``memtotal_mib`` and ``node_memtotal_mib`` are the node's ``MemTotal``,
  as StarlingX's agent reports them on hosts without
  ``/etc/platform/worker_reserved.conf`` (on workers it puts the memory held
  in huge pages in ``memtotal_mib``; that split is the conductor's here).
* ``memavail_mib`` is ``MemFree + FilePages + SReclaimable``: free memory
  plus the page cache and slab the kernel can reclaim, as in the agent's
  ``_inode_get_memory_nonhugepages``.
* ``vm_hugepages_possible_<size>`` is ``MemTotal // page size``: how many
  pages of that size would fit in the whole node. StarlingX's agent first
  subtracts the platform and vswitch reservations of
  ``/etc/platform/worker_reserved.conf``; those belong to the conductor
  here, which knows the host's personality.
* A missing or garbled file counts as 0; nothing here raises for bad input.
"""

import os

from stx.sysinv.agent import inventory
from stx.sysinv.agent.inventory import cpu

KIB_PER_MIB = 1024
PAGE_2M_KIB = 2048
PAGE_1G_KIB = 1048576


def memory(roots):
    """One memory record per NUMA node, sorted by node.

    :param roots: the ``Roots`` to read.
    :returns: dicts with ``numa_node``, ``memtotal_mib``, ``memavail_mib``,
        ``node_memtotal_mib``, ``hugepages_configured``,
        ``vm_hugepages_nr_2M``, ``vm_hugepages_nr_1G``,
        ``vm_hugepages_avail_2M``, ``vm_hugepages_avail_1G``,
        ``vm_hugepages_possible_2M``, ``vm_hugepages_possible_1G`` and
        ``vm_hugepages_use_1G``.
    """
    nodes = cpu.node_ids(roots)
    if not nodes:
        return [_node_memory(0,
                             os.path.join(roots.proc, 'meminfo'),
                             os.path.join(roots.sys, 'kernel/mm/hugepages'))]
    node_dir = os.path.join(roots.sys, 'devices/system/node')
    return [_node_memory(node,
                         os.path.join(node_dir, 'node%d' % node, 'meminfo'),
                         os.path.join(node_dir, 'node%d' % node, 'hugepages'))
            for node in nodes]


def _node_memory(node, meminfo_path, hugepages_dir):
    meminfo = _meminfo_kib(meminfo_path)
    total_kib = meminfo.get('MemTotal', 0)
    avail_kib = sum(meminfo.get(name, 0)
                    for name in ('MemFree', 'FilePages', 'SReclaimable'))
    nr_2m, free_2m = _hugepages(hugepages_dir, PAGE_2M_KIB)
    nr_1g, free_1g = _hugepages(hugepages_dir, PAGE_1G_KIB)
    return {
        'numa_node': node,
        'memtotal_mib': total_kib // KIB_PER_MIB,
        'memavail_mib': avail_kib // KIB_PER_MIB,
        'node_memtotal_mib': total_kib // KIB_PER_MIB,
        'hugepages_configured': bool(nr_2m or nr_1g),
        'vm_hugepages_nr_2M': nr_2m,
        'vm_hugepages_nr_1G': nr_1g,
        'vm_hugepages_avail_2M': free_2m,
        'vm_hugepages_avail_1G': free_1g,
        'vm_hugepages_possible_2M': total_kib // PAGE_2M_KIB,
        'vm_hugepages_possible_1G': total_kib // PAGE_1G_KIB,
        'vm_hugepages_use_1G': os.path.isdir(
            _page_size_dir(hugepages_dir, PAGE_1G_KIB)),
    }


def _meminfo_kib(path):
    """``{name: number}`` of a meminfo file; lines that do not parse are
    skipped.

    Reads both the /proc form (``MemTotal:  16384 kB``) and the per-node form
    (``Node 0 MemTotal:  16384 kB``).
    """
    values = {}
    for line in (inventory.read(path) or '').splitlines():
        label, _, amount = line.partition(':')
        try:
            values[label.split()[-1]] = int(amount.split()[0])
        except (IndexError, ValueError):
            continue
    return values


def _page_size_dir(hugepages_dir, page_kib):
    return os.path.join(hugepages_dir, 'hugepages-%dkB' % page_kib)


def _hugepages(hugepages_dir, page_kib):
    """``(configured, free)`` pages of one size; (0, 0) if not supported."""
    size_dir = _page_size_dir(hugepages_dir, page_kib)
    return (inventory.read_int(os.path.join(size_dir, 'nr_hugepages'), 0),
            inventory.read_int(os.path.join(size_dir, 'free_hugepages'), 0))
