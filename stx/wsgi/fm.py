"""fm's API for a WSGI server: ``gunicorn stx.wsgi.fm:application``.

Writes go to stx-fm-manager over the configured transport; the database
must be at its newest revision (``stx-dbsync``).
"""

from stx import wsgi

application = wsgi.init_application('fm')
