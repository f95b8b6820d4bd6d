"""The service contract and what every stx-flock process does to run.

A service (sysinv, fm, sm, ...) is one entry of the ``stx.services``
namespace: a ``Service`` subclass that builds its WSGI app, starts and stops
its RPC servers and workers, and does its first-start work in the all-in-one
controller. The console scripts in ``stx.command`` are thin: they call
``prepare_service``, pick the parts of the services they run, serve the APIs
with ``stx.common.wsgi_server`` and wait for ``wait_for_shutdown``.
"""

import contextlib
import io
import os
import signal
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging

from stx.common import exception
from stx.common import rpc
from stx.conf import CONF
from stx.drivers import loader
from stx import objects
from stx import version

LOG = logging.getLogger(__name__)

DEFAULT_CONFIG_FILE = '/etc/stx/stx.conf'

_QUIET_ALEMBIC = 'alembic.runtime.plugins=WARN'


#: The services started in this process and not stopped, by name: what
#: service management audits in stx-aio (stx.sm.plugins.inprocess).
RUNNING = {}


class StartupError(Exception):
    """A reason a process cannot start, told to the user on one line."""


class Service:
    """One stx-flock service, as the ``stx.services`` namespace declares it.

    Subclasses set the class attributes and override what they have. The
    constructor takes no arguments: configuration is read from ``CONF``
    when the parts are built, after ``prepare_service``.
    """

    #: Name of the entry point, the URL prefix in the all-in-one
    #: (``/<name>/``) and the ``stx-dbsync`` argument.
    name = None
    #: Lower starts first and stops last.
    start_order = 100
    #: The service's ``stx.db.engine.ServiceDatabase``, or None.
    database = None
    #: StarlingX's port for the service's standalone API, or None.
    api_port = None

    def wsgi_app(self):
        """The service's WSGI application, or None when it has no API."""
        return None

    def start(self):
        """Start the RPC servers and periodic workers; return at once."""

    def quiesce(self):
        """Stop judging other parts of the system; quick, idempotent.

        The first step of a stop: ``stx-aio`` quiesces every service before
        it stops them together, so that no service takes another one that
        is stopping for failed.
        """

    def stop(self):
        """Stop what ``start`` started and wait for it to finish."""

    def bootstrap(self, context, options):
        """First-start work in the all-in-one controller, idempotent.

        :param context: an admin request context.
        :param options: a dict of the all-in-one's first-start options
            (``system_mode``); services ignore keys they do not use.
        """


def load_services(names=None):
    """Instantiate installed services, lowest ``start_order`` first.

    :param names: the services wanted; None means every installed one.
    :raises: StartupError naming an unknown service and what is installed.
    :raises: DriverLoadError if a service's entry point cannot be imported.
    """
    namespace = loader.SERVICES_NAMESPACE
    installed = loader.list_installed(namespace)
    if names is None:
        names = installed
    unknown = sorted(set(names) - set(installed))
    if unknown:
        raise StartupError('unknown service %s; installed: %s' % (
            ', '.join(unknown), ', '.join(installed) or 'none'))
    services = [loader.get_class(namespace, name)() for name in names]
    return sorted(services, key=lambda svc: (svc.start_order, svc.name))


def default_config_files():
    """/etc/stx/stx.conf when it exists: a lab or AIO needs no file."""
    if os.path.exists(DEFAULT_CONFIG_FILE):
        return [DEFAULT_CONFIG_FILE]
    return []


def _parse(argv, description, config_files):
    # argparse prints usage and an error, then exits 2; a user gets the
    # error alone on one line and exit status 1 instead.
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            CONF(argv[1:], project='stx', prog=os.path.basename(argv[0]),
                 version=version.version_string(), description=description,
                 default_config_files=config_files)
    except SystemExit as exit_:
        if not exit_.code:
            sys.stderr.write(errors.getvalue())
            raise
        lines = errors.getvalue().strip().splitlines() or ['bad arguments']
        raise StartupError(lines[-1].split(' error: ', 1)[-1]) from None
    except cfg.Error as error:
        raise StartupError(str(error)) from None


def prepare_service(argv=None, description=None, cli_opts=(),
                    config_files=None, init_rpc=True, configure=None):
    """Parse options and set up logging, RPC and objects for a process.

    :param argv: the command line, program name first (``sys.argv``).
    :param description: what the command does, for ``--help``.
    :param cli_opts: the command's own oslo.config CLI options.
    :param config_files: default config files; /etc/stx/stx.conf if
        it exists when None.
    :param init_rpc: create the message transport (not for stx-dbsync).
    :param configure: called after parsing, before logging and RPC are set
        up, to derive options from the command's own (``stx-aio``).
    :raises: StartupError for bad arguments or configuration files.
    """
    argv = sys.argv if argv is None else argv
    if config_files is None:
        config_files = default_config_files()
    logging.register_options(CONF)
    # alembic announces each of its plugins at INFO on every start.
    levels = logging.get_default_log_levels()
    if _QUIET_ALEMBIC not in levels:
        logging.set_defaults(default_log_levels=levels + [_QUIET_ALEMBIC])
    CONF.register_cli_opts(cli_opts)
    _parse(argv, description, config_files)
    if configure is not None:
        configure()
    if not (CONF.log_file or CONF.log_dir or CONF.log_config_append or
            CONF.use_journal):
        # oslo.log would log to stdout, which carries the command's own
        # output (the ready line, stx-dbsync's revisions).
        CONF.set_default('use_stderr', True)
    logging.setup(CONF, 'stx', version=version.version_string())
    if init_rpc:
        rpc.init(CONF)
    objects.register_all()


def check_database(database):
    """Refuse to run on a database that is not at its newest revision.

    :raises: StartupError telling how to migrate it.
    """
    from stx.db import migration

    heads = migration.heads(database)
    current = migration_version(database)
    if current not in heads:
        raise StartupError(
            'the %(name)s database is at revision %(current)s, not '
            '%(head)s; run "stx-dbsync upgrade %(name)s"' % {
                'name': database.name, 'current': current or 'none',
                'head': ', '.join(heads)})


def migration_version(database):
    """The database's revision; a connection failure is a StartupError."""
    from oslo_db import exception as db_exc

    from stx.db import migration
    try:
        return migration.version(database)
    except db_exc.DBError as error:
        raise StartupError('cannot reach the %s database: %s'
                           % (database.name, error)) from None


class ShutdownSignals:
    """SIGINT and SIGTERM, caught from construction until ``wait`` ends.

    Commands create it before they start anything: a signal that arrives
    while they start is kept, and ``wait`` then returns at once, so the
    process still stops cleanly (exit 0) rather than dying half-started.
    """

    def __init__(self, stop_event=None):
        self.event = stop_event or threading.Event()
        self.received = None
        self._previous = {signum: signal.signal(signum, self._handle)
                          for signum in (signal.SIGINT, signal.SIGTERM)}

    def _handle(self, signum, frame):
        self.received = self.received or signum
        self.event.set()

    def wait(self):
        """Block until a signal (or the event); restore the handlers.

        :returns: the signal number, or None when the event ended it.
        """
        try:
            self.event.wait()
        finally:
            for signum, handler in self._previous.items():
                signal.signal(signum, handler)
        if self.received:
            LOG.info('Stopping on signal %(signal)s',
                     {'signal': signal.Signals(self.received).name})
        return self.received


def wait_for_shutdown(stop_event=None):
    """Block until SIGINT or SIGTERM (or ``stop_event`` is set)."""
    return ShutdownSignals(stop_event).wait()


def run_command(main, argv=None):
    """Run a command's ``main(argv)``; errors become one line and exit 1.

    :returns: the exit status for ``sys.exit``.
    """
    argv = sys.argv if argv is None else argv
    prog = os.path.basename(argv[0])
    try:
        return main(argv) or 0
    except (StartupError, exception.StxException, cfg.Error) as error:
        message = str(error)
        LOG.info('%(prog)s cannot start: %(error)s',
                 {'prog': prog, 'error': message})
    except Exception as error:
        # A bug, not bad input: the traceback goes to the log only.
        message = '%s: %s' % (type(error).__name__, error)
        LOG.error('%(prog)s failed', {'prog': prog}, exc_info=True,
                  extra={'stx_reported': True})
    print('%s: error: %s' % (prog, message), file=sys.stderr, flush=True)
    return 1
