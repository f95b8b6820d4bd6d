"""Client side of the stx-mtce RPC API: what sysinv asks of maintenance."""

import oslo_messaging as messaging

from stx.common import exception
from stx.common import rpc
from stx.conf import CONF

TOPIC = 'stx-mtce'


class MtceAPI:
    """Hands host actions and host changes to stx-mtce.

    API version history:

    * 1.0 - Initial version: host_action, host_modified.
    * 1.1 - goenabled: an agent reports its enable tests.
    * 1.2 - host_conditions: an agent reports what its process and
      resource monitors find wrong.
    """

    RPC_API_VERSION = '1.2'

    def __init__(self, timeout=None, topic=TOPIC):
        target = messaging.Target(topic=topic, version='1.0')
        self.client = rpc.get_client(
            target, version_cap=CONF.upgrade_levels.mtce,
            timeout=timeout or CONF.mtce.rpc_timeout)

    def host_action(self, context, host_uuid, action):
        """Have maintenance carry out an action the API has checked.

        Returns once maintenance has accepted it; the action goes on and
        the host's task shows its progress.

        :raises: MaintenanceUnavailable when no stx-mtce answers; the
            exceptions maintenance refuses the action with
            (InvalidStateTransition, HostActionInProgress, ...).
        """
        try:
            return rpc.call(self.client, context, 'host_action', 'stx-mtce',
                            host_uuid=host_uuid, action=action)
        except exception.ServiceUnavailable:
            raise exception.MaintenanceUnavailable(action=action,
                                                   field='action')

    def host_modified(self, context, host_uuid):
        """Tell maintenance a host's BMC fields changed (cast)."""
        self.client.prepare(version='1.0').cast(
            context, 'host_modified', host_uuid=host_uuid)

    def goenabled(self, context, host_uuid, started_at, passed, reasons):
        """Report a host's enable tests, from its agent (cast).

        :param started_at: when the reporting agent started (its status'
            ``started_at``), so maintenance knows which boot passed.
        :param passed: whether every test passed.
        :param reasons: what failed, one sentence each.
        """
        self.client.prepare(version='1.1').cast(
            context, 'goenabled', host_uuid=host_uuid, started_at=started_at,
            passed=passed, reasons=list(reasons))

    def host_conditions(self, context, host_uuid, started_at, source,
                        conditions):
        """Report what one of a host's monitors finds wrong (cast).

        Each report carries the monitor's whole current set, so a report
        that is lost, or a maintenance restart, is made good by the next
        one; an empty set clears what the monitor reported before.

        :param started_at: when the reporting agent started.
        :param source: ``process`` (pmon) or ``resource`` (rmon).
        :param conditions: a list of dicts: ``key`` (a process name;
            ``cpu``, ``memory`` or ``filesystem=<mount point>``),
            ``severity`` (critical, major or minor) and ``reason`` (one
            sentence saying what was seen).
        """
        self.client.prepare(version='1.2').cast(
            context, 'host_conditions', host_uuid=host_uuid,
            started_at=started_at, source=source,
            conditions=list(conditions))
