"""Heartbeat health rules (stx.mtce.heartbeat.tracker), tick by tick.

The tracker here counts: minor at 2 misses, degraded at 3, failed at 5,
offline at 7, healthy after 3 answered ticks; MNFA from 2 hosts.
"""

from stx.mtce import heartbeat
from stx.mtce.heartbeat import tracker
from tests.unit import base

MGMT = heartbeat.NETWORK_MGMT
CLUSTER = heartbeat.NETWORK_CLUSTER_HOST
BOTH = (MGMT, CLUSTER)
HOST_A = '00000000-0000-4000-8000-00000000000a'
HOST_B = '00000000-0000-4000-8000-00000000000b'
HOST_C = '00000000-0000-4000-8000-00000000000c'
OK = tracker.HEALTH_OK
MINOR = tracker.HEALTH_MINOR
DEGRADED = tracker.HEALTH_DEGRADED
FAILED = tracker.HEALTH_FAILED
UNKNOWN = tracker.HEALTH_UNKNOWN
OFFLINE = tracker.HEALTH_OFFLINE
# Binary fractions: time arithmetic in the tests stays exact.
PERIOD = 0.125
THRESHOLDS = dict(minor_threshold=2, degrade_threshold=3, failure_threshold=5,
                  offline_threshold=7, recovery_pulses=3, mnfa_threshold=2,
                  mnfa_timeout=0)


def target(uuid, enabled=True, networks=BOTH):
    addresses = {net: ('127.0.0.1', 2106 + index)
                 for index, net in enumerate(networks)}
    return tracker.Target(uuid, 'host-' + uuid[-1], addresses, enabled)


class TrackerTestCase(base.TestCase):

    def setUp(self):
        super().setUp()
        self.now = 1000.0
        self.make_tracker()

    def make_tracker(self, **overrides):
        self.tracker = tracker.Tracker(**dict(THRESHOLDS, **overrides))

    def set_targets(self, targets, heard=True):
        """Set the targets; ``heard``: as if each had answered before, so
        that its own thresholds apply from the first tick.
        """
        self.tracker.set_targets(targets)
        if heard:
            for host in self.tracker._hosts.values():
                host.heard = True

    def tick(self, answers=()):
        """One period: ``answers`` are (uuid, network) pairs that answered
        (a uuid alone: every network).
        """
        self.now += PERIOD
        for answer in answers:
            uuid, networks = (answer if isinstance(answer, tuple)
                              else (answer, BOTH))
            for net in ([networks] if isinstance(networks, str)
                        else networks):
                self.tracker.answered(uuid, net, self.now - PERIOD / 2)
        return self.tracker.tick(self.now)

    def ticks(self, count, answers=()):
        events = []
        for _ in range(count):
            events += self.tick(answers)
        return events

    def health(self, uuid):
        return self.tracker.view()[uuid]['health']

    def transitions(self, events, uuid=None):
        return [(event.old, event.new) for event in events
                if isinstance(event, tracker.Change)
                and uuid in (None, event.host_uuid)]


class TestUnlockedHost(TrackerTestCase):

    def setUp(self):
        super().setUp()
        self.set_targets([target(HOST_A)])

    def test_starts_ok(self):
        self.assertEqual(OK, self.health(HOST_A))

    def test_answering_host_stays_ok_without_events(self):
        self.assertEqual([], self.ticks(20, [HOST_A]))
        networks = self.tracker.view()[HOST_A]['networks']
        self.assertEqual({MGMT: 0, CLUSTER: 0},
                         {net: networks[net]['misses'] for net in BOTH})
        self.assertEqual(self.now - PERIOD / 2,
                         networks[MGMT]['last_answered'])

    def test_misses_below_minor_threshold_change_nothing(self):
        self.tick([HOST_A])
        self.assertEqual([], self.tick([(HOST_A, CLUSTER)]))
        self.assertEqual([], self.tick([HOST_A]))

    def test_silent_host_goes_minor_degraded_then_failed(self):
        self.tick([HOST_A])
        answered_at = self.now - PERIOD / 2
        events = [self.tick() for _ in range(5)]
        self.assertEqual([[], [(OK, MINOR)], [(MINOR, DEGRADED)], [],
                          [(DEGRADED, FAILED)]],
                         [self.transitions(tick) for tick in events])
        failed = events[4][0]
        self.assertEqual(tracker.Change(
            HOST_A, 'host-a', DEGRADED, FAILED, BOTH, answered_at,
            {MGMT: 5, CLUSTER: 5}), failed)
        self.assertEqual([], self.ticks(20))

    def test_loss_on_one_network_degrades_but_never_fails(self):
        events = self.ticks(2, [(HOST_A, CLUSTER)])
        self.assertEqual([(OK, MINOR)], self.transitions(events))
        degraded = self.tick([(HOST_A, CLUSTER)])
        self.assertEqual([(MINOR, DEGRADED)], self.transitions(degraded))
        self.assertEqual((MGMT,), degraded[0].lost)
        self.assertEqual({MGMT: 3, CLUSTER: 0}, degraded[0].misses)
        self.assertEqual([], self.ticks(50, [(HOST_A, CLUSTER)]))
        self.assertEqual(DEGRADED, self.health(HOST_A))

    def test_fails_when_the_last_network_reaches_the_threshold(self):
        self.ticks(10, [(HOST_A, CLUSTER)])
        self.assertEqual([], self.ticks(4))
        failed = self.tick()
        self.assertEqual([(DEGRADED, FAILED)], self.transitions(failed))
        self.assertEqual({MGMT: 15, CLUSTER: 5}, failed[0].misses)

    def test_minor_clears_at_the_first_tick_every_network_answered(self):
        self.ticks(2, [(HOST_A, CLUSTER)])
        self.assertEqual(MINOR, self.health(HOST_A))
        # The misses are under the threshold, yet cluster-host just missed.
        self.assertEqual([], self.tick([(HOST_A, MGMT)]))
        self.assertEqual([(MINOR, OK)],
                         self.transitions(self.tick([HOST_A])))

    def test_degraded_clears_after_recovery_pulses_in_a_row(self):
        self.ticks(3, [(HOST_A, CLUSTER)])
        self.assertEqual(DEGRADED, self.health(HOST_A))
        self.assertEqual([], self.ticks(2, [HOST_A]))
        # One miss restarts the count.
        self.assertEqual([], self.tick([(HOST_A, CLUSTER)]))
        self.assertEqual([], self.ticks(2, [HOST_A]))
        self.assertEqual([(DEGRADED, OK)],
                         self.transitions(self.tick([HOST_A])))

    def test_failed_clears_after_recovery_pulses_on_every_network(self):
        self.ticks(5)
        self.assertEqual(FAILED, self.health(HOST_A))
        self.assertEqual([], self.ticks(2, [HOST_A]))
        self.assertEqual([(FAILED, OK)],
                         self.transitions(self.tick([HOST_A])))

    def test_failed_host_is_degraded_once_one_network_is_back(self):
        self.ticks(5)
        self.assertEqual([], self.ticks(2, [(HOST_A, MGMT)]))
        back = self.tick([(HOST_A, MGMT)])
        self.assertEqual([(FAILED, DEGRADED)], self.transitions(back))
        self.assertEqual((CLUSTER,), back[0].lost)
        self.assertEqual([], self.ticks(2, [HOST_A]))
        self.assertEqual([(DEGRADED, OK)],
                         self.transitions(self.tick([HOST_A])))

    def test_stray_answers_do_not_lift_a_failed_host(self):
        self.ticks(5)
        for _ in range(3):
            self.assertEqual([], self.tick([HOST_A]))
            self.assertEqual([], self.ticks(2))
        self.assertEqual(FAILED, self.health(HOST_A))

    def test_host_on_one_network_fails_on_it(self):
        self.set_targets([target(HOST_B, networks=(CLUSTER,))])
        self.assertEqual([(OK, MINOR), (MINOR, DEGRADED), (DEGRADED, FAILED)],
                         self.transitions(self.ticks(5)))
        self.assertEqual([MGMT, CLUSTER][1:],
                         list(self.tracker.view()[HOST_B]['networks']))

    def test_answers_of_unknown_hosts_and_networks_are_ignored(self):
        self.set_targets([target(HOST_A, networks=(MGMT,))])
        self.tracker.answered(HOST_B, MGMT, self.now)
        self.tracker.answered(HOST_A, CLUSTER, self.now)
        self.assertNotIn(HOST_B, self.tracker.view())
        self.assertEqual([], self.ticks(1, [(HOST_A, MGMT)]))


class TestLockedHost(TrackerTestCase):
    """Presence only: unknown, ok, offline; never minor, degraded, failed."""

    def setUp(self):
        super().setUp()
        self.set_targets([target(HOST_A, enabled=False)])

    def test_starts_unknown_and_is_ok_once_a_network_answers(self):
        self.assertEqual(UNKNOWN, self.health(HOST_A))
        self.assertEqual([], self.tick())
        self.assertEqual([(UNKNOWN, OK)],
                         self.transitions(self.tick([(HOST_A, CLUSTER)])))

    def test_silence_is_offline_after_the_offline_threshold(self):
        self.tick([HOST_A])
        self.assertEqual([], self.ticks(6))
        self.assertEqual([(OK, OFFLINE)], self.transitions(self.tick()))
        self.assertEqual([(OFFLINE, OK)],
                         self.transitions(self.tick([(HOST_A, MGMT)])))

    def test_unknown_host_can_go_offline(self):
        self.assertEqual([(UNKNOWN, OFFLINE)],
                         self.transitions(self.ticks(7)))

    def test_one_network_answering_keeps_it_present(self):
        self.assertEqual([(UNKNOWN, OK)],
                         self.transitions(self.ticks(30, [(HOST_A, MGMT)])))

    def test_does_not_count_for_mnfa(self):
        self.set_targets([target(HOST_A, enabled=False), target(HOST_B)])
        events = self.ticks(7)
        self.assertEqual([], [e for e in events
                              if isinstance(e, tracker.Mnfa)])
        self.assertEqual(FAILED, self.health(HOST_B))


class TestMultiNodeFailureAvoidance(TrackerTestCase):

    def setUp(self):
        super().setUp()
        self.set_targets([target(HOST_A), target(HOST_B), target(HOST_C)])

    def test_hosts_in_loss_together_are_degraded_not_failed(self):
        self.ticks(2, [HOST_C])
        entered = self.tick([HOST_C])
        self.assertEqual(tracker.Mnfa(True, (HOST_A, HOST_B)), entered[0])
        self.assertEqual([(MINOR, DEGRADED)] * 2,
                         self.transitions(entered[1:]))
        self.assertEqual([], self.ticks(20, [HOST_C]))
        self.assertEqual([DEGRADED, DEGRADED, OK],
                         [self.health(h) for h in (HOST_A, HOST_B, HOST_C)])
        mnfa = self.tracker.view()[tracker.MNFA_KEY]
        self.assertTrue(mnfa['active'])
        self.assertEqual([HOST_A, HOST_B], mnfa['hosts'])

    def test_ends_when_fewer_hosts_are_in_loss_and_fails_the_rest(self):
        self.ticks(10, [HOST_C])
        left = self.tick([HOST_A, HOST_C])
        self.assertEqual(tracker.Mnfa(False, ()), left[0])
        self.assertEqual([(DEGRADED, FAILED)],
                         self.transitions(left[1:], HOST_B))
        self.assertEqual([], self.transitions(left, HOST_A))
        self.assertEqual([(DEGRADED, OK)],
                         self.transitions(self.ticks(2, [HOST_A, HOST_C])))

    def test_host_failed_before_mnfa_stays_failed(self):
        self.ticks(5, [HOST_B, HOST_C])
        self.assertEqual(FAILED, self.health(HOST_A))
        events = self.ticks(3, [HOST_C])
        self.assertEqual([tracker.Mnfa(True, (HOST_A, HOST_B))],
                         [e for e in events if isinstance(e, tracker.Mnfa)])
        self.assertEqual([], self.transitions(events, HOST_A))

    def test_timeout_ends_it_and_it_waits_for_the_count_to_drop(self):
        self.make_tracker(mnfa_timeout=1)
        self.set_targets([target(HOST_A), target(HOST_B)])
        self.ticks(2)
        self.assertEqual(tracker.Mnfa(True, (HOST_A, HOST_B)),
                         self.tick()[0])
        # 1 s is 8 periods.
        self.assertEqual([], self.ticks(7))
        left = self.tick()
        self.assertEqual(tracker.Mnfa(False, ()), left[0])
        self.assertEqual([(DEGRADED, FAILED)] * 2,
                         self.transitions(left[1:]))
        self.assertEqual([], self.ticks(20))
        self.assertTrue(self.tracker.view()[tracker.MNFA_KEY]['suspended'])
        # Once the count drops below the threshold, MNFA may start again.
        self.tick([HOST_A])
        self.assertFalse(self.tracker.view()[tracker.MNFA_KEY]['suspended'])
        self.assertEqual([tracker.Mnfa(True, (HOST_A, HOST_B))],
                         self.ticks(3))

    def test_disabled_by_threshold_zero(self):
        self.make_tracker(mnfa_threshold=0)
        self.set_targets([target(HOST_A), target(HOST_B)])
        events = self.ticks(5)
        self.assertEqual([], [e for e in events
                              if isinstance(e, tracker.Mnfa)])
        self.assertEqual([FAILED, FAILED],
                         [self.health(h) for h in (HOST_A, HOST_B)])

    def test_one_host_in_loss_is_not_mnfa(self):
        events = self.ticks(5, [HOST_B, HOST_C])
        self.assertEqual([(OK, MINOR), (MINOR, DEGRADED), (DEGRADED, FAILED)],
                         self.transitions(events))


class TestTargets(TrackerTestCase):

    def test_removed_target_is_forgotten_without_event(self):
        self.set_targets([target(HOST_A), target(HOST_B)])
        self.ticks(3, [HOST_B])
        self.set_targets([target(HOST_B)])
        self.assertEqual([], self.tick([HOST_B]))
        self.assertNotIn(HOST_A, self.tracker.view())

    def test_readded_target_starts_afresh(self):
        self.set_targets([target(HOST_A)])
        self.ticks(3)
        self.set_targets([])
        self.set_targets([target(HOST_A)])
        self.assertEqual(OK, self.health(HOST_A))
        self.assertEqual([], self.tick())

    def test_kept_target_keeps_its_counts(self):
        self.set_targets([target(HOST_A)])
        self.ticks(2)
        self.set_targets([target(HOST_A)._replace(name='renamed')])
        degraded = self.tick()
        self.assertEqual([(MINOR, DEGRADED)], self.transitions(degraded))
        self.assertEqual('renamed', degraded[0].name)

    def test_network_added_starts_fresh_others_keep_counts(self):
        self.set_targets([target(HOST_A, networks=(MGMT,))])
        self.ticks(2)
        self.set_targets([target(HOST_A)])
        networks = self.tracker.view()[HOST_A]['networks']
        self.assertEqual({MGMT: 2, CLUSTER: 0},
                         {net: networks[net]['misses'] for net in BOTH})

    def test_enabling_a_target_starts_it_afresh(self):
        self.set_targets([target(HOST_A, enabled=False)])
        self.ticks(7)
        self.assertEqual(OFFLINE, self.health(HOST_A))
        self.set_targets([target(HOST_A)])
        self.assertEqual(OK, self.health(HOST_A))
        self.assertEqual([(OK, MINOR)], self.transitions(self.ticks(2)))

    def test_target_without_address_is_unknown_and_not_evaluated(self):
        self.set_targets([target(HOST_A, networks=())])
        self.assertEqual([], self.ticks(20))
        self.assertEqual({'name': 'host-a', 'health': UNKNOWN,
                          'enabled': True, 'networks': {}},
                         self.tracker.view()[HOST_A])

    def test_target_given_its_first_address_starts_ok(self):
        self.set_targets([target(HOST_A, networks=())])
        self.set_targets([target(HOST_A, networks=(MGMT,))])
        self.assertEqual(OK, self.health(HOST_A))
        self.assertEqual([(OK, MINOR)], self.transitions(self.ticks(2)))
        self.set_targets([target(HOST_A, networks=())])
        self.assertEqual(UNKNOWN, self.health(HOST_A))

    def test_unknown_network_is_refused(self):
        bad = target(HOST_A)._replace(addresses={'oam': ('127.0.0.1', 1)})
        self.assertRaisesRegex(ValueError, 'oam', self.tracker.set_targets,
                               [bad])


class TestThresholds(base.TestCase):

    def test_out_of_order_thresholds_are_refused_naming_them(self):
        error = self.assertRaises(tracker.HeartbeatConfigInvalid,
                                  tracker.Tracker, minor_threshold=7)
        self.assertIn('minor_threshold (7) <= degrade_threshold (6) <= '
                      'failure_threshold (10)', str(error))
        self.assertRaises(tracker.HeartbeatConfigInvalid, tracker.Tracker,
                          degrade_threshold=11)

    def test_recovery_pulses_must_be_positive(self):
        error = self.assertRaises(tracker.HeartbeatConfigInvalid,
                                  tracker.Tracker, recovery_pulses=0)
        self.assertIn('recovery_pulses must be at least 1', str(error))


class TestNotHeardYet(TrackerTestCase):

    def test_host_never_heard_fails_only_after_the_offline_threshold(self):
        self.set_targets([target(HOST_A)], heard=False)
        self.assertEqual([], self.ticks(6))
        self.assertEqual([(OK, FAILED)], self.transitions(self.tick()))

    def test_once_heard_its_own_thresholds_apply(self):
        self.set_targets([target(HOST_A)], heard=False)
        self.tick([HOST_A])
        self.assertEqual([(OK, MINOR), (MINOR, DEGRADED), (DEGRADED, FAILED)],
                         self.transitions(self.ticks(5)))

    def test_heard_survives_enabling(self):
        self.set_targets([target(HOST_A, enabled=False)], heard=False)
        self.tick([HOST_A])
        self.set_targets([target(HOST_A)], heard=False)
        self.assertEqual(FAILED, self.transitions(self.ticks(5))[-1][1])
