"""Databases for the benchmarks: a fresh PostgreSQL database per run."""

import uuid

POSTGRESQL = 'postgresql+psycopg2://postgres@127.0.0.1:5432/'


def postgresql_database(prefix):
    """Create a uniquely named database; returns (URL, drop function)."""
    import psycopg2

    name = '%s_%s' % (prefix, uuid.uuid4().hex[:8])
    admin = psycopg2.connect(host='127.0.0.1', user='postgres',
                             dbname='postgres')
    admin.autocommit = True
    admin.cursor().execute('CREATE DATABASE %s' % name)

    def drop():
        admin.cursor().execute('DROP DATABASE IF EXISTS %s WITH (FORCE)'
                               % name)
        admin.close()

    return POSTGRESQL + name, drop
