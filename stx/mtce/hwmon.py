"""hwmon: hardware sensor monitoring through the hosts' BMCs.

Each host with a BMC has its sensors read through its driver's
``get_sensors()`` every audit interval (its sensor groups' shortest
``audit_interval_group``; ``[mtce] hwmon_audit_interval``, 120 s, for a new
host). The readings go to the sysinv conductor, which learns the sensor
groups from them, stores readings and status, and answers with each
sensor's group actions (StarlingX: ``ignore``, ``log`` or ``alarm`` for
minor and major; also ``reset`` and ``power-cycle`` for critical).

What a sensor outside its normal range leads to, once per excursion (a new
severity or a new action, not every read):

* ``ignore`` — nothing; an alarm raised before is cleared;
* ``log`` — a customer log (200.016) with the reading;
* ``alarm`` — alarm 200.015 at the sensor's severity, with the reading and
  the threshold it crossed in its reason text;
* ``reset`` / ``power-cycle`` — the alarm, and the BMC action, repeated at
  each read while the sensor stays critical, at most
  ``[mtce] hwmon_action_limit`` times; the host's task shows "Critical Event
  Power-Cycle 2" (StarlingX's words) while it runs, and the event log says
  why and what the BMC confirmed.

A suppressed sensor or group is treated as ``ignore``. When a sensor is
back to ``ok`` its alarm is cleared. A host whose sensors cannot be read
``[mtce] hwmon_read_failure_threshold`` times in a row gets alarm 200.014
and its sensors are marked offline; the next good read clears it.
"""

import threading
import time

from oslo_log import log as logging

from stx.common import exception
from stx.common import states
from stx.conf import CONF
from stx.drivers.bmc import base as bmc_base
from stx.mtce import bmc as mtce_bmc
from stx.mtce import faults as mtce_faults

LOG = logging.getLogger(__name__)

_SEVERITIES = (states.SENSOR_MINOR, states.SENSOR_MAJOR,
               states.SENSOR_CRITICAL)
_BMC_ACTIONS = {
    states.SENSOR_ACTION_RESET: (bmc_base.POWER_RESET, 'Reset'),
    states.SENSOR_ACTION_POWER_CYCLE: (bmc_base.POWER_CYCLE, 'Power-Cycle'),
}
_ALARMING = (states.SENSOR_ACTION_ALARM,) + tuple(_BMC_ACTIONS)


def _number(value):
    return '%g' % value if isinstance(value, (int, float)) else str(value)


def describe(host, sensor):
    """The reason text of a sensor out of range: its reading and the
    threshold it crossed, e.g. "Sensor 'CPU1 Temp' of worker-0 reads 95
    C, at or above its critical threshold 90 C".
    """
    severity = sensor['status']
    reading = sensor.get('reading')
    unit = sensor.get('unit_base') or ''
    text = "Sensor '%s' of %s" % (sensor['sensorname'], host['hostname'])
    if reading is None:
        return '%s is %s' % (text, severity)
    text = '%s reads %s %s' % (text, _number(reading), unit)
    upper = sensor.get('t_%s_upper' % severity)
    lower = sensor.get('t_%s_lower' % severity)
    if upper is not None and float(reading) >= float(upper):
        return '%s, at or above its %s threshold %s %s' % (
            text, severity, _number(upper), unit)
    if lower is not None and float(reading) <= float(lower):
        return '%s, at or below its %s threshold %s %s' % (
            text, severity, _number(lower), unit)
    return '%s (%s)' % (text, severity)


class _Excursion:
    """What hwmon did about one sensor since it left the normal range."""

    def __init__(self, severity=None, action=None, alarmed=False):
        self.severity = severity
        self.action = action
        self.alarmed = alarmed
        self.attempts = 0


class SensorMonitor:
    """Reads due hosts' sensors; ``run()`` is called every second.

    :param conductor: a sysinv ConductorAPI.
    :param bmcs: the BMCAccess.
    :param faults: the HostFaults.
    :param executor: a futures executor the reads run in.
    :param actions: the manager's HostActions registry (reset and
        power-cycle take the host like an operator's action would).
    """

    def __init__(self, conductor, bmcs, faults, executor, actions):
        self._conductor = conductor
        self._bmcs = bmcs
        self._faults = faults
        self._executor = executor
        self._actions = actions
        self._lock = threading.Lock()
        self._due = {}
        self._in_flight = set()
        self._read_failures = {}
        self._unreadable = set()
        # (host uuid, sensor name) -> _Excursion
        self._excursions = {}

    def load_alarms(self, hosts):
        """Learn the sensor alarms raised before a restart, so that they
        are cleared when their sensors are back to normal.
        """
        by_entity = {mtce_faults.host_entity(host): host for host in hosts}
        for entity in self._faults.active(mtce_faults.SENSOR_OUT_OF_RANGE):
            host_part, _, sensor = entity.partition('.sensor=')
            host = by_entity.get(host_part)
            if host is not None and sensor:
                self._excursions[(host['uuid'], sensor)] = _Excursion(
                    alarmed=True)
        for entity in self._faults.active(mtce_faults.SENSORS_UNREADABLE):
            if entity in by_entity:
                self._unreadable.add(by_entity[entity]['uuid'])

    def host_changed(self, host_uuid):
        """Read the host at the next tick (its BMC fields changed)."""
        with self._lock:
            self._due.pop(host_uuid, None)
            self._read_failures.pop(host_uuid, None)

    def run(self, context, hosts):
        """Start a read of every host that is due and not being read."""
        now = time.monotonic()
        present = set()
        for host in hosts:
            uuid = host['uuid']
            present.add(uuid)
            if not mtce_bmc.has_bmc(host) or self._actions.busy(uuid):
                continue
            with self._lock:
                if uuid in self._in_flight or self._due.get(uuid, 0) > now:
                    continue
                self._in_flight.add(uuid)
            self._executor.submit(self.read_host, context, host)
        with self._lock:
            for uuid in set(self._due) - present:
                del self._due[uuid]
            # list(): reads in flight add excursions meanwhile.
            for key in list(self._excursions):
                if key[0] not in present:
                    self._excursions.pop(key, None)

    def read_host(self, context, host):
        """Read one host's sensors and act on them; schedule its next
        read. Runs in an executor thread (tests call it directly).
        """
        interval = CONF.mtce.hwmon_audit_interval
        try:
            interval = self._read(context, host) or interval
        except Exception:
            LOG.exception('Sensor audit of %(host)s failed',
                          {'host': host['hostname']})
        finally:
            with self._lock:
                self._in_flight.discard(host['uuid'])
                self._due[host['uuid']] = time.monotonic() + interval

    def _read(self, context, host):
        uuid = host['uuid']
        try:
            readings = self._bmcs.call(host, 'get_sensors')
        except exception.UnsupportedDriverExtension as error:
            LOG.debug('No sensors for %(host)s: %(error)s',
                      {'host': host['hostname'], 'error': error})
            return None
        except exception.StxException as error:
            self._read_failed(context, host, error)
            return None
        with self._lock:
            self._read_failures.pop(uuid, None)
            was_unreadable = uuid in self._unreadable
            self._unreadable.discard(uuid)
        if was_unreadable:
            self._faults.clear_alarm(mtce_faults.SENSORS_UNREADABLE,
                                     mtce_faults.host_entity(host))
        result = self._conductor.hwmon_sensors_update(context, uuid, readings)
        for sensor in result['sensors']:
            self._handle(context, host, sensor)
        return result.get('audit_interval')

    def _read_failed(self, context, host, error):
        uuid = host['uuid']
        with self._lock:
            count = self._read_failures.get(uuid, 0) + 1
            self._read_failures[uuid] = count
            due = (count >= CONF.mtce.hwmon_read_failure_threshold and
                   uuid not in self._unreadable)
            if due:
                self._unreadable.add(uuid)
        if not due:
            return
        reason = 'Sensors of %s cannot be read: %s' % (host['hostname'],
                                                       error)
        LOG.warning('%(reason)s', {'reason': reason})
        self._faults.raise_alarm(mtce_faults.SENSORS_UNREADABLE,
                                 mtce_faults.host_entity(host),
                                 states.SEVERITY_MAJOR, reason)
        self._conductor.hwmon_sensors_unreadable(context, uuid, str(error))

    def _handle(self, context, host, sensor):
        key = (host['uuid'], sensor['sensorname'])
        status = sensor['status']
        entity = mtce_faults.sensor_entity(host, sensor['sensorname'])
        previous = self._excursions.get(key)
        if status not in _SEVERITIES:
            if status == states.SENSOR_OK and previous is not None:
                del self._excursions[key]
                if previous.alarmed:
                    LOG.info('Sensor %(sensor)s of %(host)s is back to '
                             'normal', {'sensor': sensor['sensorname'],
                                        'host': host['hostname']})
                    self._faults.clear_alarm(
                        mtce_faults.SENSOR_OUT_OF_RANGE, entity)
            return
        action = (states.SENSOR_ACTION_IGNORE if sensor.get('suppress')
                  else sensor.get('actions_' + status) or
                  states.SENSOR_ACTION_IGNORE)
        if (previous is not None and previous.severity == status and
                previous.action == action):
            self._repeat_bmc_action(context, host, sensor, previous)
            return
        excursion = _Excursion(status, action,
                               previous is not None and previous.alarmed)
        self._excursions[key] = excursion
        reason = describe(host, sensor)
        if action in _ALARMING:
            excursion.alarmed = True
            self._faults.raise_alarm(mtce_faults.SENSOR_OUT_OF_RANGE, entity,
                                     status, reason)
        elif excursion.alarmed:
            excursion.alarmed = False
            self._faults.clear_alarm(mtce_faults.SENSOR_OUT_OF_RANGE, entity)
        if action == states.SENSOR_ACTION_LOG:
            self._faults.log(mtce_faults.SENSOR_OUT_OF_RANGE_LOG, entity,
                             reason, severity=status)
        LOG.info('%(reason)s: action %(action)s',
                 {'reason': reason, 'action': action})
        self._repeat_bmc_action(context, host, sensor, excursion)

    def _repeat_bmc_action(self, context, host, sensor, excursion):
        if (excursion.action not in _BMC_ACTIONS or
                excursion.attempts >= CONF.mtce.hwmon_action_limit):
            return
        target, words = _BMC_ACTIONS[excursion.action]
        task = 'Critical Event %s %d' % (words, excursion.attempts + 1)
        if not self._actions.acquire(host['uuid'], task):
            return
        excursion.attempts += 1
        why = describe(host, sensor)
        try:
            self._conductor.update_host_state(context, host['uuid'],
                                              {'task': task})
            try:
                state = self._bmcs.call(
                    host, 'set_power_state', target,
                    timeout=CONF.mtce.power_action_timeout)
                done = ('%s on %s (%d of %d): %s; the BMC reports it '
                        'powered %s' % (task, host['hostname'],
                                        excursion.attempts,
                                        CONF.mtce.hwmon_action_limit, why,
                                        state))
            except exception.StxException as error:
                done = '%s on %s failed: %s (%s)' % (task, host['hostname'],
                                                     error, why)
            LOG.warning('%(done)s', {'done': done})
            self._faults.log(mtce_faults.HOST_ACTION,
                             mtce_faults.host_entity(host), done)
            self._conductor.update_host_state(context, host['uuid'],
                                              {'task': ''})
        finally:
            self._actions.release(host['uuid'])
