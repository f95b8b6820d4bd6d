"""Initial sysinv schema: the system and its hosts.

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
        'i_system',
        sa.Column('created_at', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('name', sa.String(255)),
        sa.Column('system_type', sa.String(255)),
        sa.Column('system_mode', sa.String(64)),
        sa.Column('description', sa.String(255)),
        sa.Column('contact', sa.String(255)),
        sa.Column('location', sa.String(255)),
        sa.Column('latitude', sa.String(30)),
        sa.Column('longitude', sa.String(30)),
        sa.Column('software_version', sa.String(255)),
        sa.Column('timezone', sa.String(255)),
        sa.Column('region_name', sa.String(255)),
        sa.Column('distributed_cloud_role', sa.String(255)),
        sa.Column('service_project_name', sa.String(255)),
        sa.Column('security_feature', sa.String(255)),
        sa.Column('capabilities', sa.Text),
        sa.UniqueConstraint('uuid', name='uniq_i_system0uuid'),
    )
    op.create_table(
        'i_host',
        sa.Column('created_at', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('forisystemid', sa.Integer,
                  sa.ForeignKey('i_system.id', ondelete='CASCADE')),
        sa.Column('hostname', sa.String(255)),
        sa.Column('personality', sa.String(32)),
        sa.Column('subfunctions', sa.String(255)),
        sa.Column('subfunction_oper', sa.String(32)),
        sa.Column('subfunction_avail', sa.String(32)),
        sa.Column('invprovision', sa.String(64)),
        sa.Column('serialid', sa.String(255)),
        sa.Column('mgmt_mac', sa.String(255)),
        sa.Column('mgmt_ip', sa.String(255)),
        sa.Column('location', sa.Text),
        sa.Column('capabilities', sa.Text),
        sa.Column('administrative', sa.String(32)),
        sa.Column('operational', sa.String(32)),
        sa.Column('availability', sa.String(32)),
        sa.Column('action', sa.String(255)),
        sa.Column('ihost_action', sa.String(255)),
        sa.Column('task', sa.String(255)),
        sa.Column('mtce_info', sa.String(255)),
        sa.Column('inv_state', sa.String(255)),
        sa.Column('vim_progress_status', sa.String(255)),
        sa.Column('bm_ip', sa.String(255)),
        sa.Column('bm_type', sa.String(255)),
        sa.Column('bm_username', sa.String(255)),
        sa.Column('bm_password', sa.Text),
        sa.Column('config_status', sa.String(255)),
        sa.Column('config_applied', sa.String(255)),
        sa.Column('config_target', sa.String(255)),
        sa.Column('uptime', sa.Integer),
        sa.Column('reserved', sa.Boolean),
        sa.Column('boot_device', sa.String(255)),
        sa.Column('rootfs_device', sa.String(255)),
        sa.Column('hw_settle', sa.String(4)),
        sa.Column('install_output', sa.String(255)),
        sa.Column('console', sa.String(255)),
        sa.Column('tboot', sa.String(64)),
        sa.Column('install_state', sa.String(255)),
        sa.Column('install_state_info', sa.String(255)),
        sa.Column('ttys_dcd', sa.Boolean),
        sa.Column('apparmor', sa.String(64)),
        sa.Column('vsc_controllers', sa.String(255)),
        sa.Column('clock_synchronization', sa.String(32)),
        sa.Column('device_image_update', sa.String(64)),
        sa.Column('reboot_needed', sa.Boolean),
        sa.Column('max_cpu_mhz_configured', sa.String(64)),
        sa.Column('min_cpu_mhz_allowed', sa.String(64)),
        sa.Column('max_cpu_mhz_allowed', sa.String(64)),
        sa.Column('cstates_available', sa.String(255)),
        sa.Column('iscsi_initiator_name', sa.String(255)),
        sa.Column('nvme_host_id', sa.String(255)),
        sa.Column('nvme_host_nqn', sa.String(255)),
        sa.Column('sw_version', sa.String(128)),
        sa.Column('peer_id', sa.Integer),
        sa.UniqueConstraint('uuid', name='uniq_i_host0uuid'),
        sa.UniqueConstraint('hostname', name='uniq_i_host0hostname'),
        sa.UniqueConstraint('mgmt_mac', name='uniq_i_host0mgmt_mac'),
        sa.UniqueConstraint('mgmt_ip', name='uniq_i_host0mgmt_ip'),
    )
