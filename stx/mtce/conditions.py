"""What a host's own monitors report, as alarms and as reasons to degrade or
fail it.

stx-agent's process monitor (pmon) and resource monitor (rmon) report their
whole current set of conditions (``MtceAPI.host_conditions``) whenever it
changes and every ``[agent] condition_report_interval`` seconds, so a lost
report or a maintenance restart is made good by the next one. Here each
set becomes alarms:

* a process (source ``process``): 200.006 on ``host=<h>.process=<name>``
  with the process's severity; a critical one fails the host (and recovery
  reboots it, stx.mtce.recovery), a major one degrades it;
* a resource (source ``resource``): 100.101 (``cpu``), 100.103
  (``memory``) on ``host=<h>``, 100.104 on ``host=<h>.filesystem=<mount>``
  (key ``filesystem=<mount>``); a critical one degrades the host.

What this holds is the agents' word, kept in memory: a report from a new
start of an agent replaces everything its predecessor said. Alarms raised
before a maintenance restart are learned from fm (``load``), so the first
report after it clears those that no longer hold.
"""

import collections
import threading

from oslo_log import log as logging

from stx.common import states
from stx.mtce import faults as mtce_faults

LOG = logging.getLogger(__name__)

SOURCE_PROCESS = 'process'
SOURCE_RESOURCE = 'resource'
SOURCES = (SOURCE_PROCESS, SOURCE_RESOURCE)
SEVERITIES = (states.SEVERITY_CRITICAL, states.SEVERITY_MAJOR,
              states.SEVERITY_MINOR)

_RESOURCE_ALARMS = {'cpu': mtce_faults.CPU_USAGE,
                    'memory': mtce_faults.MEMORY_USAGE}
_FILESYSTEM = 'filesystem='
ALARM_IDS = (mtce_faults.PROCESS_FAILED, mtce_faults.CPU_USAGE,
             mtce_faults.MEMORY_USAGE, mtce_faults.FILESYSTEM_USAGE)

Condition = collections.namedtuple('Condition', 'severity reason')


def alarm_of(host, source, key):
    """The (alarm id, entity instance id) of a condition.

    :raises: ValueError for a source or key no alarm is defined for.
    """
    entity = mtce_faults.host_entity(host)
    if source == SOURCE_PROCESS and key and '.' not in key:
        return mtce_faults.PROCESS_FAILED, mtce_faults.process_entity(host,
                                                                      key)
    if source == SOURCE_RESOURCE:
        if key in _RESOURCE_ALARMS:
            return _RESOURCE_ALARMS[key], entity
        if key.startswith(_FILESYSTEM) and len(key) > len(_FILESYSTEM):
            return mtce_faults.FILESYSTEM_USAGE, '%s.%s' % (entity, key)
    raise ValueError('no alarm for %s condition %r' % (source, key))


def _degrades(source, severity):
    if source == SOURCE_PROCESS:
        return severity == states.SEVERITY_MAJOR
    return severity == states.SEVERITY_CRITICAL


class Conditions:
    """Every host's reported conditions, and the alarms they raise.

    :param faults: the HostFaults alarms go through.
    """

    def __init__(self, faults):
        self._faults = faults
        self._lock = threading.Lock()
        # host uuid -> (agent started_at, {(source, key): Condition}).
        self._hosts = {}
        # Entities whose alarms were active before a restart, by host
        # uuid: cleared by the host's first report unless reported again.
        self._inherited = {}

    def load(self, hosts):
        """Learn which condition alarms fm holds (after a start)."""
        active = set()
        for alarm_id in ALARM_IDS:
            active |= {(alarm_id, entity)
                       for entity in self._faults.active(alarm_id)}
        with self._lock:
            for host in hosts:
                prefix = mtce_faults.host_entity(host)
                mine = {(alarm_id, entity) for alarm_id, entity in active
                        if entity == prefix or
                        entity.startswith(prefix + '.')}
                if mine:
                    self._inherited[host['uuid']] = mine

    def report(self, host, started_at, source, conditions):
        """Take one monitor's whole set; raise and clear its alarms.

        :returns: whether what degrades or fails the host changed.
        """
        if source not in SOURCES:
            LOG.warning('Host %(host)s: conditions from unknown source '
                        '%(source)r ignored',
                        {'host': host['hostname'], 'source': source})
            return False
        new = self._valid(host, source, conditions)
        with self._lock:
            known_start, held = self._hosts.get(host['uuid'], (None, {}))
            if known_start != started_at:
                # A new start of the agent: what it said before is gone.
                stale, held = held, {}
            else:
                stale = {}
            old = {key: condition for key, condition in held.items()
                   if key[0] == source}
            current = {key: condition for key, condition in held.items()
                       if key[0] != source}
            current.update(new)
            self._hosts[host['uuid']] = (started_at, current)
            inherited = self._inherited.pop(host['uuid'], set())
        before = self._consequences({**stale, **old})
        for (src, key), condition in new.items():
            previous = old.get((src, key))
            if previous is None or previous.severity != condition.severity:
                alarm_id, entity = alarm_of(host, src, key)
                inherited.discard((alarm_id, entity))
                LOG.warning('Host %(host)s: %(reason)s',
                            {'host': host['hostname'],
                             'reason': condition.reason})
                self._faults.raise_alarm(alarm_id, entity,
                                         condition.severity,
                                         condition.reason)
            else:
                inherited.discard(alarm_of(host, src, key))
        gone = [key for key in {**stale, **old} if key not in new]
        for src, key in gone:
            alarm_id, entity = alarm_of(host, src, key)
            LOG.info('Host %(host)s: %(source)s %(key)s recovered',
                     {'host': host['hostname'], 'source': src, 'key': key})
            self._faults.clear_alarm(alarm_id, entity)
        for alarm_id, entity in inherited:
            self._faults.clear_alarm(alarm_id, entity)
        return before != self._consequences(new)

    def new_start(self, host, started_at):
        """The host's agent started again (its goenabled report says so):
        clear what its predecessor reported.
        """
        with self._lock:
            known_start, held = self._hosts.get(host['uuid'], (None, {}))
            if known_start is None or known_start == started_at:
                return
            self._hosts[host['uuid']] = (started_at, {})
        for source, key in held:
            self._faults.clear_alarm(*alarm_of(host, source, key))

    def _valid(self, host, source, conditions):
        valid = {}
        for condition in conditions or ():
            try:
                key = condition['key']
                severity = condition['severity']
                alarm_of(host, source, key)
                if severity not in SEVERITIES:
                    raise ValueError('severity %r' % (severity,))
                valid[(source, key)] = Condition(
                    severity, str(condition.get('reason') or
                                  '%s %s %s' % (source, key, severity)))
            except (KeyError, TypeError, ValueError) as error:
                LOG.warning('Host %(host)s: bad %(source)s condition '
                            '%(condition)r ignored: %(error)s',
                            {'host': host['hostname'], 'source': source,
                             'condition': condition, 'error': error})
        return valid

    @staticmethod
    def _consequences(conditions):
        return ({key for key, condition in conditions.items()
                 if _degrades(key[0], condition.severity)},
                {key for key, condition in conditions.items()
                 if key[0] == SOURCE_PROCESS and
                 condition.severity == states.SEVERITY_CRITICAL})

    def _reasons(self, host_uuid, wanted):
        with self._lock:
            _start, held = self._hosts.get(host_uuid, (None, {}))
            return sorted(condition.reason for (source, _key), condition
                          in held.items() if wanted(source, condition))

    def degrade_reasons(self, host_uuid):
        """Why the host's own monitors say it is degraded."""
        return self._reasons(host_uuid, lambda source, condition:
                             _degrades(source, condition.severity))

    def failure_reasons(self, host_uuid):
        """Which critical processes failed on the host for good."""
        return self._reasons(host_uuid, lambda source, condition:
                             source == SOURCE_PROCESS and
                             condition.severity == states.SEVERITY_CRITICAL)

    def forget(self, host_uuid):
        with self._lock:
            self._hosts.pop(host_uuid, None)
            self._inherited.pop(host_uuid, None)
