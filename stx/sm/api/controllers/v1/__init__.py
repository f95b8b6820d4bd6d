"""The v1 API of sm: its resources and its version document."""

from stx.api import expose
from stx.api import versions
from stx.sm.api.controllers.v1 import nodes
from stx.sm.api.controllers.v1 import service_groups
from stx.sm.api.controllers.v1 import servicenode
from stx.sm.api.controllers.v1 import services

_RESOURCES = ('service_groups', 'services', 'servicenode', 'nodes')


class V1Controller:
    service_groups = service_groups.ServiceGroupController()
    services = services.ServiceController()
    servicenode = servicenode.ServiceNodeController()
    nodes = nodes.NodeController()

    @expose.expose()
    def index(self):
        return versions.v1_document('sm', _RESOURCES)
