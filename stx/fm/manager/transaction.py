"""One transaction of the fm writer: alarm lookups, pending writes, the log.

The writer applies a whole batch of operations in one transaction. This
keeps what the batch has read and what it still has to write, and writes
only the net effect, a few statements for the whole batch: the deletes,
the inserts, the updates, the per-severity counts (stx.fm.db.writers'
``alarm_count``, which the summary reads) and the event log records, all
in one round trip on PostgreSQL. A set then clear of the same alarm
within one batch writes no alarm row at all, only its two log records.
"""

import collections

from stx.fm.db import api as dbapi
from stx.fm.db import writers


def event_row(alarm, state, severity, timestamp):
    return {'event_log_id': alarm['alarm_id'], 'state': state,
            'entity_type_id': alarm['entity_type_id'],
            'entity_instance_id': alarm['entity_instance_id'],
            'timestamp': timestamp, 'severity': severity,
            'reason_text': alarm['reason_text'],
            'event_log_type': alarm['alarm_type'],
            'probable_cause': alarm['probable_cause'],
            'proposed_repair_action': alarm['proposed_repair_action'],
            'service_affecting': alarm['service_affecting'],
            'suppression': alarm['suppression']}


def _key(row):
    return row['alarm_id'], row['entity_instance_id']


class Transaction:
    """What one transaction of the writer has read and has to write.

    ``alarms`` maps every key looked up to the alarm as the batch sees it
    (None: not active). Until flush(), the table lags behind it by
    ``_deletes`` (keys of stored rows to delete), ``_inserts`` and
    ``_updates`` (rows by key) and ``_counts`` (per (alarm_id, severity)
    changes of the number of active alarms).
    """

    def __init__(self, conn):
        self.conn = conn
        self.alarms = {}
        self.event_rows = []
        self.changes = []
        self._deletes = set()
        self._inserts = {}
        self._updates = {}
        self._counts = collections.Counter()

    def prefetch(self, keys):
        keys = {key for key in keys if key not in self.alarms}
        if not keys:
            return
        self.alarms.update(dict.fromkeys(keys))
        for row in writers.alarms_find_many(self.conn, keys):
            self.alarms[_key(row)] = row

    def find(self, key):
        self.prefetch([key])
        return self.alarms[key]

    def flush(self, events=()):
        """Write pending alarm changes (and ``events``, event log rows).

        Before anything reads the table; in one round trip on PostgreSQL
        (writers.batch_write).
        """
        writers.batch_write(self.conn, deletes=self._deletes,
                            inserts=list(self._inserts.values()),
                            updates=list(self._updates.values()),
                            counts=self._counts, events=events)
        self._deletes = set()
        self._inserts = {}
        self._updates = {}
        self._counts = collections.Counter()

    def insert(self, values):
        row = writers.new_alarm(values)
        key = _key(row)
        self._inserts[key] = row
        self.alarms[key] = row
        self._counts[row['alarm_id'], row['severity']] += 1
        return row

    def update(self, row, values):
        self._counts[row['alarm_id'], row['severity']] -= 1
        self._counts[row['alarm_id'], values['severity']] += 1
        row.update(values)
        key = _key(row)
        if key not in self._inserts:
            row['updated_at'] = dbapi.now()
            self._updates[key] = row
        return row

    def delete(self, row):
        key = _key(row)
        self._counts[row['alarm_id'], row['severity']] -= 1
        if self._inserts.pop(key, None) is None:
            self._deletes.add(key)
            self._updates.pop(key, None)
        self.alarms[key] = None

    def log(self, alarm, state, severity, timestamp):
        row = writers.new_event(event_row(alarm, state, severity, timestamp))
        self.event_rows.append(row)
        return row

    def finish(self):
        """Write everything still pending, the event log records last."""
        self.flush(self.event_rows)
