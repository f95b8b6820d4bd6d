"""Client side of the stx-agent RPC API: what the conductor sends a host.

Every agent serves ``Target(topic=TOPIC, server=<its host's uuid>)``, so a
message reaches the one host it names. Messages are casts: the conductor
never waits for an agent, which may be down; an agent reports back with
the conductor's own methods (``iconfig_update_by_ihost``).
"""

import oslo_messaging as messaging

from stx.common import rpc
from stx.conf import CONF

TOPIC = 'stx-sysinv-agent'


class AgentAPI:
    """Sends work to one host's stx-agent.

    API version history:

    * 1.0 - Initial version: config_apply.
    """

    RPC_API_VERSION = '1.0'

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
