"""Client side of the stx-fm-manager RPC API."""

import oslo_messaging as messaging

from stx.common import rpc
from stx.conf import CONF

TOPIC = 'stx-fm'


class FMAPI:
    """Calls stx-fm-manager, the only writer of the fm database.

    Arguments and results are plain dicts and lists (timestamps as ISO
    8601 text), so no object serializer is needed.

    API version history:

    * 1.0 - Initial version: set_faults, clear_faults, clear_all,
      set_events, apply, delete_alarm, update_suppression, get_faults,
      ping.
    """

    RPC_API_VERSION = '1.0'

    def __init__(self, timeout=None, topic=TOPIC):
        target = messaging.Target(topic=topic, version='1.0')
        self.client = rpc.get_client(
            target, version_cap=CONF.upgrade_levels.fm,
            timeout=timeout or CONF.fm.rpc_timeout)

    def _call(self, context, method, version='1.0', **kwargs):
        return rpc.call(self.client, context, method, 'stx-fm-manager',
                        version=version, **kwargs)

    def set_faults(self, context, faults):
        """:returns: the alarm uuids, in the order of faults."""
        return self._call(context, 'set_faults', faults=faults)

    def clear_faults(self, context, keys):
        """:param keys: [alarm_id, entity_instance_id] pairs.

        :returns: one bool per key, True if an alarm was cleared.
        """
        return self._call(context, 'clear_faults',
                          keys=[list(key) for key in keys])

    def clear_all(self, context, entity_instance_id):
        """:returns: how many alarms were cleared."""
        return self._call(context, 'clear_all',
                          entity_instance_id=entity_instance_id)

    def apply(self, context, operations):
        """Operations of several kinds in one call; see FMManager.apply."""
        return self._call(context, 'apply', operations=operations)

    def set_events(self, context, events):
        """:returns: the event log uuids, in the order of events."""
        return self._call(context, 'set_events', events=events)

    def delete_alarm(self, context, uuid):
        return self._call(context, 'delete_alarm', uuid=uuid)

    def update_suppression(self, context, uuid, status):
        return self._call(context, 'update_suppression', uuid=uuid,
                          status=status)

    def get_faults(self, context, entity_instance_id=None, alarm_id=None):
        return self._call(context, 'get_faults',
                          entity_instance_id=entity_instance_id,
                          alarm_id=alarm_id)

    def ping(self, context):
        return self._call(context, 'ping')
