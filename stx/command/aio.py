"""stx-aio: every stx-flock service in one process (DESIGN.md §1).

Needs no configuration: state (SQLite databases, keys, the log) lives in
``--state-dir``, RPC uses an in-process transport unless
``--transport-url`` names a broker, and every API is served on one port
under ``/<service>/``. The first start creates the system and
controller-0; later starts reuse the state. One line on stdout tells the
base URL once everything serves.
"""

import logging as std_logging
import os
import sys
import threading
import time

from oslo_config import cfg
from oslo_log import log as logging

from stx.common import service
from stx.common import states
from stx.common import wsgi_server
from stx.conf import CONF

LOG = logging.getLogger(__name__)

DEFAULT_PORT = 6385
# In-process, blocking rather than polling (stx.common.inproc).
DEFAULT_TRANSPORT_URL = 'stx-inproc://'
LOG_FILE_NAME = 'stx-aio.log'

cli_opts = [
    cfg.StrOpt('state-dir',
               help='Directory of the databases, keys and log; created '
                    'with mode 0700. Overrides [DEFAULT] state_path '
                    '(default $XDG_STATE_HOME/stx-flock).'),
    cfg.PortOpt('port',
                help='Port serving every API; 0 picks a free one. Default '
                     '[api] port, else %d.' % DEFAULT_PORT),
    cfg.HostAddressOpt('host-ip',
                       help='Address to listen on. Default [api] host_ip '
                            '(127.0.0.1).'),
    # Its own dest: oslo.messaging owns the transport_url option.
    cfg.StrOpt('transport-url', dest='aio_transport_url', secret=True,
               help='Message transport, e.g. rabbit://user:pass@host:5672/ '
                    'to let agents in other processes join. Default '
                    '[DEFAULT] transport_url if configured, else the '
                    'in-process %s.' % DEFAULT_TRANSPORT_URL),
    cfg.ListOpt('skip-services', default=[],
                help='Installed services not to run, e.g. sm where each '
                     'controller runs its own stx-sm.'),
    # No default here: a mode given on a later start is reported as
    # ignored, the default is not.
    cfg.StrOpt('system-mode',
               choices=(states.SYSTEM_MODE_SIMPLEX,
                        states.SYSTEM_MODE_DUPLEX),
               help='Mode of the system created on first start (default '
                    'duplex); ignored afterwards. simplex forbids adding '
                    'hosts.'),
]


def _configure():
    if CONF.state_dir:
        CONF.set_override('state_path', os.path.abspath(CONF.state_dir))
    try:
        os.makedirs(CONF.state_path, mode=0o700, exist_ok=True)
    except OSError as error:
        raise service.StartupError('cannot create the state directory: %s'
                                   % error) from None
    if CONF.aio_transport_url:
        CONF.set_override('transport_url', CONF.aio_transport_url)
    from stx.sm import model as sm_model
    from stx.sysinv.conductor import bootstrap

    # Service management checks the services of this process, on the
    # controller the first start creates.
    CONF.set_default('model_file', sm_model.packaged(sm_model.AIO),
                     group='sm')
    CONF.set_default('node', bootstrap.CONTROLLER_0, group='sm')
    if not (CONF.log_file or CONF.log_dir or CONF.log_config_append):
        CONF.set_default('log_file',
                         os.path.join(CONF.state_path, LOG_FILE_NAME))


class _OneLineFormatter(std_logging.Formatter):
    """No tracebacks on the terminal: they are in the log file."""

    def format(self, record):
        record = std_logging.makeLogRecord(record.__dict__)
        record.exc_info = record.exc_text = record.stack_info = None
        return super().format(record)


def _for_the_terminal(record):
    # Failures run_command already printed on one line.
    if getattr(record, 'stx_reported', False):
        return False
    # The amqp library warns about frames racing a channel close when the
    # process stops; oslo.messaging reports real broker trouble itself.
    # Both stay in the log file.
    return record.name != 'amqp' or record.levelno >= std_logging.ERROR


def _warnings_to_stderr():
    handler = std_logging.StreamHandler(sys.stderr)
    handler.setLevel(std_logging.WARNING)
    handler.setFormatter(_OneLineFormatter(
        'stx-aio: %(levelname)s %(name)s: %(message)s'))
    handler.addFilter(_for_the_terminal)
    std_logging.getLogger().addHandler(handler)


def _run(argv):
    from stx.common import context
    from stx.common import rpc
    from stx.db import migration

    # A default, so that a configured transport_url still wins.
    CONF.set_default('transport_url', DEFAULT_TRANSPORT_URL)
    service.prepare_service(argv, __doc__.splitlines()[0], cli_opts,
                            configure=_configure)
    _warnings_to_stderr()
    signals = service.ShutdownSignals()
    services = _services()
    LOG.info('stx-aio starting in %(state)s with services %(names)s',
             {'state': CONF.state_path,
              'names': ', '.join(svc.name for svc in services)})
    admin = context.get_admin_context()
    started = []
    server = None
    try:
        for svc in services:
            if svc.database is not None:
                service.migration_version(svc.database)
                migration.upgrade(svc.database)
        options = {}
        if CONF.system_mode:
            options['system_mode'] = CONF.system_mode
        for svc in services:
            svc.bootstrap(admin, options)
        for svc in services:
            svc.start()
            started.append(svc)
            service.RUNNING[svc.name] = svc
        apps = {svc.name: svc.wsgi_app() for svc in services}
        apps = {name: app for name, app in apps.items() if app is not None}
        port = CONF.port
        if port is None:
            port = DEFAULT_PORT if CONF.api.port is None else CONF.api.port
        server = wsgi_server.APIServer(
            apps, CONF.host_ip or CONF.api.host_ip, port)
        server.start()
        print('stx-aio ready: STX_URL=%s' % server.url, flush=True)
        LOG.info('stx-aio ready at %(url)s', {'url': server.url})
        signals.wait()
    finally:
        if server is not None:
            server.stop()
        _stop_all(started)
        rpc.cleanup()
    LOG.info('stx-aio stopped')


def _services():
    """The installed services but those ``--skip-services`` names."""
    from stx.drivers import loader

    installed = loader.list_installed(loader.SERVICES_NAMESPACE)
    unknown = sorted(set(CONF.skip_services) - set(installed))
    if unknown:
        raise service.StartupError(
            '--skip-services: unknown service %s; installed: %s' % (
                ', '.join(unknown), ', '.join(installed)))
    return service.load_services(
        [name for name in installed if name not in CONF.skip_services])


def _stop_all(services):
    """Stop every service at once.

    On RabbitMQ an idle RPC listener notices it is stopped only at the end
    of its poll, up to about 5 s: one service after another, a stop took
    15 s. Nothing is lost by stopping them together: what one service still
    sends fm stays in its durable fm client queue, and calls between the
    others are retried at the next start. Every service is quiesced first:
    host maintenance stops heartbeat before this machine's agent stops
    answering it.
    """
    def stop(svc):
        started = time.monotonic()
        try:
            svc.stop()
        except Exception:
            LOG.exception('Stopping %(name)s failed', {'name': svc.name})
        LOG.info('Stopped %(name)s in %(secs).1f s',
                 {'name': svc.name, 'secs': time.monotonic() - started})

    for svc in services:
        try:
            svc.quiesce()
        except Exception:
            LOG.exception('Quiescing %(name)s failed', {'name': svc.name})
    for svc in services:
        service.RUNNING.pop(svc.name, None)
    threads = [threading.Thread(target=stop, args=(svc,),
                                name='stop-%s' % svc.name)
               for svc in reversed(services)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main(argv=None):
    return service.run_command(_run, argv)


if __name__ == '__main__':
    sys.exit(main())
