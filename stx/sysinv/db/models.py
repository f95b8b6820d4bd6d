"""sysinv's tables: the system and its hosts (StarlingX names)."""

import sqlalchemy as sa

from stx.db import base

Base = base.declarative_base()


class System(Base):
    __tablename__ = 'i_system'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_i_system0uuid'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    name = sa.Column(sa.String(255))
    system_type = sa.Column(sa.String(255))
    system_mode = sa.Column(sa.String(64))
    description = sa.Column(sa.String(255))
    contact = sa.Column(sa.String(255))
    location = sa.Column(sa.String(255))
    latitude = sa.Column(sa.String(30))
    longitude = sa.Column(sa.String(30))
    software_version = sa.Column(sa.String(255))
    timezone = sa.Column(sa.String(255))
    region_name = sa.Column(sa.String(255))
    distributed_cloud_role = sa.Column(sa.String(255))
    service_project_name = sa.Column(sa.String(255))
    security_feature = sa.Column(sa.String(255))
    capabilities = sa.Column(base.JSONEncodedDict)


class Host(Base):
    __tablename__ = 'i_host'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_i_host0uuid'),
        sa.UniqueConstraint('hostname', name='uniq_i_host0hostname'),
        sa.UniqueConstraint('mgmt_mac', name='uniq_i_host0mgmt_mac'),
        sa.UniqueConstraint('mgmt_ip', name='uniq_i_host0mgmt_ip'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    forisystemid = sa.Column(sa.Integer,
                             sa.ForeignKey('i_system.id', ondelete='CASCADE'))
    hostname = sa.Column(sa.String(255))
    personality = sa.Column(sa.String(32))
    subfunctions = sa.Column(sa.String(255))
    subfunction_oper = sa.Column(sa.String(32))
    subfunction_avail = sa.Column(sa.String(32))
    invprovision = sa.Column(sa.String(64))
    serialid = sa.Column(sa.String(255))
    mgmt_mac = sa.Column(sa.String(255))
    mgmt_ip = sa.Column(sa.String(255))
    location = sa.Column(base.JSONEncodedDict)
    capabilities = sa.Column(base.JSONEncodedDict)
    administrative = sa.Column(sa.String(32))
    operational = sa.Column(sa.String(32))
    availability = sa.Column(sa.String(32))
    action = sa.Column(sa.String(255))
    ihost_action = sa.Column(sa.String(255))
    task = sa.Column(sa.String(255))
    mtce_info = sa.Column(sa.String(255))
    inv_state = sa.Column(sa.String(255))
    vim_progress_status = sa.Column(sa.String(255))
    bm_ip = sa.Column(sa.String(255))
    bm_type = sa.Column(sa.String(255))
    bm_username = sa.Column(sa.String(255))
    # A Fernet token, never the clear password (stx.common.secrets).
    bm_password = sa.Column(sa.Text)
    config_status = sa.Column(sa.String(255))
    config_applied = sa.Column(sa.String(255))
    config_target = sa.Column(sa.String(255))
    uptime = sa.Column(sa.Integer, default=0)
    reserved = sa.Column(sa.Boolean, default=False)
    boot_device = sa.Column(sa.String(255))
    rootfs_device = sa.Column(sa.String(255))
    hw_settle = sa.Column(sa.String(4))
    install_output = sa.Column(sa.String(255))
    console = sa.Column(sa.String(255))
    tboot = sa.Column(sa.String(64))
    install_state = sa.Column(sa.String(255))
    install_state_info = sa.Column(sa.String(255))
    ttys_dcd = sa.Column(sa.Boolean)
    apparmor = sa.Column(sa.String(64))
    vsc_controllers = sa.Column(sa.String(255))
    clock_synchronization = sa.Column(sa.String(32))
    device_image_update = sa.Column(sa.String(64))
    reboot_needed = sa.Column(sa.Boolean, default=False)
    max_cpu_mhz_configured = sa.Column(sa.String(64))
    min_cpu_mhz_allowed = sa.Column(sa.String(64))
    max_cpu_mhz_allowed = sa.Column(sa.String(64))
    cstates_available = sa.Column(sa.String(255))
    iscsi_initiator_name = sa.Column(sa.String(255))
    nvme_host_id = sa.Column(sa.String(255))
    nvme_host_nqn = sa.Column(sa.String(255))
    sw_version = sa.Column(sa.String(128))
    peer_id = sa.Column(sa.Integer)
