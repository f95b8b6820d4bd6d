"""The body of every service's alembic ``env.py``.

Migrations run online only, on the connection ``stx.db.migration`` hands
over, with batch mode so that ALTERs work on SQLite too.
"""

from alembic import context


def run_migrations():
    config = context.config
    context.configure(connection=config.attributes['connection'],
                      target_metadata=config.attributes['target_metadata'],
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
