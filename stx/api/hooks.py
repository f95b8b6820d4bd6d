"""Pecan hooks: the request context and the RPC client of a service."""

import threading

import pecan

from stx.common import context as stx_context
from stx.conf import CONF


class ContextHook(pecan.hooks.PecanHook):
    """Puts a RequestContext on ``pecan.request.context``.

    With ``auth_strategy = keystone`` the identity comes from the headers
    keystonemiddleware sets; with ``noauth`` every request is an admin.
    """

    def before(self, state):
        environ = state.request.environ
        if CONF.api.auth_strategy == 'keystone':
            context = stx_context.RequestContext.from_environ(environ)
            context.is_admin = 'admin' in (context.roles or [])
        else:
            context = stx_context.RequestContext(
                is_admin=True, user_id='noauth', project_id='noauth',
                request_id=environ.get('openstack.request_id'))
        state.request.context = context


class RPCHook(pecan.hooks.PecanHook):
    """Puts an RPC client on ``pecan.request.<attribute>``: the service's
    own on ``pecan.request.rpcapi``.

    The client is built on first use, once the transport exists.
    """

    def __init__(self, factory, attribute='rpcapi'):
        self._factory = factory
        self._attribute = attribute
        self._client = None
        self._lock = threading.Lock()

    def before(self, state):
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._factory()
        setattr(state.request, self._attribute, self._client)
