"""[sm] options: service management (stx.sm)."""

from oslo_config import cfg

opts = [
    cfg.StrOpt('model_file',
               help='The service-management model: the service domain, its '
                    'service groups and their redundancy model, the '
                    'services with their actions and dependencies (format: '
                    'stx.sm.model). Unset: the model packaged with '
                    'stx-flock. A file that does not pass validation is '
                    'refused, naming the place in it and why.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='sm')


def list_opts():
    return {'sm': opts}
