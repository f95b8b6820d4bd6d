"""Service-management actions that hold a floating address on an interface.

A floating address (the management network's, the OAM network's) is the
one address clients use whatever controller is active: service management
holds it on the active controller only, and moves it on a swact or a
failover. StarlingX does this with the OCF IPaddr2 agent; the packaged
model (``stx/sm/data/model.yaml``) names ``FloatingAddress`` for the
services ``management-ip`` and ``oam-ip`` instead.

Each service's address comes from ``[sm] floating_addresses`` (service name
to ``<address>/<prefixlen>@<interface>``), read at every action so that a
reload takes effect. Enable adds the address to the interface (``ip addr
add``) and, for IPv4, announces it with a gratuitous ARP when ``arping`` is
installed, so that neighbours forget the controller that held it before;
disable removes it (``ip addr del``); both do nothing when the address is
already where it should be, as SM may repeat them. The audit fails unless
the address is on the interface, has not failed IPv6 duplicate address
detection, and the interface is up. Every ``ip`` command runs without a
shell and is bounded by ``IP_TIMEOUT``; a failure names the command, its
exit status and the last line of its error output.
"""

import collections
import ipaddress
import re
import shlex
import shutil
import subprocess

from oslo_log import log as logging

from stx.common import exception
from stx.conf import CONF

LOG = logging.getLogger(__name__)

#: Seconds one ``ip`` command may take. It answers in milliseconds; a
#: hang (a wedged netlink socket) must fail the action, not block it.
IP_TIMEOUT = 5
#: Seconds the gratuitous ARP may take; it is best effort.
ARPING_TIMEOUT = 3
# Operational states of an interface that is up: UNKNOWN is what drivers
# without carrier reporting (dummy, some virtual NICs) show when up.
_UP_STATES = ('UP', 'UNKNOWN')
# The kernel's limit on an interface name (IFNAMSIZ - 1).
_INTERFACE_NAME_MAX = 15
# iproute2's error for an interface that does not exist (ip addr/link
# show: 'Device "x" does not exist.'; ip addr del: 'Cannot find device').
_NO_DEVICE = re.compile(r'does not exist|Cannot find device')

Floating = collections.namedtuple('Floating', 'address interface')
Floating.__doc__ = ('A floating address: ``address`` an ipaddress '
                    'IPv4Interface or IPv6Interface (address and prefix '
                    'length), ``interface`` the name of the interface.')


class FloatingAddressNotConfigured(exception.StxException):
    msg_fmt = ('[sm] floating_addresses has no entry for service '
               '%(service)s (%(service)s:<address>/<prefixlen>@<interface>)')
    error_code = 'stx.sm.address.not_configured'


class FloatingAddressInvalid(exception.StxException):
    msg_fmt = ('[sm] floating_addresses entry of service %(service)s, '
               '%(value)r, is invalid: %(reason)s')
    error_code = 'stx.sm.address.invalid'


class CommandFailed(exception.StxException):
    msg_fmt = "'%(command)s' failed (%(status)s): %(error)s"
    error_code = 'stx.sm.address.command_failed'


class AddressNotHeld(exception.StxException):
    msg_fmt = ('Floating address %(address)s of service %(service)s is not '
               'on interface %(interface)s')
    error_code = 'stx.sm.address.not_held'


class AddressDuplicate(exception.StxException):
    msg_fmt = ('Floating address %(address)s of service %(service)s failed '
               'duplicate address detection on interface %(interface)s: '
               'another host holds it')
    error_code = 'stx.sm.address.duplicate'


class InterfaceDown(exception.StxException):
    msg_fmt = ('Interface %(interface)s of floating address %(address)s '
               '(service %(service)s) is down: state %(state)s, flags '
               '%(flags)s')
    error_code = 'stx.sm.address.interface_down'


def parse(service, value):
    """The Floating of ``value``, ``<address>/<prefixlen>@<interface>``.

    :param service: the service the entry belongs to, for the message.
    :raises: FloatingAddressInvalid naming the service and why.
    """
    def invalid(reason):
        return FloatingAddressInvalid(service=service, value=value,
                                      reason=reason)

    text, at, interface = value.strip().partition('@')
    if not at or not interface:
        raise invalid('no @<interface>')
    if not valid_interface_name(interface):
        raise invalid('%r is not an interface name' % interface)
    ip_text, slash, prefix = text.partition('/')
    try:
        host = ipaddress.ip_address(ip_text)
    except ValueError:
        host = None
    # The interface is named after '@': a scope (fe80::1%eth0) is refused.
    if host is None or '%' in ip_text:
        raise invalid('%r is not an IPv4 or IPv6 address' % ip_text)
    if not slash:
        raise invalid('no /<prefixlen>')
    # Digits only: a netmask (/255.255.255.0) is refused, as the option
    # says.
    if not (re.fullmatch('[0-9]{1,3}', prefix)
            and 1 <= int(prefix) <= host.max_prefixlen):
        raise invalid('prefix length %r is not 1 to %d'
                      % (prefix, host.max_prefixlen))
    if host.is_multicast or host.is_unspecified:
        raise invalid('%s cannot be an interface address' % host)
    return Floating(ipaddress.ip_interface('%s/%s' % (host, int(prefix))),
                    interface)


def valid_interface_name(name):
    """Whether the kernel accepts ``name`` as an interface name; one that
    starts with '-' is refused too, ``ip`` would take it for an option.
    """
    return (0 < len(name) <= _INTERFACE_NAME_MAX
            and name not in ('.', '..')
            and not name.startswith('-')
            and not any(c in '/:' or c.isspace() for c in name))


def configured(service):
    """The Floating of ``service`` in ``[sm] floating_addresses``.

    :raises: FloatingAddressNotConfigured, FloatingAddressInvalid.
    """
    entries = CONF.sm.floating_addresses or {}
    if service not in entries:
        raise FloatingAddressNotConfigured(service=service)
    return parse(service, entries[service])


def execute(argv, timeout):
    """Run ``argv`` (no shell) to completion; returns its standard output.

    :raises: CommandFailed naming the command, its exit status (or why it
        did not run or finish) and the last line of its error output.
    """
    command = shlex.join(argv)
    try:
        completed = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            errors='replace', timeout=timeout)
    except OSError as error:
        raise CommandFailed(command=command, status='could not start',
                            error=error.strerror)
    except subprocess.TimeoutExpired as error:
        raise CommandFailed(command=command,
                            status='timed out after %gs' % timeout,
                            error=_last_line(error.stderr))
    if completed.returncode == 0:
        return completed.stdout
    status = ('killed by signal %d' % -completed.returncode
              if completed.returncode < 0 else
              'exit status %d' % completed.returncode)
    raise CommandFailed(command=command, status=status,
                        error=_last_line(completed.stderr))


def _last_line(output):
    if isinstance(output, bytes):
        output = output.decode('utf-8', 'replace')
    lines = (output or '').strip().splitlines()
    return lines[-1].strip() if lines else 'no error output'


def ip(*args):
    """Run ``ip`` with ``args``; returns its output. Raises CommandFailed."""
    return execute(['ip'] + list(args), IP_TIMEOUT)


def addresses(interface):
    """The addresses on ``interface``: {IPv4Interface or IPv6Interface:
    frozenset of the words that follow it (its flags, such as
    ``tentative`` and ``dadfailed``, its scope, its label)}.

    :raises: CommandFailed, e.g. when the interface does not exist.
    """
    held = {}
    for line in ip('-o', 'addr', 'show', 'dev', interface).splitlines():
        # "2: eth1    inet 10.0.0.2/24 brd ... scope global eth1\       "
        # "valid_lft forever ...": lifetimes follow the backslash.
        words = line.partition('\\')[0].split()
        if len(words) < 4 or words[2] not in ('inet', 'inet6'):
            continue
        try:
            address = ipaddress.ip_interface(words[3])
        except ValueError:
            continue
        held[address] = frozenset(words[4:])
    return held


def link(interface):
    """The state of ``interface``: (operational state, its flags).

    :raises: CommandFailed, e.g. when the interface does not exist.
    """
    output = ip('-o', 'link', 'show', 'dev', interface)
    flags = re.search(r'<([^>]*)>', output)
    state = re.search(r'\bstate (\S+)', output)
    return (state.group(1) if state else 'UNKNOWN',
            frozenset(flags.group(1).split(',')) if flags else frozenset())


def send_gratuitous_arp(floating):
    """Announce an IPv4 floating address with ``arping`` (iputils) if it is
    installed, so that neighbours stop sending to the controller that held
    it before. Best effort: a failure is logged, never raised.
    """
    if floating.address.version != 4:
        return
    arping = shutil.which('arping')
    if arping is None:
        LOG.debug('No arping: no gratuitous ARP for %(address)s',
                  {'address': floating.address})
        return
    try:
        execute([arping, '-q', '-U', '-c', '1', '-I', floating.interface,
                 str(floating.address.ip)], ARPING_TIMEOUT)
    except CommandFailed as error:
        LOG.warning('Gratuitous ARP for %(address)s not sent: %(error)s',
                    {'address': floating.address, 'error': error})


class FloatingAddress:
    """Plugin of the services ``management-ip`` and ``oam-ip``: the
    service's floating address is held on this controller while the
    service is enabled.
    """

    def enable(self, service):
        """Add the service's address to its interface, then audit it.

        :raises: FloatingAddressNotConfigured, FloatingAddressInvalid,
            CommandFailed, or what audit raises.
        """
        floating = configured(service)
        if floating.address in addresses(floating.interface):
            LOG.debug('Floating address %(address)s of service '
                      '%(service)s already on %(interface)s',
                      _fields(service, floating))
        else:
            self._change(service, floating, 'add')
            LOG.info('Floating address %(address)s of service %(service)s '
                     'added to %(interface)s', _fields(service, floating))
            send_gratuitous_arp(floating)
        # An address on an interface that is down serves nobody: enable
        # fails then rather than at the next audit.
        self._check(service, floating)

    def disable(self, service):
        """Remove the service's address from its interface; nothing to do
        when it is not there, or the interface does not exist.

        :raises: FloatingAddressNotConfigured, FloatingAddressInvalid,
            CommandFailed.
        """
        floating = configured(service)
        try:
            held = addresses(floating.interface)
        except CommandFailed as error:
            if not _NO_DEVICE.search(error.kwargs['error']):
                raise
            LOG.info('Interface %(interface)s of service %(service)s does '
                     'not exist: floating address %(address)s not held',
                     _fields(service, floating))
            return
        if floating.address not in held:
            LOG.debug('Floating address %(address)s of service %(service)s '
                      'already not on %(interface)s',
                      _fields(service, floating))
            return
        self._change(service, floating, 'del')
        LOG.info('Floating address %(address)s of service %(service)s '
                 'removed from %(interface)s', _fields(service, floating))

    def audit(self, service):
        """Check that the address is on its interface and that is up.

        :raises: AddressNotHeld, AddressDuplicate, InterfaceDown,
            FloatingAddressNotConfigured, FloatingAddressInvalid,
            CommandFailed.
        """
        self._check(service, configured(service))

    @staticmethod
    def _change(service, floating, verb):
        """``ip addr add`` or ``del``. If it fails because someone else did
        the same meanwhile (File exists, Cannot assign requested address),
        the address is where it should be and that is success.
        """
        try:
            ip('addr', verb, str(floating.address), 'dev',
               floating.interface)
        except CommandFailed:
            try:
                held = floating.address in addresses(floating.interface)
            except CommandFailed:
                held = None
            if held != (verb == 'add'):
                raise

    @staticmethod
    def _check(service, floating):
        flags = addresses(floating.interface).get(floating.address)
        if flags is None:
            raise AddressNotHeld(**_fields(service, floating))
        if 'dadfailed' in flags:
            raise AddressDuplicate(**_fields(service, floating))
        state, link_flags = link(floating.interface)
        if state not in _UP_STATES or 'UP' not in link_flags:
            raise InterfaceDown(state=state,
                                flags=','.join(sorted(link_flags)),
                                **_fields(service, floating))


def _fields(service, floating):
    return {'service': service, 'address': str(floating.address),
            'interface': floating.interface}
