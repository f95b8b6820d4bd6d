"""Client side of the stx-sm RPC API: what the sm API and maintenance ask
of service management.

Every stx-sm listens on topic ``stx-sm`` twice: shared (any controller's
stx-sm answers) and as its node (``server`` = the controller's name).
Each knows its own services and, from its peer's hellos, the peer's, so
either can describe the whole domain.
"""

import oslo_messaging as messaging

from stx.common import rpc
from stx.conf import CONF

TOPIC = 'stx-sm'


class SMAPI:
    """Calls stx-sm. Arguments and results are plain dicts and lists.

    API version history:

    * 1.0 - Initial version: get_state, swact.
    """

    RPC_API_VERSION = '1.0'

    def __init__(self, timeout=None, topic=TOPIC):
        target = messaging.Target(topic=topic, version='1.0')
        self.client = rpc.get_client(
            target, version_cap=CONF.upgrade_levels.sm,
            timeout=timeout or CONF.sm.rpc_timeout)

    def get_state(self, context, node=None, timeout=None):
        """The service domain as one controller's stx-sm sees it.

        :param node: the controller to ask; None: any.
        :param timeout: seconds to wait; default ``[sm] rpc_timeout``.
        :returns: a dict: ``node`` (who answered), ``domain``, and lists
            ``nodes`` (name, administrative, operational, availability,
            ready_state; the answering node's also ``paths`` to its peer:
            name, alive, silent_for), ``service_groups`` (name, node,
            state, desired_state, status, condition) and ``services``
            (name, node, service_group, state, desired_state, status,
            condition), one entry per controller heard from.
        :raises: ServiceUnavailable when no stx-sm answers in time.
        """
        client = self.client if node is None else \
            self.client.prepare(server=node)
        if timeout is not None:
            client = client.prepare(timeout=timeout)
        return rpc.call(client, context, 'get_state', 'stx-sm')

    def swact(self, context, node):
        """Start moving every service group active on ``node`` to its
        peer; returns once ``node`` accepted it (``get_state`` tells when
        the peer holds them active).

        :returns: the names of the groups handed over.
        :raises: Conflict saying why the swact cannot be done (no peer in
            contact, the peer cannot take a group, nothing is active on
            ``node``, a swact under way); ServiceUnavailable when
            ``node``'s stx-sm does not answer.
        """
        return rpc.call(self.client.prepare(server=node), context, 'swact',
                        'stx-sm on %s' % node)
