"""sysinv's tables: the system, its hosts and their inventory.

Table and column names are StarlingX's, so that its clients and tooling read
the same fields.
"""

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
        # A unique index, as migration 0005 explains; named like the
        # constraints so that duplicate errors name the column.
        sa.Index('uniq_i_host0cluster_host_ip', 'cluster_host_ip',
                 unique=True),
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
    # stx-flock's own: the host's address on the cluster-host network, a
    # second path for maintenance's heartbeat.
    cluster_host_ip = sa.Column(sa.String(255))
    location = sa.Column(base.JSONEncodedDict)
    capabilities = sa.Column(base.JSONEncodedDict)
    administrative = sa.Column(sa.String(32))
    operational = sa.Column(sa.String(32))
    availability = sa.Column(sa.String(32))
    action = sa.Column(sa.String(255))
    ihost_action = sa.Column(sa.String(255))
    task = sa.Column(sa.String(255))
    mtce_info = sa.Column(sa.String(255))
    # stx-flock's own: what maintenance last did to the host and why. Text,
    # as the limit (2,048 characters) is the conductor's
    # (stx.sysinv.conductor.maintenance); migration 0006.
    last_maintenance_action = sa.Column(sa.Text)
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


# Host inventory: what a host's agent reports (StarlingX's tables). The
# conductor is the only writer: it replaces a host's rows of one kind with
# each report (stx.sysinv.db.api, "Inventory"). Every table hangs on i_host
# with ON DELETE CASCADE, so deleting a host deletes its inventory.

class Node(Base):
    """A NUMA node of a host."""

    __tablename__ = 'i_node'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_i_node0uuid'),
        sa.UniqueConstraint('forihostid', 'numa_node',
                            name='uniq_i_node0forihostid0numa_node'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    forihostid = sa.Column(sa.Integer,
                           sa.ForeignKey('i_host.id', ondelete='CASCADE'),
                           nullable=False)
    numa_node = sa.Column(sa.Integer, nullable=False)
    capabilities = sa.Column(base.JSONEncodedDict)


class CPU(Base):
    """A logical cpu of a host.

    ``allocated_function`` belongs to the operator (the CPU-assignment
    feature); a report sets it only on a cpu it adds.
    """

    __tablename__ = 'i_icpu'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_i_icpu0uuid'),
        sa.UniqueConstraint('forihostid', 'cpu',
                            name='uniq_i_icpu0forihostid0cpu'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    forihostid = sa.Column(sa.Integer,
                           sa.ForeignKey('i_host.id', ondelete='CASCADE'),
                           nullable=False)
    forinodeid = sa.Column(sa.Integer,
                           sa.ForeignKey('i_node.id', ondelete='CASCADE'))
    cpu = sa.Column(sa.Integer, nullable=False)
    core = sa.Column(sa.Integer)
    thread = sa.Column(sa.Integer)
    cpu_family = sa.Column(sa.String(255))
    cpu_model = sa.Column(sa.String(255))
    allocated_function = sa.Column(sa.String(255))
    capabilities = sa.Column(base.JSONEncodedDict)


class Memory(Base):
    """The memory and huge pages of one NUMA node of a host.

    Column names keep StarlingX's case (``vm_hugepages_nr_2M``): clients read
    them as they are. ``platform_reserved_mib``, ``vswitch_hugepages_reqd``
    and the ``*_pending`` counts belong to the operator; a report sets them
    only on a row it adds.
    """

    __tablename__ = 'i_imemory'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_i_imemory0uuid'),
        sa.UniqueConstraint('forihostid', 'forinodeid',
                            name='uniq_i_imemory0forihostid0forinodeid'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    forihostid = sa.Column(sa.Integer,
                           sa.ForeignKey('i_host.id', ondelete='CASCADE'),
                           nullable=False)
    forinodeid = sa.Column(sa.Integer,
                           sa.ForeignKey('i_node.id', ondelete='CASCADE'))
    memtotal_mib = sa.Column(sa.Integer)
    memavail_mib = sa.Column(sa.Integer)
    platform_reserved_mib = sa.Column(sa.Integer)
    node_memtotal_mib = sa.Column(sa.Integer)
    hugepages_configured = sa.Column(sa.Boolean)
    vswitch_hugepages_size_mib = sa.Column(sa.Integer)
    vswitch_hugepages_reqd = sa.Column(sa.Integer)
    vswitch_hugepages_nr = sa.Column(sa.Integer)
    vswitch_hugepages_avail = sa.Column(sa.Integer)
    vm_hugepages_nr_2M_pending = sa.Column(sa.Integer)
    vm_hugepages_nr_1G_pending = sa.Column(sa.Integer)
    vm_hugepages_nr_2M = sa.Column(sa.Integer)
    vm_hugepages_nr_1G = sa.Column(sa.Integer)
    vm_hugepages_nr_4K = sa.Column(sa.Integer)
    vm_hugepages_avail_2M = sa.Column(sa.Integer)
    vm_hugepages_avail_1G = sa.Column(sa.Integer)
    vm_hugepages_possible_2M = sa.Column(sa.Integer)
    vm_hugepages_possible_1G = sa.Column(sa.Integer)
    vm_hugepages_use_1G = sa.Column(sa.Boolean)
    capabilities = sa.Column(base.JSONEncodedDict)


class Disk(Base):
    """A whole local disk of a host, named by its device node.

    ``device_path`` (udev's by-path name) would be the steadier key, but a
    disk without a by-path link (virtio, some NVMe) has none.
    ``device_num`` is a BigInteger: ``os.makedev`` of a large minor number
    does not fit in 32 bits.
    """

    __tablename__ = 'i_idisk'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_i_idisk0uuid'),
        sa.UniqueConstraint('forihostid', 'device_node',
                            name='uniq_i_idisk0forihostid0device_node'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    forihostid = sa.Column(sa.Integer,
                           sa.ForeignKey('i_host.id', ondelete='CASCADE'),
                           nullable=False)
    device_node = sa.Column(sa.String(255), nullable=False)
    device_num = sa.Column(sa.BigInteger)
    device_type = sa.Column(sa.String(255))
    device_path = sa.Column(sa.String(255))
    device_id = sa.Column(sa.String(255))
    device_wwn = sa.Column(sa.String(255))
    size_mib = sa.Column(sa.Integer)
    available_mib = sa.Column(sa.Integer)
    serial_id = sa.Column(sa.String(255))
    rpm = sa.Column(sa.String(255))
    capabilities = sa.Column(base.JSONEncodedDict)


class Port(Base):
    """A network port of a host: a PCI function's own Ethernet interface.

    StarlingX splits ports into ``ports`` and ``ethernet_ports`` (joined-table
    inheritance) for port types it never grew; every port is Ethernet, so
    one table holds the common and the Ethernet columns, and reading ports
    needs no join. ``type`` stays, always ``ethernet``. Column names are
    StarlingX's: ``host_id`` and ``node_id`` (the NUMA node, NULL when the
    reported node is unknown). ``link_mode`` is the kernel's number (0
    default, 1 dormant), which the agent reports, where StarlingX has a
    string.
    """

    __tablename__ = 'ports'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_ports0uuid'),
        sa.UniqueConstraint('host_id', 'name', name='uniq_ports0host_id0name'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    host_id = sa.Column(sa.Integer,
                        sa.ForeignKey('i_host.id', ondelete='CASCADE'),
                        nullable=False)
    node_id = sa.Column(sa.Integer,
                        sa.ForeignKey('i_node.id', ondelete='SET NULL'))
    type = sa.Column(sa.String(255))
    name = sa.Column(sa.String(255), nullable=False)
    namedisplay = sa.Column(sa.String(255))
    pciaddr = sa.Column(sa.String(255))
    pclass = sa.Column(sa.String(255))
    pvendor = sa.Column(sa.String(255))
    pdevice = sa.Column(sa.String(255))
    psvendor = sa.Column(sa.String(255))
    psdevice = sa.Column(sa.String(255))
    prevision = sa.Column(sa.String(255))
    dpdksupport = sa.Column(sa.Boolean)
    numa_node = sa.Column(sa.Integer)
    dev_id = sa.Column(sa.Integer)
    sriov_totalvfs = sa.Column(sa.Integer)
    sriov_numvfs = sa.Column(sa.Integer)
    # 13 characters a VF: Text, as a PF may have hundreds.
    sriov_vfs_pci_address = sa.Column(sa.Text)
    sriov_vf_driver = sa.Column(sa.String(255))
    sriov_vf_pdevice_id = sa.Column(sa.String(255))
    driver = sa.Column(sa.String(255))
    mac = sa.Column(sa.String(255))
    mtu = sa.Column(sa.Integer)
    speed = sa.Column(sa.Integer)
    link_mode = sa.Column(sa.Integer)
    duplex = sa.Column(sa.String(255))
    autoneg = sa.Column(sa.String(255))
    bootp = sa.Column(sa.String(255))
    capabilities = sa.Column(base.JSONEncodedDict)


class PCIDevice(Base):
    """A PCI device of a host that a workload could be given (GPU, QAT...)."""

    __tablename__ = 'pci_devices'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_pci_devices0uuid'),
        sa.UniqueConstraint('host_id', 'pciaddr',
                            name='uniq_pci_devices0host_id0pciaddr'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    host_id = sa.Column(sa.Integer,
                        sa.ForeignKey('i_host.id', ondelete='CASCADE'),
                        nullable=False)
    name = sa.Column(sa.String(255))
    pciaddr = sa.Column(sa.String(255), nullable=False)
    pclass_id = sa.Column(sa.String(6))
    pvendor_id = sa.Column(sa.String(4))
    pdevice_id = sa.Column(sa.String(4))
    pclass = sa.Column(sa.String(255))
    pvendor = sa.Column(sa.String(255))
    pdevice = sa.Column(sa.String(255))
    psvendor = sa.Column(sa.String(255))
    psdevice = sa.Column(sa.String(255))
    prevision = sa.Column(sa.String(255))
    numa_node = sa.Column(sa.Integer)
    sriov_totalvfs = sa.Column(sa.Integer)
    sriov_numvfs = sa.Column(sa.Integer)
    sriov_vfs_pci_address = sa.Column(sa.Text)
    sriov_vf_driver = sa.Column(sa.String(255))
    sriov_vf_pdevice_id = sa.Column(sa.String(4))
    driver = sa.Column(sa.String(255))
    enabled = sa.Column(sa.Boolean)
    extra_info = sa.Column(sa.Text)


# What the operator sets of a host beyond its inventory.

class Label(Base):
    """A Kubernetes label of a host (``host-label-assign``).

    StarlingX's table: ``label``, one row per key of a host.
    """

    __tablename__ = 'label'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_label0uuid'),
        sa.UniqueConstraint('host_id', 'label_key',
                            name='uniq_label0host_id0label_key'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    host_id = sa.Column(sa.Integer,
                        sa.ForeignKey('i_host.id', ondelete='CASCADE'),
                        nullable=False)
    label_key = sa.Column(sa.String(384), nullable=False)
    label_value = sa.Column(sa.String(128))


class Interface(Base):
    """A network interface of a host, as the operator defines it.

    StarlingX's ``interfaces``, with one table for every type where
    StarlingX has one per type (``ethernet_interfaces``, ``ae_interfaces``,
    ``vlan_interfaces``...): the type columns are few. An ethernet
    interface is bound to its port by ``port_id`` (unique: a port has one
    interface); vlan and ae interfaces name their lower interfaces in
    ``interfaces_to_interfaces``.
    """

    __tablename__ = 'interfaces'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_interfaces0uuid'),
        sa.UniqueConstraint('forihostid', 'ifname',
                            name='uniq_interfaces0forihostid0ifname'),
        sa.UniqueConstraint('port_id', name='uniq_interfaces0port_id'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    forihostid = sa.Column(sa.Integer,
                           sa.ForeignKey('i_host.id', ondelete='CASCADE'),
                           nullable=False)
    port_id = sa.Column(sa.Integer,
                        sa.ForeignKey('ports.id', ondelete='SET NULL'))
    ifname = sa.Column(sa.String(255), nullable=False)
    iftype = sa.Column(sa.String(255), nullable=False)
    ifclass = sa.Column(sa.String(255))
    imtu = sa.Column(sa.Integer)
    vlan_id = sa.Column(sa.Integer)
    aemode = sa.Column(sa.String(255))
    txhashpolicy = sa.Column(sa.String(255))


class InterfaceToInterface(Base):
    """``used_by_id`` (a vlan or ae) uses ``uses_id`` (StarlingX's)."""

    __tablename__ = 'interfaces_to_interfaces'

    used_by_id = sa.Column(sa.Integer,
                           sa.ForeignKey('interfaces.id', ondelete='CASCADE'),
                           primary_key=True)
    uses_id = sa.Column(sa.Integer,
                        sa.ForeignKey('interfaces.id', ondelete='CASCADE'),
                        primary_key=True)


class InterfaceNetwork(Base):
    """A platform network an interface carries.

    StarlingX names a row of its ``networks`` table (with address pools);
    stx-flock keeps the fixed set of network types instead
    (stx.sysinv.interfaces.NETWORK_TYPES), so the row holds the type.
    """

    __tablename__ = 'interface_networks'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_interface_networks0uuid'),
        sa.UniqueConstraint(
            'interface_id', 'network_type',
            name='uniq_interface_networks0interface_id0network_type'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    interface_id = sa.Column(sa.Integer,
                             sa.ForeignKey('interfaces.id',
                                           ondelete='CASCADE'),
                             nullable=False)
    network_type = sa.Column(sa.String(255), nullable=False)


# Hardware sensors: what host maintenance's hwmon reads from each host's BMC
# (StarlingX's tables). The sysinv conductor is their only writer; groups
# are learned from the sensors' types. StarlingX splits both tables into
# analog and discrete ones (joined-table inheritance) for a handful of
# columns; one table each holds them here, as for ports, so reading a
# host's sensors needs no join. Thresholds and readings are numbers where
# StarlingX keeps text: host maintenance compares them.

class SensorGroup(Base):
    """The sensors of one type on a host (``server fans``...) and what
    hwmon does when one of them is out of its thresholds.

    ``actions_*_group``, ``audit_interval_group`` and ``suppress`` belong
    to the operator and are copied to the group's sensors when changed.
    """

    __tablename__ = 'i_sensorgroups'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_i_sensorgroups0uuid'),
        sa.UniqueConstraint(
            'host_id', 'sensorgroupname',
            name='uniq_i_sensorgroups0host_id0sensorgroupname'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    host_id = sa.Column(sa.Integer,
                        sa.ForeignKey('i_host.id', ondelete='CASCADE'),
                        nullable=False)
    sensorgroupname = sa.Column(sa.String(255), nullable=False)
    path = sa.Column(sa.String(255))
    sensortype = sa.Column(sa.String(255))
    datatype = sa.Column(sa.String(255))
    description = sa.Column(sa.String(255))
    state = sa.Column(sa.String(255))
    possible_states = sa.Column(sa.String(255))
    algorithm = sa.Column(sa.String(255))
    audit_interval_group = sa.Column(sa.Integer)
    record_ttl = sa.Column(sa.Integer)
    actions_minor_group = sa.Column(sa.String(255))
    actions_major_group = sa.Column(sa.String(255))
    actions_critical_group = sa.Column(sa.String(255))
    actions_minor_choices = sa.Column(sa.String(255))
    actions_major_choices = sa.Column(sa.String(255))
    actions_critical_choices = sa.Column(sa.String(255))
    suppress = sa.Column(sa.Boolean)
    capabilities = sa.Column(base.JSONEncodedDict)
    t_minor_lower_group = sa.Column(sa.Float)
    t_minor_upper_group = sa.Column(sa.Float)
    t_major_lower_group = sa.Column(sa.Float)
    t_major_upper_group = sa.Column(sa.Float)
    t_critical_lower_group = sa.Column(sa.Float)
    t_critical_upper_group = sa.Column(sa.Float)
    unit_base_group = sa.Column(sa.String(255))
    unit_modifier_group = sa.Column(sa.String(255))
    unit_rate_group = sa.Column(sa.String(255))


class Sensor(Base):
    """One sensor of a host as its BMC last reported it.

    ``reading`` is stx-flock's addition: the last value read (NULL for a
    sensor without one, or offline). A sensor whose group is deleted keeps
    its row, ungrouped.
    """

    __tablename__ = 'i_sensors'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_i_sensors0uuid'),
        sa.UniqueConstraint('host_id', 'sensorname',
                            name='uniq_i_sensors0host_id0sensorname'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    host_id = sa.Column(sa.Integer,
                        sa.ForeignKey('i_host.id', ondelete='CASCADE'),
                        nullable=False)
    sensorgroup_id = sa.Column(sa.Integer,
                               sa.ForeignKey('i_sensorgroups.id',
                                             ondelete='SET NULL'))
    sensorname = sa.Column(sa.String(255), nullable=False)
    path = sa.Column(sa.String(255))
    sensortype = sa.Column(sa.String(255))
    datatype = sa.Column(sa.String(255))
    status = sa.Column(sa.String(255))
    state = sa.Column(sa.String(255))
    state_requested = sa.Column(sa.String(255))
    sensor_action_requested = sa.Column(sa.String(255))
    audit_interval = sa.Column(sa.Integer)
    algorithm = sa.Column(sa.String(255))
    actions_minor = sa.Column(sa.String(255))
    actions_major = sa.Column(sa.String(255))
    actions_critical = sa.Column(sa.String(255))
    suppress = sa.Column(sa.Boolean)
    capabilities = sa.Column(base.JSONEncodedDict)
    t_minor_lower = sa.Column(sa.Float)
    t_minor_upper = sa.Column(sa.Float)
    t_major_lower = sa.Column(sa.Float)
    t_major_upper = sa.Column(sa.Float)
    t_critical_lower = sa.Column(sa.Float)
    t_critical_upper = sa.Column(sa.Float)
    unit_base = sa.Column(sa.String(255))
    unit_modifier = sa.Column(sa.String(255))
    unit_rate = sa.Column(sa.String(255))
    reading = sa.Column(sa.Float)
