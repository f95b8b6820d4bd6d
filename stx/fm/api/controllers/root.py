"""Version discovery for fm: GET / and GET /v1."""

from stx.api import expose
from stx.api import versions
from stx.fm.api.controllers import v1


class RootController:
    v1 = v1.V1Controller()

    @expose.expose()
    def index(self):
        return versions.root_document(
            'stx-flock Fault Management API',
            "Alarms, the event log and event suppression of stx-flock, "
            "compatible with StarlingX's fm API.")
