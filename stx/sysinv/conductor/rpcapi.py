"""Client side of the sysinv conductor RPC API."""

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import rpc
from stx.conf import CONF
from stx.objects import base as objects_base

LOG = logging.getLogger(__name__)

TOPIC = 'stx-sysinv-conductor'


class ConductorAPI:
    """Calls the sysinv conductor, the only writer of sysinv's database.

    API version history:

    * 1.0 - Initial version: create_system, update_system, create_host,
      update_host, destroy_host, bulk_add_hosts.
    * 1.1 - Agents: get_ihost_by_macs, get_ihost_by_hostname,
      discover_ihost, inumas_update_by_ihost, icpus_update_by_ihost,
      imemory_update_by_ihost, idisk_update_by_ihost, iport_update_by_ihost,
      pci_device_update_by_host.
    * 1.2 - Nodal configuration: update_cpu_functions, update_memory.
    * 1.3 - Configuration tracking: iconfig_update_by_ihost.
    * 1.4 - Host labels: assign_labels, remove_label. Interfaces:
      create_interface, update_interface, destroy_interface,
      assign_interface_network, remove_interface_network.
    * 1.5 - Host maintenance: get_mtce_hosts, update_host_state.
      Hardware sensors: hwmon_sensors_update, hwmon_sensors_unreadable,
      update_sensorgroup, update_sensor.
    * 1.6 - Host maintenance: host_reinstalling.
    * 1.7 - Host maintenance: update_host_state accepts
      last_maintenance_action.
    """

    RPC_API_VERSION = '1.7'

    def __init__(self, timeout=None, topic=TOPIC):
        target = messaging.Target(topic=topic, version='1.0')
        self.client = rpc.get_client(
            target, version_cap=CONF.upgrade_levels.sysinv_conductor,
            serializer=objects_base.StxObjectSerializer(),
            timeout=timeout or CONF.sysinv.rpc_timeout)

    def _call(self, context, method, version='1.0', **kwargs):
        return rpc.call(self.client, context, method, 'stx-sysinv-conductor',
                        version=version, **kwargs)

    def create_system(self, context, values):
        return self._call(context, 'create_system', values=values)

    def update_system(self, context, system_uuid, values):
        return self._call(context, 'update_system', system_uuid=system_uuid,
                          values=values)

    def create_host(self, context, values):
        return self._call(context, 'create_host', values=values)

    def update_host(self, context, host_uuid, values):
        return self._call(context, 'update_host', host_uuid=host_uuid,
                          values=values)

    def destroy_host(self, context, host_uuid):
        return self._call(context, 'destroy_host', host_uuid=host_uuid)

    def bulk_add_hosts(self, context, hosts):
        return self._call(context, 'bulk_add_hosts', hosts=hosts)

    # 1.1: what stx-agent calls.

    def get_ihost_by_macs(self, context, ihost_macs):
        return self._call(context, 'get_ihost_by_macs', version='1.1',
                          ihost_macs=ihost_macs)

    def get_ihost_by_hostname(self, context, ihost_hostname):
        return self._call(context, 'get_ihost_by_hostname', version='1.1',
                          ihost_hostname=ihost_hostname)

    def discover_ihost(self, context, ihost_macs, hostname=None):
        return self._call(context, 'discover_ihost', version='1.1',
                          ihost_macs=ihost_macs, hostname=hostname)

    def inumas_update_by_ihost(self, context, ihost_uuid, inuma_dict_array):
        return self._call(context, 'inumas_update_by_ihost', version='1.1',
                          ihost_uuid=ihost_uuid,
                          inuma_dict_array=inuma_dict_array)

    def icpus_update_by_ihost(self, context, ihost_uuid, icpu_dict_array):
        return self._call(context, 'icpus_update_by_ihost', version='1.1',
                          ihost_uuid=ihost_uuid,
                          icpu_dict_array=icpu_dict_array)

    def imemory_update_by_ihost(self, context, ihost_uuid,
                                imemory_dict_array):
        return self._call(context, 'imemory_update_by_ihost', version='1.1',
                          ihost_uuid=ihost_uuid,
                          imemory_dict_array=imemory_dict_array)

    def idisk_update_by_ihost(self, context, ihost_uuid, idisk_dict_array):
        return self._call(context, 'idisk_update_by_ihost', version='1.1',
                          ihost_uuid=ihost_uuid,
                          idisk_dict_array=idisk_dict_array)

    def iport_update_by_ihost(self, context, ihost_uuid, inic_dict_array):
        return self._call(context, 'iport_update_by_ihost', version='1.1',
                          ihost_uuid=ihost_uuid,
                          inic_dict_array=inic_dict_array)

    def pci_device_update_by_host(self, context, host_uuid,
                                  pci_device_dict_array):
        return self._call(context, 'pci_device_update_by_host',
                          version='1.1', host_uuid=host_uuid,
                          pci_device_dict_array=pci_device_dict_array)

    # 1.2: nodal configuration.

    def update_cpu_functions(self, context, host_uuid, functions):
        return self._call(context, 'update_cpu_functions', version='1.2',
                          host_uuid=host_uuid, functions=functions)

    def update_memory(self, context, memory_uuid, values):
        return self._call(context, 'update_memory', version='1.2',
                          memory_uuid=memory_uuid, values=values)

    # 1.3: configuration tracking.

    def iconfig_update_by_ihost(self, context, ihost_uuid, config_applied):
        return self._call(context, 'iconfig_update_by_ihost', version='1.3',
                          ihost_uuid=ihost_uuid,
                          config_applied=config_applied)

    # 1.4: host labels and interfaces.

    def assign_labels(self, context, host_uuid, labels, overwrite=False):
        return self._call(context, 'assign_labels', version='1.4',
                          host_uuid=host_uuid, labels=labels,
                          overwrite=overwrite)

    def remove_label(self, context, label_uuid):
        return self._call(context, 'remove_label', version='1.4',
                          label_uuid=label_uuid)

    def create_interface(self, context, host_uuid, values):
        return self._call(context, 'create_interface', version='1.4',
                          host_uuid=host_uuid, values=values)

    def update_interface(self, context, interface_uuid, changes):
        return self._call(context, 'update_interface', version='1.4',
                          interface_uuid=interface_uuid, changes=changes)

    def destroy_interface(self, context, interface_uuid):
        return self._call(context, 'destroy_interface', version='1.4',
                          interface_uuid=interface_uuid)

    def assign_interface_network(self, context, interface_uuid,
                                 network_type):
        return self._call(context, 'assign_interface_network',
                          version='1.4', interface_uuid=interface_uuid,
                          network_type=network_type)

    def remove_interface_network(self, context, interface_network_uuid):
        return self._call(context, 'remove_interface_network',
                          version='1.4',
                          interface_network_uuid=interface_network_uuid)

    # 1.5: host maintenance (stx-mtce) and hardware sensors.

    def get_mtce_hosts(self, context, host_uuid=None):
        return self._call(context, 'get_mtce_hosts', version='1.5',
                          host_uuid=host_uuid)

    def update_host_state(self, context, host_uuid, values, expected=None):
        """Store maintenance's view of a host (see the conductor's).

        ``last_maintenance_action`` needs a 1.7 conductor. Below that cap
        it is left out, and logged here, so that the states, which an
        older conductor would refuse along with it, are still stored
        during a rolling upgrade.
        """
        version = '1.5'
        if 'last_maintenance_action' in values:
            if self.client.can_send_version('1.7'):
                version = '1.7'
            else:
                values = dict(values)
                LOG.warning('Host %(host)s: last_maintenance_action not '
                            'stored, the conductor RPC API is capped below '
                            '1.7: %(action)s',
                            {'host': host_uuid, 'action': values.pop(
                                'last_maintenance_action')})
        return self._call(context, 'update_host_state', version=version,
                          host_uuid=host_uuid, values=values,
                          expected=expected)

    def hwmon_sensors_update(self, context, host_uuid, sensors):
        return self._call(context, 'hwmon_sensors_update', version='1.5',
                          host_uuid=host_uuid, sensors=sensors)

    def hwmon_sensors_unreadable(self, context, host_uuid, reason):
        return self._call(context, 'hwmon_sensors_unreadable', version='1.5',
                          host_uuid=host_uuid, reason=reason)

    def update_sensorgroup(self, context, sensorgroup_uuid, values):
        return self._call(context, 'update_sensorgroup', version='1.5',
                          sensorgroup_uuid=sensorgroup_uuid, values=values)

    def update_sensor(self, context, sensor_uuid, values):
        return self._call(context, 'update_sensor', version='1.5',
                          sensor_uuid=sensor_uuid, values=values)

    # 1.6: host reinstall (stx-mtce).

    def host_reinstalling(self, context, host_uuid):
        return self._call(context, 'host_reinstalling', version='1.6',
                          host_uuid=host_uuid)
