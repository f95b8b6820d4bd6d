"""The fm REST API application (port 18002; /fm/ in stx-aio)."""

from stx.api import app as api_app
from stx.fm.api.controllers import root
from stx.fm.manager import rpcapi


def make_app():
    """The fm WSGI app; needs ``stx.common.rpc.init`` done first."""
    return api_app.setup_app(root.RootController(),
                             rpc_factory=rpcapi.FMAPI,
                             public_routes=('/', '/v1'))
