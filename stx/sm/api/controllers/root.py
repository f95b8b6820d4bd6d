"""Version discovery for sm: GET / and GET /v1."""

from stx.api import expose
from stx.api import versions
from stx.sm.api.controllers import v1


class RootController:
    v1 = v1.V1Controller()

    @expose.expose()
    def index(self):
        return versions.root_document(
            'stx-flock Service Management API',
            "The service groups, services and controllers of stx-flock's "
            "service management, compatible with StarlingX's sm-api.")
