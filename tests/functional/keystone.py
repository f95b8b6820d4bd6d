"""A real Keystone for the functional tests, in a virtualenv of its own.

Keystone's dependencies would clash with ours, so it lives in the
virtualenv named by ``STX_TEST_KEYSTONE_VENV`` (tox's functional env builds
it from keystone-requirements.txt and keystone-constraints.txt). Without
that variable, or without keystone and gunicorn in the virtualenv, the
tests that need Keystone are skipped with the reason, unless
``STX_REQUIRE_SERVICES=1`` turns the skip into a failure.

``Keystone.start`` prepares a throw-away deployment on SQLite with fernet
tokens (``keystone-manage db_sync``, ``fernet_setup``, ``credential_setup``
and ``bootstrap``: user and project ``admin`` with a password made for the
run, region ``RegionOne``, the identity endpoints) and serves it with
gunicorn on 127.0.0.1 and a free port. ``add_service`` registers another
service and its endpoint through the v3 API with an admin token.
"""

import grp
import os
import pwd
import secrets
import subprocess
import time

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import pytest

from tests.functional import base

VENV_VARIABLE = 'STX_TEST_KEYSTONE_VENV'
REGION = 'RegionOne'
USERNAME = 'admin'
PROJECT = 'admin'
DOMAIN = 'Default'
MANAGE_TIMEOUT = 120

# keystone's oslo.config parses sys.argv, which under gunicorn holds
# gunicorn's own options: keystone would refuse them and the worker exit.
SHIM = """import sys
sys.argv = sys.argv[:1]
from keystone.server import wsgi
application = wsgi.initialize_public_application()
"""


def unavailable(reason):
    """Skip, or fail under STX_REQUIRE_SERVICES=1."""
    if os.environ.get('STX_REQUIRE_SERVICES') == '1':
        pytest.fail(reason + ' and STX_REQUIRE_SERVICES=1')
    pytest.skip(reason)


def find_venv():
    """The bin directory of the Keystone virtualenv, or skip/fail."""
    venv = os.environ.get(VENV_VARIABLE)
    if not venv:
        unavailable('no Keystone: %s is not set' % VENV_VARIABLE)
    bindir = os.path.join(venv, 'bin')
    for name in ('keystone-manage', 'gunicorn'):
        if not os.access(os.path.join(bindir, name), os.X_OK):
            unavailable('no Keystone: %s has no bin/%s (install '
                        'tests/functional/keystone-requirements.txt '
                        'there)' % (venv, name))
    return bindir


class Keystone:
    """A Keystone serving on 127.0.0.1; ``start`` it, then ``stop`` it."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.bindir = find_venv()
        self.port = base.free_port()
        self.url = 'http://127.0.0.1:%d/v3' % self.port
        # Hex: a password starting with '-' would read as an option.
        self.password = secrets.token_hex(16)
        self.config_path = os.path.join(workdir, 'keystone.conf')
        self.stdout_path = os.path.join(workdir, 'keystone.stdout')
        self.stderr_path = os.path.join(workdir, 'keystone.stderr')
        self.process = None
        self._session = None

    # What a client needs: keystoneauth1's v3.Password arguments.
    def credentials(self, password=None):
        return {'auth_url': self.url, 'username': USERNAME,
                'password': password or self.password,
                'project_name': PROJECT, 'user_domain_name': DOMAIN,
                'project_domain_name': DOMAIN}

    def session(self, password=None):
        """A keystoneauth1 session authenticating as admin."""
        return ks_session.Session(auth=v3.Password(
            **self.credentials(password)), timeout=30)

    def authtoken_options(self):
        """[keystone_authtoken] of a service validating tokens here."""
        return dict(self.credentials(), www_authenticate_uri=self.url,
                    auth_type='password')

    def os_environment(self, password=None):
        """The OS_* variables of a CLI using this Keystone."""
        credentials = self.credentials(password)
        return {'OS_AUTH_URL': credentials['auth_url'],
                'OS_USERNAME': credentials['username'],
                'OS_PASSWORD': credentials['password'],
                'OS_PROJECT_NAME': credentials['project_name'],
                'OS_USER_DOMAIN_NAME': credentials['user_domain_name'],
                'OS_PROJECT_DOMAIN_NAME': credentials['project_domain_name'],
                'OS_REGION_NAME': REGION}

    def start(self):
        self._configure()
        owner = ('--keystone-user', pwd.getpwuid(os.getuid()).pw_name,
                 '--keystone-group', grp.getgrgid(os.getgid()).gr_name)
        self._manage('db_sync')
        self._manage('fernet_setup', *owner)
        self._manage('credential_setup', *owner)
        self._manage('bootstrap', '--bootstrap-username', USERNAME,
                     '--bootstrap-password', self.password,
                     '--bootstrap-project-name', PROJECT,
                     '--bootstrap-role-name', 'admin',
                     '--bootstrap-region-id', REGION,
                     '--bootstrap-admin-url', self.url,
                     '--bootstrap-internal-url', self.url,
                     '--bootstrap-public-url', self.url)
        self._serve()

    def _configure(self):
        keys = os.path.join(self.workdir, 'fernet-keys')
        base.write_config(self.config_path, {
            'DEFAULT': {'log_file': os.path.join(self.workdir,
                                                 'keystone.log')},
            'database': {'connection': 'sqlite:///%s' % os.path.join(
                self.workdir, 'keystone.db')},
            'token': {'provider': 'fernet'},
            'fernet_tokens': {'key_repository': keys},
            'fernet_receipts': {'key_repository': keys},
            'credential': {'key_repository': os.path.join(
                self.workdir, 'credential-keys')},
        })
        with open(os.path.join(self.workdir, 'ks_app.py'), 'w') as shim:
            shim.write(SHIM)

    def _manage(self, *args):
        command = [os.path.join(self.bindir, 'keystone-manage'),
                   '--config-file', self.config_path] + list(args)
        try:
            result = subprocess.run(command, capture_output=True, text=True,
                                    timeout=MANAGE_TIMEOUT, cwd=self.workdir,
                                    stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            pytest.fail('keystone-manage %s did not finish within %ss'
                        % (args[0], MANAGE_TIMEOUT))
        if result.returncode != 0:
            pytest.fail('keystone-manage %s failed (%d):\n%s\n%s' % (
                args[0], result.returncode, result.stdout[-3000:],
                result.stderr[-3000:]))

    def _serve(self):
        env = dict(os.environ, OS_KEYSTONE_CONFIG_DIR=self.workdir)
        with open(self.stdout_path, 'wb') as out, \
                open(self.stderr_path, 'wb') as err:
            self.process = subprocess.Popen(
                [os.path.join(self.bindir, 'gunicorn'),
                 '--bind', '127.0.0.1:%d' % self.port, '--workers', '1',
                 '--threads', '4', '--graceful-timeout', '5',
                 '--no-control-socket',
                 '--chdir', self.workdir, 'ks_app:application'],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                env=env, cwd=self.workdir)
        deadline = time.monotonic() + base.START_TIMEOUT
        probe = ks_session.Session(timeout=2)
        while True:
            if self.process.poll() is not None:
                pytest.fail('keystone exited before serving:\n%s'
                            % self.describe())
            try:
                if probe.get(self.url, raise_exc=False).status_code == 200:
                    return
            except ks_exc.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail('keystone did not serve %s within %ss:\n%s'
                            % (self.url, base.START_TIMEOUT,
                               self.describe()))
            time.sleep(0.1)

    def describe(self):
        output = []
        for path in (self.stdout_path, self.stderr_path,
                     os.path.join(self.workdir, 'keystone.log')):
            if os.path.exists(path):
                with open(path, encoding='utf-8', errors='replace') as f:
                    output.append('%s:\n%s' % (os.path.basename(path),
                                               f.read()[-3000:]))
        return '\n'.join(output)

    def add_service(self, service_type, name, public_url):
        """Register a service with a public endpoint in RegionOne."""
        if self._session is None:
            self._session = self.session()
        identity = {'service_type': 'identity', 'interface': 'public',
                    'region_name': REGION}
        service = self._session.post(
            '/services', endpoint_filter=identity,
            json={'service': {'type': service_type, 'name': name}}
        ).json()['service']
        self._session.post('/endpoints', endpoint_filter=identity, json={
            'endpoint': {'service_id': service['id'], 'interface': 'public',
                         'region_id': REGION, 'url': public_url}})
        return service['id']

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(base.STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(base.STOP_TIMEOUT)
