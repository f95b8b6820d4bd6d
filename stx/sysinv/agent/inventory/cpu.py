"""Logical CPUs and NUMA nodes of a host, as StarlingX's agent reports them.

Files read (under ``roots.sys`` and ``roots.proc``):

* ``/sys/devices/system/node/nodeN/`` and ``nodeN/cpulist``: the NUMA nodes
  and the cpus of each. A host without node directories is one node 0.
* ``/sys/devices/system/cpu/online``: which logical cpus to report (if the
  file is missing, every ``cpuN`` directory whose own ``online`` is not 0).
* ``/sys/devices/system/cpu/cpuN/topology/core_id`` and
  ``thread_siblings_list``: the core of a cpu and its place among its
  hyper-threads.
* ``/proc/cpuinfo``: ``cpu family`` and ``model name`` of each processor.

``core`` is the kernel's ``core_id``, the same number as ``core id`` in
/proc/cpuinfo that StarlingX's ``agent/node.py`` reports. It is numbered
within a socket (both sockets of a two-socket host have a core 0, and the
numbers may have gaps), so a physical core is identified by
``(numa_node, core)``. ``thread`` is the cpu's index in its
``thread_siblings_list``: 0 for the first hyper-thread of a core, 1 for the
second. A cpu whose topology files are missing or garbled counts as a core of
its own (``core`` = its cpu number, ``thread`` 0), as node.py does when it
finds no topology.
"""

import os
import re

from stx.sysinv.agent import inventory

NODE_DIRECTORY = re.compile(r'^node(\d+)$')
CPU_DIRECTORY = re.compile(r'^cpu(\d+)$')


def node_ids(roots):
    """Numbers of the NUMA node directories in /sys, sorted; [] if none."""
    return _numbered(_node_dir(roots), NODE_DIRECTORY)


def numa_nodes(roots):
    """One ``{'numa_node', 'capabilities'}`` record per NUMA node.

    :param roots: the ``Roots`` to read.
    :returns: records sorted by node; ``[node 0]`` without node directories.
    """
    return [{'numa_node': node, 'capabilities': {}}
            for node in node_ids(roots) or [0]]


def cpus(roots):
    """One record per online logical cpu, sorted by cpu number.

    :param roots: the ``Roots`` to read.
    :returns: dicts with ``cpu``, ``numa_node``, ``core``, ``thread``,
        ``cpu_family``, ``cpu_model`` (strings from /proc/cpuinfo, None when
        it does not say) and ``capabilities`` ({}).
    """
    node_of_cpu = _node_of_cpu(roots)
    cpuinfo = _cpuinfo(roots)
    records = []
    for cpu in _online_cpus(roots):
        topology = os.path.join(roots.sys, 'devices/system/cpu',
                                'cpu%d' % cpu, 'topology')
        siblings = _cpulist(os.path.join(topology, 'thread_siblings_list'))
        info = cpuinfo.get(cpu, {})
        records.append({
            'cpu': cpu,
            'numa_node': node_of_cpu.get(cpu, 0),
            'core': inventory.read_int(os.path.join(topology, 'core_id'),
                                       default=cpu),
            'thread': siblings.index(cpu) if cpu in siblings else 0,
            'cpu_family': info.get('cpu family'),
            'cpu_model': info.get('model name'),
            'capabilities': {},
        })
    return records


def _node_dir(roots):
    return os.path.join(roots.sys, 'devices/system/node')


def _numbered(directory, pattern):
    """The numbers N of the entries named like ``pattern`` (nodeN, cpuN)."""
    return sorted(int(match.group(1))
                  for match in map(pattern.match, inventory.listdir(directory))
                  if match)


def _cpulist(path):
    """The cpus of a kernel cpu-list file; [] if missing or garbled."""
    try:
        return inventory.parse_cpulist(inventory.read(path))
    except ValueError:
        return []


def _online_cpus(roots):
    cpu_dir = os.path.join(roots.sys, 'devices/system/cpu')
    online = _cpulist(os.path.join(cpu_dir, 'online'))
    if online:
        return online
    # cpu0 of x86 hosts has no 'online' file: it cannot be taken offline.
    return [cpu for cpu in _numbered(cpu_dir, CPU_DIRECTORY)
            if inventory.read_int(os.path.join(cpu_dir, 'cpu%d' % cpu,
                                               'online'), default=1)]


def _node_of_cpu(roots):
    """The NUMA node of each cpu listed in some ``nodeN/cpulist``."""
    node_of_cpu = {}
    for node in node_ids(roots):
        cpulist = os.path.join(_node_dir(roots), 'node%d' % node, 'cpulist')
        for cpu in _cpulist(cpulist):
            node_of_cpu[cpu] = node
    return node_of_cpu


def _cpuinfo(roots):
    """``{processor: {'cpu family': ..., 'model name': ...}}`` of cpuinfo."""
    processors = {}
    current = {}
    text = inventory.read(os.path.join(roots.proc, 'cpuinfo'), default='')
    for line in text.splitlines():
        name, colon, value = line.partition(':')
        if not colon:
            continue
        name, value = name.strip(), value.strip()
        if name == 'processor':
            # A garbled number starts a block nobody will look up.
            current = {}
            if value.isdigit():
                processors[int(value)] = current
        elif name in ('cpu family', 'model name'):
            current[name] = value
    return processors
