"""A small REST client of stx-flock's own APIs (sysinv, fm, sm, update).

One ``Client`` talks to one service. It always goes through a keystoneauth1
``Adapter``, so the two ways of finding a service share one code path:

* URL mode: an all-in-one base URL (``STX_URL``, the service is then under
  ``<base>/<service>``) or a service's own URL (``STX_SYSINV_URL``) becomes
  the adapter's ``endpoint_override``, on a session without auth;
* Keystone mode: the session carries an auth plugin, the endpoint comes from
  the catalogue by service type (``SERVICE_TYPES``) and every request carries
  the token as ``X-Auth-Token``.

Either way ``/v1`` is appended to the endpoint unless it already ends in it
(StarlingX's ``system`` rule). Errors become ``ClientError`` subclasses
whose text is one line, ready for the CLI to print.
"""

import json
import re

from keystoneauth1 import adapter
from keystoneauth1 import exceptions as ks_exc

API_VERSION = 'v1'

#: The Keystone catalogue service type of each service. The service name is
#: also its path prefix under an all-in-one base URL (``<base>/sysinv``).
SERVICE_TYPES = {
    'sysinv': 'platform',
    'fm': 'faultmanagement',
    'sm': 'smapi',
    'update': 'usm',
}

USER_AGENT = 'stx-flock'
_NO_BODY_STATUSES = (204, 205)
_ERRNO = re.compile(r'\[Errno -?\d+\][^\'")]*')


class ClientError(Exception):
    """Base class: something went wrong talking to an API."""

    def __init__(self, message):
        self.message = one_line(message)
        super().__init__(self.message)

    def __str__(self):
        return self.message


class NoEndpoint(ClientError):
    """No way to reach a service was configured, or none was found."""


class CommunicationError(ClientError):
    """The request did not get an HTTP answer (refused, timed out, TLS)."""


class InvalidResponse(ClientError):
    """The server answered with something that is not the API's JSON."""


class HTTPError(ClientError):
    """The API answered with an error status (4xx or 5xx).

    :ivar status: the HTTP status code.
    :ivar faultstring: the server's message (the exception's text).
    :ivar code: the machine-readable error code, e.g.
        ``stx.host.not_found``, or None.
    :ivar field: the input the server blamed, or None.
    :ivar debuginfo: the server's debug information, or None.
    """

    def __init__(self, status, faultstring, code=None, field=None,
                 debuginfo=None):
        super().__init__(faultstring)
        self.status = status
        self.faultstring = self.message
        self.code = code
        self.field = field
        self.debuginfo = debuginfo


def one_line(text):
    """Fold a message onto one line, as the CLI prints it."""
    return ' '.join(str(text).split())


def join_url(base, *parts):
    """Join URL path parts with exactly one ``/`` between them."""
    pieces = [base.rstrip('/')] + [part.strip('/') for part in parts]
    return '/'.join(piece for piece in pieces if piece)


def versioned_url(url, version=API_VERSION):
    """Return ``url`` ending in ``/<version>``, never doubled."""
    url = url.rstrip('/')
    if url.endswith('/' + version):
        return url
    return join_url(url, version)


def service_endpoint(service, stx_url=None, service_url=None):
    """The endpoint override for ``service`` in URL mode, or None.

    A service's own URL wins over the all-in-one base URL, under which the
    service lives at ``<base>/<service>``. None means: use Keystone.
    """
    if service_url:
        return service_url
    if stx_url:
        return join_url(stx_url, service)
    return None


def error_from_response(response):
    """Build an ``HTTPError`` from an error response of any shape.

    StarlingX's shape is ``{"error_message": "<JSON string>"}`` whose inner
    object holds ``faultstring`` (and, from stx-flock, ``code`` and
    ``field``); Keystone-style ``{"error": {...}}`` and
    ``{"errors": [...]}`` bodies are understood too.
    """
    fault = _fault(_json_or_none(response))
    faultstring = (fault.get('faultstring') or fault.get('message') or
                   fault.get('title') or
                   ('HTTP %s %s' % (response.status_code,
                                    response.reason or '')).rstrip())
    return HTTPError(response.status_code, faultstring,
                     code=fault.get('code'), field=fault.get('field'),
                     debuginfo=fault.get('debuginfo'))


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


def _fault(body):
    if not isinstance(body, dict):
        return {}
    if 'error_message' in body:
        inner = body['error_message']
        if isinstance(inner, str):
            try:
                inner = json.loads(inner)
            except ValueError:
                return {'faultstring': inner}
        # sysinv sometimes nests one error_message in another.
        return _fault(inner)
    if isinstance(body.get('error'), dict):
        return body['error']
    errors = body.get('errors')
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return {'faultstring': first.get('detail') or
                first.get('description') or first.get('title')}
    return body


class Client(object):
    """A client of one stx-flock API.

    :param session: a keystoneauth1 ``Session``; with an auth plugin for
        Keystone mode, without one for URL mode.
    :param service: a key of ``SERVICE_TYPES``, e.g. ``'sysinv'``.
    :param endpoint_override: the service's URL (URL mode), or None to look
        it up in the Keystone catalogue.
    :param interface: the catalogue interface (public, internal, admin).
    :param region_name: the catalogue region, or None for any.
    """

    def __init__(self, session, service, endpoint_override=None,
                 interface='public', region_name=None):
        if service not in SERVICE_TYPES:
            raise ValueError('unknown service %r' % service)
        self.service = service
        self._adapter = adapter.Adapter(
            session, service_type=SERVICE_TYPES[service],
            interface=interface, region_name=region_name,
            endpoint_override=endpoint_override, user_agent=USER_AGENT,
            additional_headers={'Accept': 'application/json'})
        self._root = None

    @property
    def root(self):
        """The versioned endpoint, e.g. ``http://h:6385/sysinv/v1``."""
        if self._root is None:
            try:
                endpoint = self._adapter.get_endpoint()
            except ks_exc.EndpointNotFound:
                endpoint = None
            except ks_exc.ClientException as exc:
                raise _keystone_error(exc, 'Keystone')
            if not endpoint:
                raise NoEndpoint(
                    "no '%s' endpoint (the %s API) in the Keystone "
                    "catalogue" % (SERVICE_TYPES[self.service], self.service))
            self._root = versioned_url(endpoint)
        return self._root

    def url(self, path):
        """The absolute URL of ``path`` (relative to ``/v1``)."""
        return join_url(self.root, path)

    def get(self, path):
        return self.request('GET', path)

    def post(self, path, body=None, files=None):
        return self.request('POST', path, body=body, files=files)

    def put(self, path, body):
        return self.request('PUT', path, body=body)

    def patch(self, path, body):
        return self.request('PATCH', path, body=body)

    def delete(self, path):
        return self.request('DELETE', path)

    def request(self, method, path, body=None, files=None):
        """Send one request; return the decoded JSON body, or None.

        :raises HTTPError: the API answered 4xx or 5xx.
        :raises CommunicationError: no HTTP answer came back.
        :raises InvalidResponse: a successful answer was not JSON.
        :raises NoEndpoint: the service could not be located.
        """
        url = self.url(path)
        try:
            response = self._adapter.request(
                url, method, json=body, files=files, raise_exc=False)
        except ks_exc.ClientException as exc:
            raise _keystone_error(exc, url)
        if response.status_code >= 400:
            raise error_from_response(response)
        if response.status_code in _NO_BODY_STATUSES or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise InvalidResponse(
                'invalid response from %s %s: HTTP %s with a body that is '
                'not JSON' % (method, url, response.status_code))


def _keystone_error(exc, where):
    """Translate a keystoneauth1 exception into a one-line ClientError."""
    if isinstance(exc, ks_exc.ConnectTimeout):
        return CommunicationError('timed out connecting to %s' % where)
    if isinstance(exc, ks_exc.ConnectionError):
        match = _ERRNO.search(str(exc))
        reason = match.group(0).strip() if match else str(exc)
        return CommunicationError('cannot connect to %s: %s'
                                  % (where, reason))
    if isinstance(exc, ks_exc.Unauthorized):
        return HTTPError(401, 'Invalid Identity credentials.')
    return ClientError('%s: %s' % (type(exc).__name__, exc))
