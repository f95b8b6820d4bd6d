"""The heartbeat key: from the option, else from a file stx-aio creates."""

import os
import stat

from stx.mtce.heartbeat import keys
from tests.unit import base


class TestLoadKey(base.TestCase):

    def setUp(self):
        super().setUp()
        # The unit tests' base sets a key; these tests are about its source.
        self.config(group='heartbeat', key=None)
        self.key_file = os.path.join(self.state_dir, 'keys', 'heartbeat.key')

    def write(self, text):
        os.makedirs(os.path.dirname(self.key_file), exist_ok=True)
        with open(self.key_file, 'w') as f:
            f.write(text)

    def test_default_file_is_in_the_state_directory(self):
        self.write('0123456789abcdef0123\n')
        self.assertEqual(b'0123456789abcdef0123', keys.load_key())

    def test_missing_key_says_what_to_set(self):
        error = self.assertRaises(keys.HeartbeatKeyError, keys.load_key)
        self.assertIn(self.key_file, str(error))
        self.assertIn('[heartbeat] key', str(error))
        self.assertIn('[heartbeat] key_file', str(error))
        self.assertEqual('stx.heartbeat.key', error.error_code)

    def test_create_makes_a_private_random_key(self):
        key = keys.load_key(create=True)
        self.assertEqual(128, len(key))
        int(key, 16)
        self.assertEqual(0o600, stat.S_IMODE(os.stat(self.key_file).st_mode))
        self.assertEqual(0o700, stat.S_IMODE(
            os.stat(os.path.dirname(self.key_file)).st_mode))
        self.assertEqual(key, keys.load_key())
        self.assertEqual(key, keys.load_key(create=True))
        self.assertEqual(['heartbeat.key'],
                         os.listdir(os.path.dirname(self.key_file)))

    def test_create_keeps_an_existing_file(self):
        self.write('an existing key of 32 characters')
        self.assertEqual(b'an existing key of 32 characters',
                         keys.load_key(create=True))

    def test_option_wins_over_the_file(self):
        self.write('the key in the file, unused')
        self.config(group='heartbeat', key='  the key in the option ')
        self.assertEqual(b'the key in the option', keys.load_key())

    def test_short_option_is_refused(self):
        self.config(group='heartbeat', key='short')
        error = self.assertRaises(keys.HeartbeatKeyError, keys.load_key)
        self.assertIn('[heartbeat] key holds 5 bytes; at least 16',
                      str(error))

    def test_empty_file_is_refused_naming_it(self):
        self.write('\n')
        error = self.assertRaises(keys.HeartbeatKeyError, keys.load_key,
                                  create=True)
        self.assertIn('key_file %s holds 0 bytes' % self.key_file,
                      str(error))

    def test_other_key_file(self):
        other = os.path.join(self.state_dir, 'elsewhere.key')
        with open(other, 'w') as f:
            f.write('x' * 16)
        self.config(group='heartbeat', key_file=other)
        self.assertEqual(b'x' * 16, keys.load_key())
