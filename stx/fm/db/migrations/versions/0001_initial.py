"""Initial fm schema: alarms, the event log and event suppression.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'alarm',
        sa.Column('created_at', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('alarm_id', sa.String(255), nullable=False),
        sa.Column('alarm_state', sa.String(255)),
        sa.Column('entity_type_id', sa.String(255)),
        sa.Column('entity_instance_id', sa.String(255), nullable=False),
        sa.Column('timestamp', sa.DateTime),
        sa.Column('severity', sa.String(255)),
        sa.Column('reason_text', sa.String(255)),
        sa.Column('alarm_type', sa.String(255)),
        sa.Column('probable_cause', sa.String(255)),
        sa.Column('proposed_repair_action', sa.String(255)),
        sa.Column('service_affecting', sa.Boolean),
        sa.Column('suppression', sa.Boolean),
        sa.Column('inhibit_alarms', sa.Boolean),
        sa.Column('masked', sa.Boolean),
        sa.UniqueConstraint('uuid', name='uniq_alarm0uuid'),
        sa.UniqueConstraint('alarm_id', 'entity_instance_id',
                            name='uniq_alarm0alarm_id0entity_instance_id'),
    )
    op.create_index('ix_alarm_timestamp', 'alarm', ['timestamp', 'id'])
    op.create_index('ix_alarm_severity', 'alarm', ['severity', 'alarm_id'])
    op.create_table(
        'event_log',
        sa.Column('created_at', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('id', sa.Integer, primary_key=True, autoincrement=True),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('event_log_id', sa.String(255), nullable=False),
        sa.Column('state', sa.String(255)),
        sa.Column('entity_type_id', sa.String(255)),
        sa.Column('entity_instance_id', sa.String(255)),
        sa.Column('timestamp', sa.DateTime),
        sa.Column('severity', sa.String(255)),
        sa.Column('reason_text', sa.String(255)),
        sa.Column('event_log_type', sa.String(255)),
        sa.Column('probable_cause', sa.String(255)),
        sa.Column('proposed_repair_action', sa.String(255)),
        sa.Column('service_affecting', sa.Boolean),
        sa.Column('suppression', sa.Boolean),
        sa.UniqueConstraint('uuid', name='uniq_event_log0uuid'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_event_log_timestamp', 'event_log', ['timestamp'])
    op.create_table(
        'event_suppression',
        sa.Column('created_at', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('alarm_id', sa.String(255), nullable=False),
        sa.Column('description', sa.String(255)),
        sa.Column('suppression_status', sa.String(255)),
        sa.Column('set_for_deletion', sa.Boolean),
        sa.Column('mgmt_affecting', sa.String(255)),
        sa.Column('degrade_affecting', sa.String(255)),
        sa.UniqueConstraint('uuid', name='uniq_event_suppression0uuid'),
        sa.UniqueConstraint('alarm_id',
                            name='uniq_event_suppression0alarm_id'),
    )
