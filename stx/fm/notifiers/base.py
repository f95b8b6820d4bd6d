"""The notifier interface: delivering alarms and events northbound.

fm hands every alarm set, alarm clear and customer log to each enabled
notifier (SNMP trap, webhook, log, ...), which delivers it to whatever
watches the cloud from outside. ``event`` is a dict::

    {'event_type': 'alarm-set',          # one of EVENT_TYPES
     'id': '200.004',                    # alarm id or event log id
     'entity_instance_id': 'host=worker-0',
     'severity': 'critical',             # one of states.SEVERITIES
     'reason_text': 'worker-0 experienced a service-affecting failure.',
     'timestamp': '2024-05-01T12:00:00.000000Z',   # ISO 8601, UTC
     'operation': 'set',                 # set | clear | log
     'alarm': {...}}                     # every field of the alarm or log

An alarm clear carries the severity of the alarm it clears. Notifiers that
forward whole records (webhook) send ``alarm``; others need only the flat
fields.
"""

import abc

EVENT_ALARM_SET = 'alarm-set'
EVENT_ALARM_CLEAR = 'alarm-clear'
EVENT_LOG = 'log'
EVENT_TYPES = (EVENT_ALARM_SET, EVENT_ALARM_CLEAR, EVENT_LOG)


class Notifier(abc.ABC):
    """Deliver alarm and event notifications to one northbound target."""

    @abc.abstractmethod
    def get_properties(self):
        """Describe the configuration the notifier uses.

        :returns: a dict of option name to a description that says whether
            it is required.
        """

    @abc.abstractmethod
    def validate(self):
        """Check that the notifier's configuration is usable.

        Fast and without I/O: it never contacts the target.

        :raises: MissingParameterValue if something required is not
            configured.
        :raises: InvalidParameterValue if a configured value cannot be used.
        """

    @abc.abstractmethod
    def notify(self, event):
        """Deliver one event.

        :param event: the alarm change or log (see the module docstring).
        :returns: None, once the target has accepted the event.
        :raises: InvalidParameterValue if event is malformed.
        :raises: ServiceUnavailable if the event could not be delivered; fm
            logs and counts the failure and goes on with the next event
            (a notifier that should retry, like the webhook, does so
            itself).
        """
