"""sysinv's API for a WSGI server: ``gunicorn stx.wsgi.sysinv:application``.

Writes go to stx-sysinv-conductor over the configured transport; the
database must be at its newest revision (``stx-dbsync``).
"""

from stx import wsgi

application = wsgi.init_application('sysinv')
