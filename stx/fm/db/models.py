"""fm's tables: active alarms, the event log and suppression (StarlingX names).

``alarm`` holds one row per active (alarm id, entity instance) pair;
``event_log`` keeps the history of every set, clear and customer log, its
integer id being the sequence number readers page by; ``event_suppression``
holds one row per catalogue id. ``alarm_count`` (stx-flock's own) keeps the
number of active alarms per alarm id and severity, written in the same
transaction as ``alarm``, so the summary reads a few rows instead of
counting every alarm.
"""

import sqlalchemy as sa

from stx.db import base

Base = base.declarative_base()


# What a set may change in an active alarm.
ALARM_UPDATE_FIELDS = ('entity_type_id', 'severity', 'reason_text',
                       'alarm_type', 'probable_cause',
                       'proposed_repair_action', 'service_affecting',
                       'suppression', 'timestamp', 'updated_at')


class Alarm(Base):
    __tablename__ = 'alarm'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_alarm0uuid'),
        sa.UniqueConstraint('alarm_id', 'entity_instance_id',
                            name='uniq_alarm0alarm_id0entity_instance_id'),
        # Newest-first pages, and filters by severity, read an index
        # instead of sorting or scanning 100,000 rows.
        sa.Index('ix_alarm_timestamp', 'timestamp', 'id'),
        sa.Index('ix_alarm_severity', 'severity', 'alarm_id'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    alarm_id = sa.Column(sa.String(255), nullable=False)
    alarm_state = sa.Column(sa.String(255))
    entity_type_id = sa.Column(sa.String(255))
    entity_instance_id = sa.Column(sa.String(255), nullable=False)
    timestamp = sa.Column(sa.DateTime)
    severity = sa.Column(sa.String(255))
    reason_text = sa.Column(sa.String(255))
    alarm_type = sa.Column(sa.String(255))
    probable_cause = sa.Column(sa.String(255))
    proposed_repair_action = sa.Column(sa.String(255))
    service_affecting = sa.Column(sa.Boolean, default=False)
    suppression = sa.Column(sa.Boolean, default=True)
    inhibit_alarms = sa.Column(sa.Boolean, default=False)
    masked = sa.Column(sa.Boolean, default=False)


class EventLog(Base):
    __tablename__ = 'event_log'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_event_log0uuid'),
        sa.Index('ix_event_log_timestamp', 'timestamp'),
        # SQLite would otherwise reuse the id of a deleted newest row.
        {'sqlite_autoincrement': True},
    )

    # The sequence number: strictly increasing, never reused (SQLite's
    # AUTOINCREMENT), so readers can page and prune by it.
    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    event_log_id = sa.Column(sa.String(255), nullable=False)
    state = sa.Column(sa.String(255))
    entity_type_id = sa.Column(sa.String(255))
    entity_instance_id = sa.Column(sa.String(255))
    timestamp = sa.Column(sa.DateTime)
    severity = sa.Column(sa.String(255))
    reason_text = sa.Column(sa.String(255))
    event_log_type = sa.Column(sa.String(255))
    probable_cause = sa.Column(sa.String(255))
    proposed_repair_action = sa.Column(sa.String(255))
    service_affecting = sa.Column(sa.Boolean, default=False)
    suppression = sa.Column(sa.Boolean, default=False)


class EventSuppression(Base):
    __tablename__ = 'event_suppression'
    __table_args__ = (
        sa.UniqueConstraint('uuid', name='uniq_event_suppression0uuid'),
        sa.UniqueConstraint('alarm_id',
                            name='uniq_event_suppression0alarm_id'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False)
    alarm_id = sa.Column(sa.String(255), nullable=False)
    description = sa.Column(sa.String(255))
    suppression_status = sa.Column(sa.String(255))
    set_for_deletion = sa.Column(sa.Boolean, default=False)
    mgmt_affecting = sa.Column(sa.String(255))
    degrade_affecting = sa.Column(sa.String(255))


class AlarmCount(Base):
    __tablename__ = 'alarm_count'

    alarm_id = sa.Column(sa.String(255), primary_key=True)
    severity = sa.Column(sa.String(255), primary_key=True)
    count = sa.Column(sa.Integer, nullable=False)
