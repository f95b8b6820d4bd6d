"""The sm REST API application (port 7777; /sm/ in stx-aio)."""

from stx.api import app as api_app
from stx.sm.api.controllers import root
from stx.sm import rpcapi


def make_app(rpc_factory=None):
    """The sm WSGI app; needs ``stx.common.rpc.init`` done first.

    :param rpc_factory: builds the stx-sm client the handlers call
        (``pecan.request.rpcapi``); default ``stx.sm.rpcapi.SMAPI``. Tests
        give one that returns a fake.
    """
    return api_app.setup_app(root.RootController(),
                             rpc_factory=rpc_factory or rpcapi.SMAPI,
                             public_routes=('/', '/v1'))
