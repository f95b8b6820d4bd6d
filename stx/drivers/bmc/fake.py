"""FakeBMC: BMC machines that exist only in memory, for tests and demos.

Every FakeBMC instance sees the same machines, keyed by BMC address, so a
test can power a host off through one driver instance and observe it through
another (the conductor's and the power-sync audit's, say). A machine appears,
powered on and booting from disk, the first time its address is used.
Tests call ``FakeBMC.reset()`` to forget every machine, and
``FakeBMC.set_reachable()`` to make a BMC stop answering.
"""

import threading

from oslo_log import log as logging

from stx.common import exception
from stx.drivers.bmc import base

LOG = logging.getLogger(__name__)

# The state each target leaves the machine in, once "confirmed".
_RESULTING_STATE = {
    base.POWER_ON: base.POWER_ON,
    base.POWER_OFF: base.POWER_OFF,
    base.POWER_RESET: base.POWER_ON,
    base.POWER_CYCLE: base.POWER_ON,
    base.POWER_SOFT_OFF: base.POWER_OFF,
}


def _new_machine():
    return {'power_state': base.POWER_ON,
            'boot_device': base.BOOT_DEVICE_DISK,
            'persistent': True,
            'reachable': True}


class FakeBMC(base.BMCDriver):
    """A BMC driver whose machines live in a class-level dict."""

    # Shared by all instances (see the module docstring); guarded by _lock
    # because the API, conductor and audits call drivers from many threads.
    _machines = {}
    _lock = threading.Lock()

    @classmethod
    def reset(cls):
        """Forget every fake machine (for tests)."""
        with cls._lock:
            cls._machines.clear()

    @classmethod
    def set_reachable(cls, address, reachable):
        """Make the BMC at address answer (True) or time out (False).

        :param address: the BMC address, as in bmc_info['address'].
        :param reachable: whether later calls for that address succeed.
        """
        with cls._lock:
            machine = cls._machines.setdefault(address, _new_machine())
            machine['reachable'] = bool(reachable)

    def _machine(self, bmc_info):
        """Validate bmc_info and return its machine; call with _lock held."""
        self.validate(bmc_info)
        address = bmc_info['address']
        machine = self._machines.setdefault(address, _new_machine())
        if not machine['reachable']:
            raise exception.ServiceUnavailable(
                service='BMC %s' % address, reason='no answer (fake)')
        return machine

    def get_properties(self):
        """See :meth:`BMCDriver.get_properties`."""
        return dict(base.COMMON_PROPERTIES)

    def validate(self, bmc_info):
        """See :meth:`BMCDriver.validate`."""
        base.check_bmc_info(bmc_info)

    def get_power_state(self, bmc_info):
        """See :meth:`BMCDriver.get_power_state`."""
        with self._lock:
            return self._machine(bmc_info)['power_state']

    def set_power_state(self, bmc_info, target, timeout=None):
        """See :meth:`BMCDriver.set_power_state`; takes effect at once."""
        if target not in base.POWER_TARGETS:
            raise exception.InvalidParameterValue(
                field='target', reason='%r is not one of %s'
                % (target, ', '.join(base.POWER_TARGETS)))
        if timeout is not None and (
                isinstance(timeout, bool) or
                not isinstance(timeout, (int, float)) or timeout <= 0):
            raise exception.InvalidParameterValue(
                field='timeout', reason='%r is not a positive number of '
                'seconds' % (timeout,))
        with self._lock:
            machine = self._machine(bmc_info)
            machine['power_state'] = _RESULTING_STATE[target]
            state = machine['power_state']
        LOG.debug('Fake BMC %(address)s: power %(target)s, now %(state)s',
                  {'address': bmc_info['address'], 'target': target,
                   'state': state})
        return state

    def get_boot_device(self, bmc_info):
        """See :meth:`BMCDriver.get_boot_device`."""
        with self._lock:
            machine = self._machine(bmc_info)
            return {'boot_device': machine['boot_device'],
                    'persistent': machine['persistent']}

    def set_boot_device(self, bmc_info, device, persistent=False):
        """See :meth:`BMCDriver.set_boot_device`."""
        if device not in base.BOOT_DEVICES:
            raise exception.InvalidParameterValue(
                field='device', reason='%r is not one of %s'
                % (device, ', '.join(base.BOOT_DEVICES)))
        with self._lock:
            machine = self._machine(bmc_info)
            machine['boot_device'] = device
            machine['persistent'] = bool(persistent)

    def get_sensors(self, bmc_info):
        """See :meth:`BMCDriver.get_sensors`: a temperature and a fan.

        A powered-off machine's fan stands still, with no status to report
        against its thresholds.
        """
        with self._lock:
            powered_on = (self._machine(bmc_info)['power_state'] ==
                          base.POWER_ON)
        return [
            {'name': 'Inlet Temp', 'sensor_type': 'temperature',
             'reading': 24.0 if powered_on else 21.0, 'units': 'C',
             'status': base.SENSOR_OK,
             'thresholds': {'upper_minor': 38.0, 'upper_major': 42.0,
                            'upper_critical': 45.0}},
            {'name': 'Fan 1', 'sensor_type': 'fan',
             'reading': 5400.0 if powered_on else 0.0, 'units': 'RPM',
             'status': base.SENSOR_OK,
             'thresholds': {'lower_critical': 500.0, 'lower_major': 800.0,
                            'lower_minor': 1000.0}},
        ]
