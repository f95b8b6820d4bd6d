"""Host maintenance: what stx-mtce reads from sysinv (the hosts it manages
and how to reach their BMCs) and the host state it persists here.

Maintenance owns the lifecycle decisions (DESIGN.md §4); the conductor
stores them. It checks that each value is a state name and leaves the
reasons to maintenance.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import exception
from stx.common import states
from stx.sysinv.conductor import common
from stx.sysinv.db import api as dbapi

LOG = logging.getLogger(__name__)

# The host fields maintenance may set, and the values each may take (None:
# any text).
_STATE_FIELDS = {
    'administrative': states.ADMINISTRATIVE_STATES,
    'operational': states.OPERATIONAL_STATES,
    'availability': states.AVAILABILITY_STATES,
    'task': None,
    'mtce_info': None,
}

# What maintenance needs of a host. bm_password stays the Fernet token the
# conductor stored: stx-mtce decrypts it with the deployment's key file,
# so the clear password never travels over the message bus.
_MTCE_HOST_FIELDS = (
    'id', 'uuid', 'hostname', 'personality', 'mgmt_mac', 'mgmt_ip',
    'administrative', 'operational', 'availability', 'task', 'mtce_info',
    'invprovision', 'bm_type', 'bm_ip', 'bm_username', 'bm_password')


def _check_state_values(values, name):
    for field, value in values.items():
        if field not in _STATE_FIELDS:
            raise exception.UnknownField(field=field)
        allowed = _STATE_FIELDS[field]
        if allowed is None:
            if value is not None and not isinstance(value, str):
                raise exception.InvalidParameterValue(
                    field='%s.%s' % (name, field), reason='must be text')
        elif value not in allowed:
            raise exception.InvalidParameterValue(
                field='%s.%s' % (name, field), reason="'%s' is not one of %s"
                % (value, ', '.join(allowed)))


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
            availability, task and mtce_info.
        :param expected: the values some of those fields must still have
            (maintenance read them before deciding), or None.
        :returns: the host as a JSON-able dict, or None when ``expected``
            no longer holds and nothing was changed.
        :raises: HostNotFound; UnknownField or InvalidParameterValue
            naming a field maintenance may not set or a value that is not
            a state.
        """
        _check_state_values(values, 'values')
        _check_state_values(expected or {}, 'expected')
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
