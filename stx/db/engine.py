"""One service's database: option group, enginefacade context, migrations.

Each service owns its tables and alembic history (DESIGN.md §4) and reaches
them through one ``ServiceDatabase``. The engine is created on first use from
the service's option group, so configuration parsed after import is honoured
and tests can ``reset()`` to a fresh database.
"""

import os
import sqlite3
import threading

from oslo_db.sqlalchemy import enginefacade
import sqlalchemy as sa

from stx.conf import CONF
from stx.conf import database as db_conf

# oslo.db options that shape the engine; read from the service's own group.
_ENGINE_OPTIONS = ('connection', 'slave_connection', 'sqlite_synchronous',
                   'connection_recycle_time', 'max_pool_size',
                   'max_overflow', 'pool_timeout', 'max_retries',
                   'retry_interval', 'connection_debug', 'connection_trace',
                   'mysql_sql_mode', 'connection_parameters')

# How long an SQLite writer waits for another writer before failing.
_SQLITE_BUSY_TIMEOUT_MS = 30000


class ServiceDatabase:
    """The database of one service.

    :param name: the service name, also the default SQLite file name.
    :param group: its oslo.db option group (``database`` for sysinv).
    :param migrations: the package holding its alembic environment.
    :param metadata: the SQLAlchemy metadata of its models.
    """

    def __init__(self, name, group, migrations, metadata):
        self.name = name
        self.group = group
        self.migrations = migrations
        self.metadata = metadata
        self._lock = threading.Lock()
        self._context = None
        self._engines = []
        self._keeper = None
        db_conf.register_group(CONF, group)

    def connection_url(self):
        """The configured URL, or a SQLite file in the state directory."""
        url = CONF[self.group].connection
        if url:
            return url
        os.makedirs(CONF.state_path, mode=0o700, exist_ok=True)
        path = os.path.join(CONF.state_path, self.name + '.sqlite')
        return 'sqlite:///' + path

    @property
    def context(self):
        if self._context is None:
            with self._lock:
                if self._context is None:
                    self._context = self._make_context()
        return self._context

    def _make_context(self):
        group = CONF[self.group]
        args = {opt: group[opt] for opt in _ENGINE_OPTIONS[1:]
                if group[opt] is not None}
        context = enginefacade.transaction_context()
        context.configure(connection=self.connection_url(), sqlite_fk=True,
                          **args)
        context.append_on_engine_create(self._engines.append)
        context.append_on_engine_create(self._tune_sqlite)
        return context

    def _tune_sqlite(self, engine):
        if engine.dialect.name != 'sqlite':
            return
        path = engine.url.database
        if path not in (None, '', ':memory:'):
            # oslo.db gives SQLite files a NullPool: each transaction opens
            # and closes its own connection, and the last connection to
            # close checkpoints the WAL and fsyncs (2 ms a transaction).
            # An idle connection held for the engine's life keeps every
            # close cheap; it also sets WAL mode, which the file keeps, so
            # readers proceed while a writer commits.
            self._keeper = sqlite3.connect(path, check_same_thread=False)
            self._keeper.execute('PRAGMA journal_mode=WAL')

        @sa.event.listens_for(engine, 'connect')
        def _on_connect(dbapi_connection, connection_record):
            dbapi_connection.execute('PRAGMA busy_timeout=%d'
                                     % _SQLITE_BUSY_TIMEOUT_MS)

    @property
    def reader(self):
        return self.context.reader

    @property
    def writer(self):
        return self.context.writer

    def get_engine(self):
        return self.context.writer.get_engine()

    def create_schema(self):
        """Create every table from the models (for tests of in-memory DBs)."""
        self.metadata.create_all(self.get_engine())

    def reset(self):
        """Forget the engine; the next use builds one from the options."""
        with self._lock:
            # Only the engines that were made: starting one here would
            # connect to what the options named then, which may be gone (a
            # test's removed state directory).
            for engine in self._engines:
                engine.dispose()
            self._engines = []
            self._context = None
            if self._keeper is not None:
                self._keeper.close()
                self._keeper = None
