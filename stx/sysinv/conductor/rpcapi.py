"""Client side of the sysinv conductor RPC API."""

import oslo_messaging as messaging

from stx.common import rpc
from stx.conf import CONF
from stx.objects import base as objects_base

TOPIC = 'stx-sysinv-conductor'


class ConductorAPI:
    """Calls the sysinv conductor, the only writer of sysinv's database.

    API version history:

    * 1.0 - Initial version: create_system, update_system, create_host,
      update_host, destroy_host, bulk_add_hosts.
    """

    RPC_API_VERSION = '1.0'

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
