"""A host's rendered configuration: what the conductor pushes to its agent.

StarlingX renders per-host hieradata for puppet; stx-flock renders one plain
dict per host, built only here, which the conductor casts to the host's
agent (``stx.sysinv.agent.rpcapi.AgentAPI.config_apply``) and the agent
writes, as JSON, to ``<[agent] config_dir>/host-config.json``. The format,
version 1::

    {
      "config_uuid": "1c0e...",        # the host's config_target
      "hostname": "worker-0",
      "personality": "worker",
      "subfunctions": "worker",
      "cpus": {                         # allocated_function ->
        "Platform": {"0": "0-1,16-17"}, #   NUMA node (text) -> kernel
        "Application": {"0": "2-15,18-31", "1": "..."}  # cpu list
      },
      "hugepages": [                    # one per NUMA node and page size,
        {"numa_node": 0, "size_mib": 2, "count": 1024},  # pending count,
        {"numa_node": 0, "size_mib": 1024, "count": 0}   # else configured
      ],
      "platform_reserved_mib": {"0": 2000, "1": 1000},
      "interfaces": [                   # by ifname
        {"ifname": "eth0", "iftype": "ethernet", "ifclass": "none",
         "mtu": 9000, "vlan_id": null, "uses": [], "ports": ["eno1"],
         "networks": []},
        {"ifname": "mgmt0", "iftype": "vlan", "ifclass": "platform",
         "mtu": 1500, "vlan_id": 10, "uses": ["eth0"], "ports": [],
         "networks": ["cluster-host", "mgmt"]}
      ]
    }

NUMA node numbers are text in the ``cpus`` and ``platform_reserved_mib``
keys because JSON object keys are; ``numa_node`` in ``hugepages`` is a
number. A function no cpu has is left out; a node without memory rows has
no ``hugepages`` entries. ``interfaces`` holds the operator's interfaces
(``host-if-add``): ``uses`` names lower interfaces (vlan, ae), ``ports``
the port an ethernet interface is bound to (none if its port is gone),
``networks`` the platform network types it carries.
"""

from stx.sysinv.db import interfaces_api
from stx.sysinv.db import inventory_api
from stx.sysinv import nodal

# Page size (MiB) -> the memory columns of its (pending, configured) counts.
_HUGEPAGE_COLUMNS = (
    (2, nodal.HUGEPAGES_2M, 'vm_hugepages_nr_2M'),
    (1024, nodal.HUGEPAGES_1G, 'vm_hugepages_nr_1G'),
)


def cpulist(cpus):
    """The kernel's cpu list text of cpu numbers: ``[0, 1, 16, 17]`` ->
    ``'0-1,16-17'``.
    """
    ranges = []
    for cpu in sorted(set(cpus)):
        if ranges and cpu == ranges[-1][1] + 1:
            ranges[-1][1] = cpu
        else:
            ranges.append([cpu, cpu])
    return ','.join('%d' % first if first == last else '%d-%d' % (first, last)
                    for first, last in ranges)


def cpu_functions(cpus):
    """``{function: {numa node text: cpulist}}`` of a host's cpu rows."""
    grouped = {}
    for cpu in cpus:
        node = str(cpu['numa_node'])
        grouped.setdefault(cpu['allocated_function'], {}).setdefault(
            node, []).append(cpu['cpu'])
    return {function: {node: cpulist(numbers)
                       for node, numbers in sorted(nodes.items())}
            for function, nodes in sorted(grouped.items())}


def hugepages(memory_rows):
    """The huge pages of each NUMA node: the pending count where the
    operator set one, else the configured (reported) count, else 0.
    """
    pages = []
    for row in sorted(memory_rows, key=lambda row: row['numa_node']):
        for size_mib, pending, configured in _HUGEPAGE_COLUMNS:
            count = row[pending]
            if count is None:
                count = row[configured]
            pages.append({'numa_node': row['numa_node'],
                          'size_mib': size_mib, 'count': count or 0})
    return pages


def interfaces(rows):
    """The ``interfaces`` of a host's configuration, by ifname."""
    return [{'ifname': row['ifname'], 'iftype': row['iftype'],
             'ifclass': row['ifclass'], 'mtu': row['imtu'],
             'vlan_id': row['vlan_id'], 'uses': list(row['uses']),
             'ports': list(row['ports']),
             'networks': list(row['networktypelist'])}
            for row in sorted(rows, key=lambda row: row['ifname'])]


def render_host_config(context, host):
    """The configuration of ``host`` (a DB row) as its agent applies it.

    :param host: the host's row; its ``config_target`` becomes
        ``config_uuid``.
    :returns: the dict documented in this module.
    """
    memory_rows = inventory_api.memory_list(context, host['id'])
    return {
        'config_uuid': host['config_target'],
        'hostname': host['hostname'],
        'personality': host['personality'],
        'subfunctions': host['subfunctions'],
        'cpus': cpu_functions(inventory_api.cpu_list(context, host['id'])),
        'hugepages': hugepages(memory_rows),
        'platform_reserved_mib': {
            str(row['numa_node']): row['platform_reserved_mib']
            for row in sorted(memory_rows,
                              key=lambda row: row['numa_node'])},
        'interfaces': interfaces(
            interfaces_api.interface_list(context, host['id'])),
    }
