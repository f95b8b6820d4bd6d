"""The v1 API of sysinv: its resources and its version document."""

from stx.api import app as api_app
from stx.api import expose
from stx.sysinv.api.controllers.v1 import host
from stx.sysinv.api.controllers.v1 import system

_RESOURCES = ('isystems', 'ihosts')


class V1Controller:
    isystems = system.SystemController()
    ihosts = host.HostController()

    @expose.expose()
    def index(self):
        base = api_app.base_url() + '/v1/'
        document = {
            'id': 'v1',
            'links': [api_app.version_link(base)],
            'media_types': [{
                'base': 'application/json',
                'type': 'application/vnd.openstack.sysinv.v1+json'}],
        }
        for resource in _RESOURCES:
            document[resource] = [
                api_app.version_link(base + resource, rel='self')]
        return document
