"""The heartbeat key shared by every monitor and responder of a deployment.

It comes from ``[heartbeat] key`` when set, else from the file
``[heartbeat] key_file``; either way the key is the text's UTF-8 bytes,
surrounding white space removed, at least 16 of them. stx-aio creates the
file on first start (128 hex digits of randomness, mode 0600, in a 0700
directory); a deployment of several hosts copies it, or sets the option,
everywhere.
"""

import os

from oslo_log import log as logging

from stx.common import exception
from stx.conf import CONF

LOG = logging.getLogger(__name__)

MIN_KEY_BYTES = 16
_CREATED_KEY_BYTES = 64


class HeartbeatKeyError(exception.SecretKeyError):
    """No usable heartbeat key; the message says what to configure."""

    msg_fmt = 'Heartbeat key: %(reason)s'
    error_code = 'stx.heartbeat.key'


def load_key(create=False):
    """The heartbeat key, as bytes.

    :param create: create ``[heartbeat] key_file`` with a new random key
        when neither the option nor the file exists (the all-in-one does).
    :raises: HeartbeatKeyError when there is no key, or it is too short.
    """
    if CONF.heartbeat.key is not None:
        return _checked(CONF.heartbeat.key, 'the option [heartbeat] key')
    key_file = CONF.heartbeat.key_file
    try:
        with open(key_file, encoding='utf-8') as f:
            text = f.read()
    except FileNotFoundError:
        if not create:
            raise HeartbeatKeyError(
                reason='%s does not exist: copy the key file of the '
                       'controllers there, set [heartbeat] key_file to it, '
                       'or set [heartbeat] key' % key_file)
        text = _create(key_file)
    except (OSError, UnicodeDecodeError) as error:
        raise HeartbeatKeyError(
            reason='cannot read [heartbeat] key_file %s: %s'
                   % (key_file, error))
    return _checked(text, '[heartbeat] key_file %s' % key_file)


def _checked(text, source):
    key = text.strip().encode('utf-8')
    if len(key) < MIN_KEY_BYTES:
        raise HeartbeatKeyError(
            reason='%s holds %d bytes; at least %d are needed'
                   % (source, len(key), MIN_KEY_BYTES))
    return key


def _create(key_file):
    os.makedirs(os.path.dirname(key_file) or '.', mode=0o700, exist_ok=True)
    text = os.urandom(_CREATED_KEY_BYTES).hex() + '\n'
    # Written aside, then linked into place: link() refuses an existing
    # name, so a process starting at the same time never reads a
    # half-written key, and the first one to link wins for both.
    scratch = '%s.%d.new' % (key_file, os.getpid())
    fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
        os.link(scratch, key_file)
    except FileExistsError:
        with open(key_file, encoding='utf-8') as f:
            return f.read()
    finally:
        os.unlink(scratch)
    LOG.info('Created heartbeat key file %(file)s', {'file': key_file})
    return text
