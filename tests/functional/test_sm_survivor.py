"""Which controller survives when the two no longer hear each other.

stx-aio on RabbitMQ without its own service management manages three
unlocked workers, each a real stx-agent answering heartbeat. Each
controller's stx-sm (test_sm's small model, fenced through stx-bmc-sim)
pulses those workers itself, through UDP relays of its own the test can
cut, and counts the workers that answer: its health score. With every
path between the two stx-sm cut, they compare scores over RPC:

1. equal scores: the active keeps its group, the standby yields, nobody
   is powered off;
2. the active reaches no worker: it gives its group up (isolated), the
   standby takes it (fencing the active if it still held it when asked;
   both decide at once, so either may happen, and a second case makes
   controller-1 decide later: not fenced, and controller-0 stays standby
   as it checks again);
3. the standby reaches no worker: it stays standby (isolated), the active
   keeps its group, nobody is powered off.
"""

from concurrent import futures
import os
import re
import socket
import time

import pytest

from tests.functional import base
from tests.functional import network
from tests.functional import test_heartbeat
from tests.functional import test_mtce
from tests.functional import test_sm

WAIT = 30
NODES = test_sm.NODES
PATHS = ('management', 'cluster_host', 'oam')
WORKERS = ('worker-1', 'worker-2', 'worker-3')
# Added to test_heartbeat.HOSTS while the deployment runs.
WORKER_3 = ('52:54:00:7e:00:03', '127.0.0.51', '127.0.0.52')
# servicenode-show's reachability, as programs get it.
ALL = {'reached': 3, 'total': 3, 'unreached': []}
NONE = {'reached': 0, 'total': 3, 'unreached': list(WORKERS)}


class Site:
    """The deployment with its unlocked workers, and stx-sm-api."""

    def __init__(self, runner, tmp_path, rabbit_url):
        self.deployment = test_heartbeat.Deployment(
            runner, tmp_path, rabbit_url, DEFAULT={'skip_services': 'sm'})
        self.rabbit_url = rabbit_url
        started = time.monotonic()
        for name in WORKERS:
            self.deployment.add_worker(name)
        # Unlocked together: each reboots (its agent restarts), is tested
        # and soaked at the same time as the others.
        with futures.ThreadPoolExecutor(len(WORKERS)) as executor:
            for unlocked in [executor.submit(
                    self.deployment.cli.ok, 'host-unlock', name, '--wait',
                    '--timeout', str(test_heartbeat.WAIT))
                    for name in WORKERS]:
                unlocked.result()
        print('3 workers added and unlocked in %.1f s'
              % (time.monotonic() - started))
        for name in WORKERS:
            assert self.deployment.states(name) == test_heartbeat.IN_SERVICE
        config = base.write_config(str(tmp_path / 'sm-api.conf'), {
            'DEFAULT': {'transport_url': rabbit_url,
                        'control_exchange': self.deployment.exchange,
                        'state_path': str(tmp_path / 'sm-api')}})
        self.api = runner.start('stx-sm-api', '--config-file', config,
                                '--port', '0')
        url = self.api.wait_for_output(r'stx-sm-api ready: URL=(\S+)')
        self.cli = base.CLI('--stx-url', self.deployment.url, '--sm-url',
                            url.group(1))

    def reachability(self, node):
        return self.cli.json('servicenode-show', node)['reachability']

    def close(self):
        try:
            assert self.api.stop() == 0, self.api.describe()
        finally:
            self.deployment.close()


@pytest.fixture(scope='module')
def site(tmp_path_factory, rabbit_url):
    tmp_path = tmp_path_factory.mktemp('site')
    runner = base.ProcessRunner(str(tmp_path))
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(test_heartbeat.HOSTS, 'worker-3', WORKER_3)
        site = None
        try:
            site = Site(runner, tmp_path, rabbit_url)
            yield site
        finally:
            try:
                if site is not None:
                    site.close()
            finally:
                runner.cleanup()


def _relays(port, ends):
    """A UdpRelay ``(ip, port)`` -> ``(ip, real port)`` per ``(ip, real
    port)`` of ``ends``; None when ``port`` is taken on one of the ips.
    """
    relays = []
    try:
        for ip, real in ends:
            relays.append(network.UdpRelay((ip, port), (ip, real)))
    except OSError:
        for relay in relays:
            relay.close()
        return None
    return relays


class HostRelays:
    """Each controller pulses the workers through relays of its own, on
    ports of its own (its ``[heartbeat] mgmt_port`` and
    ``cluster_host_port``), in front of the workers' responders: cut, that
    controller reaches no worker while the other still does.
    """

    def __init__(self, deployment):
        real = {'mgmt_port': [], 'cluster_host_port': []}
        for name in WORKERS:
            _mac, mgmt_ip, cluster_ip = test_heartbeat.HOSTS[name]
            real['mgmt_port'].append((mgmt_ip, deployment.mgmt_port))
            # worker-2 answers cluster-host pulses behind the deployment's
            # own (single client) relay: past it.
            real['cluster_host_port'].append((cluster_ip, (
                deployment.relayed_port if name == 'worker-2'
                else deployment.cluster_port)))
        self.key_file = '%s/keys/heartbeat.key' % deployment.state
        self.ports = {node: {} for node in NODES}
        self.relays = {node: [] for node in NODES}
        for node in NODES:
            for option, ends in real.items():
                relays = None
                while relays is None:
                    port = base.free_port(socket.SOCK_DGRAM)
                    relays = _relays(port, ends)
                self.ports[node][option] = port
                self.relays[node] += relays

    def sections(self, node):
        """``node``'s stx-sm options: pulse the workers through its
        relays, read them from sysinv every second.
        """
        return {'heartbeat': dict(self.ports[node], key_file=self.key_file,
                                  monitor_address='127.0.0.1'),
                'sm': {'hosts_refresh_interval': 1}}

    def cut(self, node):
        for relay in self.relays[node]:
            relay.cut()

    def close(self):
        for relays in self.relays.values():
            for relay in relays:
                relay.close()


class Pair:
    """A fresh stx-sm pair on the site: its peer paths through Relays,
    each fenced through stx-bmc-sim, each pulsing the workers through
    HostRelays.
    """

    def __init__(self, runner, tmp_path, site, model=test_sm.fenced_model):
        self.site = site
        self.tmp_path = tmp_path
        self.hosts = HostRelays(site.deployment)
        self.paths = test_sm.Relays(tmp_path, PATHS)
        self.fenced = None
        try:
            self.fenced = test_sm.Fenced(
                runner, tmp_path, site.rabbit_url, test_mtce.PASSWORD,
                relays=self.paths, exchange=site.deployment.exchange,
                sections={node: self.hosts.sections(node)
                          for node in NODES}, model=model)
        except BaseException:
            self.close()
            raise
        self.one, self.two = self.fenced.pair

    def log(self, node):
        return (self.one if node == NODES[0] else self.two).process.stderr()

    def wait_logged(self, node, text, timeout=WAIT):
        base.wait('%s logging %r' % (node, text),
                  lambda: text in self.log(node), timeout)

    def wait_reachability(self, node, text):
        seen = []

        def reached():
            seen.append(self.site.reachability(node))
            return seen[-1] == text
        try:
            base.wait('%s reaching %s' % (node, text), reached, WAIT,
                      interval=0.2)
        except AssertionError as error:
            raise AssertionError('%s; it showed %s' % (
                error, seen[-5:])) from None

    def start(self):
        """Active and standby, each reaching every worker."""
        started = time.monotonic()
        test_sm.wait_active_standby(self.one, self.two)
        for node in NODES:
            self.wait_logged(node, 'Pulsing 3 hosts (from sysinv) for the '
                             'health score')
            self.wait_reachability(node, ALL)
        print('pair active/standby, both reaching 3 of 3, in %.1f s'
              % (time.monotonic() - started))

    def cut_paths(self):
        self.paths.cut(*PATHS)
        return time.monotonic()

    def check_one_active(self):
        test_sm.check_one_active(test_sm.history(self.tmp_path) +
                                 self.fenced.power_offs())

    def check_unmoved(self):
        """controller-0 still active, controller-1 standby, nobody
        powered off, a while after a decision.
        """
        time.sleep(2)
        assert self.one.active() and self.two.standby()
        assert self.fenced.power_offs() == []
        for node in NODES:
            assert self.fenced.powered(node) == [], node
        self.check_one_active()

    def close(self):
        if self.fenced is not None:
            self.fenced.close()
        self.paths.close()
        self.hosts.close()


@pytest.fixture
def new_pair(runner, tmp_path, site):
    """``new_pair(model=test_sm.fenced_model)`` -> a Pair, closed at the
    end.
    """
    made = []

    def make(**kwargs):
        made.append(Pair(runner, tmp_path, site, **kwargs))
        return made[-1]
    try:
        yield make
    finally:
        for each in made:
            each.close()


def controller_1_slower(markers):
    """test_sm's fenced model, controller-1 fail-pending 1.2 s longer:
    controller-0 decides first.
    """
    model = test_sm.fenced_model(markers)
    if os.path.basename(os.path.dirname(markers)) == 'controller-1':
        model['domain']['fail_pending_ms'] += 1200
    return model


def _failover(node):
    return 'Peer failover on %s: ' % node


def test_equal_scores_the_active_keeps_its_group(new_pair):
    pair = new_pair()
    pair.start()
    # As people read it.
    shown = pair.site.cli.ok('servicenode-show', 'controller-0')
    assert re.search(r'^\| reachability +\| 3 of 3 hosts +\|$', shown,
                     re.MULTILINE), shown
    cut = pair.cut_paths()
    pair.wait_logged('controller-1', _failover('controller-1') +
                     'yielded: controller-0 is the survivor: this controller '
                     'reaches 3 of 3 hosts; controller-0 reaches 3 of 3 '
                     'hosts (it says over RPC); no service group is active '
                     'here')
    pair.wait_logged('controller-0', _failover('controller-0') +
                     'failed: controller-1 held no service group active: '
                     'no fence needed; this controller reaches 3 of 3 '
                     'hosts; controller-1 reaches 3 of 3 hosts (it says '
                     'over RPC)')
    print('equal scores: decided %.1f s after the cut'
          % (time.monotonic() - cut))
    pair.check_unmoved()


ISOLATED = 'isolated: this controller may be the one cut off: this ' \
    'controller reaches 0 of 3 hosts; no service group is active here, ' \
    'checked again in 1 s'


def _roles(log):
    """The failover decisions and role changes in a stx-sm log."""
    return '\n'.join(line for line in log.splitlines()
                     if 'Peer failover' in line or 'Service group' in line)


def _cut_off_active(pair, may_fence=True):
    """controller-0 (active) reaches no host, then every path is cut:
    controller-1 takes the group, fencing controller-0 only if
    ``may_fence``.
    """
    pair.start()
    pair.hosts.cut('controller-0')
    pair.wait_reachability('controller-0', NONE)
    assert pair.site.reachability('controller-1') == ALL
    cut = pair.cut_paths()
    base.wait('the group active on controller-1', pair.two.active, WAIT)
    print('active cut off: group on controller-1 %.1f s after the cut'
          % (time.monotonic() - cut))
    log = pair.log('controller-1')
    fenced = _failover('controller-1') + 'failed: controller-0 fenced: ' \
        'BMC 127.0.0.1 confirms the power off; this controller reaches 3 ' \
        'of 3 hosts; controller-0 reaches 0 of 3 hosts (it says over RPC)'
    unfenced = _failover('controller-1') + 'failed: controller-0 held no ' \
        'service group active: no fence needed; this controller reaches 3 ' \
        'of 3 hosts; controller-0 reaches 0 of 3 hosts (it says over RPC)'
    assert (fenced in log) != (unfenced in log), log
    isolated = _failover('controller-0') + ISOLATED
    if fenced in log:
        assert may_fence, 'controller-0 fenced though it had given the ' \
            'group up before it was asked:\n%s\n%s' % (
                _roles(pair.log('controller-0')), _roles(log))
        assert pair.fenced.powered('controller-0') == ['off']
        assert pair.one.process.wait(5) is not None
        print('controller-0 fenced: it held the group when asked (it had '
              '%s said it was isolated)' % (
                  'already' if isolated in pair.log('controller-0')
                  else 'not yet'))
    else:
        print('controller-0 not fenced: it had given the group up')
        assert isolated in pair.log('controller-0')
        base.wait('controller-0 standby (warm)', pair.one.standby, WAIT)
        assert pair.fenced.powered('controller-0') == []
        # It checks again every second (fence_retry_interval), and stays
        # standby meanwhile.
        time.sleep(2.5)
        assert pair.one.standby()
        after = pair.log('controller-0').split(isolated, 1)[1]
        assert 'Service group core: standby -> active on controller-0' \
            not in after, 'controller-0 went active again while ' \
            'isolated:\n%s' % _roles(after)
    assert pair.fenced.powered('controller-1') == []
    assert pair.two.active()
    pair.check_one_active()


def test_the_active_cut_off_from_the_hosts_gives_its_group_up(new_pair):
    """Both decide at once: controller-0 that it may be the one cut off,
    controller-1 (asking it over RPC) that it survives; controller-0
    fenced if it still held the group when asked, not otherwise.
    """
    _cut_off_active(new_pair())


def test_the_active_cut_off_gives_its_group_up_before_it_is_asked(
        new_pair):
    """controller-0 decides first: it holds nothing when asked, is not
    fenced, and stays standby as it checks again.
    """
    _cut_off_active(new_pair(model=controller_1_slower), may_fence=False)


def test_the_standby_cut_off_from_the_hosts_stays_standby(new_pair):
    pair = new_pair()
    pair.start()
    pair.hosts.cut('controller-1')
    pair.wait_reachability('controller-1', NONE)
    assert pair.site.reachability('controller-0') == ALL
    cut = pair.cut_paths()
    pair.wait_logged('controller-1', _failover('controller-1') + ISOLATED)
    pair.wait_logged('controller-0', _failover('controller-0') +
                     'failed: controller-1 held no service group active: '
                     'no fence needed; this controller reaches 3 of 3 '
                     'hosts; controller-1 reaches 0 of 3 hosts (it says '
                     'over RPC)')
    print('standby cut off: decided %.1f s after the cut'
          % (time.monotonic() - cut))
    pair.check_unmoved()
