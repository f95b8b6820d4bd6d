"""The alarms of one controller's service management.

- 400.001 for a group failed, degraded or warn on this controller, with
  the severity its status calls for;
- 400.002 (loss of redundancy) for a group active here whose model wants
  a standby the peer cannot be (not in contact, or its group failed);
- 400.005 for each path to the peer that is silent while another still
  brings hellos: the peer is there, a link is not.

Each is raised or cleared when what it says changes, not at every engine
pass, and once at start: an alarm a stx-sm raised before it stopped is
cleared by the next one if it no longer holds.
"""

from stx.common import states
from stx.fm import client as fm_client

GROUP_ALARM = '400.001'
REDUNDANCY_ALARM = '400.002'
PATH_ALARM = '400.005'

_UNKNOWN = object()
_SEVERITY = {states.SG_STATUS_FAILED: states.SEVERITY_CRITICAL,
             states.SG_STATUS_DEGRADED: states.SEVERITY_MAJOR,
             states.SG_STATUS_WARN: states.SEVERITY_MINOR}


def set_or_clear(faults, alarm_id, entity_type, entity, severity=None,
                 reason=None):
    """Raise ``alarm_id`` on ``entity`` with ``severity`` and ``reason``
    through ``faults``; clear it when ``severity`` is None.
    """
    if severity is None:
        faults.clear_fault(alarm_id, entity)
    else:
        faults.set_fault(fm_client.Fault(
            alarm_id=alarm_id, alarm_state=fm_client.SET,
            entity_type_id=entity_type, entity_instance_id=entity,
            severity=severity, reason_text=fm_client.clip(reason)))


class Alarms:
    """Raises and clears this controller's alarms through ``faults``
    (``set_fault``, ``clear_fault``, as stx.fm.client.FaultAPIs), or
    nothing when it is None.
    """

    def __init__(self, node, domain, faults):
        self.node = node
        self.domain = domain
        self._faults = faults
        # What is raised; _UNKNOWN until the first look, which clears
        # what no longer holds.
        self._group = {}            # group name -> severity raised
        self._redundancy = {}       # group name -> raised
        self._paths = _UNKNOWN      # path names

    def group(self, group, failed):
        """400.001 as the group's status says; ``failed`` names its
        services failed past their budget.
        """
        name = group.spec.name
        wanted = _SEVERITY.get(group.status)
        if wanted == self._group.get(name, _UNKNOWN) or self._faults is None:
            return
        set_or_clear(self._faults, GROUP_ALARM, 'service_group',
                     'service_domain=%s.service_group=%s.host=%s' % (
                         self.domain, name, self.node), wanted,
                     'Service group %s %s on %s; failed: %s' % (
                         name, group.status, self.node, ', '.join(failed)))
        self._group[name] = wanted

    def redundancy(self, group, hello):
        """400.002 while the group active here has no standby to go to.

        Raised by the controller the group is active on; with one
        controller in a domain, a model that wants a standby always lacks
        it.

        :param hello: the peer's last hello while it counts, or None.
        """
        name = group.spec.name
        theirs = (hello or {}).get('groups', {}).get(name) or {}
        standby_there = bool(theirs.get('healthy')) and \
            (theirs.get('role') or states.SG_STANDBY) == states.SG_STANDBY
        wanted = (group.role == states.SG_ACTIVE and
                  group.spec.m_standby > 0 and not standby_there)
        if wanted == self._redundancy.get(name, _UNKNOWN) or \
                self._faults is None:
            return
        set_or_clear(self._faults, REDUNDANCY_ALARM, 'service_group',
                     'service_domain=%s.service_group=%s' % (
                         self.domain, name),
                     states.SEVERITY_MAJOR if wanted else None,
                     'Service group %s has no standby: it is active on %s '
                     'and %s' % (name, self.node,
                                 'the peer controller is not in contact'
                                 if hello is None else
                                 '%s cannot take it' % hello['node']))
        self._redundancy[name] = wanted

    def paths(self, paths, hello):
        """400.005 for each silent path while another one is alive.

        :param paths: the link's ``paths()``.
        :param hello: the peer's last hello, or None.
        """
        if self._faults is None:
            return
        alive = sorted(name for name, path in paths.items()
                       if path['alive'])
        silent = set(paths) - set(alive) if alive else set()
        if self._paths is _UNKNOWN:
            # At start: raise what holds, clear the rest.
            to_set, to_clear = silent, set(paths) - silent
        else:
            to_set, to_clear = silent - self._paths, self._paths - silent
        for name in sorted(to_set | to_clear):
            set_or_clear(self._faults, PATH_ALARM, 'host',
                         'host=%s.network=%s' % (self.node, name),
                         states.SEVERITY_MAJOR if name in to_set else None,
                         'Service management on %s hears nothing from %s '
                         'over the %s path; it still does over %s' % (
                             self.node, (hello or {}).get('node', 'its peer'),
                             name, ', '.join(alive)))
        self._paths = silent
