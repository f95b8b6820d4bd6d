"""Database option groups, one per service (DESIGN.md §4).

sysinv keeps oslo.db's own ``[database]`` group, as StarlingX does; every
other service registers ``[<service>_database]`` with the same options through
``register_group``, so each service can point at its own database.
"""

from oslo_db import options as db_options

SYSINV_GROUP = 'database'


def register_group(conf, group):
    """Register oslo.db's options under ``group`` (idempotent)."""
    conf.register_opts(db_options.database_opts, group=group)


def register_opts(conf):
    register_group(conf, SYSINV_GROUP)


def list_opts():
    # [database] is listed by oslo.db's own namespace in the sample config.
    return {}
