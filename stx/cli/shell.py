"""The ``stx`` command: a cliff application over stx-flock's REST APIs.

This module owns the global options, the choice of endpoint, logging to the
console and the top-level error handling; the commands live in one module
per resource (``system``, ``hosts``, ``inventory``, ``alarms``, ``sm``...).

Every failure reaches the user as one line, ``Error: <message>``, on stderr
with exit status 1 (``--debug`` adds the traceback, as cliff does).
"""

import logging
import os
import sys
import threading

from cliff import app
from cliff import commandmanager
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import loading

from stx.cli import alarms
from stx.cli import events
from stx.cli import host_actions
from stx.cli import hosts
from stx.cli import interfaces
from stx.cli import inventory
from stx.cli import labels
from stx.cli import sensors
from stx.cli import sm
from stx.cli import system
from stx.clients import http
from stx import version

DEFAULT_TIMEOUT = 30

COMMANDS = {
    'system-show': system.ShowSystem,
    'system-modify': system.ModifySystem,
    'host-list': hosts.ListHosts,
    'host-show': hosts.ShowHost,
    'host-add': hosts.AddHost,
    'host-update': hosts.UpdateHost,
    'host-delete': hosts.DeleteHost,
    'host-bulk-add': hosts.BulkAddHosts,
    'host-bulk-export': hosts.BulkExportHosts,
    'host-lock': host_actions.LockHost,
    'host-unlock': host_actions.UnlockHost,
    'host-swact': host_actions.SwactHost,
    'host-reinstall': host_actions.ReinstallHost,
    'host-power-on': host_actions.PowerOnHost,
    'host-power-off': host_actions.PowerOffHost,
    'host-reset': host_actions.ResetHost,
    'host-reboot': host_actions.RebootHost,
    'host-cpu-list': inventory.ListCPUs,
    'host-cpu-show': inventory.ShowCPU,
    'host-cpu-modify': inventory.ModifyCPUs,
    'host-memory-list': inventory.ListMemory,
    'host-memory-show': inventory.ShowMemory,
    'host-memory-modify': inventory.ModifyMemory,
    'host-node-list': inventory.ListNodes,
    'host-disk-list': inventory.ListDisks,
    'host-disk-show': inventory.ShowDisk,
    'host-port-list': inventory.ListPorts,
    'host-port-show': inventory.ShowPort,
    'host-ethernet-port-list': inventory.ListEthernetPorts,
    'host-device-list': inventory.ListDevices,
    'host-device-show': inventory.ShowDevice,
    'host-label-assign': labels.AssignLabels,
    'host-if-list': interfaces.ListInterfaces,
    'host-if-show': interfaces.ShowInterface,
    'host-if-add': interfaces.AddInterface,
    'host-if-modify': interfaces.ModifyInterface,
    'host-if-delete': interfaces.DeleteInterface,
    'interface-network-list': interfaces.ListInterfaceNetworks,
    'interface-network-assign': interfaces.AssignInterfaceNetwork,
    'interface-network-remove': interfaces.RemoveInterfaceNetwork,
    'host-label-list': labels.ListLabels,
    'host-label-remove': labels.RemoveLabels,
    'host-sensor-list': sensors.ListSensors,
    'host-sensor-show': sensors.ShowSensor,
    'host-sensor-modify': sensors.ModifySensor,
    'host-sensorgroup-list': sensors.ListSensorGroups,
    'host-sensorgroup-show': sensors.ShowSensorGroup,
    'host-sensorgroup-modify': sensors.ModifySensorGroup,
    'alarm-list': alarms.ListAlarms,
    'alarm-show': alarms.ShowAlarm,
    'alarm-summary': alarms.AlarmSummary,
    'alarm-delete': alarms.DeleteAlarm,
    'event-list': events.ListEvents,
    'event-show': events.ShowEvent,
    'event-suppress': events.Suppress,
    'event-unsuppress': events.Unsuppress,
    'event-unsuppress-all': events.UnsuppressAll,
    'event-suppress-list': events.ListSuppressions,
    'servicegroup-list': sm.ListServiceGroups,
    'servicegroup-show': sm.ShowServiceGroup,
    'service-list': sm.ListServices,
    'service-show': sm.ShowService,
    'servicenode-list': sm.ListServiceNodes,
    'servicenode-show': sm.ShowServiceNode,
}

# Console verbosity: -q, default, -v, -vv.
_CONSOLE_LEVELS = {0: logging.ERROR, 1: logging.WARNING, 2: logging.INFO}


class ConsoleFormatter(logging.Formatter):
    """Prefix errors with ``Error:`` and keep each message on one line."""

    def __init__(self, debug=False):
        super().__init__('%(message)s')
        self.debug = debug

    def format(self, record):
        if self.debug:
            text = super().format(record)
        else:
            text = http.one_line(record.getMessage())
        if record.levelno >= logging.ERROR:
            text = 'Error: ' + text
        return text


class ConsoleFilter(logging.Filter):
    """Which records reach the console.

    Only records of the thread that runs the command: a server running in
    the same process (as in tests) must not write into the CLI's output.
    And unless -v was given, libraries only speak up for errors (so that,
    for instance, keystoneauth1's version-discovery warnings do not
    precede the one line that says what went wrong).
    """

    def __init__(self, verbose_level):
        super().__init__()
        self.thread = threading.get_ident()
        self.verbose_level = verbose_level

    def filter(self, record):
        if record.thread != self.thread:
            return False
        own = record.name == 'stx' or record.name.startswith('stx.')
        return own or self.verbose_level > 1 or (
            record.levelno >= logging.ERROR)


class StxShell(app.App):
    """The ``stx`` application."""

    NAME = 'stx'
    LOG = logging.getLogger('stx.cli')

    def __init__(self, stdout=None, stderr=None):
        manager = commandmanager.CommandManager(None)
        for name, command in COMMANDS.items():
            manager.add_command(name, command)
        super().__init__(
            description='Manage an stx-flock edge cloud.',
            version=version.version_string(),
            command_manager=manager, stdout=stdout, stderr=stderr,
            deferred_help=True)
        self._clients = {}
        self._log_handlers = []
        self._root_level = None

    def build_option_parser(self, description, version, argparse_kwargs=None):
        argparse_kwargs = dict(argparse_kwargs or {}, prog=self.NAME)
        parser = super().build_option_parser(description, version,
                                             argparse_kwargs)
        group = parser.add_argument_group(
            'Endpoint Options',
            'Where the APIs are: an all-in-one base URL, a URL per service, '
            'or (if neither is given) the Keystone catalogue.')
        group.add_argument(
            '--stx-url', metavar='<url>', default=os.environ.get('STX_URL'),
            help='Base URL of an all-in-one stx-flock (stx-aio prints it); '
                 'service <s> is then under <url>/<s>. '
                 'Defaults to env[STX_URL].')
        for service in http.SERVICE_TYPES:
            env = 'STX_%s_URL' % service.upper()
            group.add_argument(
                '--%s-url' % service, metavar='<url>',
                default=os.environ.get(env),
                help='URL of a standalone %s API (with or without /v1); '
                     'overrides --stx-url. Defaults to env[%s].'
                     % (service, env))
        group.add_argument(
            '--os-interface', metavar='<interface>',
            default=os.environ.get('OS_INTERFACE', 'public'),
            help='Keystone catalogue interface: public, internal or admin. '
                 'Defaults to env[OS_INTERFACE] or public.')
        group.add_argument(
            '--os-region-name', metavar='<region>',
            default=os.environ.get('OS_REGION_NAME'),
            help='Keystone catalogue region. '
                 'Defaults to env[OS_REGION_NAME].')
        loading.register_session_argparse_arguments(parser)
        # keystoneauth1's default of 600 s is far too patient for a CLI.
        parser.set_defaults(timeout=DEFAULT_TIMEOUT)
        return parser

    def run(self, argv):
        # The auth plugin's own options depend on --os-auth-type, so they
        # can only be registered once argv is known.
        try:
            loading.register_auth_argparse_arguments(self.parser, argv,
                                                     default='password')
        except ks_exc.ClientException as exc:
            self.stderr.write('Error: %s\n' % http.one_line(exc))
            return 1
        return super().run(argv)

    def configure_logging(self):
        """Log to the console (and --log-file) for this run only.

        Handlers are removed by ``close_logging``; ``ConsoleFilter`` says
        which records reach the console.
        """
        root = logging.getLogger()
        console = logging.StreamHandler(self.stderr)
        console.setLevel(_CONSOLE_LEVELS.get(self.options.verbose_level,
                                             logging.DEBUG))
        console.setFormatter(ConsoleFormatter(self.options.debug))
        console.addFilter(ConsoleFilter(self.options.verbose_level))
        self._log_handlers = [console]
        if self.options.log_file:
            log_file = logging.FileHandler(self.options.log_file)
            log_file.setFormatter(
                logging.Formatter(self.LOG_FILE_MESSAGE_FORMAT))
            self._log_handlers.append(log_file)
        self._root_level = root.level
        root.setLevel(min(handler.level for handler in self._log_handlers))
        for handler in self._log_handlers:
            root.addHandler(handler)

    def close_logging(self):
        root = logging.getLogger()
        for handler in self._log_handlers:
            root.removeHandler(handler)
            handler.close()
        self._log_handlers = []
        if self._root_level is not None:
            root.setLevel(self._root_level)
            self._root_level = None

    def client(self, service):
        """The ``http.Client`` of ``service``, built on first use."""
        if service not in self._clients:
            self._clients[service] = self._make_client(service)
        return self._clients[service]

    def _make_client(self, service):
        options = self.options
        endpoint = http.service_endpoint(
            service, stx_url=options.stx_url,
            service_url=getattr(options, '%s_url' % service))
        auth = None
        if not endpoint:
            if not getattr(options, 'os_auth_url', None):
                raise http.NoEndpoint(
                    'no endpoint: set STX_URL (stx-aio prints it), '
                    '--%s-url, or OS_AUTH_URL' % service)
            try:
                auth = loading.load_auth_from_argparse_arguments(options)
            except ks_exc.ClientException as exc:
                raise http.ClientError('Keystone options: %s' % exc)
        session = loading.load_session_from_argparse_arguments(options,
                                                               auth=auth)
        return http.Client(session, service, endpoint_override=endpoint,
                           interface=options.os_interface,
                           region_name=options.os_region_name)


def main(argv=None):
    """Run ``stx``; return the exit status.

    No traceback gets out, unless ``--debug`` asked for it.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    shell = None
    try:
        shell = StxShell()
        return shell.run(argv)
    except SystemExit as exc:
        # argparse (usage errors, --version) and help exit this way.
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if getattr(getattr(shell, 'options', None), 'debug', False):
            raise
        sys.stderr.write('Error: %s\n' % http.one_line(exc))
        return 1
    finally:
        if shell is not None:
            shell.close_logging()


if __name__ == '__main__':
    sys.exit(main())
