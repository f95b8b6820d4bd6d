"""Each service's alembic history against its models, on a fresh SQLite file.

stx-dbsync and the functional tests run the same migrations on PostgreSQL.
"""

import os

from alembic import autogenerate
from alembic import migration as alembic_migration
from oslo_db.sqlalchemy import test_migrations

from stx.db import migration
from stx.fm import db as fm_db
from stx.sysinv import db as sysinv_db
from tests.unit import base


class _Service:
    """Which database a test class migrates: set by each subclass."""

    database = None
    tables = frozenset()

    def setUp(self):
        super().setUp()
        # Start from an empty file, not from a schema built from models.
        self.db_file = os.path.join(self.state_dir,
                                    self.database.name + '-migrated.sqlite')
        self.config(connection='sqlite:///' + self.db_file,
                    group=self.database.group)
        self.database.reset()
        self.addCleanup(self.database.reset)


class _MigrationChecks(_Service):

    def test_version_none_before_and_head_after_upgrade(self):
        self.assertIsNone(migration.version(self.database))
        migration.upgrade(self.database)
        self.assertEqual(list(migration.heads(self.database)),
                         [migration.version(self.database)])
        self.assertTrue(os.path.exists(self.db_file))

    def test_upgrade_is_idempotent(self):
        migration.upgrade(self.database)
        head = migration.version(self.database)
        migration.upgrade(self.database)
        self.assertEqual(head, migration.version(self.database))

    def test_upgrade_creates_the_model_tables(self):
        migration.upgrade(self.database)
        with self.database.get_engine().connect() as connection:
            tables = set(connection.dialect.get_table_names(connection))
        self.assertEqual({'alembic_version'} | self.tables, tables)

    def test_migrated_schema_matches_models(self):
        migration.upgrade(self.database)
        with self.database.get_engine().connect() as connection:
            context = alembic_migration.MigrationContext.configure(
                connection, opts={'compare_type': True,
                                  'compare_server_default': True})
            diff = autogenerate.compare_metadata(context,
                                                 self.database.metadata)
        self.assertEqual([], diff)


class _ModelsMigrationsSync(_Service, test_migrations.ModelsMigrationsSync):
    """oslo.db's own comparison (adds Boolean/Variant tolerance)."""

    def get_engine(self):
        return self.database.get_engine()

    def get_metadata(self):
        return self.database.metadata

    def db_sync(self, engine):
        migration.upgrade(self.database)


class TestSysinvMigrations(_MigrationChecks, base.TestCase):
    database = sysinv_db.DB
    tables = frozenset({'i_system', 'i_host', 'i_node', 'i_icpu',
                        'i_imemory', 'i_idisk', 'ports', 'pci_devices',
                        'label', 'interfaces', 'interfaces_to_interfaces',
                        'interface_networks', 'i_sensorgroups',
                        'i_sensors'})

    def test_0004_sensors_go_with_their_host(self):
        migration.upgrade(self.database)
        with self.database.get_engine().begin() as connection:
            for statement in (
                    "INSERT INTO i_host (id, uuid) VALUES (1, 'h1')",
                    "INSERT INTO i_sensorgroups (id, uuid, host_id, "
                    "sensorgroupname) VALUES (1, 'g1', 1, 'server fans')",
                    "INSERT INTO i_sensors (id, uuid, host_id, "
                    "sensorgroup_id, sensorname) VALUES (1, 's1', 1, 1, "
                    "'Fan 1'), (2, 's2', 1, 1, 'Fan 2')"):
                connection.exec_driver_sql(statement)
            # A deleted group leaves its sensors ungrouped...
            connection.exec_driver_sql('DELETE FROM i_sensorgroups')
            self.assertEqual([(None,), (None,)], connection.exec_driver_sql(
                'SELECT sensorgroup_id FROM i_sensors').all())
            # ... and a deleted host takes its sensors with it.
            connection.exec_driver_sql('DELETE FROM i_host')
            self.assertEqual(0, connection.exec_driver_sql(
                'SELECT count(*) FROM i_sensors').scalar())

    def test_0006_adds_last_maintenance_action_null_for_existing_hosts(self):
        migration.upgrade(self.database, '0005')
        with self.database.get_engine().begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO i_host (id, uuid, hostname, task) "
                "VALUES (1, 'h1', 'worker-1', 'Rebooting')")
        migration.upgrade(self.database)
        # The longest text the conductor stores.
        action = 'BMC reset of worker-1: ' + 'x' * (2048 - 23)
        with self.database.get_engine().begin() as connection:
            self.assertEqual([('worker-1', 'Rebooting', None)],
                             [tuple(row) for row in connection.exec_driver_sql(
                                 'SELECT hostname, task, '
                                 'last_maintenance_action FROM i_host')])
            connection.exec_driver_sql(
                'UPDATE i_host SET last_maintenance_action = ?', (action,))
            self.assertEqual(action, connection.exec_driver_sql(
                'SELECT last_maintenance_action FROM i_host').scalar())


class TestSysinvModelsMigrationsSync(_ModelsMigrationsSync, base.TestCase):
    database = sysinv_db.DB


class TestFMMigrations(_MigrationChecks, base.TestCase):
    database = fm_db.DB
    tables = frozenset({'alarm', 'alarm_count', 'event_log',
                        'event_suppression'})

    def test_0002_counts_the_alarms_already_active(self):
        migration.upgrade(self.database, '0001')
        with self.database.get_engine().begin() as connection:
            for n, severity in enumerate(('critical', 'major', 'major')):
                connection.exec_driver_sql(
                    "INSERT INTO alarm (uuid, alarm_id, entity_instance_id, "
                    "severity) VALUES ('u%d', '100.101', 'host=h%d', '%s')"
                    % (n, n, severity))
        migration.upgrade(self.database)
        with self.database.get_engine().connect() as connection:
            counts = connection.exec_driver_sql(
                'SELECT alarm_id, severity, count FROM alarm_count '
                'ORDER BY severity').all()
        self.assertEqual([('100.101', 'critical', 1),
                          ('100.101', 'major', 2)], [tuple(row)
                                                     for row in counts])


class TestFMModelsMigrationsSync(_ModelsMigrationsSync, base.TestCase):
    database = fm_db.DB
