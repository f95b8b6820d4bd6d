"""The Host object, as the sysinv conductor hands it to its callers.

It carries every host column except ``bm_password``: the BMC password stays
encrypted in the database and never travels in a Host.
"""

from oslo_utils import versionutils
from oslo_versionedobjects import fields

from stx.objects import base
from stx.objects import fields as stx_fields


def _strings(*names):
    return {name: fields.StringField(nullable=True) for name in names}


@base.StxObjectRegistry.register
class Host(base.StxObject):
    # Version 1.0: Initial version
    # Version 1.1: cluster_host_ip
    # Version 1.2: last_maintenance_action
    VERSION = '1.2'

    fields = {
        'id': fields.IntegerField(),
        'uuid': fields.UUIDField(),
        'forisystemid': fields.IntegerField(nullable=True),
        'location': stx_fields.FlexibleDictField(nullable=True),
        'capabilities': stx_fields.FlexibleDictField(nullable=True),
        'uptime': fields.IntegerField(nullable=True),
        'reserved': fields.BooleanField(nullable=True),
        'ttys_dcd': fields.BooleanField(nullable=True),
        'reboot_needed': fields.BooleanField(nullable=True),
        'peer_id': fields.IntegerField(nullable=True),
        'created_at': fields.DateTimeField(nullable=True),
        'updated_at': fields.DateTimeField(nullable=True),
        **_strings(
            'hostname', 'personality', 'subfunctions', 'subfunction_oper',
            'subfunction_avail', 'invprovision', 'serialid', 'mgmt_mac',
            'mgmt_ip', 'cluster_host_ip', 'administrative', 'operational',
            'availability', 'action', 'ihost_action', 'task', 'mtce_info',
            'last_maintenance_action', 'inv_state', 'vim_progress_status',
            'bm_ip', 'bm_type', 'bm_username',
            'config_status', 'config_applied', 'config_target',
            'boot_device', 'rootfs_device', 'hw_settle', 'install_output',
            'console', 'tboot', 'install_state', 'install_state_info',
            'apparmor', 'vsc_controllers', 'clock_synchronization',
            'device_image_update', 'max_cpu_mhz_configured',
            'min_cpu_mhz_allowed', 'max_cpu_mhz_allowed',
            'cstates_available', 'iscsi_initiator_name', 'nvme_host_id',
            'nvme_host_nqn', 'sw_version'),
    }

    def obj_make_compatible(self, primitive, target_version):
        super().obj_make_compatible(primitive, target_version)
        target = versionutils.convert_version_to_tuple(target_version)
        if target < (1, 2):
            primitive.pop('last_maintenance_action', None)
        if target < (1, 1):
            primitive.pop('cluster_host_ip', None)
