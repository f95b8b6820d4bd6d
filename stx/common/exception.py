"""stx-flock's exceptions.

Every error an operator or a client can see is a ``StxException``: it carries
an HTTP status (``code``), a machine-readable error code (``error_code``,
e.g. ``stx.host.not_found``) that clients can branch on, and, when one input
is at fault, the name of that input (``field``). The API turns them into
StarlingX's error body; the CLI prints ``faultstring`` on one line.

Exceptions cross RPC: oslo.messaging rebuilds them on the caller from their
keyword arguments, so every keyword argument must be a plain value.
"""

import http.client

from oslo_log import log as logging

LOG = logging.getLogger(__name__)


class StxException(Exception):
    """Base class: format ``msg_fmt`` with the keyword arguments.

    :param message: a ready message, overriding ``msg_fmt``.
    :param field: the input at fault (also accepted as a keyword argument).
    """

    msg_fmt = 'An unknown error occurred.'
    code = http.client.INTERNAL_SERVER_ERROR
    error_code = 'stx.error'
    #: Whether the message may be shown to a client of the API. Server-side
    #: failures are logged and replaced by a generic text instead.
    safe = True

    def __init__(self, message=None, **kwargs):
        self.kwargs = {key: _plain(value) for key, value in kwargs.items()}
        self.field = self.kwargs.get('field')
        if not message:
            try:
                message = self.msg_fmt % self.kwargs
            except (KeyError, TypeError, ValueError):
                LOG.exception('Cannot format %(cls)s with %(kwargs)s',
                              {'cls': type(self).__name__,
                               'kwargs': self.kwargs})
                message = self.msg_fmt
        self.message = message
        super().__init__(message)

    def __str__(self):
        return self.message


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# 4xx: the request is at fault.

class Invalid(StxException):
    msg_fmt = 'Invalid request: %(reason)s'
    code = http.client.BAD_REQUEST
    error_code = 'stx.invalid'


class InvalidParameterValue(Invalid):
    msg_fmt = "Invalid value for '%(field)s': %(reason)s"
    error_code = 'stx.invalid.value'


class UnknownAlarmId(InvalidParameterValue):
    msg_fmt = "'%(alarm_id)s' is not in the alarm catalogue."
    error_code = 'stx.alarm.unknown_id'


class MissingParameterValue(Invalid):
    msg_fmt = "'%(field)s' is required: %(reason)s"
    error_code = 'stx.invalid.missing'


class ReadOnlyField(Invalid):
    msg_fmt = "'%(field)s' cannot be changed."
    error_code = 'stx.invalid.read_only'


class UnknownField(Invalid):
    msg_fmt = "Unknown attribute '%(field)s'."
    error_code = 'stx.invalid.unknown_field'


class InvalidBulkFile(Invalid):
    msg_fmt = 'Invalid host bulk-add file: %(reason)s'
    error_code = 'stx.host.bulk_add.invalid'


class InventoryReportInvalid(InvalidParameterValue):
    """An agent's inventory report the conductor refuses as a whole."""

    msg_fmt = ("Inventory report of host %(host)s refused: invalid "
               "'%(field)s': %(reason)s")
    error_code = 'stx.inventory.report_invalid'


class HostUnlockBlocked(Invalid):
    """Every reason a host cannot be unlocked yet (unlock_blockers)."""

    msg_fmt = 'Cannot unlock %(host)s: %(reasons)s'
    error_code = 'stx.host.unlock_blocked'


class RequestTooLarge(StxException):
    msg_fmt = 'Request body of %(size)s bytes exceeds the limit of %(limit)s.'
    code = http.client.REQUEST_ENTITY_TOO_LARGE
    error_code = 'stx.request.too_large'


class NotAuthorized(StxException):
    msg_fmt = 'Not authorized.'
    code = http.client.FORBIDDEN
    error_code = 'stx.forbidden'


class NotFound(StxException):
    msg_fmt = 'Resource could not be found.'
    code = http.client.NOT_FOUND
    error_code = 'stx.not_found'


class HostNotFound(NotFound):
    msg_fmt = 'Host %(host)s could not be found.'
    error_code = 'stx.host.not_found'


class AlarmNotFound(NotFound):
    msg_fmt = 'Alarm %(alarm)s could not be found.'
    error_code = 'stx.alarm.not_found'


class EventNotFound(NotFound):
    msg_fmt = 'Event %(event)s could not be found.'
    error_code = 'stx.event.not_found'


class SuppressionNotFound(NotFound):
    msg_fmt = 'Event suppression %(suppression)s could not be found.'
    error_code = 'stx.event_suppression.not_found'


class SystemNotFound(NotFound):
    msg_fmt = 'System %(system)s could not be found.'
    error_code = 'stx.system.not_found'


class NodeNotFound(NotFound):
    msg_fmt = 'NUMA node %(node)s could not be found.'
    error_code = 'stx.node.not_found'


class CPUNotFound(NotFound):
    msg_fmt = 'CPU %(cpu)s could not be found.'
    error_code = 'stx.cpu.not_found'


class MemoryNotFound(NotFound):
    msg_fmt = 'Memory %(memory)s could not be found.'
    error_code = 'stx.memory.not_found'


class DiskNotFound(NotFound):
    msg_fmt = 'Disk %(disk)s could not be found.'
    error_code = 'stx.disk.not_found'


class PortNotFound(NotFound):
    msg_fmt = 'Port %(port)s could not be found.'
    error_code = 'stx.port.not_found'


class PCIDeviceNotFound(NotFound):
    msg_fmt = 'PCI device %(pci_device)s could not be found.'
    error_code = 'stx.pci_device.not_found'


class LabelNotFound(NotFound):
    msg_fmt = 'Label %(label)s could not be found.'
    error_code = 'stx.label.not_found'


class InterfaceNotFound(NotFound):
    msg_fmt = 'Interface %(interface)s could not be found.'
    error_code = 'stx.interface.not_found'


class InterfaceNetworkNotFound(NotFound):
    msg_fmt = 'Interface network %(interface_network)s could not be found.'
    error_code = 'stx.interface_network.not_found'


class SensorNotFound(NotFound):
    msg_fmt = 'Sensor %(sensor)s could not be found.'
    error_code = 'stx.sensor.not_found'


class SensorGroupNotFound(NotFound):
    msg_fmt = 'Sensor group %(sensorgroup)s could not be found.'
    error_code = 'stx.sensorgroup.not_found'


class Conflict(StxException):
    msg_fmt = 'Conflict: %(reason)s'
    code = http.client.CONFLICT
    error_code = 'stx.conflict'


class HostAlreadyExists(Conflict):
    msg_fmt = "A host with %(field)s '%(value)s' already exists."
    error_code = 'stx.host.duplicate'


class HostIdentityConflict(Conflict):
    """An agent whose MACs name one host and whose hostname another."""

    msg_fmt = ("Host identity conflict: management MAC %(mac)s belongs to "
               "host %(host)s, but hostname '%(hostname)s' belongs to host "
               "%(other)s.")
    error_code = 'stx.host.identity_conflict'


class LabelAlreadyExists(Conflict):
    msg_fmt = ("Host %(host)s already has label '%(key)s' "
               "(= '%(value)s'); assign it with overwrite to change it.")
    error_code = 'stx.label.duplicate'


class SystemAlreadyExists(Conflict):
    msg_fmt = 'The system already exists (%(system)s); there is only one.'
    error_code = 'stx.system.exists'


class InvalidStateTransition(Conflict):
    """A state change that the current state does not allow; says why."""

    msg_fmt = 'Cannot %(action)s %(target)s: %(reason)s'
    error_code = 'stx.state.transition_refused'


class HostNotLocked(InvalidStateTransition):
    """A change that takes effect only when the host boots, asked of an
    unlocked (running) host.
    """

    msg_fmt = ('Cannot change the %(what)s of host %(host)s: it is unlocked. '
               'The %(what)s is applied when the host boots; lock it first.')
    error_code = 'stx.host.not_locked'


class HostActionInProgress(InvalidStateTransition):
    msg_fmt = ("Cannot %(action)s %(target)s: '%(task)s' is in progress; "
               'wait for it to finish.')
    error_code = 'stx.host.action_in_progress'


class OperationNotPermitted(Conflict):
    msg_fmt = 'Operation not permitted: %(reason)s'
    error_code = 'stx.not_permitted'


# 5xx: the service is at fault or unavailable.

class ServiceUnavailable(StxException):
    msg_fmt = '%(service)s is not available: %(reason)s'
    code = http.client.SERVICE_UNAVAILABLE
    error_code = 'stx.service.unavailable'


class BMCError(ServiceUnavailable):
    """A BMC did not do what was asked. Never carries credentials."""
    msg_fmt = 'BMC %(address)s: %(reason)s'
    error_code = 'stx.bmc.error'


class BMCAccessDenied(BMCError):
    """The BMC refused the configured user name or password."""
    msg_fmt = 'BMC %(address)s refused the credentials: %(reason)s'
    error_code = 'stx.bmc.access_denied'


class BMCTimeout(BMCError):
    """The BMC did not answer, or did not confirm a change, in time."""
    msg_fmt = 'BMC %(address)s did not answer in time: %(reason)s'
    error_code = 'stx.bmc.timeout'


class MaintenanceUnavailable(ServiceUnavailable):
    msg_fmt = ("Host action '%(action)s' cannot be carried out: no host "
               'maintenance service (stx-mtce) is available.')
    error_code = 'stx.mtce.unavailable'


# Plugins.

class DriverNotFound(StxException):
    msg_fmt = ("No plugin '%(name)s' in namespace %(namespace)s; "
               'installed: %(installed)s.')
    error_code = 'stx.driver.not_found'


class DriverNotEnabled(InvalidParameterValue):
    msg_fmt = ("'%(name)s' is not an enabled %(family)s driver; enabled: "
               '%(enabled)s.')
    error_code = 'stx.driver.not_enabled'


class DriverLoadError(StxException):
    msg_fmt = ("Plugin '%(name)s' in namespace %(namespace)s could not be "
               'loaded: %(reason)s')
    error_code = 'stx.driver.load_error'


class UnsupportedDriverExtension(Invalid):
    msg_fmt = "Driver '%(driver)s' does not support %(extension)s."
    error_code = 'stx.driver.unsupported'


# Secrets.

class SecretKeyError(StxException):
    msg_fmt = 'Secret key problem: %(reason)s'
    safe = False
    error_code = 'stx.secret.key'
