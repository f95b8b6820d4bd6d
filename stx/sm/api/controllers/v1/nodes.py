"""/v1/nodes: the controllers service management knows, and their states.

What ``smc servicenode-list`` and ``system servicenode-list`` show.
"""

import pecan
from pecan import rest

from stx.api import app as api_app
from stx.api import expose
from stx.sm.api.controllers.v1 import formats


def _all(ident=None):
    if ident is None:
        state = pecan.request.rpcapi.get_state(pecan.request.context)
    else:
        state = formats.state_of(pecan.request.rpcapi,
                                 pecan.request.context, ident)
    return formats.nodes(state, api_app.base_url())


class NodeController(rest.RestController):

    @expose.expose()
    def get_all(self):
        """Every controller heard from, by name."""
        return {'nodes': _all()}

    @expose.expose()
    def get_one(self, ident):
        """One controller, by id, uuid or name (as it describes itself,
        when it answers); a bare object.
        """
        return formats.find(_all(ident), ident, formats.NODE)
