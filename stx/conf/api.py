"""[api] options: how the REST APIs listen and authenticate."""

from oslo_config import cfg

opts = [
    cfg.HostAddressOpt('host_ip',
                       default='127.0.0.1',
                       help='Address the API server listens on. The default '
                            'keeps a lab controller private to this machine; '
                            'use 0.0.0.0 to serve every interface.'),
    cfg.PortOpt('port',
                help='Port the API server listens on. Unset means the '
                     "service's StarlingX port (sysinv 6385, fm 18002, sm "
                     '7777, update 5493); stx-aio serves every API on one '
                     'port, 6385 by default.'),
    cfg.StrOpt('auth_strategy',
               default='noauth',
               choices=[('noauth', 'No authentication: every request is '
                                   'treated as an administrator. For labs '
                                   'and the all-in-one controller only.'),
                        ('keystone', 'Validate tokens with keystonemiddleware '
                                     'auth_token ([keystone_authtoken]).')],
               help='How API requests are authenticated.'),
    cfg.IntOpt('max_request_body_size',
               default=1024 * 1024,
               min=1024,
               help='Largest request body accepted, in bytes. Larger bodies '
                    '(including host bulk-add files) are refused with 413 '
                    'before they are parsed.'),
    cfg.IntOpt('workers',
               default=8,
               min=1,
               help='Number of threads serving HTTP requests in one API '
                    'process. More threads serve more slow clients at once '
                    'at the cost of memory.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='api')


def list_opts():
    return {'api': opts}
