"""Host maintenance as an operator sees it: real processes, real IPMI.

``stx-aio`` manages worker-0, whose BMC is one of ``stx-bmc-sim``'s on
127.0.0.1 (IPMI 2.0 over UDP, through the ``ipmi`` driver and pyghmi). The
simulated BMC's power hook records every power change in a file, standing
in for the host it would power. Power actions, the sensors hwmon reads, a
critical temperature injected through the simulator's control endpoint and
the reset it leads to, and a refused password: all through the ``stx``
command. Then a reboot through a real ``stx-agent`` process on RabbitMQ.
"""

import json
import os
import socket
import sys
import time
from urllib import request

from tests.functional import base
from tests.functional import test_aio
from tests.functional import test_inventory

PASSWORD = 'Sup3r-Secret-Pw'
WRONG_PASSWORD = 'Wr0ng-Secret-Pw'
WAIT = 40


def _wait(what, predicate, timeout=WAIT):
    return base.wait(what, predicate, timeout, interval=0.25)


class Simulator:
    """stx-bmc-sim with one BMC, worker-0, and its control endpoint."""

    def __init__(self, runner, tmp_path):
        self.port = base.free_port(socket.SOCK_DGRAM)
        self.hook_log = str(tmp_path / 'power-hook.log')
        hook = str(tmp_path / 'power-hook.py')
        with open(hook, 'w') as f:
            f.write('import os\nwith open(%r, "a") as log:\n'
                    '    log.write(os.environ["STX_BMC_POWER"] + "\\n")\n'
                    % self.hook_log)
        config = str(tmp_path / 'bmcs.yaml')
        with open(config, 'w') as f:
            json.dump({'defaults': {'username': 'admin',
                                    'password': PASSWORD},
                       'bmcs': [{'name': 'worker-0', 'port': self.port,
                                 'power_hook': '%s %s' % (sys.executable,
                                                          hook)}]}, f)
        self.process = runner.start('stx-bmc-sim', '--config', config)
        self.control = self.process.wait_for_output(
            r'control (http://127\.0\.0\.1:\d+)').group(1)

    def bmc(self):
        with request.urlopen(self.control + '/bmcs/worker-0') as answer:
            return json.load(answer)

    def set_reading(self, sensor, reading):
        url = '%s/bmcs/worker-0/sensors/%s' % (
            self.control, request.quote(sensor))
        body = json.dumps({'reading': reading}).encode()
        request.urlopen(request.Request(url, data=body, method='POST',
                                        headers={'Content-Type':
                                                 'application/json'}))

    def hook_calls(self):
        if not os.path.exists(self.hook_log):
            return []
        with open(self.hook_log) as f:
            return f.read().split()


def _aio(runner, tmp_path, *args, **mtce):
    options = {'power_audit_interval': 2, 'power_action_timeout': 30}
    options.update(mtce)
    config = base.write_config(str(tmp_path / 'stx.conf'), {
        'DEFAULT': {'enabled_bmc_drivers': 'ipmi,redfish,dynamic',
                    'host': base.unique_name('aio')},
        'mtce': options})
    return test_aio._start_aio(runner, str(tmp_path / 'state'),
                               '--config-file', config, *args)


def _alarms(cli, alarm_id):
    return [alarm for alarm in cli.json('alarm-list')
            if alarm['alarm_id'] == alarm_id]


def test_ipmi_power_sensors_and_critical_reset(runner, tmp_path):
    sim = Simulator(runner, tmp_path)
    aio, url = _aio(runner, tmp_path)
    cli = base.CLI('--stx-url', url)
    outputs = []

    def ok(*args):
        outputs.append(cli.ok(*args))
        return outputs[-1]

    ok('host-add', '--hostname', 'worker-0', '--personality', 'worker',
       '--mgmt-mac', '52:54:00:00:02:01', '--bm-type', 'ipmi',
       '--bm-ip', '127.0.0.1:%d' % sim.port, '--bm-username', 'admin',
       '--bm-password', PASSWORD)

    ok('host-power-off', 'worker-0', '--wait')
    host = cli.json('host-show', 'worker-0')
    assert (host['availability'], host['task']) == ('power-off', '')
    assert sim.bmc()['power'] == 'off'
    ok('host-power-on', 'worker-0', '--wait')
    assert cli.json('host-show', 'worker-0')['availability'] == 'offline'
    ok('host-reset', 'worker-0', '--wait')
    assert sim.bmc()['power'] == 'on'
    _wait('power hook calls',
          lambda: sim.hook_calls() == ['off', 'on', 'reset'])

    # hwmon read the new host's sensors through its BMC.
    sensors = _wait('sensors', lambda: {
        sensor['name']: sensor
        for sensor in cli.json('host-sensor-list', 'worker-0')})
    assert {'CPU1 Temp', 'Fan1', '12V'} <= set(sensors)
    assert sensors['CPU1 Temp']['status'] == 'ok'
    groups = {group['name']: group
              for group in cli.json('host-sensorgroup-list', 'worker-0')}
    assert groups['server temperature']['actions_critical_group'] == 'alarm'

    ok('host-sensorgroup-modify', 'worker-0', 'server temperature',
       'actions_critical=reset', 'audit_interval=10')
    sim.set_reading('CPU1 Temp', 101)
    alarm = _wait('sensor alarm', lambda: [
        alarm for alarm in _alarms(cli, '200.015')
        if alarm['entity_instance_id'] ==
        'host=worker-0.sensor=CPU1 Temp'])[0]
    assert alarm['severity'] == 'critical'
    assert 'reads 101' in alarm['reason_text'], alarm
    resets = _wait('reset by hwmon', lambda: [
        event for event in cli.json('event-list', '--logs')
        if 'Critical Event Reset 1' in event['reason_text']])
    assert 'CPU1 Temp' in resets[0]['reason_text']
    _wait('power hook reset', lambda: sim.hook_calls().count('reset') == 2)
    sim.set_reading('CPU1 Temp', 45)
    _wait('sensor alarm cleared', lambda: not _alarms(cli, '200.015'))

    # A password the BMC refuses: "BMC access failure" at the next
    # audit, cleared when the right one is back.
    ok('host-update', 'worker-0', 'bm_password=%s' % WRONG_PASSWORD)
    alarm = _wait('BMC access alarm', lambda: _alarms(cli, '200.010'))[0]
    assert alarm['entity_instance_id'] == 'host=worker-0'
    ok('host-update', 'worker-0', 'bm_password=%s' % PASSWORD)
    _wait('BMC access alarm cleared', lambda: not _alarms(cli, '200.010'))

    # No password anywhere an operator can look: API answers, CLI output,
    # alarms and events, the service's log.
    outputs.append(json.dumps(cli.json('host-show', 'worker-0')))
    outputs.append(cli.ok('event-list', '--limit', '500'))
    outputs.append(cli.ok('alarm-list'))
    with open(os.path.join(str(tmp_path / 'state'), 'stx-aio.log')) as f:
        outputs.append(f.read())
    outputs.append(aio.stdout() + aio.stderr())
    for text in outputs:
        assert PASSWORD not in text
        assert WRONG_PASSWORD not in text
    test_aio._stop_aio(aio, stderr=aio.stderr())


def test_reboot_through_a_real_agent_restarts_it(runner, tmp_path,
                                                 rabbit_url):
    exchange = base.unique_name('stx')
    config = base.write_config(str(tmp_path / 'stx.conf'), {
        'DEFAULT': {'control_exchange': exchange,
                    'host': base.unique_name('aio')},
        'mtce': {'reboot_timeout': 60}})
    aio, url = test_aio._start_aio(runner, str(tmp_path / 'state'),
                                   '--config-file', config,
                                   '--transport-url', rabbit_url)
    cli = base.CLI('--stx-url', url)
    cli.ok('host-add', '--hostname', 'worker-0', '--personality', 'worker',
           '--mgmt-mac', test_inventory.SERVER_MAC)
    agent, _seconds = test_inventory._start_agent(
        runner, tmp_path, 'server', rabbit_url, exchange)
    pid = agent.pid

    started = time.monotonic()
    cli.ok('host-reboot', 'worker-0', '--wait', '--timeout', '60')
    print('reboot through the agent: %.2fs' % (time.monotonic() - started))
    host = cli.json('host-show', 'worker-0')
    assert host['task'] == ''
    # The agent-restart driver replaced the process by a new agent: same
    # PID, a second "ready" once it reported again.
    assert agent.pid == pid and agent.popen.poll() is None
    _wait('second ready', lambda: agent.stdout().count('stx-agent ready')
          == 2)
    events = [event['reason_text']
              for event in cli.json('event-list', '--logs')]
    assert 'worker-0 rebooted; its agent is back' in events
    assert agent.stop() == 0
    test_aio._stop_aio(aio, stderr=aio.stderr())
