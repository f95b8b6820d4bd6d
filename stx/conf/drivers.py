"""Which plugin of each family may be used ([DEFAULT] enabled_* options).

A driver that is installed but not enabled cannot be named by a host or a
backend; a driver that is enabled but not installed (or fails to import) stops
the service at start with an error naming it.
"""

from oslo_config import cfg

opts = [
    cfg.ListOpt('enabled_bmc_drivers',
                default=['dynamic', 'ipmi', 'redfish', 'fake'],
                help='BMC drivers (stx.drivers.bmc entry points) a host may '
                     'name in bm_type, besides "none". "fake" machines '
                     'live only in the process\'s memory, for labs and '
                     'tests.'),
    cfg.ListOpt('enabled_storage_drivers',
                default=['fake'],
                help='Storage backend drivers (stx.drivers.storage) that may '
                     'be configured.'),
    cfg.ListOpt('enabled_cni_drivers',
                default=['fake'],
                help='CNI drivers (stx.drivers.cni) that may render host '
                     'network configuration.'),
    cfg.ListOpt('enabled_patch_drivers',
                default=['fake'],
                help='Patch content drivers (stx.drivers.patch) that may '
                     'install software on hosts.'),
    cfg.ListOpt('enabled_host_drivers',
                default=['agent-restart', 'command', 'fake'],
                help='Host action drivers (stx.drivers.host) an agent may use '
                     'for reboot and shutdown.'),
    cfg.ListOpt('enabled_ha_models',
                default=['1+1', 'N', 'N+M', 'fake'],
                help='HA redundancy models (stx.ha.models) service groups may '
                     'use.'),
    cfg.ListOpt('enabled_fm_notifiers',
                default=['log'],
                help='Northbound alarm notifiers (stx.fm.notifiers) that '
                     'deliver alarms and events.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
