"""/v1/ihosts: hosts, their JSON-patch updates, actions and bulk files.

A host's inventory (``/v1/ihosts/<host>/icpus``...) is served by
stx.sysinv.api.controllers.v1.inventory.

Reads go to the database; every write goes to the conductor over RPC.
Host actions (PATCH /action) are checked here and handed to maintenance.
"""

import pecan
from pecan import rest
import wsme.types as wtypes

from stx.api import app as api_app
from stx.api import expose
from stx.api import jsonpatch
from stx.api import types
from stx.common import exception
from stx.common import states
from stx.sysinv.api.controllers.v1 import formats
from stx.sysinv.api.controllers.v1 import interface
from stx.sysinv.api.controllers.v1 import inventory
from stx.sysinv.api.controllers.v1 import label
from stx.sysinv.api.controllers.v1 import sensor
from stx.sysinv import bulk
from stx.sysinv.db import api as dbapi
from stx.sysinv import validation


class HostPost(wtypes.Base):
    """The fields a client may send to add a host."""

    hostname = wtypes.text
    personality = wtypes.text
    subfunctions = wtypes.text
    mgmt_mac = wtypes.text
    mgmt_ip = wtypes.text
    cluster_host_ip = wtypes.text
    bm_ip = wtypes.text
    bm_type = wtypes.text
    bm_username = wtypes.text
    bm_password = wtypes.text
    boot_device = wtypes.text
    rootfs_device = wtypes.text
    hw_settle = wtypes.text
    install_output = wtypes.text
    console = wtypes.text
    vsc_controllers = wtypes.text
    location = types.jsontype
    ttys_dcd = types.jsontype
    clock_synchronization = wtypes.text
    apparmor = wtypes.text
    serialid = wtypes.text
    capabilities = types.jsontype
    sw_version = wtypes.text


_KNOWN_FIELDS = frozenset(formats.HOST_FIELDS + formats.HOST_EXTRA_FIELDS)
_PATCHABLE = validation.WRITABLE_FIELDS | {'action'}


def _system_uuid(context):
    try:
        return dbapi.system_get(context)['uuid']
    except exception.SystemNotFound:
        return None


def _format(host):
    context = pecan.request.context
    return formats.host(host, _system_uuid(context), api_app.base_url())


def _int_param(name, value, minimum=1):
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number < minimum:
        raise exception.InvalidParameterValue(
            field=name, reason="'%s' is not a whole number >= %d"
            % (value, minimum))
    return number


class HostController(rest.RestController):

    _custom_actions = {'bulk_add': ['POST'], 'bulk_export': ['GET']}

    # A host's inventory: /v1/ihosts/<host>/icpus and the like.
    inodes = inventory.HostInventoryController(inventory.NODES)
    icpus = inventory.HostInventoryController(inventory.CPUS)
    imemorys = inventory.HostInventoryController(inventory.MEMORY)
    idisks = inventory.HostInventoryController(inventory.DISKS)
    ports = inventory.HostInventoryController(inventory.PORTS)
    ethernet_ports = inventory.HostInventoryController(
        inventory.ETHERNET_PORTS)
    pci_devices = inventory.HostInventoryController(inventory.PCI_DEVICES)
    labels = label.HostLabelController()
    iinterfaces = interface.HostInterfaceController()
    interface_networks = interface.HostInterfaceNetworkController()
    isensors = sensor.HostSensorController()
    isensorgroups = sensor.HostSensorGroupController()
    # PUT /v1/ihosts/<host>/state/host_cpus_modify
    state = inventory.HostStateController()

    @expose.expose()
    def get_all(self, limit=None, marker=None, sort_key='id',
                sort_dir='asc', personality=None):
        """Every host (StarlingX clients read whole collections)."""
        if sort_key not in dbapi.SORT_KEYS:
            raise exception.InvalidParameterValue(
                field='sort_key', reason="'%s' is not one of %s"
                % (sort_key, ', '.join(dbapi.SORT_KEYS)))
        if sort_dir not in ('asc', 'desc'):
            raise exception.InvalidParameterValue(
                field='sort_dir', reason="'%s' is not asc or desc"
                % sort_dir)
        if limit is not None:
            limit = _int_param('limit', limit)
        context = pecan.request.context
        rows = dbapi.host_list(context, limit=limit, marker=marker,
                               sort_key=sort_key, sort_dir=sort_dir,
                               personality=personality)
        system_uuid = _system_uuid(context)
        base = api_app.base_url()
        result = {'ihosts': [formats.host(row, system_uuid, base)
                             for row in rows]}
        if limit is not None and len(rows) == limit:
            result['next'] = ('%s/v1/ihosts?limit=%d&marker=%s'
                              '&sort_key=%s&sort_dir=%s'
                              % (base, limit, rows[-1]['uuid'], sort_key,
                                 sort_dir))
        return result

    @expose.expose()
    def get_one(self, ident):
        """One host, by integer id, uuid or hostname."""
        return _format(dbapi.host_get(pecan.request.context, ident))

    @expose.expose()
    def post(self):
        values = expose.parse_body(HostPost, expose.request_json())
        host = pecan.request.rpcapi.create_host(pecan.request.context,
                                                values)
        return _format(host)

    @expose.expose()
    def patch(self, ident):
        changes = jsonpatch.to_changes(expose.request_json(),
                                       _KNOWN_FIELDS, _PATCHABLE)
        context = pecan.request.context
        host = dbapi.host_get(context, ident)
        if 'action' in changes:
            _request_action(context, host, changes.pop('action'))
            if not changes:
                # The action alone: show the task maintenance set.
                return _format(dbapi.host_get(context, host['uuid']))
        host = pecan.request.rpcapi.update_host(context, host['uuid'],
                                                changes)
        if _BMC_FIELDS.intersection(changes):
            pecan.request.mtceapi.host_modified(context, host['uuid'])
        return _format(host)

    @expose.expose(status_code=204)
    def delete(self, ident):
        context = pecan.request.context
        host = dbapi.host_get(context, ident)
        pecan.request.rpcapi.destroy_host(context, host['uuid'])

    @expose.expose()
    def bulk_add(self):
        """Add the hosts of an uploaded XML file (multipart part 'file')."""
        upload = pecan.request.POST.get('file')
        if upload is None or not hasattr(upload, 'file'):
            raise exception.MissingParameterValue(
                field='file', reason='upload the XML file as multipart '
                "form data in a part named 'file'")
        hosts = bulk.parse_hosts(upload.file.read())
        result = pecan.request.rpcapi.bulk_add_hosts(pecan.request.context,
                                                     hosts)
        names = [host['hostname'] or host['mgmt_mac']
                 for host in result['created'] + result['updated']]
        return {'success': ''.join(name + '\n' for name in names),
                'error': ''}

    @expose.expose()
    def bulk_export(self):
        context = pecan.request.context
        try:
            version = dbapi.system_get(context)['software_version']
        except exception.SystemNotFound:
            version = None
        return {'content': bulk.export_hosts(dbapi.host_list(context),
                                             version)}


def _request_action(context, host, action):
    """Check an action and hand it to host maintenance.

    :raises: InvalidParameterValue, InvalidStateTransition,
        HostUnlockBlocked (every reason at once), MaintenanceUnavailable
    """
    try:
        system = dbapi.system_get(context)
    except exception.SystemNotFound:
        system = None
    controllers = dbapi.host_list(context, personality=states.CONTROLLER)
    validation.check_action(host, action, system, controllers)
    if action in (states.ACTION_UNLOCK, states.ACTION_FORCE_UNLOCK):
        blockers = validation.unlock_blockers(context, host)
        if blockers:
            raise exception.HostUnlockBlocked(
                host=host['hostname'] or host['uuid'],
                reasons='; '.join(blockers), field='action')
    # Host maintenance (stx-mtce) owns lifecycle decisions: it accepts
    # the action, or says why it cannot carry it out.
    pecan.request.mtceapi.host_action(context, host['uuid'], action)


_BMC_FIELDS = frozenset(('bm_type', 'bm_ip', 'bm_username', 'bm_password'))
