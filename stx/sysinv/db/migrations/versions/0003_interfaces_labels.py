"""Host labels and interfaces.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _common(host_column):
    return [
        sa.Column('created_at', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column(host_column, sa.Integer,
                  sa.ForeignKey('i_host.id', ondelete='CASCADE'),
                  nullable=False),
    ]


def upgrade():
    op.create_table(
        'label',
        *_common('host_id'),
        # A DNS prefix (253) + '/' + a name (63), with room to spare.
        sa.Column('label_key', sa.String(384), nullable=False),
        sa.Column('label_value', sa.String(128)),
        sa.UniqueConstraint('uuid', name='uniq_label0uuid'),
        sa.UniqueConstraint('host_id', 'label_key',
                            name='uniq_label0host_id0label_key'),
    )
    op.create_table(
        'interfaces',
        *_common('forihostid'),
        sa.Column('port_id', sa.Integer,
                  sa.ForeignKey('ports.id', ondelete='SET NULL')),
        sa.Column('ifname', sa.String(255), nullable=False),
        sa.Column('iftype', sa.String(255), nullable=False),
        sa.Column('ifclass', sa.String(255)),
        sa.Column('imtu', sa.Integer),
        sa.Column('vlan_id', sa.Integer),
        sa.Column('aemode', sa.String(255)),
        sa.Column('txhashpolicy', sa.String(255)),
        sa.UniqueConstraint('uuid', name='uniq_interfaces0uuid'),
        sa.UniqueConstraint('forihostid', 'ifname',
                            name='uniq_interfaces0forihostid0ifname'),
        sa.UniqueConstraint('port_id', name='uniq_interfaces0port_id'),
    )
    op.create_table(
        'interfaces_to_interfaces',
        sa.Column('created_at', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('used_by_id', sa.Integer,
                  sa.ForeignKey('interfaces.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('uses_id', sa.Integer,
                  sa.ForeignKey('interfaces.id', ondelete='CASCADE'),
                  primary_key=True),
    )
    op.create_table(
        'interface_networks',
        sa.Column('created_at', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('interface_id', sa.Integer,
                  sa.ForeignKey('interfaces.id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('network_type', sa.String(255), nullable=False),
        sa.UniqueConstraint('uuid', name='uniq_interface_networks0uuid'),
        sa.UniqueConstraint(
            'interface_id', 'network_type',
            name='uniq_interface_networks0interface_id0network_type'),
    )
