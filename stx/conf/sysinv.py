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
]


def register_opts(conf):
    conf.register_opts(opts, group='sysinv')


def list_opts():
    return {'sysinv': opts}
