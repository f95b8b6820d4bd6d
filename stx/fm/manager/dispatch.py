"""Deliver committed alarm changes to the enabled northbound notifiers.

The writer hands each batch's changes over after commit; one thread here
delivers them, so a slow or unreachable notifier (an SNMP manager, a
webhook) never holds up writes. The queue is bounded: when notifiers fall
that far behind, the oldest change is dropped, logged and counted rather
than letting memory grow without end.
"""

import collections
import threading

from oslo_log import log as logging

from stx.drivers import loader

LOG = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE = 10000


class Dispatcher:
    """A bounded queue of events and the thread that delivers them.

    :param make_event: turns what put() was given into the notifier
        event, on the delivery thread: the writer hands its changes over
        as they are and goes on with the next batch.
    """

    def __init__(self, max_queued=DEFAULT_QUEUE_SIZE, make_event=None):
        self._max_queued = max_queued
        self._make_event = make_event or (lambda event: event)
        self._events = collections.deque()
        self._changed = threading.Condition()
        self._busy = False
        self._stopping = False
        self._thread = None
        #: Events dropped because the queue was full, and deliveries that
        #: a notifier refused.
        self.dropped = 0
        self.failures = 0

    def start(self):
        if self._thread is not None:
            return
        self._stopping = False
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='fm-notifier')
        self._thread.start()

    def stop(self):
        if self._thread is None:
            return
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        self._thread.join()
        self._thread = None

    def put(self, events):
        """Queue events (as make_event takes them); never blocks."""
        if not events:
            return
        with self._changed:
            for event in events:
                if len(self._events) >= self._max_queued:
                    dropped = self._make_event(self._events.popleft())
                    self.dropped += 1
                    LOG.warning('fm notification queue full: dropped '
                                '%(type)s of %(id)s on %(eid)s',
                                {'type': dropped['event_type'],
                                 'id': dropped['id'],
                                 'eid': dropped['entity_instance_id']})
                self._events.append(event)
            self._changed.notify_all()

    def wait_idle(self, timeout=10.0):
        """Wait until every queued event was handed to the notifiers.

        :returns: True if idle, False on timeout.
        """
        with self._changed:
            return self._changed.wait_for(
                lambda: not self._events and not self._busy, timeout)

    def _run(self):
        while True:
            with self._changed:
                self._busy = False
                self._changed.notify_all()
                self._changed.wait_for(
                    lambda: self._events or self._stopping)
                if not self._events:
                    return
                event = self._events.popleft()
                self._busy = True
            self._deliver(self._make_event(event))

    def _deliver(self, event):
        # Enabled notifiers are looked up per event, so that a change of
        # configuration (or a test's) takes effect without a restart.
        for name in loader.enabled(loader.NOTIFIER):
            try:
                loader.load(loader.NOTIFIER, name).notify(event)
            except Exception as error:
                self.failures += 1
                LOG.warning('fm notifier %(name)s could not deliver '
                            '%(type)s of %(id)s on %(eid)s: %(error)s',
                            {'name': name, 'type': event['event_type'],
                             'id': event['id'],
                             'eid': event['entity_instance_id'],
                             'error': error})
