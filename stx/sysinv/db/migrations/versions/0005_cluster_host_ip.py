"""A host's cluster-host address (stx-flock's own field), unique.

Its uniqueness is a unique index named as a constraint would be
(``uniq_<table>0<column>``), so a duplicate error names the column on
every database. A constraint proper cannot be added on SQLite without
copying i_host, and dropping the old copy inside the migration's
transaction (foreign keys on) would cascade to every row hung on a host.

Revision ID: 0005
Revises: 0004
Create Date: 2027-01-09
"""

from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('i_host', sa.Column('cluster_host_ip', sa.String(255)))
    op.create_index('uniq_i_host0cluster_host_ip', 'i_host',
                    ['cluster_host_ip'], unique=True)
