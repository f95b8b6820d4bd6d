"""Host identity: how an agent finds the host it runs on.

By its ports' MACs (get_ihost_by_macs), by its hostname
(get_ihost_by_hostname), or by being discovered (discover_ihost: a host
added for MACs no host has, with customer log 200.023). The mixin uses the
host defaults, ``_system_for_add``, ``_host_values`` and ``_faults`` of
the ConductorManager it is part of.
"""

import re

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import exception
from stx.common import states
from stx.fm import client as fm_client
from stx.sysinv.conductor import common
from stx.sysinv.db import api as dbapi
from stx.sysinv import validation

LOG = logging.getLogger(__name__)


# Text shaped like a MAC; normalize_mac also refuses those no NIC has.
_MAC_TEXT = re.compile(r'^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$',
                       re.IGNORECASE)

# The customer log of a host found by its agent's MACs alone.
HOST_DISCOVERED_LOG_ID = '200.023'


class IdentityMixin:
    """Conductor RPC methods of host identity."""

    # Host identity: how an agent finds the host it runs on.

    @messaging.expected_exceptions(*common.EXPECTED)
    def get_ihost_by_macs(self, context, ihost_macs):
        """The host whose mgmt_mac is one of ``ihost_macs``.

        :param ihost_macs: the MAC addresses of the agent's ports, in any
            case, with ':' or '-'; the first one that names a host wins.
        :returns: the host (see _host_dict), or None.
        :raises: InvalidParameterValue naming a value that is not a MAC.
        """
        hosts = dbapi.host_list_by_mgmt_macs(context, _macs(ihost_macs))
        return _host_dict(hosts[0]) if hosts else None

    @messaging.expected_exceptions(*common.EXPECTED)
    def get_ihost_by_hostname(self, context, ihost_hostname):
        """The host named ``ihost_hostname`` (any case), or None.

        :raises: InvalidParameterValue if it is not a non-empty string.
        """
        if not isinstance(ihost_hostname, str) or not ihost_hostname:
            raise exception.InvalidParameterValue(
                field='ihost_hostname', reason='must be a host name')
        host = _host_named(context, ihost_hostname)
        return host and _host_dict(host)

    @messaging.expected_exceptions(*common.EXPECTED)
    def discover_ihost(self, context, ihost_macs, hostname=None):
        """The host of an agent, added if no host has its MACs.

        A host with one of the MACs is returned as it is; failing that, the
        host named ``hostname``, as StarlingX's agent falls back to its
        hostname. Otherwise a host is added as StarlingX shows a
        discovered one: mgmt_mac the first MAC, no hostname, no
        personality, locked, offline and unprovisioned. That is logged, and
        recorded as customer log 200.023 through the fm client in async
        mode (the conductor never waits for fm). Two agents discovering at
        once with the same first MAC get the same host: the second insert
        breaks mgmt_mac's unique constraint and reads the first one's host.

        :param ihost_macs: the MAC addresses of the agent's ports.
        :param hostname: the agent's hostname, if it has one.
        :returns: the host (see _host_dict).
        :raises: HostIdentityConflict (a Conflict) when the MACs belong to
            one host and ``hostname`` to another; InvalidParameterValue,
            MissingParameterValue for bad MACs or hostname;
            OperationNotPermitted when no system exists or it is simplex.
        """
        macs = _macs(ihost_macs)
        if not macs:
            raise exception.MissingParameterValue(
                field='ihost_macs', reason='an agent is known by the MAC '
                'addresses of its ports')
        if hostname is not None and not isinstance(hostname, str):
            raise exception.InvalidParameterValue(
                field='hostname', reason='must be a host name or None')
        named = _host_named(context, hostname) if hostname else None
        hosts = dbapi.host_list_by_mgmt_macs(context, macs)
        if hosts:
            host = hosts[0]
            if named is not None and named['id'] != host['id']:
                LOG.warning('Agent with MACs %(macs)s and hostname '
                            '%(hostname)s names two hosts: %(host)s and '
                            '%(other)s', {'macs': ', '.join(macs),
                                          'hostname': hostname,
                                          'host': common.host_label(host),
                                          'other': common.host_label(named)})
                raise exception.HostIdentityConflict(
                    mac=host['mgmt_mac'], host=common.host_label(host),
                    hostname=hostname, other=common.host_label(named))
            return _host_dict(host)
        if named is not None:
            return _host_dict(named)
        system = self._system_for_add(context)
        values = self._host_values(context, {'mgmt_mac': macs[0]}, system)
        try:
            host = dbapi.host_create(context, values)
        except exception.HostAlreadyExists:
            # Another discovery of this host won the race: theirs is ours.
            hosts = dbapi.host_list_by_mgmt_macs(context, macs)
            if not hosts:
                raise
            return _host_dict(hosts[0])
        LOG.info('Host discovered: management MAC %(mac)s (%(uuid)s), '
                 'unprovisioned', {'mac': host['mgmt_mac'],
                                   'uuid': host['uuid']})
        self._log_discovery(host)
        return _host_dict(host)

    def _log_discovery(self, host):
        fault = fm_client.Fault(
            alarm_id=HOST_DISCOVERED_LOG_ID, alarm_state=fm_client.LOG,
            entity_type_id='host',
            entity_instance_id='host=%s' % host['mgmt_mac'],
            severity=states.SEVERITY_NOT_APPLICABLE,
            reason_text='A new host was discovered with management MAC %s '
                        '(%s)' % (host['mgmt_mac'], host['uuid']))
        try:
            self._faults().set_event(fault)
        except Exception:
            # The host is added; a customer log that cannot be queued (a
            # full disk, a queue file held by another process) must not
            # undo that, nor send the agent into a retry loop.
            LOG.exception('Customer log %(id)s for discovered host %(mac)s '
                          'could not be queued',
                          {'id': HOST_DISCOVERED_LOG_ID,
                           'mac': host['mgmt_mac']})


def _host_dict(host):
    """A host as the identity methods return it to an agent.

    Every column but bm_password; timestamps as ISO 8601 text, so that the
    dict is the same over every transport (a broker sends JSON).
    """
    return common.json_row({name: value for name, value in host.items()
                            if name != 'bm_password'})


def _host_named(context, hostname):
    """The host of that name (stored lower-case), or None."""
    try:
        return dbapi.host_get_by_hostname(context, hostname.lower())
    except exception.HostNotFound:
        return None


def _macs(ihost_macs):
    """An agent's MACs in stored form, without repeats, in their order.

    A MAC that cannot be a host's mgmt_mac (all zeros, multicast: some
    firmware gives a port one) is left out rather than refused, so that one
    odd port does not keep an agent from finding its host.

    :raises: InvalidParameterValue naming the value that is not a MAC.
    """
    if not isinstance(ihost_macs, (list, tuple)):
        raise exception.InvalidParameterValue(
            field='ihost_macs', reason='must be a list of MAC addresses')
    macs = []
    for index, mac in enumerate(ihost_macs):
        field = 'ihost_macs[%d]' % index
        if not isinstance(mac, str) or not _MAC_TEXT.match(mac):
            raise exception.InvalidParameterValue(
                field=field, reason='%r is not a MAC address '
                '(xx:xx:xx:xx:xx:xx)' % (mac,))
        try:
            mac = validation.normalize_mac(mac, field=field)
        except exception.InvalidParameterValue as error:
            LOG.debug('MAC %(mac)s ignored: %(error)s',
                      {'mac': mac, 'error': error})
            continue
        if mac not in macs:
            macs.append(mac)
    return macs
