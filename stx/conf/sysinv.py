"""[sysinv] options: inventory and configuration service."""

from oslo_config import cfg

opts = [
    cfg.StrOpt('bm_password_key_file',
               default='$state_path/keys/bm-password.key',
               help='File holding the Fernet key that encrypts BMC passwords '
                    'at rest. Created with mode 0600 on first use. Every '
                    'conductor of one deployment must use the same key; '
                    'losing it means re-entering every BMC password.'),
    cfg.IntOpt('rpc_timeout',
               default=60,
               min=1,
               help='Seconds an API request waits for the conductor to '
                    'answer before it fails with 503.'),
    # Memory kept back for the platform on each NUMA node (MiB): huge pages
    # must fit in what is left. A memory row gets its reservation when it
    # is first stored; changing these later affects new rows only.
    cfg.IntOpt('platform_reserved_mib_controller_node0',
               default=8000,
               min=0,
               help='MiB of NUMA node 0 of a controller (also an '
                    'All-in-one host) reserved for the platform: its '
                    'services, database and Kubernetes control plane run '
                    'there. Huge pages may use only the rest of the node. '
                    'Less leaves more for applications but risks the '
                    'platform running out of memory.'),
    cfg.IntOpt('platform_reserved_mib_worker_node0',
               default=2000,
               min=0,
               help='MiB of NUMA node 0 of any other host (worker, '
                    'storage, edgeworker) reserved for the platform: its '
                    'agents and the kernel run there.'),
    cfg.IntOpt('platform_reserved_mib_other_nodes',
               default=1000,
               min=0,
               help='MiB of every NUMA node but node 0 reserved for the '
                    'platform (kernel structures of that node).'),
]


def register_opts(conf):
    conf.register_opts(opts, group='sysinv')


def list_opts():
    return {'sysinv': opts}
