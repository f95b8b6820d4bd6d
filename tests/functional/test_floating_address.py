"""The floating-address plugin on a real interface, in a network namespace.

Each test creates a network namespace of its own with one interface in it,
``fl0`` (a dummy interface; where the kernel has no dummy driver, one end
of a veth pair whose other end, also in the namespace, is up), and runs
the plugin in a Python process inside the namespace (``ip netns exec``)
through stx.sm.actions, as stx-sm runs it. What the plugin did is checked
from outside with ``ip netns exec NS ip -o addr show dev fl0``. Nothing
touches this machine's own interfaces; the namespace, and with it every
interface in it, is deleted at the end.

Namespaces need root and iproute2: without them the tests are skipped
with the reason, unless ``STX_REQUIRE_SERVICES=1`` (CI), which turns the
skip into a failure.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.functional import base

INTERFACE = 'fl0'
# The veth end that keeps fl0's carrier up where there is no dummy driver.
PEER = 'fl0p'
MANAGEMENT = '10.250.0.2/24'
OAM = 'fd00:250::2/64'
ADDRESSES = {
    'management-ip': '%s@%s' % (MANAGEMENT, INTERFACE),
    'oam-ip': '%s@%s' % (OAM, INTERFACE),
    'ghost-ip': '10.250.1.2/24@nosuch0',
}
# Seconds one ip command or one plugin process may take.
COMMAND_TIMEOUT = 10
PLUGIN_TIMEOUT = 60

# Runs in the namespace: each argument after the addresses is
# ACTION=SERVICE, run as stx-sm runs it; prints [action, service, ok,
# reason] of each as JSON. The plugin's log goes to stderr.
SCRIPT = '''
import json
import logging
import sys

from stx.conf import CONF
from stx.sm import actions
from stx.sm import model

logging.basicConfig(level=logging.DEBUG, stream=sys.stderr,
                    format='%(levelname)s %(name)s %(message)s')
CONF([], project='stx', default_config_files=[])
CONF.set_override('floating_addresses', json.loads(sys.argv[1]), group='sm')
action = model.Action(model.TYPE_PLUGIN,
                      plugin='stx.sm.plugins.address:FloatingAddress',
                      timeout=20)
results = []
for step in sys.argv[2:]:
    name, _, service = step.partition('=')
    result = actions.run(service, name, action)
    results.append([name, service, result.ok, result.reason])
print(json.dumps(results))
'''


def _unavailable(reason):
    if os.environ.get('STX_REQUIRE_SERVICES') == '1':
        pytest.fail(reason + ' and STX_REQUIRE_SERVICES=1')
    pytest.skip(reason)


def _run(*argv):
    try:
        return subprocess.run(list(argv), capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail('%s did not finish within %ss'
                    % (' '.join(argv), COMMAND_TIMEOUT))


class Namespace:
    """A network namespace holding interface fl0."""

    def __init__(self, name):
        self.name = name

    def ip(self, *args):
        """Run ``ip args`` in the namespace; returns the CompletedProcess."""
        return _run('ip', 'netns', 'exec', self.name, 'ip', *args)

    def ok(self, *args):
        result = self.ip(*args)
        assert result.returncode == 0, 'ip %s in %s failed (%d): %s' % (
            ' '.join(args), self.name, result.returncode, result.stderr)
        return result.stdout

    def addresses(self):
        """The addresses on fl0 ('10.250.0.2/24', ...), in order."""
        return [line.split()[3] for line in
                self.ok('-o', 'addr', 'show', 'dev', INTERFACE).splitlines()
                if line.split()[2] in ('inet', 'inet6')]

    def plugin(self, *steps, addresses=ADDRESSES):
        """Run the plugin in the namespace: steps 'action=service'.

        :returns: ({(action, service): (ok, reason)} of the last of each,
            the log).
        """
        argv = ['ip', 'netns', 'exec', self.name, sys.executable, '-c',
                SCRIPT, json.dumps(addresses)] + list(steps)
        try:
            result = subprocess.run(argv, capture_output=True, text=True,
                                    timeout=PLUGIN_TIMEOUT,
                                    stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as error:
            pytest.fail('the plugin did not finish within %ss: %s'
                        % (PLUGIN_TIMEOUT, error.stderr))
        assert result.returncode == 0, result.stderr
        lines = result.stdout.strip().splitlines()
        assert lines, result.stderr
        return ({(name, service): (ok, reason)
                 for name, service, ok, reason in json.loads(lines[-1])},
                result.stderr)


@pytest.fixture
def namespace():
    if os.geteuid() != 0:
        _unavailable('network namespaces need root')
    if shutil.which('ip') is None:
        _unavailable('no ip command (iproute2) for network namespaces')
    name = base.unique_name('stxfl')
    created = _run('ip', 'netns', 'add', name)
    if created.returncode != 0:
        _unavailable('cannot create a network namespace: %s'
                     % created.stderr.strip())
    try:
        namespace = Namespace(name)
        dummy = namespace.ip('link', 'add', INTERFACE, 'type', 'dummy')
        if dummy.returncode != 0:
            veth = namespace.ip('link', 'add', INTERFACE, 'type', 'veth',
                                'peer', 'name', PEER)
            if veth.returncode != 0:
                _unavailable('cannot create a dummy (%s) or veth (%s) '
                             'interface in a network namespace'
                             % (dummy.stderr.strip(), veth.stderr.strip()))
            namespace.ok('link', 'set', PEER, 'up')
        namespace.ok('link', 'set', INTERFACE, 'up')
        yield namespace
    finally:
        _run('ip', 'netns', 'delete', name)


def test_enable_holds_the_addresses_until_disable(namespace):
    both = ('management-ip', 'oam-ip')
    results, log = namespace.plugin(
        *['%s=%s' % (action, service)
          for action in ('enable', 'audit') for service in both])
    for action in ('enable', 'audit'):
        for service in both:
            assert results[action, service] == (True, None), results
    assert namespace.addresses().count(MANAGEMENT) == 1
    assert namespace.addresses().count(OAM) == 1
    assert 'added to %s' % INTERFACE in log

    # Enabled again (SM repeats an action): nothing to do.
    results, log = namespace.plugin(
        *['enable=%s' % service for service in both])
    assert all(outcome == (True, None) for outcome in results.values()), (
        results)
    assert 'added' not in log, log
    assert 'already on %s' % INTERFACE in log
    assert namespace.addresses().count(MANAGEMENT) == 1
    assert namespace.addresses().count(OAM) == 1

    results, log = namespace.plugin(
        'disable=management-ip', 'disable=oam-ip', 'audit=management-ip',
        'audit=oam-ip')
    assert results['disable', 'management-ip'] == (True, None)
    assert results['disable', 'oam-ip'] == (True, None)
    assert results['audit', 'management-ip'] == (
        False, 'AddressNotHeld: Floating address %s of service '
               'management-ip is not on interface %s'
               % (MANAGEMENT, INTERFACE))
    assert results['audit', 'oam-ip'] == (
        False, 'AddressNotHeld: Floating address %s of service oam-ip is '
               'not on interface %s' % (OAM, INTERFACE))
    assert MANAGEMENT not in namespace.addresses()
    assert OAM not in namespace.addresses()

    # Disabled again: nothing to do.
    results, log = namespace.plugin('disable=management-ip')
    assert results['disable', 'management-ip'] == (True, None)
    assert 'removed' not in log


def test_audit_fails_while_the_interface_is_down(namespace):
    results, _ = namespace.plugin('enable=management-ip')
    assert results['enable', 'management-ip'] == (True, None)
    namespace.ok('link', 'set', INTERFACE, 'down')

    results, _ = namespace.plugin('audit=management-ip')
    ok, reason = results['audit', 'management-ip']
    assert not ok
    assert reason.startswith(
        'InterfaceDown: Interface %s of floating address %s (service '
        'management-ip) is down: state DOWN' % (INTERFACE, MANAGEMENT)), (
        reason)
    # Down, the address stays: up again, the audit passes.
    assert MANAGEMENT in namespace.addresses()
    namespace.ok('link', 'set', INTERFACE, 'up')
    results, _ = namespace.plugin('audit=management-ip')
    assert results['audit', 'management-ip'] == (True, None)


def test_a_missing_interface_or_entry_fails_naming_it(namespace):
    results, _ = namespace.plugin(
        'enable=ghost-ip', 'disable=ghost-ip', 'enable=cluster-ip')
    assert results['enable', 'ghost-ip'] == (
        False, 'CommandFailed: \'ip -o addr show dev nosuch0\' failed (exit '
               'status 1): Device "nosuch0" does not exist.')
    # Without the interface there is no address to remove.
    assert results['disable', 'ghost-ip'] == (True, None)
    assert results['enable', 'cluster-ip'] == (
        False, 'FloatingAddressNotConfigured: [sm] floating_addresses has '
               'no entry for service cluster-ip '
               '(cluster-ip:<address>/<prefixlen>@<interface>)')
    # Only what the kernel adds itself (a veth's IPv6 link-local one).
    assert [address for address in namespace.addresses()
            if not address.startswith('fe80:')] == []
