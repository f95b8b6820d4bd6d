"""Client side of the stx-agent RPC API: what the conductor sends a host.

Every agent serves ``Target(topic=TOPIC, server=<its host's uuid>)``, so a
message reaches the one host it names. Messages are casts: the conductor
never waits for an agent, which may be down; an agent reports back with
the conductor's own methods (``iconfig_update_by_ihost``). The one call,
``get_status``, is host maintenance's, with a short timeout: it tells
whether the agent answers, and since when it runs.
"""

import oslo_messaging as messaging

from stx.common import rpc
from stx.conf import CONF

TOPIC = 'stx-sysinv-agent'


class AgentAPI:
    """Sends work to one host's stx-agent.

    API version history:

    * 1.0 - Initial version: config_apply.
    * 1.1 - Host maintenance: get_status (a call), host_action.
    * 1.2 - enable_checks: host maintenance asks for a goenabled report.
    """

    RPC_API_VERSION = '1.2'

    def __init__(self, topic=TOPIC):
        target = messaging.Target(topic=topic, version='1.0')
        self.client = rpc.get_client(
            target, version_cap=CONF.upgrade_levels.sysinv_agent)

    def config_apply(self, context, host_uuid, config):
        """Have the agent of host ``host_uuid`` apply ``config`` (cast).

        :param config: the rendered configuration
            (stx.sysinv.conductor.config.render_host_config).
        :raises: MessagingException when the message cannot be sent
            (never because the agent is down).
        """
        self.client.prepare(server=host_uuid, version='1.0').cast(
            context, 'config_apply', host_uuid=host_uuid, config=config)

    def get_status(self, context, host_uuid, timeout):
        """Ask the agent of host ``host_uuid`` whether it runs, and since
        when.

        :param timeout: seconds to wait for the answer.
        :returns: ``{'host_uuid', 'hostname', 'started_at' (ISO 8601 text,
            new at each agent start), 'boot_id' (the kernel's, new at each
            boot; None if unknown)}``.
        :raises: ServiceUnavailable when the agent does not answer in time.
        """
        client = self.client.prepare(server=host_uuid, version='1.1',
                                     timeout=timeout)
        return rpc.call(client, context, 'get_status',
                        'the agent of host %s' % host_uuid, version='1.1')

    def host_action(self, context, host_uuid, action):
        """Have the agent of host ``host_uuid`` reboot or shut its host
        down with its host action driver (cast).

        :param action: 'reboot' or 'shutdown'.
        """
        self.client.prepare(server=host_uuid, version='1.1').cast(
            context, 'host_action', host_uuid=host_uuid, action=action)

    def enable_checks(self, context, host_uuid):
        """Have the agent of host ``host_uuid`` run its enable tests and
        report them to host maintenance (``MtceAPI.goenabled``; cast).
        """
        self.client.prepare(server=host_uuid, version='1.2').cast(
            context, 'enable_checks', host_uuid=host_uuid)
