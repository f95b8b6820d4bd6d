"""The real BMC drivers against real simulated BMCs, over loopback.

IPMI: ``IPMIBMC`` (pyghmi's client) against ``stx-bmc-sim`` (pyghmi's
server, IPMI 2.0 over UDP). Redfish: ``RedfishBMC`` (sushy) against
``sushy-emulator --fake``, whose fake driver applies a power change 1 to 11
s after it accepted it, so the power tests run side by side on four
systems. ``DynamicBMC`` picks Redfish against the emulator and IPMI against
the simulator. Every process is started here and killed at teardown.

sushy-emulator missing skips the Redfish tests, unless
``STX_REQUIRE_SERVICES=1`` (then they fail).
"""

import concurrent.futures
import json
import logging
import os
import socket
import sys
import time
import urllib.parse
import urllib.request
import uuid

from oslo_config import fixture as config_fixture
import pytest
import requests

from stx.common import exception
from stx.conf import CONF
from stx.drivers.bmc import base
from stx.drivers.bmc import common
from stx.drivers.bmc import dynamic
from stx.drivers.bmc import ipmi
from stx.drivers.bmc import redfish
from tests.functional import base as functional

IPMI_PASSWORD = 'Ipmi-S3cret'
REDFISH_PASSWORD = 'Redfish-S3cret'
WRONG_PASSWORD = 'Wr0ng-Guess'
SIM_BMCS = ('power-0', 'boot-0', 'sensors-0', 'dead-0', 'auth-0')
EMULATOR_SYSTEMS = (('system-0', 'Off'), ('system-1', 'On'),
                    ('system-2', 'On'), ('system-3', 'On'))
# The fake driver's longest delay is 11 s; a cycle without PowerCycle is
# ForceOff then On, two delays.
REDFISH_POWER_TIMEOUT = 30
EMULATOR_START_TIMEOUT = 20

IPMI_TIMEOUT = 1.0
IPMI_RETRIES = 1
RETRY_BACKOFF = 0.2


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def require_script(name):
    path = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(path):
        return
    reason = '%s is not installed next to %s' % (name, sys.executable)
    if os.environ.get('STX_REQUIRE_SERVICES') == '1':
        pytest.fail(reason + ' and STX_REQUIRE_SERVICES=1')
    pytest.skip(reason)


class Simulator:
    """A running stx-bmc-sim and its control endpoint."""

    def __init__(self, process, ports, control_url):
        self.process = process
        self.ports = ports
        self.control_url = control_url

    def info(self, name, password=IPMI_PASSWORD):
        return {'address': '127.0.0.1', 'port': self.ports[name],
                'username': 'admin', 'password': password}

    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.control_url + path, data=data, method=method,
            headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b'null')

    def bmc(self, name):
        return self.control('GET', '/bmcs/%s' % name)


class Emulator:
    """A running sushy-emulator."""

    def __init__(self, process, port):
        self.process = process
        self.port = port

    def info(self, system_id=None, password=REDFISH_PASSWORD):
        info = {'address': '127.0.0.1', 'port': self.port,
                'username': 'admin', 'password': password}
        if system_id is not None:
            info['system_id'] = system_id
        return info


@pytest.fixture(scope='module')
def module_runner(tmp_path_factory):
    runner = functional.ProcessRunner(str(tmp_path_factory.mktemp('bmc')))
    yield runner
    runner.cleanup()


@pytest.fixture(scope='module')
def simulator(module_runner):
    ports = {name: free_udp_port() for name in SIM_BMCS}
    config = os.path.join(module_runner.workdir, 'bmc-sim.yaml')
    with open(config, 'w') as f:
        f.write('defaults: {username: admin, password: %s, power: on}\n'
                'bmcs:\n' % IPMI_PASSWORD)
        for name, port in ports.items():
            f.write('  - {name: %s, port: %d}\n' % (name, port))
    process = module_runner.start('stx-bmc-sim', '--config', config)
    match = process.wait_for_output(
        r'stx-bmc-sim ready: .* control (http://\S+)')
    return Simulator(process, ports, match.group(1))


def start_emulator(runner, name, systems, auth_file=None):
    require_script('sushy-emulator')
    port = functional.free_port()
    state_dir = os.path.join(runner.workdir, name + '-state')
    config = os.path.join(runner.workdir, name + '.conf')
    fake_systems = [
        {'uuid': str(uuid.uuid5(uuid.NAMESPACE_DNS, name + system)),
         'name': system, 'power_state': power, 'external_notifier': False,
         'nics': [{'mac': '00:5c:52:31:3a:%02x' % index,
                   'ip': '192.0.2.%d' % (10 + index)}]}
        for index, (system, power) in enumerate(systems)]
    with open(config, 'w') as f:
        f.write('SUSHY_EMULATOR_LISTEN_IP = %r\n'
                'SUSHY_EMULATOR_LISTEN_PORT = %d\n'
                'SUSHY_EMULATOR_FAKE_DRIVER = True\n'
                'SUSHY_EMULATOR_STATE_DIR = %r\n'
                'SUSHY_EMULATOR_FAKE_SYSTEMS = %r\n'
                % ('127.0.0.1', port, state_dir, fake_systems))
        if auth_file:
            f.write('SUSHY_EMULATOR_AUTH_FILE = %r\n' % auth_file)
    process = runner.start('sushy-emulator', '--config', config)
    deadline = time.monotonic() + EMULATOR_START_TIMEOUT
    while True:
        try:
            answer = requests.get('http://127.0.0.1:%d/redfish/v1/' % port,
                                  timeout=1)
            if answer.status_code == 200:
                return Emulator(process, port)
        except requests.RequestException:
            pass
        if process.popen.poll() is not None or time.monotonic() > deadline:
            pytest.fail('sushy-emulator did not serve within %ss:\n%s'
                        % (EMULATOR_START_TIMEOUT, process.describe()))
        time.sleep(0.1)


@pytest.fixture(scope='module')
def emulator(module_runner):
    return start_emulator(module_runner, 'emulator', EMULATOR_SYSTEMS)


@pytest.fixture(scope='module')
def auth_emulator(module_runner):
    """An emulator with one system behind HTTP basic authentication."""
    # sushy-tools accepts bcrypt digests only (auth_basic.parse_entry).
    bcrypt = pytest.importorskip('bcrypt')
    auth_file = os.path.join(module_runner.workdir, 'htpasswd')
    with open(auth_file, 'w') as f:
        f.write('admin:%s\n' % bcrypt.hashpw(REDFISH_PASSWORD.encode(),
                                             bcrypt.gensalt(rounds=4))
                .decode())
    return start_emulator(module_runner, 'auth-emulator',
                          (('single', 'On'),), auth_file=auth_file)


@pytest.fixture
def bmc_conf():
    """[bmc] for loopback: http Redfish, short IPMI timeouts."""
    CONF([], project='stx', default_config_files=[])
    fixture = config_fixture.Config(CONF)
    fixture.setUp()
    fixture.config(group='bmc', redfish_scheme='http',
                   ipmi_timeout=IPMI_TIMEOUT, ipmi_retries=IPMI_RETRIES,
                   retry_backoff=RETRY_BACKOFF, power_poll_interval=0.2,
                   redfish_connect_timeout=2, redfish_read_timeout=10)
    ipmi.reset_sessions()
    redfish.reset_clients()
    dynamic.DynamicBMC.forget()
    yield fixture
    ipmi.reset_sessions()
    redfish.reset_clients()
    dynamic.DynamicBMC.forget()
    fixture.cleanUp()


@pytest.fixture
def all_logs():
    """Every log record of the process at DEBUG, formatted, tracebacks too.

    The handler sits on the root logger; the library loggers (pyghmi,
    sushy, urllib3, requests) are set to DEBUG too, so nothing they could
    say is left out.
    """
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect(logging.DEBUG)
    handler.setFormatter(logging.Formatter(
        '%(name)s %(levelname)s %(message)s'))
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level
              for name in ('', 'pyghmi', 'sushy', 'urllib3', 'requests',
                           'stx')}
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


# IPMI against stx-bmc-sim.

def test_ipmi_power_changes_confirmed(simulator, bmc_conf):
    driver = ipmi.IPMIBMC()
    info = simulator.info('power-0')
    assert driver.get_power_state(info) == base.POWER_ON
    for target, state in ((base.POWER_OFF, base.POWER_OFF),
                          (base.POWER_CYCLE, base.POWER_ON),
                          (base.POWER_CYCLE, base.POWER_ON),
                          (base.POWER_RESET, base.POWER_ON),
                          (base.POWER_SOFT_OFF, base.POWER_OFF),
                          (base.POWER_RESET, base.POWER_ON)):
        assert driver.set_power_state(info, target, timeout=10) == state
        assert driver.get_power_state(info) == state
        assert simulator.bmc('power-0')['power'] == state, target


def test_ipmi_boot_device(simulator, bmc_conf):
    driver = ipmi.IPMIBMC()
    info = simulator.info('boot-0')
    driver.set_boot_device(info, base.BOOT_DEVICE_NETWORK)
    assert driver.get_boot_device(info) == {
        'boot_device': base.BOOT_DEVICE_NETWORK, 'persistent': False}
    driver.set_boot_device(info, base.BOOT_DEVICE_DISK, persistent=True)
    assert driver.get_boot_device(info) == {
        'boot_device': base.BOOT_DEVICE_DISK, 'persistent': True}
    # A one-time device is used up by the next boot; a persistent one stays.
    driver.set_power_state(info, base.POWER_RESET, timeout=10)
    assert driver.get_boot_device(info)['boot_device'] == (
        base.BOOT_DEVICE_DISK)


def test_ipmi_sensors_with_an_injected_critical_temperature(simulator,
                                                            bmc_conf):
    driver = ipmi.IPMIBMC()
    info = simulator.info('sensors-0')
    sensors = {s['name']: s for s in driver.get_sensors(info)}
    inlet = sensors['Inlet Temp']
    assert inlet['sensor_type'] == 'temperature'
    assert inlet['units'] == 'C'
    assert inlet['status'] == base.SENSOR_OK
    assert inlet['thresholds'] == {
        'lower_critical': 0.0, 'lower_major': 3.0, 'lower_minor': 8.0,
        'upper_minor': 38.0, 'upper_major': 42.0, 'upper_critical': 48.0}
    assert {s['sensor_type'] for s in sensors.values()} >= {
        'temperature', 'fan', 'voltage'}
    path = '/bmcs/sensors-0/sensors/%s' % urllib.parse.quote('Inlet Temp')
    for value, status in ((40.0, base.SENSOR_MINOR),
                          (45.0, base.SENSOR_MAJOR),
                          (55.0, base.SENSOR_CRITICAL)):
        simulator.control('POST', path, {'reading': value})
        inlet = {s['name']: s for s in driver.get_sensors(info)}[
            'Inlet Temp']
        assert (inlet['reading'], inlet['status']) == (
            pytest.approx(value, abs=0.6), status)


def test_ipmi_wrong_password_is_access_denied(simulator, bmc_conf,
                                              all_logs):
    driver = ipmi.IPMIBMC()
    started = time.monotonic()
    with pytest.raises(exception.BMCAccessDenied) as caught:
        driver.get_power_state(simulator.info('auth-0', WRONG_PASSWORD))
    assert time.monotonic() - started < IPMI_TIMEOUT
    text = str(caught.value) + repr(caught.value.kwargs)
    assert WRONG_PASSWORD not in text
    assert IPMI_PASSWORD not in text
    assert not any(WRONG_PASSWORD in line for line in all_logs)
    assert driver.get_power_state(simulator.info('auth-0')) == base.POWER_ON


def test_ipmi_bmc_not_answering_times_out_within_the_bound(simulator,
                                                           bmc_conf):
    driver = ipmi.IPMIBMC()
    info = simulator.info('dead-0')
    assert driver.get_power_state(info) == base.POWER_ON
    simulator.control('POST', '/bmcs/dead-0', {'answering': False})
    try:
        started = time.monotonic()
        with pytest.raises(exception.BMCTimeout):
            driver.get_power_state(info)
        elapsed = time.monotonic() - started
        # One request on the old session, one login on a fresh one.
        bound = (IPMI_RETRIES + 1) * IPMI_TIMEOUT + RETRY_BACKOFF
        assert bound - 0.1 <= elapsed <= bound + 1.0, elapsed
        with pytest.raises(exception.BMCTimeout):
            driver.set_power_state(info, base.POWER_OFF, timeout=5)
    finally:
        simulator.control('POST', '/bmcs/dead-0', {'answering': True})
    assert driver.get_power_state(info) == base.POWER_ON


# Redfish against sushy-emulator --fake.

def test_redfish_power_changes_confirmed(emulator, bmc_conf):
    driver = redfish.RedfishBMC()
    plans = {'system-0': (base.POWER_ON, base.POWER_ON),
             'system-1': (base.POWER_RESET, base.POWER_ON),
             'system-2': (base.POWER_CYCLE, base.POWER_ON),
             'system-3': (base.POWER_SOFT_OFF, base.POWER_OFF)}

    def change(system):
        target, state = plans[system]
        info = emulator.info(system)
        assert driver.set_power_state(
            info, target, timeout=REDFISH_POWER_TIMEOUT) == state
        return driver.get_power_state(info)

    with concurrent.futures.ThreadPoolExecutor(len(plans)) as pool:
        results = dict(zip(plans, pool.map(change, plans)))
    assert results == {system: state
                       for system, (_, state) in plans.items()}


def test_redfish_boot_device_and_system_choice(emulator, bmc_conf):
    driver = redfish.RedfishBMC()
    with pytest.raises(exception.InvalidParameterValue) as caught:
        driver.get_boot_device(emulator.info())
    assert caught.value.field == 'system_id'
    info = emulator.info('system-1')
    driver.set_boot_device(info, base.BOOT_DEVICE_NETWORK, persistent=True)
    assert driver.get_boot_device(info) == {
        'boot_device': base.BOOT_DEVICE_NETWORK, 'persistent': True}
    # The emulator reads a one-time override back as continuous.
    driver.set_boot_device(info, base.BOOT_DEVICE_DISK)
    assert driver.get_boot_device(info)['boot_device'] == (
        base.BOOT_DEVICE_DISK)


def test_redfish_sensors(emulator, bmc_conf):
    sensors = {s['name']: s for s in redfish.RedfishBMC().get_sensors(
        emulator.info('system-0'))}
    intake = sensors['Chassis Intake Temp']
    assert (intake['sensor_type'], intake['reading'], intake['units'],
            intake['status']) == ('temperature', 25.0, 'C', base.SENSOR_OK)
    assert intake['thresholds'] == {
        'upper_minor': 30.0, 'upper_major': 40.0, 'upper_critical': 50.0,
        'lower_minor': 10.0, 'lower_major': 5.0, 'lower_critical': 0.0}
    assert sensors['BaseBoard System Fan']['units'] == 'RPM'


def test_redfish_wrong_password_and_no_service(auth_emulator, bmc_conf,
                                               all_logs):
    driver = redfish.RedfishBMC()
    assert driver.get_power_state(auth_emulator.info()) == base.POWER_ON
    with pytest.raises(exception.BMCAccessDenied) as caught:
        driver.get_power_state(auth_emulator.info(password=WRONG_PASSWORD))
    assert WRONG_PASSWORD not in str(caught.value)
    assert not any(WRONG_PASSWORD in line for line in all_logs)
    closed = dict(auth_emulator.info(), port=functional.free_port())
    started = time.monotonic()
    with pytest.raises(exception.BMCTimeout):
        driver.get_power_state(closed)
    assert time.monotonic() - started < 2


# DynamicBMC.

def test_dynamic_picks_redfish_then_ipmi(simulator, auth_emulator,
                                         bmc_conf):
    driver = dynamic.DynamicBMC()
    info = {'address': '127.0.0.1', 'username': 'admin',
            'password': REDFISH_PASSWORD}
    bmc_conf.config(group='bmc', redfish_port=auth_emulator.port)
    assert driver.get_power_state(info) == base.POWER_ON
    assert driver.protocol(info) == dynamic.REDFISH

    # No Redfish service on the port: IPMI, on [bmc] ipmi_port.
    dynamic.DynamicBMC.forget()
    bmc_conf.config(group='bmc', redfish_port=functional.free_port(),
                    ipmi_port=simulator.ports['power-0'])
    info = dict(info, password=IPMI_PASSWORD)
    assert driver.get_power_state(info) in base.POWER_STATES
    assert driver.protocol(info) == dynamic.IPMI
    assert driver.get_boot_device(info)['persistent'] in (True, False)

    with pytest.raises(exception.InvalidParameterValue):
        driver.get_power_state(dict(info, port=623))


def test_passwords_never_logged(simulator, auth_emulator, bmc_conf,
                                all_logs):
    ipmi_driver, redfish_driver = ipmi.IPMIBMC(), redfish.RedfishBMC()
    errors = []
    for call in (
            lambda: ipmi_driver.get_sensors(simulator.info('sensors-0')),
            lambda: ipmi_driver.set_power_state(
                simulator.info('sensors-0'), base.POWER_ON, timeout=5),
            lambda: ipmi_driver.get_power_state(
                simulator.info('sensors-0', WRONG_PASSWORD)),
            lambda: redfish_driver.get_sensors(auth_emulator.info()),
            lambda: redfish_driver.set_boot_device(
                auth_emulator.info(), base.BOOT_DEVICE_NETWORK),
            lambda: redfish_driver.get_power_state(
                auth_emulator.info(password=WRONG_PASSWORD))):
        try:
            call()
        except exception.StxException as error:
            errors.append('%s %r' % (error, error.kwargs))
    assert len(errors) == 2
    text = '\n'.join(all_logs + errors)
    # The capture works: sushy and urllib3 logged the requests.
    assert any(line.startswith('sushy.') for line in all_logs)
    assert any(line.startswith('urllib3.') for line in all_logs)
    for secret in (IPMI_PASSWORD, REDFISH_PASSWORD, WRONG_PASSWORD):
        assert secret not in text
    assert common.known_secrets() >= {IPMI_PASSWORD, REDFISH_PASSWORD}
