"""sm's API for a WSGI server: ``gunicorn stx.wsgi.sm:application``.

Every request is answered by a controller's stx-sm over the configured
transport.
"""

from stx import wsgi

application = wsgi.init_application('sm')
