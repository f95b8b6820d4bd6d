"""Host bulk-add files: parsing (safely) and exporting (stx.sysinv.bulk)."""

import testtools

from stx.common import exception
from stx.sysinv import bulk

GOOD_FILE = b"""<?xml version="1.0" encoding="UTF-8"?>
<hosts version="23.09">
  <host>
    <hostname>worker-0</hostname>
    <personality>worker</personality>
    <mgmt_mac>08:00:27:aa:bb:01</mgmt_mac>
    <bm_type>ipmi</bm_type>
    <bm_ip> 10.10.10.3:623 </bm_ip>
    <bm_username>admin</bm_username>
    <bm_password>s3cret</bm_password>
    <location>rack 3, slot 7</location>
    <install_output></install_output>
    <console/>
    <power_on/>
  </host>
  <host>
    <mgmt_mac>08:00:27:aa:bb:02</mgmt_mac>
    <location>   </location>
  </host>
</hosts>
"""


class TestParseHosts(testtools.TestCase):

    def assertInvalid(self, data):
        exc = self.assertRaises(exception.InvalidBulkFile, bulk.parse_hosts,
                                data)
        self.assertEqual('file', exc.field)
        self.assertEqual('stx.host.bulk_add.invalid', exc.error_code)
        return exc

    def test_good_file_parsed(self):
        self.assertEqual(
            [{'hostname': 'worker-0', 'personality': 'worker',
              'mgmt_mac': '08:00:27:aa:bb:01', 'bm_type': 'ipmi',
              'bm_ip': '10.10.10.3:623', 'bm_username': 'admin',
              'bm_password': 's3cret', 'location': {'locn': 'rack 3, slot 7'},
              'power_on': True},
             {'mgmt_mac': '08:00:27:aa:bb:02'}],
            bulk.parse_hosts(GOOD_FILE))

    def test_missing_and_empty_elements_are_absent(self):
        first, second = bulk.parse_hosts(GOOD_FILE)
        for field in ('install_output', 'console', 'boot_device'):
            self.assertNotIn(field, first)
        for field in ('location', 'power_on', 'hostname'):
            self.assertNotIn(field, second)

    def test_text_input_accepted(self):
        hosts = bulk.parse_hosts(
            '<hosts><host><hostname>wörker</hostname></host></hosts>')
        self.assertEqual([{'hostname': 'wörker'}], hosts)

    def test_not_well_formed_refused(self):
        for data in (b'', b'<hosts><host></hosts>', b'not xml',
                     b'<hosts><host>&undefined;</host></hosts>'):
            with self.subTest(data=data):
                exc = self.assertInvalid(data)
                self.assertIn('not well-formed XML', str(exc))

    def test_wrong_root_refused(self):
        exc = self.assertInvalid(b'<ihosts><host/></ihosts>')
        self.assertIn('<ihosts>', str(exc))

    def test_every_problem_reported_in_one_error(self):
        exc = self.assertInvalid(
            b'<hosts><host><hostname>worker-0</hostname><colour>red</colour>'
            b'</host><node/><host><uptime>10</uptime></host>'
            b'</hosts>')
        message = str(exc)
        self.assertIn('host 1: unknown element <colour>', message)
        self.assertIn('element 2: <node> is not <host>', message)
        self.assertIn('host 3: unknown element <uptime>', message)

    def test_empty_hosts_refused(self):
        for data in (b'<hosts/>', b'<hosts>\n</hosts>'):
            with self.subTest(data=data):
                exc = self.assertInvalid(data)
                self.assertIn('no <host>', str(exc))

    def assertRefusedUnexpanded(self, data, *never):
        exc = self.assertInvalid(data)
        self.assertIn('DTDs, entities and external references are not '
                      'allowed', str(exc))
        for text in never:
            self.assertNotIn(text, str(exc))

    def test_billion_laughs_refused_without_expansion(self):
        entities = ''.join(
            '<!ENTITY lol%d "%s">' % (level, ('&lol%d;' % (level - 1)) * 10)
            for level in range(1, 10))
        data = ('<?xml version="1.0"?><!DOCTYPE hosts [<!ENTITY lol0 "lol">' +
                entities + ']><hosts><host><hostname>&lol9;</hostname>'
                '</host></hosts>').encode()
        self.assertRefusedUnexpanded(data, 'lollol')

    def test_internal_entity_refused(self):
        data = (b'<!DOCTYPE hosts [<!ENTITY name "worker-9">]>'
                b'<hosts><host><hostname>&name;</hostname></host></hosts>')
        self.assertRefusedUnexpanded(data, 'worker-9')

    def test_dtd_refused(self):
        data = (b'<!DOCTYPE hosts [<!ELEMENT hosts (host*)>]>'
                b'<hosts><host><hostname>worker-0</hostname></host></hosts>')
        self.assertRefusedUnexpanded(data)

    def test_external_entity_refused(self):
        data = (b'<?xml version="1.0"?><!DOCTYPE hosts [<!ENTITY xxe SYSTEM '
                b'"file:///etc/passwd">]><hosts><host><hostname>&xxe;'
                b'</hostname></host></hosts>')
        self.assertRefusedUnexpanded(data, 'root:')

    def test_external_dtd_refused(self):
        data = (b'<?xml version="1.0"?><!DOCTYPE hosts SYSTEM '
                b'"http://127.0.0.1:9/hosts.dtd"><hosts><host/></hosts>')
        self.assertRefusedUnexpanded(data)


class TestExportHosts(testtools.TestCase):

    HOSTS = [
        {'id': 1, 'uuid': 'f3b4f2f8-0a43-4b7a-9a0c-3c8a3cf0d3d1',
         'hostname': 'controller-0', 'personality': 'controller',
         'subfunctions': 'controller,worker', 'mgmt_mac': '08:00:27:aa:bb:00',
         'mgmt_ip': '192.168.204.2', 'cluster_host_ip': '192.168.206.2',
         'bm_type': 'ipmi', 'bm_ip': '[fd00::3]:623', 'bm_username': 'admin',
         'bm_password': 'gAAAAAB-token', 'boot_device': '/dev/sda',
         'rootfs_device': '/dev/sda', 'hw_settle': '0',
         'install_output': 'text', 'console': 'ttyS0,115200',
         'location': {'locn': 'rack <1> & "2"'}, 'apparmor': 'disabled',
         'vsc_controllers': None, 'sw_version': '23.09',
         'administrative': 'unlocked'},
        {'hostname': None, 'mgmt_mac': '08:00:27:aa:bb:01', 'location': None,
         'bm_password': 'gAAAAAB-other', 'console': ''},
    ]

    def test_export_then_parse_round_trips(self):
        exported = bulk.export_hosts(self.HOSTS, '23.09')
        parsed = bulk.parse_hosts(exported.encode('utf-8'))
        first = self.HOSTS[0]
        expected = {field: first[field] for field in bulk.HOST_XML_ATTRIBUTES
                    if first.get(field) is not None}
        del expected['bm_password']
        self.assertEqual([expected, {'mgmt_mac': '08:00:27:aa:bb:01'}],
                         parsed)

    def test_export_never_contains_bm_password(self):
        exported = bulk.export_hosts(self.HOSTS, '23.09')
        self.assertNotIn('bm_password', exported)
        self.assertNotIn('gAAAAAB', exported)

    def test_export_carries_version_and_leaves_out_other_columns(self):
        exported = bulk.export_hosts(self.HOSTS, '23.09')
        self.assertTrue(exported.startswith(
            '<?xml version="1.0" encoding="UTF-8"?>\n<hosts version="23.09">'))
        for absent in ('administrative', 'uuid', '<id>', 'power_on'):
            self.assertNotIn(absent, exported)

    def test_export_of_no_hosts(self):
        exported = bulk.export_hosts([], None)
        self.assertIn('<hosts version=""', exported)
