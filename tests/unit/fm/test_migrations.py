"""fm's alembic history against its models, on a fresh SQLite file."""

import os

from alembic import autogenerate
from alembic import migration as alembic_migration
from oslo_db.sqlalchemy import test_migrations

from stx.db import migration
from stx.fm.db import DB
from stx.fm.db import models
from tests.unit.fm import base


class MigrationTestCase(base.FMTestCase):

    def setUp(self):
        super().setUp()
        # FMTestCase built an in-memory schema from the models; migrate a
        # database file that starts empty instead.
        self.db_file = os.path.join(self.state_dir, 'fm-migrated.sqlite')
        self.config(connection='sqlite:///' + self.db_file,
                    group='fm_database')
        DB.reset()


class TestFMMigrations(MigrationTestCase):

    def test_version_none_before_and_head_after_upgrade(self):
        self.assertIsNone(migration.version(DB))
        migration.upgrade(DB)
        self.assertEqual('0001', migration.version(DB))
        self.assertTrue(os.path.exists(self.db_file))

    def test_upgrade_is_idempotent(self):
        migration.upgrade(DB)
        migration.upgrade(DB)
        self.assertEqual(['0001'], list(migration.heads(DB)))

    def test_upgrade_creates_the_model_tables(self):
        migration.upgrade(DB)
        with DB.get_engine().connect() as connection:
            tables = set(connection.dialect.get_table_names(connection))
        self.assertEqual({'alembic_version', 'alarm', 'event_log',
                          'event_suppression'}, tables)

    def test_migrated_schema_matches_models(self):
        migration.upgrade(DB)
        with DB.get_engine().connect() as connection:
            context = alembic_migration.MigrationContext.configure(
                connection, opts={'compare_type': True,
                                  'compare_server_default': True})
            diff = autogenerate.compare_metadata(context,
                                                 models.Base.metadata)
        self.assertEqual([], diff)

    def test_event_log_ids_never_reused_after_deleting_the_newest(self):
        # AUTOINCREMENT: a sequence number read by a client never comes
        # back for a different record.
        migration.upgrade(DB)
        with DB.get_engine().begin() as connection:
            sql = connection.exec_driver_sql
            for uuid in ('a', 'b'):
                sql("INSERT INTO event_log (uuid, event_log_id) "
                    "VALUES ('%s', '200.020')" % uuid)
            sql("DELETE FROM event_log WHERE uuid = 'b'")
            sql("INSERT INTO event_log (uuid, event_log_id) "
                "VALUES ('c', '200.020')")
            ids = sql('SELECT id FROM event_log ORDER BY id').scalars().all()
        self.assertEqual([1, 3], ids)


class TestModelsMigrationsSync(test_migrations.ModelsMigrationsSync,
                               MigrationTestCase):
    """oslo.db's own comparison (adds Boolean/Variant tolerance)."""

    def get_engine(self):
        return DB.get_engine()

    def get_metadata(self):
        return models.Base.metadata

    def db_sync(self, engine):
        migration.upgrade(DB)
