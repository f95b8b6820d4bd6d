"""oslo.messaging's [DEFAULT] options (transport_url, control_exchange).

oslo.messaging registers them only when a transport is first built; tests
and the all-in-one controller set transport_url before that, so they are
registered here up front. The sample config lists them through
oslo.messaging's own namespace.
"""

import oslo_messaging as messaging
from oslo_messaging import opts as messaging_opts


def register_opts(conf):
    messaging.set_transport_defaults(control_exchange='stx')
    for group, opts in messaging_opts.list_opts():
        if group in (None, 'DEFAULT'):
            conf.register_opts(opts)


def list_opts():
    return {}
