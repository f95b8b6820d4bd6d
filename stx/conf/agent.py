"""[agent] options: stx-agent, which reports its host's inventory."""

from oslo_config import cfg

opts = [
    cfg.StrOpt('proc_root',
               default='/proc',
               help='The /proc tree the agent reads (cpuinfo, meminfo, '
                    'cmdline, bonding). Tests and simulated hosts point it '
                    'at a copy.'),
    cfg.StrOpt('sys_root',
               default='/sys',
               help='The /sys tree the agent reads (NUMA nodes, cpus, huge '
                    'pages, block devices, network and PCI devices). Tests '
                    'and simulated hosts point it at a copy.'),
    cfg.StrOpt('dev_root',
               default='/dev',
               help='The /dev tree the agent reads (udev\'s disk/by-path '
                    'and disk/by-id links). Tests and simulated hosts point '
                    'it at a copy.'),
    cfg.IntOpt('audit_interval',
               default=60,
               min=1,
               help='Seconds between two inventory audits (StarlingX\'s '
                    'inventory_audit). Each audit reads the host again and '
                    'sends the conductor only the kinds of inventory that '
                    'changed, so a shorter interval notices changes sooner '
                    'at little cost; a kind the conductor refused is sent '
                    'again at the next audit.'),
    cfg.HostnameOpt('hostname',
                    help='Name the agent gives the conductor to find its '
                         'host when no host has its MACs, and the name of '
                         'a host it discovers. Unset means the machine\'s '
                         'hostname.'),
    cfg.ListOpt('mgmt_macs',
                default=[],
                help='MAC addresses that identify this host to the '
                     'conductor (a host matches when its mgmt_mac is one '
                     'of them). Empty means the MACs of the Ethernet ports '
                     'the agent reports.'),
    cfg.StrOpt('host_action_driver',
               default='agent-restart',
               help='The host action driver (stx.drivers.host) the agent '
                    'reboots and shuts its host down with when maintenance '
                    'asks. "agent-restart" only restarts the agent, which '
                    'is what the all-in-one and tests want; "command" runs '
                    'host_action_command. Nothing reboots the machine '
                    'unless configured to.'),
    cfg.StrOpt('host_action_command',
               help='For the "command" host action driver: the command '
                    '(shell words, no shell) run with the action, "reboot" '
                    'or "shutdown", as its last argument, e.g. '
                    '"sudo systemctl". Runs detached; the agent does not '
                    'wait for it.'),
    cfg.StrOpt('config_dir',
               default='$state_path/agent-config',
               help='Directory where the agent writes the configuration '
                    'the conductor pushes to its host, as host-config.json '
                    '(replaced atomically; format in '
                    'stx.sysinv.conductor.config). Its config_uuid is '
                    'reported to the conductor at each start.'),
    cfg.IntOpt('condition_report_interval',
               default=30,
               min=1,
               help='Seconds between two reports to host maintenance of '
                    'everything the process and resource monitors find '
                    'wrong (the whole set, even when nothing changed). A '
                    'change is reported at once; this repeat makes good a '
                    'lost report or a maintenance restart.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='agent')


def list_opts():
    return {'agent': opts}
