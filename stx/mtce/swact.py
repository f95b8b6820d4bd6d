"""Controlled swact: a controller hands its active service groups to its
peer (``stx host-swact``: sysinv → stx-mtce → stx-sm, as StarlingX).

sysinv checked the request (a controller, an unlocked-enabled peer to
take over). Here service management on the controller is asked to start
the swact, which it refuses at once with its reason (no peer in contact,
the peer cannot take a group, nothing active there); then, in an action
thread, the host's task shows "Swact: In-Progress" until the peer holds
every group active, as the controller's stx-sm sees it, and the event log
tells how it ended. A lock of the controller groups are active on is
refused here too: swact first.
"""

import time

from oslo_log import log as logging

from stx.common import exception
from stx.common import states
from stx.conf import CONF
from stx.mtce import faults as mtce_faults

LOG = logging.getLogger(__name__)

TASK_SWACTING = 'Swact: In-Progress'
# Seconds between two looks at the swact's progress.
POLL_INTERVAL = 0.1
# Seconds a lock waits to learn whether service groups are active on a
# controller.
LOCK_CHECK_TIMEOUT = 3
# Group states in which a controller holds a group active.
_HOLDING = (states.SG_ACTIVE, states.SG_GO_ACTIVE, states.SG_GO_STANDBY)


class Swacts:
    """Starts swacts and follows them to their end.

    :param conductor: a sysinv ConductorAPI (the host's task is stored
        there).
    :param faults: the HostFaults customer logs go through.
    :param sm: a stx.sm.rpcapi.SMAPI; the default one when None.
    """

    def __init__(self, conductor, faults, sm=None):
        self._conductor = conductor
        self._faults = faults
        self._sm = sm
        # Host uuid -> the groups its accepted swact hands over.
        self._groups = {}

    @property
    def sm(self):
        if self._sm is None:
            from stx.sm import rpcapi as sm_rpcapi
            self._sm = sm_rpcapi.SMAPI()
        return self._sm

    def start(self, context, host):
        """Have the controller's stx-sm start the swact.

        :returns: the names of the service groups it hands over.
        :raises: InvalidStateTransition with service management's reason.
        """
        name = host['hostname']
        try:
            groups = self.sm.swact(context, name)
        except exception.Conflict as error:
            raise exception.InvalidStateTransition(
                action='swact', target=name, reason=_reason(error),
                field='action') from None
        except exception.ServiceUnavailable:
            raise exception.InvalidStateTransition(
                action='swact', target=name, field='action',
                reason='service management (stx-sm) on %s does not answer'
                % name) from None
        self._groups[host['uuid']] = groups
        return groups

    def check_lock(self, context, host, hosts):
        """Refuse to lock the controller service groups are active on
        while another controller could take them: swact first, as
        StarlingX. A force-lock is not checked.

        Without another controller in service (simplex), or when the
        controller's stx-sm does not answer (no service management runs
        there), the lock goes on.

        :param hosts: every host (to find another controller in service).
        :raises: InvalidStateTransition naming the active groups.
        """
        name = host['hostname']
        if not any(other['uuid'] != host['uuid'] and
                   other['personality'] == states.CONTROLLER and
                   other['administrative'] == states.UNLOCKED and
                   other['operational'] == states.ENABLED
                   for other in hosts):
            return
        try:
            state = self.sm.get_state(context, node=name,
                                      timeout=LOCK_CHECK_TIMEOUT)
        except exception.ServiceUnavailable as error:
            LOG.warning('Lock of %(host)s: cannot tell whether service '
                        'groups are active there: %(error)s',
                        {'host': name, 'error': error.message})
            return
        active = sorted(group['name'] for group in state['service_groups']
                        if group['node'] == name and
                        group['state'] in _HOLDING)
        if active:
            raise exception.InvalidStateTransition(
                action=states.ACTION_LOCK, target=name, field='action',
                reason='%s active on it; swact to the other controller '
                'first (host-swact)' % ', '.join(active))

    def run(self, context, host):
        """Wait until the peer holds the groups ``start`` handed over
        active; store the outcome in the host's task and the event log.
        """
        groups = self._groups.pop(host['uuid'])
        name = host['hostname']
        started = time.monotonic()
        deadline = started + CONF.sm.swact_timeout
        left = groups
        while True:
            try:
                left, peer = self._left(context, name, groups)
            except exception.ServiceUnavailable as error:
                LOG.warning('Swact of %(host)s: %(error)s',
                            {'host': name, 'error': error})
                peer = None
            if not left:
                done = 'Swact of %s: %s active on %s after %.1f s' % (
                    name, ', '.join(groups), peer,
                    time.monotonic() - started)
                task = ''
                break
            if time.monotonic() >= deadline:
                done = ('Swact of %s failed: %s not active on the peer '
                        'controller within %d s' % (
                            name, ', '.join(left), CONF.sm.swact_timeout))
                task = mtce_faults.clip('Swact failed: %s not active on the '
                                        'peer' % ', '.join(left))
                break
            time.sleep(POLL_INTERVAL)
        LOG.info('%(done)s', {'done': done})
        self._conductor.update_host_state(context, host['uuid'],
                                          {'task': task})
        self._faults.log(mtce_faults.HOST_ACTION,
                         mtce_faults.host_entity(host), done)

    def _left(self, context, name, groups):
        """The groups not yet active on the peer of ``name``, and the peer.
        """
        state = self.sm.get_state(context, node=name)
        active = {(group['name'], group['node'])
                  for group in state['service_groups']
                  if group['state'] == states.SG_ACTIVE}
        peers = [node['name'] for node in state['nodes']
                 if node['name'] != name]
        peer = peers[0] if peers else None
        return [group for group in groups
                if (group, peer) not in active or
                (group, name) in active], peer


def _reason(error):
    """Service management's reason, without its "Cannot swact from X:".

    The message, not str(): a remote exception's str() ends with the
    remote traceback.
    """
    text = getattr(error, 'message', None) or str(error)
    head, sep, tail = text.partition(': ')
    return tail.rstrip('.') if sep and head.startswith('Cannot swact') \
        else text
