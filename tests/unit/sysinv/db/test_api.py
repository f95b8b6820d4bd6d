"""sysinv's database API on in-memory SQLite (stx.sysinv.db.api)."""


from oslo_utils import uuidutils

from stx.common import exception
from stx.common import states
from stx.sysinv.db import api as db_api
from tests.unit import base


def _mac(number):
    return '08:00:27:00:00:%02x' % number


class DbTestCase(base.TestCase):

    def create_host(self, number, **values):
        values = dict({'hostname': 'worker-%d' % number,
                       'personality': states.WORKER,
                       'mgmt_mac': _mac(number),
                       'mgmt_ip': '192.168.204.%d' % (100 + number),
                       'administrative': states.LOCKED}, **values)
        return db_api.host_create(self.context, values)

    def hostnames(self):
        return [host['hostname'] for host in db_api.host_list(self.context)]


class TestSystem(DbTestCase):

    def _create(self, **values):
        return db_api.system_create(self.context, dict(
            {'name': 'flock', 'system_mode': states.SYSTEM_MODE_DUPLEX,
             'system_type': states.SYSTEM_TYPE_STANDARD,
             'capabilities': {'sdn_enabled': False}}, **values))

    def test_create_and_get(self):
        system = self._create()
        self.assertTrue(uuidutils.is_uuid_like(system['uuid']))
        self.assertIsNotNone(system['created_at'])
        self.assertEqual({'sdn_enabled': False}, system['capabilities'])
        for ident in (None, system['id'], str(system['id']), system['uuid'],
                      'flock'):
            with self.subTest(ident=ident):
                self.assertEqual(system,
                                 db_api.system_get(self.context, ident))

    def test_get_unknown_system(self):
        self.assertRaises(exception.SystemNotFound, db_api.system_get,
                          self.context)
        self._create()
        for ident in (99, uuidutils.generate_uuid(), 'other'):
            with self.subTest(ident=ident):
                self.assertRaises(exception.SystemNotFound,
                                  db_api.system_get, self.context, ident)

    def test_list(self):
        self.assertEqual([], db_api.system_list(self.context))
        system = self._create()
        self.assertEqual([system], db_api.system_list(self.context))

    def test_second_system_refused(self):
        system = self._create()
        exc = self.assertRaises(exception.SystemAlreadyExists,
                                self._create, name='second')
        self.assertIn(system['uuid'], str(exc))
        self.assertEqual([system], db_api.system_list(self.context))

    def test_update(self):
        system = self._create()
        updated = db_api.system_update(self.context, system['uuid'],
                                       {'description': 'lab 3',
                                        'contact': 'ops@example.com'})
        self.assertEqual('lab 3', updated['description'])
        self.assertIsNotNone(updated['updated_at'])
        stored = db_api.system_get(self.context)
        self.assertEqual('lab 3', stored['description'])
        self.assertEqual('ops@example.com', stored['contact'])
        self.assertEqual('flock', stored['name'])

    def test_update_unknown_system(self):
        self.assertRaises(exception.SystemNotFound, db_api.system_update,
                          self.context, 7, {'name': 'x'})


class TestHostCrud(DbTestCase):

    def test_create_returns_every_column(self):
        host = self.create_host(0, location={'locn': 'rack 3'})
        self.assertTrue(uuidutils.is_uuid_like(host['uuid']))
        self.assertIsNotNone(host['created_at'])
        self.assertIsNone(host['updated_at'])
        self.assertEqual({'locn': 'rack 3'}, host['location'])
        self.assertIn('bm_password', host)
        self.assertIs(False, host['reserved'])
        self.assertEqual(0, host['uptime'])

    def test_create_in_a_system(self):
        system = db_api.system_create(self.context, {'name': 'flock'})
        host = self.create_host(0, forisystemid=system['id'])
        self.assertEqual(system['id'], host['forisystemid'])

    def test_get_by_id_uuid_and_hostname(self):
        host = self.create_host(0)
        self.create_host(1)
        for ident in (host['id'], str(host['id']), host['uuid'], 'worker-0'):
            with self.subTest(ident=ident):
                self.assertEqual(host, db_api.host_get(self.context, ident))

    def test_get_by_mgmt_mac(self):
        host = self.create_host(0)
        self.assertEqual(host, db_api.host_get_by_mgmt_mac(self.context,
                                                           _mac(0)))
        self.assertRaises(exception.HostNotFound,
                          db_api.host_get_by_mgmt_mac, self.context, _mac(9))

    def test_unknown_host_not_found(self):
        self.create_host(0)
        for ident in (99, '99', uuidutils.generate_uuid(), 'worker-9'):
            with self.subTest(ident=ident):
                exc = self.assertRaises(exception.HostNotFound,
                                        db_api.host_get, self.context, ident)
                self.assertIn(str(ident), str(exc))
                self.assertRaises(exception.HostNotFound,
                                  db_api.host_update, self.context, ident,
                                  {'task': 'x'})
                self.assertRaises(exception.HostNotFound,
                                  db_api.host_destroy, self.context, ident)

    def test_update(self):
        host = self.create_host(0)
        updated = db_api.host_update(self.context, host['uuid'],
                                     {'administrative': states.UNLOCKED,
                                      'capabilities': {'is_max': True}})
        self.assertEqual(states.UNLOCKED, updated['administrative'])
        self.assertEqual({'is_max': True}, updated['capabilities'])
        self.assertIsNotNone(updated['updated_at'])
        self.assertEqual(updated, db_api.host_get(self.context, host['id']))

    def test_destroy(self):
        host = self.create_host(0)
        self.create_host(1)
        self.assertEqual(host, db_api.host_destroy(self.context, 'worker-0'))
        self.assertRaises(exception.HostNotFound, db_api.host_get,
                          self.context, host['uuid'])
        self.assertEqual(['worker-1'], self.hostnames())

    def test_count(self):
        self.create_host(0)
        self.create_host(1, administrative=states.UNLOCKED)
        self.create_host(2, personality=states.STORAGE, hostname='storage-0')
        self.assertEqual(3, db_api.host_count(self.context))
        self.assertEqual(2, db_api.host_count(self.context,
                                              personality=states.WORKER))
        self.assertEqual(1, db_api.host_count(
            self.context, personality=states.WORKER,
            administrative=states.UNLOCKED))


class TestHostUniqueness(DbTestCase):

    def test_duplicate_create_refused_naming_the_field(self):
        self.create_host(0)
        for field, value in (('hostname', 'worker-0'), ('mgmt_mac', _mac(0)),
                             ('mgmt_ip', '192.168.204.100')):
            with self.subTest(field=field):
                exc = self.assertRaises(exception.HostAlreadyExists,
                                        self.create_host, 1,
                                        **{field: value})
                self.assertEqual(field, exc.field)
                self.assertIn(value, str(exc))
                self.assertEqual(['worker-0'], self.hostnames())

    def test_duplicate_update_refused_naming_the_field(self):
        self.create_host(0)
        other = self.create_host(1)
        for field, value in (('hostname', 'worker-0'), ('mgmt_mac', _mac(0)),
                             ('mgmt_ip', '192.168.204.100')):
            with self.subTest(field=field):
                exc = self.assertRaises(exception.HostAlreadyExists,
                                        db_api.host_update, self.context,
                                        other['id'], {field: value})
                self.assertEqual(field, exc.field)
                self.assertEqual(other,
                                 db_api.host_get(self.context, other['id']))

    def test_unnamed_hosts_without_mgmt_ip_may_coexist(self):
        self.create_host(0, hostname=None, personality=None, mgmt_ip=None)
        self.create_host(1, hostname=None, personality=None, mgmt_ip=None)
        self.assertEqual(2, db_api.host_count(self.context))


class TestHostsBulkWrite(DbTestCase):

    def _values(self, number, **values):
        return dict({'hostname': 'worker-%d' % number,
                     'personality': states.WORKER,
                     'mgmt_mac': _mac(number)}, **values)

    def test_creates_and_updates_in_one_call(self):
        existing = self.create_host(0)
        created, updated = db_api.hosts_bulk_write(
            self.context, [self._values(1), self._values(2)],
            [(existing['id'], {'bm_type': 'ipmi'})])
        self.assertEqual(['worker-1', 'worker-2'],
                         [host['hostname'] for host in created])
        self.assertEqual('ipmi', updated[0]['bm_type'])
        self.assertEqual(['worker-0', 'worker-1', 'worker-2'],
                         self.hostnames())

    def test_duplicate_in_the_middle_writes_nothing(self):
        existing = self.create_host(0)
        creates = [self._values(1), self._values(2, mgmt_mac=_mac(0)),
                   self._values(3)]
        exc = self.assertRaises(
            exception.HostAlreadyExists, db_api.hosts_bulk_write,
            self.context, creates, [(existing['id'], {'bm_type': 'ipmi'})])
        self.assertEqual('mgmt_mac', exc.field)
        self.assertEqual(['worker-0'], self.hostnames())
        self.assertIsNone(db_api.host_get(self.context, 'worker-0')[
            'bm_type'])

    def test_duplicate_within_the_file_writes_nothing(self):
        self.create_host(0)
        creates = [self._values(1), self._values(2, hostname='worker-1')]
        exc = self.assertRaises(exception.HostAlreadyExists,
                                db_api.hosts_bulk_write, self.context,
                                creates, [])
        self.assertEqual('hostname', exc.field)
        self.assertEqual(['worker-0'], self.hostnames())

    def test_failed_update_rolls_back_creates(self):
        existing = self.create_host(0)
        self.create_host(1)
        self.assertRaises(exception.HostAlreadyExists,
                          db_api.hosts_bulk_write, self.context,
                          [self._values(2)],
                          [(existing['id'], {'hostname': 'worker-1'})])
        self.assertEqual(['worker-0', 'worker-1'], self.hostnames())

    def test_update_of_vanished_host_rolls_back_creates(self):
        self.create_host(0)
        self.assertRaises(exception.HostNotFound, db_api.hosts_bulk_write,
                          self.context, [self._values(1)],
                          [(999, {'task': 'x'})])
        self.assertEqual(['worker-0'], self.hostnames())


def _listed(host):
    return {name: value for name, value in host.items()
            if name != 'bm_password'}


class TestHostList(DbTestCase):

    def setUp(self):
        super().setUp()
        personalities = [states.WORKER, states.STORAGE, states.WORKER,
                         states.CONTROLLER, states.WORKER, states.STORAGE,
                         states.WORKER]
        names = ['worker-3', 'storage-1', 'worker-0', 'controller-0',
                 'worker-2', 'storage-0', 'worker-1']
        # As listed: every column but the BMC password.
        self.hosts = [_listed(self.create_host(number, hostname=name,
                                               personality=personality))
                      for number, (name, personality)
                      in enumerate(zip(names, personalities))]

    def _page_through(self, limit, **kwargs):
        seen, marker = [], None
        for _ in range(len(self.hosts) + 2):
            page = db_api.host_list(self.context, limit=limit, marker=marker,
                                    **kwargs)
            self.assertLessEqual(len(page), limit)
            seen.extend(page)
            if len(page) < limit:
                return seen
            marker = page[-1]['uuid']
        self.fail('paging did not end')

    def test_default_order_is_by_id(self):
        self.assertEqual([host['id'] for host in self.hosts],
                         [host['id'] for host in
                          db_api.host_list(self.context)])

    def test_sort_key_and_dir(self):
        names = sorted(host['hostname'] for host in self.hosts)
        self.assertEqual(names, [host['hostname'] for host in
                                 db_api.host_list(self.context,
                                                  sort_key='hostname')])
        self.assertEqual(names[::-1],
                         [host['hostname'] for host in
                          db_api.host_list(self.context, sort_key='hostname',
                                           sort_dir='desc')])

    def test_non_unique_sort_key_ties_broken_by_id(self):
        listed = db_api.host_list(self.context, sort_key='personality',
                                  sort_dir='desc')
        self.assertEqual(
            sorted(self.hosts, key=lambda host: (host['personality'],
                                                 -host['id']), reverse=True),
            listed)

    def test_listing_never_carries_the_bmc_password(self):
        self.create_host(20, bm_password='token')
        for host in db_api.host_list(self.context):
            self.assertNotIn('bm_password', host)

    def test_limit(self):
        self.assertEqual(self.hosts[:3],
                         db_api.host_list(self.context, limit=3))

    def test_marker_paging_visits_every_host_exactly_once(self):
        for sort_key in ('id', 'hostname', 'personality', 'created_at'):
            for sort_dir in ('asc', 'desc'):
                for limit in (1, 3):
                    with self.subTest(sort_key=sort_key, sort_dir=sort_dir,
                                      limit=limit):
                        expected = db_api.host_list(self.context,
                                                    sort_key=sort_key,
                                                    sort_dir=sort_dir)
                        self.assertEqual(expected, self._page_through(
                            limit, sort_key=sort_key, sort_dir=sort_dir))

    # Hosts added by MAC alone have no hostname or personality: paging
    # must still visit each of them exactly once.
    def test_marker_paging_visits_unnamed_hosts(self):
        for number in (10, 11):
            self.hosts.append(_listed(self.create_host(
                number, hostname=None, personality=None, mgmt_ip=None)))
        for sort_key in ('hostname', 'personality'):
            for sort_dir in ('asc', 'desc'):
                with self.subTest(sort_key=sort_key, sort_dir=sort_dir):
                    seen = self._page_through(2, sort_key=sort_key,
                                              sort_dir=sort_dir)
                    self.assertEqual(sorted(host['id']
                                            for host in self.hosts),
                                     sorted(host['id'] for host in seen))

    def test_personality_filter(self):
        workers = db_api.host_list(self.context, personality=states.WORKER)
        self.assertEqual(['worker-3', 'worker-0', 'worker-2', 'worker-1'],
                         [host['hostname'] for host in workers])
        page = db_api.host_list(self.context, personality=states.WORKER,
                                sort_key='hostname', limit=2,
                                marker=self.hosts[2]['uuid'])
        self.assertEqual(['worker-1', 'worker-2'],
                         [host['hostname'] for host in page])

    def test_unknown_marker_not_found(self):
        marker = uuidutils.generate_uuid()
        exc = self.assertRaises(exception.HostNotFound, db_api.host_list,
                                self.context, limit=2, marker=marker)
        self.assertIn(marker, str(exc))
