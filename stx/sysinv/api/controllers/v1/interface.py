"""/v1/iinterfaces and /v1/interface_networks: a host's network interfaces
and the platform networks they carry, as StarlingX serves them.

``POST /v1/iinterfaces`` (body with ``ihost_uuid``), ``GET``, ``PATCH``
(JSON-patch of ifname, ifclass, imtu) and ``DELETE
/v1/iinterfaces/<uuid>``; a host's at ``/v1/ihosts/<host>/iinterfaces``.
``POST /v1/interface_networks`` (``interface_uuid``, ``network_type``),
``DELETE /v1/interface_networks/<uuid>``; a host's at
``/v1/ihosts/<host>/interface_networks``. The conductor checks them
(stx.sysinv.interfaces) and writes.
"""

import pecan
from pecan import rest
import wsme.types as wtypes

from stx.api import app as api_app
from stx.api import expose
from stx.api import jsonpatch
from stx.api import types
from stx.common import exception
from stx.sysinv.api.controllers.v1 import formats
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import interfaces_api
from stx.sysinv import interfaces


class InterfacePost(wtypes.Base):
    """What a client sends to add an interface (StarlingX's fields)."""

    ihost_uuid = wtypes.text
    ifname = wtypes.text
    iftype = wtypes.text
    ifclass = wtypes.text
    imtu = types.jsontype
    vlan_id = types.jsontype
    aemode = wtypes.text
    txhashpolicy = wtypes.text
    uses = types.jsontype
    ports = types.jsontype


class InterfaceNetworkPost(wtypes.Base):
    interface_uuid = wtypes.text
    network_type = wtypes.text


def _interfaces(rows):
    base = api_app.base_url()
    return {'iinterfaces': [formats.interface(row, base) for row in rows]}


def _networks(rows):
    base = api_app.base_url()
    return {'interface_networks': [formats.interface_network(row, base)
                                   for row in rows]}


def _required(values, field):
    if not values.get(field):
        raise exception.MissingParameterValue(field=field,
                                              reason='give it in the body')
    return values[field]


def _host_id(host):
    if host is None:
        raise exception.NotFound()
    return dbapi.host_get(pecan.request.context, host)['id']


class InterfaceController(rest.RestController):
    """/v1/iinterfaces."""

    @expose.expose()
    def get_all(self, host_uuid=None):
        """Every host's interfaces; with ``host_uuid``, one host's."""
        host_id = None if host_uuid is None else _host_id(host_uuid)
        return _interfaces(interfaces_api.interface_list(pecan.request.context,
                                                         host_id))

    @expose.expose()
    def get_one(self, uuid):
        return formats.interface(
            interfaces_api.interface_get(pecan.request.context, uuid),
            api_app.base_url())

    @expose.expose()
    def post(self):
        values = expose.parse_body(InterfacePost, expose.request_json())
        context = pecan.request.context
        host = dbapi.host_get(context, _required(values, 'ihost_uuid'))
        del values['ihost_uuid']
        interface = pecan.request.rpcapi.create_interface(
            context, host['uuid'], values)
        return formats.interface(interface, api_app.base_url())

    @expose.expose()
    def patch(self, uuid):
        """JSON-patch ``replace`` of ifname, ifclass and imtu."""
        context = pecan.request.context
        row = formats.interface(
            interfaces_api.interface_get(context, uuid), '')
        changes = jsonpatch.to_changes(expose.request_json(), frozenset(row),
                                       interfaces.WRITABLE)
        interface = pecan.request.rpcapi.update_interface(
            context, row['uuid'], changes)
        return formats.interface(interface, api_app.base_url())

    @expose.expose(status_code=204)
    def delete(self, uuid):
        context = pecan.request.context
        row = interfaces_api.interface_get(context, uuid)
        pecan.request.rpcapi.destroy_interface(context, row['uuid'])


class HostInterfaceController(rest.RestController):
    """/v1/ihosts/<host>/iinterfaces."""

    @expose.expose()
    def get_all(self, host=None):
        return _interfaces(interfaces_api.interface_list(pecan.request.context,
                                                         _host_id(host)))


class InterfaceNetworkController(rest.RestController):
    """/v1/interface_networks."""

    @expose.expose()
    def get_one(self, uuid):
        return formats.interface_network(
            interfaces_api.interface_network_get(pecan.request.context, uuid),
            api_app.base_url())

    @expose.expose()
    def post(self):
        values = expose.parse_body(InterfaceNetworkPost,
                                   expose.request_json())
        context = pecan.request.context
        interface = interfaces_api.interface_get(
            context, _required(values, 'interface_uuid'))
        row = pecan.request.rpcapi.assign_interface_network(
            context, interface['uuid'], _required(values, 'network_type'))
        return formats.interface_network(row, api_app.base_url())

    @expose.expose(status_code=204)
    def delete(self, uuid):
        context = pecan.request.context
        row = interfaces_api.interface_network_get(context, uuid)
        pecan.request.rpcapi.remove_interface_network(context, row['uuid'])


class HostInterfaceNetworkController(rest.RestController):
    """/v1/ihosts/<host>/interface_networks."""

    @expose.expose()
    def get_all(self, host=None):
        return _networks(interfaces_api.interface_network_list(
            pecan.request.context, _host_id(host)))
