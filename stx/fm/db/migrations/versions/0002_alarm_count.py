"""Active alarm counts per alarm id and severity, for the summary.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'alarm_count',
        sa.Column('created_at', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('alarm_id', sa.String(255), primary_key=True),
        sa.Column('severity', sa.String(255), primary_key=True),
        sa.Column('count', sa.Integer, nullable=False),
    )
    # Alarms raised before this revision are counted from the start.
    op.execute('INSERT INTO alarm_count (alarm_id, severity, count) '
               'SELECT alarm_id, severity, COUNT(*) FROM alarm '
               'GROUP BY alarm_id, severity')
