"""The HA model interface: who is active and who is standby in a group.

A redundancy model (1+1, N+M, N, ...) decides, from the members of a service
group and their health, which members run the group's services (active),
which are ready to take over (standby) and which are out (disabled). The
service manager applies the result; a model only decides, and the same input
always gives the same answer.

``members`` is a list of dicts, in the group's preference order::

    {'name': 'controller-0',    # unique in the group
     'healthy': True,
     'current_role': 'active',  # one of ROLES, or None if never assigned
     'priority': 0}             # optional; higher is preferred
"""

import abc

from stx.common import exception
from stx.common import states

# Roles assign() gives; the names are the service group states.
ROLE_ACTIVE = states.SG_ACTIVE
ROLE_STANDBY = states.SG_STANDBY
ROLE_DISABLED = states.SG_DISABLED
ROLES = (ROLE_ACTIVE, ROLE_STANDBY, ROLE_DISABLED)


def check_members(members):
    """Refuse malformed members (see the module docstring); returns them.

    :raises: MissingParameterValue if a member has no name.
    :raises: InvalidParameterValue naming the field otherwise.
    """
    if not isinstance(members, (list, tuple)):
        raise exception.InvalidParameterValue(
            field='members', reason='expected a list, got %s'
            % type(members).__name__)
    seen = set()
    for member in members:
        name = member.get('name') if isinstance(member, dict) else None
        if not name:
            raise exception.MissingParameterValue(
                field='members.name', reason='every member needs one')
        if name in seen:
            raise exception.InvalidParameterValue(
                field='members.name', reason='%s appears twice' % name)
        seen.add(name)
        role = member.get('current_role')
        if role is not None and role not in ROLES:
            raise exception.InvalidParameterValue(
                field='members.current_role', reason='%s: %r is not one of '
                '%s' % (name, role, ', '.join(ROLES)))
        priority = member.get('priority', 0)
        if isinstance(priority, bool) or not isinstance(priority, int):
            raise exception.InvalidParameterValue(
                field='members.priority', reason='%s: must be an integer, '
                'not %r' % (name, priority))
    return members


class HAModel(abc.ABC):
    """Assign active, standby and disabled roles to a group's members."""

    @abc.abstractmethod
    def get_properties(self):
        """Describe the group_config keys the model uses.

        :returns: a dict of key name to a description that says whether it
            is required.
        """

    @abc.abstractmethod
    def validate(self, group_config):
        """Check that the model can run a group configured like this.

        Fast and without I/O.

        :param group_config: the service group's model settings (e.g. the
            number of active and standby members).
        :raises: MissingParameterValue if a required key is absent.
        :raises: InvalidParameterValue if a value cannot be used.
        """

    @abc.abstractmethod
    def assign(self, members, group_config=None):
        """Decide each member's role.

        :param members: the group's members (see the module docstring).
        :param group_config: the service group's model settings, as
            ``validate`` accepts them; None for none.
        :returns: a dict of member name to one of ``ROLES``, with an entry
            for every member; an unhealthy member is never active.
        :raises: MissingParameterValue if a member has no name.
        :raises: InvalidParameterValue if members is otherwise malformed
            (e.g. two members share a name).
        """
