"""[pmon] options: the process monitor inside stx-agent (stx.mtce.pmon).

As StarlingX's pmond reads ``/etc/pmon.d/*.conf``, the agent reads one file
per monitored process from ``conf_dir`` and watches each by its pid,
restarting it when it dies and reporting it to host maintenance when its
restarts do not keep it up.
"""

from oslo_config import cfg

opts = [
    cfg.StrOpt('conf_dir',
               default='',
               help='Directory of process monitor files, one ``*.conf`` file '
                    'per process with a [process] section (StarlingX\'s '
                    '/etc/pmon.d format; see the maintenance guide). Empty '
                    'turns the process monitor off. Read when the agent '
                    'starts.'),
    cfg.FloatOpt('audit_period',
                 default=0.5,
                 min=0.01,
                 help='Seconds between two checks of the monitored '
                      'processes (StarlingX pmond: 500 ms). A death is '
                      'seen at most this late; each check costs a pidfile '
                      'read and a signal 0 per process.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='pmon')


def list_opts():
    return {'pmon': opts}
