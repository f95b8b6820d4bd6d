"""/v1/isensors and /v1/isensorgroups: hosts' hardware sensors and sensor
groups, as StarlingX serves them.

Host maintenance (stx-mtce) reads them from each host's BMC and the
conductor stores them; the operator reads them and changes what hwmon does
about them. ``GET /v1/isensors`` (every host's, or ``?host_uuid=``'s),
``GET`` and ``PATCH /v1/isensors/<uuid>`` (JSON-patch of ``suppress``);
the same for ``/v1/isensorgroups`` (``actions_minor_group``,
``actions_major_group``, ``actions_critical_group``,
``audit_interval_group``, ``suppress``). A host's are at
``/v1/ihosts/<host>/isensors`` and ``/v1/ihosts/<host>/isensorgroups``,
where one can also be named by its name. The conductor checks changes
(stx.sysinv.conductor.sensors) and writes.
"""

from oslo_utils import uuidutils
import pecan
from pecan import rest

from stx.api import app as api_app
from stx.api import expose
from stx.api import jsonpatch
from stx.common import exception
from stx.sysinv.api.controllers.v1 import formats
from stx.sysinv.conductor import sensors as sensor_rules
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import sensors_api


def _host_id(host):
    """:raises: HostNotFound naming ``host``; NotFound without one."""
    if host is None:
        raise exception.NotFound()
    return dbapi.host_get(pecan.request.context, host)['id']


def _sensors(rows):
    base = api_app.base_url()
    return {'isensors': [formats.sensor(row, base) for row in rows]}


def _groups(rows):
    base = api_app.base_url()
    return {'isensorgroups': [formats.sensorgroup(row, base)
                              for row in rows]}


def _host_row(host, ident, by_uuid, by_name):
    """A host's sensor or group named by uuid or name; another host's is
    not found here.
    """
    context = pecan.request.context
    host_row = dbapi.host_get(context, host)
    if uuidutils.is_uuid_like(ident):
        row = by_uuid(context, ident)
        if row['host_uuid'] == host_row['uuid']:
            return row
    return by_name(context, host_row['id'], ident)


class SensorController(rest.RestController):
    """/v1/isensors."""

    @expose.expose()
    def get_all(self, host_uuid=None):
        """Every host's sensors, by host and name; with ``host_uuid``
        (or the host's id or hostname), one host's.
        """
        host_id = None if host_uuid is None else _host_id(host_uuid)
        return _sensors(sensors_api.sensor_list(pecan.request.context,
                                                host_id))

    @expose.expose()
    def get_one(self, uuid):
        return formats.sensor(
            sensors_api.sensor_get(pecan.request.context, uuid),
            api_app.base_url())

    @expose.expose()
    def patch(self, uuid):
        """JSON-patch ``replace`` of ``suppress``."""
        context = pecan.request.context
        row = sensors_api.sensor_get(context, uuid)
        changes = jsonpatch.to_changes(
            expose.request_json(), frozenset(formats.SENSOR_FIELDS),
            sensor_rules.SENSOR_WRITABLE)
        sensor = pecan.request.rpcapi.update_sensor(context, row['uuid'],
                                                    changes)
        _reread(context, row['host_uuid'])
        return formats.sensor(sensor, api_app.base_url())


def _reread(context, host_uuid):
    """Have hwmon read the host's sensors again now, so that a changed
    action or audit interval takes effect at once, not at the next read.
    """
    pecan.request.mtceapi.host_modified(context, host_uuid)


class SensorGroupController(rest.RestController):
    """/v1/isensorgroups."""

    @expose.expose()
    def get_all(self, host_uuid=None):
        """Every host's sensor groups, by host and name; with
        ``host_uuid`` (or the host's id or hostname), one host's.
        """
        host_id = None if host_uuid is None else _host_id(host_uuid)
        return _groups(sensors_api.sensorgroup_list(pecan.request.context,
                                                    host_id))

    @expose.expose()
    def get_one(self, uuid):
        return formats.sensorgroup(
            sensors_api.sensorgroup_get(pecan.request.context, uuid),
            api_app.base_url())

    @expose.expose()
    def patch(self, uuid):
        """JSON-patch ``replace`` of the group's actions, audit interval
        and suppress; the conductor copies them to the group's sensors.
        """
        context = pecan.request.context
        row = sensors_api.sensorgroup_get(context, uuid)
        changes = jsonpatch.to_changes(
            expose.request_json(), frozenset(formats.SENSORGROUP_FIELDS),
            sensor_rules.SENSORGROUP_WRITABLE)
        group = pecan.request.rpcapi.update_sensorgroup(context, row['uuid'],
                                                        changes)
        _reread(context, row['host_uuid'])
        return formats.sensorgroup(group, api_app.base_url())


class HostSensorController(rest.RestController):
    """/v1/ihosts/<host>/isensors: a host's sensors, and one of them by
    uuid or sensorname.
    """

    @expose.expose()
    def get_all(self, host=None):
        return _sensors(sensors_api.sensor_list(pecan.request.context,
                                                _host_id(host)))

    @expose.expose()
    def get_one(self, host, ident):
        return formats.sensor(
            _host_row(host, ident, sensors_api.sensor_get,
                      sensors_api.sensor_get_by_name),
            api_app.base_url())


class HostSensorGroupController(rest.RestController):
    """/v1/ihosts/<host>/isensorgroups: a host's sensor groups, and one of
    them by uuid or sensorgroupname.
    """

    @expose.expose()
    def get_all(self, host=None):
        return _groups(sensors_api.sensorgroup_list(pecan.request.context,
                                                    _host_id(host)))

    @expose.expose()
    def get_one(self, host, ident):
        return formats.sensorgroup(
            _host_row(host, ident, sensors_api.sensorgroup_get,
                      sensors_api.sensorgroup_get_by_name),
            api_app.base_url())
