"""A controlled swact: the service groups one controller hands to its
peer.

The controller handing its groups over ranks them below its peer
(``PRIORITY`` in its hellos and in its own role assignment), so both
assign them to the peer; it holds them until its services have left the
active role, and the peer takes them once it no longer does. The swact of
a group is over when the peer has it *assigned* active (not its role: a
peer handing a group back holds it until its services have left the
active role), or when no peer is left to take it.
"""

import threading
import time

from stx.common import exception
from stx.common import states

# A controller handing its groups over ranks below its peer.
PRIORITY = -1
# Seconds between two looks at the peer's hello while a new swact waits
# for the last one to settle there.
_POLL = 0.05


class Swacts:
    """The groups a controller is handing to its peer (any thread).

    :param node: this controller's name.
    :param settle_time: seconds a new swact waits for the peer to stop
        handing the same groups here (a dead interval).
    """

    def __init__(self, node, settle_time):
        self.node = node
        self._settle_time = settle_time
        self._groups = frozenset()
        self._lock = threading.Lock()

    @property
    def groups(self):
        """The groups being handed over, as last noted."""
        return self._groups

    def start(self, active, hello, peer_hello):
        """Hand ``active`` (the groups active here) to the peer.

        :param hello: the peer's last hello, or None when it does not
            count.
        :param peer_hello: ``peer_hello()`` -> its latest hello, to wait
            for it to settle.
        :returns: the names of the groups handed over.
        :raises: Conflict saying why it cannot be done.
        """
        if hello is None:
            raise self._refused('its peer controller does not answer')
        under_way = sorted(self.under_way(hello))
        if under_way:
            raise self._refused('a swact of %s is in progress'
                                % ', '.join(under_way))
        if not active:
            raise self._refused('no service group is active there')
        hello = self._settled(active, hello, peer_hello)
        theirs = hello.get('groups', {})
        cannot = [name for name in active
                  if not theirs.get(name, {}).get('healthy')]
        if cannot:
            raise self._refused('%s cannot take %s' % (
                hello['node'], ', '.join(cannot)))
        with self._lock:
            self._groups = frozenset(active)
        return list(active)

    def under_way(self, hello):
        """The groups being handed to the peer, not yet assigned active
        there (``hello``: its last hello, or None).
        """
        theirs = (hello or {}).get('groups', {})
        with self._lock:
            over = {name for name in self._groups
                    if theirs.get(name, {}).get('assigned') ==
                    states.SG_ACTIVE}
            if over:
                self._groups = self._groups - over
            return self._groups

    def over(self, names):
        """The swact of ``names`` is over."""
        if names:
            with self._lock:
                self._groups = self._groups - set(names)

    def _settled(self, names, hello, peer_hello):
        """The peer's hello once it no longer hands ``names`` here.

        Right after a swact to this controller the peer may still say it
        hands them over, until its next hello: handing them back then
        would see both controllers handing the groups to each other.

        :raises: Conflict if the peer still says so after settle_time.
        """
        deadline = time.monotonic() + self._settle_time
        while True:
            theirs = (hello or {}).get('groups', {})
            handing = sorted(name for name in names if theirs.get(
                name, {}).get('priority', 0) == PRIORITY)
            if not handing:
                return hello
            if time.monotonic() >= deadline:
                raise self._refused('%s is still handing %s over; try '
                                    'again' % ((hello or {}).get('node'),
                                               ', '.join(handing)))
            time.sleep(_POLL)
            hello = peer_hello()

    def _refused(self, why):
        return exception.Conflict('Cannot swact from %s: %s.' % (self.node,
                                                                 why))
