"""The v1 API of sysinv: its resources and its version document."""

from stx.api import expose
from stx.api import versions
from stx.sysinv.api.controllers.v1 import host
from stx.sysinv.api.controllers.v1 import system

_RESOURCES = ('isystems', 'ihosts')


class V1Controller:
    isystems = system.SystemController()
    ihosts = host.HostController()

    @expose.expose()
    def index(self):
        return versions.v1_document('sysinv', _RESOURCES)
