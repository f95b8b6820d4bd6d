"""The whole disks of the host, as stx-agent reports them (``idisk``).

Files read:

* ``<sys>/block/<disk>/``: ``dev`` (major:minor), ``size`` (always in
  512-byte sectors, whatever the disk's block size), ``queue/rotational``,
  ``partition`` (present only on partitions), ``device/model``,
  ``device/serial`` (NVMe), ``device/wwid`` (SCSI) or ``wwid`` (NVMe);
* ``<dev>/disk/by-path``, ``<dev>/disk/by-id``: udev's links, matched to a
  disk by the name they point at (``../../sda``);
* ``<proc>/cmdline`` and ``<dev>/disk/by-uuid``, ``by-partuuid``: which disk
  holds the root filesystem.

StarlingX asks udev and runs hdparm, lsblk, sgdisk and pvs for the same
facts. Reading files only, this module differs in that:

* ``available_mib`` is ``size_mib``: the space not yet partitioned needs
  the partition table (sgdisk); the partition collector can refine it.
* ``device_num`` is ``os.makedev(major, minor)``, the number pyudev gives
  StarlingX (``major * 256 + minor`` for the usual small numbers: sda is
  2048, nvme0n1 is 66304).
* ``rpm`` of a disk that spins is ``'Undetermined'``: only udev's ATA probe
  knows the rotation rate.
* The model of a SCSI or SATA disk is sysfs's 16-character INQUIRY model
  (``INTEL SSDSC2KB48``); hdparm would give the full ATA model.
* ``serial_id`` is ``device/serial`` (NVMe) or else the last ``_`` part of
  the ``by-id`` name (``ata-<model>_<serial>``), which is how udev builds it.
* ``device_wwn`` is the ``wwn-*`` by-id name, as in StarlingX; a disk
  without one gets its sysfs ``wwid`` (``eui.*`` or ``naa.*``) instead.
* Disks are picked by name and bus, not by udev properties: partitions,
  loop, ram, zram, device-mapper, md, drbd, nbd, rbd, floppy and optical
  devices and USB disks are skipped.

``device_type`` is ``HDD`` (rotational), ``SSD`` or ``NVME`` (not
rotational, named nvme*), as in StarlingX. A file that is missing or
malformed leaves its field ``None`` (``size_mib`` 0, ``rpm``
``'Undetermined'``, ``model_num`` ``'Unknown'``, as StarlingX has them).
"""

import collections
import os
import re

from stx.sysinv.agent.inventory import listdir
from stx.sysinv.agent.inventory import read
from stx.sysinv.agent.inventory import read_int

DEVICE_TYPE_HDD = 'HDD'
DEVICE_TYPE_SSD = 'SSD'
DEVICE_TYPE_NVME = 'NVME'
RPM_UNDETERMINED = 'Undetermined'
RPM_NOT_APPLICABLE = 'N/A'
MODEL_UNKNOWN = 'Unknown'
STOR_FUNCTION_ROOTFS = 'rootfs'

SECTORS_PER_MIB = 2048
NOT_DISKS = ('loop', 'ram', 'zram', 'dm-', 'md', 'drbd', 'nbd', 'rbd', 'fd',
             'sr')
# How root= names the root filesystem, and where udev links such names.
ROOT_LINKS = {'UUID': 'by-uuid', 'PARTUUID': 'by-partuuid'}


def disks(roots):
    """One record per whole local disk, sorted by name.

    :param roots: the ``Roots`` to read.
    :returns: a list of dicts with ``device_node``, ``device_num``,
        ``device_type``, ``device_path``, ``device_id``, ``device_wwn``,
        ``size_mib``, ``available_mib``, ``serial_id``, ``rpm`` and
        ``capabilities`` (``model_num``, and ``stor_function: rootfs`` on
        the disk of the root filesystem).
    """
    by_path = _links(os.path.join(roots.dev, 'disk', 'by-path'))
    by_id = _links(os.path.join(roots.dev, 'disk', 'by-id'))
    root_disk = _root_disk(roots)
    records = []
    for name in listdir(os.path.join(roots.sys, 'block')):
        block = os.path.join(roots.sys, 'block', name)
        if (name.startswith(NOT_DISKS)
                or os.path.exists(os.path.join(block, 'partition'))
                or '/usb' in os.path.realpath(block)):
            continue
        record = _disk(name, block, by_path[name], by_id[name])
        if name == root_disk:
            record['capabilities']['stor_function'] = STOR_FUNCTION_ROOTFS
        records.append(record)
    return records


def _disk(name, block, path_links, id_links):
    """The record of disk ``name``, whose sysfs directory is ``block``."""
    rotational = read(os.path.join(block, 'queue', 'rotational'))
    if rotational == '1':
        device_type, rpm = DEVICE_TYPE_HDD, RPM_UNDETERMINED
    elif rotational == '0':
        device_type = (DEVICE_TYPE_NVME if name.startswith('nvme')
                       else DEVICE_TYPE_SSD)
        rpm = RPM_NOT_APPLICABLE
    else:
        device_type, rpm = None, RPM_UNDETERMINED
    device_id, device_wwn = _split_ids(id_links)
    size_mib = max(read_int(os.path.join(block, 'size'), 0), 0)
    size_mib //= SECTORS_PER_MIB
    model = read(os.path.join(block, 'device', 'model')) or MODEL_UNKNOWN
    return {
        'device_node': '/dev/' + name,
        'device_num': _device_number(read(os.path.join(block, 'dev'))),
        'device_type': device_type,
        # udev's ID_PATH is the longer name when it also keeps a
        # compatibility link (ata-1 beside ata-1.0); sorted, it comes last.
        'device_path': ('/dev/disk/by-path/' + path_links[-1]
                        if path_links else None),
        'device_id': device_id,
        'device_wwn': (device_wwn
                       or read(os.path.join(block, 'device', 'wwid'))
                       or read(os.path.join(block, 'wwid'))),
        'size_mib': size_mib,
        'available_mib': size_mib,
        'serial_id': (read(os.path.join(block, 'device', 'serial'))
                      or _serial_from_id(device_id)),
        'rpm': rpm,
        'capabilities': {'model_num': model},
    }


def _links(directory):
    """The links of a udev directory, by the device name they point at."""
    links = collections.defaultdict(list)
    for link in listdir(directory):
        try:
            target = os.readlink(os.path.join(directory, link))
        except OSError:
            continue
        links[os.path.basename(target)].append(link)
    return links


def _split_ids(names):
    """The device id and the WWN among a disk's by-id names.

    StarlingX takes any by-id name but ``wwn-*`` as the id, and the
    ``wwn-*`` one as the WWN. Of several ids, a ``<model>_<serial>`` name
    says more than an EUI or NAA number, so it is preferred.
    """
    wwns = [n for n in names if n.startswith('wwn-')]
    ids = sorted((n for n in names if not n.startswith('wwn-')),
                 key=lambda n: '_' not in n)
    return (ids[0] if ids else None), (wwns[0] if wwns else None)


def _serial_from_id(device_id):
    """The serial number at the end of ``ata-<model>_<serial>``, or None."""
    if device_id and '_' in device_id:
        return device_id.rsplit('_', 1)[1]
    return None


def _device_number(text):
    """``os.makedev`` of a ``major:minor`` text, or None if malformed."""
    major, _, minor = (text or '').partition(':')
    try:
        return os.makedev(int(major), int(minor))
    except (ValueError, OverflowError):
        return None


def _root_disk(roots):
    """The name of the disk of the root filesystem (``root=``), or None."""
    values = [param.partition('=')[2]
              for param in (read(os.path.join(roots.proc, 'cmdline')) or
                            '').split()
              if param.startswith('root=')]
    if not values:
        return None
    # The kernel uses the last root= it is given.
    kind, _, key = values[-1].partition('=')
    if kind in ROOT_LINKS:
        try:
            partition = os.path.basename(os.readlink(os.path.join(
                roots.dev, 'disk', ROOT_LINKS[kind], key)))
        except OSError:
            return None
    else:
        partition = os.path.basename(values[-1])
    # nvme0n1p2 is on nvme0n1, sda2 on sda: strip the partition number.
    pattern = r'nvme\d+n\d+' if partition.startswith('nvme') else r'\D+'
    match = re.match(pattern, partition)
    return match.group(0) if match else None
