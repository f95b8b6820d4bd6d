"""LogNotifier: one line per alarm set, alarm clear and customer log.

The default notifier: it needs no configuration, and gives an operator who
reads the log (or ships it to a log collector) every alarm change. Like
StarlingX's ``fm-event.log``, the lines go to a file of their own,
``[fm] event_notify_file``, written directly: through the logging module
each line cost about as much as storing the alarm. Also home of
``alarm_fields``, the flat view of an event that the other notifiers format
from.
"""

import datetime
import os
import threading

from stx.common import exception
from stx.conf import CONF
from stx.fm.notifiers import base

OPERATION_SET = 'set'
OPERATION_CLEAR = 'clear'
OPERATION_LOG = 'log'
OPERATIONS = (OPERATION_SET, OPERATION_CLEAR, OPERATION_LOG)

_OPERATION_OF_EVENT_TYPE = {base.EVENT_ALARM_SET: OPERATION_SET,
                            base.EVENT_ALARM_CLEAR: OPERATION_CLEAR,
                            base.EVENT_LOG: OPERATION_LOG}

FIELDS = ('uuid', 'alarm_id', 'entity_instance_id', 'severity',
          'reason_text', 'timestamp', 'alarm_type', 'probable_cause',
          'proposed_repair_action', 'service_affecting', 'suppression')


def alarm_fields(event):
    """A flat dict of an event: 'operation' plus the FIELDS (None if absent).

    Accepts both event layouts fm uses: ``{'operation': 'set', 'alarm':
    {...}}`` (the fm design) and the flat one of stx.fm.notifiers.base
    (``event_type`` 'alarm-set'|'alarm-clear'|'log', ``id``...).

    :raises: InvalidParameterValue naming the field for a malformed event.
    """
    if not isinstance(event, dict):
        raise exception.InvalidParameterValue(
            field='event', reason='expected a dict, got %s'
            % type(event).__name__)
    if 'operation' in event:
        operation = event['operation']
        alarm = event.get('alarm')
        if not isinstance(alarm, dict):
            raise exception.InvalidParameterValue(
                field='alarm', reason='expected a dict')
    else:
        operation = _OPERATION_OF_EVENT_TYPE.get(event.get('event_type'))
        alarm = dict(event, alarm_id=event.get('id',
                                               event.get('alarm_id')))
    if operation not in OPERATIONS:
        raise exception.InvalidParameterValue(
            field='operation', reason='%r is not one of %s'
            % (event.get('operation', event.get('event_type')),
               ', '.join(OPERATIONS)))
    fields = {name: alarm.get(name) for name in FIELDS}
    if fields['alarm_id'] is None:
        fields['alarm_id'] = alarm.get('event_log_id')
    fields['operation'] = operation
    return fields


_LINE = ('%(now)s fm %(operation)s %(alarm_id)s %(entity_instance_id)s '
         'severity=%(severity)s uuid=%(uuid)s at %(timestamp)s: '
         '%(reason_text)s\n')


class LogNotifier(base.Notifier):
    """Appends a line per event to ``[fm] event_notify_file``.

    The file is reopened when it was moved or removed (rotated), and its
    directory created if missing.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._path = None
        # Unbuffered: each line is one write(2) with O_APPEND, whole in
        # the file even when another process appends too.
        self._file = None
        self._inode = None

    def get_properties(self):
        """See :meth:`Notifier.get_properties`."""
        return {'[fm] event_notify_file': 'Optional. The file the lines '
                                          'go to.'}

    def validate(self):
        """See :meth:`Notifier.validate`: always usable."""

    def notify(self, event):
        """See :meth:`Notifier.notify`.

        :raises: ServiceUnavailable if the file cannot be written.
        """
        fields = alarm_fields(event)
        fields['now'] = datetime.datetime.now(
            datetime.timezone.utc).isoformat(timespec='microseconds')
        line = (_LINE % fields).encode('utf-8', 'backslashreplace')
        with self._lock:
            try:
                self._open().write(line)
            except OSError as error:
                self._close()
                raise exception.ServiceUnavailable(
                    service='fm log notifier', reason='cannot write %s: %s'
                    % (CONF.fm.event_notify_file, error)) from None

    def _open(self):
        path = CONF.fm.event_notify_file
        if self._file is not None:
            try:
                inode = os.stat(path).st_ino
            except FileNotFoundError:
                inode = None
            if path == self._path and inode == self._inode:
                return self._file
            self._close()
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self._file = open(path, 'ab', buffering=0)
        self._path, self._inode = path, os.fstat(self._file.fileno()).st_ino
        return self._file

    def _close(self):
        if self._file is not None:
            self._file.close()
            self._file = None
