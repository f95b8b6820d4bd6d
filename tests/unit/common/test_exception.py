"""stx-flock's exceptions: messages, codes, fields (stx.common.exception)."""

import http.client
import uuid

import testtools

from stx.common import exception


class TestStxException(testtools.TestCase):

    def test_msg_fmt_formatted_with_kwargs(self):
        exc = exception.HostNotFound(host='worker-3')
        self.assertEqual('Host worker-3 could not be found.', str(exc))
        self.assertEqual(str(exc), exc.message)
        self.assertEqual(('Host worker-3 could not be found.',), exc.args)
        self.assertEqual({'host': 'worker-3'}, exc.kwargs)

    def test_ready_message_overrides_msg_fmt(self):
        exc = exception.Invalid('plain words', field='name')
        self.assertEqual('plain words', str(exc))
        self.assertEqual('name', exc.field)

    def test_field_attribute(self):
        exc = exception.InvalidParameterValue(field='mgmt_mac',
                                              reason='not a MAC')
        self.assertEqual('mgmt_mac', exc.field)
        self.assertEqual("Invalid value for 'mgmt_mac': not a MAC", str(exc))
        self.assertIsNone(exception.HostNotFound(host='x').field)

    def test_missing_kwargs_fall_back_to_msg_fmt(self):
        exc = exception.HostNotFound()
        self.assertEqual(exception.HostNotFound.msg_fmt, str(exc))

    def test_codes_per_class(self):
        for cls, code, error_code in (
                (exception.StxException, http.client.INTERNAL_SERVER_ERROR,
                 'stx.error'),
                (exception.InvalidParameterValue, http.client.BAD_REQUEST,
                 'stx.invalid.value'),
                (exception.MissingParameterValue, http.client.BAD_REQUEST,
                 'stx.invalid.missing'),
                (exception.UnknownField, http.client.BAD_REQUEST,
                 'stx.invalid.unknown_field'),
                (exception.InvalidBulkFile, http.client.BAD_REQUEST,
                 'stx.host.bulk_add.invalid'),
                (exception.DriverNotEnabled, http.client.BAD_REQUEST,
                 'stx.driver.not_enabled'),
                (exception.RequestTooLarge,
                 http.client.REQUEST_ENTITY_TOO_LARGE,
                 'stx.request.too_large'),
                (exception.NotAuthorized, http.client.FORBIDDEN,
                 'stx.forbidden'),
                (exception.HostNotFound, http.client.NOT_FOUND,
                 'stx.host.not_found'),
                (exception.SystemNotFound, http.client.NOT_FOUND,
                 'stx.system.not_found'),
                (exception.HostAlreadyExists, http.client.CONFLICT,
                 'stx.host.duplicate'),
                (exception.SystemAlreadyExists, http.client.CONFLICT,
                 'stx.system.exists'),
                (exception.InvalidStateTransition, http.client.CONFLICT,
                 'stx.state.transition_refused'),
                (exception.MaintenanceUnavailable,
                 http.client.SERVICE_UNAVAILABLE, 'stx.mtce.unavailable'),
                (exception.DriverNotFound,
                 http.client.INTERNAL_SERVER_ERROR, 'stx.driver.not_found'),
                (exception.SecretKeyError,
                 http.client.INTERNAL_SERVER_ERROR, 'stx.secret.key')):
            with self.subTest(cls=cls.__name__):
                exc = cls()
                self.assertEqual(code, exc.code)
                self.assertEqual(error_code, exc.error_code)
                self.assertIsInstance(exc, exception.StxException)

    def test_error_codes_unique(self):
        classes = [exception.StxException]
        for cls in classes:
            classes.extend(cls.__subclasses__())
        codes = [cls.error_code for cls in set(classes)
                 if cls.__module__ == exception.__name__]
        self.assertEqual(sorted(set(codes)), sorted(codes))

    def test_only_server_errors_hidden_from_clients(self):
        self.assertTrue(exception.HostNotFound.safe)
        self.assertFalse(exception.SecretKeyError.safe)

    def test_non_plain_kwargs_stringified(self):
        host_uuid = uuid.UUID('5fb5b5bc-9f8e-4a2f-8c58-1d5c6a0f6c11')
        exc = exception.HostAlreadyExists(field='uuid', value=host_uuid)
        self.assertEqual(str(host_uuid), exc.kwargs['value'])
        self.assertIsInstance(exc.kwargs['value'], str)
        self.assertIn(str(host_uuid), str(exc))
        error = exception.ServiceUnavailable(service='mtce',
                                             reason=OSError('refused'))
        self.assertEqual('refused', error.kwargs['reason'])

    def test_plain_kwargs_kept(self):
        exc = exception.RequestTooLarge(size=2048, limit=1024.0)
        self.assertEqual({'size': 2048, 'limit': 1024.0}, exc.kwargs)
        exc = exception.Invalid(reason=None, flag=True)
        self.assertEqual({'reason': None, 'flag': True}, exc.kwargs)

    def test_rebuilt_exception_keeps_message_and_field(self):
        for exc in (
                exception.HostAlreadyExists(field='mgmt_mac',
                                            value='08:00:27:aa:bb:01'),
                exception.InvalidStateTransition(
                    action='unlock', target='worker-0', field='action',
                    reason='the host is already unlocked'),
                exception.DriverNotEnabled(field='bm_type', name='redfish',
                                           family='BMC',
                                           enabled='none, ipmi')):
            with self.subTest(cls=type(exc).__name__):
                rebuilt = type(exc)(**exc.kwargs)
                self.assertEqual(str(exc), str(rebuilt))
                self.assertEqual(exc.field, rebuilt.field)
                self.assertEqual(exc.kwargs, rebuilt.kwargs)

    def test_rebuilt_from_args_and_kwargs_keeps_a_ready_message(self):
        # oslo.messaging rebuilds a remote error as cls(*args, **kwargs).
        exc = exception.Invalid('plain words', field='name')
        rebuilt = type(exc)(*exc.args, **exc.kwargs)
        self.assertEqual('plain words', str(rebuilt))
        self.assertEqual('name', rebuilt.field)
