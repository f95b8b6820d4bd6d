"""Maintenance's alarms and customer logs about hosts, through the fm client.

Maintenance never waits for fm: its client is asynchronous (a durable local
queue, DESIGN.md §8), so a slow or absent fm manager cannot hold up a power
action or an audit.
"""

import datetime

from oslo_log import log as logging

from stx.common import states
from stx.fm import client as fm_client

LOG = logging.getLogger(__name__)

# The fm client queue of stx-mtce (<[fm] client_queue_dir>/mtce.sqlite).
FM_CLIENT_NAME = 'mtce'

# Alarm and log ids maintenance raises (stx/fm/data/events.yaml).
CPU_USAGE = '100.101'
MEMORY_USAGE = '100.103'
FILESYSTEM_USAGE = '100.104'
HOST_LOCKED = '200.001'
HOST_FAILED = '200.004'
PROCESS_FAILED = '200.006'
MGMT_HEARTBEAT = '200.005'
CLUSTER_HOST_HEARTBEAT = '200.009'
BMC_ACCESS_FAILURE = '200.010'
SENSORS_UNREADABLE = '200.014'
SENSOR_OUT_OF_RANGE = '200.015'
SENSOR_OUT_OF_RANGE_LOG = '200.016'
HOST_STATE_CHANGE = '200.020'
HOST_ACTION = '200.021'
MULTI_NODE_FAILURE = '200.024'


# fm's limit on reason_text, and sysinv's on a host's task.
MAX_TEXT = 255
# The host field saying what maintenance last did on its own and why, and
# sysinv's limit on it.
LAST_ACTION = 'last_maintenance_action'
MAX_LAST_ACTION = 2048

clip = fm_client.clip


def explained(text):
    """The host values that record an automatic action: ``text``, stamped
    with the time (UTC), as its last maintenance action.
    """
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime(
        '%Y-%m-%dT%H:%M:%SZ')
    return {LAST_ACTION: clip('%s %s' % (stamp, text), MAX_LAST_ACTION)}


def host_entity(host):
    """The entity instance id of a host: ``host=<hostname>``."""
    return 'host=%s' % (host.get('hostname') or host['uuid'])


def network_entity(host, network):
    return '%s.network=%s' % (host_entity(host), network)


def sensor_entity(host, sensor_name):
    return '%s.sensor=%s' % (host_entity(host), sensor_name)


def process_entity(host, process):
    return '%s.process=%s' % (host_entity(host), process)


class HostFaults:
    """Raises, clears and logs about hosts; one per stx-mtce.

    :param fault_api: an fm_client.FaultAPIs; by default an asynchronous
        one, made on first use.
    """

    def __init__(self, fault_api=None):
        self._api = fault_api

    @property
    def api(self):
        if self._api is None:
            self._api = fm_client.FaultAPIs(mode=fm_client.MODE_ASYNC,
                                            name=FM_CLIENT_NAME)
        return self._api

    def close(self):
        if self._api is not None:
            self._api.close()
            self._api = None

    def raise_alarm(self, alarm_id, entity, severity, reason):
        self.api.set_fault(fm_client.Fault(
            alarm_id=alarm_id, alarm_state=fm_client.SET,
            entity_type_id='host', entity_instance_id=entity,
            severity=severity, reason_text=clip(reason)))

    def clear_alarm(self, alarm_id, entity):
        self.api.clear_fault(alarm_id, entity)

    def log(self, alarm_id, entity, reason,
            severity=states.SEVERITY_NOT_APPLICABLE):
        """Write a customer log to the event log."""
        self.api.set_event(fm_client.Fault(
            alarm_id=alarm_id, alarm_state=fm_client.LOG,
            entity_type_id='host', entity_instance_id=entity,
            severity=severity, reason_text=clip(reason)))

    def active(self, alarm_id):
        """The entity ids of the active alarms of ``alarm_id``; an empty
        set when fm does not answer (the next audit raises again what must
        be raised).
        """
        try:
            return {fault.entity_instance_id
                    for fault in self.api.get_faults_by_id(alarm_id)}
        except Exception as error:
            LOG.warning('Cannot read the active %(id)s alarms from fm: '
                        '%(error)s', {'id': alarm_id, 'error': error})
            return set()
