"""Serving WSGI apps over HTTP with cheroot, in a background thread.

One app for a standalone API, or several mounted under /<name> for the
all-in-one controller, whose ``GET /`` lists them.
"""

import json
import re
import threading

from cheroot import wsgi
from oslo_log import log as logging

from stx.common import service
from stx.conf import CONF

LOG = logging.getLogger(__name__)

# Pending connections the kernel queues for the HTTP server; cheroot's
# default of 5 refuses clients in bursts (the CLI, benchmarks).
_LISTEN_BACKLOG = 128


class RootApp:
    """``GET /`` of the all-in-one: where each service's API is mounted."""

    def __init__(self, names):
        self.names = sorted(names)

    def __call__(self, environ, start_response):
        if environ.get('PATH_INFO', '/') not in ('', '/'):
            return _json_response(start_response, '404 Not Found', {
                'error_message': 'no service at this path; services: %s'
                % ', '.join('/%s/' % name for name in self.names)})
        base = '%s://%s%s' % (environ.get('wsgi.url_scheme', 'http'),
                              environ.get('HTTP_HOST', ''),
                              environ.get('SCRIPT_NAME', '').rstrip('/'))
        return _json_response(start_response, '200 OK', {'services': [
            {'name': name, 'href': '%s/%s/' % (base, name)}
            for name in self.names]})


def _json_response(start_response, status, body):
    data = json.dumps(body).encode()
    start_response(status, [('Content-Type', 'application/json'),
                            ('Content-Length', str(len(data)))])
    return [data]


def make_dispatcher(apps):
    """One WSGI app serving each of ``apps`` ({name: app}) under /<name>.

    cheroot's dispatcher sets SCRIPT_NAME to the prefix, so each app builds
    its links under it; ``/`` lists the services.
    """
    mounts = {'/' + name: app for name, app in apps.items()}
    mounts['/'] = RootApp(apps)
    return wsgi.PathInfoDispatcher(mounts)


class _Server(wsgi.Server):
    def error_log(self, msg='', level=20, traceback=False):
        # cheroot writes its errors to stderr; they belong in the log.
        LOG.log(level, 'HTTP server: %(msg)s', {'msg': msg},
                exc_info=traceback)


class APIServer:
    """A threaded cheroot HTTP server in the background.

    :param app: a WSGI app, or a dict {name: app} mounted under /<name>.
    :param host: address to listen on.
    :param port: port to listen on; 0 picks a free one.
    :param threads: request threads; [api] workers when None.
    """

    def __init__(self, app, host, port, threads=None):
        if isinstance(app, dict):
            app = make_dispatcher(app)
        self.host = host
        self._server = _Server((host, port), app,
                               numthreads=threads or CONF.api.workers,
                               request_queue_size=_LISTEN_BACKLOG,
                               server_name='stx-flock')
        self._thread = None

    @property
    def port(self):
        return self._server.bind_addr[1]

    @property
    def url(self):
        """The base URL clients on this machine use."""
        host = {'0.0.0.0': '127.0.0.1', '::': '::1'}.get(self.host,
                                                         self.host)
        if ':' in host:
            host = '[%s]' % host
        return 'http://%s:%d/' % (host, self.port)

    def start(self):
        """Listen, then serve in a thread.

        :raises: StartupError when the address cannot be bound.
        """
        try:
            self._server.prepare()
        except OSError as error:
            # cheroot wraps the bind error of each address it tried in one
            # long message; the errno text at its end is what matters.
            reason = re.findall(r'\[Errno \d+\] [^)]*', str(error))
            raise service.StartupError('cannot listen on %s:%s: %s' % (
                self.host, self._server.bind_addr[1],
                reason[-1] if reason else error)) from None
        self._thread = threading.Thread(target=self._server.serve,
                                        name='http-server', daemon=True)
        self._thread.start()
        LOG.info('Serving HTTP on %(url)s', {'url': self.url})

    def stop(self):
        self._server.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)
