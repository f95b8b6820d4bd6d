"""``stx host-lock|unlock|reinstall`` and the cluster-host address.

Refusals and host fields go to a real sysinv API (no stx-mtce: the API
refuses before it calls maintenance). ``--wait`` follows a fake sysinv
that plays the host states maintenance would write, one per poll.
"""

import json

import fixtures

from stx.common import states
from stx.sysinv.db import api as dbapi
from tests.unit.cli import test_cli
from tests.unit import fixtures as stx_fixtures

WORKER = {'id': 2, 'uuid': '0f0c1c0e-2d6b-4f57-9a1e-3c9a4b2d7e01',
          'hostname': 'worker-0', 'personality': 'worker',
          'administrative': 'locked', 'operational': 'disabled',
          'availability': 'online', 'task': ''}


class ApiTestCase(test_cli.CliTestCase):
    """The commands against a real sysinv API, on an AIO-style base URL."""

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(stx_fixtures.SysinvServer())
        self.useFixture(fixtures.EnvironmentVariable('STX_URL',
                                                     self.server.url))

    def json_of(self, *argv):
        status, out, err = self.stx(*(argv + ('-f', 'json')))
        self.assertEqual(0, status, err)
        return json.loads(out)

    def add_worker(self, name='worker-0', mac='52:54:00:12:34:56', *extra):
        return self.json_of('host-add', '-n', name, '-p', 'worker',
                            '-m', mac, *extra)


class TestActionRefusals(ApiTestCase):
    """One line and exit status 1, naming what to do."""

    def add_powered_off_worker(self):
        host = self.add_worker()
        return dbapi.host_update(self.server.context, host['uuid'],
                                 {'availability': states.POWER_OFF})

    def test_lock_of_the_only_controller_refused(self):
        for argv, action in ((('host-lock', 'controller-0'), 'lock'),
                             (('host-lock', '--force', 'controller-0'),
                              'force-lock')):
            with self.subTest(action=action):
                err = self.assertOneLineError(self.stx(*argv))
                self.assertEqual(
                    'Error: Cannot %s controller-0: it is the only enabled '
                    'controller; unlock and enable another controller first'
                    % action, err)

    def test_unlock_of_a_powered_off_host_refused(self):
        self.add_powered_off_worker()
        for argv, action in ((('host-unlock', 'worker-0'), 'unlock'),
                             (('host-unlock', '--force', 'worker-0'),
                              'force-unlock')):
            with self.subTest(action=action):
                err = self.assertOneLineError(self.stx(*argv))
                self.assertEqual(
                    'Error: Cannot %s worker-0: the host is powered off; '
                    'power it on first with host-power-on' % action, err)

    def test_reinstall_of_an_offline_host_without_bmc_refused(self):
        self.add_worker()
        err = self.assertOneLineError(self.stx('host-reinstall', 'worker-0'))
        self.assertIn('Cannot reinstall worker-0: reinstalling a host that '
                      'is offline or powered off needs its BMC: provision '
                      'bm_type', err)

    def test_unlock_of_an_unlocked_host_refused(self):
        err = self.assertOneLineError(self.stx('host-unlock',
                                               'controller-0'))
        self.assertIn('already unlocked', err)

    def test_unknown_host(self):
        err = self.assertOneLineError(self.stx('host-lock', 'worker-9'))
        self.assertIn('worker-9', err)


class TestClusterHostIp(ApiTestCase):

    def test_host_add_long_options_and_host_show(self):
        for number, flag in enumerate(('--cluster-host-ip',
                                       '--cluster_host_ip')):
            with self.subTest(flag=flag):
                name = 'worker-%d' % number
                host = self.add_worker(
                    name, '52:54:00:00:00:0%d' % number,
                    '--mgmt-ip', '192.168.204.1%d' % number,
                    flag, '192.168.206.1%d' % number)
                self.assertEqual('192.168.206.1%d' % number,
                                 host['cluster_host_ip'])
                self.assertEqual(host, self.json_of('host-show', name))

    def test_host_update_sets_and_refuses_it(self):
        self.add_worker('worker-0', '52:54:00:12:34:56', '--mgmt-ip',
                        '192.168.204.10')
        host = self.json_of('host-update', 'worker-0',
                            'cluster_host_ip=192.168.206.10')
        self.assertEqual('192.168.206.10', host['cluster_host_ip'])
        err = self.assertOneLineError(self.stx(
            'host-update', 'worker-0', 'cluster_host_ip=192.168.204.10'))
        self.assertIn("is the host's mgmt_ip", err)

    def test_host_show_has_the_field(self):
        self.assertIn('cluster_host_ip',
                      self.json_of('host-show', 'controller-0'))


class FakeSysinv(fixtures.Fixture):
    """A sysinv that knows worker-0 and answers an action with ``states``.

    The PATCH answers the first state, each later GET of the host by id the
    next one (the last one repeats). ``patches`` holds the PATCH bodies.
    """

    def __init__(self, *states):
        super().__init__()
        self.states = [dict(WORKER, **state) for state in states]

    def _setUp(self):
        self.patches = []
        self.answered = 0
        self.url = self.useFixture(
            stx_fixtures.LoopbackServer({'/': self.app})).url

    def _next(self):
        state = self.states[min(self.answered, len(self.states) - 1)]
        self.answered += 1
        return state

    def app(self, environ, start_response):
        path = environ['PATH_INFO']
        if environ['REQUEST_METHOD'] == 'PATCH':
            length = int(environ.get('CONTENT_LENGTH') or 0)
            self.patches.append(json.loads(environ['wsgi.input'].read(
                length)))
            body = self._next()
        elif path == '/v1/ihosts/worker-0':
            body = WORKER
        else:
            body = self._next()
        start_response('200 OK', [('Content-Type', 'application/json')])
        return [json.dumps(body).encode()]


class TestWait(test_cli.CliTestCase):
    """--wait: done when the task is empty, failed as the task or the
    host's availability says.
    """

    def setUp(self):
        super().setUp()
        # Polls as fast as the fake answers.
        self.useFixture(fixtures.MonkeyPatch(
            'stx.cli.host_actions.POLL_INTERVAL', 0.01))

    def run_action(self, sysinv, *argv):
        return self.stx('--sysinv-url', sysinv.url, *argv)

    def test_unlock_ending_with_the_host_failed_exits_1(self):
        sysinv = self.useFixture(FakeSysinv(
            {'task': 'Unlocking', 'administrative': 'unlocked'},
            {'task': 'Testing', 'administrative': 'unlocked'},
            {'task': '', 'administrative': 'unlocked',
             'availability': states.FAILED}))
        for flags, action in (((), 'unlock'), (('--force',), 'force-unlock')):
            with self.subTest(action=action):
                sysinv.answered = 0
                code, _out, err = self.run_action(
                    sysinv, 'host-unlock', 'worker-0', '--wait', *flags)
                self.assertEqual(1, code)
                self.assertEqual(
                    ['worker-0: Unlocking', 'worker-0: Testing',
                     'worker-0: done (unlocked/disabled/failed)',
                     'Error: worker-0: %s ended with the host failed '
                     '(unlocked/disabled/failed)' % action],
                    err.splitlines())
                self.assertEqual(action, sysinv.patches[-1][0]['value'])

    def test_unlock_ending_in_service_exits_0(self):
        # Failed before the unlock: only the state it ends in counts.
        sysinv = self.useFixture(FakeSysinv(
            {'task': 'Unlocking', 'availability': states.FAILED},
            {'task': '', 'administrative': 'unlocked',
             'operational': 'enabled', 'availability': 'available'}))
        code, out, err = self.run_action(sysinv, 'host-unlock', 'worker-0',
                                         '--wait', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual('available', json.loads(out)['availability'])
        self.assertEqual([{'op': 'replace', 'path': '/action',
                           'value': 'unlock'}], sysinv.patches[0])

    def test_lock_of_a_failed_host_ends_when_its_task_does(self):
        sysinv = self.useFixture(FakeSysinv(
            {'task': 'Locking', 'administrative': 'unlocked'},
            {'task': '', 'availability': states.FAILED}))
        for argv, action in ((('host-lock', 'worker-0'), 'lock'),
                             (('host-lock', '--force', 'worker-0'),
                              'force-lock')):
            with self.subTest(action=action):
                sysinv.answered = 0
                code, _out, err = self.run_action(sysinv, *argv, '--wait')
                self.assertEqual(0, code, err)
                self.assertEqual(action, sysinv.patches[-1][0]['value'])

    def test_failed_task_exits_1(self):
        sysinv = self.useFixture(FakeSysinv(
            {'task': 'Reinstalling'},
            {'task': 'Reinstall failed: the BMC does not answer'}))
        code, _out, err = self.run_action(sysinv, 'host-reinstall',
                                          'worker-0', '--wait')
        self.assertEqual(1, code)
        self.assertEqual('Error: Reinstall failed: the BMC does not answer',
                         err.splitlines()[-1])
        self.assertEqual('reinstall', sysinv.patches[0][0]['value'])

    def test_without_wait_the_task_is_shown(self):
        sysinv = self.useFixture(FakeSysinv(
            {'task': 'Reinstalling'}))
        code, out, err = self.run_action(sysinv, 'host-reinstall',
                                         'worker-0', '-f', 'json')
        self.assertEqual(0, code, err)
        self.assertEqual('Reinstalling', json.loads(out)['task'])
        self.assertEqual('', err)
