"""sysinv's alembic history against its models, on a fresh SQLite file.

The same checks on PostgreSQL belong to the functional tests.
"""

import os

from alembic import autogenerate
from alembic import migration as alembic_migration
from oslo_db.sqlalchemy import test_migrations

from stx.db import migration
from stx.sysinv.db import DB
from stx.sysinv.db import models
from tests.unit import base


class MigrationTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        # base.TestCase built an in-memory schema from the models; migrate a
        # database file that starts empty instead.
        self.db_file = os.path.join(self.state_dir, 'migrated.sqlite')
        self.config(connection='sqlite:///' + self.db_file,
                    group='database')
        DB.reset()


class TestSysinvMigrations(MigrationTestCase):

    def test_version_none_before_and_head_after_upgrade(self):
        self.assertIsNone(migration.version(DB))
        migration.upgrade(DB)
        self.assertEqual('0001', migration.version(DB))
        self.assertTrue(os.path.exists(self.db_file))

    def test_upgrade_is_idempotent(self):
        migration.upgrade(DB)
        migration.upgrade(DB)
        self.assertEqual('0001', migration.version(DB))

    def test_upgrade_creates_the_model_tables(self):
        migration.upgrade(DB)
        with DB.get_engine().connect() as connection:
            tables = set(connection.dialect.get_table_names(connection))
        self.assertEqual({'alembic_version', 'i_system', 'i_host'}, tables)

    def test_migrated_schema_matches_models(self):
        migration.upgrade(DB)
        with DB.get_engine().connect() as connection:
            context = alembic_migration.MigrationContext.configure(
                connection, opts={'compare_type': True,
                                  'compare_server_default': True})
            diff = autogenerate.compare_metadata(context,
                                                 models.Base.metadata)
        self.assertEqual([], diff)


class TestModelsMigrationsSync(test_migrations.ModelsMigrationsSync,
                               MigrationTestCase):
    """oslo.db's own comparison (adds Boolean/Variant tolerance)."""

    def get_engine(self):
        return DB.get_engine()

    def get_metadata(self):
        return models.Base.metadata

    def db_sync(self, engine):
        migration.upgrade(DB)
