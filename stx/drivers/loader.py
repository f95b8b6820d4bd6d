"""Finding, loading and checking plugins: the one module that uses stevedore.

Every plugin family (BMC, storage, CNI, patch and host-action drivers, HA
models, fm notifiers, services) is an entry-point namespace. This module lists
what is installed in a namespace, loads a plugin by name, refuses a driver
that configuration has not enabled, and turns every missing or broken plugin
into one ``StxException`` that names the namespace, the name and what is
installed (or why the import failed).

Driver instances are cached per (family, name): ``reset()`` forgets them;
``refresh()`` also forgets which distributions are installed, so that one
installed while the process runs (by a test, or by an operator next to a
running all-in-one) is seen.
"""

import importlib
import inspect
import os
import sys
import threading
import types
import typing

from oslo_log import log as logging
from oslo_utils import importutils
from stevedore import driver as stevedore_driver
from stevedore import exception as stevedore_exception
from stevedore import extension as stevedore_extension
from stevedore import named as stevedore_named

from stx.common import exception
from stx.conf import CONF

# stevedore's private on-disk entry-point cache; refresh() has to drop it (see
# _drop_stevedore_file_cache) and must keep working if a release renames it.
_stevedore_cache = importutils.try_import('stevedore._cache')

LOG = logging.getLogger(__name__)


class Family(typing.NamedTuple):
    """A plugin family: where its plugins are declared and how they are used.

    ``enabled_option`` names the [DEFAULT] option that lists the enabled
    plugins; ``None`` means every installed plugin is enabled. ``label`` is
    how messages name the family. ``interface`` is the dotted path of the
    base class every plugin must subclass (``None``: not checked).
    """

    namespace: str
    enabled_option: str | None
    label: str
    interface: str | None


BMC = 'bmc'
STORAGE = 'storage'
CNI = 'cni'
PATCH = 'patch'
HOST = 'host'
HA = 'ha'
NOTIFIER = 'notifier'
SERVICE = 'service'

SERVICES_NAMESPACE = 'stx.services'

FAMILIES = types.MappingProxyType({
    BMC: Family('stx.drivers.bmc', 'enabled_bmc_drivers', 'BMC',
                'stx.drivers.bmc.base.BMCDriver'),
    STORAGE: Family('stx.drivers.storage', 'enabled_storage_drivers',
                    'storage', 'stx.drivers.storage.base.StorageDriver'),
    CNI: Family('stx.drivers.cni', 'enabled_cni_drivers', 'CNI',
                'stx.drivers.cni.base.CNIDriver'),
    PATCH: Family('stx.drivers.patch', 'enabled_patch_drivers', 'patch',
                  'stx.drivers.patch.base.PatchDriver'),
    HOST: Family('stx.drivers.host', 'enabled_host_drivers', 'host action',
                 'stx.drivers.host.base.HostDriver'),
    HA: Family('stx.ha.models', 'enabled_ha_models', 'HA model',
               'stx.drivers.ha.base.HAModel'),
    NOTIFIER: Family('stx.fm.notifiers', 'enabled_fm_notifiers',
                     'fm notifier', 'stx.fm.notifiers.base.Notifier'),
    # Services have no enabled option: a process runs every installed one.
    SERVICE: Family(SERVICES_NAMESPACE, None, 'service', None),
})

# Driver instances shared by every caller of load(), per (family, name).
# Reentrant because a driver's constructor may itself load another driver.
_instances = {}
_instances_lock = threading.RLock()


def _family(family):
    try:
        return FAMILIES[family]
    except KeyError:
        # A programming error, not bad input: no client chooses the family.
        raise ValueError('Unknown plugin family %r; known: %s'
                         % (family, ', '.join(sorted(FAMILIES)))) from None


def _names_text(names):
    return ', '.join(names) or 'none'


def _reason(error):
    return '%s: %s' % (type(error).__name__, error)


def _entry_points(namespace):
    # A named manager asked for no names reads the namespace's entry points
    # but imports none of them, so a broken plugin cannot break the listing.
    manager = stevedore_named.NamedExtensionManager(
        namespace, names=[], on_missing_entrypoints_callback=None)
    return manager.list_entry_points()


def list_installed(namespace):
    """List the plugins declared in a namespace, without importing them.

    :param namespace: an entry-point namespace, e.g. ``stx.drivers.bmc``.
    :returns: the sorted entry-point names (an empty list for an unknown
        namespace).
    """
    return sorted({entry_point.name
                   for entry_point in _entry_points(namespace)})


def get_class(namespace, name):
    """Import a plugin and return what its entry point names, uninstantiated.

    :param namespace: an entry-point namespace, e.g. ``stx.drivers.bmc``.
    :param name: the entry-point name, e.g. ``ipmi``.
    :returns: the object the entry point refers to (usually a class).
    :raises: DriverNotFound if no installed distribution declares the name;
        the message lists what is installed.
    :raises: DriverLoadError if the entry point cannot be imported, or if
        several distributions declare the name; the message says why.
    """
    try:
        manager = stevedore_driver.DriverManager(
            namespace, name, on_missing_entrypoints_callback=None)
    except stevedore_exception.NoMatches:
        raise exception.DriverNotFound(
            namespace=namespace, name=name,
            installed=_names_text(list_installed(namespace))) from None
    except stevedore_exception.MultipleMatches:
        targets = sorted(entry_point.value
                         for entry_point in _entry_points(namespace)
                         if entry_point.name == name)
        raise exception.DriverLoadError(
            namespace=namespace, name=name,
            reason='several installed distributions declare it: %s'
            % ', '.join(targets)) from None
    except Exception as error:
        # The reason in the exception is what an operator needs; the
        # traceback helps whoever debugs the plugin itself.
        LOG.debug('Importing plugin %(name)s of %(namespace)s failed',
                  {'name': name, 'namespace': namespace}, exc_info=True)
        raise exception.DriverLoadError(
            namespace=namespace, name=name, reason=_reason(error)) from error
    return manager.driver


def _load_class(family, name):
    """Import a family's plugin and check that it implements the interface.

    Checking here, rather than when the driver is first used, lets a service
    refuse to start with a plugin that could never work.
    """
    spec = _family(family)
    plugin = get_class(spec.namespace, name)
    if spec.interface is None:
        return plugin
    interface = importutils.import_class(spec.interface)
    if not (inspect.isclass(plugin) and issubclass(plugin, interface)):
        reason = '%r is not a subclass of %s' % (plugin, spec.interface)
    elif inspect.isabstract(plugin):
        reason = '%s does not implement %s' % (
            plugin.__name__, ', '.join(sorted(plugin.__abstractmethods__)))
    else:
        return plugin
    raise exception.DriverLoadError(namespace=spec.namespace, name=name,
                                    reason=reason)


def enabled(family):
    """The plugins of a family that configuration enables.

    :param family: a key of ``FAMILIES``, e.g. ``'bmc'``.
    :returns: the enabled names, in configuration order, without duplicates;
        for a family without an enabled option, every installed plugin.
    :raises: ValueError for an unknown family.
    """
    spec = _family(family)
    if spec.enabled_option is None:
        return list_installed(spec.namespace)
    return list(dict.fromkeys(getattr(CONF, spec.enabled_option)))


def check_enabled(family, name, field=None):
    """Refuse a name that is not an enabled plugin, without importing it.

    For validating API input before anything is stored.

    :param family: a key of ``FAMILIES``, e.g. ``'bmc'``.
    :param name: the plugin name the input gave.
    :param field: the input that gave it (e.g. ``'bm_type'``), carried by
        the exception so the API can name it.
    :raises: DriverNotEnabled naming the field, the name and the enabled
        plugins.
    :raises: ValueError for an unknown family.
    """
    names = enabled(family)
    if name not in names:
        raise exception.DriverNotEnabled(
            field=field, name=name, family=_family(family).label,
            enabled=_names_text(names))


def validate_enabled(family):
    """Import every enabled plugin of a family; services call this at start.

    :param family: a key of ``FAMILIES``, e.g. ``'bmc'``.
    :returns: the enabled names.
    :raises: DriverNotFound for the first enabled plugin that is not
        installed.
    :raises: DriverLoadError for the first enabled plugin that cannot be
        imported or does not implement its family's interface.
    """
    spec = _family(family)
    names = enabled(family)
    for name in names:
        _load_class(family, name)
    LOG.info('Enabled %(label)s plugins: %(names)s',
             {'label': spec.label, 'names': _names_text(names)})
    return names


def _create(family, name, args, kwargs):
    spec = _family(family)
    plugin = _load_class(family, name)
    try:
        return plugin(*args, **kwargs)
    except exception.StxException:
        raise
    except Exception as error:
        LOG.debug('Creating plugin %(name)s of %(namespace)s failed',
                  {'name': name, 'namespace': spec.namespace}, exc_info=True)
        raise exception.DriverLoadError(
            namespace=spec.namespace, name=name,
            reason=_reason(error)) from error


def load(family, name, *args, field=None, **kwargs):
    """Return an instance of an enabled plugin.

    Without constructor arguments the instance is shared: every call for the
    same (family, name) returns it until ``reset()``. With arguments, each
    call creates a new instance, since the arguments make it a different one.

    :param family: a key of ``FAMILIES``, e.g. ``'bmc'``.
    :param name: the plugin name, e.g. ``'ipmi'``.
    :param args: positional arguments for the plugin's constructor.
    :param field: the input that named the plugin (e.g. ``'bm_type'``),
        carried by DriverNotEnabled.
    :param kwargs: keyword arguments for the plugin's constructor.
    :returns: the plugin instance.
    :raises: DriverNotEnabled if configuration does not enable the name.
    :raises: DriverNotFound if no installed distribution declares it.
    :raises: DriverLoadError if it cannot be imported, does not implement
        its family's interface, or its constructor fails.
    """
    check_enabled(family, name, field=field)
    if args or kwargs:
        return _create(family, name, args, kwargs)
    key = (family, name)
    with _instances_lock:
        instance = _instances.get(key)
        if instance is None:
            instance = _create(family, name, (), {})
            _instances[key] = instance
            LOG.info('Loaded %(label)s plugin %(name)s (%(class)s)',
                     {'label': _family(family).label, 'name': name,
                      'class': type(instance).__qualname__})
    return instance


def reset():
    """Forget the shared driver instances; the next load() creates new ones.

    Tests call this between cases so that no driver state leaks across them.
    """
    with _instances_lock:
        _instances.clear()


def _drop_stevedore_file_cache():
    """Delete stevedore's on-disk entry-point cache for the current sys.path.

    stevedore names the file after a hash of sys.path, of the
    entry_points.txt files it finds and of their mtimes, so a new
    distribution usually gets a new file anyway. But it packs mtimes as
    32-bit floats (about two minutes of resolution today), so a distribution
    reinstalled in place with changed entry points could be hidden by the
    old file. The file is rebuilt on the next scan.
    """
    cache = getattr(_stevedore_cache, '_c', None)
    hash_settings = getattr(_stevedore_cache, '_hash_settings_for_path', None)
    cache_dir = getattr(cache, '_dir', None)
    if hash_settings is None or cache_dir is None:
        return
    digest, _path_values = hash_settings(tuple(sys.path))
    try:
        os.unlink(os.path.join(cache_dir, digest))
    except FileNotFoundError:
        pass
    except OSError as error:
        LOG.warning('Cannot remove stevedore cache file %(file)s: %(error)s',
                    {'file': os.path.join(cache_dir, digest),
                     'error': error})


def refresh():
    """Forget everything learnt about installed plugins and drop instances.

    Afterwards distributions installed since the process started (or
    directories added to ``sys.path``) are seen. Modules already imported
    stay imported: replacing a loaded plugin's code needs a restart.
    """
    # Path finders and importlib.metadata cache directory listings.
    importlib.invalidate_caches()
    # stevedore caches entry points per namespace for the process...
    stevedore_extension.ExtensionManager.ENTRY_POINT_CACHE.clear()
    # ...per sys.path in memory...
    internal = getattr(getattr(_stevedore_cache, '_c', None), '_internal',
                       None)
    if isinstance(internal, dict):
        internal.clear()
    # ...and per sys.path on disk.
    _drop_stevedore_file_cache()
    reset()
