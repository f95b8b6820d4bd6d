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
        for member in base.check_members(members):
            if not member.get('healthy'):
                roles[member['name']] = base.ROLE_DISABLED
            elif base.ROLE_ACTIVE not in roles.values():
                roles[member['name']] = base.ROLE_ACTIVE
            else:
                roles[member['name']] = base.ROLE_STANDBY
        return roles
