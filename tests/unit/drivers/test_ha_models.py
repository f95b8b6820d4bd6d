"""The redundancy models 1+1, N+M and N: examples and properties."""

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oslotest import base as test_base

from stx.common import exception
from stx.drivers.ha import base
from stx.drivers.ha import models
from stx.drivers import loader

ACTIVE, STANDBY, DISABLED = base.ROLE_ACTIVE, base.ROLE_STANDBY, \
    base.ROLE_DISABLED

MODELS = {
    # name: (driver, its group_config strategy)
    '1+1': (models.OnePlusOne, st.just({})),
    'N+M': (models.NPlusM, st.fixed_dictionaries({
        'n_active': st.integers(1, 4), 'm_standby': st.integers(0, 3)})),
    'N': (models.NActive, st.fixed_dictionaries({
        'n_active': st.integers(1, 5)})),
}


def _member(name, healthy=True, role=None, priority=0):
    return {'name': name, 'healthy': healthy, 'current_role': role,
            'priority': priority}


MEMBERS = st.lists(
    st.fixed_dictionaries({
        'healthy': st.booleans(),
        'current_role': st.sampled_from((None,) + base.ROLES),
        'priority': st.integers(0, 3)}),
    max_size=7).map(lambda members: [
        dict(member, name='m%d' % index)
        for index, member in enumerate(members)])

CASES = st.sampled_from(sorted(MODELS)).flatmap(
    lambda name: st.tuples(st.just(name), MODELS[name][1], MEMBERS))


def _places(name, config):
    return {'1+1': (1, 1), 'N+M': (config.get('n_active'),
                                   config.get('m_standby')),
            'N': (config.get('n_active'), 0)}[name]


class TestExamples(test_base.BaseTestCase):

    def test_installed_as_plugins(self):
        for name, (driver, _config) in MODELS.items():
            self.assertIs(driver, loader.get_class('stx.ha.models', name))

    def test_one_plus_one_fails_over_to_the_standby(self):
        members = [_member('controller-0', healthy=False, role=ACTIVE),
                   _member('controller-1', role=STANDBY)]
        self.assertEqual({'controller-0': DISABLED,
                          'controller-1': ACTIVE},
                         models.OnePlusOne().assign(members))

    def test_one_plus_one_first_assignment_follows_priority(self):
        members = [_member('controller-0'), _member('controller-1',
                                                    priority=1)]
        self.assertEqual({'controller-0': STANDBY, 'controller-1': ACTIVE},
                         models.OnePlusOne().assign(members))

    def test_a_recovered_member_does_not_take_the_active_back(self):
        members = [_member('controller-0', priority=5, role=DISABLED),
                   _member('controller-1', role=ACTIVE)]
        self.assertEqual({'controller-0': STANDBY, 'controller-1': ACTIVE},
                         models.OnePlusOne().assign(members))

    def test_n_plus_m_promotes_standbys_before_spares(self):
        members = [_member('a', healthy=False, role=ACTIVE),
                   _member('b', role=ACTIVE),
                   _member('c', priority=9),
                   _member('d', role=STANDBY)]
        self.assertEqual({'a': DISABLED, 'b': ACTIVE, 'd': ACTIVE,
                          'c': STANDBY},
                         models.NPlusM().assign(
                             members, {'n_active': 2, 'm_standby': 1}))

    def test_n_has_no_standby(self):
        members = [_member('a'), _member('b'), _member('c')]
        self.assertEqual({'a': ACTIVE, 'b': ACTIVE, 'c': DISABLED},
                         models.NActive().assign(members, {'n_active': 2}))

    def test_group_config_refused_with_the_key(self):
        for driver, config, error, field in (
                (models.OnePlusOne, {'n_active': 2},
                 exception.InvalidParameterValue, 'group_config.n_active'),
                (models.NPlusM, {'n_active': 1},
                 exception.MissingParameterValue, 'group_config.m_standby'),
                (models.NPlusM, {'n_active': 0, 'm_standby': 1},
                 exception.InvalidParameterValue, 'group_config.n_active'),
                (models.NPlusM, {'n_active': '2', 'm_standby': 1},
                 exception.InvalidParameterValue, 'group_config.n_active'),
                (models.NActive, {},
                 exception.MissingParameterValue, 'group_config.n_active'),
                (models.NActive, {'n_active': 2, 'm_standby': 1},
                 exception.InvalidParameterValue, 'group_config.m_standby'),
                (models.NActive, [],
                 exception.InvalidParameterValue, 'group_config')):
            with self.subTest(driver=driver.__name__, config=config):
                raised = self.assertRaises(error, driver().validate, config)
                self.assertEqual(field, raised.field)
                self.assertRaises(error, driver().assign, [], config)

    def test_malformed_members_refused_with_the_field(self):
        for members, error, field in (
                ([{'healthy': True}], exception.MissingParameterValue,
                 'members.name'),
                ([_member('a'), _member('a')],
                 exception.InvalidParameterValue, 'members.name'),
                ([_member('a', role='go-active')],
                 exception.InvalidParameterValue, 'members.current_role'),
                ([_member('a', priority='high')],
                 exception.InvalidParameterValue, 'members.priority'),
                ('a', exception.InvalidParameterValue, 'members')):
            with self.subTest(members=members):
                raised = self.assertRaises(
                    error, models.OnePlusOne().assign, members)
                self.assertEqual(field, raised.field)

    def test_properties_name_the_keys(self):
        for driver, _config in MODELS.values():
            self.assertEqual({'n_active', 'm_standby'},
                             set(driver().get_properties()))


class TestProperties(test_base.BaseTestCase):

    @settings(max_examples=300, deadline=None)
    @given(CASES)
    def test_roles_within_the_model(self, case):
        name, config, members = case
        roles = MODELS[name][0]().assign(members, config)
        n_active, m_standby = _places(name, config)
        self.assertEqual({m['name'] for m in members}, set(roles))
        values = list(roles.values())
        healthy = sum(1 for m in members if m['healthy'])
        # Never more than the model allows; as many as health permits.
        self.assertEqual(min(n_active, healthy), values.count(ACTIVE))
        self.assertEqual(min(m_standby, healthy - values.count(ACTIVE)),
                         values.count(STANDBY))
        for member in members:
            if not member['healthy']:
                self.assertEqual(DISABLED, roles[member['name']])

    @settings(max_examples=300, deadline=None)
    @given(CASES)
    def test_nothing_moves_when_nothing_changed(self, case):
        name, config, members = case
        model = MODELS[name][0]()
        roles = model.assign(members, config)
        again = [dict(m, current_role=roles[m['name']]) for m in members]
        self.assertEqual(roles, model.assign(again, config))
        self.assertEqual(roles, model.assign(members, config))

    @settings(max_examples=300, deadline=None)
    @given(CASES, st.data())
    def test_a_healthy_standby_replaces_a_failed_active(self, case, data):
        name, config, members = case
        model = MODELS[name][0]()
        roles = model.assign(members, config)
        settled = [dict(m, current_role=roles[m['name']]) for m in members]
        actives = [m for m in settled if m['current_role'] == ACTIVE]
        standbys = [m for m in settled if m['current_role'] == STANDBY]
        if not actives or not standbys:
            return
        failed = data.draw(st.sampled_from(actives))['name']
        after = model.assign(
            [dict(m, healthy=m['healthy'] and m['name'] != failed)
             for m in settled], config)
        self.assertEqual(DISABLED, after[failed])
        # Every other active stays, and a standby took the place.
        for member in actives:
            if member['name'] != failed:
                self.assertEqual(ACTIVE, after[member['name']])
        self.assertTrue(any(after[m['name']] == ACTIVE for m in standbys))
