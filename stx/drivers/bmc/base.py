"""The BMC driver interface: power, boot device and sensors of one host.

A BMC driver talks to a host's board management controller (IPMI, Redfish,
...). It keeps no state of its own: every call gets ``bmc_info``, a dict
describing the BMC::

    {'address': '10.0.0.5',     # required: IP address or host name
     'port': 623,               # optional: the protocol's default otherwise
     'username': 'admin',       # required
     'password': 'secret'}      # required

Drivers may need more keys (the Redfish driver's optional ``system_id``,
say); ``get_properties()`` lists them.

When the BMC fails, drivers raise one of the ``BMCError`` family (all
``ServiceUnavailable``): ``BMCAccessDenied`` when it refuses the
credentials, ``BMCTimeout`` when it does not answer or does not confirm a
change in time, ``BMCError`` otherwise. No exception, log record or return
value ever carries the password.

The power states and targets, boot devices and sensor statuses below are the
interface's vocabulary: drivers translate their protocol's values to them.
"""

import abc

from stx.common import exception

# Power states get_power_state() reports.
POWER_ON = 'on'
POWER_OFF = 'off'
POWER_STATES = (POWER_ON, POWER_OFF)

# Targets set_power_state() accepts, besides POWER_ON and POWER_OFF: a hard
# reset, an off-then-on cycle, and an ACPI shutdown request to the OS.
POWER_RESET = 'reset'
POWER_CYCLE = 'cycle'
POWER_SOFT_OFF = 'soft-off'
POWER_TARGETS = (POWER_ON, POWER_OFF, POWER_RESET, POWER_CYCLE,
                 POWER_SOFT_OFF)

# Boot devices.
BOOT_DEVICE_NETWORK = 'network'
BOOT_DEVICE_DISK = 'disk'
BOOT_DEVICE_CDROM = 'cdrom'
BOOT_DEVICE_BIOS = 'bios'
BOOT_DEVICES = (BOOT_DEVICE_NETWORK, BOOT_DEVICE_DISK, BOOT_DEVICE_CDROM,
                BOOT_DEVICE_BIOS)

# Sensor statuses, from healthy to worst; they map onto alarm severities.
SENSOR_OK = 'ok'
SENSOR_MINOR = 'minor'
SENSOR_MAJOR = 'major'
SENSOR_CRITICAL = 'critical'
SENSOR_STATUSES = (SENSOR_OK, SENSOR_MINOR, SENSOR_MAJOR, SENSOR_CRITICAL)

# Keys of a sensor's 'thresholds' dict; a sensor reports those it has.
SENSOR_THRESHOLDS = ('lower_critical', 'lower_major', 'lower_minor',
                     'upper_minor', 'upper_major', 'upper_critical')

COMMON_PROPERTIES = {
    'address': 'IP address or host name of the BMC. Required.',
    'port': 'Port of the BMC; the protocol default if absent. Optional.',
    'username': 'User name to log in to the BMC. Required.',
    'password': 'Password to log in to the BMC. Required.',
}
_REQUIRED = ('address', 'username', 'password')


def check_bmc_info(bmc_info):
    """Check the keys every BMC driver needs; drivers' validate() calls it.

    :param bmc_info: the BMC description (see the module docstring).
    :raises: MissingParameterValue if address, username or password is
        absent or empty.
    :raises: InvalidParameterValue if bmc_info is not a dict or the port is
        not an integer from 1 to 65535.
    """
    if not isinstance(bmc_info, dict):
        raise exception.InvalidParameterValue(
            field='bmc_info', reason='expected a dict, got %s'
            % type(bmc_info).__name__)
    for key in _REQUIRED:
        if not bmc_info.get(key):
            raise exception.MissingParameterValue(
                field=key, reason='every BMC driver needs it')
    port = bmc_info.get('port')
    if port is None:
        return
    # bool is an int subclass, but True is never a port someone meant.
    if (isinstance(port, bool) or not isinstance(port, int) or
            not 1 <= port <= 65535):
        raise exception.InvalidParameterValue(
            field='port', reason='%r is not a port number (1-65535)'
            % (port,))


class BMCDriver(abc.ABC):
    """Power, boot device and sensors of a host through its BMC."""

    @abc.abstractmethod
    def get_properties(self):
        """Describe the bmc_info keys the driver uses.

        :returns: a dict of key name to a description that says whether it
            is required; includes ``COMMON_PROPERTIES``.
        """

    @abc.abstractmethod
    def validate(self, bmc_info):
        """Check that bmc_info has what the driver needs.

        Fast and without I/O: it never contacts the BMC.

        :param bmc_info: the BMC description (see the module docstring).
        :raises: MissingParameterValue if a required key is absent.
        :raises: InvalidParameterValue if a key has a value the driver cannot
            use.
        """

    @abc.abstractmethod
    def get_power_state(self, bmc_info):
        """Ask the BMC for the host's power state.

        :param bmc_info: the BMC description.
        :returns: ``POWER_ON`` or ``POWER_OFF``.
        :raises: InvalidParameterValue or MissingParameterValue if bmc_info
            is not valid.
        :raises: ServiceUnavailable (a BMCError) if the BMC does not answer
            or refuses the request.
        """

    @abc.abstractmethod
    def set_power_state(self, bmc_info, target, timeout=None):
        """Change the host's power state and wait until the BMC confirms it.

        A power action counts as done only when the BMC reports the expected
        state (``POWER_ON`` after on, reset and cycle; ``POWER_OFF`` after
        off and soft-off).

        :param bmc_info: the BMC description.
        :param target: one of ``POWER_TARGETS``.
        :param timeout: seconds to wait for the confirmation; the driver's
            default if None.
        :returns: the confirmed power state, ``POWER_ON`` or ``POWER_OFF``.
        :raises: InvalidParameterValue if target is not one of
            ``POWER_TARGETS``, timeout is not a positive number, or bmc_info
            is not valid.
        :raises: ServiceUnavailable (a BMCError) if the BMC does not answer,
            refuses the request or does not confirm the state within
            timeout (BMCTimeout).
        """

    @abc.abstractmethod
    def get_boot_device(self, bmc_info):
        """Ask the BMC which device the host boots from next.

        :param bmc_info: the BMC description.
        :returns: a dict ``{'boot_device': one of BOOT_DEVICES or None,
            'persistent': bool or None}``; None where the BMC cannot tell.
        :raises: InvalidParameterValue or MissingParameterValue if bmc_info
            is not valid.
        :raises: ServiceUnavailable if the BMC does not answer.
        """

    @abc.abstractmethod
    def set_boot_device(self, bmc_info, device, persistent=False):
        """Set the device the host boots from.

        :param bmc_info: the BMC description.
        :param device: one of ``BOOT_DEVICES``.
        :param persistent: True for every following boot, False for the next
            boot only.
        :raises: InvalidParameterValue if device is not one of
            ``BOOT_DEVICES`` or bmc_info is not valid.
        :raises: ServiceUnavailable if the BMC does not answer or refuses
            the request.
        """

    def get_sensors(self, bmc_info):
        """Read the host's sensors. Optional.

        :param bmc_info: the BMC description.
        :returns: a list of dicts, one per sensor: ``name`` (str),
            ``sensor_type`` (e.g. 'temperature', 'fan', 'voltage'),
            ``reading`` (number, or None if the sensor has none), ``units``
            (e.g. 'C', 'RPM', 'V'), ``status`` (one of ``SENSOR_STATUSES``)
            and ``thresholds`` (dict of ``SENSOR_THRESHOLDS`` keys it has to
            numbers).
        :raises: UnsupportedDriverExtension if the driver cannot read
            sensors (this default).
        :raises: ServiceUnavailable if the BMC does not answer.
        """
        raise exception.UnsupportedDriverExtension(
            driver=type(self).__name__, extension='sensors')
