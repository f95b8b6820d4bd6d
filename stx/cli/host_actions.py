"""``stx host-power-on|power-off|reset|reboot``: host actions.

Each sends StarlingX's action patch (``[{"op": "replace", "path":
"/action", "value": "power-off"}]``) and shows the host, whose task says
what maintenance is doing ("Powering-off"). With ``--wait`` the command
follows the task until it ends, printing each change, and exits non-zero
if the action failed.
"""

import time

from cliff import show

from stx.cli import hosts
from stx.clients import http

# Seconds between two looks at the host's task with --wait.
POLL_INTERVAL = 0.5


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
        host = client.patch(path, [{'op': 'replace', 'path': '/action',
                                    'value': self.action_for(parsed_args)}])
        if parsed_args.wait:
            host = self._wait(client, path, host, parsed_args.timeout)
        return hosts.host_fields(host)

    def _wait(self, client, path, host, timeout):
        deadline = time.monotonic() + timeout
        shown = None
        while True:
            task = host.get('task') or ''
            if task != shown:
                self.app.stderr.write('%s: %s\n' % (
                    host.get('hostname'), task or 'done (%s/%s/%s)' % (
                        host.get('administrative'), host.get('operational'),
                        host.get('availability'))))
                shown = task
            if not task:
                return host
            if ' failed: ' in task:
                raise http.ClientError(task)
            if time.monotonic() > deadline:
                raise http.ClientError('%s is still %r after %gs' % (
                    host.get('hostname'), task, timeout))
            time.sleep(POLL_INTERVAL)
            host = client.get(path)


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
