"""One transaction of the fm writer: alarm lookups, inserts and the log.

The writer applies a whole batch of operations in one transaction; this
keeps what that transaction has read and still has to write, so that a
batch of hundreds of sets costs a few statements rather than three per
alarm.
"""

from stx.fm.db import api as dbapi


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


class Transaction:
    """What one transaction of the writer has read and has to write.

    Alarms are looked up for the whole batch in a few queries and new ones
    inserted together, since one statement per alarm would cost more than
    the commit the batch shares. ``alarms`` maps every key looked up to its
    row (None: not active); rows in ``new_alarms`` are not written yet.
    """

    def __init__(self, conn):
        self.conn = conn
        self.alarms = {}
        self.new_alarms = []
        self.event_rows = []
        self.changes = []

    def prefetch(self, keys):
        keys = {key for key in keys if key not in self.alarms}
        if not keys:
            return
        self.alarms.update(dict.fromkeys(keys))
        for row in dbapi.alarms_find_many(self.conn, keys):
            self.alarms[row['alarm_id'], row['entity_instance_id']] = row

    def find(self, key):
        self.prefetch([key])
        return self.alarms[key]

    def flush(self):
        """Write pending new alarms; before anything that reads the table."""
        dbapi.alarms_insert(self.conn, self.new_alarms)
        self.new_alarms = []

    def insert(self, values):
        row = dbapi.new_alarm(values)
        self.new_alarms.append(row)
        self.alarms[row['alarm_id'], row['entity_instance_id']] = row
        return row

    def update(self, row, values):
        if any(row is new for new in self.new_alarms):
            row.update(values)
        else:
            row.update(dbapi.alarm_update(self.conn, row['alarm_id'],
                                          row['entity_instance_id'], values))
        return row

    def delete(self, row):
        key = row['alarm_id'], row['entity_instance_id']
        self.flush()
        dbapi.alarm_delete(self.conn, *key)
        self.alarms[key] = None

    def log(self, alarm, state, severity, timestamp):
        row = dbapi.new_event(event_row(alarm, state, severity, timestamp))
        self.event_rows.append(row)
        return row

    def finish(self):
        self.flush()
        dbapi.events_insert(self.conn, self.event_rows)
