"""Secrets at rest: Fernet encryption with a key file the service owns.

The key is created on first use (mode 0600, in a 0700 directory) so that a
new deployment needs no setup; every conductor of one deployment must share
the same file.
"""

import os
import threading

from cryptography import fernet

from stx.common import exception

_LOCK = threading.Lock()
_CIPHERS = {}


def _cipher(key_file):
    with _LOCK:
        cipher = _CIPHERS.get(key_file)
        if cipher is None:
            cipher = fernet.Fernet(_read_or_create_key(key_file))
            _CIPHERS[key_file] = cipher
        return cipher


def _read_or_create_key(key_file):
    try:
        with open(key_file, 'rb') as f:
            return f.read().strip()
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(key_file) or '.', mode=0o700, exist_ok=True)
    key = fernet.Fernet.generate_key()
    try:
        # O_EXCL: if another process created it meanwhile, use theirs.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(key_file, 'rb') as f:
            return f.read().strip()
    with os.fdopen(fd, 'wb') as f:
        f.write(key)
    return key


def encrypt(key_file, secret):
    """Encrypt ``secret`` (text) with the key in ``key_file``."""
    return _cipher(key_file).encrypt(secret.encode('utf-8')).decode('ascii')


def decrypt(key_file, token):
    """Decrypt a token made by ``encrypt``.

    :raises: SecretKeyError when the key does not match the token.
    """
    try:
        return _cipher(key_file).decrypt(token.encode('ascii')).decode('utf-8')
    except (fernet.InvalidToken, ValueError) as error:
        raise exception.SecretKeyError(
            reason='cannot decrypt with %s: %s' % (key_file,
                                                   type(error).__name__))


def reset():
    """Forget cached keys (tests that change the key file)."""
    with _LOCK:
        _CIPHERS.clear()
