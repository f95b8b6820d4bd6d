"""RedfishBMC: the Redfish BMC driver, over sushy.

The service is ``<scheme>://<address>[:<port>]/redfish/v1`` with the scheme
from ``[bmc] redfish_scheme`` (https; http for lab emulators) and the port
from bmc_info, else ``[bmc] redfish_port``, else the scheme's default.
``[bmc] redfish_verify_ca`` says how the TLS certificate is checked. So
``bm_ip = 127.0.0.1:18000`` with ``redfish_scheme = http`` reaches a
``sushy-emulator`` on that port.

System. A service may manage several computer systems: bmc_info's
``system_id`` names one (its Id, its path or its Name); without it the
service must have exactly one.

Power. Targets map to ComputerSystem.Reset types: on to On (ForceOn if On
is not offered), off to ForceOff, soft-off to GracefulShutdown, reset to
ForceRestart, cycle to PowerCycle (ForceOff, confirmed, then On if the
service does not offer PowerCycle). A reset or cycle of a system that is
off sends On instead. The driver then reads the system until its
PowerState is the expected On or Off (PoweringOn and PoweringOff are not
confirmations) or the timeout passes. get_power_state reports PoweringOn
as on and PoweringOff as off, as Ironic does.

Boot device. network, disk, cdrom and bios are BootSourceOverrideTarget
Pxe, Hdd, Cd and BiosSetup; persistent is BootSourceOverrideEnabled
Continuous, else Once. An override that is Disabled (or another target)
reads back as None.

Sensors. Read from the Thermal and Power resources of the system's chassis
(of every chassis if the system names none): Temperatures (C), Fans (RPM
or %), PowerSupplies (their output, W), Voltages (V) and PowerControl
(consumed power, W). Thresholds map UpperThresholdNonCritical /
UpperThresholdCritical / UpperThresholdFatal (and Lower*) to
``upper_minor`` / ``upper_major`` / ``upper_critical`` (``lower_*``): the
same three levels as IPMI's non-critical, critical and non-recoverable.
The status is the worse of the reading against those thresholds and the
resource's Status.Health (Warning is ``minor``, Critical ``major``); the
translation is stx.drivers.bmc.redfish_sensors'. A service whose chassis
have neither Thermal nor Power raises UnsupportedDriverExtension.

Errors, timeouts, retries. Each HTTP request waits at most
``[bmc] redfish_connect_timeout`` to connect and ``redfish_read_timeout``
for the answer; sushy is told to try each request once (and a GET answered
with a 5xx once more). A request that cannot connect or times out is
retried ``[bmc] redfish_retries`` times with a fresh connection after
``[bmc] retry_backoff`` (doubled each time), and then raises BMCTimeout;
a power action that may have been carried out is not sent twice. 401 and
403 raise BMCAccessDenied, never retried; any other failure BMCError.

Connections. One sushy root object per (URL, user, password, TLS
verification) is shared by every RedfishBMC instance, used by one thread at
a time, and dropped when a request fails.

Credentials. sushy logs request bodies at DEBUG but replaces Password
values itself; the shared log filter (see common) masks the password in
any record of sushy, urllib3 and requests as well, and every error message
is masked before it is raised.
"""

import threading
import time

from oslo_log import log as logging
import requests
import sushy
from sushy import exceptions as sushy_exceptions

from stx.common import exception
from stx.conf import CONF
from stx.drivers.bmc import base
from stx.drivers.bmc import common
from stx.drivers.bmc import redfish_sensors

LOG = logging.getLogger(__name__)

ROOT_PATH = '/redfish/v1/'

POWER_STATES = {
    sushy.PowerState.ON: base.POWER_ON,
    sushy.PowerState.POWERING_ON: base.POWER_ON,
    sushy.PowerState.PAUSED: base.POWER_ON,
    sushy.PowerState.OFF: base.POWER_OFF,
    sushy.PowerState.POWERING_OFF: base.POWER_OFF,
}
# Only these count as a confirmation of a power change.
SETTLED_POWER_STATES = {
    sushy.PowerState.ON: base.POWER_ON,
    sushy.PowerState.OFF: base.POWER_OFF,
}

BOOT_DEVICES_TO_REDFISH = {
    base.BOOT_DEVICE_NETWORK: sushy.BootSource.PXE,
    base.BOOT_DEVICE_DISK: sushy.BootSource.HDD,
    base.BOOT_DEVICE_CDROM: sushy.BootSource.CD,
    base.BOOT_DEVICE_BIOS: sushy.BootSource.BIOS_SETUP,
}
BOOT_DEVICES_FROM_REDFISH = {
    target: device for device, target in BOOT_DEVICES_TO_REDFISH.items()}


def base_url(address, port=None, scheme=None):
    """The scheme-and-authority part of a Redfish service's URL.

    :param address: IP address (v4 or v6) or host name.
    :param port: the port, or None for the scheme's default.
    :param scheme: 'https' or 'http'; ``[bmc] redfish_scheme`` if None.
    :returns: e.g. 'https://10.0.0.5' or 'http://[fd00::5]:8000'.
    """
    scheme = scheme or CONF.bmc.redfish_scheme
    host = '[%s]' % address if ':' in address else address
    if port:
        return '%s://%s:%d' % (scheme, host, port)
    return '%s://%s' % (scheme, host)


def verify_setting(value=None):
    """``[bmc] redfish_verify_ca`` as requests wants it: bool or a path."""
    value = CONF.bmc.redfish_verify_ca if value is None else value
    lowered = str(value).strip().lower()
    if lowered in ('true', '1', 'yes', 'on'):
        return True
    if lowered in ('false', '0', 'no', 'off'):
        return False
    return value


class _Unreachable(Exception):
    """A request could not connect or timed out (worth a retry)."""


class _Client:
    """The sushy root of one (URL, user, password, verify), with its lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.root = None
        self.system_paths = {}


class _ClientPool:
    """sushy roots shared by every RedfishBMC; tests call reset()."""

    def __init__(self):
        self._lock = threading.Lock()
        self._clients = {}

    def client(self, key):
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = _Client()
            return client

    def reset(self):
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for client in clients:
            with client.lock:
                client.root = None
                client.system_paths.clear()


_pool = _ClientPool()


def reset_clients():
    """Forget every cached Redfish connection (for tests)."""
    _pool.reset()


class RedfishBMC(base.BMCDriver):
    """Power, boot device and sensors over Redfish (sushy)."""

    def __init__(self):
        common.install_log_filter()

    # Interface.

    def get_properties(self):
        """See :meth:`BMCDriver.get_properties`."""
        properties = dict(base.COMMON_PROPERTIES)
        properties['port'] = ('TCP port of the Redfish service; '
                              '[bmc] redfish_port, else the scheme\'s '
                              'default, if absent. Optional.')
        properties['system_id'] = ('Id, path or Name of the computer '
                                   'system when the service manages '
                                   'several. Optional.')
        return properties

    def validate(self, bmc_info):
        """See :meth:`BMCDriver.validate`.

        :raises: InvalidParameterValue if system_id is given and is not a
            non-empty string.
        """
        base.check_bmc_info(bmc_info)
        system_id = bmc_info.get('system_id')
        if system_id is not None and (not isinstance(system_id, str) or
                                      not system_id):
            raise exception.InvalidParameterValue(
                field='system_id', reason='expected a non-empty string')

    def get_power_state(self, bmc_info):
        """See :meth:`BMCDriver.get_power_state`.

        :raises: BMCAccessDenied, BMCTimeout or BMCError.
        """
        self.validate(bmc_info)
        return self._call(bmc_info, lambda client: self._power_state(
            self._system(client, bmc_info), bmc_info))

    def set_power_state(self, bmc_info, target, timeout=None):
        """See :meth:`BMCDriver.set_power_state` and the module docstring.

        :raises: BMCTimeout if the service does not answer or does not
            confirm the state within timeout; BMCAccessDenied, BMCError.
        """
        common.check_power_target(target)
        timeout = common.check_timeout(timeout)
        self.validate(bmc_info)
        if timeout is None:
            timeout = CONF.bmc.power_confirm_timeout
        deadline = common.Deadline(timeout)
        expected = common.RESULTING_STATE[target]

        def start(client):
            system = self._system(client, bmc_info)
            current = SETTLED_POWER_STATES.get(system.power_state)
            if current == expected and target in (
                    base.POWER_ON, base.POWER_OFF, base.POWER_SOFT_OFF):
                return None
            allowed = {value.value for value in
                       system.get_allowed_reset_system_values()}
            if (target in (base.POWER_RESET, base.POWER_CYCLE) and
                    POWER_STATES.get(system.power_state) == base.POWER_OFF):
                plan = [self._on_type(allowed, bmc_info)]
            elif target == base.POWER_CYCLE:
                if sushy.ResetType.POWER_CYCLE.value in allowed:
                    plan = [sushy.ResetType.POWER_CYCLE]
                else:
                    plan = [sushy.ResetType.FORCE_OFF,
                            self._on_type(allowed, bmc_info)]
            else:
                plan = [{base.POWER_ON: self._on_type(allowed, bmc_info),
                         base.POWER_OFF: sushy.ResetType.FORCE_OFF,
                         base.POWER_SOFT_OFF:
                             sushy.ResetType.GRACEFUL_SHUTDOWN,
                         base.POWER_RESET: sushy.ResetType.FORCE_RESTART,
                         }[target]]
            for reset_type in plan:
                if reset_type.value not in allowed:
                    raise exception.BMCError(
                        address=bmc_info['address'],
                        reason='the system does not offer reset type %s '
                        '(offers: %s)' % (reset_type.value,
                                          ', '.join(sorted(allowed))))
            return plan

        plan = self._call(bmc_info, start)
        if plan is None:
            return expected
        for number, reset_type in enumerate(plan):
            # ForceOff before On: On must wait until Off is confirmed.
            waits_for = (base.POWER_OFF if number < len(plan) - 1
                         else expected)
            self._call(bmc_info, lambda client: self._system(
                client, bmc_info).reset_system(reset_type),
                retry=reset_type in (sushy.ResetType.ON,
                                     sushy.ResetType.FORCE_ON,
                                     sushy.ResetType.FORCE_OFF,
                                     sushy.ResetType.GRACEFUL_SHUTDOWN))
            LOG.info('Redfish service %(address)s accepted %(reset)s; '
                     'waiting up to %(timeout).1f s for %(state)s',
                     {'address': bmc_info['address'],
                      'reset': reset_type.value,
                      'timeout': deadline.remaining(), 'state': waits_for})
            self._confirm(bmc_info, target, waits_for, deadline, timeout)
        return expected

    def get_boot_device(self, bmc_info):
        """See :meth:`BMCDriver.get_boot_device`.

        :raises: BMCAccessDenied, BMCTimeout or BMCError.
        """
        self.validate(bmc_info)

        def read(client):
            boot = self._system(client, bmc_info).boot
            enabled = getattr(boot, 'enabled', None)
            if enabled not in (sushy.BootSourceOverrideEnabled.ONCE,
                               sushy.BootSourceOverrideEnabled.CONTINUOUS):
                return {'boot_device': None, 'persistent': None}
            continuous = sushy.BootSourceOverrideEnabled.CONTINUOUS
            device = BOOT_DEVICES_FROM_REDFISH.get(getattr(boot, 'target',
                                                           None))
            return {'boot_device': device, 'persistent': enabled == continuous}

        return self._call(bmc_info, read)

    def set_boot_device(self, bmc_info, device, persistent=False):
        """See :meth:`BMCDriver.set_boot_device`.

        :raises: BMCAccessDenied, BMCTimeout or BMCError.
        """
        common.check_boot_device(device)
        self.validate(bmc_info)
        enabled = (sushy.BootSourceOverrideEnabled.CONTINUOUS if persistent
                   else sushy.BootSourceOverrideEnabled.ONCE)
        self._call(bmc_info, lambda client: self._system(
            client, bmc_info).set_system_boot_options(
                target=BOOT_DEVICES_TO_REDFISH[device], enabled=enabled))

    def get_sensors(self, bmc_info):
        """See :meth:`BMCDriver.get_sensors` and the module docstring.

        :raises: UnsupportedDriverExtension if no chassis of the system has
            a Thermal or Power resource.
        :raises: BMCAccessDenied, BMCTimeout or BMCError.
        """
        self.validate(bmc_info)

        def read(client):
            system = self._system(client, bmc_info)
            chassis = system.chassis or [
                client.root.get_chassis(path) for path in
                client.root.get_chassis_collection().members_identities]
            found = []
            for item in chassis:
                sensors = []
                if item.json.get('Thermal'):
                    sensors += redfish_sensors.from_thermal(item.thermal.json)
                if item.json.get('Power'):
                    sensors += redfish_sensors.from_power(item.power.json)
                if sensors or item.json.get('Thermal') or item.json.get(
                        'Power'):
                    found.append((item.identity, sensors))
            if not found:
                raise exception.UnsupportedDriverExtension(
                    driver=type(self).__name__,
                    extension='sensors (no chassis of the system has '
                              'Thermal or Power)')
            if len(found) == 1:
                return found[0][1]
            # Several chassis: their sensors may share names.
            return [dict(sensor, name='%s %s' % (identity, sensor['name']))
                    for identity, sensors in found for sensor in sensors]

        return self._call(bmc_info, read)

    # Helpers.

    @staticmethod
    def _on_type(allowed, bmc_info):
        if sushy.ResetType.ON.value in allowed:
            return sushy.ResetType.ON
        return sushy.ResetType.FORCE_ON

    @staticmethod
    def _power_state(system, bmc_info):
        state = POWER_STATES.get(system.power_state)
        if state is None:
            raise exception.BMCError(
                address=bmc_info['address'],
                reason='unknown PowerState %r' % (system.power_state,))
        return state

    def _confirm(self, bmc_info, target, expected, deadline, timeout):
        def read(left):
            return self._call(bmc_info, lambda client: SETTLED_POWER_STATES
                              .get(self._system(client, bmc_info)
                                   .power_state), retry=False)

        confirmed, last = common.poll(
            read, lambda state: state == expected, deadline.remaining(),
            CONF.bmc.power_poll_interval, tolerate=(exception.BMCTimeout,))
        if not confirmed:
            raise exception.BMCTimeout(
                address=bmc_info['address'],
                reason='power %s not confirmed (%s) within %.1f s (last '
                'read: %s)' % (target, expected, timeout, last))

    @staticmethod
    def _system(client, bmc_info):
        """Fetch the system (one GET, two the first time)."""
        system_id = bmc_info.get('system_id')
        path = client.system_paths.get(system_id)
        if path is None:
            members = client.root.get_system_collection().members_identities
            if system_id is None:
                if len(members) != 1:
                    raise exception.InvalidParameterValue(
                        field='system_id',
                        reason='the Redfish service at %s manages %d '
                        'systems (%s); name one' % (
                            bmc_info['address'], len(members),
                            ', '.join(sorted(members)) or 'none'))
                path = members[0]
            else:
                path = next((member for member in members
                             if member == system_id or
                             member.rstrip('/').rsplit('/', 1)[-1] ==
                             system_id), None)
                if path is None:
                    path = next((member for member in members
                                 if client.root.get_system(member).name ==
                                 system_id), None)
                if path is None:
                    raise exception.InvalidParameterValue(
                        field='system_id',
                        reason='the Redfish service at %s has no system %r '
                        '(has: %s)' % (bmc_info['address'], system_id,
                                       ', '.join(sorted(members))))
            client.system_paths[system_id] = path
        return client.root.get_system(path)

    def _call(self, bmc_info, request, retry=True):
        """Run request(client) with a connected root, bounded and retried.

        :param request: called with the _Client (its root connected).
        :param retry: whether a request that could not connect or timed
            out may be sent again.
        :returns: what request returns.
        :raises: BMCAccessDenied, BMCTimeout, BMCError, or what request
            raises itself.
        """
        address = bmc_info['address']
        port = bmc_info.get('port') or CONF.bmc.redfish_port
        url = base_url(address, port)
        username, password = bmc_info['username'], bmc_info['password']
        secrets = (password,)
        common.remember_secret(password)
        verify = verify_setting()
        client = _pool.client((url, username, common.secret_key(password),
                               str(verify)))

        def attempt(number):
            with client.lock:
                return self._attempt(client, url, username, password,
                                     verify, request, secrets, address,
                                     fresh=number > 0)

        started = time.monotonic()
        try:
            return common.call_with_retries(
                attempt, CONF.bmc.redfish_retries if retry else 0,
                CONF.bmc.retry_backoff, (_Unreachable,),
                what='Redfish request to %s' % url)
        except _Unreachable as err:
            raise exception.BMCTimeout(
                address=address, reason='%s after %.1f s' % (
                    err, time.monotonic() - started)) from None

    @staticmethod
    def _connect(url, username, password, verify):
        common.install_log_filter()
        return sushy.Sushy(
            url, username=username, password=password, verify=verify,
            root_prefix=ROOT_PATH,
            # 1 means one try (sushy's 0 means its default of 3) and, for a
            # GET answered with a 5xx, one more after the backoff.
            server_side_retries=1,
            server_side_retries_delay=CONF.bmc.retry_backoff,
            connect_timeout=CONF.bmc.redfish_connect_timeout,
            read_timeout=CONF.bmc.redfish_read_timeout)

    def _attempt(self, client, url, username, password, verify, request,
                 secrets, address, fresh):
        if fresh:
            client.root = None
        try:
            if client.root is None:
                client.system_paths.clear()
                client.root = self._connect(url, username, password, verify)
            return request(client)
        except exception.StxException:
            raise
        except sushy_exceptions.AccessError as err:
            client.root = None
            raise common.error(exception.BMCAccessDenied, address,
                               'HTTP %s from %s' % (err.status_code, url),
                               secrets) from None
        except (sushy_exceptions.ConnectionError,
                requests.exceptions.RequestException) as err:
            client.root = None
            raise _Unreachable(common.mask(err, secrets)) from None
        except sushy_exceptions.HTTPError as err:
            client.root = None
            raise common.error(exception.BMCError, address, err,
                               secrets) from None
        except sushy_exceptions.SushyError as err:
            client.root = None
            raise common.error(exception.BMCError, address, err,
                               secrets) from None
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            # A service whose answers sushy cannot parse.
            client.root = None
            LOG.debug('Redfish request to %(url)s failed', {'url': url},
                      exc_info=True)
            raise common.error(exception.BMCError, address,
                               '%s: %s' % (type(err).__name__, err),
                               secrets) from None
