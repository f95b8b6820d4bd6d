"""[heartbeat] options: stx-mtce's UDP heartbeat (stx.mtce.heartbeat).

The monitor on the controllers sends a pulse request every period on each
monitored network (management and cluster-host) to every host's agent; the
agent answers at once. Misses are counted per host and per network, in
periods: the thresholds below multiply with ``period_ms`` into seconds.
Monitors and agents of one deployment must share the key.
"""

from oslo_config import cfg

opts = [
    cfg.IntOpt('period_ms',
               default=100,
               min=10,
               max=1000,
               help='Milliseconds between two pulse requests to a host on '
                    'one network. Failure detection takes about '
                    'failure_threshold + 1 periods: 1.1 s at the defaults. '
                    'StarlingX\'s maintenance template value is 100 ms; its '
                    'service parameter defaults to 1000 ms (range 100 to '
                    '1000 ms). A shorter period detects sooner and costs '
                    'more packets: two per host, network and period.'),
    cfg.IntOpt('minor_threshold',
               default=4,
               min=1,
               help='Back-to-back missed pulses on one network after which '
                    'a host is reported "minor" (a notification; StarlingX '
                    'hbs_minor_threshold 4). At most degrade_threshold.'),
    cfg.IntOpt('degrade_threshold',
               default=6,
               min=1,
               help='Back-to-back missed pulses on one network after which '
                    'a host is degraded (StarlingX '
                    'heartbeat_degrade_threshold 6). At most '
                    'failure_threshold.'),
    cfg.IntOpt('failure_threshold',
               default=10,
               min=1,
               help='Back-to-back missed pulses after which a host is '
                    'failed, when every network it is monitored on has '
                    'missed that many (StarlingX '
                    'heartbeat_failure_threshold 10). Loss on one network '
                    'only keeps the host degraded: the other network proves '
                    'it alive.'),
    cfg.IntOpt('offline_threshold',
               default=90,
               min=1,
               help='Back-to-back missed pulses on every network after '
                    'which a locked host (monitored for presence only, '
                    'never failed) is reported offline: 9 s at 100 ms '
                    '(StarlingX: 90 missed mtcAlive messages of 100 ms).'),
    cfg.IntOpt('recovery_pulses',
               default=11,
               min=1,
               help='Back-to-back answered pulses on every network a '
                    'degraded or failed host needs before it is reported '
                    'healthy again; one answered network alone lifts a '
                    'failed host to degraded after as many (StarlingX soaks '
                    'heartbeat for 11 periods before enabling a host).'),
    cfg.IntOpt('mnfa_threshold',
               default=2,
               min=0,
               help='Multi-node failure avoidance: when at least this many '
                    'unlocked hosts lose heartbeat on every network at '
                    'once, a network fault is assumed and no host is failed '
                    '(they stay degraded) until fewer are in loss or '
                    'mnfa_timeout expires. StarlingX default 2; 0 disables '
                    'it.'),
    cfg.IntOpt('mnfa_timeout',
               default=0,
               min=0,
               help='Seconds multi-node failure avoidance may last; after '
                    'that the hosts still in loss are failed, and avoidance '
                    'starts again only once fewer than mnfa_threshold hosts '
                    'have been in loss. 0 (StarlingX\'s default) waits for '
                    'as long as it takes.'),
    cfg.PortOpt('mgmt_port',
                default=2106,
                help='UDP port where each host\'s agent answers pulse '
                     'requests on the management network, and where '
                     'monitors send them (StarlingX hbsClient: 2106).'),
    cfg.PortOpt('cluster_host_port',
                default=2116,
                help='UDP port where each host\'s agent answers pulse '
                     'requests on the cluster-host network, and where '
                     'monitors send them (StarlingX hbsClient: 2116).'),
    cfg.IPOpt('monitor_address',
              default='0.0.0.0',
              help='Address the monitor on a controller binds its '
                   'heartbeat sockets to.'),
    cfg.PortOpt('monitor_mgmt_port',
                default=2103,
                help='UDP port the monitor sends management-network pulse '
                     'requests from and receives responses on (StarlingX '
                     'hbsAgent: 2103). 0 picks a free port.'),
    cfg.PortOpt('monitor_cluster_host_port',
                default=2113,
                help='UDP port the monitor sends cluster-host pulse '
                     'requests from and receives responses on (StarlingX '
                     'hbsAgent: 2113). 0 picks a free port.'),
    cfg.StrOpt('key',
               secret=True,
               help='Shared secret that signs every heartbeat message '
                    '(HMAC-SHA512), at least 16 characters; the same on '
                    'every controller and host. When unset, the key is '
                    'read from key_file.'),
    cfg.StrOpt('key_file',
               default='$state_path/keys/heartbeat.key',
               help='File holding the heartbeat key when the key option is '
                    'unset; stx-aio creates it (mode 0600) on first start. '
                    'Copy it to every host of the deployment.'),
    cfg.IntOpt('replay_window',
               default=8,
               min=1,
               help='How many of its latest pulse requests the monitor '
                    'accepts answers to: a late answer within this many '
                    'periods still proves the host alive; older ones, and '
                    'any answer already seen, are dropped as replays.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='heartbeat')


def list_opts():
    return {'heartbeat': opts}
