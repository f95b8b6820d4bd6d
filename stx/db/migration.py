"""Schema migrations: run each service's alembic history (``stx-dbsync``).

Migrations only go forward, as in OpenStack: to go back, restore a backup.
"""

import importlib.resources

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script


def _alembic_config(database, connection):
    config = alembic_config.Config()
    location = importlib.resources.files(database.migrations)
    config.set_main_option('script_location', str(location))
    config.attributes['connection'] = connection
    config.attributes['target_metadata'] = database.metadata
    return config


def upgrade(database, revision='head'):
    """Bring ``database`` (a ServiceDatabase) up to ``revision``."""
    with database.get_engine().begin() as connection:
        alembic_command.upgrade(_alembic_config(database, connection),
                                revision)


def heads(database):
    """The newest revisions of the service's migration history."""
    location = importlib.resources.files(database.migrations)
    return alembic_script.ScriptDirectory(str(location)).get_heads()


def version(database):
    """The revision the database is at, or None when never migrated."""
    with database.get_engine().connect() as connection:
        context = alembic_migration.MigrationContext.configure(connection)
        return context.get_current_revision()
