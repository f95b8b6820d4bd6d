"""Host maintenance: what stx-mtce reads from sysinv (the hosts it manages
and how to reach their BMCs), the host state it persists here, and what a
reinstall changes of a host's records.

Maintenance owns the lifecycle decisions (DESIGN.md §4); the conductor
stores them. It checks that each value is a state name and leaves the
reasons to maintenance, which writes the one an operator reads in
``last_maintenance_action``: what it last did to the host and why.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import exception
from stx.common import states
from stx.sysinv.conductor import common
from stx.sysinv.db import api as dbapi

LOG = logging.getLogger(__name__)

# The longest last_maintenance_action stored, in characters: room for an
# action, its attempt count and the evidence behind it, short enough for a
# host-show row.
LAST_MAINTENANCE_ACTION_LENGTH = 2048

# The host fields maintenance may set, and the values each may take (None:
# any text).
_STATE_FIELDS = {
    'administrative': states.ADMINISTRATIVE_STATES,
    'operational': states.OPERATIONAL_STATES,
    'availability': states.AVAILABILITY_STATES,
    'task': None,
    'mtce_info': None,
    'last_maintenance_action': None,
}

# Text fields with a length limit, in characters. '' clears them: they are
# null when cleared as when never set (task keeps StarlingX's '').
_TEXT_LIMITS = {
    'last_maintenance_action': LAST_MAINTENANCE_ACTION_LENGTH,
}

# What maintenance needs of a host. bm_password stays the Fernet token the
# conductor stored: stx-mtce decrypts it with the deployment's key file,
# so the clear password never travels over the message bus.
_MTCE_HOST_FIELDS = (
    'id', 'uuid', 'hostname', 'personality', 'mgmt_mac', 'mgmt_ip',
    'cluster_host_ip', 'administrative', 'operational', 'availability',
    'task', 'mtce_info', 'last_maintenance_action', 'invprovision',
    'config_status', 'bm_type', 'bm_ip', 'bm_username', 'bm_password')


def _check_state_values(values, name):
    """The values as they are stored (see _TEXT_LIMITS for '').

    :raises: UnknownField, InvalidParameterValue naming ``<name>.<field>``.
    """
    checked = {}
    for field, value in values.items():
        if field not in _STATE_FIELDS:
            raise exception.UnknownField(field=field)
        allowed = _STATE_FIELDS[field]
        if allowed is None:
            if value is not None and not isinstance(value, str):
                raise exception.InvalidParameterValue(
                    field='%s.%s' % (name, field), reason='must be text')
            limit = _TEXT_LIMITS.get(field)
            if limit is not None and value is not None:
                if len(value) > limit:
                    raise exception.InvalidParameterValue(
                        field='%s.%s' % (name, field),
                        reason='%d characters; at most %d'
                        % (len(value), limit))
                value = value or None
        elif value not in allowed:
            raise exception.InvalidParameterValue(
                field='%s.%s' % (name, field), reason="'%s' is not one of %s"
                % (value, ', '.join(allowed)))
        checked[field] = value
    return checked


class MaintenanceMixin:
    """Conductor RPC methods host maintenance calls."""

    @messaging.expected_exceptions(*common.EXPECTED)
    def get_mtce_hosts(self, context, host_uuid=None):
        """The hosts maintenance manages, with their BMC fields.

        :param host_uuid: one host's uuid, or None for every host.
        :returns: a list of dicts with the fields of ``_MTCE_HOST_FIELDS``;
            ``bm_password`` is the stored token, never the clear password.
        :raises: HostNotFound when ``host_uuid`` names no host.
        """
        if host_uuid is not None:
            hosts = [dbapi.host_get(context, host_uuid)]
        else:
            hosts = dbapi.host_list_with_bmc_secret(context)
        return [{field: host[field] for field in _MTCE_HOST_FIELDS}
                for host in hosts]

    @messaging.expected_exceptions(*common.EXPECTED)
    def update_host_state(self, context, host_uuid, values, expected=None):
        """Store maintenance's view of a host.

        :param values: new values of administrative, operational,
            availability, task, mtce_info and (1.7) last_maintenance_action:
            text of at most LAST_MAINTENANCE_ACTION_LENGTH characters, or
            '' or None to clear it.
        :param expected: the values some of those fields must still have
            (maintenance read them before deciding), or None.
        :returns: the host as a JSON-able dict, or None when ``expected``
            no longer holds and nothing was changed.
        :raises: HostNotFound; UnknownField or InvalidParameterValue
            naming a field maintenance may not set or a value that is not
            a state, not text or too long.
        """
        values = _check_state_values(values, 'values')
        expected = _check_state_values(expected or {}, 'expected') or None
        current = dbapi.host_get(context, host_uuid)
        host = dbapi.host_update_state(context, current['id'], values,
                                       expected)
        if host is None:
            LOG.info('Host %(host)s state not changed: it is no longer '
                     '%(expected)s', {'host': common.host_label(current),
                                      'expected': expected})
            return None
        changed = {field: value for field, value in values.items()
                   if current[field] != value}
        if changed:
            LOG.info('Host %(host)s: %(changes)s',
                     {'host': common.host_label(host),
                      'changes': ', '.join('%s %r' % item for item in
                                           sorted(changed.items()))})
        host.pop('bm_password', None)
        return common.json_row(host)

    @messaging.expected_exceptions(*common.EXPECTED)
    def host_reinstalling(self, context, host_uuid):
        """Mark a host that maintenance is reinstalling for rediscovery.

        As StarlingX, its inventory and its operator configuration (cpu
        functions, huge pages, interfaces, labels) are kept. Its
        invprovision goes back to provisioning until its agent reports
        again: the inventory rows being there, the next report makes it
        provisioned (common.provision_state). Its config_applied is
        cleared and its config_status is "Config out-of-date" while it
        has a config_target: the new agent reports it has no
        configuration, and is sent it again (iconfig_update_by_ihost).

        :returns: the host as a JSON-able dict (no bm_password).
        :raises: HostNotFound; InvalidStateTransition naming
            ``administrative`` when the host is unlocked.
        """
        host = dbapi.host_get(context, host_uuid)
        if host['administrative'] != states.LOCKED:
            raise exception.InvalidStateTransition(
                action='reinstall', target=common.host_label(host),
                reason='the host is unlocked; lock it first',
                field='administrative')
        dbapi.host_config_applied(context, host['id'], None,
                                  states.CONFIG_STATUS_OUT_OF_DATE)
        provision = (states.PROVISIONING if host['personality']
                     else states.UNPROVISIONED)
        host = dbapi.host_update(context, host['id'],
                                 {'invprovision': provision})
        LOG.info('Host %(host)s is being reinstalled: %(provision)s, its '
                 'configuration to be sent again',
                 {'host': common.host_label(host), 'provision': provision})
        host.pop('bm_password', None)
        return common.json_row(host)
