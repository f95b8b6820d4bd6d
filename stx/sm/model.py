"""The service-management model: the services, their groups and the domain.

stx-sm runs the controllers' services from data, as StarlingX's SM does
from its database tables. The data is one YAML file, by default the
packaged ``stx/sm/data/model.yaml``; ``load`` reads it and checks all of
it before anything acts on it. The format, with StarlingX's table for each
part::

    domain:                        # SERVICE_DOMAINS
      name: controller
      hello_interval_ms: 200       # optional, default 200
      dead_interval_ms: 800        # optional, default 800; above hello
      fail_pending_ms: 2000        # optional, default 2000; at least 1200
      tie_breaker: 10.10.10.1:22   # optional: reached before a takeover
      wait_interval_ms: 5000       # optional, default 5000; >= dead
    service_groups:                # SERVICE_GROUPS, SERVICE_DOMAIN_MEMBERS
      - name: controller-services
        redundancy_model: 1+1      # one of REDUNDANCY_MODELS
        n_active: 1                # N+M, N: required; 1+1: 1 or left out
        m_standby: 1               # N+M: required; 1+1: 1 or left out;
                                   # N: left out
        failure_debounce_ms: 300000    # optional, default 300000
        services:                  # SERVICE_GROUP_MEMBERS
          - name: sysinv-conductor
            failure_impact: critical   # one of states.IMPACTS
    services:                      # SERVICES, SERVICE_ACTIONS
      - name: sysinv-conductor
        max_failures: 2            # optional, default 2
        actions:
          enable: {type: command, command: [stx-sysinv-conductor]}
          disable: {type: systemd, unit: stx-sysinv-conductor.service}
          audit: {type: plugin, plugin: "package.module:ClassName"}
        dependencies: [management-ip]  # SERVICE_DEPENDENCY; optional
        pid_file: sm/sysinv-conductor.pid   # optional; under state_path

Lists must not be empty, ``dependencies`` excepted. The services a
service depends on must be enabled before it is. Its actions are
``enable`` and ``disable`` (both required), ``go-active``, ``go-standby``
and ``audit``. An action has a ``type`` and the key that type needs:
``command`` (a non-empty list of strings), ``systemd`` (``unit``) or
``plugin`` (``plugin``, checked for its form only: loading a model imports
nothing). It may have a ``timeout`` in seconds (default 300, StarlingX's),
and an audit an ``interval`` in seconds (default 40, StarlingX's usual
audit interval). A service with a ``pid_file`` (a path; a relative one is
under ``[DEFAULT] state_path``) is also watched passively: once it is
enabled, the exit of the process whose pid the file holds is a failure
at once, not at the next audit.

Beyond the form, a model must have unique names, every service a member of
exactly one group, members and dependencies that name defined services, and
no dependency cycle. An error is a ``ModelError`` that names the file, the
place in it and the reason; the place reads like
``services[sysinv-api].actions.enable.timeout``: a list entry is named by
its ``name`` once that name has passed its checks, by its index before
(``services[3].name``). The first error found is the one reported, always
the same for the same file.
"""

import graphlib
import importlib.resources
import ipaddress
import re
import reprlib
import typing

import yaml

from stx.common import exception
from stx.common import states
from stx.conf import CONF
from stx.drivers.ha import models as ha_models

# The built-in stx.ha.models drivers, which check a group's n_active and
# m_standby.
REDUNDANCY_MODELS = tuple(ha_models.BUILT_IN)

ACTION_ENABLE = 'enable'
ACTION_DISABLE = 'disable'
ACTION_GO_ACTIVE = 'go-active'
ACTION_GO_STANDBY = 'go-standby'
ACTION_AUDIT = 'audit'
REQUIRED_ACTIONS = (ACTION_ENABLE, ACTION_DISABLE)
OPTIONAL_ACTIONS = (ACTION_GO_ACTIVE, ACTION_GO_STANDBY, ACTION_AUDIT)
ACTIONS = REQUIRED_ACTIONS + OPTIONAL_ACTIONS

TYPE_COMMAND = 'command'
TYPE_SYSTEMD = 'systemd'
TYPE_PLUGIN = 'plugin'
ACTION_TYPES = (TYPE_COMMAND, TYPE_SYSTEMD, TYPE_PLUGIN)

# StarlingX's values (ha: create_sm_db.sql and SM's C source); 40 s is the
# audit interval most of its platform services use.
DEFAULT_HELLO_INTERVAL_MS = 200
DEFAULT_DEAD_INTERVAL_MS = 800
# StarlingX's fail-pending timeout and its lowest allowed value.
DEFAULT_FAIL_PENDING_MS = 2000
MIN_FAIL_PENDING_MS = 1200
DEFAULT_WAIT_INTERVAL_MS = 5000
DEFAULT_FAILURE_DEBOUNCE_MS = 300000
DEFAULT_MAX_FAILURES = 2
DEFAULT_ACTION_TIMEOUT = 300
DEFAULT_AUDIT_INTERVAL = 40

# Names go into places written like services[<name>], so they hold no
# brackets, dots or spaces.
_NAME = re.compile(r'[a-z0-9][a-z0-9_-]*')
_IDENTIFIER = r'[A-Za-z_][A-Za-z0-9_]*'
_PLUGIN = re.compile(r'{0}(\.{0})*:{0}'.format(_IDENTIFIER))
_MERGE_TAG = 'tag:yaml.org,2002:merge'


class ModelError(ValueError):
    """The model file cannot be used.

    :ivar path: the file (``source`` for ``loads``).
    :ivar where: the place in the file, such as
        ``service_groups[oam-services].n_active`` or, for a YAML syntax
        error, ``line 3, column 7``; None when the whole file is at fault.
    :ivar reason: what is wrong there.
    """

    def __init__(self, path, where, reason):
        self.path = path
        self.where = where
        self.reason = reason
        if where:
            super().__init__('%s: %s: %s' % (path, where, reason))
        else:
            super().__init__('%s: %s' % (path, reason))


class Domain(typing.NamedTuple):
    """The SM domain the controllers form."""

    name: str
    hello_interval_ms: int
    dead_interval_ms: int
    #: How long every path must stay silent past the dead interval before
    #: the peer is taken for failed.
    fail_pending_ms: int = DEFAULT_FAIL_PENDING_MS
    #: (address, TCP port) a controller must reach to take its silent
    #: peer's groups over, or None.
    tie_breaker: tuple = None
    #: How long a starting controller waits to hear its peer before it
    #: decides alone (StarlingX's domain wait interval).
    wait_interval_ms: int = DEFAULT_WAIT_INTERVAL_MS


class Member(typing.NamedTuple):
    """A service in a group, and how much its failure weighs on the group."""

    service: str
    failure_impact: str


class ServiceGroup(typing.NamedTuple):
    """Services that are active, standby or disabled together."""

    name: str
    redundancy_model: str
    n_active: int
    #: 0 for the N model.
    m_standby: int
    failure_debounce_ms: int
    #: Members in file order.
    members: tuple[Member, ...]


class Action(typing.NamedTuple):
    """How to carry out one action of a service.

    Of ``command``, ``unit`` and ``plugin``, the one ``type`` needs is set
    and the others are None; ``interval`` is set for an audit only.
    """

    type: str
    command: tuple[str, ...] | None = None
    unit: str | None = None
    plugin: str | None = None
    timeout: float = DEFAULT_ACTION_TIMEOUT
    interval: float | None = None


class Service(typing.NamedTuple):
    """One service: a daemon, an address, a file system."""

    name: str
    max_failures: int
    #: Action name (one of ACTIONS) to Action, in file order.
    actions: dict[str, Action]
    #: Names of the services that must be enabled before this one.
    dependencies: tuple[str, ...]
    #: The file its enable action leaves the process's pid in, or None.
    pid_file: str | None = None


class Model:
    """A checked model.

    :ivar domain: the Domain.
    :ivar groups: group name to ServiceGroup, in file order.
    :ivar services: service name to Service, in file order.
    """

    def __init__(self, domain, groups, services):
        self.domain = domain
        self.groups = groups
        self.services = services
        self._group_of = {member.service: group
                          for group in groups.values()
                          for member in group.members}

    def group_of(self, service_name):
        """The ServiceGroup a service is a member of.

        :raises: KeyError if the model has no such service.
        """
        return self._group_of[service_name]

    def start_order(self):
        """Every service name, each after the services it depends on.

        The services come in rounds: the first holds the services that
        depend on nothing, each next one those whose dependencies are all
        in earlier rounds; a round is sorted by name.
        """
        sorter = _dependency_sorter(self.services)
        sorter.prepare()
        order = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready())
            order.extend(ready)
            sorter.done(*ready)
        return order


class _Loader(yaml.SafeLoader):
    """safe_load's loader, refusing a mapping key given twice.

    PyYAML keeps the last of duplicate keys silently: a second
    ``services:`` would drop every service listed under the first.
    Merge keys (``<<: *defaults``) may still be overridden.
    """

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value_node in node.value:
            if (not isinstance(key_node, yaml.ScalarNode)
                    or key_node.tag == _MERGE_TAG):
                continue
            key = self.construct_object(key_node)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, 'found duplicate key %r' % key,
                    key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _Invalid(Exception):
    """A check failed; loads() adds the file name."""

    def __init__(self, where, reason):
        super().__init__(where, reason)
        self.where = where
        self.reason = reason


# The packaged models: two controllers' services, and the all-in-one
# controller's (stx-aio), whose services run in its own process.
STANDARD = 'model.yaml'
AIO = 'aio.yaml'


def packaged(name):
    """The path of the packaged model ``name`` (STANDARD or AIO)."""
    return str(importlib.resources.files('stx.sm') / 'data' / name)


def load(path=None):
    """Read and check a model file.

    :param path: the file; default ``[sm] model_file``, and when that is
        unset the packaged model.
    :returns: a Model.
    :raises: ModelError
    """
    if path is None:
        path = CONF.sm.model_file
    if path is None:
        path = packaged(STANDARD)
    try:
        with open(path, 'rb') as stream:
            text = stream.read()
    except OSError as error:
        raise ModelError(path, None, error.strerror or str(error)) from None
    return loads(text, path)


def loads(text, source='<string>'):
    """Check a model given as YAML text (str, or bytes in a YAML encoding).

    :param source: where the text comes from, for error messages.
    :returns: a Model.
    :raises: ModelError
    """
    try:
        document = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        raise ModelError(source, _line(error), 'not valid YAML: %s'
                         % (error.problem or error.context)) from None
    except yaml.YAMLError as error:
        raise ModelError(source, None, 'not valid YAML: %s' % error) from None
    try:
        return _model(document)
    except _Invalid as error:
        raise ModelError(source, error.where, error.reason) from None


def _line(error):
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return None
    return 'line %d, column %d' % (mark.line + 1, mark.column + 1)


def _mapping(value, where):
    if not isinstance(value, dict):
        raise _Invalid(where, 'must be a mapping, got %s'
                       % reprlib.repr(value))


def _keys(entry, where, required, optional=()):
    """Check that entry is a mapping with the required keys and no others."""
    _mapping(entry, where)
    allowed = required + optional
    for key in entry:
        if key not in allowed:
            raise _Invalid(_join(where, key), 'unknown key; expected one of %s'
                           % ', '.join(allowed))
    for key in required:
        if key not in entry:
            raise _Invalid(_join(where, key), 'is required')


def _join(where, key):
    return '%s.%s' % (where, key) if where else str(key)


def _entry_name(entry, where):
    """The name of a list entry, checked."""
    _mapping(entry, where)
    if 'name' not in entry:
        raise _Invalid(where + '.name', 'is required')
    return _name(entry['name'], where + '.name')


def _name(value, where):
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise _Invalid(where, 'must be lower-case letters, digits, "-" and '
                       '"_", got %s' % reprlib.repr(value))
    return value


def _list(value, where):
    if not isinstance(value, list) or not value:
        raise _Invalid(where, 'must be a non-empty list, got %s'
                       % reprlib.repr(value))
    return value


def _text(value, where):
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(where, 'must be a non-empty string, got %s'
                       % reprlib.repr(value))
    return value


def _pid_file(value, where):
    if value is not None and not (
            isinstance(value, str) and value.strip() and
            '..' not in value.split('/')):
        raise _Invalid(where, 'must be a path (absolute, or under '
                       'state_path) without "..", got %s'
                       % reprlib.repr(value))
    return value


def _choice(value, where, choices):
    if not isinstance(value, str) or value not in choices:
        raise _Invalid(where, 'must be one of %s, got %s'
                       % (', '.join(choices), reprlib.repr(value)))
    return value


def _integer(value, where, minimum):
    # bool is an int in Python, but "true" is no count in YAML.
    if type(value) is not int or value < minimum:
        raise _Invalid(where, 'must be an integer >= %d, got %s'
                       % (minimum, reprlib.repr(value)))
    return value


def _seconds(value, where):
    if type(value) not in (int, float) or not value > 0:
        raise _Invalid(where, 'must be a number of seconds above 0, got %s'
                       % reprlib.repr(value))
    return value


def _model(document):
    _keys(document, None, ('domain', 'service_groups', 'services'))
    domain = _domain(document['domain'])
    services = _services(document['services'])
    groups = _groups(document['service_groups'], services)
    _check_cycles(services)
    return Model(domain, groups, services)


def _domain(entry):
    _keys(entry, 'domain', ('name',),
          ('hello_interval_ms', 'dead_interval_ms', 'fail_pending_ms',
           'tie_breaker', 'wait_interval_ms'))
    name = _name(entry['name'], 'domain.name')
    hello = _integer(entry.get('hello_interval_ms', DEFAULT_HELLO_INTERVAL_MS),
                     'domain.hello_interval_ms', 1)
    dead = _integer(entry.get('dead_interval_ms', DEFAULT_DEAD_INTERVAL_MS),
                    'domain.dead_interval_ms', 1)
    if dead <= hello:
        raise _Invalid('domain.dead_interval_ms',
                       'must be above hello_interval_ms (%d), got %d'
                       % (hello, dead))
    fail_pending = _integer(
        entry.get('fail_pending_ms', DEFAULT_FAIL_PENDING_MS),
        'domain.fail_pending_ms', MIN_FAIL_PENDING_MS)
    wait = _integer(entry.get('wait_interval_ms', DEFAULT_WAIT_INTERVAL_MS),
                    'domain.wait_interval_ms', 1)
    if wait < dead:
        raise _Invalid('domain.wait_interval_ms',
                       'must be at least dead_interval_ms (%d), got %d'
                       % (dead, wait))
    return Domain(name, hello, dead, fail_pending,
                  _tie_breaker(entry.get('tie_breaker')), wait)


def _tie_breaker(value):
    if value is None:
        return None
    address, sep, port = str(value).rpartition(':') if isinstance(
        value, str) else ('', '', '')
    try:
        ipaddress.ip_address(address.strip('[]'))
        port = int(port)
    except ValueError:
        port = 0
    if not sep or not 0 < port < 65536:
        raise _Invalid('domain.tie_breaker', 'must be "<ip>:<tcp port>" '
                       '(an IPv6 address in brackets), got %s'
                       % reprlib.repr(value))
    return (address.strip('[]'), port)


def _services(entries):
    services = {}
    for index, entry in enumerate(_list(entries, 'services')):
        name = _entry_name(entry, 'services[%d]' % index)
        if name in services:
            raise _Invalid('services[%d].name' % index,
                           'duplicate service name %r' % name)
        where = 'services[%s]' % name
        _keys(entry, where, ('name', 'actions'),
              ('max_failures', 'dependencies', 'pid_file'))
        services[name] = Service(
            name,
            _integer(entry.get('max_failures', DEFAULT_MAX_FAILURES),
                     where + '.max_failures', 0),
            _actions(entry['actions'], where + '.actions'),
            _strings(entry.get('dependencies', []), where + '.dependencies',
                     'service names'),
            _pid_file(entry.get('pid_file'), where + '.pid_file'))
    for service in services.values():
        for index, dependency in enumerate(service.dependencies):
            if dependency not in services:
                raise _Invalid('services[%s].dependencies[%d]'
                               % (service.name, index),
                               'unknown service %r' % dependency)
    return services


def _actions(entry, where):
    _keys(entry, where, REQUIRED_ACTIONS, OPTIONAL_ACTIONS)
    return {name: _action(name, spec, '%s.%s' % (where, name))
            for name, spec in entry.items()}


def _action(name, spec, where):
    _mapping(spec, where)
    if 'type' not in spec:
        raise _Invalid(where + '.type', 'is required')
    action_type = _choice(spec['type'], where + '.type', ACTION_TYPES)
    field, check = _ACTION_FIELDS[action_type]
    optional = ('timeout',)
    if name == ACTION_AUDIT:
        optional += ('interval',)
    _keys(spec, where, ('type', field), optional)
    values = {
        field: check(spec[field], '%s.%s' % (where, field)),
        'timeout': _seconds(spec.get('timeout', DEFAULT_ACTION_TIMEOUT),
                            where + '.timeout'),
    }
    if name == ACTION_AUDIT:
        values['interval'] = _seconds(
            spec.get('interval', DEFAULT_AUDIT_INTERVAL), where + '.interval')
    return Action(action_type, **values)


def _strings(value, where, what, non_empty=False):
    """A list of non-empty strings, as a tuple."""
    if not isinstance(value, list) or (non_empty and not value):
        raise _Invalid(where, 'must be a %slist of %s, got %s' % (
            'non-empty ' if non_empty else '', what, reprlib.repr(value)))
    for index, item in enumerate(value):
        _text(item, '%s[%d]' % (where, index))
    return tuple(value)


def _command(value, where):
    return _strings(value, where, 'strings', non_empty=True)


def _plugin(value, where):
    if not isinstance(value, str) or not _PLUGIN.fullmatch(value):
        raise _Invalid(where, 'must be "module.path:ClassName", got %s'
                       % reprlib.repr(value))
    return value


# Action type to the key it needs and the check of that key's value.
_ACTION_FIELDS = {
    TYPE_COMMAND: ('command', _command),
    TYPE_SYSTEMD: ('unit', _text),
    TYPE_PLUGIN: ('plugin', _plugin),
}


def _groups(entries, services):
    groups = {}
    group_of = {}
    for index, entry in enumerate(_list(entries, 'service_groups')):
        name = _entry_name(entry, 'service_groups[%d]' % index)
        if name in groups:
            raise _Invalid('service_groups[%d].name' % index,
                           'duplicate service group name %r' % name)
        where = 'service_groups[%s]' % name
        _keys(entry, where, ('name', 'redundancy_model', 'services'),
              ('n_active', 'm_standby', 'failure_debounce_ms'))
        model = _choice(entry['redundancy_model'],
                        where + '.redundancy_model', REDUNDANCY_MODELS)
        n_active, m_standby = _redundancy(model, entry, where)
        debounce = _integer(
            entry.get('failure_debounce_ms', DEFAULT_FAILURE_DEBOUNCE_MS),
            where + '.failure_debounce_ms', 0)
        members = []
        for member_index, member in enumerate(
                _list(entry['services'], where + '.services')):
            member_where = '%s.services[%d]' % (where, member_index)
            service = _entry_name(member, member_where)
            if service not in services:
                raise _Invalid(member_where + '.name',
                               'unknown service %r' % service)
            if service in group_of:
                raise _Invalid(member_where + '.name',
                               'service %r is already a member of %r'
                               % (service, group_of[service]))
            group_of[service] = name
            member_where = '%s.services[%s]' % (where, service)
            _keys(member, member_where, ('name', 'failure_impact'))
            members.append(Member(
                service, _choice(member['failure_impact'],
                                 member_where + '.failure_impact',
                                 states.IMPACTS)))
        groups[name] = ServiceGroup(name, model, n_active, m_standby,
                                    debounce, tuple(members))
    for service in services:
        if service not in group_of:
            # It would never run: stx-sm runs groups, not services.
            raise _Invalid('services[%s]' % service,
                           'is a member of no service group')
    return groups


def _redundancy(model, entry, where):
    """n_active and m_standby of a group, as its model checks them."""
    config = {key: entry[key] for key in (ha_models.N_ACTIVE,
                                          ha_models.M_STANDBY)
              if key in entry}
    try:
        return ha_models.BUILT_IN[model]().places(config)
    except (exception.InvalidParameterValue,
            exception.MissingParameterValue) as error:
        # The driver names the key as group_config.<key>.
        key = error.field.rpartition('.')[2]
        raise _Invalid('%s.%s' % (where, key),
                       error.kwargs.get('reason') or str(error)) from None


def _dependency_sorter(services):
    return graphlib.TopologicalSorter(
        {name: service.dependencies for name, service in services.items()})


def _check_cycles(services):
    try:
        _dependency_sorter(services).prepare()
    except graphlib.CycleError as error:
        # graphlib lists each service before the one that depends on it;
        # backwards, the list reads as "depends on".
        cycle = error.args[1][::-1]
        raise _Invalid('services[%s].dependencies' % cycle[0],
                       'dependency cycle: %s' % ' -> '.join(cycle)) from None
