"""Tests for stx.drivers.loader: finding, enabling and loading plugins.

The built-in fakes load through the entry points stx-flock's own
distribution declares. Missing, broken and third-party plugins come from
small distributions these tests install into temporary directories at run
time, exactly as an operator's ``pip install`` would add them.
"""

import inspect
import os
import subprocess
import sys
import textwrap

import fixtures
from oslo_config import fixture as config_fixture
from oslo_utils import importutils
import testtools

from stx.common import exception
from stx.conf import CONF
from stx.drivers.bmc import base as bmc_base
from stx.drivers import loader

BMC_NAMESPACE = 'stx.drivers.bmc'
BMC_INFO = {'address': '192.0.2.10', 'username': 'admin',
            'password': 'secret'}


class PluginDirectory(fixtures.Fixture):
    """A temporary sys.path entry to install distributions into.

    On cleanup the directory leaves sys.path, the modules imported from it
    leave sys.modules, and the loader forgets what it saw there.
    """

    def _setUp(self):
        self.path = self.useFixture(fixtures.TempDir()).path
        sys.path.insert(0, self.path)
        self.addCleanup(self._remove)
        loader.refresh()

    def _remove(self):
        # While the directory is still on sys.path, refresh() deletes
        # stevedore's cache file for this sys.path, which nothing will use
        # again.
        loader.refresh()
        sys.path.remove(self.path)
        for name, module in list(sys.modules.items()):
            module_file = getattr(module, '__file__', None) or ''
            if module_file.startswith(self.path + os.sep):
                del sys.modules[name]
        loader.refresh()

    def write_distribution(self, name, entry_points, modules):
        """Write an installed distribution by hand, as pip would lay it out.

        A ``<name>-<version>.dist-info`` directory with METADATA and
        entry_points.txt is all importlib.metadata needs to find one.

        :param name: the distribution name (also used for dist-info).
        :param entry_points: {namespace: {entry-point name: target}}.
        :param modules: {module name: source code}.
        """
        dist_info = os.path.join(self.path, '%s-1.0.dist-info' % name)
        os.mkdir(dist_info)
        with open(os.path.join(dist_info, 'METADATA'), 'w') as metadata:
            metadata.write('Metadata-Version: 2.1\nName: %s\n'
                           'Version: 1.0\n' % name)
        with open(os.path.join(dist_info, 'entry_points.txt'), 'w') as eps:
            for namespace, targets in entry_points.items():
                eps.write('[%s]\n' % namespace)
                for ep_name, target in targets.items():
                    eps.write('%s = %s\n' % (ep_name, target))
        for module, source in modules.items():
            with open(os.path.join(self.path, module + '.py'), 'w') as f:
                f.write(textwrap.dedent(source))
        loader.refresh()


class LoaderTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.config = self.useFixture(config_fixture.Config(CONF))
        loader.reset()
        self.addCleanup(loader.reset)

    def install_bmc_plugins(self, plugins, modules):
        """Install hand-written BMC plugins: {name: target}, {module: src}."""
        directory = self.useFixture(PluginDirectory())
        directory.write_distribution('stx_test_plugins',
                                     {BMC_NAMESPACE: plugins}, modules)
        return directory


class TestBuiltInPlugins(LoaderTestCase):

    def setUp(self):
        super().setUp()
        for spec in loader.FAMILIES.values():
            if spec.enabled_option:
                self.config.config(**{spec.enabled_option: ['fake']})

    def test_every_family_has_its_fake_installed(self):
        for family, spec in loader.FAMILIES.items():
            if family == loader.SERVICE:
                continue
            self.assertIn('fake', loader.list_installed(spec.namespace),
                          family)

    def test_families_use_their_documented_namespaces_and_options(self):
        expected = {
            'bmc': ('stx.drivers.bmc', 'enabled_bmc_drivers'),
            'storage': ('stx.drivers.storage', 'enabled_storage_drivers'),
            'cni': ('stx.drivers.cni', 'enabled_cni_drivers'),
            'patch': ('stx.drivers.patch', 'enabled_patch_drivers'),
            'host': ('stx.drivers.host', 'enabled_host_drivers'),
            'ha': ('stx.ha.models', 'enabled_ha_models'),
            'notifier': ('stx.fm.notifiers', 'enabled_fm_notifiers'),
            'service': ('stx.services', None),
        }
        self.assertEqual(
            expected,
            {family: (spec.namespace, spec.enabled_option)
             for family, spec in loader.FAMILIES.items()})

    def test_every_family_loads_its_fake_as_its_interface(self):
        for family, spec in loader.FAMILIES.items():
            if spec.interface is None:
                continue
            interface = importutils.import_class(spec.interface)
            driver = loader.load(family, 'fake')
            self.assertIsInstance(driver, interface, family)
            self.assertTrue(type(driver).__name__.startswith('Fake'), family)

    def test_load_shares_an_instance_until_reset(self):
        first = loader.load('bmc', 'fake')
        self.assertIs(first, loader.load('bmc', 'fake'))
        loader.reset()
        self.assertIsNot(first, loader.load('bmc', 'fake'))

    def test_refresh_drops_shared_instances(self):
        first = loader.load('notifier', 'fake')
        loader.refresh()
        self.assertIsNot(first, loader.load('notifier', 'fake'))

    def test_get_class_does_not_instantiate(self):
        plugin = loader.get_class(BMC_NAMESPACE, 'fake')
        self.assertTrue(inspect.isclass(plugin))
        self.assertEqual('FakeBMC', plugin.__name__)

    def test_services_are_all_enabled_without_an_option(self):
        installed = loader.list_installed('stx.services')
        self.assertIn('sysinv', installed)
        self.assertEqual(installed, loader.enabled('service'))
        loader.check_enabled('service', 'sysinv')

    def test_validate_enabled_returns_the_enabled_names(self):
        for family in loader.FAMILIES:
            if family != loader.SERVICE:
                self.assertEqual(['fake'], loader.validate_enabled(family))

    def test_enabled_keeps_configured_order_without_duplicates(self):
        self.config.config(enabled_bmc_drivers=['ipmi', 'fake', 'ipmi'])
        self.assertEqual(['ipmi', 'fake'], loader.enabled('bmc'))

    def test_unknown_family_is_a_programming_error(self):
        error = self.assertRaises(ValueError, loader.load, 'bmcs', 'fake')
        self.assertIn('bmcs', str(error))
        self.assertIn('notifier', str(error))

    def test_constructor_failure_is_a_load_error(self):
        # The fakes take no arguments, so passing one breaks construction.
        error = self.assertRaises(exception.DriverLoadError, loader.load,
                                  'bmc', 'fake', 'unexpected')
        self.assertIn('TypeError', str(error))
        self.assertEqual(BMC_NAMESPACE, error.kwargs['namespace'])


class TestMissingPlugins(LoaderTestCase):

    def test_missing_plugin_names_namespace_name_and_installed(self):
        error = self.assertRaises(exception.DriverNotFound,
                                  loader.get_class, BMC_NAMESPACE, 'acme')
        self.assertEqual(BMC_NAMESPACE, error.kwargs['namespace'])
        self.assertEqual('acme', error.kwargs['name'])
        self.assertIn('fake', error.kwargs['installed'])
        message = str(error)
        for part in (BMC_NAMESPACE, "'acme'", 'installed: ', 'fake'):
            self.assertIn(part, message)

    def test_missing_plugin_in_an_empty_namespace(self):
        error = self.assertRaises(exception.DriverNotFound,
                                  loader.get_class, 'stx.nothing', 'acme')
        self.assertEqual('none', error.kwargs['installed'])
        self.assertEqual([], loader.list_installed('stx.nothing'))

    def test_enabled_but_missing_driver_stops_validation(self):
        self.config.config(enabled_storage_drivers=['fake', 'ceph'])
        error = self.assertRaises(exception.DriverNotFound,
                                  loader.validate_enabled, 'storage')
        self.assertEqual('stx.drivers.storage', error.kwargs['namespace'])
        self.assertEqual('ceph', error.kwargs['name'])

    def test_load_of_enabled_but_missing_driver(self):
        self.config.config(enabled_cni_drivers=['calico'])
        error = self.assertRaises(exception.DriverNotFound,
                                  loader.load, 'cni', 'calico')
        self.assertIn('stx.drivers.cni', str(error))


class TestNotEnabled(LoaderTestCase):

    def test_check_enabled_refuses_names_the_field_and_enabled(self):
        self.config.config(enabled_bmc_drivers=['fake', 'ipmi'])
        error = self.assertRaises(exception.DriverNotEnabled,
                                  loader.check_enabled, 'bmc', 'redfish',
                                  field='bm_type')
        self.assertEqual('bm_type', error.field)
        self.assertEqual('fake, ipmi', error.kwargs['enabled'])
        self.assertEqual(400, error.code)
        self.assertEqual(
            "'redfish' is not an enabled BMC driver; enabled: fake, ipmi.",
            str(error))

    def test_load_refuses_an_installed_driver_that_is_not_enabled(self):
        self.config.config(enabled_ha_models=[])
        error = self.assertRaises(exception.DriverNotEnabled, loader.load,
                                  'ha', 'fake', field='model')
        self.assertEqual('model', error.field)
        self.assertEqual('none', error.kwargs['enabled'])
        self.assertIn('HA model', str(error))

    def test_check_enabled_accepts_an_enabled_name(self):
        self.assertIsNone(loader.check_enabled('patch', 'fake'))

    def test_check_enabled_does_not_import_the_driver(self):
        self.install_bmc_plugins(
            {'broken': 'stx_test_broken_on_import:BrokenBMC'},
            {'stx_test_broken_on_import': 'raise ImportError("no")\n'})
        self.config.config(enabled_bmc_drivers=['fake', 'broken'])
        loader.check_enabled('bmc', 'broken', field='bm_type')
        self.assertNotIn('stx_test_broken_on_import', sys.modules)


class TestBrokenPlugins(LoaderTestCase):

    def test_module_raising_import_error(self):
        self.install_bmc_plugins(
            {'broken': 'stx_test_needs_libfoo:FooBMC'},
            {'stx_test_needs_libfoo': 'raise ImportError("libfoo is not '
                                      'installed")\n'})
        error = self.assertRaises(exception.DriverLoadError,
                                  loader.get_class, BMC_NAMESPACE, 'broken')
        self.assertEqual(BMC_NAMESPACE, error.kwargs['namespace'])
        self.assertEqual('broken', error.kwargs['name'])
        self.assertEqual('ImportError: libfoo is not installed',
                         error.kwargs['reason'])
        self.assertIn("Plugin 'broken' in namespace stx.drivers.bmc could "
                      'not be loaded: ImportError: libfoo', str(error))

    def test_module_that_does_not_exist(self):
        self.install_bmc_plugins({'ghost': 'stx_test_no_such_module:BMC'},
                                 {})
        error = self.assertRaises(exception.DriverLoadError,
                                  loader.get_class, BMC_NAMESPACE, 'ghost')
        self.assertIn('ModuleNotFoundError', error.kwargs['reason'])
        self.assertIn('stx_test_no_such_module', error.kwargs['reason'])

    def test_target_attribute_missing(self):
        self.install_bmc_plugins({'typo': 'stx_test_typo:AcmeBCM'},
                                 {'stx_test_typo': 'class AcmeBMC:\n'
                                                   '    pass\n'})
        error = self.assertRaises(exception.DriverLoadError,
                                  loader.get_class, BMC_NAMESPACE, 'typo')
        self.assertIn('AttributeError', error.kwargs['reason'])
        self.assertIn('AcmeBCM', error.kwargs['reason'])

    def test_broken_plugin_does_not_hide_the_others(self):
        self.install_bmc_plugins({'broken': 'stx_test_raises:BMC'},
                                 {'stx_test_raises': 'raise ImportError\n'})
        self.assertEqual(['broken', 'dynamic', 'fake', 'ipmi', 'redfish'],
                         loader.list_installed(BMC_NAMESPACE))
        self.config.config(enabled_bmc_drivers=['fake'])
        self.assertEqual(['fake'], loader.validate_enabled('bmc'))
        self.assertEqual(bmc_base.POWER_ON, loader.load('bmc', 'fake')
                         .get_power_state(BMC_INFO))

    def test_validate_enabled_reports_the_first_broken_plugin(self):
        self.install_bmc_plugins(
            {'broken': 'stx_test_broken_first:BMC',
             'ghost': 'stx_test_ghost_second:BMC'},
            {'stx_test_broken_first': 'raise ImportError("first")\n'})
        self.config.config(enabled_bmc_drivers=['fake', 'broken', 'ghost'])
        error = self.assertRaises(exception.DriverLoadError,
                                  loader.validate_enabled, 'bmc')
        self.assertEqual('broken', error.kwargs['name'])
        self.assertEqual('ImportError: first', error.kwargs['reason'])

    def test_plugin_that_is_not_a_driver_of_its_family(self):
        self.install_bmc_plugins({'stranger': 'stx_test_stranger:Stranger'},
                                 {'stx_test_stranger': 'class Stranger:\n'
                                                       '    pass\n'})
        self.config.config(enabled_bmc_drivers=['stranger'])
        error = self.assertRaises(exception.DriverLoadError, loader.load,
                                  'bmc', 'stranger')
        self.assertIn('is not a subclass of stx.drivers.bmc.base.BMCDriver',
                      error.kwargs['reason'])

    def test_plugin_that_leaves_methods_abstract(self):
        source = '''
            from stx.drivers.bmc import base

            class HalfBMC(base.BMCDriver):
                def get_properties(self):
                    return {}

                def validate(self, bmc_info):
                    pass
        '''
        self.install_bmc_plugins({'half': 'stx_test_half:HalfBMC'},
                                 {'stx_test_half': source})
        self.config.config(enabled_bmc_drivers=['half'])
        error = self.assertRaises(exception.DriverLoadError,
                                  loader.validate_enabled, 'bmc')
        self.assertEqual(
            'HalfBMC does not implement get_boot_device, get_power_state, '
            'set_boot_device, set_power_state', error.kwargs['reason'])

    def test_two_distributions_declaring_one_name(self):
        directory = self.install_bmc_plugins(
            {'twin': 'stx_test_twin_a:TwinBMC'},
            {'stx_test_twin_a': 'class TwinBMC:\n    pass\n'})
        directory.write_distribution(
            'stx_test_other_plugins',
            {BMC_NAMESPACE: {'twin': 'stx_test_twin_b:TwinBMC'}},
            {'stx_test_twin_b': 'class TwinBMC:\n    pass\n'})
        error = self.assertRaises(exception.DriverLoadError,
                                  loader.get_class, BMC_NAMESPACE, 'twin')
        self.assertEqual('several installed distributions declare it: '
                         'stx_test_twin_a:TwinBMC, stx_test_twin_b:TwinBMC',
                         error.kwargs['reason'])

    def test_constructor_arguments_make_a_new_instance(self):
        source = '''
            from stx.drivers.bmc import fake

            class TunedBMC(fake.FakeBMC):
                def __init__(self, timeout):
                    self.timeout = timeout
        '''
        self.install_bmc_plugins({'tuned': 'stx_test_tuned:TunedBMC'},
                                 {'stx_test_tuned': source})
        self.config.config(enabled_bmc_drivers=['tuned'])
        first = loader.load('bmc', 'tuned', timeout=5)
        second = loader.load('bmc', 'tuned', timeout=7)
        self.assertEqual((5, 7), (first.timeout, second.timeout))


# The third-party distribution. It cannot build with setuptools here: the
# venv's setuptools needs the "wheel" package to build wheels, and the tests
# must run offline. So the distribution brings its own PEP 517 backend
# (backend-path), which pip runs like any other.
THIRD_PARTY_PYPROJECT = '''\
[build-system]
requires = []
build-backend = "acme_build"
backend-path = ["."]
'''

THIRD_PARTY_BACKEND = '''\
"""The smallest PEP 517 backend: zip the module and its dist-info."""
import base64
import hashlib
import os
import zipfile

DIST_INFO = 'acme_bmc-1.0.dist-info/'
METADATA = {
    'METADATA': 'Metadata-Version: 2.1\\nName: acme-bmc\\nVersion: 1.0\\n',
    'WHEEL': ('Wheel-Version: 1.0\\nGenerator: acme_build\\n'
              'Root-Is-Purelib: true\\nTag: py3-none-any\\n'),
    'entry_points.txt': '[stx.drivers.bmc]\\nacme = acme_bmc:AcmeBMC\\n',
}


def _record(path, data):
    digest = hashlib.sha256(data).digest()
    encoded = base64.urlsafe_b64encode(digest).rstrip(b'=').decode()
    return '%s,sha256=%s,%d\\n' % (path, encoded, len(data))


def build_wheel(wheel_directory, config_settings=None,
                metadata_directory=None):
    filename = 'acme_bmc-1.0-py3-none-any.whl'
    with open('acme_bmc.py', 'rb') as module:
        files = {'acme_bmc.py': module.read()}
    for name, text in METADATA.items():
        files[DIST_INFO + name] = text.encode()
    record = ''.join(_record(path, data) for path, data in files.items())
    files[DIST_INFO + 'RECORD'] = (record + DIST_INFO + 'RECORD,,\\n').encode()
    path = os.path.join(wheel_directory, filename)
    with zipfile.ZipFile(path, 'w') as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)
    return filename
'''

THIRD_PARTY_MODULE = '''\
"""Acme's BMC driver: knows nothing of stx-flock but its BMC interface."""
from stx.drivers.bmc import base


class AcmeBMC(base.BMCDriver):

    def get_properties(self):
        return dict(base.COMMON_PROPERTIES,
                    acme_realm='Acme login realm. Optional.')

    def validate(self, bmc_info):
        base.check_bmc_info(bmc_info)

    def get_power_state(self, bmc_info):
        self.validate(bmc_info)
        return base.POWER_ON

    def set_power_state(self, bmc_info, target, timeout=None):
        self.validate(bmc_info)
        return base.POWER_OFF if target == base.POWER_OFF else base.POWER_ON

    def get_boot_device(self, bmc_info):
        return {'boot_device': base.BOOT_DEVICE_DISK, 'persistent': True}

    def set_boot_device(self, bmc_info, device, persistent=False):
        pass
'''


class TestThirdPartyDriver(LoaderTestCase):
    """A separate distribution adds a BMC driver by an entry point alone."""

    def pip_install(self, target):
        source = self.useFixture(fixtures.TempDir()).path
        for name, text in (('pyproject.toml', THIRD_PARTY_PYPROJECT),
                           ('acme_build.py', THIRD_PARTY_BACKEND),
                           ('acme_bmc.py', THIRD_PARTY_MODULE)):
            with open(os.path.join(source, name), 'w') as f:
                f.write(text)
        # --no-index: the build needs nothing from any index, and the test
        # must not wait on a network it may not have.
        result = subprocess.run(
            [sys.executable, '-m', 'pip', 'install', '--no-deps',
             '--no-build-isolation', '--no-index', '--no-cache-dir',
             '--disable-pip-version-check', '--target', target, source],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(0, result.returncode,
                         'pip failed:\n%s\n%s' % (result.stdout,
                                                  result.stderr))

    def test_pip_installed_distribution_adds_a_bmc_driver(self):
        directory = self.useFixture(PluginDirectory())
        self.assertNotIn('acme', loader.list_installed(BMC_NAMESPACE))

        self.pip_install(directory.path)
        loader.refresh()

        self.assertEqual(['acme', 'dynamic', 'fake', 'ipmi', 'redfish'],
                         loader.list_installed(BMC_NAMESPACE))
        # Installed is not enough: configuration must enable it.
        error = self.assertRaises(exception.DriverNotEnabled, loader.load,
                                  'bmc', 'acme', field='bm_type')
        self.assertEqual('bm_type', error.field)

        self.config.config(enabled_bmc_drivers=['fake', 'acme'])
        self.assertEqual(['fake', 'acme'], loader.validate_enabled('bmc'))
        loader.check_enabled('bmc', 'acme', field='bm_type')
        driver = loader.load('bmc', 'acme')

        self.assertIsInstance(driver, bmc_base.BMCDriver)
        self.assertEqual('AcmeBMC', type(driver).__name__)
        self.assertTrue(inspect.getfile(type(driver)).startswith(
            directory.path + os.sep))
        self.assertIn('acme_realm', driver.get_properties())
        self.assertEqual(bmc_base.POWER_ON, driver.get_power_state(BMC_INFO))
        self.assertEqual(bmc_base.POWER_OFF, driver.set_power_state(
            BMC_INFO, bmc_base.POWER_OFF))
        self.assertRaises(exception.MissingParameterValue,
                          driver.validate, {'address': '192.0.2.10'})
        # Optional capabilities it does not implement say so.
        self.assertRaises(exception.UnsupportedDriverExtension,
                          driver.get_sensors, BMC_INFO)
