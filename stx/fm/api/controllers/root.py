"""Version discovery for fm: GET / and GET /v1."""

import pecan

from stx.api import app as api_app
from stx.api import expose
from stx.fm.api.controllers import v1


def _v1_summary(base):
    return {'id': 'v1', 'status': 'CURRENT',
            'links': [api_app.version_link(base + '/v1/')]}


class RootController:
    v1 = v1.V1Controller()

    @expose.expose()
    def index(self):
        base = api_app.base_url()
        return {
            'name': 'stx-flock Fault Management API',
            'description': 'Alarms, the event log and event suppression '
                           "of stx-flock, compatible with StarlingX's fm "
                           'API.',
            'versions': [_v1_summary(base)],
            'default_version': _v1_summary(base),
        }

    @pecan.expose()
    def _lookup(self, *remainder):
        # Anything unknown falls through to pecan's 404, which the error
        # middleware turns into the JSON error body.
        pecan.abort(404)
