"""Builds a service's WSGI application: pecan inside, our layers outside.

From the outside in: a request id on every request and response, JSON
errors and the body-size limit, then (with ``auth_strategy = keystone``)
keystonemiddleware's auth_token, then pecan with the context and RPC
hooks.
"""

from oslo_middleware import request_id
import pecan

from stx.api import errors
from stx.api import hooks
from stx.conf import CONF


def setup_app(root_controller, rpc_factory=None, public_routes=('/',),
              other_rpc=None):
    """A WSGI app serving ``root_controller``.

    :param root_controller: the dotted path or instance of the root.
    :param rpc_factory: builds the service's RPC client for handlers
        (``pecan.request.rpcapi``).
    :param public_routes: paths served without a token (version documents).
    :param other_rpc: ``{attribute: factory}`` of clients of other
        services, put on ``pecan.request.<attribute>``.
    """
    app_hooks = [hooks.ContextHook()]
    if rpc_factory is not None:
        app_hooks.append(hooks.RPCHook(rpc_factory))
    for attribute, factory in (other_rpc or {}).items():
        app_hooks.append(hooks.RPCHook(factory, attribute))
    app = pecan.make_app(root_controller, hooks=app_hooks,
                         force_canonical=False, logging=False,
                         guess_content_type_from_ext=False)
    if CONF.api.auth_strategy == 'keystone':
        app = _keystone(app, public_routes)
    app = errors.ErrorMiddleware(app, CONF.api.max_request_body_size)
    return request_id.RequestId(app)


def _keystone(app, public_routes):
    from keystonemiddleware import auth_token

    protected = auth_token.AuthProtocol(app, {'oslo_config_config': CONF})

    def dispatch(environ, start_response):
        path = environ.get('PATH_INFO', '/').rstrip('/') or '/'
        if path in public_routes:
            return app(environ, start_response)
        return protected(environ, start_response)

    return dispatch


def version_link(href, rel='self'):
    return {'href': href, 'rel': rel}


def base_url():
    """The URL this API is reached at, with the mount prefix."""
    return pecan.request.host_url + pecan.request.script_name
