"""[upgrade_levels]: RPC version caps for rolling upgrades.

During a rolling upgrade, new services must not send RPC messages that old
services cannot understand. Setting a cap to the old release's RPC API
version makes every client of that
service send messages at that version.
"""

from oslo_config import cfg

opts = [
    cfg.StrOpt('sysinv_conductor',
               help='Highest RPC API version clients may use when talking to '
                    'stx-sysinv-conductor, e.g. "1.0". Unset means the newest '
                    'version this code knows. Set it to the oldest '
                    'conductor version still running during an upgrade.'),
    cfg.StrOpt('sysinv_agent',
               help='Highest RPC API version the conductor may use when '
                    'sending work to stx-agent, e.g. "1.0". Unset means the '
                    'newest version this code knows. Set it to the oldest '
                    'agent version still running during an upgrade.'),
    cfg.StrOpt('mtce',
               help='Highest RPC API version clients may use when talking to '
                    'stx-mtce, e.g. "1.0". Unset means the newest version '
                    'this code knows.'),
    cfg.StrOpt('fm',
               help='Highest RPC API version clients may use when talking to '
                    'stx-fm-manager, e.g. "1.0". Unset means the newest '
                    'version this code knows.'),
    cfg.StrOpt('sm',
               help='Highest RPC API version clients may use when talking to '
                    'stx-sm, e.g. "1.0". Unset means the newest version '
                    'this code knows.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='upgrade_levels')


def list_opts():
    return {'upgrade_levels': opts}
