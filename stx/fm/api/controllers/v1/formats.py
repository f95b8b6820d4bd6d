"""How alarms, events and suppression entries look on the wire.

StarlingX's shapes, built from the plain dicts stx.fm.db.api returns (the
same dict is changed in place: no copy per row). Formatting a page must
stay cheap at 100,000 stored alarms, so the catalogue is consulted once per
(alarm id, severity) pair, not per row.
"""

import datetime

from stx.fm import catalogue as fm_catalogue

ALARM_FIELDS = (
    'uuid', 'alarm_id', 'alarm_state', 'entity_type_id',
    'entity_instance_id', 'timestamp', 'severity', 'reason_text',
    'alarm_type', 'probable_cause', 'proposed_repair_action',
    'service_affecting', 'suppression', 'suppression_status',
    'mgmt_affecting', 'degrade_affecting', 'masked', 'links')
EVENT_FIELDS = (
    'uuid', 'event_log_id', 'state', 'entity_type_id', 'entity_instance_id',
    'timestamp', 'severity', 'reason_text', 'event_log_type',
    'probable_cause', 'proposed_repair_action', 'service_affecting',
    'suppression', 'suppression_status', 'links')
SUPPRESSION_FIELDS = ('uuid', 'alarm_id', 'description',
                      'suppression_status', 'links')
# Columns the readers return that the API does not show.
_INTERNAL = ('id', 'created_at', 'updated_at', 'inhibit_alarms')
_UNSUPPRESSED = 'unsuppressed'


_CACHE = {'catalogue': None, 'pairs': {}}


def affecting_lookup():
    """A function (alarm id, severity) -> (mgmt, degrade) affecting text.

    Call it once per request: it binds the current catalogue, and the
    pairs it computes are kept until the catalogue object changes (tests
    reset it).
    """
    catalogue = fm_catalogue.get_catalogue()
    if catalogue is not _CACHE['catalogue']:
        _CACHE['catalogue'], _CACHE['pairs'] = catalogue, {}
    pairs = _CACHE['pairs']

    def lookup(alarm_id, severity):
        key = (alarm_id, severity)
        pair = pairs.get(key)
        if pair is None:
            pair = pairs[key] = _affecting(catalogue.get(alarm_id),
                                           severity)
        return pair

    return lookup


def _affecting(entry, severity):
    # StarlingX: affecting when the severity is NOT below the threshold,
    # i.e. when alarm_allowed() says no.
    if entry is None:
        return 'False', 'False'
    return (str(not fm_catalogue.alarm_allowed(
                severity, entry.mgmt_affecting_severity)),
            str(not fm_catalogue.alarm_allowed(
                severity, entry.degrade_affecting_severity)))


def timestamp(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.isoformat()
    return value


def _links(base, collection, uuid):
    return [{'href': '%s/v1/%s/%s' % (base, collection, uuid),
             'rel': 'self'},
            {'href': '%s/%s/%s' % (base, collection, uuid),
             'rel': 'bookmark'}]


def _strip(data):
    for name in _INTERNAL:
        data.pop(name, None)


def alarm(row, base, affecting):
    """The API form of an alarm: a DB row dict, changed in place.

    :param affecting: what affecting_lookup() returned for this request.
    """
    data = row
    _strip(data)
    data['timestamp'] = timestamp(data['timestamp'])
    data.setdefault('suppression_status', _UNSUPPRESSED)
    data['mgmt_affecting'], data['degrade_affecting'] = affecting(
        data['alarm_id'], data['severity'])
    data['links'] = _links(base, 'alarms', data['uuid'])
    return data


def event(row, base):
    """The API form of an event-log record (a DB row dict, in place)."""
    data = row
    _strip(data)
    data['timestamp'] = timestamp(data['timestamp'])
    data.setdefault('suppression_status', _UNSUPPRESSED)
    data['links'] = _links(base, 'event_log', data['uuid'])
    return data


def suppression(row, base):
    """The API form of an event-suppression entry."""
    data = {name: row.get(name) for name in SUPPRESSION_FIELDS[:-1]}
    data['links'] = _links(base, 'event_suppression', data['uuid'])
    return data


def summary(counts):
    """StarlingX's alarm summary; status as its fm API computes it."""
    data = {name: counts.get(name, 0)
            for name in ('critical', 'major', 'minor', 'warnings')}
    status = counts.get('status')
    if status is None:
        status = 'OK'
        if data['critical']:
            status = 'critical'
        elif data['major'] or data['minor']:
            status = 'degraded'
    data['status'] = status
    return data
