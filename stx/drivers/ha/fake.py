"""FakeHAModel: the simplest predictable redundancy model, for tests.

The first healthy member (in the order given) is active, the other healthy
members are standby, unhealthy members are disabled.
"""

from stx.common import exception
from stx.drivers.ha import base


class FakeHAModel(base.HAModel):
    """One active member, every other healthy member standby."""

    def get_properties(self):
        """See :meth:`HAModel.get_properties`: nothing to configure."""
        return {}

    def validate(self, group_config):
        """See :meth:`HAModel.validate`: accepts any dict."""
        if not isinstance(group_config, dict):
            raise exception.InvalidParameterValue(
                field='group_config', reason='expected a dict, got %s'
                % type(group_config).__name__)

    def assign(self, members, group_config=None):
        """See :meth:`HAModel.assign`; ``group_config`` is ignored."""
        roles = {}
        active_given = False
        for member in members:
            name = member.get('name') if isinstance(member, dict) else None
            if not name:
                raise exception.MissingParameterValue(
                    field='members.name', reason='every member needs one')
            if name in roles:
                raise exception.InvalidParameterValue(
                    field='members.name', reason='%s appears twice' % name)
            if not member.get('healthy'):
                roles[name] = base.ROLE_DISABLED
            elif not active_given:
                roles[name] = base.ROLE_ACTIVE
                active_given = True
            else:
                roles[name] = base.ROLE_STANDBY
        return roles
