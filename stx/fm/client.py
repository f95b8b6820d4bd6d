"""The fm client library: how services raise and clear alarms.

Maintenance, service management and sysinv raise alarms through
``FaultAPIs``. A fault is checked against the alarm catalogue locally and
refused at once when it is bad. Then it is written to a durable queue on
disk (stx.fm.queue) before anything is sent, and a background sender
delivers the queue to stx-fm-manager in order, so nothing is lost when the
manager, the broker or the caller dies, and no call overtakes an earlier
one.

Two modes:

* ``async`` never blocks: a set or clear returns None as soon as it is on
  disk (a few milliseconds).
* ``sync`` waits at most ``timeout`` seconds ([fm] client_timeout, 2 s)
  for the manager to commit the operation, and returns its result (the
  alarm's uuid for a set) -- or None when the manager did not answer in
  time, in which case the operation stays queued and is replayed later.

Replays are harmless: sets and clears are idempotent in the manager. Reads
(get_fault, get_faults...) ask the manager directly and see only what it
has committed, not what is still queued here.
"""

import datetime
import os
import time

from stx.common import context as stx_context
from stx.common import exception
from stx.common import rpc
from stx.conf import CONF
from stx.fm import catalogue
from stx.fm.manager import rpcapi
from stx.fm import queue as fm_queue

SET = catalogue.STATE_SET
CLEAR = catalogue.STATE_CLEAR
LOG = catalogue.STATE_LOG
MSG = catalogue.STATE_MSG

MODE_SYNC = 'sync'
MODE_ASYNC = 'async'
MODES = (MODE_SYNC, MODE_ASYNC)


def clip(text, limit=catalogue.MAX_TEXT):
    """``text`` cut to ``limit`` characters (by default the longest
    reason_text fm takes), ending with "..." if cut.
    """
    return text if len(text) <= limit else text[:limit - 3] + '...'


DEFAULT_NAME = 'fm-client'

FIELDS = ('alarm_id', 'alarm_state', 'entity_type_id', 'entity_instance_id',
          'severity', 'reason_text', 'alarm_type', 'probable_cause',
          'proposed_repair_action', 'service_affecting', 'suppression',
          'uuid', 'timestamp')


class Fault:
    """One alarm or customer log, as a service raises it."""

    def __init__(self, alarm_id, alarm_state, entity_type_id,
                 entity_instance_id, severity, reason_text,
                 alarm_type=None, probable_cause=None,
                 proposed_repair_action=None, service_affecting=None,
                 suppression=None, uuid=None, timestamp=None):
        self.alarm_id = alarm_id
        self.alarm_state = alarm_state
        self.entity_type_id = entity_type_id
        self.entity_instance_id = entity_instance_id
        self.severity = severity
        self.reason_text = reason_text
        self.alarm_type = alarm_type
        self.probable_cause = probable_cause
        self.proposed_repair_action = proposed_repair_action
        self.service_affecting = service_affecting
        self.suppression = suppression
        self.uuid = uuid
        self.timestamp = timestamp

    def to_dict(self):
        """The fields that are set (None means: the catalogue's default)."""
        return {name: getattr(self, name) for name in FIELDS
                if getattr(self, name) is not None}

    @classmethod
    def from_dict(cls, data):
        """A Fault from a dict; keys that are not fault fields are ignored.

        Accepts the manager's alarm dicts (which also carry id, masked...)
        and its event dicts (event_log_id, state, event_log_type).
        """
        values = {name: data.get(name) for name in FIELDS}
        values['alarm_id'] = values['alarm_id'] or data.get('event_log_id')
        values['alarm_state'] = values['alarm_state'] or data.get('state')
        values['alarm_type'] = (values['alarm_type']
                                or data.get('event_log_type'))
        return cls(**values)

    def __eq__(self, other):
        return isinstance(other, Fault) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return 'Fault(%s)' % ', '.join(
            '%s=%r' % item for item in sorted(self.to_dict().items()))


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None).isoformat(timespec='microseconds')


class FaultAPIs:
    """Raise, clear and read alarms; see the module docstring.

    :param conf: the configuration ([fm] client_timeout, client_queue_dir).
    :param mode: 'sync' (wait up to timeout for the manager) or 'async'
        (never wait).
    :param timeout: seconds a sync call waits; default [fm] client_timeout.
    :param queue_dir: directory of the durable queue; default [fm]
        client_queue_dir (under the caller's state_path).
    :param name: the queue file's name, one per calling process or service
        ('<queue_dir>/<name>.sqlite'). FaultAPIs of one process sharing a
        name share the queue and its sender.
    :param topic: the manager's RPC topic (tests point it elsewhere).
    :raises: Conflict if another process holds the queue file.
    """

    def __init__(self, conf=CONF, mode=MODE_SYNC, timeout=None,
                 queue_dir=None, name=DEFAULT_NAME, topic=rpcapi.TOPIC):
        if mode not in MODES:
            raise ValueError('mode must be one of %s, not %r'
                             % (', '.join(MODES), mode))
        self.mode = mode
        self.timeout = float(timeout or conf.fm.client_timeout)
        queue_dir = queue_dir or conf.fm.client_queue_dir
        self.queue_path = os.path.abspath(
            os.path.join(queue_dir, name + '.sqlite'))
        rpc.init(conf)
        # A sender's call may outlast a sync caller's patience: it is not
        # abandoned, so a slow manager still gets each operation once.
        self._sender = fm_queue.acquire(self.queue_path, topic,
                                        max(self.timeout, 2.0))
        self._reader = rpcapi.FMAPI(timeout=self.timeout, topic=topic)
        self._closed = False

    # Writes.

    def set_fault(self, fault):
        """Raise (or update) an alarm.

        :param fault: a Fault (or dict) with alarm_state 'set'.
        :returns: the alarm's uuid once fm has committed it; None in async
            mode, or when fm did not answer within the timeout (the set is
            queued and will be delivered).
        :raises: UnknownAlarmId, InvalidParameterValue,
            MissingParameterValue for a fault the catalogue refuses.
        """
        return self._submit('set_faults', self._validated(fault, SET))

    def set_event(self, fault):
        """Write a customer log (a Log id of the catalogue).

        :returns: the event's uuid, or None as for set_fault.
        """
        state = _get(fault, 'alarm_state') or LOG
        if state not in (LOG, MSG):
            raise exception.InvalidParameterValue(
                field='alarm_state', reason='%r is not a log state' % state)
        return self._submit('set_events', self._validated(fault, state))

    def clear_fault(self, alarm_id, entity_instance_id):
        """Clear one alarm.

        :returns: True if an alarm was cleared, False if none was active;
            None in async mode or when fm did not answer in time.
        """
        _check_known(alarm_id)
        _check_eid(entity_instance_id)
        return self._submit('clear_faults', [alarm_id, entity_instance_id])

    def clear_all(self, entity_instance_id):
        """Clear every alarm of an entity and of the entities below it.

        :returns: how many were cleared; None as for clear_fault.
        """
        _check_eid(entity_instance_id)
        return self._submit(fm_queue.CLEAR_ALL, entity_instance_id)

    # Reads: straight to the manager, bounded by the timeout.

    def get_fault(self, alarm_id, entity_instance_id):
        """The active alarm, or None.

        :raises: ServiceUnavailable if fm does not answer in time.
        """
        faults = self._get_faults(entity_instance_id=entity_instance_id,
                                  alarm_id=alarm_id)
        for fault in faults:
            if fault.entity_instance_id == entity_instance_id:
                return fault
        return None

    def get_faults(self, entity_instance_id):
        """The active alarms of one entity."""
        return self._get_faults(entity_instance_id=entity_instance_id)

    def get_faults_by_id(self, alarm_id):
        """The active alarms of one alarm id, on any entity."""
        return self._get_faults(alarm_id=alarm_id)

    # The queue.

    @property
    def queue_depth(self):
        """Operations on disk not yet acknowledged by fm."""
        return self._sender.depth

    def flush(self, timeout=None):
        """Wait until the queue is empty; False if it was not in time."""
        return self._sender.flush(self.timeout if timeout is None
                                  else timeout)

    def close(self):
        """Stop using the queue; what is left in it stays on disk."""
        if not self._closed:
            self._closed = True
            fm_queue.release(self._sender)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _validated(self, fault, state):
        data = fault.to_dict() if isinstance(fault, Fault) else dict(fault)
        # Stamped now, so a set that waits in the queue keeps its real time.
        data.setdefault('timestamp', _now())
        data.pop('uuid', None)
        return catalogue.validate_fault(catalogue.get_catalogue(), data,
                                        state)

    def _submit(self, method, arg):
        if self._closed:
            raise ValueError('this FaultAPIs is closed')
        op = {'method': method, 'arg': arg}
        if self.mode == MODE_ASYNC:
            self._sender.submit(op)
            return None
        deadline = time.monotonic() + self.timeout
        seq = self._sender.submit(op, wait=True)
        return self._sender.wait(seq, deadline)

    def _get_faults(self, **filters):
        rows = self._reader.get_faults(stx_context.get_admin_context(),
                                       **filters)
        return [Fault.from_dict(row) for row in rows]


def _get(fault, name):
    if isinstance(fault, Fault):
        return getattr(fault, name)
    return fault.get(name) if isinstance(fault, dict) else None


def _check_known(alarm_id):
    if catalogue.get_catalogue().get(alarm_id) is None:
        raise exception.UnknownAlarmId(alarm_id=alarm_id, field='alarm_id')


def _check_eid(entity_instance_id):
    if (not isinstance(entity_instance_id, str)
            or not catalogue._EID_FORMAT.match(entity_instance_id)):
        raise exception.InvalidParameterValue(
            field='entity_instance_id',
            reason='%r is not key=value(.key=value)*' % (entity_instance_id,))
