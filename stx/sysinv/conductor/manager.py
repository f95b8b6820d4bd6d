"""The sysinv conductor: the only writer of sysinv's database.

The API checks the shape of a request; the conductor checks its meaning
against stored state (validation, duplicates, system mode) and writes.
Agents find their host here (by MAC, by hostname, or by being discovered)
and report its inventory. Every method raises only the exceptions listed in
its ``expected_exceptions``, which reach the caller as themselves.

ConductorManager is the one RPC endpoint. This module owns the system, host
CRUD and bulk add; the other methods come from one mixin per topic: host
identity (identity), inventory reports (reports), nodal configuration and
configuration tracking (nodal_config), labels (labels), interfaces
(interfaces), host maintenance's reads and state writes (maintenance) and
hardware sensors (sensors), all in stx.sysinv.conductor.
"""

import threading

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import exception
from stx.common import secrets
from stx.common import states
from stx.conf import CONF
from stx.fm import client as fm_client
from stx import objects
from stx.sysinv.conductor import common
from stx.sysinv.conductor import identity
from stx.sysinv.conductor import interfaces as interface_changes
from stx.sysinv.conductor import labels as label_changes
from stx.sysinv.conductor import maintenance
from stx.sysinv.conductor import nodal_config
from stx.sysinv.conductor import reports
from stx.sysinv.conductor import sensors
from stx.sysinv.db import api as dbapi
from stx.sysinv import validation
from stx import version

LOG = logging.getLogger(__name__)


SYSTEM_DEFAULTS = {
    'name': 'stx-flock',
    'system_type': states.SYSTEM_TYPE_AIO,
    'system_mode': states.SYSTEM_MODE_DUPLEX,
    'timezone': 'UTC',
    'capabilities': {},
}
SYSTEM_WRITABLE = frozenset((
    'name', 'system_type', 'system_mode', 'description', 'contact',
    'location', 'latitude', 'longitude', 'timezone', 'region_name',
    'distributed_cloud_role', 'service_project_name', 'security_feature',
    'capabilities'))

# A new host, as StarlingX adds one: locked, disabled, offline and waiting
# for its agent to report inventory.
HOST_DEFAULTS = {
    'administrative': states.LOCKED,
    'operational': states.DISABLED,
    'availability': states.OFFLINE,
    'invprovision': states.UNPROVISIONED,
    'subfunction_oper': states.DISABLED,
    'subfunction_avail': states.OFFLINE,
    'action': states.ACTION_NONE,
    'task': '',
    'vim_progress_status': '',
    'bm_type': states.BM_TYPE_NONE,
    'boot_device': '/dev/sda',
    'rootfs_device': '/dev/sda',
    'hw_settle': '0',
    'install_output': 'text',
    'console': 'ttyS0,115200',
    'tboot': '',
    'apparmor': 'disabled',
    'clock_synchronization': 'ntp',
    'ttys_dcd': False,
    'reboot_needed': False,
    'reserved': False,
    'uptime': 0,
    'location': {},
    'capabilities': {},
}

# The conductor's own fm client queue (<[fm] client_queue_dir>/<name>.sqlite).
FM_CLIENT_NAME = 'sysinv-conductor'


def software_version():
    """The platform release: major.minor of this code."""
    return '.'.join(version.version_string().split('.')[:2])


class ConductorManager(identity.IdentityMixin, reports.ReportsMixin,
                       nodal_config.NodalConfigMixin,
                       label_changes.LabelsMixin,
                       interface_changes.InterfacesMixin,
                       maintenance.MaintenanceMixin,
                       sensors.SensorsMixin):
    """RPC endpoint of stx-sysinv-conductor."""

    target = messaging.Target(version='1.7')

    def __init__(self, host=None):
        self.host = host or CONF.host
        self._fault_api = None
        self._fault_api_lock = threading.Lock()
        self._agent_api = None

    def close(self, timeout=0):
        """Let go of the fm client.

        :param timeout: seconds to wait for the logs still queued to reach
            fm first. Those that did not stay queued on disk, and the next
            conductor on the same state directory sends them.
        """
        with self._fault_api_lock:
            if self._fault_api is not None:
                if timeout:
                    self._fault_api.flush(timeout)
                self._fault_api.close()
                self._fault_api = None

    def _faults(self):
        # Made on first use: most conductors never log anything.
        with self._fault_api_lock:
            if self._fault_api is None:
                self._fault_api = fm_client.FaultAPIs(
                    mode=fm_client.MODE_ASYNC, name=FM_CLIENT_NAME)
            return self._fault_api

    # System.

    @messaging.expected_exceptions(*common.EXPECTED)
    def create_system(self, context, values):
        unknown = set(values) - SYSTEM_WRITABLE
        if unknown:
            raise exception.UnknownField(field=sorted(unknown)[0])
        values = dict(SYSTEM_DEFAULTS, **values)
        _check_system_values(values)
        values['software_version'] = software_version()
        system = dbapi.system_create(context, values)
        LOG.info('System %(name)s created (%(type)s, %(mode)s)',
                 {'name': system['name'], 'type': system['system_type'],
                  'mode': system['system_mode']})
        return objects.system.System.from_db(system, context)

    @messaging.expected_exceptions(*common.EXPECTED)
    def update_system(self, context, system_uuid, values):
        unknown = set(values) - SYSTEM_WRITABLE
        if unknown:
            raise exception.UnknownField(field=sorted(unknown)[0])
        current = dbapi.system_get(context, system_uuid)
        _check_system_values(dict(current, **values))
        if ('system_mode' in values and
                values['system_mode'] != current['system_mode'] and
                current['system_mode'] != states.SYSTEM_MODE_SIMPLEX and
                values['system_mode'] == states.SYSTEM_MODE_SIMPLEX):
            raise exception.OperationNotPermitted(
                reason='a duplex system cannot become simplex',
                field='system_mode')
        system = dbapi.system_update(context, system_uuid, values)
        return objects.system.System.from_db(system, context)

    # Hosts.

    def _enabled_bm_types(self):
        return CONF.enabled_bmc_drivers

    def _host_values(self, context, values, system):
        values = validation.validate_host(
            values, enabled_bm_types=self._enabled_bm_types())
        _encrypt_bm_password(values)
        new = dict(HOST_DEFAULTS, **{k: v for k, v in values.items()
                                     if v is not None})
        new['forisystemid'] = system['id']
        new['sw_version'] = new.get('sw_version') or system[
            'software_version']
        if new.get('personality') and not new.get('subfunctions'):
            new['subfunctions'] = _default_subfunctions(
                new['personality'], system)
        return new

    def _system_for_add(self, context):
        try:
            system = dbapi.system_get(context)
        except exception.SystemNotFound:
            raise exception.OperationNotPermitted(
                reason='no system exists yet; create it first')
        if system['system_mode'] == states.SYSTEM_MODE_SIMPLEX:
            raise exception.OperationNotPermitted(
                reason='hosts cannot be added to a simplex system')
        return system

    @messaging.expected_exceptions(*common.EXPECTED)
    def create_host(self, context, values):
        system = self._system_for_add(context)
        host = dbapi.host_create(context,
                                 self._host_values(context, values, system))
        LOG.info('Host %(host)s added (%(uuid)s, %(personality)s)',
                 {'host': host['hostname'] or host['mgmt_mac'],
                  'uuid': host['uuid'], 'personality': host['personality']})
        return objects.host.Host.from_db(host, context)

    @messaging.expected_exceptions(*common.EXPECTED)
    def update_host(self, context, host_uuid, values):
        current = dbapi.host_get(context, host_uuid)
        changes = validation.validate_host(
            values, current=current,
            enabled_bm_types=self._enabled_bm_types())
        _check_host_change(current, changes)
        _encrypt_bm_password(changes)
        if 'personality' in changes and not current['subfunctions']:
            changes.setdefault('subfunctions', _default_subfunctions(
                changes['personality'], dbapi.system_get(context)))
        if changes.get('personality'):
            state = common.provision_state(context, dict(current, **changes))
            if state != current['invprovision']:
                changes['invprovision'] = state
        reconfigured = any(
            field in changes and changes[field] != current[field]
            for field in ('personality', 'subfunctions'))
        if reconfigured:
            changes.update(common.new_config_target())
        host = dbapi.host_update(context, host_uuid, changes)
        LOG.info('Host %(host)s updated: %(fields)s',
                 {'host': host['hostname'] or host['uuid'],
                  'fields': ', '.join(sorted(changes))})
        if reconfigured:
            self._push_config(context, host)
        return objects.host.Host.from_db(host, context)

    @messaging.expected_exceptions(*common.EXPECTED)
    def destroy_host(self, context, host_uuid):
        host = dbapi.host_get(context, host_uuid)
        if host['administrative'] != states.LOCKED:
            raise exception.InvalidStateTransition(
                action='delete', target=host['hostname'] or host_uuid,
                reason='the host is unlocked; lock it first')
        dbapi.host_destroy(context, host_uuid)
        LOG.info('Host %(host)s deleted (%(uuid)s)',
                 {'host': host['hostname'], 'uuid': host['uuid']})
        if host['hostname']:
            # Its alarms (BMC access, sensors...) have nothing left to
            # clear them.
            self._faults().clear_all('host=%s' % host['hostname'])

    @messaging.expected_exceptions(*common.EXPECTED)
    def bulk_add_hosts(self, context, hosts):
        """Validate every host first; then add all of them or none.

        A host whose mgmt_mac is already known only has its BMC fields
        updated, as StarlingX does.

        :param hosts: a list of field dicts, one per <host> element.
        :returns: {'created': [Host], 'updated': [Host]}
        :raises: InvalidBulkFile listing every bad entry.
        """
        system = self._system_for_add(context)
        _require_enabled_controller(context)
        creates, updates, errors = [], [], []
        seen = {}
        for index, values in enumerate(hosts, 1):
            label = 'host %d (%s)' % (index, values.get('hostname') or
                                      values.get('mgmt_mac') or '?')
            try:
                self._bulk_entry(context, values, system, creates, updates,
                                 seen)
            except exception.StxException as error:
                errors.append('%s: %s' % (label, error))
        if errors:
            raise exception.InvalidBulkFile(reason='; '.join(errors),
                                            field='file')
        created, updated = dbapi.hosts_bulk_write(context, creates, updates)
        LOG.info('Bulk add: %(created)d hosts added, %(updated)d updated',
                 {'created': len(created), 'updated': len(updated)})
        host = objects.host.Host.from_db
        return {'created': [host(h, context) for h in created],
                'updated': [host(h, context) for h in updated]}

    def _bulk_entry(self, context, values, system, creates, updates, seen):
        values = {k: v for k, v in values.items() if v is not None}
        power_on = values.pop('power_on', None)
        mac = values.get('mgmt_mac')
        try:
            existing = dbapi.host_get_by_mgmt_mac(
                context, validation.normalize_mac(mac)) if mac else None
        except exception.HostNotFound:
            existing = None
        if existing is not None:
            bmc = {k: v for k, v in values.items()
                   if k in ('bm_ip', 'bm_type', 'bm_username', 'bm_password')}
            changes = validation.validate_host(
                bmc, current=existing,
                enabled_bm_types=self._enabled_bm_types())
            _encrypt_bm_password(changes)
            updates.append((existing['id'], changes))
            return
        new = self._host_values(context, values, system)
        if power_on is not None and new['bm_type'] == states.BM_TYPE_NONE:
            raise exception.InvalidParameterValue(
                field='power_on', reason='powering on needs a bm_type')
        for field in ('hostname', 'mgmt_mac', 'mgmt_ip', 'cluster_host_ip'):
            if new.get(field) is None:
                continue
            other = seen.setdefault((field, new[field]), values)
            if other is not values:
                raise exception.HostAlreadyExists(field=field,
                                                  value=new[field])
        creates.append(new)


def _check_system_values(values):
    if values.get('system_mode') not in states.SYSTEM_MODES:
        raise exception.InvalidParameterValue(
            field='system_mode', reason="'%s' is not one of %s" % (
                values.get('system_mode'), ', '.join(states.SYSTEM_MODES)))
    if values.get('system_type') not in states.SYSTEM_TYPES:
        raise exception.InvalidParameterValue(
            field='system_type', reason="'%s' is not one of %s" % (
                values.get('system_type'), ', '.join(states.SYSTEM_TYPES)))
    if (values['system_type'] == states.SYSTEM_TYPE_STANDARD and
            values['system_mode'] == states.SYSTEM_MODE_SIMPLEX):
        raise exception.InvalidParameterValue(
            field='system_mode', reason='a Standard system has two '
            'controllers; simplex is for All-in-one systems')


def _default_subfunctions(personality, system):
    if (personality == states.CONTROLLER and
            system['system_type'] == states.SYSTEM_TYPE_AIO):
        return '%s,%s' % (states.CONTROLLER, states.WORKER)
    return personality


def _encrypt_bm_password(values):
    if values.get('bm_password'):
        values['bm_password'] = secrets.encrypt(
            CONF.sysinv.bm_password_key_file, values['bm_password'])


def _check_host_change(current, changes):
    """Refuse changes the host's current state does not allow."""
    name = current['hostname'] or current['uuid']
    locked = current['administrative'] == states.LOCKED
    provisioned = current['invprovision'] != states.UNPROVISIONED

    def refuse(field, reason):
        return exception.InvalidStateTransition(
            action='change %s of' % field, target=name, reason=reason,
            field=field)

    if ('personality' in changes and current['personality'] and
            changes['personality'] != current['personality'] and
            provisioned):
        raise refuse('personality', 'a provisioned host keeps its '
                     'personality; delete and re-add it')
    for field in ('hostname', 'mgmt_mac'):
        if (field in changes and changes[field] != current[field] and
                current[field] and not locked):
            raise refuse(field, 'the host is unlocked; lock it first')
    if ('hostname' in changes and current['personality'] ==
            states.CONTROLLER and changes['hostname'] != current['hostname']):
        raise refuse('hostname', 'controllers keep their names')


def _require_enabled_controller(context):
    for host in dbapi.host_list(context, personality=states.CONTROLLER):
        if (host['administrative'] == states.UNLOCKED and
                host['operational'] == states.ENABLED):
            return
    raise exception.OperationNotPermitted(
        reason='bulk add needs an unlocked, enabled controller first')
