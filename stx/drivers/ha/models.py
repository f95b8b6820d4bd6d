"""The redundancy models of StarlingX's service groups: 1+1, N+M and N.

Each is a pure function of the group's members and settings (see
stx.drivers.ha.base): no I/O, and the same input always gives the same
answer. They share one rule, applied to the healthy members:

1. Members active now stay active, up to the model's number of actives:
   nothing moves that does not have to.
2. Free active places go first to members standby now (warm: their
   go-active only flips a role), then to the other healthy members.
3. Standby places go the same way: standby members stay, then the others.

"Then the others" is in preference order: higher ``priority`` first, then
the order the members were given in. Whoever is left, and every unhealthy
member, is disabled.
"""

from stx.common import exception
from stx.drivers.ha import base

N_ACTIVE = 'n_active'
M_STANDBY = 'm_standby'


def _count(group_config, key, minimum, model, default=None):
    """``group_config[key]``, an int >= ``minimum``; ``default`` if absent
    (None: required by ``model``).
    """
    value = group_config.get(key, default)
    if value is None:
        raise exception.MissingParameterValue(
            field='group_config.%s' % key,
            reason='is required by the %s model' % model)
    if isinstance(value, bool) or not isinstance(value, int) or \
            value < minimum:
        raise exception.InvalidParameterValue(
            field='group_config.%s' % key,
            reason='must be an integer >= %d, got %r' % (minimum, value))
    return value


def _config(group_config):
    if group_config is None:
        return {}
    if not isinstance(group_config, dict):
        raise exception.InvalidParameterValue(
            field='group_config', reason='expected a dict, got %s'
            % type(group_config).__name__)
    return group_config


def assign_roles(members, n_active, m_standby):
    """The shared rule (module docstring): name -> role.

    :param members: members base.check_members accepts, in the order
        given.
    """
    order = {member['name']: index for index, member in enumerate(members)}
    healthy = sorted((member for member in members if member.get('healthy')),
                     key=lambda member: (-member.get('priority', 0),
                                         order[member['name']]))
    roles = {member['name']: base.ROLE_DISABLED for member in members}

    def fill(role, places):
        free = [member for member in healthy
                if roles[member['name']] == base.ROLE_DISABLED]
        # Those in the role now, then warm standbys, then the others; a
        # stable sort keeps the preference order within each.
        free.sort(key=lambda member: (
            member.get('current_role') != role,
            member.get('current_role') != base.ROLE_STANDBY))
        for member in free[:places]:
            roles[member['name']] = role

    fill(base.ROLE_ACTIVE, n_active)
    fill(base.ROLE_STANDBY, m_standby)
    return roles


class _Model(base.HAModel):
    """A model with ``n_active`` actives and ``m_standby`` standbys."""

    def get_properties(self):
        raise NotImplementedError()

    def validate(self, group_config):
        self.places(group_config)

    def assign(self, members, group_config=None):
        """See :meth:`HAModel.assign`."""
        n_active, m_standby = self.places(group_config)
        return assign_roles(base.check_members(members), n_active, m_standby)

    def places(self, group_config):
        """How many actives and standbys a group configured so has.

        :returns: (n_active, m_standby).
        :raises: as ``validate``.
        """
        return self._places(_config(group_config))

    def _places(self, group_config):
        raise NotImplementedError()


class OnePlusOne(_Model):
    """1+1: one active member and one standby, as StarlingX's controller
    groups.
    """

    def get_properties(self):
        return {N_ACTIVE: 'Optional; must be 1.',
                M_STANDBY: 'Optional; must be 1.'}

    def _places(self, group_config):
        for key in (N_ACTIVE, M_STANDBY):
            value = group_config.get(key, 1)
            if isinstance(value, bool) or value != 1:
                raise exception.InvalidParameterValue(
                    field='group_config.%s' % key,
                    reason='must be 1 or left out for the 1+1 model, got '
                    '%r' % (value,))
        return 1, 1


class NPlusM(_Model):
    """N+M: ``n_active`` actives and ``m_standby`` standbys."""

    def get_properties(self):
        return {N_ACTIVE: 'Required; how many members are active (>= 1).',
                M_STANDBY: 'Required; how many members are standby (>= 0).'}

    def _places(self, group_config):
        return (_count(group_config, N_ACTIVE, 1, 'N+M'),
                _count(group_config, M_STANDBY, 0, 'N+M'))


class NActive(_Model):
    """N: up to ``n_active`` actives and no standby."""

    def get_properties(self):
        return {N_ACTIVE: 'Required; how many members are active (>= 1).',
                M_STANDBY: 'Optional; must be 0.'}

    def _places(self, group_config):
        if group_config.get(M_STANDBY, 0) != 0:
            raise exception.InvalidParameterValue(
                field='group_config.%s' % M_STANDBY,
                reason='must be 0 or left out: the N model has no standby')
        return _count(group_config, N_ACTIVE, 1, 'N'), 0


#: The built-in models by name, as their entry points name them.
BUILT_IN = {'1+1': OnePlusOne, 'N+M': NPlusM, 'N': NActive}
