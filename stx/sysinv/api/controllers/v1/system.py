"""/v1/isystems: the one system this sysinv manages."""

import pecan
from pecan import rest
import wsme.types as wtypes

from stx.api import expose
from stx.api import jsonpatch
from stx.api import types
from stx.sysinv.api.controllers.v1 import formats
from stx.sysinv.conductor import manager
from stx.sysinv.db import api as dbapi


class SystemPost(wtypes.Base):
    name = wtypes.text
    system_type = wtypes.text
    system_mode = wtypes.text
    description = wtypes.text
    contact = wtypes.text
    location = wtypes.text
    latitude = wtypes.text
    longitude = wtypes.text
    timezone = wtypes.text
    region_name = wtypes.text
    distributed_cloud_role = wtypes.text
    service_project_name = wtypes.text
    security_feature = wtypes.text
    capabilities = types.jsontype


class SystemController(rest.RestController):

    @expose.expose()
    def get_all(self):
        return {'isystems': [formats.system(row) for row in
                             dbapi.system_list(pecan.request.context)]}

    @expose.expose()
    def get_one(self, ident):
        return formats.system(dbapi.system_get(pecan.request.context, ident))

    @expose.expose(status_code=201)
    def post(self):
        """Create the system; refused once it exists (there is one)."""
        values = expose.parse_body(SystemPost, expose.request_json())
        system = pecan.request.rpcapi.create_system(pecan.request.context,
                                                    values)
        return formats.system(system)

    @expose.expose()
    def patch(self, ident):
        changes = jsonpatch.to_changes(expose.request_json(),
                                       formats.SYSTEM_FIELDS,
                                       manager.SYSTEM_WRITABLE)
        context = pecan.request.context
        current = dbapi.system_get(context, ident)
        system = pecan.request.rpcapi.update_system(context, current['uuid'],
                                                    changes)
        return formats.system(system)
