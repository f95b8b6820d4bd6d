"""What heartbeat says about hosts, turned into host states and alarms.

stx-mtce pulses every host that has a heartbeat address (``mgmt_ip``,
``cluster_host_ip``) through a stx.mtce.heartbeat Monitor. Unlocked enabled
hosts get failure detection; other hosts only presence (online / offline).
Each health change the monitor reports becomes a state machine event
(stx.mtce.fsm), persisted through the sysinv conductor, with its alarms:

* loss on some networks: ``degraded``, 200.005 (mgmt) / 200.009
  (cluster-host) major for each lost network;
* loss on every network: ``disabled`` / ``failed``, task "Graceful Recovery
  Wait", 200.004 and the network alarms critical;
* heartbeat back (after the monitor's recovery soak): ``available``, alarms
  cleared;
* a locked host answering or going silent: ``online`` / ``offline``;
* many hosts lost at once (multi-node failure avoidance): one 200.024
  alarm while the monitor holds their failures.

Every decision is a 200.020 log with its reason. The monitor's thread only
queues events; one thread here applies them in order, so a slow conductor
never delays a pulse. An event that cannot be stored (sysinv or the broker
down) is kept, one per host, and tried again at the next ``retry``; the
pulses themselves never depend on the broker or a database.
"""

import queue
import threading
import time

from oslo_log import log as logging

from stx.common import context as stx_context
from stx.common import exception
from stx.common import states
from stx.conf import CONF
from stx.mtce import faults as mtce_faults
from stx.mtce import fsm
from stx.mtce import heartbeat
from stx.mtce.heartbeat import keys
from stx.mtce.heartbeat import monitor as hb_monitor
from stx.mtce.heartbeat import tracker

LOG = logging.getLogger(__name__)

_NETWORK_ALARMS = {
    heartbeat.NETWORK_MGMT: mtce_faults.MGMT_HEARTBEAT,
    heartbeat.NETWORK_CLUSTER_HOST: mtce_faults.CLUSTER_HOST_HEARTBEAT,
}
_HOST_ALARMS = (mtce_faults.HOST_FAILED,) + tuple(_NETWORK_ALARMS.values())
_ANSWERING = (tracker.HEALTH_OK, tracker.HEALTH_MINOR,
              tracker.HEALTH_DEGRADED)


def failure_detected(host):
    """Whether heartbeat loss fails ``host`` (rather than making it
    offline): it is unlocked and in service, or failed by heartbeat and
    waiting for it.
    """
    return host['administrative'] == states.UNLOCKED and (
        host['operational'] == states.ENABLED or
        host['task'] == states.TASK_GRACEFUL_RECOVERY_WAIT)


class Liveness:
    """stx-mtce's heartbeat: its monitor, and what it makes of it.

    :param conductor: a sysinv ConductorAPI.
    :param faults: the HostFaults alarms and logs go through.
    :param actions: the HostActions registry: a host with an action in
        progress belongs to that action, heartbeat leaves its state alone.
    :param host_of: ``host_of(uuid)`` gives the cached host (or None).
    :param stored: ``stored(host)`` is called with each host whose state
        this changed, as the conductor returned it.
    :param degraded: ``degraded(host_uuid)`` gives what degrades the host
        besides heartbeat; a host whose heartbeat recovers stays degraded
        while there is any.
    :param failed: ``failed(host, reason)`` is called with each host this
        failed, for automatic recovery (stx.mtce.recovery).
    """

    def __init__(self, conductor, faults, actions, host_of, stored,
                 degraded=lambda host_uuid: (), failed=None):
        self._conductor = conductor
        self._faults = faults
        self._actions = actions
        self._host_of = host_of
        self._stored = stored
        self._degraded = degraded
        self._failed = failed
        self._context = stx_context.get_admin_context()
        self.monitor = None
        self._events = queue.Queue()
        self._thread = None
        self._pending_lock = threading.Lock()
        # host uuid -> the last health change that could not be stored.
        self._pending = {}
        # Hosts whose heartbeat loss may have ended while stx-mtce was down.
        self._unsettled = set()
        self._mnfa_entity = mtce_faults.host_entity(
            {'hostname': CONF.host}) + '.mnfa'

    # Life cycle.

    def start(self):
        """Start pulsing; without a heartbeat key, say why and do not."""
        try:
            self.monitor = hb_monitor.Monitor(keys.load_key(),
                                              self._events.put)
        except (exception.StxException, OSError) as error:
            LOG.error('Heartbeat disabled, no host failure will be '
                      'detected: %(error)s', {'error': error})
            return
        self._thread = threading.Thread(target=self._apply_events,
                                        name='mtce-heartbeat-events',
                                        daemon=True)
        self._thread.start()
        self.monitor.start()

    def stop(self):
        if self.monitor is not None:
            self.monitor.stop()
            self.monitor = None
        if self._thread is not None:
            self._events.put(None)
            self._thread.join(1.0)
            self._thread = None

    def set_hosts(self, hosts):
        """Pulse these hosts (every host maintenance knows)."""
        monitor = self.monitor
        if monitor is None:
            return
        targets = []
        for host in hosts:
            addresses = heartbeat.host_addresses(host)
            if addresses:
                targets.append(tracker.Target(host['uuid'], host['hostname'],
                                              addresses,
                                              failure_detected(host)))
        try:
            monitor.set_targets(targets)
        except ValueError as error:
            LOG.error('Heartbeat targets not changed: %(error)s',
                      {'error': error})

    # What other parts of maintenance ask.

    def _networks(self, host_uuid):
        monitor = self.monitor
        if monitor is None:
            return None
        return monitor.view().get(host_uuid)

    def reachable(self, host):
        """Whether the host answers heartbeat; None when it is not pulsed
        (no heartbeat address, or heartbeat disabled).
        """
        view = self._networks(host['uuid'])
        if view is None:
            return None
        return view['health'] in _ANSWERING

    def degraded(self, host):
        """Whether heartbeat is lost on some of the host's networks."""
        view = self._networks(host['uuid'])
        return view is not None and view['health'] == tracker.HEALTH_DEGRADED

    def soak(self, host, cancelled, timeout):
        """Wait until the host has answered every pulse on every network
        for ``[mtce] heartbeat_soak_periods`` periods in a row.

        :param cancelled: a threading.Event that ends the wait early.
        :returns: None when passed (or the host is not pulsed), else why
            not.
        """
        if self._networks(host['uuid']) is None:
            return None
        period = CONF.heartbeat.period_ms / 1000.0
        needed = CONF.mtce.heartbeat_soak_periods * period
        deadline = time.monotonic() + timeout
        since = None
        silent = ()
        while time.monotonic() < deadline:
            view = self._networks(host['uuid'])
            if view is None:
                return None
            silent = tuple(network for network, seen in
                           view['networks'].items() if seen['misses'])
            now = time.monotonic()
            if silent:
                since = None
            elif since is None:
                since = now
            elif now - since >= needed:
                return None
            if cancelled.wait(period / 2):
                return 'cancelled'
        return ('no steady heartbeat within %ss on %s'
                % (timeout, ', '.join(silent) or 'its networks'))

    # Events from the monitor.

    def _apply_events(self):
        while True:
            events = self._events.get()
            if events is None:
                return
            for event in events:
                try:
                    if isinstance(event, tracker.Mnfa):
                        self._mnfa(event)
                    else:
                        self._change(event)
                except Exception:
                    LOG.exception('Heartbeat event %(event)s not applied',
                                  {'event': event})

    def load(self, hosts):
        """After a start: note the hosts whose stored state or alarms say
        heartbeat was lost, since it may have come back while maintenance
        was down; ``retry`` settles each once it answers.
        """
        alarmed = set()
        for alarm_id in _HOST_ALARMS:
            alarmed |= {entity.split('.', 1)[0]
                        for entity in self._faults.active(alarm_id)}
        with self._pending_lock:
            for host in hosts:
                watched = (failure_detected(host) or
                           host['administrative'] == states.LOCKED)
                lost = failure_detected(host) and host['availability'] in (
                    states.DEGRADED, states.FAILED)
                if watched and (lost or mtce_faults.host_entity(host)
                                in alarmed):
                    self._unsettled.add(host['uuid'])

    def retry(self):
        """Store again the changes sysinv could not take before; settle
        the hosts ``load`` noted that answer again.
        """
        with self._pending_lock:
            pending, self._pending = self._pending, {}
            unsettled = list(self._unsettled)
        for change in pending.values():
            self._change(change)
        for uuid in unsettled:
            self._settle(uuid)

    def _settle(self, host_uuid):
        host = self._host_of(host_uuid)
        view = self._networks(host_uuid)
        if host is not None and view is not None:
            if view['health'] in (tracker.HEALTH_DEGRADED,
                                  tracker.HEALTH_FAILED):
                pass        # Its next recovery is an event.
            elif view['health'] != tracker.HEALTH_OK or any(
                    seen['misses'] or seen['last_answered'] is None
                    for seen in view['networks'].values()):
                return      # Not answering yet: look again.
            elif failure_detected(host) and host['availability'] in (
                    states.DEGRADED, states.FAILED):
                self._change(tracker.Change(
                    host_uuid, host['hostname'], host['availability'],
                    tracker.HEALTH_OK, (), max(
                        seen['last_answered']
                        for seen in view['networks'].values()),
                    {net: 0 for net in view['networks']}))
            else:
                self.clear_alarms(host)
        with self._pending_lock:
            self._unsettled.discard(host_uuid)

    def _mnfa(self, event):
        if event.active:
            names = [self._name(uuid) for uuid in event.hosts]
            reason = ('Heartbeat lost from %d hosts at once (%s): '
                      'multi-node failure avoidance holds their failure '
                      'handling' % (len(names), ', '.join(sorted(names))))
            LOG.warning('%(reason)s', {'reason': reason})
            self._faults.raise_alarm(mtce_faults.MULTI_NODE_FAILURE,
                                     self._mnfa_entity,
                                     states.SEVERITY_MAJOR, reason)
        else:
            reason = ('Multi-node failure avoidance ended: heartbeat '
                      'failures are handled again')
            LOG.info('%(reason)s', {'reason': reason})
            self._faults.clear_alarm(mtce_faults.MULTI_NODE_FAILURE,
                                     self._mnfa_entity)
        for uuid in event.hosts:
            try:
                self._conductor.update_host_state(
                    self._context, uuid, mtce_faults.explained(reason))
            except exception.StxException as error:
                LOG.warning('Host %(host)s: multi-node failure avoidance '
                            'not recorded: %(error)s',
                            {'host': self._name(uuid), 'error': error})

    def _name(self, host_uuid):
        host = self._host_of(host_uuid)
        return host['hostname'] if host else host_uuid

    def _change(self, change):
        host = self._host_of(change.host_uuid)
        if host is None:
            return
        if self._actions.busy(host['uuid']):
            # An action owns its state for now: look again after it.
            with self._pending_lock:
                self._pending[host['uuid']] = change
            return
        if failure_detected(host):
            event, task = self._failure_event(host, change)
        else:
            event, task = {
                tracker.HEALTH_OK: (fsm.HEARTBEAT_ONLINE, None),
                tracker.HEALTH_OFFLINE: (fsm.HEARTBEAT_OFFLINE, None),
            }.get(change.new, (None, None))
        if event is None or fsm.rule_for(host, event) is None:
            return
        values = fsm.transition(host, event,
                                degraded=bool(self._degraded(host['uuid'])))
        if task is not None:
            values['task'] = task
        if not values:
            return
        reason = self._reason(change)
        text = '%s is now %s: %s' % (
            host['hostname'],
            '/'.join(values.get(field, host[field])
                     for field in (fsm.ADMIN, fsm.OPER, fsm.AVAIL)),
            reason)
        if event in _EXPLAINED:
            # An automatic decision: the host says why.
            values.update(mtce_faults.explained(text))
        try:
            stored = self._conductor.update_host_state(
                self._context, host['uuid'], values,
                expected={field: host[field] for field in
                          (fsm.ADMIN, fsm.OPER, fsm.AVAIL, 'task')})
        except exception.ServiceUnavailable as error:
            LOG.warning('Host %(host)s: heartbeat %(health)s not stored, '
                        'trying again: %(error)s',
                        {'host': host['hostname'], 'health': change.new,
                         'error': error})
            with self._pending_lock:
                self._pending[host['uuid']] = change
            return
        if stored is None:
            return
        self._stored(stored)
        self._alarms(stored, event, change, reason)
        self._faults.log(
            mtce_faults.HOST_STATE_CHANGE, mtce_faults.host_entity(stored),
            text,
            severity=_SEVERITY.get(event, states.SEVERITY_NOT_APPLICABLE))
        if event == fsm.HEARTBEAT_FAILED and self._failed is not None:
            self._failed(stored, reason)

    def _failure_event(self, host, change):
        if change.new == tracker.HEALTH_DEGRADED:
            return fsm.HEARTBEAT_DEGRADED, None
        if change.new == tracker.HEALTH_FAILED:
            return fsm.HEARTBEAT_FAILED, states.TASK_GRACEFUL_RECOVERY_WAIT
        if change.new == tracker.HEALTH_OK and change.old in (
                tracker.HEALTH_DEGRADED, tracker.HEALTH_FAILED):
            task = ('' if host['task'] == states.TASK_GRACEFUL_RECOVERY_WAIT
                    else None)
            return fsm.HEARTBEAT_RECOVERED, task
        if change.new == tracker.HEALTH_MINOR:
            LOG.info('Host %(host)s: %(reason)s',
                     {'host': host['hostname'],
                      'reason': self._reason(change)})
        return None, None

    def _alarms(self, host, event, change, reason):
        entity = mtce_faults.host_entity(host)
        if event == fsm.HEARTBEAT_RECOVERED:
            self.clear_alarms(host)
            return
        if event not in (fsm.HEARTBEAT_DEGRADED, fsm.HEARTBEAT_FAILED):
            return
        failed = event == fsm.HEARTBEAT_FAILED
        severity = states.SEVERITY_CRITICAL if failed else \
            states.SEVERITY_MAJOR
        for network, alarm_id in _NETWORK_ALARMS.items():
            network_entity = mtce_faults.network_entity(host, network)
            if network in change.lost:
                self._faults.raise_alarm(
                    alarm_id, network_entity, severity,
                    '%s heartbeat lost on the %s network: %s'
                    % (host['hostname'], network, reason))
            else:
                self._faults.clear_alarm(alarm_id, network_entity)
        if failed:
            self._faults.raise_alarm(
                mtce_faults.HOST_FAILED, entity, states.SEVERITY_CRITICAL,
                '%s failed: heartbeat lost on every network; maintenance is '
                'recovering it' % host['hostname'])

    def clear_alarms(self, host):
        """Clear the heartbeat alarms of ``host`` (recovered, locked)."""
        self._faults.clear_alarm(mtce_faults.HOST_FAILED,
                                 mtce_faults.host_entity(host))
        for network, alarm_id in _NETWORK_ALARMS.items():
            self._faults.clear_alarm(
                alarm_id, mtce_faults.network_entity(host, network))

    def _reason(self, change):
        """What heartbeat saw: each network's missed pulses, and since
        when a silent one has been silent.
        """
        view = self._networks(change.host_uuid) or {}
        networks = []
        for network, count in sorted(change.misses.items()):
            last = view.get('networks', {}).get(network, {}).get(
                'last_answered', change.last_answered)
            if not count:
                networks.append('%s answers' % network)
            elif last is None:
                networks.append('%s never answered' % network)
            else:
                networks.append('%s silent since %s (%d missed)' % (
                    network, _wall_clock(last), count))
        return 'heartbeat %s: %s' % (change.new, ', '.join(networks))


def _wall_clock(monotonic):
    """A time.monotonic() instant as UTC time of day (HH:MM:SS.s)."""
    wall = time.time() - (time.monotonic() - monotonic)
    return time.strftime('%H:%M:%S', time.gmtime(wall)) + (
        '.%d' % int(wall % 1 * 10))


_EXPLAINED = (fsm.HEARTBEAT_FAILED, fsm.HEARTBEAT_DEGRADED,
              fsm.HEARTBEAT_RECOVERED)
_SEVERITY = {
    fsm.HEARTBEAT_FAILED: states.SEVERITY_CRITICAL,
    fsm.HEARTBEAT_DEGRADED: states.SEVERITY_MAJOR,
}
