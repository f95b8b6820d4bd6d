"""The sysinv REST API application (port 6385; /sysinv/ in stx-aio)."""

from stx.api import app as api_app
from stx.mtce import rpcapi as mtce_rpcapi
from stx.sysinv.api.controllers import root
from stx.sysinv.conductor import rpcapi


def make_app():
    """The sysinv WSGI app; needs ``stx.common.rpc.init`` done first.

    Handlers find the conductor's client on ``pecan.request.rpcapi`` and
    host maintenance's, for host actions, on ``pecan.request.mtceapi``.
    """
    return api_app.setup_app(root.RootController(),
                             rpc_factory=rpcapi.ConductorAPI,
                             public_routes=('/', '/v1'),
                             other_rpc={'mtceapi': mtce_rpcapi.MtceAPI})
