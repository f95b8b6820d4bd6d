"""The sample config is current, and stx.conf.opts lists every option."""

import difflib
import importlib
import os
import pkgutil
import subprocess
import sys

import fixtures
import testtools

import stx.conf
from stx.conf import opts as stx_opts

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
GENERATOR_CONFIG = os.path.join(REPO_ROOT, 'tools', 'config',
                                'stx-config-generator.conf')
SAMPLE = os.path.join(REPO_ROOT, 'etc', 'stx', 'stx.conf.sample')


class TestSampleConfig(testtools.TestCase):

    def test_sample_config_is_current(self):
        output = os.path.join(self.useFixture(fixtures.TempDir()).path,
                              'stx.conf.sample')
        # A fresh process, as `tox -e genconfig` runs it: services change
        # some library defaults at run time (log levels), and an earlier
        # test in this process may have done so.
        subprocess.run([sys.executable, '-m', 'oslo_config.generator',
                        '--config-file', GENERATOR_CONFIG,
                        '--output-file', output],
                       check=True, capture_output=True, cwd=REPO_ROOT)
        with open(output) as f:
            generated = f.readlines()
        with open(SAMPLE) as f:
            committed = f.readlines()
        if generated != committed:
            diff = ''.join(difflib.unified_diff(committed, generated,
                                                SAMPLE, 'generated'))
            self.fail('%s is out of date: run `tox -e genconfig` and commit '
                      'the result.\n%s' % (SAMPLE, diff))


def _stx_conf_modules():
    for module_info in pkgutil.iter_modules(stx.conf.__path__):
        if module_info.name != 'opts':
            yield importlib.import_module('stx.conf.' + module_info.name)


class TestListOpts(testtools.TestCase):

    def test_groups(self):
        self.assertEqual(['DEFAULT', 'agent', 'api', 'bmc', 'fm', 'fm_snmp',
                          'fm_webhook', 'heartbeat', 'mtce', 'pmon', 'rmon',
                          'sm', 'sysinv', 'upgrade_levels'],
                         [group for group, _ in stx_opts.list_opts()])

    def test_every_option_listed_exactly_once(self):
        listed = [opt for _, opts in stx_opts.list_opts() for opt in opts]
        # Every module-level list whose name ends in "opts".
        declared = [opt for module in _stx_conf_modules()
                    for name, value in vars(module).items()
                    if name.endswith('opts') and isinstance(value, list)
                    for opt in value]
        self.assertNotEqual([], declared)
        self.assertEqual(len(listed), len(set(map(id, listed))),
                         'an option is listed twice')
        self.assertEqual(sorted(map(id, declared)), sorted(map(id, listed)))

    def test_option_names_unique_within_a_group(self):
        for group, opts in stx_opts.list_opts():
            with self.subTest(group=group):
                names = [opt.dest for opt in opts]
                self.assertEqual(sorted(set(names)), sorted(names))

    def test_listed_options_are_registered(self):
        for group, opts in stx_opts.list_opts():
            for opt in opts:
                with self.subTest(group=group, opt=opt.dest):
                    conf_group = (stx.conf.CONF if group == 'DEFAULT'
                                  else stx.conf.CONF[group])
                    self.assertIn(opt.dest, conf_group)
