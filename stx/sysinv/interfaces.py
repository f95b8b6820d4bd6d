"""Host interfaces and their platform networks: the rules.

Plain functions over what is stored (a host's interfaces and ports, as
stx.sysinv.db.api's interface writers hand them to a check); each refusal
is an InvalidParameterValue naming the field at fault, and the caller
writes nothing then. The host must be locked (the conductor checks that).

* ``ifname``: unique on the host, 1 to 15 characters (Linux's IFNAMSIZ
  less its NUL), no ``/``, space or ``:``.
* ``iftype``: ``ethernet`` uses exactly one port of the host that no other
  interface uses; ``ae`` uses one or more ethernet interfaces of the host
  that nothing else uses; ``vlan`` uses exactly one interface of the host
  (not an ae member), with a ``vlan_id`` of 1 to 4094 that no other vlan
  of that interface has.
* ``ifclass``: platform, data, pci-sriov or none (the default).
* ``imtu``: 576 to 9216 (default 1500); a vlan's is at most its lower
  interface's.
* Networks: stx-flock keeps a fixed set of platform network types (mgmt,
  cluster-host, oam) rather than StarlingX's network and address-pool
  model. Only a platform-class interface carries one, and each is on one
  interface of a host at most.
"""

from stx.common import exception

ETHERNET = 'ethernet'
VLAN = 'vlan'
AE = 'ae'
IFTYPES = (ETHERNET, VLAN, AE)

PLATFORM = 'platform'
IFCLASSES = (PLATFORM, 'data', 'pci-sriov', 'none')
DEFAULT_IFCLASS = 'none'

AEMODES = ('active_standby', 'balanced', '802.3ad')
DEFAULT_AEMODE = 'active_standby'
TXHASHPOLICIES = ('layer2', 'layer2+3', 'layer3+4')
DEFAULT_TXHASHPOLICY = 'layer2'

NETWORK_TYPES = ('mgmt', 'cluster-host', 'oam')

IFNAME_MAX = 15
MTU_MIN, MTU_MAX, DEFAULT_MTU = 576, 9216, 1500
VLAN_ID_MIN, VLAN_ID_MAX = 1, 4094

# What a client may change of an interface (host-if-modify).
WRITABLE = frozenset(('ifname', 'ifclass', 'imtu'))


def _refuse(field, reason):
    return exception.InvalidParameterValue(field=field, reason=reason)


def _one_of(field, value, allowed):
    if value not in allowed:
        raise _refuse(field, '%r is not one of %s'
                      % (value, ', '.join(allowed)))
    return value


def _number(field, value, low, high):
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if (isinstance(value, bool) or not isinstance(value, int) or
            not low <= value <= high):
        raise _refuse(field, '%r is not a whole number from %d to %d'
                      % (value, low, high))
    return value


def check_ifname(ifname, interfaces, current=None):
    """:raises: InvalidParameterValue (``ifname``)."""
    if not isinstance(ifname, str) or not 1 <= len(ifname) <= IFNAME_MAX:
        raise _refuse('ifname', '%r is not a name of 1 to %d characters'
                      % (ifname, IFNAME_MAX))
    if any(char in ifname for char in '/: \t') or ifname in ('.', '..'):
        raise _refuse('ifname', '%r has "/", ":" or a space' % ifname)
    for other in interfaces:
        if other['ifname'] == ifname and other is not current:
            raise _refuse('ifname', 'the host has an interface %r already'
                          % ifname)
    return ifname


def check_mtu(mtu):
    """:raises: InvalidParameterValue (``imtu``)."""
    return _number('imtu', mtu, MTU_MIN, MTU_MAX)


def _names(value, field):
    if value is None:
        return []
    if (not isinstance(value, list) or
            not all(isinstance(name, str) for name in value)):
        raise _refuse(field, 'must be a list of names')
    return value


def _find(rows, ident, key):
    for row in rows:
        if ident in (row[key], row['uuid']):
            return row
    return None


def _lower_interfaces(state, names, field='uses'):
    lowers = []
    for name in names:
        lower = _find(state['interfaces'], name, 'ifname')
        if lower is None:
            raise _refuse(field, 'the host has no interface %r' % name)
        if lower in lowers:
            raise _refuse(field, 'interface %r is named twice' % name)
        lowers.append(lower)
    return lowers


def _ethernet_port(state, names):
    if len(names) != 1:
        raise _refuse('ports', 'an ethernet interface uses exactly one '
                      'port, not %d' % len(names))
    port = _find(state['ports'], names[0], 'name')
    if port is None:
        raise _refuse('ports', 'the host has no port %r' % names[0])
    for interface in state['interfaces']:
        if interface['port_id'] == port['id']:
            raise _refuse('ports', 'port %s is used by interface %s'
                          % (port['name'], interface['ifname']))
    return port


def _ae_members(state, names):
    if not names:
        raise _refuse('uses', 'an ae interface uses one or more ethernet '
                      'interfaces')
    members = _lower_interfaces(state, names)
    for member in members:
        if member['iftype'] != ETHERNET:
            raise _refuse('uses', 'interface %s is %s; an ae uses ethernet '
                          'interfaces' % (member['ifname'], member['iftype']))
        if member['used_by']:
            raise _refuse('uses', 'interface %s is used by %s'
                          % (member['ifname'], ', '.join(member['used_by'])))
        if member['networktypelist']:
            raise _refuse('uses', 'interface %s carries networks (%s); an '
                          'ae member carries none'
                          % (member['ifname'],
                             ', '.join(member['networktypelist'])))
    return members


def _vlan_lower(state, names, vlan_id, mtu):
    if len(names) != 1:
        raise _refuse('uses', 'a vlan interface uses exactly one interface, '
                      'not %d' % len(names))
    lower = _lower_interfaces(state, names)[0]
    if lower['iftype'] == VLAN:
        raise _refuse('uses', 'interface %s is a vlan; a vlan uses an '
                      'ethernet or ae interface' % lower['ifname'])
    for upper in state['interfaces']:
        if upper['ifname'] not in lower['used_by']:
            continue
        if upper['iftype'] == AE:
            raise _refuse('uses', 'interface %s is a member of ae %s'
                          % (lower['ifname'], upper['ifname']))
        if upper['vlan_id'] == vlan_id:
            raise _refuse('vlan_id', 'interface %s has vlan %d already (%s)'
                          % (lower['ifname'], vlan_id, upper['ifname']))
    if mtu > (lower['imtu'] or DEFAULT_MTU):
        raise _refuse('imtu', 'a vlan\'s MTU (%d) cannot exceed that of its '
                      'lower interface %s (%s)'
                      % (mtu, lower['ifname'], lower['imtu']))
    return lower


def check_new_interface(state, request):
    """A new interface of a host, checked against its stored interfaces.

    :param state: ``{'interfaces': [...], 'ports': [...]}`` of the host.
    :param request: ifname, iftype, ifclass, imtu, vlan_id, aemode,
        txhashpolicy, and ``ports`` (ethernet: one port name or uuid) or
        ``uses`` (vlan, ae: interface names or uuids).
    :returns: ``(values, uses)``: the interface's columns and the ids of
        the interfaces it uses.
    :raises: InvalidParameterValue naming the field.
    """
    ifname = check_ifname(request.get('ifname'), state['interfaces'])
    iftype = _one_of('iftype', request.get('iftype'), IFTYPES)
    ifclass = _one_of('ifclass', request.get('ifclass') or DEFAULT_IFCLASS,
                      IFCLASSES)
    mtu = request.get('imtu')
    mtu = check_mtu(DEFAULT_MTU if mtu is None else mtu)
    ports = _names(request.get('ports'), 'ports')
    uses = _names(request.get('uses'), 'uses')
    values = {'ifname': ifname, 'iftype': iftype, 'ifclass': ifclass,
              'imtu': mtu, 'vlan_id': None, 'aemode': None,
              'txhashpolicy': None, 'port_id': None}
    for field in ('vlan_id', 'aemode', 'txhashpolicy'):
        wanted = {VLAN: ('vlan_id',), AE: ('aemode', 'txhashpolicy')}
        if (request.get(field) is not None and
                field not in wanted.get(iftype, ())):
            raise _refuse(field, 'not for an %s interface' % iftype)
    if iftype == ETHERNET:
        if uses:
            raise _refuse('uses', 'an ethernet interface uses a port; give '
                          'it in ports')
        values['port_id'] = _ethernet_port(state, ports)['id']
        return values, []
    if ports:
        raise _refuse('ports', 'a %s interface uses interfaces; give them '
                      'in uses' % iftype)
    if iftype == VLAN:
        if request.get('vlan_id') is None:
            raise _refuse('vlan_id', 'a vlan interface needs a vlan_id')
        values['vlan_id'] = _number('vlan_id', request['vlan_id'],
                                    VLAN_ID_MIN, VLAN_ID_MAX)
        lower = _vlan_lower(state, uses, values['vlan_id'], mtu)
        return values, [lower['id']]
    members = _ae_members(state, uses)
    values['aemode'] = _one_of('aemode', request.get('aemode') or
                               DEFAULT_AEMODE, AEMODES)
    policy = request.get('txhashpolicy')
    if values['aemode'] == 'active_standby':
        if policy is not None:
            raise _refuse('txhashpolicy', 'not for active_standby')
    else:
        values['txhashpolicy'] = _one_of(
            'txhashpolicy', policy or DEFAULT_TXHASHPOLICY, TXHASHPOLICIES)
    return values, [member['id'] for member in members]


def check_interface_change(state, interface, changes):
    """``host-if-modify``: a new ifname, ifclass or imtu.

    :returns: the columns to write.
    :raises: InvalidParameterValue naming the field.
    """
    unknown = set(changes) - WRITABLE
    if unknown:
        raise exception.ReadOnlyField(field=sorted(unknown)[0])
    values = {}
    if 'ifname' in changes:
        values['ifname'] = check_ifname(changes['ifname'],
                                        state['interfaces'], interface)
    if 'ifclass' in changes:
        values['ifclass'] = _one_of('ifclass', changes['ifclass'],
                                    IFCLASSES)
        if values['ifclass'] != PLATFORM and interface['networktypelist']:
            raise _refuse('ifclass', 'interface %s carries platform '
                          'networks (%s); remove them first'
                          % (interface['ifname'],
                             ', '.join(interface['networktypelist'])))
    if 'imtu' in changes:
        mtu = values['imtu'] = check_mtu(changes['imtu'])
        by_name = {row['ifname']: row for row in state['interfaces']}
        for lower in interface['uses']:
            if interface['iftype'] == VLAN and mtu > by_name[lower]['imtu']:
                raise _refuse('imtu', 'a vlan\'s MTU (%d) cannot exceed '
                              'that of its lower interface %s (%d)'
                              % (mtu, lower, by_name[lower]['imtu']))
        for upper in interface['used_by']:
            upper = by_name[upper]
            if upper['iftype'] == VLAN and upper['imtu'] > mtu:
                raise _refuse('imtu', 'vlan %s on it has MTU %d'
                              % (upper['ifname'], upper['imtu']))
    return values


def check_interface_delete(interface):
    """:raises: InvalidParameterValue (``used_by``) for an interface a vlan
    or ae uses: delete that first.
    """
    if interface['used_by']:
        raise _refuse('used_by', 'interface %s is used by %s; delete that '
                      'first' % (interface['ifname'],
                                 ', '.join(interface['used_by'])))


def check_network_assign(state, interface, network_type):
    """``interface-network-assign``: the network type to store.

    :raises: InvalidParameterValue naming ``network`` (unknown type, or
        one the host has on an interface already) or ``ifclass`` (not a
        platform interface).
    """
    _one_of('network', network_type, NETWORK_TYPES)
    for other in state['interfaces']:
        if network_type in other['networktypelist']:
            raise _refuse('network', 'the host has network %s on interface '
                          '%s already' % (network_type, other['ifname']))
    if interface['ifclass'] != PLATFORM:
        raise _refuse('ifclass', 'interface %s is of class %s; only a '
                      'platform interface carries network %s'
                      % (interface['ifname'], interface['ifclass'],
                         network_type))
    return network_type
