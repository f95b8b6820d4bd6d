"""The alarm catalogue: what every alarm and customer log id means.

The catalogue (``stx/fm/data/events.yaml``, or ``[fm] catalogue_file``)
is keyed by id (``GGG.NNN``) and says for each id whether it is an alarm
or a log, its allowed severities, its X.733 type and probable cause, what
an operator should do and how it affects management and host health.
``validate_fault`` checks one fault against it; both the client library
(before sending) and stx-fm-manager (before storing) use it, so a bad
fault is refused where it is raised.
"""

import importlib.resources
import re
import threading

from oslo_log import log as logging
import yaml

from stx.common import exception
from stx.conf import CONF

LOG = logging.getLogger(__name__)

TYPE_ALARM = 'alarm'
TYPE_LOG = 'log'

STATE_SET = 'set'
STATE_CLEAR = 'clear'
STATE_LOG = 'log'
STATE_MSG = 'msg'

ALARM_SEVERITIES = ('critical', 'major', 'minor', 'warning')
LOG_SEVERITIES = ALARM_SEVERITIES + ('not-applicable',)
THRESHOLDS = ALARM_SEVERITIES + ('none',)
# StarlingX's ranks: 'none' outranks every severity, so nothing reaches it.
_RANK = {'none': 5, 'critical': 4, 'major': 3, 'minor': 2, 'warning': 1,
         'not-applicable': 0}

ALARM_TYPES = ('communication', 'qos', 'processing-error', 'equipment',
               'environmental', 'integrity-violation',
               'operational-violation', 'physical-violation',
               'security-service-or-mechanism-violation',
               'time-domain-violation', 'other')

_ID_FORMAT = re.compile(r'^\d{3}\.\d{3}$')
# key=value pairs joined by dots; a value may hold dots (an address) but
# not end with one, so that the pairs stay unambiguous.
_EID_FORMAT = re.compile(r'^[^=.\s]+=[^=]*[^=.](\.[^=.\s]+=[^=]*[^=.])*$')
MAX_TEXT = 255

_REQUIRED = ('Type', 'Description', 'Entity_Instance_ID', 'Severity',
             'Proposed_Repair_Action', 'Alarm_Type', 'Probable_Cause',
             'Service_Affecting', 'Suppression',
             'Management_Affecting_Severity', 'Degrade_Affecting_Severity')


class CatalogueError(Exception):
    """The catalogue file cannot be used; the message says where and why."""


# libyaml's parser when PyYAML has it: five times faster on the catalogue.
_SafeLoader = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):
    """A YAML loader that refuses a mapping key given twice.

    PyYAML keeps the last of duplicate keys silently, which would let one
    alarm definition hide another.
    """

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise CatalogueError('duplicate key %r at line %d' % (
                    key, key_node.start_mark.line + 1))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class Entry:
    """One catalogue id, with the attribute names fm uses."""

    def __init__(self, alarm_id, fields):
        self.alarm_id = alarm_id
        self.type = fields['Type'].lower()
        self.description = fields['Description']
        self.entity_instance_pattern = fields['Entity_Instance_ID']
        # 'host=<hostname>.process=<name>' is of entity type 'host.process'.
        self.entity_type = '.'.join(
            part.split('=', 1)[0]
            for part in self.entity_instance_pattern.split('.'))
        self.severities = tuple(fields['Severity'])
        self.proposed_repair_action = fields['Proposed_Repair_Action']
        self.alarm_type = fields['Alarm_Type']
        self.probable_cause = fields['Probable_Cause']
        self.service_affecting = fields['Service_Affecting']
        # The default of a fault's 'suppression' (suppression allowed)
        # attribute. As in StarlingX, it does not limit which ids may be
        # suppressed: every alarm id may (manager.sync_suppression).
        self.suppression = fields['Suppression']
        self.mgmt_affecting_severity = fields[
            'Management_Affecting_Severity']
        self.degrade_affecting_severity = fields[
            'Degrade_Affecting_Severity']

    def __repr__(self):
        return '<Entry %s %s>' % (self.alarm_id, self.type)


def _check_entry(alarm_id, fields):
    where = 'id %s' % alarm_id
    if not isinstance(alarm_id, str) or not _ID_FORMAT.match(alarm_id):
        raise CatalogueError('%s: ids are "GGG.NNN" strings' % where)
    if not isinstance(fields, dict):
        raise CatalogueError('%s: expected a mapping of fields' % where)
    missing = [name for name in _REQUIRED if name not in fields]
    if missing:
        raise CatalogueError('%s: missing %s' % (where, ', '.join(missing)))
    kind = str(fields['Type']).lower()
    if kind not in (TYPE_ALARM, TYPE_LOG):
        raise CatalogueError('%s: Type must be Alarm or Log' % where)
    severities = fields['Severity']
    if isinstance(severities, str):
        severities = fields['Severity'] = [severities]
    allowed = ALARM_SEVERITIES if kind == TYPE_ALARM else LOG_SEVERITIES
    bad = [value for value in severities or [None] if value not in allowed]
    if bad:
        raise CatalogueError('%s: severity %r is not one of %s' % (
            where, bad[0], ', '.join(allowed)))
    if fields['Alarm_Type'] not in ALARM_TYPES:
        raise CatalogueError('%s: Alarm_Type %r is not an X.733 type' % (
            where, fields['Alarm_Type']))
    for name in ('Management_Affecting_Severity',
                 'Degrade_Affecting_Severity'):
        if fields[name] not in THRESHOLDS:
            raise CatalogueError('%s: %s must be one of %s' % (
                where, name, ', '.join(THRESHOLDS)))
    for name in ('Service_Affecting', 'Suppression'):
        if not isinstance(fields[name], bool):
            raise CatalogueError('%s: %s must be True or False' % (
                where, name))
    for name in ('Description', 'Proposed_Repair_Action', 'Probable_Cause',
                 'Entity_Instance_ID'):
        if not isinstance(fields[name], str) or not fields[name].strip():
            raise CatalogueError('%s: %s must be text' % (where, name))
    if len(fields['Proposed_Repair_Action']) > MAX_TEXT:
        raise CatalogueError('%s: Proposed_Repair_Action is longer than %d '
                             'characters' % (where, MAX_TEXT))


class Catalogue:
    """Every id of one catalogue file, validated."""

    def __init__(self, entries, source=None):
        self._entries = entries
        self.source = source

    def get(self, alarm_id):
        """The Entry for an id, or None when the catalogue lacks it."""
        return self._entries.get(alarm_id)

    def ids(self):
        """Every id, sorted."""
        return sorted(self._entries)

    def entries(self):
        return [self._entries[alarm_id] for alarm_id in self.ids()]


def _default_text():
    return (importlib.resources.files('stx.fm') / 'data' /
            'events.yaml').read_text(encoding='utf-8')


def parse(text, source='<catalogue>'):
    """A Catalogue from YAML text.

    :raises: CatalogueError naming the source, the id and the problem.
    """
    try:
        document = yaml.load(text, Loader=_UniqueKeyLoader)
    except CatalogueError as error:
        raise CatalogueError('%s: %s' % (source, error)) from None
    except yaml.YAMLError as error:
        raise CatalogueError('%s: not valid YAML: %s'
                             % (source, error)) from None
    if not isinstance(document, dict) or not document:
        raise CatalogueError('%s: expected a mapping of ids' % source)
    entries = {}
    for alarm_id, fields in document.items():
        try:
            _check_entry(alarm_id, fields)
        except CatalogueError as error:
            raise CatalogueError('%s: %s' % (source, error)) from None
        entries[alarm_id] = Entry(alarm_id, fields)
    return Catalogue(entries, source)


def load(path=None):
    """Read and validate a catalogue; the packaged one when path is None.

    :raises: CatalogueError
    """
    if path is None:
        return parse(_default_text(), 'stx/fm/data/events.yaml')
    try:
        with open(path, encoding='utf-8') as stream:
            text = stream.read()
    except OSError as error:
        raise CatalogueError('%s: %s' % (path, error.strerror)) from None
    return parse(text, path)


_cache = {}
_cache_lock = threading.Lock()


def get_catalogue():
    """The catalogue ``[fm] catalogue_file`` names, loaded once per path."""
    path = CONF.fm.catalogue_file
    with _cache_lock:
        if path not in _cache:
            _cache[path] = load(path)
            LOG.info('Alarm catalogue %(source)s: %(count)d ids',
                     {'source': _cache[path].source,
                      'count': len(_cache[path].ids())})
        return _cache[path]


def reset():
    """Forget the loaded catalogues (tests, or after editing the file)."""
    with _cache_lock:
        _cache.clear()


def alarm_allowed(severity, threshold):
    """Whether an alarm of ``severity`` stays below ``threshold``.

    StarlingX's rule: ``threshold`` is the lowest severity that affects
    management (or degrades the host); 'none' means nothing does. An alarm
    is management affecting when this returns False.
    """
    return _RANK.get(threshold, 0) > _RANK.get(severity, 0)


def _text(fault, name, required=True):
    value = fault.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise exception.MissingParameterValue(
                field=name, reason='every fault needs it')
        return None
    if not isinstance(value, str):
        raise exception.InvalidParameterValue(field=name,
                                              reason='expected text')
    if len(value) > MAX_TEXT:
        raise exception.InvalidParameterValue(
            field=name, reason='%d characters; at most %d' % (
                len(value), MAX_TEXT))
    return value


def validate_fault(catalogue, fault, state):
    """Check one fault against the catalogue; returns it normalised.

    :param fault: a dict with alarm_id, entity_type_id, entity_instance_id,
        severity, reason_text and optionally alarm_type, probable_cause,
        proposed_repair_action, service_affecting, suppression, uuid,
        timestamp.
    :param state: 'set' (an alarm) or 'log'/'msg' (a customer log).
    :returns: a new dict with alarm_state set and the catalogue's defaults
        filled in.
    :raises: UnknownAlarmId (field alarm_id); InvalidParameterValue or
        MissingParameterValue naming the field at fault.
    """
    if not isinstance(fault, dict):
        raise exception.InvalidParameterValue(
            field='fault', reason='expected a mapping')
    alarm_id = _text(fault, 'alarm_id')
    entry = catalogue.get(alarm_id)
    if entry is None:
        raise exception.UnknownAlarmId(alarm_id=alarm_id, field='alarm_id')
    wanted = TYPE_ALARM if state == STATE_SET else TYPE_LOG
    if entry.type != wanted:
        raise exception.InvalidParameterValue(
            field='alarm_state', reason='%s is a %s id; %r is for %ss' % (
                alarm_id, entry.type, state, wanted))
    severity = _text(fault, 'severity')
    if severity not in entry.severities:
        raise exception.InvalidParameterValue(
            field='severity', reason='%r is not one of %s for %s' % (
                severity, ', '.join(entry.severities), alarm_id))
    eid = _text(fault, 'entity_instance_id')
    if not _EID_FORMAT.match(eid):
        raise exception.InvalidParameterValue(
            field='entity_instance_id',
            reason='%r is not key=value(.key=value)*' % eid)
    normal = dict(fault, alarm_id=alarm_id, alarm_state=state,
                  severity=severity, entity_instance_id=eid,
                  entity_type_id=_text(fault, 'entity_type_id'),
                  reason_text=_text(fault, 'reason_text'))
    for name, default in (
            ('alarm_type', entry.alarm_type),
            ('probable_cause', entry.probable_cause),
            ('proposed_repair_action', entry.proposed_repair_action)):
        normal[name] = _text(fault, name, required=False) or default
    for name, default in (('service_affecting', entry.service_affecting),
                          ('suppression', entry.suppression)):
        value = fault.get(name)
        if value is None:
            value = default
        elif not isinstance(value, bool):
            raise exception.InvalidParameterValue(
                field=name, reason='expected True or False')
        normal[name] = value
    return normal
