"""oslo.messaging's options (transport_url, control_exchange, rabbit...).

oslo.messaging registers them only when a transport is first built;
commands, tests and the all-in-one controller set them before that, so they
are registered here up front. Every stx-flock topic lives in the ``stx``
exchange of a shared broker. The sample config lists these options through
oslo.messaging's own namespace.
"""

import oslo_messaging as messaging
from oslo_messaging import opts as messaging_opts


def register_opts(conf):
    messaging.set_transport_defaults(control_exchange='stx')
    for group, opts in messaging_opts.list_opts():
        conf.register_opts(opts, group=group)


def list_opts():
    return {}
