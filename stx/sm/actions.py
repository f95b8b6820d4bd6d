"""Running a service's actions: a command, a systemd unit or a plugin.

A service of the SM model (stx.sm.model) names, for each of its actions
(enable, disable, go-active, go-standby, audit), how it is carried out:

- ``command``: run with its arguments, no shell; exit status 0 is success.
  It runs in a session of its own, so that a timeout kills everything it
  started.
- ``systemd``: ``systemctl start`` (enable), ``stop`` (disable) or
  ``is-active`` (audit) of the unit. A unit has no roles: go-active and
  go-standby succeed without doing anything.
- ``plugin``: a class named ``module.path:ClassName``, made once per
  process without arguments; the action is its method of the action's name
  (``go_active``, ...), called with the service's name. It succeeds unless
  it returns False or raises.

Every action is bounded by its ``timeout``; ``run`` never raises for an
action that fails, it says why in the result.
"""

import collections
import importlib
import os
import signal
import subprocess
import threading

from oslo_log import log as logging

from stx.sm import model

LOG = logging.getLogger(__name__)

_SYSTEMCTL = {model.ACTION_ENABLE: 'start', model.ACTION_DISABLE: 'stop',
              model.ACTION_AUDIT: 'is-active'}
# The last characters of a failed command's output kept in its reason.
_OUTPUT_TAIL = 200

Result = collections.namedtuple('Result', 'ok reason')
Result.__doc__ = 'Whether an action succeeded, and if not why (text).'

_plugins = {}
_plugins_lock = threading.Lock()


def run(service, name, action):
    """Carry out action ``name`` of ``service`` as ``action`` describes.

    :param service: the service's name.
    :param name: one of model.ACTIONS.
    :param action: the model's Action (type, command, unit, plugin,
        timeout).
    :returns: a Result.
    """
    if name not in model.ACTIONS:
        raise ValueError('unknown action %r' % (name,))
    try:
        if action.type == model.TYPE_COMMAND:
            return _command(list(action.command), action.timeout)
        if action.type == model.TYPE_SYSTEMD:
            if name not in _SYSTEMCTL:
                return Result(True, None)
            return _command(['systemctl', _SYSTEMCTL[name], action.unit],
                            action.timeout)
        if action.type == model.TYPE_PLUGIN:
            return _plugin(service, name, action.plugin, action.timeout)
    except Exception as error:
        LOG.exception('Action %(name)s of service %(service)s failed',
                      {'name': name, 'service': service})
        return Result(False, '%s: %s' % (type(error).__name__, error))
    raise ValueError('unknown action type %r' % (action.type,))


def _command(argv, timeout):
    try:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as error:
        return Result(False, 'cannot run %s: %s' % (argv[0], error.strerror))
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_session(process)
        process.communicate()
        return Result(False, 'timed out after %gs' % timeout)
    if process.returncode == 0:
        return Result(True, None)
    tail = output.decode('utf-8', 'replace').strip()[-_OUTPUT_TAIL:]
    reason = ('killed by signal %d' % -process.returncode
              if process.returncode < 0 else
              'exit status %d' % process.returncode)
    return Result(False, '%s%s' % (reason, ': %s' % tail if tail else ''))


def _kill_session(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _plugin(service, name, path, timeout):
    instance = _plugin_instance(path)
    method_name = name.replace('-', '_')
    method = getattr(instance, method_name, None)
    if method is None:
        return Result(False, '%s has no %s method' % (path, method_name))
    outcome = {}

    def call():
        try:
            outcome['value'] = method(service)
        except Exception as error:
            outcome['error'] = error

    thread = threading.Thread(target=call, daemon=True,
                              name='sm-action-%s' % service)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        return Result(False, 'timed out after %gs' % timeout)
    if 'error' in outcome:
        error = outcome['error']
        return Result(False, '%s: %s' % (type(error).__name__, error))
    if outcome.get('value') is False:
        return Result(False, '%s.%s returned False' % (path, method_name))
    return Result(True, None)


def _plugin_instance(path):
    with _plugins_lock:
        instance = _plugins.get(path)
        if instance is None:
            module, _, cls = path.partition(':')
            instance = getattr(importlib.import_module(module), cls)()
            _plugins[path] = instance
        return instance
