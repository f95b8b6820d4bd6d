"""The Ethernet ports and PCI devices of the host, as stx-agent reports them.

Files read:

* ``<sys>/class/net/<ifname>/``: ``type``, ``address``, ``mtu``, ``speed``,
  ``link_mode``, ``dev_port`` (or ``dev_id`` on old kernels), the ``master``
  link, and the ``device`` link that leads to the PCI function;
* ``<sys>/bus/pci/devices/<address>/``: ``class``, ``vendor``, ``device``,
  ``revision``, ``subsystem_vendor``, ``subsystem_device``, ``numa_node``,
  ``sriov_totalvfs``, ``sriov_numvfs``, the ``virtfn<n>``, ``physfn`` and
  ``driver`` links;
* ``<proc>/net/bonding/<bond>``: the own MAC of a port in a bond.

StarlingX lists the functions with ``lspci`` and reads the same sysfs files.
Reading files only, this module differs in that:

* Names come from a small built-in table instead of pci.ids; an id missing
  from it is written the way lspci writes an unknown id (``Device 1572``).
  As in StarlingX, ports carry ``lspci -mnn`` names
  (``Intel Corporation [8086]``, ``Device [1572]``) and devices carry
  ``lspci -m`` ones (``Intel Corporation``, ``Device 37c8``).
* ``sriov_vf_driver`` is the driver the first VF is bound to; StarlingX
  reports, for ports, the kernel module able to drive it (``lspci -k``).
* The port's interface name is ``name``; StarlingX's agent sends it to the
  conductor as ``pname``.
* ``dpdksupport`` is always False: StarlingX asks the OVS-DPDK binary,
  which stx-flock does not ship.
* ``pci_devices`` keeps the classes worth passing to a workload (display,
  co-processor, encryption, processing accelerator, the FPGA class) where
  StarlingX keeps every class it does not exclude; all are ``enabled``.
* Numbers are ints: ``numa_node`` (0 when the kernel says -1),
  ``sriov_totalvfs``, ``sriov_numvfs``, ``mtu``, ``speed`` (None when the
  link is down), ``link_mode`` (sysfs ``link_mode``: 0 default, 1 dormant).

Ports are the functions' own interfaces: virtual interfaces (loopback,
bridges, bonds, VLANs) have no PCI function and SR-IOV VFs have a
``physfn``; neither is reported, as in StarlingX. A file that is missing or
malformed leaves its field ``None`` (``sriov_numvfs``, ``dev_id`` 0).
"""

import os
import re

from stx.sysinv.agent.inventory import listdir
from stx.sysinv.agent.inventory import read
from stx.sysinv.agent.inventory import read_int

ARPHRD_ETHER = 1
PCI_ADDRESS = re.compile(r'^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$')
MAC_ADDRESS = re.compile(r'^([0-9a-f]{2}:){5}[0-9a-f]{2}$')

# Class codes (leading hex digits) reported by pci_devices(): display
# controllers (GPUs), co-processors (QAT), encryption controllers and
# processing accelerators (StarlingX's FPGA class 120000, ACC100).
DEVICE_CLASSES = ('03', '0b40', '10', '12')

# pci.ids names of the classes and vendors a port or device usually has.
CLASS_NAMES = {
    '0200': 'Ethernet controller',
    '0280': 'Network controller',
    '0300': 'VGA compatible controller',
    '0302': '3D controller',
    '0380': 'Display controller',
    '0b40': 'Co-processor',
    '1000': 'Network and computing encryption device',
    '1080': 'Encryption controller',
    '1200': 'Processing accelerators',
}
VENDOR_NAMES = {
    '1002': 'Advanced Micro Devices, Inc. [AMD/ATI]',
    '1028': 'Dell',
    '10de': 'NVIDIA Corporation',
    '14e4': 'Broadcom Inc. and subsidiaries',
    '15b3': 'Mellanox Technologies',
    '1af4': 'Red Hat, Inc.',
    '8086': 'Intel Corporation',
}


def ports(roots):
    """One record per Ethernet port of a PCI function, sorted by name.

    :param roots: the ``Roots`` to read.
    :returns: a list of dicts with ``name``, ``pciaddr``, ``pclass``,
        ``pvendor``, ``pdevice``, ``pclass_id``, ``pvendor_id``,
        ``pdevice_id``, ``prevision``, ``psvendor``, ``psdevice``,
        ``numa_node``, ``sriov_totalvfs``, ``sriov_numvfs``,
        ``sriov_vfs_pci_address``, ``sriov_vf_driver``,
        ``sriov_vf_pdevice_id``, ``driver``, ``mac``, ``mtu``, ``speed``,
        ``link_mode``, ``dev_id`` and ``dpdksupport``.
    """
    records = []
    for name in listdir(os.path.join(roots.sys, 'class', 'net')):
        netdev = os.path.join(roots.sys, 'class', 'net', name)
        if read_int(os.path.join(netdev, 'type')) != ARPHRD_ETHER:
            continue
        function = _pci_function(netdev)
        if function is None or os.path.exists(os.path.join(function,
                                                           'physfn')):
            continue
        speed = read_int(os.path.join(netdev, 'speed'))
        dev_id = read_int(os.path.join(netdev, 'dev_port'), base=0)
        if dev_id is None:
            # Kernels before 3.15 numbered the ports of a function in dev_id.
            dev_id = read_int(os.path.join(netdev, 'dev_id'), 0, base=0)
        record = {'name': name}
        record.update(_pci_fields(function, with_ids=True))
        record.update({
            'mac': _mac(roots, netdev, name),
            'mtu': read_int(os.path.join(netdev, 'mtu')),
            'speed': speed if speed and speed > 0 else None,
            'link_mode': read_int(os.path.join(netdev, 'link_mode')),
            'dev_id': dev_id,
            'dpdksupport': False,
        })
        records.append(record)
    return records


def pci_devices(roots):
    """One record per PCI device worth passing through, sorted by address.

    :param roots: the ``Roots`` to read.
    :returns: a list of dicts with ``name`` (``pci_0000_3d_00_0``),
        ``pciaddr``, ``pclass_id``, ``pvendor_id``, ``pdevice_id``,
        ``pclass``, ``pvendor``, ``pdevice``, ``prevision``, ``psvendor``,
        ``psdevice``, ``numa_node``, ``sriov_totalvfs``, ``sriov_numvfs``,
        ``sriov_vfs_pci_address``, ``sriov_vf_driver``,
        ``sriov_vf_pdevice_id``, ``driver``, ``enabled`` and ``extra_info``.
    """
    devices = os.path.join(roots.sys, 'bus', 'pci', 'devices')
    records = []
    for address in listdir(devices):
        function = os.path.join(devices, address)
        class_id = _hex_id(os.path.join(function, 'class'), 6)
        if (not class_id or not class_id.startswith(DEVICE_CLASSES)
                or os.path.exists(os.path.join(function, 'physfn'))):
            continue
        record = {'name': 'pci_' + re.sub('[:.]', '_', address)}
        record.update(_pci_fields(function, with_ids=False))
        record.update({'enabled': True, 'extra_info': None})
        records.append(record)
    return records


def _pci_function(netdev):
    """The sysfs directory of the PCI function of a net device, or None.

    A virtual interface has no ``device`` link; a virtio NIC's leads to the
    virtio device, whose parent is the PCI function.
    """
    device = os.path.realpath(os.path.join(netdev, 'device'))
    if os.path.basename(device).startswith('virtio'):
        device = os.path.dirname(device)
    return device if PCI_ADDRESS.match(os.path.basename(device)) else None


def _pci_fields(function, with_ids):
    """The PCI part of a port or device record.

    :param function: the sysfs directory of the PCI function.
    :param with_ids: name things as ``lspci -mnn`` (ports) rather than as
        ``lspci -m`` (devices).
    """
    def path(name):
        return os.path.join(function, name)

    class_id = _hex_id(path('class'), 6)
    vendor_id = _hex_id(path('vendor'), 4)
    device_id = _hex_id(path('device'), 4)
    subvendor_id = _hex_id(path('subsystem_vendor'), 4)
    revision = read_int(path('revision'), base=16)
    if revision is not None:
        # lspci prints -rNN only for a non-zero revision; StarlingX then
        # stores '0'.
        revision = '-r%02x' % revision if revision else '0'
    vfs = _virtual_functions(function)
    return {
        'pciaddr': os.path.basename(function),
        'pclass_id': class_id,
        'pvendor_id': vendor_id,
        'pdevice_id': device_id,
        'pclass': _lspci_name(CLASS_NAMES, class_id and class_id[:4],
                              'Class', with_ids),
        'pvendor': _lspci_name(VENDOR_NAMES, vendor_id, 'Vendor', with_ids),
        'pdevice': _lspci_name({}, device_id, 'Device', with_ids),
        'prevision': revision,
        'psvendor': _lspci_name(VENDOR_NAMES, subvendor_id, 'Unknown vendor',
                                with_ids),
        'psdevice': _lspci_name({}, _hex_id(path('subsystem_device'), 4),
                                'Device', with_ids),
        'numa_node': max(read_int(path('numa_node'), 0), 0),
        'sriov_totalvfs': read_int(path('sriov_totalvfs')),
        'sriov_numvfs': read_int(path('sriov_numvfs'), 0),
        'sriov_vfs_pci_address': ','.join(os.path.basename(vf) for vf in vfs),
        'sriov_vf_driver': _driver(vfs[0]) if vfs else None,
        'sriov_vf_pdevice_id': (_hex_id(os.path.join(vfs[0], 'device'), 4)
                                if vfs else None),
        'driver': _driver(function),
    }


def _hex_id(path, digits):
    """A sysfs id (``0x8086``) as StarlingX stores it (``8086``), or None."""
    number = read_int(path, base=16)
    if number is None or number < 0:
        return None
    return '%0*x' % (digits, number)


def _lspci_name(names, number, unknown, with_ids):
    """What lspci shows for an id, ``names`` standing in for pci.ids."""
    if number is None:
        return None
    name = names.get(number)
    if with_ids:
        return '%s [%s]' % (name or unknown, number)
    return name or '%s %s' % (unknown, number)


def _virtual_functions(function):
    """The sysfs directories of a PF's VFs, in VF order."""
    links = [n for n in listdir(function)
             if n.startswith('virtfn') and n[len('virtfn'):].isdigit()]
    links.sort(key=lambda n: int(n[len('virtfn'):]))
    return [os.path.realpath(os.path.join(function, n)) for n in links]


def _driver(function):
    """The name of the driver a PCI function is bound to, or None."""
    try:
        return os.path.basename(os.readlink(os.path.join(function, 'driver')))
    except OSError:
        return None


def _mac(roots, netdev, name):
    """The MAC address of a port, lower-case, or None.

    A port in a bond shows the bond's MAC; its own is in the bonding
    driver's report, which StarlingX reads too, so hosts are still found by
    their ports' burnt-in MACs.
    """
    mac = None
    master = os.path.join(netdev, 'master')
    if os.path.exists(master):
        bond = os.path.basename(os.path.realpath(master))
        mac = _permanent_mac(
            os.path.join(roots.proc, 'net', 'bonding', bond), name)
    mac = (mac or read(os.path.join(netdev, 'address')) or '').lower()
    return mac if MAC_ADDRESS.match(mac) else None


def _permanent_mac(bonding_report, port):
    """The ``Permanent HW addr`` of ``port`` in a bonding report, or None."""
    in_port = False
    for line in (read(bonding_report) or '').splitlines():
        key, _, value = line.partition(':')
        if key == 'Slave Interface':
            in_port = value.strip() == port
        elif in_port and key == 'Permanent HW addr':
            return value.strip()
    return None
