"""[sm] options: service management (stx.sm) and the stx-sm daemon."""

from oslo_config import cfg

opts = [
    cfg.StrOpt('model_file',
               help='The service-management model: the service domain, its '
                    'service groups and their redundancy model, the '
                    'services with their actions and dependencies (format: '
                    'stx.sm.model). Unset: the model packaged with '
                    'stx-flock. A file that does not pass validation is '
                    'refused, naming the place in it and why.'),
    cfg.StrOpt('node',
               help='This controller\'s name in service management, the '
                    'same as its host name in sysinv (controller-0 or '
                    'controller-1). Unset: the machine\'s host name.'),
    cfg.IPOpt('listen_address',
              default='127.0.0.1',
              help='Address stx-sm receives its peer\'s messages on.'),
    cfg.PortOpt('listen_port',
                default=2222,
                help='UDP port stx-sm receives its peer\'s messages on.'),
    cfg.IPOpt('peer_address',
              help='Address of the other controller\'s stx-sm. Unset: '
                   'this controller has no peer, and every service group '
                   'is active here.'),
    cfg.PortOpt('peer_port',
                default=2222,
                help='UDP port of the other controller\'s stx-sm.'),
    cfg.StrOpt('key_file',
               default='$state_path/keys/sm.key',
               help='File holding the key both controllers sign their '
                    'peer messages with (HMAC-SHA512): at least 16 bytes '
                    'of text, the same file on both.'),
    cfg.IntOpt('rpc_timeout',
               default=10,
               min=1,
               help='Seconds the sm API and stx-mtce wait for stx-sm to '
                    'answer a request.'),
    cfg.IntOpt('swact_timeout',
               default=30,
               min=1,
               help='Seconds a controlled swact may take: the peer must '
                    'hold every service group active by then, or the '
                    'swact is reported as failed (the groups stay where '
                    'service management puts them).'),
    cfg.DictOpt('floating_addresses',
                default={},
                help='The floating addresses the active controller holds, '
                     'as IPaddr2 holds them in StarlingX: service name to '
                     '<address>/<prefixlen>@<interface>, IPv4 or IPv6, '
                     'e.g. "management-ip:192.168.204.2/24@eth1,'
                     'oam-ip:10.10.10.2/24@eth0". The model\'s services '
                     'whose actions are the FloatingAddress plugin '
                     '(stx.sm.plugins.address) use it: enable adds the '
                     'address to the interface, disable removes it, and '
                     'the audit fails unless the address is there and the '
                     'interface is up. Such a service without a valid '
                     'entry here fails every action, naming this option '
                     'and the service.'),
]


survivor_opts = [
    cfg.BoolOpt('host_reachability',
                default=True,
                help='Pulse the hosts\' heartbeat (with the [heartbeat] '
                     'key and ports, from this stx-sm\'s own sockets) to '
                     'know how many this controller reaches, its health '
                     'score. When the controllers no longer hear each '
                     'other, a controller that reaches none of the hosts '
                     '(nor the model\'s tie-breaker) holds no service '
                     'group active, and of two that disagree the one that '
                     'reaches more hosts is the survivor. Only unlocked '
                     'hosts other than controllers count; without any, or '
                     'without the heartbeat key, there is no score.'),
    cfg.IntOpt('hosts_refresh_interval',
               default=30,
               min=1,
               help='Seconds between two reads of the host list from the '
                    'sysinv conductor, for the health score. The last list '
                    'read is kept in $state_path/sm/hosts.json for a start '
                    'without the conductor.'),
    cfg.FloatOpt('peer_query_timeout',
                 default=1.0,
                 min=0.1,
                 help='Seconds this controller waits for its peer\'s health '
                      'score over RPC (the message bus) when no path to '
                      'the peer is alive. Without an answer it decides on '
                      'its own score.'),
]


fence_opts = [
    cfg.StrOpt('peer_bmc_type',
               help='BMC driver (stx.drivers.bmc: ipmi, redfish...) of the '
                    'other controller\'s BMC, through which this controller '
                    'fences it (powers it off and reads the power state '
                    'back) before it takes over the services of a peer it '
                    'no longer hears. Unset: no fencing; the peer\'s '
                    'services are taken over after the fail-pending time.'),
    cfg.StrOpt('peer_bmc_address',
               help='Address of the peer\'s BMC: ip, ip:port or '
                    '[ipv6]:port.'),
    cfg.StrOpt('peer_bmc_username',
               help='User name on the peer\'s BMC.'),
    cfg.StrOpt('peer_bmc_password', secret=True,
               help='Password on the peer\'s BMC.'),
    cfg.IntOpt('fence_timeout', default=10, min=1,
               help='Seconds a fence (power-off confirmed by the BMC) may '
                    'take.'),
    cfg.IntOpt('fence_retry_interval', default=5, min=1,
               help='Seconds between two fences of a peer when one was not '
                    'confirmed; meanwhile this controller does not take '
                    'the peer\'s services.'),
]

# The paths to the peer beyond the management network's (the options
# above): each is used when its peer address is set.
EXTRA_PATHS = ('cluster_host', 'oam')


def _path_opts(path):
    network = path.replace('_', '-')
    return [
        cfg.IPOpt('%s_listen_address' % path,
                  help='Address stx-sm receives its peer\'s messages on, '
                       'on the %s network.' % network),
        cfg.PortOpt('%s_listen_port' % path, default=2222,
                    help='UDP port of %s_listen_address.' % path),
        cfg.IPOpt('%s_peer_address' % path,
                  help='Address of the other controller\'s stx-sm on the '
                       '%s network: a second, independent path to the '
                       'peer. Unset: no such path.' % network),
        cfg.PortOpt('%s_peer_port' % path, default=2222,
                    help='UDP port of %s_peer_address.' % path),
        cfg.StrOpt('%s_key_file' % path,
                   default='$state_path/keys/sm-%s.key' % network,
                   help='The key of the %s path (HMAC-SHA512), as '
                        'key_file is the management path\'s.' % network),
    ]


path_opts = [opt for path in EXTRA_PATHS for opt in _path_opts(path)]


def register_opts(conf):
    conf.register_opts(opts + path_opts + fence_opts + survivor_opts,
                       group='sm')


def list_opts():
    return {'sm': opts + path_opts + fence_opts + survivor_opts}
