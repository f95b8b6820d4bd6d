"""The storage backend driver interface (provisional).

A storage driver validates and applies one storage backend's configuration
(LVM, Ceph, Cinder, ...) and reports its capacity and health. Every call gets
``backend_config``, a dict whose keys the driver lists in
``get_properties()``. The interface stays small until the storage issues
that use it settle it.
"""

import abc

# Health statuses get_health() reports.
HEALTH_OK = 'ok'
HEALTH_WARNING = 'warning'
HEALTH_ERROR = 'error'
HEALTH_STATUSES = (HEALTH_OK, HEALTH_WARNING, HEALTH_ERROR)


class StorageDriver(abc.ABC):
    """Configure one storage backend and report its capacity and health."""

    @abc.abstractmethod
    def get_properties(self):
        """Describe the backend_config keys the driver uses.

        :returns: a dict of key name to a description that says whether it
            is required.
        """

    @abc.abstractmethod
    def validate(self, backend_config):
        """Check that backend_config has what the driver needs.

        Fast and without I/O: it never contacts the backend.

        :param backend_config: the backend's configuration dict.
        :raises: MissingParameterValue if a required key is absent.
        :raises: InvalidParameterValue if a key has a value the driver cannot
            use.
        """

    @abc.abstractmethod
    def apply(self, backend_config):
        """Configure the backend; applying the same config again is harmless.

        :param backend_config: the backend's configuration dict.
        :raises: InvalidParameterValue or MissingParameterValue if
            backend_config is not valid.
        :raises: ServiceUnavailable if the backend cannot be reached or
            refuses the configuration.
        """

    @abc.abstractmethod
    def get_capacity(self, backend_config):
        """Report the backend's capacity.

        :param backend_config: the backend's configuration dict.
        :returns: a dict ``{'total_gib': float, 'free_gib': float}``.
        :raises: InvalidParameterValue or MissingParameterValue if
            backend_config is not valid.
        :raises: ServiceUnavailable if the backend cannot be reached.
        """

    @abc.abstractmethod
    def get_health(self, backend_config):
        """Report the backend's health.

        :param backend_config: the backend's configuration dict.
        :returns: a dict ``{'status': one of HEALTH_STATUSES, 'reason':
            str}``; reason is empty when the status is ``HEALTH_OK``. An
            unreachable backend is reported as ``HEALTH_ERROR``, not raised.
        :raises: InvalidParameterValue or MissingParameterValue if
            backend_config is not valid.
        """
