"""Fixtures of the functional tests: processes, PostgreSQL, RabbitMQ."""

import shutil
import subprocess
import warnings

import pytest

from stx.common import rpc
from stx.conf import CONF
from tests.functional import base


@pytest.fixture
def in_process_conf(config_file):
    """This process's CONF and RPC transport on the test's deployment.

    ``config_file`` is the requesting module's own fixture.
    """
    rpc.cleanup()
    CONF(['--config-file', config_file], project='stx',
         default_config_files=[])
    rpc.init(CONF)
    yield CONF
    rpc.cleanup()
    CONF.reset()


@pytest.fixture
def runner(tmp_path):
    """Start processes; every one still running is killed at teardown."""
    processes = base.ProcessRunner(str(tmp_path))
    yield processes
    processes.cleanup()


@pytest.fixture
def postgresql_url():
    """A uniquely named, empty PostgreSQL database, dropped afterwards."""
    base.require_postgresql()
    import psycopg2

    name = base.unique_name('stxtest')
    host, port = base.POSTGRESQL
    admin = psycopg2.connect(host=host, port=port, user=base.POSTGRESQL_USER,
                             dbname='postgres')
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute('CREATE DATABASE "%s"' % name)
        yield 'postgresql+psycopg2://%s@%s:%d/%s' % (
            base.POSTGRESQL_USER, host, port, name)
        with admin.cursor() as cursor:
            # FORCE: a process killed by a test may leave a session behind.
            cursor.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)'
                           % name)
    finally:
        admin.close()


def _rabbitmqctl(*args):
    return subprocess.run(['rabbitmqctl', '-q'] + list(args),
                          capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


@pytest.fixture(scope='session')
def rabbit_url():
    """A transport URL on a virtual host of this test run.

    oslo.messaging names a topic's queue after the topic alone, so two
    deployments on one virtual host share their conductors' queues whatever
    their control_exchange: concurrent test runs would answer each other's
    calls. guest cannot create a virtual host over AMQP, so rabbitmqctl
    does (it needs the broker's Erlang cookie: root or the rabbitmq user);
    without it the tests share the default virtual host.
    """
    base.require_rabbitmq()
    vhost = base.unique_name('stxtest')
    created = False
    if shutil.which('rabbitmqctl'):
        try:
            if _rabbitmqctl('add_vhost', vhost).returncode == 0:
                created = _rabbitmqctl(
                    'set_permissions', '-p', vhost, 'guest', '.*', '.*',
                    '.*').returncode == 0
                if not created:
                    _rabbitmqctl('delete_vhost', vhost)
        except subprocess.TimeoutExpired:
            pass
    if not created:
        warnings.warn('cannot create a RabbitMQ virtual host; tests use the '
                      'default one and may meet concurrent runs there')
        yield base.RABBIT_URL
        return
    yield base.RABBIT_URL + vhost
    _rabbitmqctl('delete_vhost', vhost)
