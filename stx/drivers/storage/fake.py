"""FakeStorage: a storage backend that exists only in memory.

Its backend_config chooses what it reports (capacity, health), so tests
inject storage faults through configuration rather than by patching. Applied
configurations are recorded in a class-level list; ``FakeStorage.reset()``
clears it.
"""

import threading

from stx.common import exception
from stx.drivers.storage import base

DEFAULT_TOTAL_GIB = 1024.0


def _number(backend_config, key, default):
    value = backend_config.get(key, default)
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or
            value < 0):
        raise exception.InvalidParameterValue(
            field=key, reason='%r is not a non-negative number' % (value,))
    return float(value)


class FakeStorage(base.StorageDriver):
    """A storage driver that records what it applies."""

    #: Every backend_config apply() accepted, oldest first.
    applied = []
    _lock = threading.Lock()

    @classmethod
    def reset(cls):
        """Forget the applied configurations (for tests)."""
        with cls._lock:
            cls.applied.clear()

    def get_properties(self):
        """See :meth:`StorageDriver.get_properties`."""
        return {
            'total_gib': 'Capacity to report, in GiB (default %s). '
                         'Optional.' % DEFAULT_TOTAL_GIB,
            'used_gib': 'Space to report as used, in GiB (default 0). '
                        'Optional.',
            'health': 'Health status to report: %s (default ok). Optional.'
                      % ', '.join(base.HEALTH_STATUSES),
            'health_reason': 'Reason to report with a health other than '
                             'ok. Optional.',
        }

    def validate(self, backend_config):
        """See :meth:`StorageDriver.validate`."""
        if not isinstance(backend_config, dict):
            raise exception.InvalidParameterValue(
                field='backend_config', reason='expected a dict, got %s'
                % type(backend_config).__name__)
        total = _number(backend_config, 'total_gib', DEFAULT_TOTAL_GIB)
        used = _number(backend_config, 'used_gib', 0)
        if used > total:
            raise exception.InvalidParameterValue(
                field='used_gib', reason='%s exceeds total_gib %s'
                % (used, total))
        health = backend_config.get('health', base.HEALTH_OK)
        if health not in base.HEALTH_STATUSES:
            raise exception.InvalidParameterValue(
                field='health', reason='%r is not one of %s'
                % (health, ', '.join(base.HEALTH_STATUSES)))

    def apply(self, backend_config):
        """See :meth:`StorageDriver.apply`."""
        self.validate(backend_config)
        with self._lock:
            self.applied.append(dict(backend_config))

    def get_capacity(self, backend_config):
        """See :meth:`StorageDriver.get_capacity`."""
        self.validate(backend_config)
        total = _number(backend_config, 'total_gib', DEFAULT_TOTAL_GIB)
        used = _number(backend_config, 'used_gib', 0)
        return {'total_gib': total, 'free_gib': total - used}

    def get_health(self, backend_config):
        """See :meth:`StorageDriver.get_health`."""
        self.validate(backend_config)
        status = backend_config.get('health', base.HEALTH_OK)
        reason = ''
        if status != base.HEALTH_OK:
            reason = backend_config.get('health_reason',
                                        'fault injected (fake)')
        return {'status': status, 'reason': reason}
