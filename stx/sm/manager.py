"""The service engine of one controller: roles, actions, audits, restarts.

One ``ServiceManager`` runs on each controller (``stx-sm``). Every engine
pass it

1. decides this controller's role in each service group (active, standby
   or disabled) with the group's redundancy model (stx.ha.models), from
   its own health in the group and, while the peer is heard, the peer's
   (its hellos carry its roles and health, stx.sm.peer). Both controllers
   decide from the same facts the same way; at start a controller waits
   the domain's wait interval to hear its peer (and fences it first,
   when a fence is configured: stx.sm.failover) before it decides alone;
2. moves each service towards its group's role, one event of
   stx.sm.fsm at a time: enabled in dependency order (standby services are
   kept enabled, warm, so that going active only flips a role), go-active
   and go-standby, disabled in reverse order. Actions run in a thread
   pool, at most one per service at a time;
3. audits enabled services at their audit interval, and watches the
   process of each enabled service that names a ``pid_file`` (passive
   monitoring, stx.sm.watch). A service that fails (audit, process exit,
   or an action) is disabled and enabled again, up to its
   ``max_failures`` in a row (failures are in a row unless it stayed
   enabled for ``failure_countdown`` between them); past that it stays
   disabled and ``failed`` until its group's failure debounce has passed,
   then is enabled again with a new budget;
4. sums each group up (fsm.group_state, fsm.group_status) and raises or
   clears its alarms (stx.sm.alarms: 400.001, 400.002, 400.005). A group
   ``failed`` here is unhealthy: if the peer's is healthy, the peer takes
   it active; if not, it stays where it is.

A peer silent on every path still counts until stx.sm.failover takes it
for failed (fail-pending, then a confirmed fence). A controller
stx.sm.failover finds cut off (it reaches no host), or whose peer is the
survivor (it reaches more hosts), holds no group active.

The engine's state is only changed by its own thread; action results come
back to it through a queue, and wake it.
"""

import collections
import os
import queue
import threading
import time

import futurist
from oslo_log import log as logging

from stx.common import exception
from stx.common import states
from stx.conf import CONF
from stx.drivers.ha import models as ha_models
from stx.sm import actions
from stx.sm import alarms as sm_alarms
from stx.sm import failover
from stx.sm import fsm
from stx.sm import model as sm_model
from stx.sm import swact
from stx.sm import view
from stx.sm import watch

LOG = logging.getLogger(__name__)

ROLE_ACTIVE = states.SG_ACTIVE
ROLE_STANDBY = states.SG_STANDBY
ROLE_DISABLED = states.SG_DISABLED

# States in which a service still holds its group's active role.
HOLDING = (states.SVC_ENABLED_ACTIVE, states.SVC_ENABLED_GO_ACTIVE,
           states.SVC_ENABLED_GO_STANDBY)
# At most this much of a failure's reason travels in a hello.
_CONDITION_LENGTH = 120


class ServiceState:
    """What the engine knows of one service on this controller."""

    def __init__(self, spec):
        self.spec = spec
        self.state = states.SVC_INITIAL
        self.status = states.SG_STATUS_NONE
        self.failures = 0
        self.busy = False
        self.audit_due = 0.0
        self.enabled_at = 0.0
        self.failed_at = 0.0
        self.reason = None
        # The pid watched, and why it ended, until the engine acts on it.
        self.pid = None
        self.exited = None


class GroupState:
    """What the engine knows of one service group on this controller."""

    def __init__(self, spec):
        self.spec = spec
        self.role = None
        self.state = states.SG_INITIAL
        self.status = states.SG_STATUS_NONE


class ServiceManager:
    """The engine; see the module docstring.

    :param model: a stx.sm.model.Model.
    :param node: this controller's name.
    :param peer: a stx.sm.peer.PeerLink to the other controller, or None.
    :param faults: where alarms go (``set_fault``, ``clear_fault``, as
        stx.fm.client.FaultAPIs), or None.
    :param interval: seconds between two engine passes when nothing
        happens.
    :param failure_countdown: seconds a service must stay enabled for its
        failures not to count as in a row (StarlingX: 90).
    :param run_action: ``run_action(service, action name, Action)`` ->
        actions.Result (tests replace it).
    :param fence: a stx.sm.fence.Fence of the peer, or None.
    :param fence_retry_interval: seconds between two fences of the peer
        that were not confirmed.
    :param reach: a stx.sm.reach.HostReach (this controller's health
        score), or None.
    :param ask_peer: how to ask the peer when the paths are silent (see
        stx.sm.failover.PeerFailover), or None.
    """

    def __init__(self, model, node, peer=None, faults=None, interval=0.5,
                 failure_countdown=90.0, run_action=actions.run, fence=None,
                 fence_retry_interval=5.0, reach=None, ask_peer=None):
        self.model = model
        self.node = node
        self.peer = peer
        self.faults = faults
        self.interval = interval
        self.failure_countdown = failure_countdown
        self._run_action = run_action
        self.services = {name: ServiceState(spec)
                         for name, spec in model.services.items()}
        self.groups = {name: GroupState(spec)
                       for name, spec in model.groups.items()}
        self._order = model.start_order()
        self._results = queue.Queue()
        self._executor = futurist.ThreadPoolExecutor(
            max_workers=max(1, len(self.services)))
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = None
        self._started_at = None
        self._drivers = {name: ha_models.BUILT_IN[group.redundancy_model]()
                         for name, group in model.groups.items()}
        self._watcher = watch.ProcessWatcher()
        # A model reload waiting for the engine thread.
        self._new_model = None
        self.alarms = sm_alarms.Alarms(node, model.domain.name, faults)
        # What the last hello sent at a change said.
        self._said = None
        tie_breaker = model.domain.tie_breaker
        self.failover = None if peer is None else failover.PeerFailover(
            node, peer, fence, model.domain.fail_pending_ms / 1000.0,
            fence_retry_interval, self._executor, faults,
            tie_breaker=tie_breaker and failover.TieBreaker(*tie_breaker),
            wait=model.domain.wait_interval_ms / 1000.0, reach=reach,
            ask_peer=ask_peer, active_here=self._active_here)
        self.swacts = swact.Swacts(node,
                                   model.domain.dead_interval_ms / 1000.0)

    # Life cycle.

    def start(self):
        self._started_at = time.monotonic()
        self._watcher.start()
        self._thread = threading.Thread(target=self._loop, daemon=True,
                                        name='sm-engine')
        self._thread.start()

    def stop(self, timeout=5.0):
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._watcher.stop()
        self._executor.shutdown(wait=False)

    def reload(self, model):
        """Take a new model's settings at the next engine pass.

        What can change: actions, timeouts, audit intervals, budgets,
        pid files, dependencies and failure impacts. The rest (the domain,
        the groups, their redundancy and members, the services) decides
        what runs where; changing it takes a restart of stx-sm.

        :raises: Conflict naming what changed that cannot.
        """
        changed = [what for what, old, new in zip(
            ('the domain', 'the service groups', 'the services'),
            _structure(self.model), _structure(model)) if old != new]
        if changed:
            raise exception.Conflict(
                'Cannot reload the model: %s changed; restart stx-sm to '
                'change %s.' % (' and '.join(changed),
                                'them' if len(changed) > 1 else 'it'))
        self._new_model = model
        self._wake.set()

    def _take_new_model(self):
        model, self._new_model = self._new_model, None
        if model is None:
            return
        self.model = model
        for name, service in self.services.items():
            service.spec = model.services[name]
        for name, group in self.groups.items():
            group.spec = model.groups[name]
        self._order = model.start_order()
        LOG.info('Service-management model reloaded')

    # What others read.

    def hello(self):
        """What this controller's hellos tell the peer: each group's role
        as its services hold it (active until they all left it), the role
        assigned to it, health, rank, state and status, and each service's
        state.
        """
        swacting = self.swacts.groups
        groups = {}
        for name, group in self.groups.items():
            holding = any(self.services[member.service].state in HOLDING
                          for member in group.spec.members)
            groups[name] = {
                'role': ROLE_ACTIVE if holding else group.role,
                'assigned': group.role,
                'healthy': self._healthy(group),
                'priority': swact.PRIORITY if name in swacting else 0,
                'state': group.state, 'status': group.status}
        services = {name: [service.state, service.status,
                           _condition(service)]
                    for name, service in self.services.items()}
        return {'groups': groups, 'services': services,
                'decided': self._decided()}

    def describe(self):
        """The service domain as this controller sees it (stx.sm.view)."""
        return view.describe(self)

    def swact(self):
        """Hand every group active here to the peer (a controlled swact).

        Here each goes standby first; the peer takes it active once this
        controller no longer holds it. Returns once the swact is started:
        the groups' states tell when it is over (stx-mtce follows them).

        :returns: the names of the groups handed over.
        :raises: Conflict saying why it cannot be done.
        """
        hello = self._peer_hello()
        active = sorted(name for name, group in self.groups.items()
                        if group.role == ROLE_ACTIVE)
        if hello is not None and not self.peer.alive():
            hello = None                # as last heard: no swact
        active = self.swacts.start(active, hello, self._peer_hello)
        LOG.info('Swact: %(node)s hands %(groups)s to %(peer)s', {
            'node': self.node, 'groups': ', '.join(active),
            'peer': hello['node']})
        self._wake.set()
        return active

    def wake(self):
        """Have the engine make a pass now (the peer's hello changed)."""
        self._wake.set()

    # The engine.

    def _loop(self):
        while not self._stop.is_set():
            # A result that arrives from now on wakes the next wait.
            self._wake.clear()
            try:
                self.step()
            except Exception:
                LOG.exception('Service engine pass failed')
            self._wake.wait(self.interval)

    def step(self):
        """One engine pass (the engine thread's; tests call it)."""
        self._take_new_model()
        self._collect_results()
        if self.failover is not None:
            self.failover.follow(time.monotonic())
        if not self._decided():
            return
        hello = self._peer_hello()
        self._assign_roles(hello)
        now = time.monotonic()
        for name in self._order:
            self._drive(self.services[name], now)
        for name in reversed(self._order):
            self._drive_down(self.services[name])
        self._sum_up(hello)
        self._tell_peer()

    def _tell_peer(self):
        """A hello at once when what this controller says changed."""
        if self.peer is None:
            return
        said = self.hello()
        if said != self._said:
            self._said = said
            self.peer.hello_now()

    def _decided(self):
        """Whether this controller may decide its roles: started, and
        without a peer, or knowing enough of it (stx.sm.failover).
        """
        if self._started_at is None:
            return False
        return self.failover is None or self.failover.decided()

    def _peer_hello(self):
        """The peer's last hello while the peer counts (heard, or not yet
        taken for failed: stx.sm.failover); None otherwise.
        """
        if self.peer is not None and self.failover.present():
            return self.peer.peer_hello()
        return None

    def _active_here(self):
        return sorted(name for name, group in self.hello()['groups'].items()
                      if group['role'] == ROLE_ACTIVE)

    def _assign_roles(self, hello):
        if self.failover is not None and self.failover.yielding():
            # Cut off, or the peer survives: nothing active here.
            for group in self.groups.values():
                if group.role != ROLE_STANDBY:
                    LOG.warning('Service group %(group)s: %(old)s -> '
                                'standby on %(node)s (%(why)s)', {
                                    'group': group.spec.name,
                                    'old': group.role, 'node': self.node,
                                    'why': self.failover.state})
                    group.role = ROLE_STANDBY
            return
        swacting = self.swacts.under_way(hello)
        handed = set()
        for name, group in self.groups.items():
            theirs = (hello or {}).get('groups', {}).get(name)
            peer_healthy = bool(theirs and theirs.get('healthy'))
            # Undecided (just started) counts as standby: a controller
            # that decided first must not take the active role from its
            # peer for being warm sooner.
            mine = {'name': self.node,
                    'current_role': group.role or ROLE_STANDBY,
                    # A group failed here stays when the peer cannot take
                    # it.
                    'healthy': self._healthy(group) or not peer_healthy}
            if name in swacting:
                if theirs is None:
                    handed.add(name)        # no peer left to take it
                else:
                    mine.update(current_role=ROLE_STANDBY,
                                priority=swact.PRIORITY)
            members = [mine]
            if theirs is not None:
                members.append({'name': hello['node'],
                                'healthy': peer_healthy,
                                'current_role': (theirs.get('role') or
                                                 ROLE_STANDBY),
                                'priority': theirs.get('priority', 0)})
            # Both controllers list the members in the same order.
            members.sort(key=lambda member: member['name'])
            roles = self._drivers[name].assign(
                members, {'n_active': group.spec.n_active,
                          'm_standby': group.spec.m_standby})
            role = roles[self.node]
            if name in swacting and role == ROLE_ACTIVE:
                handed.add(name)            # over: it stays here
            if role != group.role:
                LOG.info('Service group %(group)s: %(old)s -> %(new)s on '
                         '%(node)s', {'group': name, 'old': group.role,
                                      'new': role, 'node': self.node})
                group.role = role
        self.swacts.over(handed)

    def _healthy(self, group):
        return group.status != states.SG_STATUS_FAILED

    def _target(self, service):
        return self.groups[self.model.group_of(service.spec.name).name].role

    def _drive(self, service, now):
        """Enable, go-active, go-standby or audit, as the role wants."""
        if service.busy:
            return
        if service.status == states.SG_STATUS_FAILED:
            if not self._retry_due(service, now):
                return
        if service.exited is not None:
            reason, service.exited = service.exited, None
            if service.state in fsm.ENABLED_STATES:
                self._failed(service, reason)
                return
        if service.failures and service.state in fsm.ENABLED_STATES and \
                now - service.enabled_at >= self.failure_countdown:
            # Up long enough: its failures were not in a row.
            service.failures = 0
        target = self._target(service)
        state = service.state
        if target == ROLE_DISABLED:
            return
        if state in fsm.STOPPED_STATES:
            if all(self.services[dep].state in fsm.ENABLED_STATES
                   for dep in service.spec.dependencies):
                self._act(service, fsm.ENABLE, sm_model.ACTION_ENABLE)
        elif state == states.SVC_ENABLED_STANDBY and target == ROLE_ACTIVE:
            self._act(service, fsm.GO_ACTIVE, sm_model.ACTION_GO_ACTIVE)
        elif state == states.SVC_ENABLED_ACTIVE and target == ROLE_STANDBY:
            self._act(service, fsm.GO_STANDBY, sm_model.ACTION_GO_STANDBY)
        elif state in (states.SVC_ENABLED_ACTIVE,
                       states.SVC_ENABLED_STANDBY) and now >= \
                service.audit_due and \
                sm_model.ACTION_AUDIT in service.spec.actions:
            self._act(service, None, sm_model.ACTION_AUDIT)

    def _retry_due(self, service, now):
        """Whether a service failed past its budget gets a new one: after
        its group's failure debounce, it is enabled again (so that the
        controller can be the group's standby again, or its active when
        the peer cannot).
        """
        debounce = self.model.group_of(
            service.spec.name).failure_debounce_ms / 1000.0
        if now - service.failed_at < debounce:
            return False
        LOG.info('Service %(name)s: enabled again after the failure '
                 'debounce of %(secs)g s', {'name': service.spec.name,
                                            'secs': debounce})
        service.status = states.SG_STATUS_NONE
        service.failures = 0
        return True

    def _drive_down(self, service):
        """Disable a service whose group is disabled here, dependents
        first.
        """
        if service.busy or self._target(service) != ROLE_DISABLED:
            return
        if service.state in fsm.ENABLED_STATES or service.state == \
                states.SVC_ENABLING:
            if not any(self.services[other].state not in fsm.STOPPED_STATES
                       for other in self._dependents(service)):
                self._act(service, fsm.DISABLE, sm_model.ACTION_DISABLE)

    def _dependents(self, service):
        return [name for name, other in self.services.items()
                if service.spec.name in other.spec.dependencies]

    def _act(self, service, event, action_name):
        """Take ``event`` and run the action it stands for."""
        if action_name == sm_model.ACTION_DISABLE:
            self._unwatch(service)
        if event is not None:
            service.state = fsm.service_transition(
                service.spec.name, service.state, event)
        action = service.spec.actions.get(action_name)
        if action is None:
            # No go-active / go-standby: the role flips at once.
            service.busy = True
            self._post(service.spec.name, action_name,
                       actions.Result(True, None))
            return
        service.busy = True
        self._executor.submit(self._run, service.spec.name, action_name,
                              action)

    def _run(self, name, action_name, action):
        self._post(name, action_name,
                   self._run_action(name, action_name, action))

    def _post(self, name, action_name, result):
        self._results.put((name, action_name, result))
        self._wake.set()

    def _collect_results(self):
        while True:
            try:
                item = self._results.get_nowait()
            except queue.Empty:
                return
            self._done(*item)

    def _done(self, name, action_name, result):
        service = self.services[name]
        if action_name == _EXITED:
            if result.pid == service.pid:
                # Acted on at the service's next drive, once no action
                # of its own is running.
                service.exited = result.reason
                service.pid = None
            return
        service.busy = False
        if action_name == sm_model.ACTION_AUDIT:
            interval = service.spec.actions[action_name].interval
            service.audit_due = time.monotonic() + interval
            if result.ok:
                return
        elif result.ok:
            service.state = fsm.service_transition(
                name, service.state, _DONE[action_name])
            if action_name == sm_model.ACTION_ENABLE:
                service.audit_due = 0.0
                service.enabled_at = time.monotonic()
                self._watch(service)
            return
        if action_name == sm_model.ACTION_DISABLE:
            # A disable that fails leaves nothing to retry with.
            LOG.error('Service %(name)s: disable failed: %(reason)s',
                      {'name': name, 'reason': result.reason})
            service.state = fsm.service_transition(name, service.state,
                                                   fsm.DISABLED)
            return
        self._failed(service, '%s failed: %s' % (action_name, result.reason))

    def _watch(self, service):
        """Watch the process of a service just enabled, if it names one;
        one that is not running has failed.
        """
        if service.spec.pid_file is None:
            return
        try:
            pid = watch.read_pid_file(os.path.join(
                CONF.state_path, service.spec.pid_file))
        except watch.PidFileError as error:
            service.exited = str(error)
            return
        service.pid = pid
        if not self._watcher.watch(service.spec.name, pid, self._exited):
            service.pid = None
            service.exited = 'process %d is not running' % pid

    def _exited(self, name, pid):
        self._post(name, _EXITED, _Exit(pid, 'process %d exited' % pid))

    def _unwatch(self, service):
        if service.pid is not None:
            self._watcher.unwatch(service.spec.name)
        service.pid = service.exited = None

    def _failed(self, service, reason):
        service.failures += 1
        service.reason = reason
        budget = service.spec.max_failures
        if service.failures > budget:
            service.status = states.SG_STATUS_FAILED
            service.failed_at = time.monotonic()
            LOG.error('Service %(name)s failed %(count)d times in a row '
                      '(%(reason)s): left disabled', {
                          'name': service.spec.name,
                          'count': service.failures, 'reason': reason})
        else:
            LOG.warning('Service %(name)s: %(reason)s; restarting it '
                        '(failure %(count)d of %(budget)d)', {
                            'name': service.spec.name,
                            'reason': service.reason,
                            'count': service.failures, 'budget': budget})
        service.state = fsm.service_transition(
            service.spec.name, service.state, fsm.FAILED)
        self._act(service, None, sm_model.ACTION_DISABLE)

    def _sum_up(self, hello):
        for name, group in self.groups.items():
            members = [self.services[m.service] for m in group.spec.members]
            # A member failed past its budget has its say in the status,
            # not in the state: the rest of the group is active.
            serving = [m for m in members
                       if m.status != states.SG_STATUS_FAILED] or members
            group.state = fsm.group_state(group.role,
                                          [m.state for m in serving])
            group.status = fsm.group_status(
                [(m.failure_impact, self.services[m.service].status)
                 for m in group.spec.members])
            self.alarms.group(group, [
                m.spec.name for m in members
                if m.status == states.SG_STATUS_FAILED])
            self.alarms.redundancy(group, hello)
        if self.peer is not None:
            self.alarms.paths(self.peer.paths(), hello)


def _structure(model):
    """What a reload cannot change: domain, groups, services."""
    return (model.domain,
            {name: (group.redundancy_model, group.n_active, group.m_standby,
                    [member.service for member in group.members])
             for name, group in model.groups.items()},
            sorted(model.services))


def _condition(service):
    """What is wrong with a service: its last failure, while it counts."""
    if not service.failures and service.status != states.SG_STATUS_FAILED:
        return ''
    return (service.reason or '')[:_CONDITION_LENGTH]


# What the watcher posts when a service's process exits.
_EXITED = 'exited'
_Exit = collections.namedtuple('_Exit', 'pid reason')


# The done event of each action.
_DONE = {sm_model.ACTION_ENABLE: fsm.ENABLED,
         sm_model.ACTION_GO_ACTIVE: fsm.WENT_ACTIVE,
         sm_model.ACTION_GO_STANDBY: fsm.WENT_STANDBY,
         sm_model.ACTION_DISABLE: fsm.DISABLED}
