"""Host field validation and host action checks (stx.sysinv.validation)."""


import testtools

from stx.common import exception
from stx.common import states
from stx.sysinv import validation

MAC = '08:00:27:aa:bb:01'
BM_TYPES = (states.BM_TYPE_IPMI, states.BM_TYPE_REDFISH,
            states.BM_TYPE_DYNAMIC)


def _worker(**values):
    """A valid host-add body, with ``values`` on top."""
    return dict({'hostname': 'worker-0', 'personality': states.WORKER,
                 'mgmt_mac': MAC}, **values)


def _stored(**values):
    """A stored host, as validate_host receives it on update."""
    return dict(_worker(), **values)


class ValidateHostBase(testtools.TestCase):

    def assertRefused(self, values, field, current=None,
                      error=exception.InvalidParameterValue,
                      enabled_bm_types=BM_TYPES):
        """``values`` raise ``error`` naming ``field``; return the error."""
        exc = self.assertRaises(error, validation.validate_host, values,
                                current=current,
                                enabled_bm_types=enabled_bm_types)
        self.assertEqual(field, exc.field)
        self.assertEqual(field, exc.kwargs['field'])
        return exc

    def validate(self, values, current=None, enabled_bm_types=BM_TYPES):
        return validation.validate_host(values, current=current,
                                        enabled_bm_types=enabled_bm_types)


class TestHostname(ValidateHostBase):

    def test_valid_worker_is_returned_in_stored_form(self):
        self.assertEqual(_worker(), self.validate(_worker()))

    def test_hostname_is_lower_cased(self):
        changes = self.validate(_worker(hostname='Worker-0'))
        self.assertEqual('worker-0', changes['hostname'])

    def test_dotted_rfc1123_hostname_accepted(self):
        changes = self.validate(_worker(hostname='worker-0.lab.example'))
        self.assertEqual('worker-0.lab.example', changes['hostname'])

    def test_hostname_with_leading_digit_accepted(self):
        changes = self.validate(_worker(hostname='0worker'))
        self.assertEqual('0worker', changes['hostname'])

    def test_bad_hostnames_refused(self):
        for name in ('', 'worker_0', '-worker', 'worker-', 'wörker',
                     'worker..0', 'worker 0', 'a' * 64, 'a.' * 128):
            with self.subTest(hostname=name):
                self.assertRefused(_worker(hostname=name), 'hostname')

    def test_non_string_hostname_refused(self):
        self.assertRefused(_worker(hostname=42), 'hostname')

    def test_controller_must_be_controller_0_or_1(self):
        for name in ('controller-0', 'controller-1'):
            with self.subTest(hostname=name):
                changes = self.validate(
                    _worker(hostname=name, personality=states.CONTROLLER))
                self.assertEqual(name, changes['hostname'])
        for name in ('controller-2', 'worker-0', 'ctl-0'):
            with self.subTest(hostname=name):
                self.assertRefused(
                    _worker(hostname=name, personality=states.CONTROLLER),
                    'hostname')

    def test_controller_names_reserved_for_controllers(self):
        for personality in (states.WORKER, states.EDGEWORKER):
            for name in ('controller-0', 'controller-1', 'controller-7',
                         'controller-abc'):
                with self.subTest(personality=personality, hostname=name):
                    exc = self.assertRefused(
                        _worker(hostname=name, personality=personality),
                        'hostname')
                    self.assertIn('reserved for controllers', str(exc))

    def test_storage_host_must_be_named_storage_n(self):
        changes = self.validate(_worker(hostname='storage-12',
                                        personality=states.STORAGE))
        self.assertEqual('storage-12', changes['hostname'])
        for name in ('storage', 'storage-a', 'ceph-0', 'storage-0x'):
            with self.subTest(hostname=name):
                self.assertRefused(
                    _worker(hostname=name, personality=states.STORAGE),
                    'hostname')

    def test_storage_names_reserved_for_storage_hosts(self):
        exc = self.assertRefused(_worker(hostname='storage-0'), 'hostname')
        self.assertIn('reserved for storage hosts', str(exc))

    def test_rename_checked_against_stored_personality(self):
        self.assertRefused({'hostname': 'controller-1'}, 'hostname',
                           current=_stored())

    def test_personality_without_hostname_refused(self):
        self.assertRefused({'personality': states.WORKER, 'mgmt_mac': MAC},
                           'hostname', error=exception.MissingParameterValue)

    def test_hostname_without_personality_refused(self):
        self.assertRefused({'hostname': 'worker-0', 'mgmt_mac': MAC},
                           'personality',
                           error=exception.MissingParameterValue)

    def test_unnamed_host_added_by_mac_alone(self):
        self.assertEqual({'mgmt_mac': MAC}, self.validate({'mgmt_mac': MAC}))


class TestPersonalityAndSubfunctions(ValidateHostBase):

    def test_every_personality_accepted(self):
        names = {states.CONTROLLER: 'controller-0',
                 states.STORAGE: 'storage-0'}
        for personality in states.PERSONALITIES:
            with self.subTest(personality=personality):
                values = _worker(personality=personality,
                                 hostname=names.get(personality, 'node-0'))
                self.assertEqual(personality,
                                 self.validate(values)['personality'])

    def test_unknown_personality_refused(self):
        for personality in ('compute', 'Worker', ''):
            with self.subTest(personality=personality):
                self.assertRefused(_worker(personality=personality),
                                   'personality')

    def test_subfunctions_starting_with_personality_accepted(self):
        changes = self.validate(_worker(subfunctions='worker, lowlatency'))
        self.assertEqual('worker,lowlatency', changes['subfunctions'])

    def test_subfunctions_must_start_with_personality(self):
        exc = self.assertRefused(_worker(subfunctions='lowlatency,worker'),
                                 'subfunctions')
        self.assertIn("'worker'", str(exc))

    def test_subfunctions_checked_against_stored_personality(self):
        self.assertRefused({'subfunctions': 'controller,worker'},
                           'subfunctions', current=_stored())

    def test_unknown_subfunction_refused(self):
        exc = self.assertRefused(_worker(subfunctions='worker,gpu'),
                                 'subfunctions')
        self.assertIn("'gpu'", str(exc))


class TestMacAddress(ValidateHostBase):

    def test_mac_upper_case_and_dashes_normalised(self):
        for mac in ('08:00:27:AA:BB:01', '08-00-27-aa-bb-01',
                    '08-00-27-AA-BB-01'):
            with self.subTest(mac=mac):
                self.assertEqual(MAC, validation.normalize_mac(mac))
                self.assertEqual(
                    MAC, self.validate(_worker(mgmt_mac=mac))['mgmt_mac'])

    def test_malformed_mac_refused(self):
        for mac in ('', '08:00:27:aa:bb', '08:00:27:aa:bb:01:02',
                    '08:00-27:aa:bb:01', '0800.27aa.bb01', '08:00:27:aa:bb:0g',
                    '8:0:27:aa:bb:1', '080027aabb01'):
            with self.subTest(mac=mac):
                self.assertRefused(_worker(mgmt_mac=mac), 'mgmt_mac')

    def test_multicast_mac_refused(self):
        for mac in ('01:00:5e:00:00:01', 'ff:ff:ff:ff:ff:ff',
                    '33-33-00-00-00-01'):
            with self.subTest(mac=mac):
                exc = self.assertRefused(_worker(mgmt_mac=mac), 'mgmt_mac')
                self.assertIn('multicast', str(exc))

    def test_all_zero_mac_refused(self):
        exc = self.assertRefused(_worker(mgmt_mac='00:00:00:00:00:00'),
                                 'mgmt_mac')
        self.assertIn('all-zero', str(exc))

    def test_normalize_mac_names_the_given_field(self):
        exc = self.assertRaises(exception.InvalidParameterValue,
                                validation.normalize_mac, 'nope',
                                field='pxe_mac')
        self.assertEqual('pxe_mac', exc.field)

    def test_mgmt_mac_required_on_create(self):
        values = _worker()
        del values['mgmt_mac']
        self.assertRefused(values, 'mgmt_mac',
                           error=exception.MissingParameterValue)

    def test_mgmt_mac_not_required_on_update(self):
        self.assertEqual({'console': 'ttyS0,115200'},
                         self.validate({'console': 'ttyS0,115200'},
                                       current=_stored()))


class TestMgmtIp(ValidateHostBase):

    def test_ipv4_accepted(self):
        changes = self.validate(_worker(mgmt_ip='192.168.204.10'))
        self.assertEqual('192.168.204.10', changes['mgmt_ip'])

    def test_ipv6_accepted_and_normalised(self):
        changes = self.validate(_worker(mgmt_ip='FD00:0:0::0010'))
        self.assertEqual('fd00::10', changes['mgmt_ip'])

    def test_bad_mgmt_ip_refused(self):
        for address in ('', '192.168.204', '192.168.204.256', 'fd00:::1',
                        'controller-0', '192.168.204.10/24'):
            with self.subTest(mgmt_ip=address):
                self.assertRefused(_worker(mgmt_ip=address), 'mgmt_ip')


class TestClusterHostIp(ValidateHostBase):

    def test_ipv4_and_ipv6_accepted_and_normalised(self):
        for address, stored in (('192.168.206.10', '192.168.206.10'),
                                ('FD01:0:0::0010', 'fd01::10')):
            with self.subTest(cluster_host_ip=address):
                changes = self.validate(_worker(cluster_host_ip=address))
                self.assertEqual(stored, changes['cluster_host_ip'])

    def test_bad_cluster_host_ip_refused_naming_it(self):
        for address in ('', '192.168.206', '192.168.206.256',
                        'controller-0', '192.168.206.10/24', 10):
            with self.subTest(cluster_host_ip=address):
                self.assertRefused(_worker(cluster_host_ip=address),
                                   'cluster_host_ip')

    def test_mgmt_ip_of_the_same_host_refused(self):
        exc = self.assertRefused(
            _worker(mgmt_ip='192.168.204.10',
                    cluster_host_ip='192.168.204.10'), 'cluster_host_ip')
        self.assertIn("'192.168.204.10' is the host's mgmt_ip", str(exc))

    def test_compared_in_stored_form(self):
        self.assertRefused(_worker(mgmt_ip='fd00::10',
                                   cluster_host_ip='FD00:0::10'),
                           'cluster_host_ip')

    def test_update_compared_with_the_stored_mgmt_ip(self):
        current = _stored(mgmt_ip='192.168.204.10',
                          cluster_host_ip='192.168.206.10')
        self.assertRefused({'cluster_host_ip': '192.168.204.10'},
                           'cluster_host_ip', current=current)
        # Moving mgmt_ip onto the cluster-host address names it too.
        self.assertRefused({'mgmt_ip': '192.168.206.10'},
                           'cluster_host_ip', current=current)

    def test_both_may_be_changed_together(self):
        current = _stored(mgmt_ip='192.168.204.10',
                          cluster_host_ip='192.168.206.10')
        changes = self.validate({'mgmt_ip': '192.168.206.10',
                                 'cluster_host_ip': '192.168.207.10'},
                                current=current)
        self.assertEqual('192.168.207.10', changes['cluster_host_ip'])

    def test_cleared_with_none(self):
        current = _stored(cluster_host_ip='192.168.206.10')
        self.assertEqual({'cluster_host_ip': None}, self.validate(
            {'cluster_host_ip': None}, current=current))


class TestParseBmIp(testtools.TestCase):

    def test_ipv4(self):
        self.assertEqual(('10.10.10.3', None),
                         validation.parse_bm_ip('10.10.10.3'))

    def test_ipv4_with_port(self):
        self.assertEqual(('10.10.10.3', 623),
                         validation.parse_bm_ip('10.10.10.3:623'))

    def test_bracketed_ipv6_with_port(self):
        self.assertEqual(('fd00::3', 8443),
                         validation.parse_bm_ip('[FD00::3]:8443'))

    def test_bracketed_ipv6_without_port(self):
        self.assertEqual(('fd00::3', None),
                         validation.parse_bm_ip('[fd00::3]'))

    def test_bare_ipv6(self):
        self.assertEqual(('fd00::3', None), validation.parse_bm_ip('fd00::3'))

    def test_surrounding_blanks_ignored(self):
        self.assertEqual(('10.10.10.3', 623),
                         validation.parse_bm_ip(' 10.10.10.3:623 '))

    def test_bad_port_refused(self):
        for value in ('10.10.10.3:0', '10.10.10.3:70000', '10.10.10.3:abc',
                      '10.10.10.3:', '10.10.10.3:-1', '[fd00::3]:0',
                      '[fd00::3]:65536', '[fd00::3]:abc'):
            with self.subTest(bm_ip=value):
                exc = self.assertRaises(exception.InvalidParameterValue,
                                        validation.parse_bm_ip, value)
                self.assertEqual('bm_ip', exc.field)
                self.assertIn('between 1 and 65535', str(exc))

    def test_extreme_ports_accepted(self):
        self.assertEqual(('10.0.0.1', 1), validation.parse_bm_ip('10.0.0.1:1'))
        self.assertEqual(('10.0.0.1', 65535),
                         validation.parse_bm_ip('10.0.0.1:65535'))

    def test_garbage_refused(self):
        for value in ('', 'bmc-0', 'bmc-0:623', '10.10.10:623',
                      '[fd00::3', '[fd00::3]623', '[bmc]:623',
                      '10.0.0.1:623:1', 'http://10.0.0.1'):
            with self.subTest(bm_ip=value):
                exc = self.assertRaises(exception.InvalidParameterValue,
                                        validation.parse_bm_ip, value)
                self.assertEqual('bm_ip', exc.field)

    def test_non_string_refused(self):
        exc = self.assertRaises(exception.InvalidParameterValue,
                                validation.parse_bm_ip, 167772161)
        self.assertEqual('bm_ip', exc.field)


class TestBmc(ValidateHostBase):

    def _bmc(self, bm_type, bm_ip, **values):
        return _worker(bm_type=bm_type, bm_ip=bm_ip, bm_username='admin',
                       bm_password='secret', **values)

    def test_ipmi_bmc_with_port_accepted_and_formatted(self):
        for bm_type in (states.BM_TYPE_IPMI, states.BM_TYPE_REDFISH):
            for bm_ip, stored in (('10.0.0.3:623', '10.0.0.3:623'),
                                  ('[FD00::3]:8443', '[fd00::3]:8443'),
                                  ('fd00::3', 'fd00::3'),
                                  ('[fd00::3]', 'fd00::3')):
                with self.subTest(bm_type=bm_type, bm_ip=bm_ip):
                    changes = self.validate(self._bmc(bm_type, bm_ip))
                    self.assertEqual(stored, changes['bm_ip'])
                    self.assertEqual(bm_type, changes['bm_type'])

    def test_bm_type_is_lower_cased(self):
        changes = self.validate(self._bmc('IPMI', '10.0.0.3'))
        self.assertEqual(states.BM_TYPE_IPMI, changes['bm_type'])

    def test_bm_ip_port_refused_for_dynamic_bm_type(self):
        for bm_ip in ('10.0.0.3:623', '[fd00::3]:623'):
            with self.subTest(bm_ip=bm_ip):
                exc = self.assertRefused(
                    self._bmc(states.BM_TYPE_DYNAMIC, bm_ip), 'bm_ip')
                self.assertIn('only with bm_type ipmi or redfish', str(exc))

    def test_bm_ip_without_port_accepted_for_dynamic_bm_type(self):
        changes = self.validate(self._bmc(states.BM_TYPE_DYNAMIC,
                                          '10.0.0.3'))
        self.assertEqual('10.0.0.3', changes['bm_ip'])

    def test_stored_port_refused_when_bm_type_becomes_dynamic(self):
        current = _stored(bm_type=states.BM_TYPE_IPMI,
                          bm_ip='10.0.0.3:623', bm_username='admin')
        self.assertRefused({'bm_type': states.BM_TYPE_DYNAMIC}, 'bm_ip',
                           current=current)

    def test_bm_type_none_clears_bmc_fields(self):
        current = _stored(bm_type=states.BM_TYPE_IPMI, bm_ip='10.0.0.3',
                          bm_username='admin', bm_password='token')
        changes = self.validate({'bm_type': 'none'}, current=current)
        self.assertEqual({'bm_type': 'none', 'bm_ip': None,
                          'bm_username': None, 'bm_password': None},
                         changes)

    def test_bm_type_none_drops_bmc_fields_given_with_it(self):
        changes = self.validate(self._bmc('none', '10.0.0.3'))
        self.assertEqual('none', changes['bm_type'])
        for field in ('bm_ip', 'bm_username', 'bm_password'):
            self.assertIsNone(changes[field])

    def test_bm_type_not_enabled_refused(self):
        exc = self.assertRefused(self._bmc(states.BM_TYPE_REDFISH,
                                           '10.0.0.3'),
                                 'bm_type', error=exception.DriverNotEnabled,
                                 enabled_bm_types=('ipmi',))
        self.assertEqual('redfish', exc.kwargs['name'])
        self.assertIn('enabled: none, ipmi', str(exc))

    def test_bm_type_none_needs_no_enabled_driver(self):
        changes = self.validate({'bm_type': 'none'}, current=_stored(),
                                enabled_bm_types=())
        self.assertEqual('none', changes['bm_type'])

    def test_bmc_fields_without_bm_type_refused(self):
        for field, value in (('bm_ip', '10.0.0.3'), ('bm_username', 'admin'),
                             ('bm_password', 'secret')):
            with self.subTest(field=field):
                exc = self.assertRefused(_worker(**{field: value}),
                                         'bm_type')
                self.assertIn(field, str(exc))

    def test_bmc_fields_refused_while_bm_type_is_none(self):
        current = _stored(bm_type='none')
        self.assertRefused({'bm_ip': '10.0.0.3'}, 'bm_type',
                           current=current)

    def test_bm_type_needs_bm_ip(self):
        values = self._bmc(states.BM_TYPE_IPMI, '10.0.0.3')
        del values['bm_ip']
        self.assertRefused(values, 'bm_ip',
                           error=exception.MissingParameterValue)

    def test_bm_type_needs_bm_username(self):
        values = self._bmc(states.BM_TYPE_IPMI, '10.0.0.3')
        del values['bm_username']
        self.assertRefused(values, 'bm_username',
                           error=exception.MissingParameterValue)

    def test_bmc_update_uses_stored_bm_fields(self):
        current = _stored(bm_type=states.BM_TYPE_IPMI, bm_ip='10.0.0.3',
                          bm_username='admin')
        self.assertEqual({'bm_password': 'new'},
                         self.validate({'bm_password': 'new'},
                                       current=current))

    def test_bad_bm_ip_refused_by_validate_host(self):
        self.assertRefused(self._bmc(states.BM_TYPE_IPMI, '10.0.0.3:0'),
                           'bm_ip')


class TestOtherFields(ValidateHostBase):

    def test_location_text_becomes_locn_dict(self):
        changes = self.validate({'location': 'rack 3'}, current=_stored())
        self.assertEqual({'locn': 'rack 3'}, changes['location'])

    def test_location_dict_accepted(self):
        changes = self.validate(_worker(location={'locn': 'rack 3'}))
        self.assertEqual({'locn': 'rack 3'}, changes['location'])

    def test_bad_location_refused(self):
        for location in (['rack 3'], {'locn': 3}, 7):
            with self.subTest(location=location):
                self.assertRefused(_worker(location=location), 'location')

    def test_unknown_field_refused(self):
        for field in ('administrative', 'id', 'bogus'):
            with self.subTest(field=field):
                exc = self.assertRefused(_worker(**{field: 'x'}), field,
                                         error=exception.UnknownField)
                self.assertIn(field, str(exc))

    def test_none_clears_a_field(self):
        self.assertEqual({'console': None},
                         self.validate({'console': None}, current=_stored()))

    def test_hw_settle_digits_accepted(self):
        for value, stored in (('0', '0'), ('30', '30'), (5, '5'),
                              ('9999', '9999')):
            with self.subTest(hw_settle=value):
                self.assertEqual(
                    stored, self.validate(_worker(hw_settle=value))[
                        'hw_settle'])

    def test_hw_settle_non_digits_refused(self):
        for value in ('', '-1', '1.5', 'ten', '10000', ' 5'):
            with self.subTest(hw_settle=value):
                self.assertRefused(_worker(hw_settle=value), 'hw_settle')

    def test_choices_accepted(self):
        for field, values in (('install_output', ('text', 'graphical')),
                              ('clock_synchronization', ('ntp', 'ptp')),
                              ('apparmor', ('enabled', 'disabled'))):
            for value in values:
                with self.subTest(field=field, value=value):
                    self.assertEqual(
                        value, self.validate(_worker(**{field: value}))[field])

    def test_choices_refused(self):
        for field, value in (('install_output', 'serial'),
                             ('install_output', 'Text'),
                             ('clock_synchronization', 'gnss'),
                             ('apparmor', 'on')):
            with self.subTest(field=field, value=value):
                exc = self.assertRefused(_worker(**{field: value}), field)
                self.assertIn(repr(value), str(exc))

    def test_ttys_dcd_boolean_text(self):
        for value, stored in (('true', True), ('Off', False), (True, True),
                              ('1', True), ('no', False)):
            with self.subTest(ttys_dcd=value):
                self.assertIs(stored,
                              self.validate(_worker(ttys_dcd=value))[
                                  'ttys_dcd'])
        self.assertRefused(_worker(ttys_dcd='maybe'), 'ttys_dcd')

    def test_empty_boot_device_refused(self):
        for field in ('boot_device', 'rootfs_device'):
            with self.subTest(field=field):
                self.assertRefused(_worker(**{field: ''}), field)

    def test_capabilities_must_be_an_object(self):
        self.assertRefused(_worker(capabilities='x'), 'capabilities')

    def test_overlong_text_refused(self):
        self.assertRefused(_worker(console='x' * 256), 'console')


def _host(administrative=states.LOCKED, personality=states.WORKER,
          invprovision=states.PROVISIONED, hostname='worker-0',
          availability=states.ONLINE, bm_type=states.BM_TYPE_NONE,
          operational=states.DISABLED,
          uuid='5fb5b5bc-9f8e-4a2f-8c58-1d5c6a0f6c11'):
    return {'hostname': hostname, 'uuid': uuid,
            'administrative': administrative, 'personality': personality,
            'invprovision': invprovision, 'availability': availability,
            'operational': operational, 'bm_type': bm_type}


def _controller(number=0, **values):
    """An unlocked, enabled, available controller (``values`` on top)."""
    fields = dict(administrative=states.UNLOCKED, operational=states.ENABLED,
                  availability=states.AVAILABLE,
                  personality=states.CONTROLLER,
                  hostname='controller-%d' % number,
                  uuid='5fb5b5bc-9f8e-4a2f-8c58-1d5c6a0f6c2%d' % number)
    fields.update(values)
    return _host(**fields)


DUPLEX = {'system_mode': states.SYSTEM_MODE_DUPLEX}
SIMPLEX = {'system_mode': states.SYSTEM_MODE_SIMPLEX}


class TestCheckAction(testtools.TestCase):

    def assertRefused(self, host, action, system=DUPLEX, reason='',
                      controllers=(), field='action'):
        exc = self.assertRaises(exception.InvalidStateTransition,
                                validation.check_action, host, action,
                                system, controllers)
        self.assertEqual(field, exc.field)
        self.assertIn(reason, str(exc))
        return exc

    def test_unknown_action_refused(self):
        for action in ('explode', '', 'Lock', 'services-enabled'):
            with self.subTest(action=action):
                exc = self.assertRaises(exception.InvalidParameterValue,
                                        validation.check_action, _host(),
                                        action, DUPLEX)
                self.assertEqual('action', exc.field)

    def test_reboot_reset_reinstall_power_off_need_locked(self):
        for action in (states.ACTION_REBOOT, states.ACTION_RESET,
                       states.ACTION_REINSTALL, states.ACTION_POWER_OFF):
            with self.subTest(action=action):
                exc = self.assertRefused(_host(administrative=states.UNLOCKED),
                                         action, reason='lock it first')
                self.assertIn('worker-0', str(exc))
                self.assertIsNone(validation.check_action(_host(), action,
                                                          DUPLEX))

    def test_reboot_reset_reinstall_power_off_refused_on_simplex(self):
        for action in (states.ACTION_REBOOT, states.ACTION_RESET,
                       states.ACTION_REINSTALL, states.ACTION_POWER_OFF):
            with self.subTest(action=action):
                self.assertRefused(_host(), action, system=SIMPLEX,
                                   reason='simplex')

    def test_locked_only_actions_allowed_without_system(self):
        self.assertIsNone(validation.check_action(
            _host(), states.ACTION_REBOOT, None))

    def test_lock_of_locked_host_refused(self):
        for action in (states.ACTION_LOCK, states.ACTION_FORCE_LOCK):
            with self.subTest(action=action):
                self.assertRefused(_host(), action, reason='already locked')

    def test_force_unsafe_lock_of_locked_host_refused(self):
        self.assertRefused(_host(), states.ACTION_FORCE_UNSAFE_LOCK,
                           reason='already locked')

    def test_lock_of_unlocked_host_allowed(self):
        for action in (states.ACTION_LOCK, states.ACTION_FORCE_LOCK,
                       states.ACTION_FORCE_UNSAFE_LOCK):
            with self.subTest(action=action):
                self.assertIsNone(validation.check_action(
                    _host(administrative=states.UNLOCKED), action, DUPLEX))

    def test_unlock_of_unlocked_host_refused(self):
        for action in (states.ACTION_UNLOCK, states.ACTION_FORCE_UNLOCK):
            with self.subTest(action=action):
                self.assertRefused(_host(administrative=states.UNLOCKED),
                                   action, reason='already unlocked')

    def test_unprovisioned_host_is_for_unlock_blockers(self):
        # check_action checks the state transition only; what keeps a
        # locked host locked is unlock_blockers' (every reason at once).
        self.assertIsNone(validation.check_action(
            _host(invprovision=states.UNPROVISIONED), states.ACTION_UNLOCK,
            DUPLEX))

    def test_unlock_of_locked_provisioned_host_allowed(self):
        for action in (states.ACTION_UNLOCK, states.ACTION_FORCE_UNLOCK):
            with self.subTest(action=action):
                self.assertIsNone(validation.check_action(_host(), action,
                                                          DUPLEX))

    def test_swact_of_non_controller_refused(self):
        for action in (states.ACTION_SWACT, states.ACTION_FORCE_SWACT):
            with self.subTest(action=action):
                self.assertRefused(_host(administrative=states.UNLOCKED),
                                   action, reason='only a controller')

    def test_swact_of_controller_allowed_with_a_peer_in_service(self):
        for action in (states.ACTION_SWACT, states.ACTION_FORCE_SWACT):
            with self.subTest(action=action):
                self.assertIsNone(validation.check_action(
                    _controller(0), action, DUPLEX,
                    [_controller(0), _controller(1)]))

    def test_swact_needs_a_peer_to_take_over(self):
        for peer, reason in (
                (None, 'no other controller is unlocked, enabled and '
                       'available to take over'),
                (_controller(1, administrative=states.LOCKED,
                             operational=states.DISABLED), 'no other'),
                (_controller(1, availability=states.FAILED,
                             operational=states.DISABLED), 'no other'),
                (_controller(1, availability=states.OFFLINE), 'no other')):
            with self.subTest(peer=peer):
                controllers = [_controller(0)] + ([peer] if peer else [])
                self.assertRefused(_controller(0), states.ACTION_SWACT,
                                   controllers=controllers, reason=reason)

    def test_swact_needs_the_controller_in_service(self):
        self.assertRefused(
            _controller(0, administrative=states.LOCKED,
                        operational=states.DISABLED), states.ACTION_SWACT,
            controllers=[_controller(1)],
            reason='the host is not unlocked and enabled')

    def test_swact_refused_on_simplex(self):
        self.assertRefused(_controller(0), states.ACTION_SWACT, SIMPLEX,
                           reason='a simplex system has no other controller')

    def test_power_on_and_audit_allowed_in_any_state(self):
        for administrative in states.ADMINISTRATIVE_STATES:
            for action in (states.ACTION_POWER_ON, states.ACTION_HOST_AUDIT):
                with self.subTest(action=action, state=administrative):
                    self.assertIsNone(validation.check_action(
                        _host(administrative=administrative), action,
                        SIMPLEX))

    def test_lock_of_the_only_enabled_controller_refused(self):
        controller = _controller(0)
        for action in (states.ACTION_LOCK, states.ACTION_FORCE_LOCK):
            with self.subTest(action=action):
                exc = self.assertRefused(
                    controller, action, controllers=[controller],
                    reason='it is the only enabled controller; unlock and '
                    'enable another controller first')
                self.assertIn('controller-0', str(exc))

    def test_lock_of_a_controller_refused_while_the_other_cannot_serve(self):
        controller = _controller(0)
        for other in (_controller(1, administrative=states.LOCKED),
                      _controller(1, operational=states.DISABLED),
                      _controller(1, availability=states.FAILED),
                      _controller(1, availability=states.OFFLINE),
                      _controller(1, availability=states.INTEST)):
            with self.subTest(other=other):
                self.assertRefused(controller, states.ACTION_LOCK,
                                   controllers=[controller, other],
                                   reason='only enabled controller')

    def test_lock_of_a_controller_allowed_while_the_other_serves(self):
        controller = _controller(0)
        for availability in (states.AVAILABLE, states.DEGRADED):
            other = _controller(1, availability=availability)
            for action in (states.ACTION_LOCK, states.ACTION_FORCE_LOCK):
                with self.subTest(action=action, availability=availability):
                    self.assertIsNone(validation.check_action(
                        controller, action, DUPLEX, [controller, other]))

    def test_lock_of_the_simplex_controller_allowed(self):
        controller = _controller(0)
        self.assertIsNone(validation.check_action(
            controller, states.ACTION_LOCK, SIMPLEX, [controller]))

    def test_force_unsafe_lock_of_the_only_controller_allowed(self):
        controller = _controller(0)
        self.assertIsNone(validation.check_action(
            controller, states.ACTION_FORCE_UNSAFE_LOCK, DUPLEX,
            [controller]))

    def test_lock_of_a_worker_needs_no_other_controller(self):
        self.assertIsNone(validation.check_action(
            _host(administrative=states.UNLOCKED), states.ACTION_LOCK,
            DUPLEX, [_controller(0, availability=states.FAILED)]))

    def test_unlock_of_a_powered_off_host_refused(self):
        host = _host(availability=states.POWER_OFF)
        for action in (states.ACTION_UNLOCK, states.ACTION_FORCE_UNLOCK):
            with self.subTest(action=action):
                self.assertRefused(
                    host, action, reason='the host is powered off; power it '
                    'on first with host-power-on')

    def test_unlock_of_an_offline_host_is_maintenance_s_to_judge(self):
        self.assertIsNone(validation.check_action(
            _host(availability=states.OFFLINE), states.ACTION_UNLOCK,
            DUPLEX))

    def test_reinstall_of_an_unreachable_host_without_bmc_refused(self):
        for availability in (states.OFFLINE, states.POWER_OFF):
            for bm_type in (states.BM_TYPE_NONE, '', None):
                with self.subTest(availability=availability,
                                  bm_type=bm_type):
                    self.assertRefused(
                        _host(availability=availability, bm_type=bm_type),
                        states.ACTION_REINSTALL, field='bm_type',
                        reason='reinstalling a host that is offline or '
                        'powered off needs its BMC: provision bm_type')

    def test_reinstall_of_an_unreachable_host_with_bmc_allowed(self):
        for availability in (states.OFFLINE, states.POWER_OFF):
            with self.subTest(availability=availability):
                self.assertIsNone(validation.check_action(
                    _host(availability=availability,
                          bm_type=states.BM_TYPE_IPMI),
                    states.ACTION_REINSTALL, DUPLEX))

    def test_reinstall_of_an_online_host_needs_no_bmc(self):
        self.assertIsNone(validation.check_action(
            _host(availability=states.ONLINE), states.ACTION_REINSTALL,
            DUPLEX))

    def test_reinstall_of_an_unlocked_host_asks_to_lock_it_first(self):
        self.assertRefused(_host(administrative=states.UNLOCKED,
                                 availability=states.OFFLINE),
                           states.ACTION_REINSTALL, reason='lock it first')

    def test_unnamed_host_is_named_by_uuid(self):
        host = dict(_host(administrative=states.UNLOCKED), hostname=None)
        exc = self.assertRefused(host, states.ACTION_REBOOT)
        self.assertIn(host['uuid'], str(exc))
