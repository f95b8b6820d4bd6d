"""WSGI entry points for gunicorn or mod_wsgi, one module per service.

Each module builds its service's app at import time into ``application``,
reading configuration from the file named by ``STX_CONFIG_FILE`` (default
/etc/stx/stx.conf), e.g. ``gunicorn stx.wsgi.sysinv:application``.
"""

import os
import warnings

CONFIG_FILE_ENV = 'STX_CONFIG_FILE'

# As in stx.command, and before stx.common.service imports oslo.messaging:
# skip eventlet's unused green DNS and its import-time warning.
os.environ.setdefault('EVENTLET_NO_GREENDNS', 'yes')
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')


def init_application(name):
    """Prepare the process and return the WSGI app of service ``name``.

    :raises: StartupError if the configuration file is missing or bad.
    """
    from stx.common import service

    config_file = os.environ.get(CONFIG_FILE_ENV)
    if config_file is None:
        config_files = service.default_config_files()
    elif os.path.exists(config_file):
        config_files = [config_file]
    else:
        raise service.StartupError('%s=%s: no such file'
                                   % (CONFIG_FILE_ENV, config_file))
    # The server's own command line is not ours to parse.
    service.prepare_service(['stx-%s-wsgi' % name], config_files=config_files)
    svc, = service.load_services([name])
    if svc.database is not None:
        service.check_database(svc.database)
    return svc.wsgi_app()
