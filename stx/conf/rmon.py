"""[rmon] options: the resource monitor inside stx-agent (stx.mtce.rmon).

Every audit the agent samples its host's platform CPU usage, memory usage
and the usage of each configured file system, and reports to host
maintenance each resource above a threshold, with the severity of the
highest threshold it crossed (alarms 100.101, 100.103, 100.104). Thresholds
are percentages; for each resource minor <= major <= critical, else that
resource is not monitored. A threshold above 100 is never crossed.
"""

from oslo_config import cfg


def _thresholds(resource, minor, major, critical, what):
    return [
        cfg.IntOpt('%s_%s_threshold' % (resource, severity),
                   default=default, min=0,
                   help='Percent of %s at or above which it is reported '
                        '%s; above 100, never.' % (what, severity))
        for severity, default in (('minor', minor), ('major', major),
                                  ('critical', critical))]


opts = [
    cfg.IntOpt('audit_interval',
               default=30,
               min=0,
               help='Seconds between two samples of the host\'s resources; '
                    'CPU usage is the average over that interval. 0 turns '
                    'the resource monitor off.'),
    cfg.ListOpt('filesystems',
                default=['/'],
                help='Mount points (or any directory: its file system is '
                     'sampled) whose usage is monitored, as df counts it: '
                     'space used over space usable by unprivileged '
                     'users. A path that does not exist is logged once '
                     'and sampled again at each audit.'),
    cfg.FloatOpt('hysteresis',
                 default=5,
                 min=0,
                 max=100,
                 help='Percentage points below a threshold usage must fall '
                      'before the severity it raised drops, so that usage '
                      'hovering at a threshold does not raise and clear '
                      'its alarm at every sample.'),
] + (_thresholds('cpu', 80, 90, 95, 'platform CPU time in use') +
     _thresholds('memory', 70, 80, 90, 'memory in use (MemTotal - '
                 'MemAvailable)') +
     _thresholds('filesystem', 70, 80, 90, 'a file system\'s space in use'))


def register_opts(conf):
    conf.register_opts(opts, group='rmon')


def list_opts():
    return {'rmon': opts}
