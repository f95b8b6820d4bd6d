"""[DEFAULT] options shared by every stx-flock process."""

import os
import socket

from oslo_config import cfg


def _default_state_path():
    base = os.environ.get('XDG_STATE_HOME') or os.path.join(
        os.path.expanduser('~'), '.local', 'state')
    return os.path.join(base, 'stx-flock')


opts = [
    cfg.StrOpt('host',
               default=socket.gethostname(),
               sample_default='localhost',
               help='Name of this node. Used as the RPC server name of the '
                    'services running here, so it must be unique among the '
                    'nodes that share one message broker.'),
    cfg.StrOpt('state_path',
               default=_default_state_path(),
               sample_default='$XDG_STATE_HOME/stx-flock',
               help='Directory where stx-flock keeps its state: SQLite '
                    'databases of the all-in-one controller, keys, local '
                    'queues and logs. It is created with mode 0700 when '
                    'missing.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
