"""/v1/services: each service on each controller.

Read from stx-sm over RPC at each request; see formats for the shape and
how ids and uuids are derived.
"""

import pecan
from pecan import rest

from stx.api import app as api_app
from stx.api import expose
from stx.sm.api.controllers.v1 import formats


def _all():
    state = pecan.request.rpcapi.get_state(pecan.request.context)
    return formats.services(state, api_app.base_url())


class ServiceController(rest.RestController):

    @expose.expose()
    def get_all(self):
        """Every (service, node), by node then service name."""
        return {'services': _all()}

    @expose.expose()
    def get_one(self, ident, node=None):
        """One, by id, uuid, or service name (with ``node`` when the
        service is on both controllers); a bare object.
        """
        return formats.find(_all(), ident, formats.SERVICE, node)
