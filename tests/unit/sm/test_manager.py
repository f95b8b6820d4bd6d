"""The service engine: roles, ordered enable, audits, restarts, failover."""

import os
import signal
import subprocess
import sys
import threading
import time

import fixtures
from oslotest import base

from stx.common import exception
from stx.common import states
from stx.sm import actions
from stx.sm import failover
from stx.sm import fence as fence_module
from stx.sm import manager
from stx.sm import model

MODEL = '''
domain: {name: controller, hello_interval_ms: 100, dead_interval_ms: 200,
         wait_interval_ms: 300}
service_groups:
  - name: core
    redundancy_model: 1+1
    services:
      - {name: ip, failure_impact: critical}
      - {name: daemon, failure_impact: critical}
      - {name: helper, failure_impact: minor}
services:
  - name: ip
    actions: &actions
      enable: {type: command, command: ["true"]}
      disable: {type: command, command: ["true"]}
      audit: {type: command, command: ["true"], interval: 0.01}
  - name: daemon
    max_failures: 1
    actions: *actions
    dependencies: [ip]
  - name: helper
    max_failures: 0
    actions:
      enable: {type: command, command: ["true"]}
      disable: {type: command, command: ["true"]}
      go-active: {type: command, command: ["true"]}
      go-standby: {type: command, command: ["true"]}
      audit: {type: command, command: ["true"], interval: 0.01}
    dependencies: [daemon]
'''


class Actions:
    """Records actions; ``failing`` names (service, action) that fail,
    ``fail_once`` those that fail the next time only.
    """

    def __init__(self):
        self.calls = []
        self.failing = set()
        self.fail_once = set()
        self.delay = 0
        self.lock = threading.Lock()

    def __call__(self, service, name, action):
        with self.lock:
            self.calls.append((service, name))
            once = (service, name) in self.fail_once
            self.fail_once.discard((service, name))
        time.sleep(self.delay)
        if once or (service, name) in self.failing:
            return actions.Result(False, 'exit status 1: down')
        return actions.Result(True, None)

    def of(self, name):
        with self.lock:
            return [service for service, action in self.calls
                    if action == name]


class Peer:
    """Stands in for a PeerLink between two engines."""

    dead_interval = 0.2

    def __init__(self):
        self.other = None
        self.last = None
        self.cut = set()

    def alive(self):
        return self.other is not None

    def hello_now(self):
        """The other reads this one's hello when it needs it."""

    def paths(self):
        """One path, alive as the other is heard; ``cut`` ones silent."""
        return {name: {'alive': self.other is not None and
                       name not in self.cut, 'silent_for': None}
                for name in ('management', 'oam')}

    def peer_hello(self):
        """The other's hello; its last one once it is no longer heard."""
        if self.other is not None:
            self.last = dict(self.other.hello(), node=self.other.node)
        return self.last


class Faults:

    def __init__(self):
        self.active = {}
        self.events = []

    def set_fault(self, fault):
        self.active[fault.alarm_id, fault.entity_instance_id] = fault

    def clear_fault(self, alarm_id, entity):
        self.active.pop((alarm_id, entity), None)

    def set_event(self, fault):
        self.events.append(fault)

    def of(self, alarm_id):
        return [fault for (id_, _entity), fault in self.active.items()
                if id_ == alarm_id]


class EngineTestCase(base.BaseTestCase):

    def _engine(self, node='controller-0', peer=None, start=True,
                text=MODEL, **kwargs):
        recorder = Actions()
        engine = manager.ServiceManager(
            model.loads(text), node, peer=peer, faults=Faults(),
            run_action=recorder, **kwargs)
        if start:
            engine.start()
        self.addCleanup(engine.stop)
        return engine, recorder

    def _wait(self, what, predicate, timeout=5):
        deadline = time.monotonic() + timeout
        while not predicate():
            self.assertLess(time.monotonic(), deadline, 'no %s' % what)
            time.sleep(0.01)

    @staticmethod
    def _states(engine):
        return {name: s.state for name, s in engine.services.items()}

    def _all(self, engine, state):
        return set(self._states(engine).values()) == {state}

    def _wait_active_standby(self, one, two):
        self._wait('active and standby', lambda: self._all(
            one, states.SVC_ENABLED_ACTIVE) and self._all(
            two, states.SVC_ENABLED_STANDBY))


class TestAlone(EngineTestCase):

    def test_every_group_active_services_enabled_in_order(self):
        engine, recorder = self._engine(interval=0.02)
        self._wait('services active', lambda: self._all(
            engine, states.SVC_ENABLED_ACTIVE))
        self.assertEqual(['ip', 'daemon', 'helper'],
                         recorder.of(model.ACTION_ENABLE))
        self.assertEqual(['helper'], recorder.of(model.ACTION_GO_ACTIVE))
        group = engine.groups['core']
        self.assertEqual((states.SG_ACTIVE, states.SG_ACTIVE,
                          states.SG_STATUS_NONE),
                         (group.role, group.state, group.status))
        self._wait('audits', lambda: len(recorder.of(
            model.ACTION_AUDIT)) >= 6)

    def test_a_failed_service_is_restarted_within_its_budget(self):
        engine, recorder = self._engine(interval=0.02)
        self._wait('services active', lambda: self._all(
            engine, states.SVC_ENABLED_ACTIVE))
        recorder.fail_once.add(('daemon', model.ACTION_AUDIT))
        self._wait('daemon restarted', lambda: recorder.of(
            model.ACTION_ENABLE).count('daemon') == 2)
        self._wait('daemon active again', lambda: self._all(
            engine, states.SVC_ENABLED_ACTIVE))
        daemon = engine.services['daemon']
        self.assertEqual((1, states.SG_STATUS_NONE),
                         (daemon.failures, daemon.status))
        self.assertIn('audit failed: exit status 1: down', daemon.reason)
        self.assertEqual([], engine.faults.of('400.001'))

    def test_past_its_budget_a_critical_service_fails_the_group(self):
        engine, recorder = self._engine(interval=0.02)
        self._wait('services active', lambda: self._all(
            engine, states.SVC_ENABLED_ACTIVE))
        recorder.failing.add(('daemon', model.ACTION_AUDIT))
        daemon = engine.services['daemon']
        self._wait('daemon failed', lambda: daemon.status ==
                   states.SG_STATUS_FAILED and daemon.state ==
                   states.SVC_DISABLED)
        self._wait('group failed', lambda: engine.groups['core'].status ==
                   states.SG_STATUS_FAILED)
        self.assertEqual(2, daemon.failures)
        # Nowhere to move: the group stays active here, what runs runs.
        self.assertEqual(states.SG_ACTIVE, engine.groups['core'].role)
        self.assertEqual(states.SVC_ENABLED_ACTIVE,
                         engine.services['ip'].state)
        [alarm] = engine.faults.of('400.001')
        self.assertEqual(
            ('400.001', 'critical', 'service_domain=controller.'
             'service_group=core.host=controller-0'),
            (alarm.alarm_id, alarm.severity, alarm.entity_instance_id))
        self.assertIn('failed: daemon', alarm.reason_text)

    def test_after_the_failure_debounce_a_failed_service_is_retried(self):
        text = MODEL.replace('    redundancy_model: 1+1\n',
                             '    redundancy_model: 1+1\n'
                             '    failure_debounce_ms: 300\n')
        recorder = Actions()
        engine = manager.ServiceManager(
            model.loads(text), 'controller-0', faults=Faults(),
            run_action=recorder, interval=0.02)
        engine.start()
        self.addCleanup(engine.stop)
        self._wait('services active', lambda: self._all(
            engine, states.SVC_ENABLED_ACTIVE))
        recorder.failing.add(('daemon', model.ACTION_AUDIT))
        daemon = engine.services['daemon']
        self._wait('daemon failed', lambda: daemon.status ==
                   states.SG_STATUS_FAILED)
        failed = time.monotonic()
        self._wait('400.001', lambda: engine.faults.of('400.001'))
        recorder.failing.clear()
        enables = recorder.of(model.ACTION_ENABLE).count('daemon')
        self._wait('daemon enabled again', lambda: recorder.of(
            model.ACTION_ENABLE).count('daemon') == enables + 1)
        self.assertGreaterEqual(time.monotonic() - failed, 0.3)
        self._wait('group well again', lambda: self._all(
            engine, states.SVC_ENABLED_ACTIVE) and
            engine.groups['core'].status == states.SG_STATUS_NONE)
        self.assertEqual(0, daemon.failures)
        self._wait('400.001 cleared', lambda: not engine.faults.of('400.001'))

    def test_alarms_left_by_an_earlier_run_are_cleared_at_start(self):
        engine, _ = self._engine(start=False, interval=0.02)
        stale = 'service_domain=controller.service_group=core'
        engine.faults.active[('400.001', stale + '.host=controller-0')] = 1
        engine.faults.active[('400.002', stale)] = 1
        engine.start()
        self._wait('services active', lambda: self._all(
            engine, states.SVC_ENABLED_ACTIVE))
        self.assertEqual([], engine.faults.of('400.001'))
        # Alone, a 1+1 group has no standby: 400.002 holds, raised again.
        [alarm] = engine.faults.of('400.002')
        self.assertIn('has no standby', alarm.reason_text)

    def test_a_minor_service_past_its_budget_warns(self):
        engine, recorder = self._engine(interval=0.02)
        recorder.failing.add(('helper', model.ACTION_ENABLE))
        self._wait('group warn', lambda: engine.groups['core'].status ==
                   states.SG_STATUS_WARN)
        [alarm] = engine.faults.of('400.001')
        self.assertEqual('minor', alarm.severity)
        self.assertEqual(states.SVC_ENABLED_ACTIVE,
                         engine.services['daemon'].state)

    def test_failures_apart_do_not_add_up(self):
        engine, recorder = self._engine(interval=0.02,
                                        failure_countdown=0.1)
        self._wait('services active', lambda: self._all(
            engine, states.SVC_ENABLED_ACTIVE))
        for restarts in (2, 3, 4):
            recorder.fail_once.add(('daemon', model.ACTION_AUDIT))
            self._wait('daemon restarted', lambda: recorder.of(
                model.ACTION_ENABLE).count('daemon') == restarts)
            time.sleep(0.3)
        self.assertEqual(states.SG_STATUS_NONE,
                         engine.services['daemon'].status)

    def test_a_watched_process_that_exits_is_restarted_at_once(self):
        pid_file = os.path.join(self.useFixture(
            fixtures.TempDir()).path, 'daemon.pid')
        # Audits too far apart to find anything: only the watch can.
        text = MODEL.replace('interval: 0.01', 'interval: 1000').replace(
            '    dependencies: [ip]\n',
            '    dependencies: [ip]\n    pid_file: %s\n' % pid_file)
        processes = []

        def run_action(service, name, action):
            if (service, name) == ('daemon', model.ACTION_ENABLE):
                process = subprocess.Popen(
                    [sys.executable, '-c', 'import time; time.sleep(60)'])
                self.addCleanup(process.wait)
                self.addCleanup(process.kill)
                processes.append(process)
                with open(pid_file, 'w') as f:
                    f.write('%d\n' % process.pid)
            return actions.Result(True, None)

        engine = manager.ServiceManager(model.loads(text), 'controller-0',
                                        interval=0.02, run_action=run_action)
        engine.start()
        self.addCleanup(engine.stop)
        self._wait('services active', lambda: self._all(
            engine, states.SVC_ENABLED_ACTIVE))
        daemon = engine.services['daemon']
        self.assertEqual(processes[0].pid, daemon.pid)
        os.kill(processes[0].pid, signal.SIGKILL)
        self._wait('daemon restarted', lambda: len(processes) == 2 and
                   daemon.state == states.SVC_ENABLED_ACTIVE)
        self.assertEqual(processes[1].pid, daemon.pid)
        self.assertEqual('process %d exited' % processes[0].pid,
                         daemon.reason)
        self.assertEqual(1, daemon.failures)

    def test_a_service_whose_pid_file_is_missing_has_failed(self):
        text = MODEL.replace('    dependencies: [ip]\n',
                             '    dependencies: [ip]\n'
                             '    pid_file: /nonexistent/daemon.pid\n')
        engine = manager.ServiceManager(
            model.loads(text), 'controller-0', interval=0.02,
            run_action=lambda *args: actions.Result(True, None))
        engine.start()
        self.addCleanup(engine.stop)
        daemon = engine.services['daemon']
        self._wait('daemon failed', lambda: daemon.status ==
                   states.SG_STATUS_FAILED)
        self.assertIn('/nonexistent/daemon.pid: missing', daemon.reason)

    def test_reload_takes_new_settings(self):
        engine, recorder = self._engine(interval=0.02)
        self._wait('services active', lambda: self._all(
            engine, states.SVC_ENABLED_ACTIVE))
        engine.reload(model.loads(MODEL.replace(
            '    max_failures: 1\n', '    max_failures: 3\n')))
        self._wait('reloaded', lambda: engine.services[
            'daemon'].spec.max_failures == 3)
        self.assertEqual(3, engine.model.services['daemon'].max_failures)
        # Three failures in a row are within the new budget.
        recorder.failing.add(('daemon', model.ACTION_AUDIT))
        daemon = engine.services['daemon']
        self._wait('daemon failed', lambda: daemon.status ==
                   states.SG_STATUS_FAILED)
        self.assertEqual(4, daemon.failures)

    def test_reload_refuses_what_takes_a_restart(self):
        engine, _ = self._engine(interval=0.02)
        for text, what in (
                (MODEL.replace('redundancy_model: 1+1',
                               'redundancy_model: N\n    n_active: 1'),
                 'the service groups changed'),
                (MODEL.replace('dead_interval_ms: 200',
                               'dead_interval_ms: 300'),
                 'the domain changed'),
                (MODEL.replace('helper', 'other'),
                 'the service groups and the services changed')):
            with self.subTest(what=what):
                error = self.assertRaises(exception.Conflict, engine.reload,
                                          model.loads(text))
                self.assertIn('Cannot reload the model: %s' % what,
                              str(error))
        self.assertEqual(1, engine.model.services['daemon'].max_failures)


class TestPair(EngineTestCase):

    def _pair(self, text=MODEL, one=None, two=None):
        """controller-0 and controller-1, started, hearing each other;
        ``one`` and ``two``: more arguments of each engine.
        """
        peers = Peer(), Peer()
        one, one_actions = self._engine('controller-0', peer=peers[0],
                                        start=False, interval=0.02,
                                        text=text, **(one or {}))
        two, two_actions = self._engine('controller-1', peer=peers[1],
                                        start=False, interval=0.02,
                                        text=text, **(two or {}))
        # Each hears the other from the start: neither decides alone.
        peers[0].other, peers[1].other = two, one
        one.start()
        two.start()
        return one, one_actions, two, two_actions

    def test_active_on_one_standby_kept_warm_on_the_other(self):
        one, _, two, two_actions = self._pair()
        self._wait_active_standby(one, two)
        self.assertEqual(states.SG_STANDBY, two.groups['core'].state)
        self.assertEqual([], two_actions.of(model.ACTION_GO_ACTIVE))

    def test_a_failed_active_group_moves_to_the_peer(self):
        one, one_actions, two, two_actions = self._pair()
        self._wait_active_standby(one, two)
        one_actions.failing.add(('daemon', model.ACTION_AUDIT))
        self._wait('moved', lambda: self._all(
            two, states.SVC_ENABLED_ACTIVE))
        self.assertEqual(states.SG_ACTIVE, two.groups['core'].role)
        self.assertEqual(states.SG_DISABLED, one.groups['core'].role)
        self._wait('disabled here', lambda: self._all(
            one, states.SVC_DISABLED))
        # Dependents went down first.
        self.assertEqual(['helper', 'ip'], [
            name for name in one_actions.of(model.ACTION_DISABLE)
            if name != 'daemon'][-2:])
        self.assertEqual(['helper'], two_actions.of(model.ACTION_GO_ACTIVE))

    def test_controlled_swact_moves_every_active_group(self):
        one, one_actions, two, two_actions = self._pair()
        self._wait_active_standby(one, two)
        # Slow actions: a go-standby is seen under way.
        one_actions.delay = two_actions.delay = 0.1
        self.assertEqual(['core'], one.swact())
        overlap = []

        def swapped():
            holding = [any(s.state in manager.HOLDING
                           for s in engine.services.values())
                       for engine in (one, two)]
            if all(holding):
                overlap.append(self._states(one))
            return self._all(one, states.SVC_ENABLED_STANDBY) and \
                self._all(two, states.SVC_ENABLED_ACTIVE)
        self._wait('swapped', swapped)
        self.assertEqual([], overlap, 'both held the active role')
        self.assertEqual(['helper'], two_actions.of(model.ACTION_GO_ACTIVE))
        # Stays so once the swact is over, and can go back.
        self._wait('swact over', lambda: not one.swacts.groups)
        time.sleep(0.1)
        self.assertEqual(states.SG_ACTIVE, two.groups['core'].role)
        self.assertEqual(['core'], two.swact())
        self._wait('back', lambda: self._all(
            one, states.SVC_ENABLED_ACTIVE) and self._all(
            two, states.SVC_ENABLED_STANDBY))

    def test_a_swact_under_way_is_not_started_again(self):
        one, one_actions, two, two_actions = self._pair()
        self._wait_active_standby(one, two)
        one_actions.delay = two_actions.delay = 0.5
        self.assertEqual(['core'], one.swact())
        error = self.assertRaises(exception.Conflict, one.swact)
        self.assertIn('a swact of core is in progress', str(error))
        self._wait('swapped', lambda: self._all(
            two, states.SVC_ENABLED_ACTIVE))

    def test_describe_shows_both_controllers(self):
        one, one_actions, two, _ = self._pair()
        self._wait_active_standby(one, two)
        one_actions.failing.add(('helper', model.ACTION_AUDIT))
        self._wait('helper failed', lambda: one.services[
            'helper'].status == states.SG_STATUS_FAILED)
        described = two.describe()
        self.assertEqual(('controller-1', 'controller'),
                         (described['node'], described['domain']))
        self.assertEqual([
            {'name': 'controller-1', 'administrative': 'unlocked',
             'operational': 'enabled', 'availability': 'available',
             'ready_state': 'enabled', 'failover': 'normal',
             'decisions': [], 'reachability': None, 'paths': [
                 {'name': 'management', 'alive': True, 'silent_for': None},
                 {'name': 'oam', 'alive': True, 'silent_for': None}]},
            {'name': 'controller-0', 'administrative': 'unlocked',
             'operational': 'enabled', 'availability': 'available',
             'ready_state': 'enabled'}], described['nodes'])
        self.assertEqual([
            {'name': 'core', 'node': 'controller-1', 'state': 'standby',
             'desired_state': 'standby', 'status': 'none',
             'condition': ''},
            {'name': 'core', 'node': 'controller-0', 'state': 'active',
             'desired_state': 'active', 'status': 'warn',
             'condition': 'failed: helper'}], described['service_groups'])
        services = {(s['node'], s['name']): s
                    for s in described['services']}
        self.assertEqual(6, len(services))
        self.assertEqual({
            'name': 'helper', 'node': 'controller-0',
            'service_group': 'core', 'state': 'disabled',
            'desired_state': 'enabled-active', 'status': 'failed',
            'condition': 'audit failed: exit status 1: down'},
            services['controller-0', 'helper'])
        self.assertEqual('enabled-standby',
                         services['controller-1', 'daemon']['state'])
        # Out of contact: what it last said, its states unknown.
        two.peer.other = None
        described = two.describe()
        self.assertEqual(('disabled', 'unknown', 'disabled'), tuple(
            described['nodes'][1][key] for key in
            ('operational', 'availability', 'ready_state')))
        self.assertEqual('unknown', described['service_groups'][1]['state'])
        self.assertEqual({'unknown'}, {
            s['state'] for s in described['services']
            if s['node'] == 'controller-0'})

    def test_swact_refused_with_the_reason(self):
        one, _, two, _ = self._pair()
        self._wait_active_standby(one, two)
        error = self.assertRaises(exception.Conflict, two.swact)
        self.assertIn('Cannot swact from controller-1: no service group is '
                      'active there', str(error))
        alone, _ = self._engine('controller-2', interval=0.02)
        self._wait('alone active', lambda: self._all(
            alone, states.SVC_ENABLED_ACTIVE))
        error = self.assertRaises(exception.Conflict, alone.swact)
        self.assertIn('its peer controller does not answer', str(error))

    def test_loss_of_redundancy_raised_by_the_active_while_alone(self):
        one, _, two, _ = self._pair()
        self._wait_active_standby(one, two)
        self.assertEqual([], one.faults.of('400.002'))
        one.peer.other = None           # controller-1 is no longer heard
        self._wait('400.002', lambda: one.faults.of('400.002'))
        [alarm] = one.faults.of('400.002')
        self.assertEqual(
            ('major', 'service_domain=controller.service_group=core'),
            (alarm.severity, alarm.entity_instance_id))
        self.assertIn('the peer controller is not in contact',
                      alarm.reason_text)
        one.peer.other = two
        self._wait('400.002 cleared', lambda: not one.faults.of('400.002'))
        self.assertEqual([], two.faults.of('400.002'))

    def test_a_silent_path_is_alarmed_while_another_brings_hellos(self):
        one, _, two, _ = self._pair()
        self._wait_active_standby(one, two)
        one.peer.cut.add('oam')
        self._wait('400.005', lambda: one.faults.of('400.005'))
        [alarm] = one.faults.of('400.005')
        self.assertEqual(('major', 'host=controller-0.network=oam'),
                         (alarm.severity, alarm.entity_instance_id))
        self.assertEqual('Service management on controller-0 hears nothing '
                         'from controller-1 over the oam path; it still '
                         'does over management', alarm.reason_text)
        # Nothing moved.
        self.assertEqual(states.SG_ACTIVE, one.groups['core'].role)
        one.peer.cut.clear()
        self._wait('400.005 cleared', lambda: not one.faults.of('400.005'))
        # With every path silent the peer is gone: not a path's fault.
        one.peer.cut.update(('management', 'oam'))
        time.sleep(0.1)
        self.assertEqual([], one.faults.of('400.005'))

    def test_a_silent_peer_is_fenced_before_its_groups_go_active(self):
        from tests.unit.sm import test_failover
        fence = test_failover.Fence(
            fence_module.Outcome(False, 'BMC 10.0.0.9: no answer'),
            fence_module.Outcome(True, 'BMC 10.0.0.9 confirms the power '
                                       'off'))
        text = MODEL.replace('wait_interval_ms: 300}',
                             'wait_interval_ms: 300, fail_pending_ms: 1200}')
        one, _, two, _ = self._pair(text, two={
            'fence': fence, 'fence_retry_interval': 0.5})
        self._wait_active_standby(one, two)
        one.stop()                      # controller-0 dies
        two.peer.other = None
        died = time.monotonic()
        self._wait('fence not confirmed', lambda: two.failover.state ==
                   failover.FENCE_FAILED)
        self.assertGreaterEqual(time.monotonic() - died, 1.2)
        self.assertEqual(states.SG_STANDBY, two.groups['core'].role)
        self.assertTrue(two.faults.of('400.006'))
        self._wait('active after the fence', lambda: self._all(
            two, states.SVC_ENABLED_ACTIVE), timeout=10)
        self.assertEqual(2, fence.calls)
        self.assertEqual([failover.FAIL_PENDING, failover.FENCE_FAILED,
                          failover.FAILED],
                         [d['state'] for d in two.failover.decisions])
        self.assertEqual(failover.FAILED,
                         two.describe()['nodes'][0]['failover'])

    def test_cut_off_from_the_hosts_the_active_gives_its_groups_up(self):
        """Every path cut: controller-0 reaches no host and gives the
        group up; controller-1, reaching them, takes it (controller-0
        says over RPC it holds nothing: no fence needed).
        """
        from stx.sm import service as sm_service
        from tests.unit.sm import test_failover
        reached = test_failover.Reach(3), test_failover.Reach(3)
        engines = {}

        def arguments(index):
            return {'fence_retry_interval': 0.2, 'reach': reached[index],
                    'ask_peer': lambda node: sm_service.peer_word(
                        engines[node].describe(), node)}
        one, _, two, _ = self._pair(one=arguments(0), two=arguments(1))
        engines.update({'controller-0': one, 'controller-1': two})
        self._wait_active_standby(one, two)
        reached[0].set(0)
        one.peer.other = two.peer.other = None
        self._wait('controller-1 active', lambda: self._all(
            two, states.SVC_ENABLED_ACTIVE), timeout=10)
        self.assertEqual(failover.ISOLATED, one.failover.state)
        self.assertTrue(self._all(one, states.SVC_ENABLED_STANDBY))
        self.assertEqual({'reached': 0, 'total': 3, 'unreached': [
            'worker-0', 'worker-1', 'worker-2']},
            one.describe()['nodes'][0]['reachability'])
        self.assertIn('controller-0 held no service group active',
                      two.failover.decisions[-1]['reason'])

    def test_the_first_to_decide_does_not_take_the_active_role(self):
        peers = Peer(), Peer()
        one, _ = self._engine('controller-0', peer=peers[0], start=False,
                              interval=0.02)
        two, _ = self._engine('controller-1', peer=peers[1], start=False,
                              interval=0.02)
        peers[0].other, peers[1].other = two, one
        two.start()         # controller-0 heard but not deciding yet
        self._wait('controller-1 standby', lambda: self._all(
            two, states.SVC_ENABLED_STANDBY))
        time.sleep(0.1)
        self.assertEqual(states.SG_STANDBY, two.groups['core'].role)
        one.start()
        self._wait('controller-0 active', lambda: self._all(
            one, states.SVC_ENABLED_ACTIVE))
        self.assertEqual(states.SG_STANDBY, two.groups['core'].role)

    def test_waits_to_hear_its_peer_before_deciding(self):
        silent = Peer()
        engine, recorder = self._engine(peer=silent, interval=0.02)
        time.sleep(0.1)
        self.assertIsNone(engine.groups['core'].role)
        self.assertEqual([], recorder.calls)
        self._wait('alone after the wait interval',
                   lambda: engine.groups['core'].role == states.SG_ACTIVE)
        self.assertEqual(failover.FAILED, engine.failover.state)
        self.assertIn('nothing heard from the peer on any path since this '
                      'controller started', engine.failover.decisions[-1][
                          'reason'])
