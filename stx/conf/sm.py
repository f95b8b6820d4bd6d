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
]


def register_opts(conf):
    conf.register_opts(opts, group='sm')


def list_opts():
    return {'sm': opts}
