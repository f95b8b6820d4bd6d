"""What stx-agent finds out about its host, read from /proc, /sys and /dev.

Each module collects one kind of inventory as a list of dicts with the
field names of StarlingX's agent reports (``numa_node``, ``cpu``,
``memtotal_mib``, ``device_node``, ``pciaddr``...). They read only files, so
tests point them at the synthesized trees under ``tests/fixtures/inventory``
through ``Roots``.
"""

import collections
import os

Roots = collections.namedtuple('Roots', ['proc', 'sys', 'dev'])
Roots.__doc__ = 'Where the /proc, /sys and /dev trees a collector reads are.'
HOST = Roots(proc='/proc', sys='/sys', dev='/dev')


def read(path, default=None):
    """A small file's text, stripped; ``default`` if it cannot be read."""
    try:
        with open(path) as text:
            return text.read().strip()
    except (OSError, UnicodeDecodeError):
        return default


def read_int(path, default=None, base=10):
    """A file holding one integer; ``default`` if absent or malformed."""
    text = read(path)
    try:
        return int(text, base)
    except (TypeError, ValueError):
        return default


def parse_cpulist(text):
    """The numbers of a kernel cpu list such as ``0-3,8,10-11``."""
    numbers = []
    for part in (text or '').split(','):
        part = part.strip()
        if not part:
            continue
        first, _, last = part.partition('-')
        numbers.extend(range(int(first), int(last or first) + 1))
    return numbers


def listdir(path):
    """Sorted entries of a directory; empty if it does not exist."""
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []
