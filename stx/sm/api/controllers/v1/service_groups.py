"""/v1/service_groups: each service group on each controller.

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
    return formats.service_groups(state, api_app.base_url())


class ServiceGroupController(rest.RestController):

    @expose.expose()
    def get_all(self):
        """Every (group, node), by node then group name."""
        return {'service_groups': _all()}

    @expose.expose()
    def get_one(self, ident, node=None):
        """One, by id, uuid, or group name (with ``node`` when the group
        is on both controllers); a bare object.
        """
        return formats.find(_all(), ident, formats.SERVICE_GROUP, node)
