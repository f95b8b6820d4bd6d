"""/v1/servicenode: a controller as host maintenance sees it, and swact.

``GET /v1/servicenode/<hostname>`` answers what mtce and sysinv ask before
a swact or a lock: the node's states and whether it has active and
swactable services. ``PATCH`` takes StarlingX's node command::

    {"origin": "mtce", "action": "swact", "admin": "unlocked",
     "oper": "enabled", "avail": "available"}

Of StarlingX's actions (swact, swact-force, lock, unlock, event and the
pre-checks) only ``swact`` is served: stx-mtce tells stx-sm about locks
over RPC. A swact answers once the node's stx-sm has accepted it, as
StarlingX's does: the groups' states tell when the peer holds them. A
refusal is a 409 saying why. ``GET /v1/servicenode`` (every node) is
stx-flock's; StarlingX has no list here.
"""

from oslo_log import log as logging
import pecan
from pecan import rest
import wsme.types as wtypes

from stx.api import expose
from stx.common import exception
from stx.common import states
from stx.sm.api.controllers.v1 import formats

LOG = logging.getLogger(__name__)

ACTIONS = (states.ACTION_SWACT,)
# The error_code of StarlingX's command result when the command was done.
_SUCCESS = '0'


class ServiceNodeCommand(wtypes.Base):
    """StarlingX's servicenode PATCH body; admin/oper/avail are what the
    sender believes the node's states are, and only echoed back.
    """

    origin = wtypes.text
    action = wtypes.text
    admin = wtypes.text
    oper = wtypes.text
    avail = wtypes.text


def _all(context, ident=None):
    rpcapi = pecan.request.rpcapi
    return formats.service_nodes(
        rpcapi.get_state(context) if ident is None else
        formats.state_of(rpcapi, context, ident))


def _check_action(command):
    """:raises: MissingParameterValue, InvalidParameterValue (``action``)"""
    action = command.get('action')
    if not action:
        raise exception.MissingParameterValue(
            field='action', reason='one of %s' % ', '.join(ACTIONS))
    if action not in ACTIONS:
        raise exception.InvalidParameterValue(
            field='action', reason="'%s' is not supported; supported: %s"
            % (action, ', '.join(ACTIONS)))


class ServiceNodeController(rest.RestController):

    @expose.expose()
    def get_all(self):
        return {'servicenode': _all(pecan.request.context)}

    @expose.expose()
    def get_one(self, ident):
        """One node, by hostname, id or uuid (as it describes itself,
        when it answers); a bare object.
        """
        return formats.find(_all(pecan.request.context, ident), ident,
                            formats.SERVICE_NODE)

    @expose.expose()
    def patch(self, ident):
        """Swact ``ident``: move its active service groups to its peer.

        Answers StarlingX's command result, plus ``service_groups``: the
        groups moved.
        """
        command = expose.parse_body(ServiceNodeCommand,
                                    expose.request_json())
        _check_action(command)
        context = pecan.request.context
        node = formats.find(_all(context), ident, formats.SERVICE_NODE)
        hostname = node['hostname']
        moved = pecan.request.rpcapi.swact(context, hostname)
        LOG.info('Swact of %(node)s (asked by %(origin)s) accepted: '
                 '%(groups)s',
                 {'node': hostname, 'origin': command.get('origin'),
                  'groups': ', '.join(moved)})
        return {'origin': formats.ORIGIN, 'hostname': hostname,
                'action': command['action'], 'admin': node['admin'],
                'oper': node['oper'], 'avail': node['avail'],
                'error_code': _SUCCESS, 'service_groups': moved}
