"""Host inventory: NUMA nodes, cpus, memory, disks, ports, PCI devices.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _common(host_column='forihostid'):
    """The columns every inventory table starts with."""
    return [
        sa.Column('created_at', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column(host_column, sa.Integer,
                  sa.ForeignKey('i_host.id', ondelete='CASCADE'),
                  nullable=False),
    ]


def _pci_columns():
    return [
        sa.Column('pclass', sa.String(255)),
        sa.Column('pvendor', sa.String(255)),
        sa.Column('pdevice', sa.String(255)),
        sa.Column('psvendor', sa.String(255)),
        sa.Column('psdevice', sa.String(255)),
        sa.Column('prevision', sa.String(255)),
    ]


def upgrade():
    op.create_table(
        'i_node',
        *_common(),
        sa.Column('numa_node', sa.Integer, nullable=False),
        sa.Column('capabilities', sa.Text),
        sa.UniqueConstraint('uuid', name='uniq_i_node0uuid'),
        sa.UniqueConstraint('forihostid', 'numa_node',
                            name='uniq_i_node0forihostid0numa_node'),
    )
    op.create_table(
        'i_icpu',
        *_common(),
        sa.Column('forinodeid', sa.Integer,
                  sa.ForeignKey('i_node.id', ondelete='CASCADE')),
        sa.Column('cpu', sa.Integer, nullable=False),
        sa.Column('core', sa.Integer),
        sa.Column('thread', sa.Integer),
        sa.Column('cpu_family', sa.String(255)),
        sa.Column('cpu_model', sa.String(255)),
        sa.Column('allocated_function', sa.String(255)),
        sa.Column('capabilities', sa.Text),
        sa.UniqueConstraint('uuid', name='uniq_i_icpu0uuid'),
        sa.UniqueConstraint('forihostid', 'cpu',
                            name='uniq_i_icpu0forihostid0cpu'),
    )
    op.create_table(
        'i_imemory',
        *_common(),
        sa.Column('forinodeid', sa.Integer,
                  sa.ForeignKey('i_node.id', ondelete='CASCADE')),
        sa.Column('memtotal_mib', sa.Integer),
        sa.Column('memavail_mib', sa.Integer),
        sa.Column('platform_reserved_mib', sa.Integer),
        sa.Column('node_memtotal_mib', sa.Integer),
        sa.Column('hugepages_configured', sa.Boolean),
        sa.Column('vswitch_hugepages_size_mib', sa.Integer),
        sa.Column('vswitch_hugepages_reqd', sa.Integer),
        sa.Column('vswitch_hugepages_nr', sa.Integer),
        sa.Column('vswitch_hugepages_avail', sa.Integer),
        sa.Column('vm_hugepages_nr_2M_pending', sa.Integer),
        sa.Column('vm_hugepages_nr_1G_pending', sa.Integer),
        sa.Column('vm_hugepages_nr_2M', sa.Integer),
        sa.Column('vm_hugepages_nr_1G', sa.Integer),
        sa.Column('vm_hugepages_nr_4K', sa.Integer),
        sa.Column('vm_hugepages_avail_2M', sa.Integer),
        sa.Column('vm_hugepages_avail_1G', sa.Integer),
        sa.Column('vm_hugepages_possible_2M', sa.Integer),
        sa.Column('vm_hugepages_possible_1G', sa.Integer),
        sa.Column('vm_hugepages_use_1G', sa.Boolean),
        sa.Column('capabilities', sa.Text),
        sa.UniqueConstraint('uuid', name='uniq_i_imemory0uuid'),
        sa.UniqueConstraint('forihostid', 'forinodeid',
                            name='uniq_i_imemory0forihostid0forinodeid'),
    )
    op.create_table(
        'i_idisk',
        *_common(),
        sa.Column('device_node', sa.String(255), nullable=False),
        sa.Column('device_num', sa.BigInteger),
        sa.Column('device_type', sa.String(255)),
        sa.Column('device_path', sa.String(255)),
        sa.Column('device_id', sa.String(255)),
        sa.Column('device_wwn', sa.String(255)),
        sa.Column('size_mib', sa.Integer),
        sa.Column('available_mib', sa.Integer),
        sa.Column('serial_id', sa.String(255)),
        sa.Column('rpm', sa.String(255)),
        sa.Column('capabilities', sa.Text),
        sa.UniqueConstraint('uuid', name='uniq_i_idisk0uuid'),
        sa.UniqueConstraint('forihostid', 'device_node',
                            name='uniq_i_idisk0forihostid0device_node'),
    )
    op.create_table(
        'ports',
        *_common('host_id'),
        sa.Column('node_id', sa.Integer,
                  sa.ForeignKey('i_node.id', ondelete='SET NULL')),
        sa.Column('type', sa.String(255)),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('namedisplay', sa.String(255)),
        sa.Column('pciaddr', sa.String(255)),
        *_pci_columns(),
        sa.Column('dpdksupport', sa.Boolean),
        sa.Column('numa_node', sa.Integer),
        sa.Column('dev_id', sa.Integer),
        sa.Column('sriov_totalvfs', sa.Integer),
        sa.Column('sriov_numvfs', sa.Integer),
        sa.Column('sriov_vfs_pci_address', sa.Text),
        sa.Column('sriov_vf_driver', sa.String(255)),
        sa.Column('sriov_vf_pdevice_id', sa.String(255)),
        sa.Column('driver', sa.String(255)),
        sa.Column('mac', sa.String(255)),
        sa.Column('mtu', sa.Integer),
        sa.Column('speed', sa.Integer),
        sa.Column('link_mode', sa.Integer),
        sa.Column('duplex', sa.String(255)),
        sa.Column('autoneg', sa.String(255)),
        sa.Column('bootp', sa.String(255)),
        sa.Column('capabilities', sa.Text),
        sa.UniqueConstraint('uuid', name='uniq_ports0uuid'),
        sa.UniqueConstraint('host_id', 'name', name='uniq_ports0host_id0name'),
    )
    op.create_table(
        'pci_devices',
        *_common('host_id'),
        sa.Column('name', sa.String(255)),
        sa.Column('pciaddr', sa.String(255), nullable=False),
        sa.Column('pclass_id', sa.String(6)),
        sa.Column('pvendor_id', sa.String(4)),
        sa.Column('pdevice_id', sa.String(4)),
        *_pci_columns(),
        sa.Column('numa_node', sa.Integer),
        sa.Column('sriov_totalvfs', sa.Integer),
        sa.Column('sriov_numvfs', sa.Integer),
        sa.Column('sriov_vfs_pci_address', sa.Text),
        sa.Column('sriov_vf_driver', sa.String(255)),
        sa.Column('sriov_vf_pdevice_id', sa.String(4)),
        sa.Column('driver', sa.String(255)),
        sa.Column('enabled', sa.Boolean),
        sa.Column('extra_info', sa.Text),
        sa.UniqueConstraint('uuid', name='uniq_pci_devices0uuid'),
        sa.UniqueConstraint('host_id', 'pciaddr',
                            name='uniq_pci_devices0host_id0pciaddr'),
    )
