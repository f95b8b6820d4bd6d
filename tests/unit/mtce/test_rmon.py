"""rmon: usage maths, thresholds with hysteresis, and the conditions an
audit reports, from /proc texts and statvfs results the tests make up.
"""

import os

import fixtures
from oslo_config import fixture as config_fixture
import testtools

from stx.conf import CONF
from stx.mtce import rmon

LIMITS = rmon.Thresholds(minor=70, major=80, critical=90)
MEMINFO = """\
MemTotal:       16000000 kB
MemFree:         1000000 kB
MemAvailable:    4000000 kB
Buffers:          200000 kB
"""


def proc_stat(busy, idle):
    """A /proc/stat text whose cpu line has these busy and idle jiffies."""
    # user nice system idle iowait irq softirq steal guest guest_nice
    return ('cpu  %d 0 %d %d %d 0 0 0 7 0\ncpu0 1 2 3 4 5 6 7 8 9 0\n'
            'intr 12345\n' % (busy - busy // 4, busy // 4, idle - 10, 10))


def statvfs(blocks, bfree, bavail):
    return os.statvfs_result((4096, 4096, blocks, bfree, bavail, 0, 0, 0,
                              0, 255))


class TestUsage(testtools.TestCase):

    def test_cpu_usage_between_two_samples(self):
        before = rmon.cpu_times(proc_stat(busy=1000, idle=9000))
        after = rmon.cpu_times(proc_stat(busy=1750, idle=9250))

        self.assertEqual((1000, 10000), before)
        self.assertEqual(75.0, rmon.cpu_usage(before, after))
        self.assertIsNone(rmon.cpu_usage(after, after))

    def test_iowait_is_idle_and_guest_is_not_counted_twice(self):
        busy, total = rmon.cpu_times('cpu  10 20 30 400 50 6 7 8 100 200\n')

        self.assertEqual((81, 531), (busy, total))

    def test_memory_used_is_total_less_available(self):
        self.assertEqual(75.0, rmon.memory_usage(MEMINFO))

    def test_filesystem_usage_as_df_counts_it(self):
        # 900 blocks used, 50 free to users, 50 reserved for root.
        usage = rmon.filesystem_usage(statvfs(1000, 100, 50))

        self.assertAlmostEqual(100.0 * 900 / 950, usage)
        self.assertEqual(0.0, rmon.filesystem_usage(statvfs(0, 0, 0)))

    def test_real_filesystem(self):
        usage = rmon.filesystem_usage(os.statvfs(os.getcwd()))

        self.assertTrue(0 <= usage <= 100, usage)


class TestSeverity(testtools.TestCase):

    CASES = [
        # usage, previous, severity
        (69.9, None, None),
        (70, None, 'minor'),
        (85, None, 'major'),
        (90, None, 'critical'),
        (100, 'minor', 'critical'),
        # Hysteresis 5: a severity holds until 5 points below its threshold.
        (85.1, 'critical', 'critical'),
        (84.9, 'critical', 'major'),
        (74.9, 'major', 'minor'),
        (75, 'major', 'major'),
        (65, 'minor', 'minor'),
        (64.9, 'minor', None),
        (50, 'critical', None),
    ]

    def test_highest_threshold_crossed_with_hysteresis(self):
        for usage, previous, expected in self.CASES:
            with self.subTest(usage=usage, previous=previous):
                self.assertEqual(expected, rmon.severity(
                    usage, LIMITS, previous, hysteresis=5))

    def test_no_hysteresis(self):
        self.assertEqual('major', rmon.severity(89.9, LIMITS, 'critical'))

    def test_thresholds_above_100_are_never_crossed(self):
        self.assertIsNone(rmon.severity(100, rmon.Thresholds(101, 101, 101)))
        self.assertEqual('major', rmon.severity(
            100, rmon.Thresholds(50, 100, 101)))


class ResourceMonitorTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.conf.config(filesystems=['/', '/var/log'], group='rmon')
        self.logs = self.useFixture(fixtures.FakeLogger(
            name='stx.mtce.rmon'))
        self.files = {'/proc/stat': proc_stat(busy=0, idle=0),
                      '/proc/meminfo': MEMINFO}
        self.filesystems = {'/': statvfs(1000, 800, 800),
                            '/var/log': statvfs(1000, 68, 68)}
        self.reports = []

    def read(self, path):
        return self.files[path]

    def statvfs(self, path):
        if path not in self.filesystems:
            raise FileNotFoundError(2, 'No such file or directory', path)
        return self.filesystems[path]

    def make_monitor(self):
        return rmon.ResourceMonitor(self.reports.append, read=self.read,
                                    statvfs=self.statvfs)

    def busy(self, percent):
        """Add a second of cpu time, ``percent`` busy, to /proc/stat."""
        busy, total = rmon.cpu_times(self.files['/proc/stat'])
        self.files['/proc/stat'] = proc_stat(
            busy=busy + percent * 10, idle=total - busy + 1000 - percent * 10)


class TestAudit(ResourceMonitorTestCase):

    def test_conditions_and_their_reasons(self):
        monitor = self.make_monitor()
        # First audit: no cpu usage yet, only a baseline.
        first = monitor.audit()

        self.assertEqual([
            {'key': 'filesystem=/var/log', 'severity': 'critical',
             'reason': 'filesystem /var/log 93.2% used (critical threshold '
                       '90%)'},
            {'key': 'memory', 'severity': 'minor',
             'reason': 'memory 75.0% used (minor threshold 70%)'},
        ], first)
        self.assertEqual([first], self.reports)

        self.busy(96)
        conditions = monitor.audit()

        self.assertEqual({'key': 'cpu', 'severity': 'critical',
                          'reason': 'platform CPU usage 96.0% (critical '
                                    'threshold 95%)'}, conditions[0])
        self.assertEqual(conditions, self.reports[-1])

    def test_severity_drops_only_past_the_hysteresis(self):
        self.filesystems['/var/log'] = statvfs(1000, 90, 90)    # 91%
        monitor = self.make_monitor()
        severities = []
        for used in (910, 860, 840, 600):
            self.filesystems['/var/log'] = statvfs(1000, 1000 - used,
                                                   1000 - used)
            severities.append({condition['key']: condition['severity']
                               for condition in monitor.audit()}.get(
                                   'filesystem=/var/log'))

        self.assertEqual(['critical', 'critical', 'major', None],
                         severities)
        self.assertIn('rmon: filesystem=/var/log 84.0%: major',
                      self.logs.output)
        self.assertIn('rmon: filesystem=/var/log 60.0%: below its '
                      'thresholds', self.logs.output)

    def test_thresholds_are_options(self):
        self.conf.config(filesystem_minor_threshold=20,
                         filesystem_major_threshold=50,
                         filesystem_critical_threshold=95, group='rmon')

        conditions = self.make_monitor().audit()

        self.assertEqual({'filesystem=/': 'minor',
                          'filesystem=/var/log': 'major',
                          'memory': 'minor'},
                         {condition['key']: condition['severity']
                          for condition in conditions})

    def test_disordered_thresholds_disable_that_resource(self):
        self.conf.config(memory_minor_threshold=85,
                         memory_major_threshold=80, group='rmon')

        conditions = self.make_monitor().audit()

        self.assertEqual(['filesystem=/var/log'],
                         [condition['key'] for condition in conditions])
        self.assertIn('rmon: memory not monitored: its thresholds must be '
                      'minor <= major <= critical, not 85 / 80 / 90',
                      self.logs.output)

    def test_missing_filesystem_logged_once_and_sampled_again(self):
        self.conf.config(filesystems=['/srv/data'], group='rmon')
        monitor = self.make_monitor()

        monitor.audit()
        monitor.audit()
        self.assertEqual(1, self.logs.output.count(
            'rmon: cannot sample /srv/data: '))

        self.filesystems['/srv/data'] = statvfs(1000, 50, 50)
        self.assertIn('filesystem=/srv/data',
                      [condition['key'] for condition in monitor.audit()])

    def test_unreadable_proc_file_is_left_out(self):
        del self.files['/proc/meminfo']

        conditions = self.make_monitor().audit()

        self.assertEqual(['filesystem=/var/log'],
                         [condition['key'] for condition in conditions])
        self.assertIn("rmon: cannot sample /proc/meminfo: '/proc/meminfo'",
                      self.logs.output)

    def test_real_proc_files(self):
        monitor = rmon.ResourceMonitor(self.reports.append)
        monitor.sample()
        usages = monitor.sample()

        self.assertTrue(0 <= usages['memory'] <= 100, usages)
        self.assertTrue(0 <= usages['filesystem=/'] <= 100, usages)
