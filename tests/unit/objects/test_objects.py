"""Versioned objects: pinned fingerprints, from_db, serialisation."""

import datetime

from oslo_versionedobjects import fixture as ovo_fixture

from stx.common import states
from stx.objects import base as objects_base
from stx.objects import host as host_obj
from stx.objects import system as system_obj
from stx.sysinv.db import api as db_api
from tests.unit import base

ACTION = ('2026-11-22T04:10:11Z BMC reset of worker-0 (attempt 1 of 2): it '
          'did not answer 5 reboot requests')
# Fingerprints of every registered object: '<VERSION>-<hash of its fields
# and remotable methods>'. A test failure here means an object changed.
# Changing an object's fields changes what crosses RPC, so an old service
# may not understand it during a rolling upgrade:
#   1. bump the object's VERSION and add a line to its version history
#      comment (and obj_make_compatible() when an older version must drop
#      or convert the new field);
#   2. print the new fingerprints and paste them here:
#      python -c "from oslo_versionedobjects import fixture; \
#        from stx import objects; from stx.objects import base; \
#        objects.register_all(); print(fixture.ObjectVersionChecker(\
#        base.StxObjectRegistry.obj_classes()).get_hashes())"
# Never update a hash here without bumping the version.
OBJECT_FINGERPRINTS = {
    'Host': '1.2-589e03305c85ffc06838a3f7764b7ad1',
    'System': '1.0-8cbf716bf84fa5e545625349361503b2',
}


class TestObjectVersions(base.TestCase):

    def test_versions_pinned(self):
        checker = ovo_fixture.ObjectVersionChecker(
            objects_base.StxObjectRegistry.obj_classes())
        expected, actual = checker.test_hashes(OBJECT_FINGERPRINTS)
        self.assertEqual(expected, actual,
                         'Objects changed: bump their VERSION and update '
                         'OBJECT_FINGERPRINTS (see the comment above it).')

    def test_every_registered_object_is_pinned(self):
        self.assertEqual(
            set(OBJECT_FINGERPRINTS),
            set(objects_base.StxObjectRegistry.obj_classes()))


class TestHost(base.TestCase):

    def _db_host(self):
        return db_api.host_create(self.context, {
            'hostname': 'worker-0', 'personality': states.WORKER,
            'mgmt_mac': '08:00:27:aa:bb:01', 'mgmt_ip': '192.168.204.10',
            'cluster_host_ip': '192.168.206.10',
            'last_maintenance_action': ACTION,
            'location': {'locn': 'rack 3'}, 'bm_type': 'ipmi',
            'bm_ip': '10.0.0.3:623', 'bm_username': 'admin',
            'bm_password': 'gAAAAAB-token', 'ttys_dcd': True})

    def test_host_has_no_bm_password_field(self):
        self.assertNotIn('bm_password', host_obj.Host.fields)

    def test_host_fields_are_db_columns(self):
        row = self._db_host()
        self.assertEqual(set(row) - {'bm_password'},
                         set(host_obj.Host.fields))

    def test_from_db(self):
        row = self._db_host()
        host = host_obj.Host.from_db(row, self.context)
        for name in set(host_obj.Host.fields) - {'created_at',
                                                 'updated_at'}:
            self.assertEqual(row[name], host[name], name)
        # The DB keeps naive UTC; DateTimeField makes it explicit.
        utc = datetime.timezone.utc
        self.assertEqual(row['created_at'].replace(tzinfo=utc),
                         host.created_at)
        self.assertIsNone(host.updated_at)
        self.assertEqual({'locn': 'rack 3'}, host.location)
        self.assertIs(True, host.ttys_dcd)
        self.assertEqual(set(), host.obj_what_changed())
        self.assertNotIn('bm_password', host.as_dict())
        self.assertNotIn('gAAAAAB-token', repr(host.obj_to_primitive()))

    def test_serializer_round_trip(self):
        host = host_obj.Host.from_db(self._db_host(), self.context)
        serializer = objects_base.StxObjectSerializer()
        primitive = serializer.serialize_entity(self.context, host)
        self.assertEqual('Host', primitive['stx_object.name'])
        self.assertEqual('1.2', primitive['stx_object.version'])
        self.assertEqual('stx', primitive['stx_object.namespace'])
        copy = serializer.deserialize_entity(self.context, primitive)
        self.assertIsInstance(copy, host_obj.Host)
        self.assertEqual(host.as_dict(), copy.as_dict())
        self.assertEqual(set(), copy.obj_what_changed())

    def test_backport_to_1_0_drops_cluster_host_ip(self):
        host = host_obj.Host.from_db(self._db_host(), self.context)
        data = host.obj_to_primitive(target_version='1.0')['stx_object.data']
        self.assertNotIn('cluster_host_ip', data)
        self.assertNotIn('last_maintenance_action', data)
        self.assertEqual('192.168.204.10', data['mgmt_ip'])
        self.assertEqual('192.168.206.10', host.cluster_host_ip)

    def test_backport_to_1_1_drops_only_last_maintenance_action(self):
        host = host_obj.Host.from_db(self._db_host(), self.context)
        primitive = host.obj_to_primitive(target_version='1.1')
        self.assertEqual('1.1', primitive['stx_object.version'])
        data = primitive['stx_object.data']
        self.assertNotIn('last_maintenance_action', data)
        self.assertEqual('192.168.206.10', data['cluster_host_ip'])
        self.assertEqual(ACTION, host.last_maintenance_action)
        # A 1.1 service reads it back without the field.
        old = host_obj.Host.obj_from_primitive(primitive)
        self.assertFalse(old.obj_attr_is_set('last_maintenance_action'))
        self.assertEqual('worker-0', old.hostname)

    def test_serializer_round_trip_of_a_list(self):
        hosts = [host_obj.Host.from_db(self._db_host(), self.context)]
        serializer = objects_base.StxObjectSerializer()
        copy = serializer.deserialize_entity(
            self.context, serializer.serialize_entity(self.context, hosts))
        self.assertEqual([hosts[0].as_dict()], [h.as_dict() for h in copy])


class TestSystem(base.TestCase):

    def test_from_db_and_round_trip(self):
        row = db_api.system_create(self.context, {
            'name': 'flock', 'system_mode': states.SYSTEM_MODE_SIMPLEX,
            'capabilities': {'sdn_enabled': False}})
        system = system_obj.System.from_db(row, self.context)
        self.assertEqual(set(row), set(system_obj.System.fields))
        serializer = objects_base.StxObjectSerializer()
        copy = serializer.deserialize_entity(
            self.context, serializer.serialize_entity(self.context, system))
        self.assertEqual(system.as_dict(), copy.as_dict())
        self.assertEqual({'sdn_enabled': False}, copy.capabilities)
