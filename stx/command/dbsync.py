"""stx-dbsync: bring each service's database to its newest schema.

``stx-dbsync [--config-file F] [upgrade|version] [<service>|all]``; a
standard deployment runs it before starting the services, which refuse a
database that is not at its newest revision.
"""

import sys

from oslo_config import cfg

from stx.common import service

_ACTIONS = ('upgrade', 'version')

cli_opts = [
    cfg.StrOpt('action', positional=True, required=False,
               default='upgrade',
               choices=_ACTIONS,
               help='upgrade: migrate to the newest revision; version: '
                    'print the current revision.'),
    cfg.StrOpt('service', positional=True, required=False,
               default='all',
               help='The service whose database to act on, or "all".'),
]


def _run(argv):
    from stx.db import migration

    service.prepare_service(argv, __doc__.splitlines()[0], cli_opts,
                            init_rpc=False)
    conf = cfg.CONF
    names = None if conf.service == 'all' else [conf.service]
    databases = [svc.database for svc in service.load_services(names)
                 if svc.database is not None]
    if names and not databases:
        raise service.StartupError('service %s has no database'
                                   % conf.service)
    for database in databases:
        if conf.action == 'upgrade':
            service.migration_version(database)
            migration.upgrade(database)
        print('%s: %s' % (database.name,
                          service.migration_version(database) or 'none'),
              flush=True)


def main(argv=None):
    return service.run_command(_run, argv)


if __name__ == '__main__':
    sys.exit(main())
