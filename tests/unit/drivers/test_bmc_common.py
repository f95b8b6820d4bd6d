"""Tests for stx.drivers.bmc.common: masking, deadlines, retries, polling."""

import logging
import sys

from oslo_config import fixture as config_fixture
import testtools
import urllib3.connectionpool  # noqa: F401 (its logger must exist)

from stx.common import exception
from stx.conf import CONF
from stx.drivers.bmc import base
from stx.drivers.bmc import common

CONF([], project='stx', default_config_files=[])

SECRET = 'Pa55w0rd!'


class BMCTestCase(testtools.TestCase):
    """Fresh [bmc] options and no remembered secrets around each test."""

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(CONF))
        common.forget_secrets()
        self.addCleanup(common.forget_secrets)


class FakeClock:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class TestMask(BMCTestCase):

    def test_every_occurrence_of_every_secret_is_masked(self):
        self.assertEqual('user *** pw *** and *** again',
                         common.mask('user admin pw %s and %s again'
                                     % (SECRET, SECRET), [SECRET, 'admin']))

    def test_longest_secret_first(self):
        self.assertEqual('x *** y', common.mask('x secret123 y',
                                                ['secret', 'secret123']))

    def test_empty_none_and_bytes_secrets(self):
        self.assertEqual("b'***' ***",
                         common.mask("b'%s' %s" % (SECRET, SECRET),
                                     [None, '', SECRET.encode()]))

    def test_non_text_is_converted(self):
        error = ValueError('bad %s' % SECRET)
        self.assertEqual('bad ***', common.mask(error, [SECRET]))

    def test_error_builds_a_masked_bmc_exception(self):
        error = common.error(exception.BMCAccessDenied, '192.0.2.1',
                             'password %s refused' % SECRET, [SECRET])
        self.assertIsInstance(error, exception.BMCError)
        self.assertEqual('BMC 192.0.2.1 refused the credentials: password '
                         '*** refused', str(error))
        self.assertNotIn(SECRET, repr(error.kwargs))

    def test_secret_key_hides_the_secret(self):
        key = common.secret_key(SECRET)
        self.assertEqual(key, common.secret_key(SECRET.encode()))
        self.assertNotEqual(key, common.secret_key('other'))
        self.assertNotIn(SECRET, key)
        self.assertEqual(common.secret_key(''), common.secret_key(None))


class TestSecretFilter(BMCTestCase):

    def record(self, msg, args=(), exc_info=None):
        return logging.LogRecord('sushy.connector', logging.DEBUG, __file__,
                                 1, msg, args, exc_info)

    def test_message_and_args_masked_once_remembered(self):
        record = self.record('POST body %s', ({'Password': SECRET},))
        self.assertTrue(common.SecretFilter().filter(record))
        self.assertIn(SECRET, record.getMessage())
        common.remember_secret(SECRET)
        self.assertTrue(common.SecretFilter().filter(record))
        self.assertEqual("POST body {'Password': '***'}",
                         record.getMessage())

    def test_traceback_with_a_secret_is_folded_and_masked(self):
        common.remember_secret(SECRET)
        try:
            raise RuntimeError('login with %s failed' % SECRET)
        except RuntimeError:
            record = self.record('failed', exc_info=sys.exc_info())
        self.assertTrue(common.SecretFilter().filter(record))
        self.assertIsNone(record.exc_info)
        text = logging.Formatter().format(record)
        self.assertNotIn(SECRET, text)
        self.assertIn('RuntimeError: login with *** failed', text)

    def test_traceback_without_a_secret_is_kept(self):
        common.remember_secret(SECRET)
        try:
            raise RuntimeError('no answer')
        except RuntimeError:
            record = self.record('failed', exc_info=sys.exc_info())
        common.SecretFilter().filter(record)
        self.assertIsNotNone(record.exc_info)

    def test_installed_on_library_loggers_and_their_children(self):
        child = logging.getLogger('sushy.test_bmc_common_child')
        common.install_log_filter()
        common.install_log_filter()
        for name in common.FILTERED_LOGGERS + (child.name,):
            filters = logging.getLogger(name).filters
            self.assertEqual(1, sum(isinstance(f, common.SecretFilter)
                                    for f in filters), name)
        self.assertFalse(any(isinstance(f, common.SecretFilter)
                             for f in logging.getLogger('stx.fm').filters))

    def test_records_of_a_library_logger_reach_handlers_masked(self):
        common.install_log_filter()
        common.remember_secret(SECRET)
        records = []
        handler = logging.Handler()
        handler.emit = records.append
        logger = logging.getLogger('urllib3.connectionpool')
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        old_level = logger.level
        logger.setLevel(logging.DEBUG)
        self.addCleanup(logger.setLevel, old_level)
        logger.debug('url http://u:%s@host/', SECRET)
        self.assertEqual(['url http://u:***@host/'],
                         [r.getMessage() for r in records])


class TestDeadlineAndRetries(BMCTestCase):

    def test_deadline(self):
        clock = FakeClock()
        deadline = common.Deadline(2.0, clock=clock)
        self.assertEqual(2.0, deadline.remaining())
        self.assertFalse(deadline.expired)
        clock.now += 3
        self.assertEqual(0.0, deadline.remaining())
        self.assertTrue(deadline.expired)

    def test_retries_with_doubling_backoff_then_success(self):
        clock = FakeClock()
        attempts = []

        def func(attempt):
            attempts.append(attempt)
            if attempt < 2:
                raise TimeoutError('no answer')
            return 'on'

        self.assertEqual('on', common.call_with_retries(
            func, 3, 0.5, (TimeoutError,), sleep=clock.sleep))
        self.assertEqual([0, 1, 2], attempts)
        self.assertEqual([0.5, 1.0], clock.sleeps)

    def test_retries_are_bounded_and_the_last_error_raised(self):
        clock = FakeClock()

        def func(attempt):
            raise TimeoutError('attempt %d' % attempt)

        error = self.assertRaises(TimeoutError, common.call_with_retries,
                                  func, 2, 0.1, (TimeoutError,),
                                  sleep=clock.sleep)
        self.assertEqual('attempt 2', str(error))
        self.assertEqual(2, len(clock.sleeps))

    def test_other_errors_are_not_retried(self):
        attempts = []

        def func(attempt):
            attempts.append(attempt)
            raise exception.BMCAccessDenied(address='a', reason='no')

        self.assertRaises(exception.BMCAccessDenied,
                          common.call_with_retries, func, 5, 0.1,
                          (TimeoutError,), sleep=self.fail)
        self.assertEqual([0], attempts)

    def test_no_retry_past_the_deadline(self):
        clock = FakeClock()
        deadline = common.Deadline(0.3, clock=clock)

        def func(attempt):
            raise TimeoutError()

        self.assertRaises(TimeoutError, common.call_with_retries, func, 5,
                          0.5, (TimeoutError,), deadline=deadline,
                          sleep=clock.sleep)
        self.assertEqual([], clock.sleeps)


class TestPoll(BMCTestCase):

    def test_first_read_is_immediate(self):
        clock = FakeClock()
        self.assertEqual((True, 'on'), common.poll(
            lambda left: 'on', lambda v: v == 'on', 5, 1,
            sleep=clock.sleep, clock=clock))
        self.assertEqual([], clock.sleeps)

    def test_pauses_double_up_to_the_interval(self):
        clock = FakeClock()
        values = iter(['off'] * 6 + ['on'])
        self.assertEqual((True, 'on'), common.poll(
            lambda left: next(values), lambda v: v == 'on', 60, 0.5,
            sleep=clock.sleep, clock=clock))
        self.assertEqual([0.1, 0.2, 0.4, 0.5, 0.5, 0.5], clock.sleeps)

    def test_timeout_returns_the_last_value(self):
        clock = FakeClock()
        done, last = common.poll(lambda left: 'off', lambda v: v == 'on',
                                 1.0, 0.4, sleep=clock.sleep, clock=clock)
        self.assertEqual((False, 'off'), (done, last))
        self.assertAlmostEqual(1.0, sum(clock.sleeps))

    def test_tolerated_errors_keep_polling(self):
        clock = FakeClock()
        reads = iter([exception.BMCTimeout(address='a', reason='x'), 'on'])

        def read(left):
            value = next(reads)
            if isinstance(value, Exception):
                raise value
            return value

        self.assertEqual((True, 'on'), common.poll(
            read, lambda v: v == 'on', 5, 1,
            tolerate=(exception.BMCTimeout,), sleep=clock.sleep,
            clock=clock))

    def test_other_errors_end_the_wait(self):
        def read(left):
            raise exception.BMCAccessDenied(address='a', reason='x')

        self.assertRaises(exception.BMCAccessDenied, common.poll, read,
                          lambda v: True, 5, 1,
                          tolerate=(exception.BMCTimeout,))


class TestChecks(BMCTestCase):

    def test_timeout(self):
        self.assertIsNone(common.check_timeout(None))
        self.assertEqual(2.0, common.check_timeout(2))
        for bad in (0, -1, 'soon', True):
            error = self.assertRaises(exception.InvalidParameterValue,
                                      common.check_timeout, bad)
            self.assertEqual('timeout', error.field)

    def test_power_target_and_boot_device(self):
        for target in base.POWER_TARGETS:
            common.check_power_target(target)
        self.assertEqual('target', self.assertRaises(
            exception.InvalidParameterValue, common.check_power_target,
            'explode').field)
        for device in base.BOOT_DEVICES:
            common.check_boot_device(device)
        self.assertEqual('device', self.assertRaises(
            exception.InvalidParameterValue, common.check_boot_device,
            'floppy').field)

    def test_worst_status(self):
        self.assertEqual(base.SENSOR_OK, common.worst_status())
        self.assertEqual(base.SENSOR_MAJOR, common.worst_status(
            base.SENSOR_MINOR, base.SENSOR_MAJOR, base.SENSOR_OK))
        self.assertEqual(base.SENSOR_CRITICAL, common.worst_status(
            base.SENSOR_CRITICAL, base.SENSOR_MINOR))

    def test_every_target_has_a_resulting_state(self):
        self.assertEqual(set(base.POWER_TARGETS),
                         set(common.RESULTING_STATE))
        self.assertLessEqual(set(common.RESULTING_STATE.values()),
                             set(base.POWER_STATES))
