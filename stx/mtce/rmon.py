"""Resource monitoring (StarlingX's rmond), run inside stx-agent.

Every ``[rmon] audit_interval`` seconds the agent samples its host's
platform CPU usage over the interval (``/proc/stat``), memory usage
(MemTotal - MemAvailable, ``/proc/meminfo``) and the usage of each file
system of ``[rmon] filesystems`` (as df counts it). A resource at or above
a threshold is a condition of the severity of the highest threshold it
crossed, keyed ``cpu``, ``memory`` or ``filesystem=<mount point>``, and
reported (source ``resource`` of the agent's condition reports): host
maintenance raises alarm 100.101, 100.103 or 100.104 with it. A severity
drops only once usage is ``[rmon] hysteresis`` points below the threshold
that raised it, so usage hovering at a threshold does not flap.

The real ``/proc`` is read, never ``[agent] proc_root`` (which stands in
for a host's inventory in tests). The sampling functions take what they
read as arguments, so tests need no real load.
"""

import collections
import os

from oslo_log import log as logging

from stx.common import periodic
from stx.conf import CONF

LOG = logging.getLogger(__name__)

SEVERITIES = ('minor', 'major', 'critical')     # lowest first
CPU = 'cpu'
MEMORY = 'memory'
FILESYSTEM = 'filesystem'

Thresholds = collections.namedtuple('Thresholds', SEVERITIES)

# Seconds stop() waits for the audit in progress.
_STOP_TIMEOUT = 1


def cpu_times(stat_text):
    """(busy, total) jiffies of all cpus, from /proc/stat's text."""
    for line in stat_text.splitlines():
        fields = line.split()
        if fields and fields[0] == 'cpu':
            # user nice system idle iowait irq softirq steal; guest time
            # is already counted in user and nice.
            times = [int(value) for value in fields[1:9]]
            idle = sum(times[3:5])
            return sum(times) - idle, sum(times)
    raise ValueError('no cpu line in /proc/stat')


def cpu_usage(before, after):
    """Percent of cpu time busy between two ``cpu_times``; None if no time
    passed.
    """
    busy, total = after[0] - before[0], after[1] - before[1]
    if total <= 0:
        return None
    return 100.0 * busy / total


def memory_usage(meminfo_text):
    """Percent of memory in use, from /proc/meminfo's text."""
    values = {}
    for line in meminfo_text.splitlines():
        name, _, rest = line.partition(':')
        if rest.split():
            values[name] = int(rest.split()[0])
    total, available = values['MemTotal'], values['MemAvailable']
    return 100.0 * (total - available) / total


def filesystem_usage(statvfs):
    """Percent of a file system in use, as df counts it: used over what
    unprivileged users may use (blocks reserved for root left out).
    """
    used = statvfs.f_blocks - statvfs.f_bfree
    usable = used + statvfs.f_bavail
    if usable <= 0:
        return 0.0
    return 100.0 * used / usable


def severity(usage, thresholds, previous=None, hysteresis=0.0):
    """The severity of ``usage``; None below every threshold.

    The highest threshold at or below usage; but a ``previous`` higher
    severity holds until usage falls ``hysteresis`` points below its
    threshold, and then drops one level at a time likewise.
    """
    crossed = None
    for name in SEVERITIES:
        if usage >= getattr(thresholds, name):
            crossed = name
    held = previous
    while held is not None and usage < getattr(thresholds,
                                               held) - hysteresis:
        level = SEVERITIES.index(held)
        held = SEVERITIES[level - 1] if level else None
    if held is None or (crossed is not None and
                        SEVERITIES.index(crossed) > SEVERITIES.index(held)):
        return crossed
    return held


def thresholds(resource):
    """``resource``'s thresholds from [rmon]; None, logged, if disordered."""
    values = Thresholds(*(getattr(CONF.rmon, '%s_%s_threshold'
                                  % (resource, name))
                          for name in SEVERITIES))
    if not values.minor <= values.major <= values.critical:
        LOG.error('rmon: %(resource)s not monitored: its thresholds must '
                  'be minor <= major <= critical, not %(minor)s / '
                  '%(major)s / %(critical)s',
                  dict(values._asdict(), resource=resource))
        return None
    return values


def _describe(key, usage, level, limits):
    if key == CPU:
        what = 'platform CPU usage %.1f%%' % usage
    elif key == MEMORY:
        what = 'memory %.1f%% used' % usage
    else:
        what = 'filesystem %s %.1f%% used' % (key.partition('=')[2], usage)
    return '%s (%s threshold %d%%)' % (what, level, getattr(limits, level))


def _read(path):
    with open(path) as source:
        return source.read()


class ResourceMonitor:
    """Samples the host's resources every ``[rmon] audit_interval``.

    :param report: called after every audit with the list of conditions
        (``key``, ``severity``, ``reason``).
    :param read: reads a /proc file's text, given its path.
    :param statvfs: ``os.statvfs`` or a stand-in.
    """

    def __init__(self, report, read=_read, statvfs=os.statvfs):
        self._report = report
        self._read = read
        self._statvfs = statvfs
        # Resource -> its Thresholds; resources left out are not watched.
        self._limits = {}
        for resource in (CPU, MEMORY, FILESYSTEM):
            limits = thresholds(resource)
            if limits is not None:
                self._limits[resource] = limits
        self._cpu_before = None
        self._severities = {}      # key -> its severity at the last audit
        self._unreadable = set()   # what was logged as unreadable
        self._task = periodic.PeriodicTask(
            'stx-agent-rmon', self.audit,
            lambda: CONF.rmon.audit_interval)

    def start(self):
        self._task.start()

    def stop(self):
        self._task.stop(_STOP_TIMEOUT)

    def sample(self):
        """{key: usage percent} of every monitored resource readable now.

        CPU usage is over the time since the previous sample: the first
        sample has none.
        """
        usages = {}
        if CPU in self._limits:
            after = self._sampled('/proc/stat',
                                  lambda: cpu_times(self._read('/proc/stat')))
            if after is not None:
                if self._cpu_before is not None:
                    usage = cpu_usage(self._cpu_before, after)
                    if usage is not None:
                        usages[CPU] = usage
                self._cpu_before = after
        if MEMORY in self._limits:
            usage = self._sampled('/proc/meminfo', lambda: memory_usage(
                self._read('/proc/meminfo')))
            if usage is not None:
                usages[MEMORY] = usage
        if FILESYSTEM in self._limits:
            for path in CONF.rmon.filesystems:
                usage = self._sampled(path, lambda: filesystem_usage(
                    self._statvfs(path)))
                if usage is not None:
                    usages['%s=%s' % (FILESYSTEM, path)] = usage
        return usages

    def _sampled(self, what, sample):
        """``sample()``; None, logged once until it works again, if it
        fails.
        """
        try:
            value = sample()
        except (OSError, ValueError, KeyError, ZeroDivisionError) as error:
            if what not in self._unreadable:
                LOG.warning('rmon: cannot sample %(what)s: %(error)s',
                            {'what': what, 'error': error})
            self._unreadable.add(what)
            return None
        self._unreadable.discard(what)
        return value

    def audit(self):
        """Sample, and report the resources above a threshold."""
        hysteresis = CONF.rmon.hysteresis
        conditions = []
        severities = {}
        for key, usage in sorted(self.sample().items()):
            limits = self._limits[key.partition('=')[0]]
            level = severity(usage, limits, self._severities.get(key),
                             hysteresis)
            if level != self._severities.get(key):
                LOG.info('rmon: %(key)s %(usage).1f%%: %(level)s',
                         {'key': key, 'usage': usage,
                          'level': level or 'below its thresholds'})
            if level is None:
                continue
            severities[key] = level
            conditions.append({'key': key, 'severity': level,
                               'reason': _describe(key, usage, level,
                                                   limits)})
        self._severities = severities
        self._report(conditions)
        return conditions
