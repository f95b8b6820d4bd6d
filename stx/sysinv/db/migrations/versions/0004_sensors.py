"""Hardware sensors and sensor groups.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _common():
    return [
        sa.Column('created_at', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('host_id', sa.Integer,
                  sa.ForeignKey('i_host.id', ondelete='CASCADE'),
                  nullable=False),
    ]


def _texts(*names):
    return [sa.Column(name, sa.String(255)) for name in names]


def _numbers(*names):
    return [sa.Column(name, sa.Float) for name in names]


def upgrade():
    op.create_table(
        'i_sensorgroups',
        *_common(),
        sa.Column('sensorgroupname', sa.String(255), nullable=False),
        *_texts('path', 'sensortype', 'datatype', 'description', 'state',
                'possible_states', 'algorithm'),
        sa.Column('audit_interval_group', sa.Integer),
        sa.Column('record_ttl', sa.Integer),
        *_texts('actions_minor_group', 'actions_major_group',
                'actions_critical_group', 'actions_minor_choices',
                'actions_major_choices', 'actions_critical_choices'),
        sa.Column('suppress', sa.Boolean),
        sa.Column('capabilities', sa.Text),
        *_numbers('t_minor_lower_group', 't_minor_upper_group',
                  't_major_lower_group', 't_major_upper_group',
                  't_critical_lower_group', 't_critical_upper_group'),
        *_texts('unit_base_group', 'unit_modifier_group', 'unit_rate_group'),
        sa.UniqueConstraint('uuid', name='uniq_i_sensorgroups0uuid'),
        sa.UniqueConstraint(
            'host_id', 'sensorgroupname',
            name='uniq_i_sensorgroups0host_id0sensorgroupname'),
    )
    op.create_table(
        'i_sensors',
        *_common(),
        sa.Column('sensorgroup_id', sa.Integer,
                  sa.ForeignKey('i_sensorgroups.id', ondelete='SET NULL')),
        sa.Column('sensorname', sa.String(255), nullable=False),
        *_texts('path', 'sensortype', 'datatype', 'status', 'state',
                'state_requested', 'sensor_action_requested'),
        sa.Column('audit_interval', sa.Integer),
        *_texts('algorithm', 'actions_minor', 'actions_major',
                'actions_critical'),
        sa.Column('suppress', sa.Boolean),
        sa.Column('capabilities', sa.Text),
        *_numbers('t_minor_lower', 't_minor_upper', 't_major_lower',
                  't_major_upper', 't_critical_lower', 't_critical_upper'),
        *_texts('unit_base', 'unit_modifier', 'unit_rate'),
        # stx-flock's addition: the last value read.
        sa.Column('reading', sa.Float),
        sa.UniqueConstraint('uuid', name='uniq_i_sensors0uuid'),
        sa.UniqueConstraint('host_id', 'sensorname',
                            name='uniq_i_sensors0host_id0sensorname'),
    )
