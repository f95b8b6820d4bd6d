"""The service domain as one controller's stx-sm describes it.

What ``stx.sm.rpcapi.SMAPI.get_state`` answers and the sm API shows: this
controller's node, groups and services as its engine has them, and its
peer's as the peer's last hello told. A peer out of contact is shown with
its groups and services in state ``unknown``. With a peer, this
controller's node also has ``paths`` (each path to the peer: alive, and
for how many seconds silent), ``failover`` (the state the peer is in for
it, stx.sm.failover), ``decisions`` (the last failover decisions with
their reasons) and ``reachability`` (the hosts it reaches, its health
score: reached, total, unreached; None without hosts to reach,
stx.sm.reach).
"""

from stx.common import states

AVAILABILITY_UNKNOWN = 'unknown'
# The state a service is driven to for each role of its group.
_SERVICE_TARGET = {states.SG_ACTIVE: states.SVC_ENABLED_ACTIVE,
                   states.SG_STANDBY: states.SVC_ENABLED_STANDBY,
                   states.SG_DISABLED: states.SVC_DISABLED}


def describe(engine):
    """The domain as ``engine`` (a stx.sm.manager.ServiceManager) sees it.
    """
    described = {'node': engine.node, 'domain': engine.model.domain.name,
                 'nodes': [], 'service_groups': [], 'services': []}
    _node(described, engine.model, engine.node, engine.hello(), True)
    peer = engine.peer
    if peer is None:
        return described
    score = engine.failover.score()
    described['nodes'][0].update(
        reachability=None if score is None else score._asdict(),
        failover=engine.failover.state,
        decisions=list(engine.failover.decisions),
        paths=[{'name': name, 'alive': path['alive'],
                'silent_for': None if path['silent_for'] is None else
                round(path['silent_for'], 1)}
               for name, path in sorted(peer.paths().items())])
    theirs = peer.peer_hello()
    if theirs is not None:
        _node(described, engine.model, theirs['node'], theirs,
              peer.alive())
    return described


def _node(described, model, node, hello, in_contact):
    """Add ``node`` as its ``hello`` tells it."""
    ready = in_contact and hello.get('decided', True)
    described['nodes'].append({
        'name': node, 'administrative': states.UNLOCKED,
        'operational': states.ENABLED if in_contact else states.DISABLED,
        'availability': states.AVAILABLE if in_contact else
        AVAILABILITY_UNKNOWN,
        'ready_state': states.ENABLED if ready else states.DISABLED})
    roles = {}
    for name, group in sorted(hello['groups'].items()):
        role = group['role'] or states.SG_INITIAL
        roles[name] = role
        failed = sorted(
            service for service, (_state, status, _cond) in
            hello['services'].items()
            if status == states.SG_STATUS_FAILED and
            model.group_of(service).name == name)
        described['service_groups'].append({
            'name': name, 'node': node,
            'state': group['state'] if in_contact else states.SG_UNKNOWN,
            'desired_state': role, 'status': group['status'],
            'condition': 'failed: %s' % ', '.join(failed) if failed else ''})
    for name, (state, status, condition) in sorted(
            hello['services'].items()):
        group = model.group_of(name).name
        described['services'].append({
            'name': name, 'node': node, 'service_group': group,
            'state': state if in_contact else states.SVC_UNKNOWN,
            'desired_state': _SERVICE_TARGET.get(roles.get(group),
                                                 states.SVC_INITIAL),
            'status': status, 'condition': condition})
