"""Version discovery for sysinv: GET / and GET /v1."""

from stx.api import expose
from stx.api import versions
from stx.sysinv.api.controllers import v1


class RootController:
    v1 = v1.V1Controller()

    @expose.expose()
    def index(self):
        return versions.root_document(
            'StarlingX SysInv API',
            "Host inventory and configuration of stx-flock, compatible "
            "with StarlingX's sysinv API.")
