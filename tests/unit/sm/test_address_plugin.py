"""The floating-address plugin against a fake ``ip``.

``address.execute``, the one function that runs a command, is replaced by
FakeIp: it records each command line and answers ``ip -o addr show`` and
``ip -o link show`` from the addresses and link state a test gives it, as
iproute2 prints them. The tests of ``execute`` itself run small real
commands. tests/functional/test_floating_address.py runs the plugin on a
real interface in a network namespace.
"""

import shlex
import sys

import fixtures
from oslo_config import fixture as config_fixture
from oslotest import base

from stx.conf import CONF
from stx.sm import actions
from stx.sm import model
from stx.sm.plugins import address

ADDRESSES = {'management-ip': '192.168.204.2/24@eth1',
             'oam-ip': 'fd00:204::2/64@eth0'}
LIFETIMES = '\\       valid_lft forever preferred_lft forever'
LINK_UP = ('3: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc '
           'fq_codel state UP mode DEFAULT group default qlen 1000\\    '
           'link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\n')


class FakeIp:
    """``ip`` of one machine: {interface: [address line after family]}."""

    def __init__(self, addresses=None, link=LINK_UP):
        # e.g. {'eth1': ['inet 192.168.204.2/24 brd 192.168.204.255 scope
        # global eth1']}
        self.addresses = addresses if addresses is not None else {
            'eth0': [], 'eth1': []}
        self.link = link
        self.calls = []
        # First four words of a command line to the error line it fails
        # with, and to what happens meanwhile (a callable) before it does.
        self.fail = {}
        self.meanwhile = {}

    def __call__(self, argv, timeout):
        self.calls.append(argv)
        command = tuple(argv[:4])
        if command in self.fail:
            self.meanwhile.get(command, lambda: None)()
            raise address.CommandFailed(command=' '.join(argv),
                                        status='exit status 2',
                                        error=self.fail[command])
        interface = argv[-1]
        if argv[0] != 'ip':
            return ''
        if interface not in self.addresses:
            raise address.CommandFailed(
                command=' '.join(argv), status='exit status 1',
                error='Device "%s" does not exist.' % interface)
        if command == ('ip', '-o', 'addr', 'show'):
            return ''.join('2: %s    %s%s\n' % (interface, line, LIFETIMES)
                           for line in self.addresses[interface])
        if command == ('ip', '-o', 'link', 'show'):
            return self.link
        if command[:3] == ('ip', 'addr', 'add'):
            family = 'inet6' if ':' in argv[3] else 'inet'
            self.addresses[interface].append(
                '%s %s scope global %s' % (family, argv[3], interface))
            return ''
        if command[:3] == ('ip', 'addr', 'del'):
            self.addresses[interface] = [
                line for line in self.addresses[interface]
                if line.split()[1] != argv[3]]
            return ''
        raise AssertionError('unexpected command %s' % argv)

    def changes(self):
        """The command lines that change something (not ``-o ... show``)."""
        return [' '.join(argv) for argv in self.calls if argv[1] != '-o']


class TestParse(base.BaseTestCase):

    def test_ipv4_and_ipv6_entries(self):
        floating = address.parse('management-ip', '192.168.204.2/24@eth1')
        self.assertEqual('192.168.204.2/24', str(floating.address))
        self.assertEqual(4, floating.address.version)
        self.assertEqual('eth1', floating.interface)
        # Written any way, an IPv6 address is the one ip prints.
        floating = address.parse('oam-ip', ' FD00:204:0::2/64@vlan100 ')
        self.assertEqual(('fd00:204::2/64', 6, 'vlan100'),
                         (str(floating.address), floating.address.version,
                          floating.interface))

    def _invalid(self, value):
        error = self.assertRaises(address.FloatingAddressInvalid,
                                  address.parse, 'management-ip', value)
        self.assertEqual('stx.sm.address.invalid', error.error_code)
        return str(error)

    def test_a_bad_address_is_refused_naming_option_service_and_value(self):
        self.assertEqual(
            "[sm] floating_addresses entry of service management-ip, "
            "'192.168.204.300/24@eth1', is invalid: '192.168.204.300' is "
            "not an IPv4 or IPv6 address",
            self._invalid('192.168.204.300/24@eth1'))
        for value in ('eth1/24@eth1', 'fe80::1%eth1/64@eth1', '/24@eth1'):
            self.assertIn('is not an IPv4 or IPv6 address',
                          self._invalid(value))

    def test_a_prefix_length_is_required_and_within_the_family(self):
        self.assertTrue(self._invalid('192.168.204.2@eth1').endswith(
            'is invalid: no /<prefixlen>'))
        self.assertTrue(self._invalid('192.168.204.2/33@eth1').endswith(
            "is invalid: prefix length '33' is not 1 to 32"))
        self.assertTrue(self._invalid('fd00::2/129@eth0').endswith(
            "is invalid: prefix length '129' is not 1 to 128"))
        for prefix in ('0', '255.255.255.0', '', '²', '-1'):
            self.assertIn('prefix length',
                          self._invalid('192.168.204.2/%s@eth1' % prefix))

    def test_an_interface_is_required(self):
        for value in ('192.168.204.2/24', '192.168.204.2/24@'):
            self.assertTrue(self._invalid(value).endswith(
                'is invalid: no @<interface>'))
        for name in ('a/b', 'eth1:1', 'eth 1', '-v', '..',
                     'a-name-too-long-for-linux'):
            self.assertTrue(
                self._invalid('192.168.204.2/24@%s' % name).endswith(
                    'is invalid: %r is not an interface name' % name))

    def test_multicast_and_unspecified_addresses_are_refused(self):
        for value in ('224.0.0.18/24@eth1', '0.0.0.0/8@eth1', '::/64@eth0',
                      'ff02::1/64@eth0'):
            self.assertIn('cannot be an interface address',
                          self._invalid(value))


class PluginTestCase(base.BaseTestCase):

    def setUp(self):
        super().setUp()
        CONF([], project='stx', default_config_files=[])
        self.conf = self.useFixture(config_fixture.Config(CONF))
        self.conf.config(floating_addresses=ADDRESSES, group='sm')
        self.ip = FakeIp()
        self.useFixture(fixtures.MonkeyPatch(
            'stx.sm.plugins.address.execute', self.ip))
        self.which = self.useFixture(fixtures.MockPatch(
            'shutil.which', return_value=None)).mock
        self.plugin = address.FloatingAddress()


class TestConfigured(PluginTestCase):

    def test_a_service_without_an_entry_fails_naming_option_and_service(
            self):
        for action in (self.plugin.enable, self.plugin.disable,
                       self.plugin.audit):
            error = self.assertRaises(address.FloatingAddressNotConfigured,
                                      action, 'cluster-host-ip')
            self.assertEqual(
                '[sm] floating_addresses has no entry for service '
                'cluster-host-ip (cluster-host-ip:<address>/<prefixlen>'
                '@<interface>)', str(error))
        self.assertEqual([], self.ip.calls)

    def test_the_option_is_read_at_each_action(self):
        self.conf.config(floating_addresses={'management-ip': 'nonsense'},
                         group='sm')
        self.assertRaises(address.FloatingAddressInvalid,
                          self.plugin.enable, 'management-ip')
        self.conf.config(floating_addresses=ADDRESSES, group='sm')
        self.plugin.enable('management-ip')

    def test_the_option_parses_ipv6_entries(self):
        # DictOpt splits each entry at its first ':', the service's end.
        self.conf.config(floating_addresses='management-ip:192.168.204.2/'
                                            '24@eth1,oam-ip:fd00:204::2/64'
                                            '@eth0', group='sm')
        self.assertEqual(('fd00:204::2/64', 'eth0'),
                         tuple(map(str, address.configured('oam-ip'))))


class TestEnable(PluginTestCase):

    def test_enable_adds_the_address_then_checks_it(self):
        self.plugin.enable('management-ip')
        self.assertEqual([
            ['ip', '-o', 'addr', 'show', 'dev', 'eth1'],
            ['ip', 'addr', 'add', '192.168.204.2/24', 'dev', 'eth1'],
            ['ip', '-o', 'addr', 'show', 'dev', 'eth1'],
            ['ip', '-o', 'link', 'show', 'dev', 'eth1'],
        ], self.ip.calls)
        self.which.assert_called_once_with('arping')

    def test_enable_of_an_ipv6_address(self):
        self.plugin.enable('oam-ip')
        self.assertEqual(['ip addr add fd00:204::2/64 dev eth0'],
                         self.ip.changes())
        # No ARP in IPv6.
        self.which.assert_not_called()

    def test_enable_sends_a_gratuitous_arp_when_arping_is_installed(self):
        self.which.return_value = '/usr/sbin/arping'
        self.plugin.enable('management-ip')
        self.assertEqual([
            'ip addr add 192.168.204.2/24 dev eth1',
            '/usr/sbin/arping -q -U -c 1 -I eth1 192.168.204.2',
        ], self.ip.changes())

    def test_a_failed_gratuitous_arp_does_not_fail_enable(self):
        self.which.return_value = '/usr/sbin/arping'
        self.ip.fail[('/usr/sbin/arping', '-q', '-U', '-c')] = (
            'arping: socket: Operation not permitted')
        self.plugin.enable('management-ip')
        self.assertEqual(['inet 192.168.204.2/24 scope global eth1'],
                         self.ip.addresses['eth1'])

    def test_enable_of_a_held_address_changes_nothing(self):
        self.ip.addresses['eth1'] = [
            'inet 192.168.204.10/24 brd 192.168.204.255 scope global eth1',
            'inet 192.168.204.2/24 scope global secondary eth1']
        self.plugin.enable('management-ip')
        self.plugin.enable('management-ip')
        self.assertEqual([], self.ip.changes())

    def test_the_same_address_with_another_prefix_is_not_held(self):
        self.ip.addresses['eth1'] = ['inet 192.168.204.2/16 scope global '
                                     'eth1']
        self.plugin.enable('management-ip')
        self.assertEqual(['ip addr add 192.168.204.2/24 dev eth1'],
                         self.ip.changes())

    def test_an_address_added_meanwhile_is_success(self):
        # Someone added it after the plugin looked: File exists.
        add = ('ip', 'addr', 'add', '192.168.204.2/24')
        self.ip.fail[add] = 'RTNETLINK answers: File exists'
        self.ip.meanwhile[add] = lambda: self.ip.addresses['eth1'].append(
            'inet 192.168.204.2/24 scope global eth1')
        self.plugin.enable('management-ip')

    def test_a_failed_add_fails_enable_with_the_ip_error(self):
        self.ip.fail[('ip', 'addr', 'add', '192.168.204.2/24')] = (
            'RTNETLINK answers: Operation not permitted')
        error = self.assertRaises(address.CommandFailed,
                                  self.plugin.enable, 'management-ip')
        self.assertEqual(
            "'ip addr add 192.168.204.2/24 dev eth1' failed (exit status "
            "2): RTNETLINK answers: Operation not permitted", str(error))

    def test_enable_on_an_interface_that_is_down_fails(self):
        self.ip.link = LINK_UP.replace('UP,LOWER_UP', 'UP').replace(
            'state UP', 'state DOWN')
        error = self.assertRaises(address.InterfaceDown,
                                  self.plugin.enable, 'management-ip')
        self.assertEqual(
            'Interface eth1 of floating address 192.168.204.2/24 (service '
            'management-ip) is down: state DOWN, flags BROADCAST,MULTICAST,UP',
            str(error))


class TestDisable(PluginTestCase):

    def test_disable_removes_the_address(self):
        self.ip.addresses['eth1'] = ['inet 192.168.204.2/24 scope global '
                                     'eth1']
        self.plugin.disable('management-ip')
        self.assertEqual(['ip addr del 192.168.204.2/24 dev eth1'],
                         self.ip.changes())
        self.assertEqual([], self.ip.addresses['eth1'])

    def test_disable_of_an_address_not_held_changes_nothing(self):
        self.ip.addresses['eth1'] = ['inet 192.168.204.2/16 scope global '
                                     'eth1']
        self.plugin.disable('management-ip')
        self.assertEqual([], self.ip.changes())

    def test_disable_without_the_interface_is_success(self):
        del self.ip.addresses['eth1']
        self.plugin.disable('management-ip')
        self.assertEqual([], self.ip.changes())

    def test_other_listing_errors_fail_disable(self):
        self.ip.fail[('ip', '-o', 'addr', 'show')] = (
            'Cannot open netlink socket: Permission denied')
        self.assertRaises(address.CommandFailed, self.plugin.disable,
                          'management-ip')

    def test_an_address_removed_meanwhile_is_success(self):
        self.ip.addresses['eth1'] = ['inet 192.168.204.2/24 scope global '
                                     'eth1']
        delete = ('ip', 'addr', 'del', '192.168.204.2/24')
        self.ip.fail[delete] = 'RTNETLINK answers: Cannot assign requested'
        self.ip.meanwhile[delete] = lambda: self.ip.addresses['eth1'].clear()
        self.plugin.disable('management-ip')

    def test_a_failed_del_of_an_address_still_held_fails(self):
        self.ip.addresses['eth1'] = ['inet 192.168.204.2/24 scope global '
                                     'eth1']
        self.ip.fail[('ip', 'addr', 'del', '192.168.204.2/24')] = (
            'RTNETLINK answers: Operation not permitted')
        self.assertRaises(address.CommandFailed, self.plugin.disable,
                          'management-ip')


class TestAudit(PluginTestCase):

    def test_audit_passes_while_the_address_is_on_an_interface_up(self):
        self.ip.addresses['eth0'] = [
            'inet6 fd00:204::2/64 scope global tentative',
            'inet6 fe80::5054:ff:fe12:3456/64 scope link']
        self.plugin.audit('oam-ip')
        self.assertEqual([], self.ip.changes())

    def test_a_dummy_interface_up_has_state_unknown(self):
        self.ip.addresses['eth1'] = ['inet 192.168.204.2/24 scope global '
                                     'eth1']
        self.ip.link = ('4: eth1: <BROADCAST,NOARP,UP,LOWER_UP> mtu 1500 '
                        'qdisc noqueue state UNKNOWN mode DEFAULT\n')
        self.plugin.audit('management-ip')
        # Administratively down, it is down whatever its state.
        self.ip.link = self.ip.link.replace(',UP,LOWER_UP', '')
        self.assertRaises(address.InterfaceDown, self.plugin.audit,
                          'management-ip')

    def test_audit_fails_naming_an_address_not_held(self):
        error = self.assertRaises(address.AddressNotHeld, self.plugin.audit,
                                  'oam-ip')
        self.assertEqual('Floating address fd00:204::2/64 of service oam-ip '
                         'is not on interface eth0', str(error))

    def test_audit_fails_for_an_address_another_host_holds(self):
        self.ip.addresses['eth0'] = [
            'inet6 fd00:204::2/64 scope global dadfailed tentative']
        error = self.assertRaises(address.AddressDuplicate,
                                  self.plugin.audit, 'oam-ip')
        self.assertEqual(
            'Floating address fd00:204::2/64 of service oam-ip failed '
            'duplicate address detection on interface eth0: another host '
            'holds it', str(error))

    def test_audit_as_stx_sm_runs_it(self):
        action = model.Action(
            model.TYPE_PLUGIN, timeout=5,
            plugin='stx.sm.plugins.address:FloatingAddress')
        self.assertEqual(
            actions.Result(False, 'AddressNotHeld: Floating address '
                                  '192.168.204.2/24 of service management-ip '
                                  'is not on interface eth1'),
            actions.run('management-ip', model.ACTION_AUDIT, action))
        self.assertEqual(
            actions.Result(True, None),
            actions.run('management-ip', model.ACTION_ENABLE, action))


class TestExecute(base.BaseTestCase):

    def test_output_of_a_command_that_succeeds(self):
        self.assertEqual('hello\n', address.execute(['echo', 'hello'], 5))

    def test_a_failure_names_command_status_and_last_error_line(self):
        argv = ['sh', '-c', 'echo first >&2; echo RTNETLINK answers: File '
                            'exists >&2; exit 2']
        error = self.assertRaises(address.CommandFailed, address.execute,
                                  argv, 5)
        self.assertEqual(
            "'%s' failed (exit status 2): RTNETLINK answers: File exists"
            % shlex.join(argv), str(error))
        self.assertEqual('stx.sm.address.command_failed', error.error_code)

    def test_a_command_without_error_output(self):
        error = self.assertRaises(address.CommandFailed, address.execute,
                                  ['false'], 5)
        self.assertEqual("'false' failed (exit status 1): no error output",
                         str(error))

    def test_a_command_that_hangs_is_bounded(self):
        error = self.assertRaises(
            address.CommandFailed, address.execute,
            [sys.executable, '-c', 'import time; time.sleep(30)'], 0.2)
        self.assertIn('failed (timed out after 0.2s)', str(error))

    def test_a_command_that_is_not_installed(self):
        error = self.assertRaises(address.CommandFailed, address.execute,
                                  ['no-such-command-stx'], 5)
        self.assertEqual("'no-such-command-stx' failed (could not start): "
                         "No such file or directory", str(error))

    def test_ip_is_bounded_by_ip_timeout(self):
        calls = []
        self.useFixture(fixtures.MonkeyPatch(
            'stx.sm.plugins.address.execute',
            lambda argv, timeout: calls.append((argv, timeout)) or 'out'))
        self.assertEqual('out', address.ip('-o', 'link', 'show', 'dev',
                                           'eth1'))
        self.assertEqual([(['ip', '-o', 'link', 'show', 'dev', 'eth1'],
                           address.IP_TIMEOUT)], calls)
