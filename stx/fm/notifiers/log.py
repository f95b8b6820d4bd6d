"""LogNotifier: one log line per alarm set, alarm clear and customer log.

The default notifier: it needs no configuration, and gives an operator who
reads the manager's log (or ships it to a log collector) every alarm
change. Also home of ``alarm_fields``, the flat view of an event that the
other notifiers format from.
"""

from oslo_log import log as logging

from stx.common import exception
from stx.fm.notifiers import base

LOG = logging.getLogger(__name__)

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


class LogNotifier(base.Notifier):
    """Logs each event at INFO on ``stx.fm.notifiers.log``."""

    def get_properties(self):
        """See :meth:`Notifier.get_properties`: nothing to configure."""
        return {}

    def validate(self):
        """See :meth:`Notifier.validate`: always usable."""

    def notify(self, event):
        """See :meth:`Notifier.notify`."""
        fields = alarm_fields(event)
        LOG.info('fm %(operation)s %(alarm_id)s %(entity_instance_id)s '
                 'severity=%(severity)s uuid=%(uuid)s at %(timestamp)s: '
                 '%(reason_text)s', fields)
