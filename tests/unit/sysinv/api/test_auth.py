"""auth_strategy = keystone puts keystonemiddleware in front of the API.

Validating a real token needs a real Keystone (functional tests); here we
prove the wiring: without a token the API answers 401 in StarlingX's error
body, and version discovery stays public.
"""

# Importing auth_token registers [keystone_authtoken] on the global CONF.
from keystonemiddleware import auth_token  # noqa: F401
import webtest

from stx.sysinv.api import app as sysinv_app
from tests.unit import base


class TestKeystoneAuth(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.config(auth_strategy='keystone', group='api')
        self.config(www_authenticate_uri='http://127.0.0.1:5/v3',
                    delay_auth_decision=False, group='keystone_authtoken')
        self.app = webtest.TestApp(sysinv_app.make_app())

    def test_request_without_token_is_401_with_error_body(self):
        response = self.app.get('/v1/ihosts', expect_errors=True)
        self.assertEqual(401, response.status_int)
        self.assertIn('error_message', response.json)
        self.assertEqual('stx.unauthorized', self.error_of(response)['code'])
        self.assertIn('Keystone uri=', response.headers['WWW-Authenticate'])

    def test_version_documents_are_public(self):
        self.assertEqual('v1', self.app.get('/v1').json['id'])
        self.assertIn('versions', self.app.get('/').json)
