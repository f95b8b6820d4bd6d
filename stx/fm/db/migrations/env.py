from stx.db import alembic_env

alembic_env.run_migrations()
