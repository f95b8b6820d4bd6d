"""FakeNotifier: records every event it is asked to deliver, in memory.

Tests read ``FakeNotifier.events``; ``FakeNotifier.set_failure()`` makes
delivery fail so that fm's retries can be tested; ``FakeNotifier.reset()``
restores both.
"""

import copy
import threading

from stx.common import exception
from stx.fm.notifiers import base


class FakeNotifier(base.Notifier):
    """A notifier that appends events to a class-level list."""

    #: The events delivered, oldest first (copies).
    events = []
    _failure_reason = None
    _lock = threading.Lock()

    @classmethod
    def reset(cls):
        """Forget the recorded events and any injected failure."""
        with cls._lock:
            cls.events.clear()
            cls._failure_reason = None

    @classmethod
    def set_failure(cls, reason):
        """Make notify() fail with reason; None makes it succeed again."""
        with cls._lock:
            cls._failure_reason = reason

    def get_properties(self):
        """See :meth:`Notifier.get_properties`: nothing to configure."""
        return {}

    def validate(self):
        """See :meth:`Notifier.validate`: always usable."""

    def notify(self, event):
        """See :meth:`Notifier.notify`."""
        if not isinstance(event, dict):
            raise exception.InvalidParameterValue(
                field='event', reason='expected a dict, got %s'
                % type(event).__name__)
        if event.get('event_type') not in base.EVENT_TYPES:
            raise exception.InvalidParameterValue(
                field='event_type', reason='%r is not one of %s'
                % (event.get('event_type'), ', '.join(base.EVENT_TYPES)))
        with self._lock:
            if self._failure_reason is not None:
                raise exception.ServiceUnavailable(
                    service='fake notifier', reason=self._failure_reason)
            # A copy, so the test sees what was delivered even if the
            # caller reuses its dict.
            self.events.append(copy.deepcopy(event))
