"""FakeBMC: BMC machines that exist only in memory, for tests and demos.

Every FakeBMC instance sees the same machines, keyed by BMC address, so a
test can power a host off through one driver instance and observe it through
another (the conductor's and the power-sync audit's, say). A machine appears,
powered on and booting from disk, the first time its address is used.

Tests shape a machine through class methods, all undone by
``FakeBMC.reset()``:

* ``set_reachable(address, False)``: the BMC stops answering (BMCTimeout);
* ``set_password(address, password)``: only that password is accepted;
  ``set_access_denied(address, True)`` refuses every one (BMCAccessDenied);
* ``set_sensor(address, name, reading=..., status=...)``: change one of the
  two standard sensors ('Inlet Temp', 'Fan 1') or add another;
* ``set_power_delay(address, seconds)``: a power change takes that long to
  be confirmed (set_power_state waits for it, up to its timeout).
"""

import copy
import threading
import time

from oslo_log import log as logging

from stx.common import exception
from stx.drivers.bmc import base
from stx.drivers.bmc import common

LOG = logging.getLogger(__name__)

# The state each target leaves the machine in, once "confirmed".
_RESULTING_STATE = common.RESULTING_STATE

_UNSET = object()

# Longest single sleep while a delayed power change is awaited.
_POLL = 0.01


def _new_machine():
    return {'power_state': base.POWER_ON,
            'boot_device': base.BOOT_DEVICE_DISK,
            'persistent': True,
            'reachable': True,
            'password': None,
            'access_denied': False,
            'power_delay': 0.0,
            # (state, time.monotonic() when it takes effect) or None.
            'pending_power': None,
            # name -> the fields of that sensor set_sensor() changed.
            'sensors': {}}


def _standard_sensors(powered_on):
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
    def _configure(cls, address, **changes):
        with cls._lock:
            machine = cls._machines.setdefault(address, _new_machine())
            machine.update(changes)

    @classmethod
    def set_reachable(cls, address, reachable):
        """Make the BMC at address answer (True) or time out (False).

        :param address: the BMC address, as in bmc_info['address'].
        :param reachable: whether later calls for that address succeed.
        """
        cls._configure(address, reachable=bool(reachable))

    @classmethod
    def set_password(cls, address, password):
        """Accept only this password at address (None accepts any).

        :param address: the BMC address.
        :param password: the one password calls must give, or None.
        """
        cls._configure(address, password=password)

    @classmethod
    def set_access_denied(cls, address, denied):
        """Make the BMC at address refuse (True) or accept any credentials.

        :param address: the BMC address.
        :param denied: whether later calls raise BMCAccessDenied.
        """
        cls._configure(address, access_denied=bool(denied))

    @classmethod
    def set_power_delay(cls, address, seconds):
        """Make power changes at address take effect after a delay.

        set_power_state waits for the change like a real driver polls its
        BMC, and raises BMCTimeout if its timeout is shorter; the machine
        still changes state once the delay has passed.

        :param address: the BMC address.
        :param seconds: the delay (0 for immediate changes).
        """
        cls._configure(address, power_delay=float(seconds))

    @classmethod
    def set_sensor(cls, address, name, reading=_UNSET, status=_UNSET,
                   **fields):
        """Change a sensor of the machine at address, or add one.

        The standard sensors are 'Inlet Temp' (temperature) and 'Fan 1'
        (fan); another name adds a sensor (sensor_type 'temperature', units
        'C' and no thresholds unless given).

        :param address: the BMC address.
        :param name: the sensor name.
        :param reading: the value to report (None for none).
        :param status: one of ``base.SENSOR_STATUSES``.
        :param fields: other keys of the sensor dict (sensor_type, units,
            thresholds) to report.
        :raises: InvalidParameterValue for an unknown status or key.
        """
        changes = dict(fields)
        if reading is not _UNSET:
            changes['reading'] = reading
        if status is not _UNSET:
            if status not in base.SENSOR_STATUSES:
                raise exception.InvalidParameterValue(
                    field='status', reason='%r is not one of %s'
                    % (status, ', '.join(base.SENSOR_STATUSES)))
            changes['status'] = status
        unknown = set(changes) - {'reading', 'status', 'sensor_type',
                                  'units', 'thresholds'}
        if unknown:
            raise exception.InvalidParameterValue(
                field=sorted(unknown)[0], reason='not a sensor field')
        with cls._lock:
            machine = cls._machines.setdefault(address, _new_machine())
            machine['sensors'].setdefault(name, {}).update(
                copy.deepcopy(changes))

    def _machine(self, bmc_info):
        """Validate bmc_info and return its machine; call with _lock held."""
        self.validate(bmc_info)
        address = bmc_info['address']
        machine = self._machines.setdefault(address, _new_machine())
        if not machine['reachable']:
            raise exception.BMCTimeout(address=address,
                                       reason='no answer (fake)')
        if machine['access_denied'] or (
                machine['password'] is not None and
                bmc_info['password'] != machine['password']):
            raise exception.BMCAccessDenied(address=address,
                                            reason='refused (fake)')
        pending = machine['pending_power']
        if pending is not None and time.monotonic() >= pending[1]:
            machine['power_state'] = pending[0]
            machine['pending_power'] = None
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
        """See :meth:`BMCDriver.set_power_state`.

        Takes effect at once, unless set_power_delay() asked for a delay.
        """
        common.check_power_target(target)
        timeout = common.check_timeout(timeout)
        state = _RESULTING_STATE[target]
        with self._lock:
            machine = self._machine(bmc_info)
            delay = machine['power_delay']
            if delay <= 0:
                machine['power_state'] = state
                machine['pending_power'] = None
            else:
                machine['pending_power'] = (state, time.monotonic() + delay)
        if delay > 0:
            deadline = common.Deadline(60.0 if timeout is None else timeout)
            while True:
                with self._lock:
                    if self._machine(bmc_info)['pending_power'] is None:
                        break
                if deadline.expired:
                    raise exception.BMCTimeout(
                        address=bmc_info['address'],
                        reason='power %s not confirmed within %s s (fake)'
                        % (target, deadline.seconds))
                time.sleep(min(_POLL, deadline.remaining()))
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
        common.check_boot_device(device)
        with self._lock:
            machine = self._machine(bmc_info)
            machine['boot_device'] = device
            machine['persistent'] = bool(persistent)

    def get_sensors(self, bmc_info):
        """See :meth:`BMCDriver.get_sensors`: a temperature and a fan.

        A powered-off machine's fan stands still, with no status to report
        against its thresholds. Sensors changed or added by set_sensor()
        report what it was given.
        """
        with self._lock:
            machine = self._machine(bmc_info)
            powered_on = machine['power_state'] == base.POWER_ON
            overrides = copy.deepcopy(machine['sensors'])
        sensors = _standard_sensors(powered_on)
        for sensor in sensors:
            sensor.update(overrides.pop(sensor['name'], {}))
        for name, changes in overrides.items():
            sensor = {'name': name, 'sensor_type': 'temperature',
                      'reading': None, 'units': 'C',
                      'status': base.SENSOR_OK, 'thresholds': {}}
            sensor.update(changes)
            sensors.append(sensor)
        return sensors
