"""The fm client library's durability against a real stx-fm-manager.

stx-fm-manager runs as an OS process on PostgreSQL and RabbitMQ (a
standard deployment); the client library runs in the test process. A set
that returned a uuid survives kill -9 of the manager; sets made while the
manager is down are queued on disk and arrive, in order, once it is back.
"""

import signal
import time

import psycopg2
import pytest
import sqlalchemy.engine.url as sa_url

from stx.fm import client
from tests.functional import base

ALARM_ID = '200.004'
FIRST = 1000
QUEUED = 100
# A short wait while the manager is down: 100 queued sets take 100 waits.
DOWN_TIMEOUT = 0.2
MARGIN = 0.3


@pytest.fixture
def config_file(tmp_path, postgresql_url, rabbit_url):
    return base.write_config(str(tmp_path / 'stx.conf'), {
        'DEFAULT': {
            'transport_url': rabbit_url,
            'control_exchange': base.unique_name('stx'),
            'host': base.unique_name('controller'),
            'state_path': str(tmp_path / 'state'),
            'enabled_fm_notifiers': 'log',
        },
        'fm_database': {'connection': postgresql_url},
    })


def fault(eid):
    return client.Fault(alarm_id=ALARM_ID, alarm_state=client.SET,
                        entity_type_id='host', entity_instance_id=eid,
                        severity='critical', reason_text='%s failed' % eid)


def set_events(postgresql_url, prefix):
    """(entity_instance_id, uuid of its alarm) of 'set' events, in order."""
    url = sa_url.make_url(postgresql_url)
    with psycopg2.connect(host=url.host, port=url.port,
                          user=url.username, dbname=url.database) as db:
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT entity_instance_id FROM event_log "
                "WHERE event_log_id = %s AND state = 'set' "
                "AND entity_instance_id LIKE %s ORDER BY id",
                (ALARM_ID, prefix + '%'))
            return [row[0] for row in cursor.fetchall()]


def test_no_set_is_lost_across_manager_crash_and_outage(
        runner, config_file, postgresql_url, in_process_conf, tmp_path):
    sync = base.run('stx-dbsync', '--config-file', config_file,
                    'upgrade', 'fm')
    assert sync.returncode == 0, sync.stderr
    manager = base.start_fm_manager(runner, config_file)
    queue_dir = str(tmp_path / 'queue')

    # 1,000 sync sets, each committed when it returns its uuid.
    api = client.FaultAPIs(queue_dir=queue_dir)
    eids = ['host=worker-%04d' % number for number in range(FIRST)]
    start = time.monotonic()
    uuids = {eid: api.set_fault(fault(eid)) for eid in eids}
    elapsed = time.monotonic() - start
    print('%d sync sets in %.2fs (%.1f ms each)'
          % (FIRST, elapsed, elapsed * 1000 / FIRST))
    assert None not in uuids.values()
    assert api.queue_depth == 0

    manager.signal(signal.SIGKILL)
    manager.wait()
    manager = base.start_fm_manager(runner, config_file)

    reader = client.FaultAPIs(queue_dir=queue_dir, name='reader',
                              timeout=30)
    found = {fault.entity_instance_id: fault.uuid
             for fault in reader.get_faults_by_id(ALARM_ID)}
    assert found == uuids
    assert sorted(set_events(postgresql_url, 'host=worker-')) == eids

    # The manager is down: sets queue on disk, each caller waits at most
    # its timeout.
    assert manager.stop() == 0
    api.close()
    api = client.FaultAPIs(queue_dir=queue_dir, timeout=DOWN_TIMEOUT)
    queued = ['host=storage-%03d' % number for number in range(QUEUED)]
    slowest = 0.0
    for eid in queued:
        start = time.monotonic()
        assert api.set_fault(fault(eid)) is None
        slowest = max(slowest, time.monotonic() - start)
    print('slowest queued sync set: %.3fs' % slowest)
    assert slowest < DOWN_TIMEOUT + MARGIN
    assert api.queue_depth == QUEUED

    base.start_fm_manager(runner, config_file)
    start = time.monotonic()
    assert api.flush(60)
    print('%d queued sets drained in %.2fs after the manager started'
          % (QUEUED, time.monotonic() - start))
    found = {fault.entity_instance_id
             for fault in reader.get_faults_by_id(ALARM_ID)}
    assert found == set(eids) | set(queued)
    assert set_events(postgresql_url, 'host=storage-') == queued
    api.close()
    reader.close()
