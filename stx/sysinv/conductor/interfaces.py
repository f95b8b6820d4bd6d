"""Host interfaces: the conductor's RPC methods that add, change and delete
a host's interfaces and the platform networks they carry. Every change
gives the host a new config_target (``_config_update_host`` of
stx.sysinv.conductor.nodal_config).
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.sysinv.conductor import common
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import interfaces_api
from stx.sysinv import interfaces

LOG = logging.getLogger(__name__)


class InterfacesMixin:
    """Conductor RPC methods of host interfaces."""

    # Interfaces and their platform networks (``host-if-*``,
    # ``interface-network-*``): checked by stx.sysinv.interfaces against
    # the host's stored interfaces, inside the transaction that writes.
    # The host must be locked; every accepted change gives it a new
    # config_target, as CPU changes do.

    @messaging.expected_exceptions(*common.EXPECTED)
    def create_interface(self, context, host_uuid, values):
        """Add an interface to a host (``host-if-add``).

        :param values: ifname, iftype, ifclass, imtu, vlan_id, aemode,
            txhashpolicy, ports or uses (stx.sysinv.interfaces).
        :returns: the interface (timestamps as ISO text).
        :raises: HostNotFound; HostNotLocked; InvalidParameterValue
            naming the field. Nothing is stored then.
        """
        host = dbapi.host_get(context, host_uuid)

        def check(host, state):
            common.require_locked(host, 'interfaces')
            return interfaces.check_new_interface(state, values)

        interface = interfaces_api.interface_create(context, host['id'], check)
        LOG.info('Interface %(ifname)s (%(iftype)s) added to host %(host)s',
                 {'ifname': interface['ifname'],
                  'iftype': interface['iftype'],
                  'host': common.host_label(host)})
        self._config_update_host(context, host['id'])
        return common.json_row(interface)

    @messaging.expected_exceptions(*common.EXPECTED)
    def update_interface(self, context, interface_uuid, changes):
        """Change an interface's ifname, ifclass or imtu (``host-if-modify``).

        :returns: the interface after the change.
        :raises: InterfaceNotFound; HostNotLocked; ReadOnlyField,
            InvalidParameterValue naming the field. Nothing is stored then.
        """
        def check(host, state, interface):
            common.require_locked(host, 'interfaces')
            return interfaces.check_interface_change(state, interface,
                                                     changes)

        interface = interfaces_api.interface_update(context, interface_uuid,
                                                    check)
        LOG.info('Interface %(ifname)s of host %(host)s changed: %(fields)s',
                 {'ifname': interface['ifname'],
                  'host': interface['host_uuid'],
                  'fields': ', '.join(sorted(changes))})
        self._config_update_host(context, interface['forihostid'])
        return common.json_row(interface)

    @messaging.expected_exceptions(*common.EXPECTED)
    def destroy_interface(self, context, interface_uuid):
        """Delete an interface and its networks (``host-if-delete``).

        :raises: InterfaceNotFound; HostNotLocked; InvalidParameterValue
            (``used_by``) for an interface a vlan or ae uses.
        """
        def check(host, state, interface):
            common.require_locked(host, 'interfaces')
            interfaces.check_interface_delete(interface)

        interface = interfaces_api.interface_destroy(context, interface_uuid,
                                                     check)
        LOG.info('Interface %(ifname)s of host %(host)s deleted',
                 {'ifname': interface['ifname'],
                  'host': interface['host_uuid']})
        self._config_update_host(context, interface['forihostid'])

    @messaging.expected_exceptions(*common.EXPECTED)
    def assign_interface_network(self, context, interface_uuid,
                                 network_type):
        """Put a platform network on an interface
        (``interface-network-assign``).

        :returns: the interface network (timestamps as ISO text).
        :raises: InterfaceNotFound; HostNotLocked; InvalidParameterValue
            naming ``network`` or ``ifclass``. Nothing is stored then.
        """
        def check(host, state, interface):
            common.require_locked(host, 'interfaces')
            return interfaces.check_network_assign(state, interface,
                                                   network_type)

        row = interfaces_api.interface_network_create(context,
                                                      interface_uuid, check)
        LOG.info('Network %(network)s assigned to interface %(ifname)s of '
                 'host %(host)s', {'network': network_type,
                                   'ifname': row['ifname'],
                                   'host': row['hostname']})
        self._config_update_host(context, row['forihostid'])
        return common.json_row(row)

    @messaging.expected_exceptions(*common.EXPECTED)
    def remove_interface_network(self, context, interface_network_uuid):
        """Take a platform network from its interface
        (``interface-network-remove``).

        :raises: InterfaceNetworkNotFound; HostNotLocked.
        """
        def check(host, network):
            common.require_locked(host, 'interfaces')

        row = interfaces_api.interface_network_destroy(
            context, interface_network_uuid, check)
        LOG.info('Network %(network)s removed from interface %(ifname)s of '
                 'host %(host)s', {'network': row['network_type'],
                                   'ifname': row['ifname'],
                                   'host': row['hostname']})
        self._config_update_host(context, row['forihostid'])
