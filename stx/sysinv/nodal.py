"""Nodal configuration: a host's CPU functions and huge pages, checked
against its inventory.

Plain functions over DB rows (stx.sysinv.db.api), no I/O. The API parses a
request with them for a quick 400; the conductor checks it again against
the stored inventory inside the transaction that writes it. Every refusal
names the input at fault: ``function``, ``processor 3``, ``platform``,
``vm_hugepages_nr_1G_pending``.
"""

import re

from stx.common import exception
from stx.common import states
from stx.conf import CONF

# What ``host-cpu-modify -f`` takes, and the allocated_function it sets.
CPU_FUNCTION_NAMES = {
    'platform': states.CPU_FUNCTION_PLATFORM,
    'vswitch': states.CPU_FUNCTION_VSWITCH,
    'shared': states.CPU_FUNCTION_SHARED,
    'application-isolated': states.CPU_FUNCTION_APPLICATION_ISOLATED,
}
# The order functions take a NUMA node's physical cores in, from its lowest
# core (platform first, as StarlingX: core 0 runs the kernel's
# housekeeping). The cores left over run applications.
ASSIGNMENT_ORDER = (states.CPU_FUNCTION_PLATFORM, states.CPU_FUNCTION_VSWITCH,
                    states.CPU_FUNCTION_SHARED,
                    states.CPU_FUNCTION_APPLICATION_ISOLATED)

# The memory fields host-memory-modify sets, and the page size of each.
HUGEPAGES_2M = 'vm_hugepages_nr_2M_pending'
HUGEPAGES_1G = 'vm_hugepages_nr_1G_pending'
HUGEPAGE_MIB = {HUGEPAGES_2M: 2, HUGEPAGES_1G: 1024}

_WHOLE_NUMBER = re.compile(r'^\s*\d+\s*$', re.ASCII)


def _invalid(field, reason):
    return exception.InvalidParameterValue(field=field, reason=reason)


def whole_number(field, value):
    """An int >= 0 from an int or its decimal text (StarlingX's client
    sends numbers as text).

    :raises: InvalidParameterValue naming ``field``.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if value >= 0:
            return value
    elif isinstance(value, str) and _WHOLE_NUMBER.match(value):
        return int(value)
    raise _invalid(field, '%r is not a whole number >= 0' % (value,))


def _node_number(value):
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and _WHOLE_NUMBER.match(value):
        return int(value)
    raise _invalid('sockets', '%r is not a processor (NUMA node) number'
                   % (value,))


# CPU functions.

def parse_cpu_functions(functions):
    """The cores each function asks for, from StarlingX's request body.

    :param functions: ``[{"function": "platform", "sockets": [{"0": 2},
        {"1": 0}]}, ...]``: per function, the number of physical cores of
        each processor (NUMA node) it gets. Processors a function does not
        name keep its current cores.
    :returns: ``{allocated_function: {numa_node: cores}}``.
    :raises: InvalidParameterValue, MissingParameterValue naming the field.
    """
    if not isinstance(functions, list) or not functions:
        raise _invalid('functions', 'must be a non-empty list of '
                       '{"function": ..., "sockets": [{"<processor>": '
                       '<cores>}]}')
    requested = {}
    for entry in functions:
        if not isinstance(entry, dict):
            raise _invalid('functions', 'each entry must be an object, not '
                           '%r' % (entry,))
        name = entry.get('function')
        function = (CPU_FUNCTION_NAMES.get(name.lower())
                    if isinstance(name, str) else None)
        if function is None:
            raise _invalid('function', '%r is not one of %s' % (
                name, ', '.join(CPU_FUNCTION_NAMES)))
        if function in requested:
            raise _invalid('function', "'%s' is given twice" % name)
        sockets = entry.get('sockets')
        if isinstance(sockets, dict):
            sockets = [sockets]
        if not sockets:
            raise exception.MissingParameterValue(
                field='sockets', reason='give the cores of at least one '
                'processor, e.g. [{"0": 2}]')
        if not isinstance(sockets, list) or not all(
                isinstance(socket, dict) for socket in sockets):
            raise _invalid('sockets', 'must be a list of {"<processor>": '
                           '<cores>} objects')
        cores = {}
        for socket in sockets:
            for node, count in socket.items():
                node = _node_number(node)
                field = 'processor %d' % node
                if node in cores:
                    raise _invalid(field, 'given twice for %s' % name)
                cores[node] = whole_number(field, count)
        requested[function] = cores
    return requested


def _cores_by_node(cpus):
    """``{numa_node: {core: [cpu rows, by thread]}}``."""
    nodes = {}
    for cpu in sorted(cpus, key=lambda cpu: (cpu['thread'] or 0,
                                             cpu['cpu'])):
        nodes.setdefault(cpu['numa_node'], {}).setdefault(
            cpu['core'], []).append(cpu)
    return nodes


def core_counts(cpus):
    """``{numa_node: {function: physical cores}}`` of a host's cpus; a core
    counts as the function of its first thread.
    """
    counts = {}
    for node, cores in _cores_by_node(cpus).items():
        node_counts = counts.setdefault(node, {})
        for threads in cores.values():
            function = threads[0]['allocated_function']
            node_counts[function] = node_counts.get(function, 0) + 1
    return counts


def assign_cpu_functions(host, cpus, requested):
    """The function of every logical cpu once ``requested`` is applied.

    Each NUMA node's physical cores are handed out from its lowest core in
    ASSIGNMENT_ORDER; every hyper-thread of a core gets its core's
    function; the cores left run applications.

    :param host: the host's row (for messages).
    :param cpus: the host's cpu rows (dbapi.cpu_list).
    :param requested: parse_cpu_functions' result.
    :returns: ``{cpu: allocated_function}`` for every cpu.
    :raises: InvalidParameterValue naming ``processor N`` (no such NUMA
        node, more cores than it has) or ``platform`` (none left).
    """
    name = host['hostname'] or host['uuid']
    nodes = _cores_by_node(cpus)
    counts = core_counts(cpus)
    wanted = {node: {function: counts[node].get(function, 0)
                     for function in ASSIGNMENT_ORDER}
              for node in nodes}
    for function, cores in requested.items():
        for node, count in sorted(cores.items()):
            if node not in nodes:
                known = ', '.join(str(n) for n in sorted(nodes)) or 'none'
                raise _invalid('processor %d' % node,
                               'host %s has no processor (NUMA node) %d; it '
                               'has: %s' % (name, node, known))
            wanted[node][function] = count
    for node in sorted(nodes):
        total = sum(wanted[node].values())
        if total > len(nodes[node]):
            detail = ', '.join('%s %d' % (function.lower(), count)
                               for function, count in wanted[node].items()
                               if count)
            raise _invalid('processor %d' % node,
                           '%d cores assigned (%s) but processor %d of host '
                           '%s has only %d' % (total, detail, node, name,
                                               len(nodes[node])))
    if not sum(wanted[node][states.CPU_FUNCTION_PLATFORM] for node in nodes):
        raise _invalid('platform', 'host %s needs at least one platform '
                       'core' % name)
    functions = {}
    for node, cores in nodes.items():
        order = [function for function in ASSIGNMENT_ORDER
                 for _ in range(wanted[node][function])]
        for index, core in enumerate(sorted(cores)):
            function = (order[index] if index < len(order)
                        else states.CPU_FUNCTION_APPLICATION)
            for cpu in cores[core]:
                functions[cpu['cpu']] = function
    return functions


# Memory.

def default_platform_reserved_mib(host, numa_node):
    """The MiB of a NUMA node the platform keeps, from [sysinv] options.

    None for node 0 of a host without a personality yet: whether it will
    be a controller decides its reservation.
    """
    if numa_node != 0:
        return CONF.sysinv.platform_reserved_mib_other_nodes
    if host['personality'] == states.CONTROLLER:
        return CONF.sysinv.platform_reserved_mib_controller_node0
    if host['personality']:
        return CONF.sysinv.platform_reserved_mib_worker_node0
    return None


def _pages(memory, field, values):
    if field in values:
        return values[field]
    if memory[field] is not None:
        return memory[field]
    # Nothing pending: the pages configured now stay.
    return memory[field.replace('_pending', '')] or 0


def hugepages_problem(host, memory, values=None):
    """Why a node's huge pages do not fit its memory; None if they do.

    (2M pages × 2 MiB + 1G pages × 1024 MiB + vswitch huge pages) must not
    exceed node_memtotal_mib − platform_reserved_mib. Pending counts are
    taken from ``values``, else as stored, else the configured counts.

    :param host: the host's row.
    :param memory: the node's memory row (dbapi.memory_list).
    :param values: ``{field: pages}`` about to be stored.
    """
    values = values or {}
    pages = {field: _pages(memory, field, values) for field in HUGEPAGE_MIB}
    vswitch_pages = (memory['vswitch_hugepages_reqd']
                     if memory['vswitch_hugepages_reqd'] is not None
                     else memory['vswitch_hugepages_nr']) or 0
    vswitch_mib = vswitch_pages * (memory['vswitch_hugepages_size_mib'] or 0)
    total = memory['node_memtotal_mib']
    if total is None:
        total = memory['memtotal_mib'] or 0
    reserved = memory['platform_reserved_mib']
    if reserved is None:
        reserved = default_platform_reserved_mib(
            host, memory['numa_node']) or 0
    needed = (pages[HUGEPAGES_2M] * HUGEPAGE_MIB[HUGEPAGES_2M] +
              pages[HUGEPAGES_1G] * HUGEPAGE_MIB[HUGEPAGES_1G] + vswitch_mib)
    available = total - reserved
    # A node smaller than the reservation has no room for huge pages, but
    # without any it is no reason to refuse anything.
    if not needed or needed <= available:
        return None
    return ('%d MiB of huge pages (%d × 2 MiB, %d × 1 GiB, %d MiB vswitch) '
            'exceed the %d MiB of processor %d left after the platform '
            'reservation (%d MiB of %d MiB)'
            % (needed, pages[HUGEPAGES_2M], pages[HUGEPAGES_1G], vswitch_mib,
               max(available, 0), memory['numa_node'], reserved, total))


def check_hugepages(host, memory, values):
    """The huge page counts to store for one NUMA node, checked.

    :param values: ``{vm_hugepages_nr_2M_pending: n,
        vm_hugepages_nr_1G_pending: n}`` (either or both; ints or decimal
        text).
    :returns: the counts as ints.
    :raises: UnknownField, MissingParameterValue, InvalidParameterValue
        naming the field (the larger request when the pages do not fit).
    """
    if not isinstance(values, dict) or not values:
        raise exception.MissingParameterValue(
            field=HUGEPAGES_2M, reason='give %s or %s'
            % (HUGEPAGES_2M, HUGEPAGES_1G))
    for field in values:
        if field not in HUGEPAGE_MIB:
            raise exception.UnknownField(field=field)
    counts = {field: whole_number(field, value)
              for field, value in values.items()}
    problem = hugepages_problem(host, memory, counts)
    if problem:
        field = max(counts, key=lambda f: counts[f] * HUGEPAGE_MIB[f])
        raise _invalid(field, problem)
    return counts
