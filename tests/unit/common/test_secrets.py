"""Secrets at rest: Fernet with a key file (stx.common.secrets)."""

import os
import stat

import fixtures
import testtools

from stx.common import exception
from stx.common import secrets


class TestSecrets(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.root = self.useFixture(fixtures.TempDir()).path
        self.key_file = os.path.join(self.root, 'keys', 'bm-password.key')
        secrets.reset()
        self.addCleanup(secrets.reset)

    def test_round_trip(self):
        for secret in ('s3cret', '', 'pässwörd ☃', 'x' * 1000):
            with self.subTest(secret=secret):
                token = secrets.encrypt(self.key_file, secret)
                self.assertNotIn(secret or 'never', token)
                self.assertEqual(secret, secrets.decrypt(self.key_file,
                                                         token))

    def test_tokens_differ_for_the_same_secret(self):
        self.assertNotEqual(secrets.encrypt(self.key_file, 's3cret'),
                            secrets.encrypt(self.key_file, 's3cret'))

    def test_key_file_created_0600_in_a_0700_directory(self):
        self.assertFalse(os.path.exists(self.key_file))
        secrets.encrypt(self.key_file, 's3cret')
        self.assertEqual(0o600,
                         stat.S_IMODE(os.stat(self.key_file).st_mode))
        self.assertEqual(0o700, stat.S_IMODE(
            os.stat(os.path.dirname(self.key_file)).st_mode))

    def test_key_file_reused(self):
        token = secrets.encrypt(self.key_file, 's3cret')
        with open(self.key_file, 'rb') as f:
            key = f.read()
        # A new process: nothing cached, the key comes from the file.
        secrets.reset()
        self.assertEqual('s3cret', secrets.decrypt(self.key_file, token))
        secrets.encrypt(self.key_file, 'other')
        with open(self.key_file, 'rb') as f:
            self.assertEqual(key, f.read())

    def test_different_key_file_cannot_decrypt(self):
        token = secrets.encrypt(self.key_file, 's3cret')
        other = os.path.join(self.root, 'other', 'bm-password.key')
        exc = self.assertRaises(exception.SecretKeyError, secrets.decrypt,
                                other, token)
        self.assertNotIn('s3cret', str(exc))
        self.assertNotIn(token, str(exc))
        self.assertIn(other, str(exc))
        self.assertFalse(exc.safe)
        self.assertEqual('stx.secret.key', exc.error_code)

    def test_garbage_token_refused(self):
        secrets.encrypt(self.key_file, 's3cret')
        for token in ('not-a-token', '', 'gAAAAAB' + 'A' * 80, 'ünicode'):
            with self.subTest(token=token):
                self.assertRaises(exception.SecretKeyError, secrets.decrypt,
                                  self.key_file, token)
