"""stx-bmc-sim as a real process, driven by pyghmi's real IPMI client.

Every test starts its own simulator on free loopback ports and talks to it
from this process with ``pyghmi.ipmi.command.Command``, as stx-flock's IPMI
driver does, and injects faults through the control endpoint.

Two pyghmi client habits shape these tests:

* Credentials are given as bytes. With str credentials pyghmi 1.6.19 never
  forgets a session it started (its ``initting_sessions`` key is str, the
  removal uses bytes), and a second Command for the same BMC, user and
  password in the process then waits forever for that session's login.
* No port is used twice in this process: pyghmi keeps sessions per
  (address, port) for the life of the process.
"""

import json
import os
import random
import signal
import socket
import stat
import threading
import time
import urllib.error
import urllib.request

from pyghmi import exceptions as pyghmi_exceptions
from pyghmi.ipmi import command as ipmi_command
import pytest
import yaml

from tests.functional import base

USER = b'admin'
PASSWORD = b'secret'
READY = (r'stx-bmc-sim ready: (?P<count>\d+) BMCs on 127\.0\.0\.1 ports '
         r'(?P<first>\d+)-(?P<last>\d+), control (?P<control>http://\S+)')
HEALTH_CRITICAL = 2

# Every sensor of the 'standard' set, as pyghmi decodes it with the host on.
STANDARD_SENSORS = {
    'CPU1 Temp': (45.0, '°C', 'Temperature'),
    'CPU2 Temp': (47.0, '°C', 'Temperature'),
    'Inlet Temp': (24.0, '°C', 'Temperature'),
    'Fan1': (8400.0, 'RPM', 'Fan'),
    'Fan2': (8500.0, 'RPM', 'Fan'),
    'Fan3': (8300.0, 'RPM', 'Fan'),
    'Fan4': (8600.0, 'RPM', 'Fan'),
    '12V': (12.0, 'V', 'Voltage'),
    '5V': (5.0, 'V', 'Voltage'),
    '3.3V': (3.3, 'V', 'Voltage'),
    'PSU1 Input Power': (180.0, 'W', 'Power'),
    'PSU2 Input Power': (175.0, 'W', 'Power'),
}

_used_ports = set()


def free_udp_ports(count):
    """``count`` consecutive UDP ports free on loopback, never used before
    by this process.
    """
    for _ in range(50):
        first = random.randrange(20000, 60000 - count)
        ports = range(first, first + count)
        if _used_ports.intersection(ports):
            continue
        sockets = []
        try:
            for port in ports:
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sockets.append(sock)
                sock.bind(('127.0.0.1', port))
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        _used_ports.update(ports)
        return list(ports)
    pytest.fail('no %d consecutive free UDP ports' % count)


class Simulator:
    """A running stx-bmc-sim and its control endpoint."""

    def __init__(self, process, match):
        self.process = process
        self.control_url = match.group('control')
        self.first_port = int(match.group('first'))
        self.count = int(match.group('count'))

    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.control_url + path, data=data,
                                         method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or 'null')
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def ok(self, method, path, body=None):
        status, result = self.control(method, path, body)
        assert status in (200, 201), result
        return result


@pytest.fixture
def start_sim(runner, tmp_path):
    """Start stx-bmc-sim on a configuration; returns a Simulator."""
    started = []

    def start(document=None, args=()):
        if document is not None:
            path = tmp_path / ('bmcs-%d.yaml' % len(started))
            path.write_text(yaml.safe_dump(document))
            args = ['--config', str(path)] + list(args)
        process = runner.start('stx-bmc-sim', *args)
        sim = Simulator(process, process.wait_for_output(READY))
        started.append(sim)
        return sim

    yield start
    for sim in started:
        if sim.process.popen.poll() is None:
            assert sim.process.stop() == 0, sim.process.describe()


def rack(names, **common):
    """A configuration of BMCs named ``names`` on fresh ports."""
    ports = free_udp_ports(len(names))
    return {'defaults': dict({'username': 'admin', 'password': 'secret'},
                             **common),
            'bmcs': [{'name': name, 'port': port}
                     for name, port in zip(names, ports)]}


def client(port, user=USER, password=PASSWORD):
    return ipmi_command.Command(bmc='127.0.0.1', userid=user,
                                password=password, port=port)


def child_pids(pid):
    children = []
    for entry in os.listdir('/proc'):
        try:
            with open('/proc/%s/stat' % entry) as stat_file:
                # After the command name in parentheses: state, ppid, ...
                fields = stat_file.read().rsplit(')', 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            children.append(int(entry))
    return children


def wait_for(predicate, what, timeout=10):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail('%s within %ss' % (what, timeout))
        time.sleep(0.05)


def test_three_bmcs_in_one_process_keep_their_own_power(start_sim):
    config = rack(['worker-0', 'worker-1', 'worker-2'])
    config['bmcs'][1]['power'] = 'off'
    sim = start_sim(config)
    ports = [bmc['port'] for bmc in config['bmcs']]
    clients = [client(port) for port in ports]
    assert [c.get_power()['powerstate'] for c in clients] == [
        'on', 'off', 'on']

    clients[2].set_power('off')
    clients[1].set_power('on')
    assert [c.get_power()['powerstate'] for c in clients] == [
        'on', 'on', 'off']
    assert [b['power'] for b in sim.ok('GET', '/bmcs')['bmcs']] == [
        'on', 'on', 'off']
    # One process serves them: no process per BMC.
    assert child_pids(sim.process.pid) == []


def test_wrong_password_and_unknown_user_are_refused(start_sim):
    config = rack(['worker-0'])
    start_sim(config)
    port = config['bmcs'][0]['port']
    with pytest.raises(pyghmi_exceptions.IpmiException,
                       match='Incorrect password provided'):
        client(port, password=b'wrong')
    with pytest.raises(pyghmi_exceptions.IpmiException,
                       match='Unauthorized name in RAKP2'):
        client(port, user=b'nobody')
    assert client(port).get_power() == {'powerstate': 'on'}


def test_power_actions_run_the_hook(start_sim, tmp_path):
    log = tmp_path / 'power.log'
    hook = tmp_path / 'hook.sh'
    hook.write_text('#!/bin/sh\necho "$STX_BMC_NAME $STX_BMC_PORT '
                    '$STX_BMC_POWER" >> %s\n' % log)
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    config = rack(['worker-0'], power_hook=str(hook))
    start_sim(config)
    port = config['bmcs'][0]['port']
    ipmi = client(port)

    assert ipmi.set_power('off') == {'pendingpowerstate': 'off'}
    assert ipmi.get_power() == {'powerstate': 'off'}
    with pytest.raises(pyghmi_exceptions.IpmiException,
                       match='Command not supported in present state'):
        ipmi.set_power('reset')
    assert ipmi.set_power('on', wait=True) == {'powerstate': 'on'}
    assert ipmi.set_power('reset') == {'pendingpowerstate': 'reset'}
    # Power cycle has no name in pyghmi's set_power: chassis control 2.
    assert ipmi.raw_command(netfn=0, command=2, data=[2])['code'] == 0
    assert ipmi.set_power('shutdown') == {'pendingpowerstate': 'shutdown'}
    assert ipmi.get_power() == {'powerstate': 'off'}

    expected = ['worker-0 %d %s' % (port, power)
                for power in ('off', 'on', 'reset', 'cycle', 'off')]
    wait_for(lambda: log.exists() and
             log.read_text().splitlines() == expected,
             'the hook logged %s' % expected)


def test_boot_device_persistent_and_one_time(start_sim):
    config = rack(['worker-0'])
    start_sim(config)
    ipmi = client(config['bmcs'][0]['port'])
    assert ipmi.get_bootdev() == {'bootdev': 'default', 'persistent': True}

    ipmi.set_bootdev('network', persist=True)
    expected = {'bootdev': 'network', 'persistent': True,
                'uefimode': False}
    assert ipmi.get_bootdev() == expected
    ipmi.set_power('reset')
    assert ipmi.get_bootdev() == expected

    # A one-time device lasts until the next boot.
    ipmi.set_bootdev('hd')
    assert ipmi.get_bootdev() == {'bootdev': 'hd', 'persistent': False,
                                  'uefimode': False}
    ipmi.set_power('reset')
    assert ipmi.get_bootdev() == {'bootdev': 'default', 'persistent': True}


def _readings(ipmi):
    return {r.name: r for r in ipmi.get_sensor_data()}


def test_sensor_data_values_units_and_health(start_sim):
    config = rack(['worker-0'])
    start_sim(config)
    readings = _readings(client(config['bmcs'][0]['port']))
    assert list(readings) == list(STANDARD_SENSORS)
    for name, (value, units, kind) in STANDARD_SENSORS.items():
        reading = readings[name]
        assert (reading.value, reading.units, reading.type) == pytest.approx(
            (value, units, kind)), name
        assert (reading.health, reading.states, reading.unavailable) == (
            0, [], 0), name


def test_injected_critical_temperature_shows_in_the_next_read(start_sim):
    config = rack(['worker-0'])
    sim = start_sim(config)
    ipmi = client(config['bmcs'][0]['port'])
    assert ipmi.get_health() == {'health': 0, 'badreadings': []}

    sim.ok('PUT', '/bmcs/worker-0/sensors/CPU1%20Temp', {'reading': 96.0})
    # The same Command: its SDR is loaded, only the reading is new.
    reading = ipmi.get_sensor_reading('CPU1 Temp')
    assert reading.value == 96.0
    assert reading.health & HEALTH_CRITICAL
    assert reading.states == ['upper non-critical threshold',
                              'upper critical threshold']
    health = ipmi.get_health()
    assert health['health'] & HEALTH_CRITICAL
    assert [r.name for r in health['badreadings']] == ['CPU1 Temp']

    sim.ok('PUT', '/bmcs/worker-0/sensors/CPU1%20Temp', {'reading': None})
    assert ipmi.get_sensor_reading('CPU1 Temp').health == 0


def test_sensor_sets_differ_per_bmc_and_change_at_run_time(start_sim):
    config = rack(['worker-0', 'worker-1'])
    config['bmcs'][1]['sensor_overrides'] = {
        'Fan4': None,
        'Pump': {'type': 'fan', 'reading': 2500,
                 'thresholds': {'lower_critical': 500}}}
    # Partial SDR reads on one of them: the client's reserve-and-chunk
    # path must give the same sensors.
    config['bmcs'][0]['sdr_read_limit'] = 16
    sim = start_sim(config)
    ports = [bmc['port'] for bmc in config['bmcs']]
    standard = list(STANDARD_SENSORS)
    custom = [name for name in standard if name != 'Fan4'] + ['Pump']
    # One client process, two sensor sets: the SDR timestamps differ, so
    # pyghmi's per-process SDR cache keeps them apart.
    assert list(_readings(client(ports[0]))) == standard
    readings = _readings(client(ports[1]))
    assert list(readings) == custom
    assert readings['Pump'].value == 2500.0

    sim.ok('PUT', '/bmcs/worker-0/sensors/Coolant%20Temp', {
        'type': 'temperature', 'reading': 31.5,
        'thresholds': {'upper_critical': 60}})
    # A new Command re-reads the SDR: the set has a new timestamp.
    readings = _readings(client(ports[0]))
    assert list(readings) == standard + ['Coolant Temp']
    assert readings['Coolant Temp'].value == 31.5


def test_powered_off_host_sensors(start_sim):
    config = rack(['worker-0'], power='off')
    start_sim(config)
    readings = _readings(client(config['bmcs'][0]['port']))
    standby = {'Inlet Temp': 24.0, 'PSU1 Input Power': 10.0,
               'PSU2 Input Power': 10.0}
    for name, reading in readings.items():
        assert reading.health == 0, name
        if name in standby:
            assert (reading.value, reading.unavailable) == (
                standby[name], 0), name
        else:
            assert (reading.value, reading.unavailable) == (None, 1), name


def test_inventory(start_sim):
    config = rack(['worker-0'], fru={'manufacturer': 'ACME',
                                     'serial_number': 'SN-0042'})
    config['bmcs'][0]['uuid'] = '8f8b9ab2-3a0c-4c43-a4c0-3dd8e8f8b77a'
    start_sim(config)
    inventory = dict(client(config['bmcs'][0]['port']).get_inventory())
    assert list(inventory) == ['System', 'PSU1', 'PSU2']
    system = inventory['System']
    assert system['Manufacturer'] == 'ACME'
    assert system['Serial Number'] == 'SN-0042'
    assert system['Product name'] == 'stx-sim-server'
    assert system['Asset Number'] == 'worker-0'
    assert system['Board manufacturer'] == 'StarlingX Sim'
    assert system['Chassis type'] == 'Rack Mount Chassis'
    assert system['UUID'] == '8F8B9AB2-3A0C-4C43-A4C0-3DD8E8F8B77A'
    assert (system['Manufacturer ID'], system['Product ID'],
            system['firmware_version']) == (32473, 1, '2.10')
    assert inventory['PSU1']['Product name'] == 'PWS-800W-SIM'


def test_not_answering_bmc_times_the_client_out(start_sim):
    config = rack(['worker-0', 'worker-1'])
    sim = start_sim(config)
    port = config['bmcs'][0]['port']
    assert sim.ok('POST', '/bmcs/worker-0',
                  {'answering': False})['answering'] is False
    outcome = []

    def log_in():
        started = time.monotonic()
        try:
            client(port)
            outcome.append(('logged in', 0))
        except pyghmi_exceptions.IpmiException as error:
            outcome.append((str(error), time.monotonic() - started))

    # pyghmi gives up on a login after about 5 s of retries; the thread
    # bounds the wait should it ever not.
    thread = threading.Thread(target=log_in, daemon=True)
    thread.start()
    # Its neighbour answers meanwhile.
    assert client(config['bmcs'][1]['port']).get_power() == {
        'powerstate': 'on'}
    thread.join(20)
    assert outcome, 'the login neither failed nor succeeded within 20 s'
    message, seconds = outcome[0]
    # A timeout (pyghmi 1.6.19 says 'None'), not a refusal.
    assert 'password' not in message and 'Unauthorized' not in message
    assert 2 < seconds < 10

    sim.ok('POST', '/bmcs/worker-0', {'answering': True})
    assert client(port).get_power() == {'powerstate': 'on'}


def test_password_change_through_the_control_endpoint(start_sim):
    config = rack(['worker-0'])
    sim = start_sim(config)
    sim.ok('POST', '/bmcs/worker-0', {'password': 'n3w-secret'})
    port = config['bmcs'][0]['port']
    with pytest.raises(pyghmi_exceptions.IpmiException,
                       match='Incorrect password provided'):
        client(port)
    assert client(port, password=b'n3w-secret').get_power() == {
        'powerstate': 'on'}


def test_control_endpoint_errors(start_sim):
    sim = start_sim(rack(['worker-0']))
    status, body = sim.control('GET', '/bmcs/worker-9')
    assert (status, body['error']['code']) == (404,
                                               'stx.bmcsim.bmc_not_found')
    status, body = sim.control('PUT', '/bmcs/worker-0/sensors/Fan1',
                               {'reading': 'fast'})
    assert (status, body['error']['code']) == (400,
                                               'stx.bmcsim.invalid_request')
    assert body['error']['message'] == (
        "reading: expected a number, got 'fast'")


def test_five_hundred_bmcs(start_sim):
    ports = free_udp_ports(500)
    started = time.monotonic()
    sim = start_sim(args=['--port', str(ports[0]), '--count', '500',
                          '--password', 'secret'])
    ready = time.monotonic() - started
    assert (sim.count, sim.first_port) == (500, ports[0])
    assert ready < 10, 'ready after %.1fs' % ready
    for port in random.sample(ports, 10) + [ports[0], ports[-1]]:
        assert client(port).get_power() == {'powerstate': 'on'}, port
    assert len(sim.ok('GET', '/bmcs')['bmcs']) == 500


def test_sigint_stops_it_cleanly(start_sim):
    sim = start_sim(rack(['worker-0']))
    sim.process.signal(signal.SIGINT)
    assert sim.process.wait() == 0
    assert 'Traceback' not in sim.process.stderr()


@pytest.mark.parametrize('document, expected', [
    ({'bmcs': [{'name': 'a', 'port': 70000}]},
     'bmcs[0] (a).port: expected an integer from 1 to 65535'),
    ({'bmcs': [{'name': 'a', 'port': 1, 'sensors': 'deluxe'}]},
     'bmcs[0].sensors: expected one of none, standard'),
    ('bmcs: [oops', 'not valid YAML'),
])
def test_bad_configuration_is_one_line_and_status_1(tmp_path, document,
                                                    expected):
    path = tmp_path / 'bmcs.yaml'
    path.write_text(document if isinstance(document, str)
                    else yaml.safe_dump(document))
    result = base.run('stx-bmc-sim', '--config', str(path))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith('stx-bmc-sim: error: ')
    assert expected in lines[0]
    assert result.stdout == ''


def test_port_in_use_is_one_line_and_status_1():
    port, = free_udp_ports(1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(('127.0.0.1', port))
        result = base.run('stx-bmc-sim', '--port', str(port))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        'stx-bmc-sim: error: cannot bind bmc-0 to 127.0.0.1 port %d: '
        'Address already in use' % port)


def test_missing_config_file_is_one_line_and_status_1(tmp_path):
    result = base.run('stx-bmc-sim', '--config',
                      os.path.join(str(tmp_path), 'nope.yaml'))
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        'nope.yaml: No such file or directory')
