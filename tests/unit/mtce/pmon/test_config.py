"""pmon's process files: StarlingX's keys and defaults, and every file that
cannot be used logged by name and key, and skipped.
"""

import os

import fixtures
import testtools

from stx.mtce.pmon import config

# StarlingX's sshd.conf, with its comments.
SSHD = """\
[process]
process  = sshd
service  = sshd
pidfile  = /var/run/sshd.pid
script   = /usr/sbin/sshd -D
style    = lsb            ; ocf or lsb
severity = minor          ; minor, major, critical
restarts = 10             ; restarts before error assertion
interval = 5              ; number of seconds to wait between restarts
debounce = 20             ; number of seconds to wait before degrade clear
startuptime = 3
mode     = passive        ; Monitoring mode: passive (default) or active
                          ; passive: process death monitoring
                          ; ignore: do not monitor or stop monitoring
quorum   = 0
"""


class ConfigTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.logs = self.useFixture(fixtures.FakeLogger(
            name='stx.mtce.pmon.config'))

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, 'w') as conf_file:
            conf_file.write(text)
        return path

    def names(self):
        return [process.name for process in config.load(self.dir)]


class TestParse(ConfigTestCase):

    def test_starlingx_file_with_its_comments(self):
        path = self.write('sshd.conf', SSHD)

        self.assertEqual([config.Process(
            name='sshd', path=path, pidfile='/var/run/sshd.pid',
            script='/usr/sbin/sshd -D', severity='minor', restarts=10,
            interval=5.0, debounce=20.0, startuptime=3.0,
            mode=config.PASSIVE)], config.load(self.dir))
        # StarlingX's other keys are accepted without a word.
        self.assertNotIn('unknown', self.logs.output)

    def test_defaults(self):
        self.write('a.conf', '[process]\nprocess = a\nscript = sleep 30\n')

        process, = config.load(self.dir)
        self.assertEqual(('major', 3, 5.0, 20.0, 5.0, 'passive', None),
                         (process.severity, process.restarts,
                          process.interval, process.debounce,
                          process.startuptime, process.mode,
                          process.pidfile))
        self.assertEqual(['sleep', '30'], process.argv)

    def test_fractions_of_seconds(self):
        self.write('a.conf', '[process]\nprocess = a\nscript = sleep 30\n'
                             'interval = 0.1\ndebounce = 0.5\n'
                             'startuptime = 0.05\n')

        process, = config.load(self.dir)
        self.assertEqual((0.1, 0.5, 0.05), (process.interval,
                                            process.debounce,
                                            process.startuptime))

    def test_unknown_keys_warned_once_and_file_used(self):
        path = self.write('a.conf', '[process]\nprocess = a\n'
                                    'pidfile = /run/a.pid\ncolour = blue\n'
                                    'flavour = mint\n')

        self.assertEqual(['a'], self.names())
        self.assertEqual('pmon: %s: unknown keys ignored: colour, flavour\n'
                         % path, self.logs.output.splitlines(True)[0])
        self.assertEqual(1, self.logs.output.count('unknown'))

    def test_ignored_mode_is_loaded(self):
        self.write('a.conf', '[process]\nprocess = a\nscript = sleep 1\n'
                             'mode = ignore\n')

        self.assertEqual(config.IGNORE, config.load(self.dir)[0].mode)

    def test_only_conf_files_in_name_order(self):
        for name in ('b.conf', 'a.conf', 'c.conf.orig', 'README'):
            self.write(name, '[process]\nprocess = %s\nscript = sleep 1\n'
                             % name.split('.')[0])

        self.assertEqual(['a', 'b'], self.names())

    def test_missing_directory_monitors_nothing(self):
        missing = os.path.join(self.dir, 'missing')

        self.assertEqual([], config.load(missing))
        self.assertIn('pmon: %s is not a directory' % missing,
                      self.logs.output)


class TestMalformedFiles(ConfigTestCase):
    """Each malformed file is skipped, naming itself and the key at fault,
    while the good file next to it loads.
    """

    MALFORMED = [
        ('not INI', 'process = a\n', 'not an INI file'),
        ('a key twice', '[process]\nprocess = a\nprocess = b\n',
         'not an INI file'),
        ('no process section', '[proc]\nprocess = a\n',
         'no [process] section'),
        ('no process key', '[process]\nscript = sleep 1\n',
         'key process: missing'),
        ('empty process key', '[process]\nprocess =\nscript = sleep 1\n',
         'key process: missing'),
        ('bad severity', '[process]\nprocess = a\nscript = x\n'
         'severity = fatal\n',
         "key severity: 'fatal' is not critical, major or minor"),
        ('negative restarts', '[process]\nprocess = a\nscript = x\n'
         'restarts = -1\n', "key restarts: '-1' is not a whole number"),
        ('fractional restarts', '[process]\nprocess = a\nscript = x\n'
         'restarts = 1.5\n', "key restarts: '1.5' is not a whole number"),
        ('bad interval', '[process]\nprocess = a\nscript = x\n'
         'interval = soon\n', "key interval: 'soon' is not seconds >= 0"),
        ('negative debounce', '[process]\nprocess = a\nscript = x\n'
         'debounce = -2\n', "key debounce: '-2' is not seconds >= 0"),
        ('nan startuptime', '[process]\nprocess = a\nscript = x\n'
         'startuptime = nan\n',
         "key startuptime: 'nan' is not seconds >= 0"),
        ('active mode', '[process]\nprocess = a\nscript = x\n'
         'mode = active\n', 'key mode: active monitoring (request/response '
         'heartbeat) is not supported'),
        ('unknown mode', '[process]\nprocess = a\nscript = x\n'
         'mode = lazy\n', "key mode: 'lazy' is not passive or ignore"),
        ('unclosed quote', '[process]\nprocess = a\nscript = sh -c "x\n',
         'key script: \'sh -c "x\' cannot be split into words'),
        ('neither pidfile nor script', '[process]\nprocess = a\n'
         'severity = minor\n', 'keys pidfile and script: neither is set'),
    ]

    def test_each_malformed_file_is_named_and_skipped(self):
        for what, text, error in self.MALFORMED:
            with self.subTest(what):
                self.write('good.conf', '[process]\nprocess = good\n'
                                        'script = sleep 1\n')
                path = self.write('bad.conf', text)
                output_before = len(self.logs.output)

                self.assertEqual(['good'], self.names())
                logged = self.logs.output[output_before:]
                self.assertIn('pmon: %s skipped: ' % path, logged)
                self.assertIn(error, logged)

    def test_unreadable_file(self):
        os.mkdir(os.path.join(self.dir, 'a.conf'))
        self.write('b.conf', '[process]\nprocess = b\nscript = sleep 1\n')

        self.assertEqual(['b'], self.names())
        self.assertIn('pmon: %s skipped: cannot read it'
                      % os.path.join(self.dir, 'a.conf'), self.logs.output)

    def test_second_file_naming_a_process_is_skipped(self):
        first = self.write('a.conf', '[process]\nprocess = sshd\n'
                                     'script = sleep 1\n')
        second = self.write('b.conf', '[process]\nprocess = sshd\n'
                                      'pidfile = /run/sshd.pid\n')

        processes = config.load(self.dir)
        self.assertEqual([('sshd', first)], [(process.name, process.path)
                                             for process in processes])
        self.assertIn('pmon: %s skipped: key process: sshd is already '
                      'monitored by %s' % (second, first), self.logs.output)
