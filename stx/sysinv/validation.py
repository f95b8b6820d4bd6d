"""Host field validation and host action checks: plain functions.

The conductor runs ``validate_host`` on every create, update and bulk add
before anything is stored; the API runs ``check_action`` (and, to unlock,
``unlock_blockers``) before it hands an action to maintenance. Each error
names the field at fault.
"""

import ipaddress
import re

from stx.common import exception
from stx.common import states
from stx.sysinv.db import inventory_api
from stx.sysinv import nodal

# Fields a client may set when adding or updating a host.
WRITABLE_FIELDS = frozenset((
    'hostname', 'personality', 'subfunctions', 'mgmt_mac', 'mgmt_ip',
    'cluster_host_ip', 'bm_ip', 'bm_type', 'bm_username', 'bm_password',
    'boot_device', 'rootfs_device', 'hw_settle', 'install_output', 'console',
    'vsc_controllers', 'location', 'ttys_dcd', 'clock_synchronization',
    'apparmor', 'serialid', 'capabilities', 'sw_version'))

_HOSTNAME_LABEL = re.compile(r'^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$',
                             re.IGNORECASE)
_MAC = re.compile(r'^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$',
                  re.IGNORECASE)
_CONTROLLER_NAMES = ('controller-0', 'controller-1')
_STORAGE_NAME = re.compile(r'^storage-\d+$')
_CHOICES = {
    'install_output': ('text', 'graphical'),
    'clock_synchronization': ('ntp', 'ptp'),
    'apparmor': ('enabled', 'disabled'),
}
_TRUE = ('true', '1', 'yes', 'on')
_FALSE = ('false', '0', 'no', 'off')
_BMC_FIELDS = ('bm_ip', 'bm_username', 'bm_password')


def _invalid(field, reason):
    return exception.InvalidParameterValue(field=field, reason=reason)


def _text(field, value, max_length=255):
    if not isinstance(value, str):
        raise _invalid(field, 'must be a string')
    if len(value) > max_length:
        raise _invalid(field, 'longer than %d characters' % max_length)
    return value


def normalize_hostname(value):
    value = _text('hostname', value)
    labels = value.split('.')
    if not value or not all(_HOSTNAME_LABEL.match(label)
                            for label in labels):
        raise _invalid('hostname', "'%s' is not a valid hostname: use "
                       'letters, digits and hyphens (RFC 1123)' % value)
    return value.lower()


def normalize_mac(value, field='mgmt_mac'):
    value = _text(field, value)
    if not _MAC.match(value):
        raise _invalid(field, "'%s' is not a MAC address "
                       '(xx:xx:xx:xx:xx:xx)' % value)
    mac = value.lower().replace('-', ':')
    if mac == '00:00:00:00:00:00':
        raise _invalid(field, 'the all-zero MAC address is not a NIC')
    if int(mac[:2], 16) & 1:
        raise _invalid(field, "'%s' is a multicast address, not a NIC" % mac)
    return mac


def normalize_ip(value, field='mgmt_ip'):
    value = _text(field, value)
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise _invalid(field, "'%s' is not an IPv4 or IPv6 address" % value)


def parse_bm_ip(value):
    """Split ``addr``, ``addr:port``, ``[v6]:port`` or a bare IPv6 address.

    :returns: (normalized address text, port or None)
    """
    value = _text('bm_ip', value).strip()
    port = None
    host = value
    if value.startswith('['):
        host, sep, rest = value[1:].partition(']')
        if not sep or (rest and not rest.startswith(':')):
            raise _invalid('bm_ip', "'%s' is not an address with an "
                           'optional :port' % value)
        port = rest[1:] if rest else None
    elif value.count(':') == 1:
        host, port = value.split(':')
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise _invalid('bm_ip', "'%s' is not an address with an optional "
                       ':port' % value)
    if port is not None:
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise _invalid('bm_ip', "port '%s' is not between 1 and 65535"
                           % port)
        port = int(port)
    return str(address), port


def format_bm_ip(address, port):
    if port is None:
        return address
    if ':' in address:
        return '[%s]:%d' % (address, port)
    return '%s:%d' % (address, port)


def _boolean(field, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _TRUE + _FALSE:
        return value.lower() in _TRUE
    raise _invalid(field, "'%s' is not true or false" % value)


def _location(value):
    # StarlingX clients send {"locn": text} on add and bare text on update.
    if isinstance(value, str):
        value = {'locn': value}
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str)
            for k, v in value.items()):
        raise _invalid('location', 'must be text or {"locn": text}')
    return value


def _personality(field, value):
    if value not in states.PERSONALITIES:
        raise _invalid(field, "'%s' is not one of %s"
                       % (value, ', '.join(states.PERSONALITIES)))
    return value


def _subfunctions(field, value):
    parts = [part.strip() for part in _text(field, value).split(',')]
    unknown = [part for part in parts if part not in states.SUBFUNCTIONS]
    if unknown:
        raise _invalid(field, "unknown subfunction '%s'" % unknown[0])
    return ','.join(parts)


def _capabilities(field, value):
    if not isinstance(value, dict):
        raise _invalid(field, 'must be an object')
    return value


def _hw_settle(field, value):
    value = _text(field, str(value), max_length=4)
    if not value.isdigit():
        raise _invalid(field, "'%s' is not a number of seconds (0-9999)"
                       % value)
    return value


def _device(field, value):
    if not _text(field, value):
        raise _invalid(field, 'must name a disk, e.g. /dev/sda')
    return value


def _choice(field, value):
    if value not in _CHOICES[field]:
        raise _invalid(field, "'%s' is not one of %s"
                       % (value, ', '.join(_CHOICES[field])))
    return value


_NORMALIZERS = {
    'hostname': lambda field, value: normalize_hostname(value),
    'personality': _personality,
    'subfunctions': _subfunctions,
    'mgmt_mac': lambda field, value: normalize_mac(value),
    'mgmt_ip': lambda field, value: normalize_ip(value),
    'cluster_host_ip': lambda field, value: normalize_ip(value, field=field),
    'bm_ip': lambda field, value: parse_bm_ip(value),
    'ttys_dcd': _boolean,
    'location': lambda field, value: _location(value),
    'capabilities': _capabilities,
    'hw_settle': _hw_settle,
    'boot_device': _device,
    'rootfs_device': _device,
    'install_output': _choice,
    'clock_synchronization': _choice,
    'apparmor': _choice,
}


def _bm_type(value, enabled_bm_types):
    value = _text('bm_type', value).lower()
    if value != states.BM_TYPE_NONE and value not in enabled_bm_types:
        raise exception.DriverNotEnabled(
            field='bm_type', name=value, family='BMC',
            enabled=', '.join([states.BM_TYPE_NONE] + list(enabled_bm_types)))
    return value


def _normalize(field, value, enabled_bm_types):
    """One field's value in stored form; None clears a field."""
    if value is None:
        return None
    if field == 'bm_type':
        return _bm_type(value, enabled_bm_types)
    return _NORMALIZERS.get(field, _text)(field, value)


def validate_host(values, current=None, enabled_bm_types=()):
    """Check requested host fields; return them in stored form.

    :param values: requested fields (a POST body, or a PATCH turned into
        field: value pairs; None clears a field).
    :param current: the stored host when updating, None when adding.
    :param enabled_bm_types: the enabled BMC driver names.
    :returns: the values to store, with BMC fields cleared when bm_type
        becomes "none".
    :raises: UnknownField, ReadOnlyField, InvalidParameterValue,
        MissingParameterValue, DriverNotEnabled
    """
    for field in values:
        if field not in WRITABLE_FIELDS:
            raise exception.UnknownField(field=field)
    if 'bm_type' in values and values['bm_type'] is None:
        # Removing the BMC type means the host has no BMC.
        values = dict(values, bm_type=states.BM_TYPE_NONE)
    changes = {field: _normalize(field, value, enabled_bm_types)
               for field, value in values.items()}
    merged = dict(current or {}, **changes)

    _check_identity(changes, merged, creating=current is None)
    _check_addresses(merged)
    _check_bmc(changes, merged)
    if 'bm_ip' in changes and changes['bm_ip'] is not None:
        changes['bm_ip'] = format_bm_ip(*changes['bm_ip'])
    return changes


def _check_identity(changes, merged, creating):
    hostname = merged.get('hostname')
    personality = merged.get('personality')
    if creating and not merged.get('mgmt_mac'):
        raise exception.MissingParameterValue(
            field='mgmt_mac', reason='a host is added by the MAC address it '
            'boots from on the management network')
    if personality and not hostname:
        raise exception.MissingParameterValue(
            field='hostname', reason='a host with a personality needs a name')
    if hostname and not personality:
        raise exception.MissingParameterValue(
            field='personality', reason='a named host needs a personality '
            '(%s)' % ', '.join(states.PERSONALITIES))
    if personality == states.CONTROLLER:
        if hostname not in _CONTROLLER_NAMES:
            raise _invalid('hostname', 'a controller must be named '
                           'controller-0 or controller-1')
    elif hostname in _CONTROLLER_NAMES or (
            hostname and hostname.startswith('controller-')):
        raise _invalid('hostname', "'%s' is reserved for controllers"
                       % hostname)
    if personality == states.STORAGE and not _STORAGE_NAME.match(hostname):
        raise _invalid('hostname', 'a storage host must be named storage-N')
    if (personality not in (None, states.STORAGE) and hostname
            and _STORAGE_NAME.match(hostname)):
        raise _invalid('hostname', "'%s' is reserved for storage hosts"
                       % hostname)
    subfunctions = changes.get('subfunctions')
    if subfunctions and personality and (
            subfunctions.split(',')[0] != personality):
        raise _invalid('subfunctions', "must start with the personality "
                       "'%s'" % personality)


def _check_addresses(merged):
    # The cluster-host address is a second heartbeat path: the management
    # address again would share every failure of the first.
    cluster_host_ip = merged.get('cluster_host_ip')
    if cluster_host_ip and cluster_host_ip == merged.get('mgmt_ip'):
        raise _invalid('cluster_host_ip', "'%s' is the host's mgmt_ip; the "
                       'cluster-host network needs an address of its own'
                       % cluster_host_ip)


def _check_bmc(changes, merged):
    bm_type = merged.get('bm_type')
    if bm_type in (None, states.BM_TYPE_NONE):
        given = [field for field in _BMC_FIELDS if changes.get(field)]
        if changes.get('bm_type') == states.BM_TYPE_NONE:
            # "none" deprovisions the BMC: forget how to reach it.
            for field in _BMC_FIELDS:
                changes[field] = None
        elif given:
            raise _invalid('bm_type', 'set bm_type to a BMC driver to '
                           'provision %s' % given[0])
        return
    bm_ip = merged.get('bm_ip')
    if not bm_ip:
        raise exception.MissingParameterValue(
            field='bm_ip', reason="bm_type '%s' needs the BMC's address"
            % bm_type)
    if not merged.get('bm_username'):
        raise exception.MissingParameterValue(
            field='bm_username', reason="bm_type '%s' needs a BMC user"
            % bm_type)
    address, port = (bm_ip if isinstance(bm_ip, tuple) else parse_bm_ip(bm_ip))
    if port is not None and bm_type not in states.BM_TYPES_WITH_PORT:
        raise _invalid('bm_ip', "a port is allowed only with bm_type %s, "
                       "not '%s'" % (' or '.join(states.BM_TYPES_WITH_PORT),
                                     bm_type))


# Actions that need the host locked first, as StarlingX.
_LOCKED_ONLY = (states.ACTION_REBOOT, states.ACTION_FORCE_REBOOT,
                states.ACTION_RESET, states.ACTION_REINSTALL,
                states.ACTION_POWER_OFF)
_LOCK_ACTIONS = (states.ACTION_LOCK, states.ACTION_FORCE_LOCK,
                 states.ACTION_FORCE_UNSAFE_LOCK)
# The locks checked for a controller left alone: force-unsafe-lock is the
# operator's override.
_SAFE_LOCK_ACTIONS = (states.ACTION_LOCK, states.ACTION_FORCE_LOCK)
_UNLOCK_ACTIONS = (states.ACTION_UNLOCK, states.ACTION_FORCE_UNLOCK)
# The availability of a controller that can run the platform.
_IN_SERVICE = (states.AVAILABLE, states.DEGRADED)
# A host its agent cannot reinstall: only its BMC can boot the installer.
_UNREACHABLE = (states.OFFLINE, states.POWER_OFF)


def _simplex(system):
    return bool(system) and (
        system['system_mode'] == states.SYSTEM_MODE_SIMPLEX)


def _has_bmc(host):
    return host['bm_type'] not in (None, '', states.BM_TYPE_NONE)


def _only_controller_in_service(host, system, controllers):
    """Whether ``host`` is a controller of a system that is not simplex
    and no other controller is unlocked, enabled and available or degraded.
    """
    if host['personality'] != states.CONTROLLER or _simplex(system):
        return False
    return not any(other['uuid'] != host['uuid']
                   and other['administrative'] == states.UNLOCKED
                   and other['operational'] == states.ENABLED
                   and other['availability'] in _IN_SERVICE
                   for other in controllers)


def _check_swact(host, system, controllers, refuse):
    """A swact needs an in-service controller and a peer to take over."""
    if host['personality'] != states.CONTROLLER:
        raise refuse('only a controller can swact')
    if _simplex(system):
        raise refuse('a simplex system has no other controller to take '
                     'over')
    if not (host['administrative'] == states.UNLOCKED and
            host['operational'] == states.ENABLED):
        raise refuse('the host is not unlocked and enabled')
    if _only_controller_in_service(host, system, controllers):
        raise refuse('no other controller is unlocked, enabled and '
                     'available to take over')


def check_action(host, action, system, controllers=()):
    """Refuse an action the host's state does not allow; say why.

    What keeps a locked host from being unlocked is unlock_blockers'.

    :param host: the host's row.
    :param system: the system's row, or None before there is one.
    :param controllers: the rows of the system's controllers: a controller
        is locked only while another one runs the platform.
    :raises: InvalidParameterValue for an unknown action,
        InvalidStateTransition when the state forbids it (naming
        ``action``, or ``bm_type`` for a reinstall that needs the BMC).
    """
    if action not in states.HOST_ACTIONS:
        raise _invalid('action', "'%s' is not one of %s"
                       % (action, ', '.join(states.HOST_ACTIONS)))
    name = host['hostname'] or host['uuid']

    def refuse(reason, field='action'):
        return exception.InvalidStateTransition(
            action=action, target=name, reason=reason, field=field)

    locked = host['administrative'] == states.LOCKED
    if action in _LOCKED_ONLY:
        if not locked:
            raise refuse('the host is unlocked; lock it first')
        if _simplex(system):
            raise refuse('not allowed on a simplex system')
    if action in _LOCK_ACTIONS and locked:
        raise refuse('the host is already locked')
    # StarlingX also refuses to lock the active controller while a standby
    # could take over (swact first): stx-mtce checks that with service
    # management, which knows which controller is active
    # (stx.mtce.swact). A simplex system's controller may be locked, as
    # StarlingX's AIO-SX.
    if (action in _SAFE_LOCK_ACTIONS
            and _only_controller_in_service(host, system, controllers)):
        raise refuse('it is the only enabled controller; unlock and enable '
                     'another controller first')
    if action in _UNLOCK_ACTIONS:
        if not locked:
            raise refuse('the host is already unlocked')
        if host['availability'] == states.POWER_OFF:
            raise refuse('the host is powered off; power it on first with '
                         'host-power-on')
    if action in (states.ACTION_SWACT, states.ACTION_FORCE_SWACT):
        _check_swact(host, system, controllers, refuse)
    if (action == states.ACTION_REINSTALL
            and host['availability'] in _UNREACHABLE
            and not _has_bmc(host)):
        raise refuse('reinstalling a host that is offline or powered off '
                     'needs its BMC: provision bm_type, bm_ip and '
                     'bm_username with host-update first', field='bm_type')


def unlock_blockers(context, host):
    """Every reason a locked host cannot be unlocked yet; [] if it can.

    One place for the preconditions of an unlock, so that the API and host
    maintenance refuse the same hosts for the same reasons: the host is
    provisioned (has a personality, its agent reported inventory), has a
    platform core, and each NUMA node's huge pages fit in its memory after
    the platform reservation. Whether the host is locked at all is
    check_action's.

    :param host: the host's row.
    :returns: a list of reasons, each a sentence naming what to fix.
    """
    reasons = []
    if not host['personality']:
        reasons.append('the host has no personality; set its hostname and '
                       'personality with host-update')
    if host['invprovision'] != states.PROVISIONED:
        reasons.append('the host is %s: its agent has not reported '
                       'inventory yet' % host['invprovision'])
    cpus = inventory_api.cpu_list(context, host['id'])
    if not cpus:
        reasons.append('no cpus are in its inventory yet')
    elif not any(cpu['allocated_function'] == states.CPU_FUNCTION_PLATFORM
                 for cpu in cpus):
        reasons.append('no core is assigned to the platform; assign one '
                       'with host-cpu-modify -f platform')
    for memory in inventory_api.memory_list(context, host['id']):
        problem = nodal.hugepages_problem(host, memory)
        if problem:
            reasons.append(problem + '; lower them with host-memory-modify')
    return reasons
