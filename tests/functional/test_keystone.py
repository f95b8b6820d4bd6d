"""stx-flock behind a real Keystone: auth_strategy = keystone and the CLI.

One Keystone (tests/functional/keystone.py) and one stx-aio validating its
tokens serve the whole module; sysinv is in the catalogue as service type
'platform' at the all-in-one's base URL + 'sysinv'.
"""

import json
import os

import pytest
import requests

from stx.clients import http as stx_http
from tests.functional import base
from tests.functional import keystone as ks

READY = r'stx-aio ready: STX_URL=(\S+)'


@pytest.fixture(scope='module')
def keystone(tmp_path_factory):
    server = ks.Keystone(str(tmp_path_factory.mktemp('keystone')))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope='module')
def aio_url(keystone, tmp_path_factory):
    """The base URL of an stx-aio with auth_strategy = keystone."""
    workdir = str(tmp_path_factory.mktemp('aio'))
    config = base.write_config(os.path.join(workdir, 'stx.conf'), {
        'api': {'auth_strategy': 'keystone'},
        'keystone_authtoken': keystone.authtoken_options()})
    runner = base.ProcessRunner(workdir)
    try:
        aio = runner.start('stx-aio', '--port', '0', '--state-dir',
                           os.path.join(workdir, 'state'), '--config-file',
                           config)
        url = aio.wait_for_output(READY).group(1)
        keystone.add_service('platform', 'sysinv', url + 'sysinv')
        yield url
        assert aio.stop() == 0, aio.describe()
    finally:
        runner.cleanup()


def _fault(response):
    assert response.headers['Content-Type'].startswith('application/json')
    return json.loads(response.json()['error_message'])


def test_api_requires_a_valid_token(keystone, aio_url):
    ihosts = aio_url + 'sysinv/v1/ihosts'

    response = requests.get(ihosts, timeout=30)
    assert response.status_code == 401, response.text
    assert _fault(response)['code'] == 'stx.unauthorized'
    assert response.headers['WWW-Authenticate'] == (
        'Keystone uri="%s"' % keystone.url)

    response = requests.get(ihosts, headers={'X-Auth-Token': 'garbage'},
                            timeout=30)
    assert response.status_code == 401, response.text
    assert _fault(response)['code'] == 'stx.unauthorized'

    token = keystone.session().get_token()
    response = requests.get(ihosts, headers={'X-Auth-Token': token},
                            timeout=30)
    assert response.status_code == 200, response.text
    assert [host['hostname'] for host in response.json()['ihosts']] == [
        'controller-0']

    # The version documents stay public.
    for path in ('', 'sysinv', 'sysinv/v1', 'sysinv/v1/'):
        response = requests.get(aio_url + path, timeout=30)
        assert response.status_code == 200, (path, response.text)


def test_client_finds_sysinv_in_the_catalogue(keystone, aio_url):
    session = keystone.session()
    client = stx_http.Client(session, 'sysinv', region_name=ks.REGION)
    assert client.root == aio_url + 'sysinv/v1'
    assert client.get('ihosts')['ihosts'][0]['hostname'] == 'controller-0'
    # fm is not registered: one clear error, no request sent.
    error = pytest.raises(stx_http.NoEndpoint,
                          stx_http.Client(session, 'fm').get, 'alarms')
    assert "'faultmanagement'" in str(error.value)


def _stx(keystone, *args, password=None, region=ks.REGION):
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(('OS_', 'STX_'))}
    env.update(keystone.os_environment(password))
    env['OS_REGION_NAME'] = region
    return base.run('stx', *args, env=env)


def _one_line_error(result):
    assert result.returncode == 1, (result.returncode, result.stdout,
                                    result.stderr)
    assert result.stdout == ''
    line, = result.stderr.splitlines()
    return line


def test_cli_in_keystone_mode(keystone, aio_url):
    result = _stx(keystone, 'host-list', '-f', 'json')
    assert (result.returncode, result.stderr) == (0, ''), result.stderr
    hosts = json.loads(result.stdout)
    assert [host['hostname'] for host in hosts] == ['controller-0']

    assert _one_line_error(_stx(keystone, 'host-list',
                                password='wrong')) == (
        'Error: Invalid Identity credentials.')

    line = _one_line_error(_stx(keystone, 'host-list', region='RegionTwo'))
    assert line.startswith("Error: no 'platform' endpoint"), line
