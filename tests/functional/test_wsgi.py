"""stx.wsgi.sysinv:application served by a WSGI server in its own process.

gunicorn or mod_wsgi serve this module in production; the standard
library's wsgiref server stands in for them here.
"""

import os
import subprocess

import requests

from tests.functional import base

SERVE = """
import sys
from wsgiref import simple_server

from stx.wsgi import sysinv

server = simple_server.make_server('127.0.0.1', int(sys.argv[1]),
                                   sysinv.application)
print('serving', flush=True)
server.serve_forever()
"""


def _config(tmp_path):
    state = tmp_path / 'state'
    return base.write_config(str(tmp_path / 'stx.conf'), {
        'DEFAULT': {'state_path': str(state),
                    'transport_url': 'stx-inproc://'},
        'database': {'connection': 'sqlite:///%s' % (tmp_path /
                                                     'sysinv.sqlite')},
        'sysinv': {'rpc_timeout': 2},
    })


def _import(config_file):
    env = dict(os.environ, STX_CONFIG_FILE=config_file)
    return subprocess.run([base.script('python'), '-c',
                           'from stx.wsgi import sysinv'],
                          capture_output=True, text=True, env=env,
                          timeout=base.CLI_TIMEOUT)


def test_wsgi_module_serves_the_api(runner, tmp_path):
    config_file = _config(tmp_path)
    result = base.run('stx-dbsync', '--config-file', config_file)
    assert result.returncode == 0, result.stderr
    port = base.free_port()
    server = runner.start('python', '-c', SERVE, str(port),
                          env=dict(os.environ, STX_CONFIG_FILE=config_file))
    server.wait_for_output('serving')
    url = 'http://127.0.0.1:%d' % port
    assert requests.get(url + '/v1/isystems').json() == {'isystems': []}
    assert requests.get(url + '/v1').json()['id'] == 'v1'
    # No conductor runs for this API: a write is refused cleanly.
    response = requests.post(url + '/v1/isystems', json={'name': 'edge'})
    assert response.status_code == 503
    assert 'stx-sysinv-conductor' in response.json()['error_message']


def test_unmigrated_database_or_missing_file_is_refused(tmp_path):
    config_file = _config(tmp_path)
    result = _import(config_file)
    assert result.returncode != 0
    assert 'stx-dbsync upgrade sysinv' in result.stderr
    result = _import(str(tmp_path / 'missing.conf'))
    assert result.returncode != 0
    assert 'missing.conf: no such file' in result.stderr
