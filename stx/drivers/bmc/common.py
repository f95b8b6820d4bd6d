"""What the real BMC drivers share: secrets, deadlines, retries, polling.

Secrets. A BMC password must never reach a log record, an exception message
or a return value. The drivers build every error message they raise through
:func:`mask`, and they register every password they use with
:func:`remember_secret`; :func:`install_log_filter` then attaches a
:class:`SecretFilter` to the loggers of the protocol libraries (pyghmi,
sushy, urllib3, requests) and of the drivers, which masks any registered
password in a record's message and traceback before a handler sees it. The
libraries do not log passwords today (sushy replaces ``Password`` in the
request bodies it logs, pyghmi does not log); the filter keeps it that way
if a new release or a new code path starts to. Filtering records on the
libraries' own loggers, rather than raising their level, keeps their DEBUG
output for whoever needs it; it touches no handler and no other logger.

Time. Every wait is bounded: :class:`Deadline` measures what is left,
:func:`call_with_retries` retries a bounded number of times with a short
doubling backoff, and :func:`poll` reads a state until it is the expected
one or the deadline passes.
"""

import hashlib
import logging
import threading
import time
import traceback

from oslo_log import log as oslo_logging

from stx.common import exception
from stx.drivers.bmc import base

LOG = oslo_logging.getLogger(__name__)

MASK = '***'

# Loggers (with their descendants) whose records may carry what a driver
# sent or received.
FILTERED_LOGGERS = ('pyghmi', 'sushy', 'urllib3', 'requests',
                    'stx.drivers.bmc')

# Resulting state each power target is confirmed by.
RESULTING_STATE = {
    base.POWER_ON: base.POWER_ON,
    base.POWER_OFF: base.POWER_OFF,
    base.POWER_RESET: base.POWER_ON,
    base.POWER_CYCLE: base.POWER_ON,
    base.POWER_SOFT_OFF: base.POWER_OFF,
}

_STATUS_RANK = {status: rank
                for rank, status in enumerate(base.SENSOR_STATUSES)}

# The first pause between two reads of poll(); pauses double from it.
FIRST_POLL_INTERVAL = 0.1


def _text(secret):
    if isinstance(secret, bytes):
        return secret.decode('utf-8', 'replace')
    return secret


def mask(text, secrets):
    """Replace every occurrence of each secret in text by ``***``.

    :param text: the text to clean (anything else is converted with str()).
    :param secrets: the secrets (str or bytes); empty ones and None are
        ignored.
    :returns: the masked text.
    """
    text = str(text)
    # Longest first, so that a secret containing another is masked whole.
    for secret in sorted({_text(s) for s in secrets if s}, key=len,
                         reverse=True):
        text = text.replace(secret, MASK)
    return text


_secrets = set()
_secrets_lock = threading.Lock()


def remember_secret(secret):
    """Register a password that log records must never show.

    :param secret: the password (str or bytes); empty values are ignored.
    """
    if secret:
        with _secrets_lock:
            _secrets.add(_text(secret))


def known_secrets():
    """The registered passwords, as a frozenset."""
    with _secrets_lock:
        return frozenset(_secrets)


def forget_secrets():
    """Forget every registered password (for tests)."""
    with _secrets_lock:
        _secrets.clear()


class SecretFilter(logging.Filter):
    """Mask the registered passwords in a log record; never drops one."""

    def filter(self, record):
        secrets = known_secrets()
        if not secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:
            # A record that cannot be formatted shows its raw parts.
            message = '%s %s' % (record.msg, record.args)
        masked = mask(message, secrets)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info:
            # Formatters (oslo.log's too) format exc_info themselves, so a
            # traceback that shows a secret is folded into the message.
            text = ''.join(traceback.format_exception(*record.exc_info))
            if mask(text, secrets) != text:
                record.msg = '%s\n%s' % (record.msg,
                                         mask(text, secrets).rstrip())
                record.args = None
                record.exc_info = None
                record.exc_text = None
        if record.exc_text:
            record.exc_text = mask(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = mask(record.stack_info, secrets)
        return True


_filter = SecretFilter()


def install_log_filter():
    """Attach the SecretFilter to the protocol libraries' loggers.

    A logger's filters see only the records created on that logger, so the
    filter goes on each of ``FILTERED_LOGGERS`` and on every descendant that
    exists now. Drivers call this whenever they open a new connection, which
    covers modules the libraries import late. Idempotent and cheap.
    """
    manager = logging.Logger.manager
    names = [name for name in list(manager.loggerDict)
             if any(name == root or name.startswith(root + '.')
                    for root in FILTERED_LOGGERS)]
    for name in set(names) | set(FILTERED_LOGGERS):
        logger = logging.getLogger(name)
        if _filter not in logger.filters:
            logger.addFilter(_filter)


def secret_key(secret):
    """A digest to key caches by, so that they do not hold the password.

    :param secret: str, bytes or None.
    :returns: a hex string.
    """
    return hashlib.sha256((_text(secret) or '').encode('utf-8')).hexdigest()


def error(error_class, address, reason, secrets=()):
    """Build a BMC exception whose reason cannot carry a secret.

    :param error_class: BMCError or a subclass.
    :param address: the BMC address.
    :param reason: what went wrong (an exception or text).
    :param secrets: the credentials in use, masked out of the reason.
    :returns: the exception instance.
    """
    return error_class(address=address,
                       reason=mask(reason, secrets) or 'no detail')


class Deadline:
    """A point in time, from a number of seconds from now.

    :param seconds: how far away it is.
    :param clock: the clock (time.monotonic, or a test's).
    """

    def __init__(self, seconds, clock=time.monotonic):
        self._clock = clock
        self.seconds = seconds
        self.expires = clock() + seconds

    def remaining(self):
        """Seconds left, never negative."""
        return max(0.0, self.expires - self._clock())

    @property
    def expired(self):
        return self._clock() >= self.expires


def call_with_retries(func, retries, backoff, retry_on, deadline=None,
                      sleep=time.sleep, what='call'):
    """Call ``func(attempt)`` until it succeeds or the retries are spent.

    :param func: called with the attempt number (0 first).
    :param retries: further attempts after the first one fails.
    :param backoff: seconds before the first retry, doubled before each
        further one.
    :param retry_on: the exception classes worth another attempt; anything
        else propagates at once.
    :param deadline: a Deadline no retry may start after, or None.
    :param sleep: the sleep function (tests pass their own).
    :param what: how the debug log names the call.
    :returns: what func returns.
    :raises: the last exception when no attempt succeeded.
    """
    attempt = 0
    while True:
        try:
            return func(attempt)
        except retry_on as err:
            delay = backoff * (2 ** attempt)
            if attempt >= retries or (
                    deadline is not None and deadline.remaining() <= delay):
                raise
            LOG.debug('%(what)s failed (attempt %(attempt)d of %(total)d), '
                      'retrying in %(delay).2f s: %(error)s',
                      {'what': what, 'attempt': attempt + 1,
                       'total': retries + 1, 'delay': delay, 'error': err})
            sleep(delay)
            attempt += 1


def poll(read, done, timeout, max_interval, tolerate=(), sleep=time.sleep,
         clock=time.monotonic):
    """Read a value until ``done(value)`` or the timeout passes.

    The first read is immediate; the pauses between reads start at
    ``FIRST_POLL_INTERVAL`` and double up to ``max_interval``.

    :param read: called with the seconds left; returns the value.
    :param done: says whether a value is the one waited for.
    :param timeout: seconds to keep trying.
    :param max_interval: the longest pause between two reads.
    :param tolerate: exception classes of a read that do not end the wait
        (a BMC that stops answering while its host power-cycles).
    :param sleep: the sleep function (tests pass their own).
    :param clock: the clock (tests pass their own).
    :returns: ``(True, value)`` when done, else ``(False, last value or
        the last tolerated exception)``.
    """
    deadline = Deadline(timeout, clock=clock)
    interval = min(FIRST_POLL_INTERVAL, max_interval)
    last = None
    while True:
        try:
            last = read(deadline.remaining())
        except tolerate as err:
            last = err
        else:
            if done(last):
                return True, last
        left = deadline.remaining()
        if left <= 0:
            return False, last
        sleep(min(interval, left))
        interval = min(interval * 2, max_interval)


def check_timeout(timeout):
    """Check set_power_state's timeout argument.

    :returns: the timeout as a float, or None.
    :raises: InvalidParameterValue if it is not a positive number.
    """
    if timeout is None:
        return None
    if (isinstance(timeout, bool) or
            not isinstance(timeout, (int, float)) or timeout <= 0):
        raise exception.InvalidParameterValue(
            field='timeout', reason='%r is not a positive number of '
            'seconds' % (timeout,))
    return float(timeout)


def check_power_target(target):
    """:raises: InvalidParameterValue if target is not a power target."""
    if target not in base.POWER_TARGETS:
        raise exception.InvalidParameterValue(
            field='target', reason='%r is not one of %s'
            % (target, ', '.join(base.POWER_TARGETS)))


def check_boot_device(device):
    """:raises: InvalidParameterValue if device is not a boot device."""
    if device not in base.BOOT_DEVICES:
        raise exception.InvalidParameterValue(
            field='device', reason='%r is not one of %s'
            % (device, ', '.join(base.BOOT_DEVICES)))


def worst_status(*statuses):
    """The most severe of sensor statuses (``SENSOR_OK`` for none)."""
    return max(statuses, key=_STATUS_RANK.__getitem__,
               default=base.SENSOR_OK)
