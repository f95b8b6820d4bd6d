"""StarlingX's error body, and the middleware that guarantees it.

Every error leaves an stx-flock API as ``{"error_message": "<JSON>"}`` where
the inner object is WSME's fault (``faultcode``, ``faultstring``,
``debuginfo``) plus our ``code`` (e.g. ``stx.host.not_found``) and ``field``
(DESIGN.md §6). StarlingX's ``system`` client prints ``faultstring``.
"""

import http.client
import json

from oslo_log import log as logging
import webob

from stx.common import exception

LOG = logging.getLogger(__name__)

_CODES_BY_STATUS = {
    400: 'stx.invalid', 401: 'stx.unauthorized', 403: 'stx.forbidden',
    404: 'stx.not_found', 405: 'stx.method_not_allowed',
    406: 'stx.not_acceptable', 409: 'stx.conflict',
    413: 'stx.request.too_large', 415: 'stx.unsupported_media_type',
    500: 'stx.error', 503: 'stx.service.unavailable',
}


def fault(status, faultstring, code=None, field=None):
    """The inner fault object for an HTTP ``status``."""
    return {
        'faultcode': 'Client' if status < 500 else 'Server',
        'faultstring': faultstring,
        'debuginfo': None,
        'code': code or _CODES_BY_STATUS.get(status, 'stx.error'),
        'field': field,
    }


def body(fault_object):
    return json.dumps({'error_message': json.dumps(fault_object)})


def from_exception(error):
    """(status, fault) for any exception raised while serving a request.

    Messages of unexpected errors are logged, never shown: a client sees a
    generic text and no traceback.
    """
    if isinstance(error, exception.StxException):
        status = error.code
        # Not str(): an exception rebuilt from RPC appends the remote
        # traceback to its str(), and that must not reach a client.
        message = error.message
        if not error.safe or status >= 500 and not isinstance(
                error, exception.ServiceUnavailable):
            LOG.error('Request failed: %(error)s', {'error': message})
            message = 'The server could not complete the request.'
        return status, fault(status, message, error.error_code, error.field)
    LOG.exception('Unexpected error while serving a request')
    return 500, fault(500, 'The server could not complete the request.')


class ErrorMiddleware:
    """Outermost layer: JSON error bodies for every failure.

    Errors from our controllers already have the body; this turns what the
    framework itself answers (404 for an unknown path, 405, a body over the
    size limit) and anything that escapes into the same shape.
    """

    def __init__(self, app, max_body_size=None):
        self.app = app
        self.max_body_size = max_body_size

    def __call__(self, environ, start_response):
        request = webob.Request(environ)
        try:
            self._check_size(request)
            response = request.get_response(self.app)
        except Exception as error:
            status, fault_object = from_exception(error)
            response = self._error(status, fault_object)
        if response.status_int >= 400 and not _is_ours(response):
            response = self._error(
                response.status_int,
                fault(response.status_int, _reason(response)),
                headers=response.headers)
        return response(environ, start_response)

    def _check_size(self, request):
        size = request.content_length
        if self.max_body_size and size and size > self.max_body_size:
            raise exception.RequestTooLarge(size=size,
                                            limit=self.max_body_size)

    @staticmethod
    def _error(status, fault_object, headers=None):
        response = webob.Response(status=status,
                                  content_type='application/json',
                                  charset='UTF-8')
        for name in ('WWW-Authenticate', 'Allow'):
            if headers and name in headers:
                response.headers[name] = headers[name]
        response.text = body(fault_object)
        return response


def _is_ours(response):
    if response.content_type != 'application/json':
        return False
    try:
        return 'error_message' in json.loads(response.body)
    except ValueError:
        return False


def _reason(response):
    # keystonemiddleware and pecan put a useful sentence in their bodies;
    # the status text is the safe, always-present fallback.
    return http.client.responses.get(response.status_int, response.status)
