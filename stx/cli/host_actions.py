"""``stx host-lock|unlock|swact|reinstall|power-on|power-off|reset|reboot``:
host actions.

Each sends StarlingX's action patch (``[{"op": "replace", "path":
"/action", "value": "power-off"}]``) and shows the host, whose task says
what maintenance is doing ("Powering-off"). With ``--wait`` the command
follows the task until it ends, printing each change, and exits non-zero
if the action failed: its task says so (" failed: "), or an unlock ended
with the host failed.
"""

import time

from cliff import show

from stx.cli import hosts
from stx.clients import http
from stx.common import states

# Seconds between two looks at the host's task with --wait.
POLL_INTERVAL = 0.5

# Actions that end with the host in service, or failed.
_UNLOCK_ACTIONS = (states.ACTION_UNLOCK, states.ACTION_FORCE_UNLOCK)


class HostAction(show.ShowOne):
    """Base of the action commands: ``action`` is the value sent."""

    action = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('host', metavar='<hostname|id|uuid>',
                            help='The host.')
        parser.add_argument(
            '--wait', action='store_true',
            help='Follow the task until the action ends; exit 1 if it '
                 'failed.')
        parser.add_argument(
            '--timeout', type=float, default=300, metavar='<seconds>',
            help='With --wait, give up after this many seconds '
                 '(default 300).')
        return parser

    def action_for(self, parsed_args):
        return self.action

    def take_action(self, parsed_args):
        client = self.app.client(hosts.SERVICE)
        host = hosts.get_host(client, parsed_args.host)
        path = hosts.host_path(host.get('id', host['uuid']))
        action = self.action_for(parsed_args)
        host = client.patch(path, [{'op': 'replace', 'path': '/action',
                                    'value': action}])
        if parsed_args.wait:
            host = self._wait(client, path, host, action, parsed_args.timeout)
        return hosts.host_fields(host)

    def _wait(self, client, path, host, action, timeout):
        deadline = time.monotonic() + timeout
        shown = None
        while True:
            task = host.get('task') or ''
            if task != shown:
                self.app.stderr.write('%s: %s\n' % (
                    host.get('hostname'), task or 'done (%s)' % _state(host)))
                shown = task
            if not task:
                return _check_ended(host, action)
            if ' failed: ' in task:
                raise http.ClientError(task)
            if time.monotonic() > deadline:
                raise http.ClientError('%s is still %r after %gs' % (
                    host.get('hostname'), task, timeout))
            time.sleep(POLL_INTERVAL)
            host = client.get(path)


def _state(host):
    return '%s/%s/%s' % (host.get('administrative'), host.get('operational'),
                         host.get('availability'))


def _check_ended(host, action):
    """The host an action ended with; ClientError if it failed it.

    An unlock fails without a failed task when the host comes up and does
    not go into service: maintenance leaves it failed.
    """
    if action in _UNLOCK_ACTIONS and host.get('availability') == states.FAILED:
        raise http.ClientError('%s: %s ended with the host failed (%s)' % (
            host.get('hostname'), action, _state(host)))
    return host


class LockHost(HostAction):
    """Lock a host: take it out of service."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--force', action='store_true',
            help='Lock the host even if its services cannot be moved '
                 'away first (action force-lock).')
        return parser

    def action_for(self, parsed_args):
        return (states.ACTION_FORCE_LOCK if parsed_args.force
                else states.ACTION_LOCK)


class UnlockHost(HostAction):
    """Unlock a host: it reboots and goes into service."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--force', action='store_true',
            help='Force the unlock (action force-unlock), as '
                 "StarlingX's host-unlock -f.")
        return parser

    def action_for(self, parsed_args):
        return (states.ACTION_FORCE_UNLOCK if parsed_args.force
                else states.ACTION_UNLOCK)


class SwactHost(HostAction):
    """Swact a controller: move its active services to the other one."""

    action = states.ACTION_SWACT


class ReinstallHost(HostAction):
    """Reinstall a locked host; it keeps its configuration."""

    action = states.ACTION_REINSTALL


class PowerOnHost(HostAction):
    """Power a host on through its BMC."""

    action = 'power-on'


class PowerOffHost(HostAction):
    """Power a locked host off through its BMC."""

    action = 'power-off'


class ResetHost(HostAction):
    """Reset a locked host through its BMC."""

    action = 'reset'


class RebootHost(HostAction):
    """Reboot a locked host through its agent."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--force', action='store_true',
            help="Reset the host through its BMC if its agent does not "
                 'answer (action force-reboot).')
        return parser

    def action_for(self, parsed_args):
        return 'force-reboot' if parsed_args.force else 'reboot'
