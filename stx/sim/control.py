"""Running a rack of simulated BMCs, and changing it while it runs.

``Rack`` serves every BMC of a configuration in one process from one
thread. pyghmi's own loop (``Bmc.listen``) can serve several BMCs too, its
``Session.bmc_handlers`` routing by client address and BMC port, but its
I/O thread wakes on select() and then tries recvfrom() on every socket it
has: each datagram costs O(number of BMCs), and select() cannot watch a
descriptor above 1023. With 500 BMCs on a 2-core machine a get_power took
3.3 ms (p50) through pyghmi's loop and 0.4 ms through this one, which
waits on epoll (``selectors``) and hands each datagram to the same pyghmi
session objects; pyghmi's I/O thread never starts in this process.

``PowerHooks`` runs the BMCs' power hooks; ``ControlServer`` is the HTTP
control endpoint that tests and operators use to inject faults::

    GET    /bmcs                          {"bmcs": [BMC, ...]}
    GET    /bmcs/<name>                   BMC
    POST   /bmcs/<name>                   {"answering": false}, {"power":
                                          "off"}, {"password": "new"} -> BMC
    GET    /bmcs/<name>/sensors/<sensor>  sensor
    PUT    /bmcs/<name>/sensors/<sensor>  {"reading": 95.0} -> sensor; a new
                                          sensor: its definition (201)
    POST   (the same as PUT)
    DELETE /bmcs/<name>/sensors/<sensor>  204

Errors are ``{"error": {"code": ..., "message": ...}}``, codes below.
Every request holds ``Rack.lock``, which the IPMI thread holds while it
answers a datagram: neither sees a BMC half-changed.
"""

import collections
import http
import http.server
import json
import logging
import os
import queue
import re
import resource
import selectors
import socket
import subprocess
import threading
import time
import urllib.parse

from stx.sim import bmc as sim_bmc
from stx.sim import config as sim_config
from stx.sim import ipmi_records

LOG = logging.getLogger(__name__)

SELECT_TIMEOUT = 1.0   # the IPMI thread's longest sleep, in seconds
SWEEP_INTERVAL = 10    # seconds between sweeps of idle IPMI sessions
# Hooks of different BMCs run side by side, up to this many; the hooks of
# one BMC run one after the other, in order.
MAX_RUNNING_HOOKS = 32
# Descriptors a rack needs besides one per BMC: stdio, epoll, the control
# server and its connections, hook pipes.
SPARE_DESCRIPTORS = 128

ERROR_BMC_NOT_FOUND = 'stx.bmcsim.bmc_not_found'
ERROR_SENSOR_NOT_FOUND = 'stx.bmcsim.sensor_not_found'
ERROR_INVALID = 'stx.bmcsim.invalid_request'
ERROR_NO_ROUTE = 'stx.bmcsim.no_route'
ERROR_METHOD = 'stx.bmcsim.method_not_allowed'
MAX_BODY = 64 * 1024

# What a request may change on a BMC, and on a sensor without changing its
# definition (so without a new SDR).
CHANGE_KEYS = ('answering', 'power', 'password', 'username', 'boot_device',
               'boot_persistent')
SENSOR_STATE_KEYS = ('reading', 'available')


class HTTPError(Exception):

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code


def _not_found(code, message):
    return HTTPError(http.HTTPStatus.NOT_FOUND, code, message)


class PowerHooks:
    """Runs power hooks as child processes, outside the IPMI thread.

    Forking in the IPMI thread would stall every BMC for as long as a fork
    takes, and waiting there for a hook as long as the hook runs; this
    thread starts hooks and reaps them instead.
    """

    # While hooks run or wait, how often to look for ended ones; idle, the
    # thread sleeps until a hook is submitted.
    POLL_INTERVAL = 0.05

    def __init__(self):
        self._queue = queue.Queue()
        self._pending = collections.deque()
        self._running = {}  # BMC name -> Popen
        self._thread = None

    def submit(self, bmc_name, command, environment):
        self._queue.put((bmc_name, command, environment))

    def start(self):
        self._thread = threading.Thread(target=self._run, name='power-hooks',
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout=2):
        """Start no more hooks; those running are left to finish."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _run(self):
        while True:
            busy = self._running or self._pending
            try:
                item = self._queue.get(
                    timeout=self.POLL_INTERVAL if busy else None)
            except queue.Empty:
                item = ()
            if item is None:
                return
            if item:
                self._pending.append(item)
            self._reap()
            self._start_pending()

    def _start_pending(self):
        waiting = collections.deque()
        while self._pending and len(self._running) < MAX_RUNNING_HOOKS:
            bmc_name, command, environment = self._pending.popleft()
            if bmc_name in self._running:
                waiting.append((bmc_name, command, environment))
                continue
            try:
                # stdout to stderr: the simulator's stdout is its ready line.
                self._running[bmc_name] = subprocess.Popen(
                    command, shell=True, stdin=subprocess.DEVNULL, stdout=2,
                    env=dict(os.environ, **environment))
            except OSError as error:
                LOG.error('%(bmc)s: power hook %(command)r did not start: '
                          '%(error)s', {'bmc': bmc_name, 'command': command,
                                        'error': error})
        waiting.extend(self._pending)
        self._pending = waiting

    def _reap(self):
        for bmc_name, process in list(self._running.items()):
            status = process.poll()
            if status is not None:
                del self._running[bmc_name]
                if status:
                    LOG.warning('%(bmc)s: power hook exited with status '
                                '%(status)s',
                                {'bmc': bmc_name, 'status': status})


class Rack:
    """The BMCs of one configuration, served by one thread.

    The IPMI thread answers datagrams under ``lock``; whoever else reads or
    changes a BMC takes it too.
    """

    def __init__(self, bmc_configs, address='127.0.0.1'):
        self.address = address
        self.lock = threading.Lock()
        self.hooks = PowerHooks()
        self.bmcs = {c.name: sim_bmc.SimulatedBMC(c, self.hooks)
                     for c in bmc_configs}
        self._selector = None
        self._thread = None
        self._stopping = threading.Event()
        self._wakeup = ()

    def start(self):
        """Bind every BMC, then serve them all from a thread.

        :raises: StartupError if a port cannot be bound or the process may
            not open enough descriptors.
        """
        _ensure_descriptors(len(self.bmcs) + SPARE_DESCRIPTORS)
        self._selector = selectors.DefaultSelector()
        self._wakeup = socket.socketpair()
        self._selector.register(self._wakeup[0], selectors.EVENT_READ, None)
        try:
            for bmc in self.bmcs.values():
                bmc.bind(self.address)
                self._selector.register(bmc.serversocket,
                                        selectors.EVENT_READ, bmc)
        except BaseException:
            self._close()
            raise
        self.hooks.start()
        self._thread = threading.Thread(target=self._serve, name='ipmi',
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout=5):
        self._stopping.set()
        if self._thread is not None:
            self._wakeup[1].send(b'\0')
            self._thread.join(timeout)
            self._thread = None
        self.hooks.stop()
        self._close()

    def _close(self):
        with self.lock:
            for bmc in self.bmcs.values():
                bmc.close()
        if self._selector is not None:
            self._selector.close()
            self._selector = None
        for sock in self._wakeup:
            sock.close()
        self._wakeup = ()

    def _serve(self):
        next_sweep = time.monotonic() + SWEEP_INTERVAL
        while not self._stopping.is_set():
            events = self._selector.select(SELECT_TIMEOUT)
            with self.lock:
                for key, _ in events:
                    if key.data is not None:
                        key.data.receive()
                now = time.monotonic()
                if now >= next_sweep:
                    next_sweep = now + SWEEP_INTERVAL
                    for bmc in self.bmcs.values():
                        bmc.expire_sessions(now)

    def get(self, name):
        if name not in self.bmcs:
            raise _not_found(ERROR_BMC_NOT_FOUND, 'no BMC named %r' % name)
        return self.bmcs[name]


def _ensure_descriptors(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise sim_bmc.StartupError(
            '%d descriptors are needed but the limit is %d (ulimit -n); '
            'simulate fewer BMCs per process' % (needed, hard))
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


# What the endpoint does: plain functions of a BMC, called under the lock.

def describe_sensor(sensor, powered):
    reading, status = sensor.decoded(powered)
    return {'name': sensor.config.name, 'number': sensor.number,
            'type': sensor.config.type, 'units': sensor.units,
            'reading': reading, 'status': status,
            'injected': sensor.injected, 'available': sensor.available,
            'standby': sensor.config.standby,
            'thresholds': sensor.config.threshold_dict()}


def describe_bmc(bmc):
    (username, _), = bmc.authdata.items()
    return {'name': bmc.name, 'port': bmc.port, 'username': username,
            'power': bmc.get_power_state(), 'boot_device': bmc.boot_device,
            'boot_persistent': bmc.boot_persistent,
            'answering': bmc.answering, 'uuid': str(bmc.uuid),
            'sdr_timestamp': bmc.sdr_timestamp,
            'sensors': [describe_sensor(sensor, bmc.powered)
                        for sensor in bmc.sensors.values()]}


def find_sensor(bmc, name):
    if name not in bmc.sensors:
        raise _not_found(ERROR_SENSOR_NOT_FOUND, 'BMC %s has no sensor %r'
                         % (bmc.name, name))
    return bmc.sensors[name]


def update_bmc(bmc, body):
    """Apply {answering, power, password, username, boot_device,
    boot_persistent}; returns the BMC's description.
    """
    sim_config.as_mapping(body, 'body')
    sim_config.check_keys(body, CHANGE_KEYS, 'body')
    if not body:
        raise sim_config.invalid('body', 'no changes; known keys: %s'
                                 % ', '.join(CHANGE_KEYS))
    checks = {
        'answering': sim_config.as_boolean,
        'power': sim_config.as_power,
        'password': lambda value, path: sim_config.as_text(
            value, path, sim_config.MAX_PASSWORD),
        'username': lambda value, path: sim_config.as_text(
            value, path, sim_config.MAX_USERNAME),
        'boot_device': lambda value, path: sim_config.as_choice(
            value, path, list(ipmi_records.BOOT_DEVICES)),
        'boot_persistent': sim_config.as_boolean,
    }
    # All checked before any applied: a bad request changes nothing.
    changes = {key: checks[key](value, key) for key, value in body.items()}
    if 'username' in changes or 'password' in changes:
        (username, password), = bmc.authdata.items()
        # In place: sessions hold a reference to this dict.
        bmc.authdata.clear()
        bmc.authdata[changes.get('username', username)] = changes.get(
            'password', password)
        LOG.info('%(bmc)s: credentials changed', {'bmc': bmc.name})
    if 'answering' in changes:
        bmc.answering = changes['answering']
        LOG.info('%(bmc)s: %(state)s', {'bmc': bmc.name, 'state': (
            'answering' if bmc.answering else 'not answering')})
    bmc.boot_device = changes.get('boot_device', bmc.boot_device)
    bmc.boot_persistent = changes.get('boot_persistent',
                                      bmc.boot_persistent)
    if 'power' in changes:
        bmc.set_power('on' if changes['power'] else 'off', 'control')
    return describe_bmc(bmc)


def set_sensor(bmc, name, body):
    """Change a sensor's state ({reading, available}) or its definition,
    or add a sensor (the body is then its definition).

    A definition change gives the BMC a new SDR and SDR timestamp.

    :returns: (True if the sensor is new, the sensor's description)
    """
    current = bmc.sensors.get(name)
    sim_config.as_mapping(body, 'body')
    if body.get('name', name) != name:
        raise sim_config.invalid('body.name', 'cannot rename %r' % name)
    state = {}
    if current is None:
        definition = sim_config.parse_sensor(name, body, 'body')
    else:
        if 'reading' in body:
            reading = body['reading']
            state['reading'] = (None if reading is None else
                                sim_config.as_number(reading, 'reading'))
        if 'available' in body:
            state['available'] = sim_config.as_boolean(
                body['available'], 'available')
        changes = {key: value for key, value in body.items()
                   if key not in SENSOR_STATE_KEYS and key != 'name'}
        definition = None
        if changes:
            definition = sim_config.parse_sensor(
                name, sim_config.merge_sensor(current.config, changes),
                'body')
        if not state and definition is None:
            raise sim_config.invalid('body', 'no changes; give reading, '
                                     'available or definition keys')
    if current is None and len(bmc.sensors) >= sim_config.MAX_SENSORS:
        raise sim_config.invalid('body', 'BMC %s has %d sensors already'
                                 % (bmc.name, len(bmc.sensors)))
    if definition is not None:
        bmc.define_sensor(definition)
        LOG.info('%(bmc)s: sensor %(sensor)r defined',
                 {'bmc': bmc.name, 'sensor': name})
    sensor = bmc.sensors[name]
    if state:
        sensor.injected = state.get('reading', sensor.injected)
        sensor.available = state.get('available', sensor.available)
        LOG.info('%(bmc)s: sensor %(sensor)r: %(state)s',
                 {'bmc': bmc.name, 'sensor': name, 'state': state})
    return current is None, describe_sensor(sensor, bmc.powered)


def delete_sensor(bmc, name):
    find_sensor(bmc, name)
    bmc.remove_sensor(name)
    LOG.info('%(bmc)s: sensor %(sensor)r removed',
             {'bmc': bmc.name, 'sensor': name})


# The HTTP surface: every URL in ROUTES, each a call of one function above.

def _sensor_created(rack, body, bmc_name, sensor_name):
    created, sensor = set_sensor(rack.get(bmc_name), sensor_name, body)
    return (http.HTTPStatus.CREATED if created else http.HTTPStatus.OK,
            sensor)


def _sensor_deleted(rack, body, bmc_name, sensor_name):
    delete_sensor(rack.get(bmc_name), sensor_name)
    return http.HTTPStatus.NO_CONTENT, None


def _sensor_shown(rack, body, bmc_name, sensor_name):
    bmc = rack.get(bmc_name)
    return http.HTTPStatus.OK, describe_sensor(find_sensor(bmc, sensor_name),
                                               bmc.powered)


ROUTES = (
    (re.compile(r'^/bmcs/?$'), {
        'GET': lambda rack, body: (http.HTTPStatus.OK, {'bmcs': [
            describe_bmc(bmc) for bmc in rack.bmcs.values()]})}),
    (re.compile(r'^/bmcs/(?P<bmc_name>[^/]+)$'), {
        'GET': lambda rack, body, bmc_name: (
            http.HTTPStatus.OK, describe_bmc(rack.get(bmc_name))),
        'POST': lambda rack, body, bmc_name: (
            http.HTTPStatus.OK, update_bmc(rack.get(bmc_name), body))}),
    (re.compile(r'^/bmcs/(?P<bmc_name>[^/]+)/sensors/(?P<sensor_name>[^/]+)$'),
     {'GET': _sensor_shown, 'PUT': _sensor_created, 'POST': _sensor_created,
      'DELETE': _sensor_deleted}),
)


def dispatch(rack, method, path, body):
    """Serve one request: (HTTP status, JSON-able body or None).

    :raises: HTTPError for an unknown URL or method, a missing BMC or
        sensor, or an invalid body.
    """
    for pattern, methods in ROUTES:
        match = pattern.match(path)
        if not match:
            continue
        if method not in methods:
            raise HTTPError(http.HTTPStatus.METHOD_NOT_ALLOWED, ERROR_METHOD,
                            '%s is not allowed on %s; allowed: %s'
                            % (method, path, ', '.join(sorted(methods))))
        arguments = {key: urllib.parse.unquote(value)
                     for key, value in match.groupdict().items()}
        with rack.lock:
            try:
                return methods[method](rack, body, **arguments)
            except sim_config.ConfigError as error:
                raise HTTPError(http.HTTPStatus.BAD_REQUEST, ERROR_INVALID,
                                str(error))
    raise _not_found(ERROR_NO_ROUTE, 'no resource at %s' % path)


class _Handler(http.server.BaseHTTPRequestHandler):

    server_version = 'stx-bmc-sim'
    protocol_version = 'HTTP/1.1'

    def _serve(self):
        try:
            status, result = dispatch(
                self.server.rack, self.command,
                urllib.parse.urlsplit(self.path).path, self._body())
        except HTTPError as error:
            status = error.status
            result = {'error': {'code': error.code, 'message': str(error)}}
        payload = b'' if result is None else json.dumps(result).encode()
        self.send_response(status)
        if result is not None:
            self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = _serve

    def _body(self):
        length = int(self.headers.get('Content-Length') or 0)
        if length > MAX_BODY:
            raise HTTPError(http.HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                            ERROR_INVALID, 'body over %d bytes' % MAX_BODY)
        if not length:
            return {}
        try:
            return json.loads(self.rfile.read(length))
        except ValueError as error:
            raise HTTPError(http.HTTPStatus.BAD_REQUEST, ERROR_INVALID,
                            'body is not JSON: %s' % error)

    def log_message(self, fmt, *args):
        LOG.debug('control: ' + fmt, *args)


class ControlServer:
    """The control endpoint's HTTP server, in threads of its own."""

    def __init__(self, rack, address='127.0.0.1', port=0):
        self._server = http.server.ThreadingHTTPServer((address, port),
                                                       _Handler)
        self._server.daemon_threads = True
        self._server.rack = rack
        self._thread = None

    @property
    def port(self):
        return self._server.server_address[1]

    def start(self):
        # A short poll interval: stop() waits for the next poll.
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        args=(0.1,), name='control',
                                        daemon=True)
        self._thread.start()

    def stop(self):
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
