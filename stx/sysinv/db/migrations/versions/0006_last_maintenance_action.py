"""What host maintenance last did to a host, and why (stx-flock's own field).

Free text that maintenance writes with each automatic action (reboot, BMC
reset, giving up), at most 2,048 characters (the conductor refuses longer).
A Text column, as the other free-text columns of sysinv's tables: the limit
is the conductor's, so raising it needs no migration.

Revision ID: 0006
Revises: 0005
Create Date: 2027-01-16
"""

from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('i_host', sa.Column('last_maintenance_action', sa.Text))
