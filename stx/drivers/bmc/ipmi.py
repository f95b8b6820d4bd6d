"""IPMIBMC: the IPMI 2.0 (RMCP+, "lanplus") BMC driver, over pyghmi.

Power, boot device and sensors of a host through pyghmi's IPMI client
(``pyghmi.ipmi.command.Command``), UDP port 623 unless bmc_info or
``[bmc] ipmi_port`` names another.

Power. ``get_power_state`` sends one Get Chassis Status. ``set_power_state``
reads the state, sends one Chassis Control and then reads the state until
the BMC confirms the result: off for off and soft-off (ACPI shutdown),
on for on, reset (hard reset) and cycle (power cycle); a reset or cycle of a
host that is off powers it on. A reset or cycle counts as confirmed when
the BMC reports on after accepting the command.

Boot devices. pyghmi's names map to the interface's: network (also 'net',
'pxe') to ``network``, hd to ``disk``, optical (cd, dvd) to ``cdrom``,
setup (bios, f1) to ``bios``; pyghmi's 'default' (no override) and
anything else read back as None.

Sensors. Each pyghmi ``SensorReading`` becomes one sensor dict:

* ``sensor_type``: pyghmi's type lower-cased, with 'Power Supply' as
  ``power-supply`` (so 'temperature', 'fan', 'voltage', 'current', 'power'
  and 'power-supply' come out as the interface names them);
* ``reading`` and ``units`` ('°C' shown as 'C'); None for a discrete
  sensor and for one the BMC marks unavailable (not scanning, or reading
  unavailable), whose status is then ``ok`` since IPMI gives it none;
* ``status`` from the health bits pyghmi derives from the threshold
  comparison bits of Get Sensor Reading (or from its event tables for a
  discrete sensor), the worst one winning:

  ==========================  ===============  ===========
  IPMI threshold crossed      pyghmi health    status
  ==========================  ===============  ===========
  none                        Ok               ``ok``
  non-critical (LNC, UNC)     Warning          ``minor``
  critical (LC, UC)           Critical         ``major``
  non-recoverable (LNR, UNR)  Failed           ``critical``
  ==========================  ===============  ===========

  IPMI's three levels are the interface's three severities, in order: a
  non-critical crossing wants attention, a critical one is outside the
  component's specified range, a non-recoverable one means damage.
* ``thresholds``: pyghmi never reads them, so with
  ``[bmc] ipmi_read_thresholds`` the driver sends Get Sensor Thresholds
  (netfn 0x04, cmd 0x27) for each linear threshold sensor and converts the
  raw values with the sensor's SDR formula: LNC/UNC to ``lower_minor`` /
  ``upper_minor``, LC/UC to ``*_major``, LNR/UNR to ``*_critical``. A BMC
  that refuses the command is not asked again in that session.

Login and SHA-256. pyghmi proposes cipher suite 17 (RAKP-HMAC-SHA256)
first and does not look at the algorithms the BMC accepts; a BMC that
answers "OK, SHA-1" (pyghmi's own server, hence virtualbmc and stx-bmc-sim,
and older firmware) makes the login fail in ``_got_rakp2`` with a
``struct.error``. The driver's session class follows the BMC's choice: when
the Open Session Response selects RAKP-HMAC-SHA1 it switches to suite 3
before RAKP 1 is sent. BMCs that accept SHA-256 keep it, BMCs that refuse
it (status 0x11) get pyghmi's own retry with SHA-1. This is a subclass
used only by this driver: pyghmi itself is not patched, so any other pyghmi
user in the process sees no change (setting ``attemptedhash = 1`` after
every ``_initsession`` would work too, but would force SHA-1 on every BMC
and, done to pyghmi's class, on every user).

Credentials are handed to pyghmi as bytes: given str, pyghmi 1.6.19 never
removes a session from its ``initting_sessions`` table (it deletes with a
bytes key), so a later Command for the same BMC and user is handed the old,
broken or still-busy session and fails or hangs.

Timeouts and retries. pyghmi's client retransmits a request after 0.5-1 s,
then 1 s more each time, logs in again, and gives up after about 30 s (5 s
for a login). The driver's session bounds every request, and the login,
by ``[bmc] ipmi_timeout``: retransmission timers never run past that
deadline, and when it passes the request fails like pyghmi's own final
timeout. A request that got no answer is retried ``[bmc] ipmi_retries``
times with a fresh session after ``[bmc] retry_backoff`` (doubled each
time); a refused password raises BMCAccessDenied at once, no answer raises
BMCTimeout, and anything else the BMC answers raises BMCError. A Chassis
Control that resets or cycles is not sent twice.

Sessions. One logged-in Command per (address, port, user, password) is
shared by every IPMIBMC instance, used by one thread at a time, and closed
(Close Session) when a request on it fails, or once it has been idle for
``[bmc] ipmi_session_idle_timeout`` (at its next use, or by a sweep every
5 s, which also closes the sessions of credentials no longer used): BMCs
drop idle sessions and keep only a few.

Threads. The driver is called from many threads at once; pyghmi 1.6.19's
client is not safe for that as released, and stx.drivers.bmc.ipmi_sessions
holds its session class and the fixes.
"""

import time

from oslo_log import log as logging
from pyghmi import exceptions as pyghmi_exceptions

from stx.common import exception
from stx.conf import CONF
from stx.drivers.bmc import base
from stx.drivers.bmc import common
from stx.drivers.bmc import ipmi_sensors
from stx.drivers.bmc import ipmi_sessions

LOG = logging.getLogger(__name__)

# IPMI 2.0 limits (RAKP user name and password fields).
MAX_USERNAME_BYTES = 16
MAX_PASSWORD_BYTES = 20

# Chassis Control (netfn 0x00, cmd 0x02) directives.
_CHASSIS_OFF = 0
_CHASSIS_ON = 1
_CHASSIS_CYCLE = 2
_CHASSIS_RESET = 3
_CHASSIS_SOFT_OFF = 5

_NETFN_CHASSIS = 0x00
_CMD_CHASSIS_STATUS = 0x01
_CMD_CHASSIS_CONTROL = 0x02

BOOT_DEVICES_TO_IPMI = {
    base.BOOT_DEVICE_NETWORK: 'network',
    base.BOOT_DEVICE_DISK: 'hd',
    base.BOOT_DEVICE_CDROM: 'optical',
    base.BOOT_DEVICE_BIOS: 'setup',
}
BOOT_DEVICES_FROM_IPMI = {
    'network': base.BOOT_DEVICE_NETWORK,
    'net': base.BOOT_DEVICE_NETWORK,
    'pxe': base.BOOT_DEVICE_NETWORK,
    'hd': base.BOOT_DEVICE_DISK,
    'optical': base.BOOT_DEVICE_CDROM,
    'cd': base.BOOT_DEVICE_CDROM,
    'cdrom': base.BOOT_DEVICE_CDROM,
    'dvd': base.BOOT_DEVICE_CDROM,
    'setup': base.BOOT_DEVICE_BIOS,
    'bios': base.BOOT_DEVICE_BIOS,
    'f1': base.BOOT_DEVICE_BIOS,
}

# pyghmi login errors that mean the BMC refused who we are: the password
# or user at once, a privilege level only when the BMC answered (pyghmi
# also says "timeout while requesting privelege level").
_ACCESS_DENIED_ERRORS = ('incorrect password', 'unauthorized name')
_PRIVILEGE_ERRORS = ('invalid role', 'unauthorized role', 'privelege level',
                     'privilege level', 'insufficient privilege')


def reset_sessions():
    """Log out of every cached IPMI session (for tests and shutdown)."""
    ipmi_sessions.pool.reset()


def _classify(err, session, address, secrets):
    """Turn what pyghmi raised into NoAnswer or a BMC exception."""
    text = str(err) if str(err) not in ('', 'None') else 'no answer'
    lowered = text.lower()
    gave_up = session is not None and getattr(session, 'stx_gave_up', False)
    if any(marker in lowered for marker in _ACCESS_DENIED_ERRORS):
        return common.error(exception.BMCAccessDenied, address, text,
                            secrets)
    if gave_up or text == 'no answer' or 'timeout' in lowered or (
            'no longer connected' in lowered):
        return ipmi_sessions.NoAnswer(common.mask(text, secrets))
    if any(marker in lowered for marker in _PRIVILEGE_ERRORS):
        return common.error(exception.BMCAccessDenied, address, text,
                            secrets)
    return common.error(exception.BMCError, address, text, secrets)


class IPMIBMC(base.BMCDriver):
    """Power, boot device and sensors over IPMI 2.0 (pyghmi)."""

    def __init__(self):
        common.install_log_filter()

    # Interface.

    def get_properties(self):
        """See :meth:`BMCDriver.get_properties`."""
        properties = dict(base.COMMON_PROPERTIES)
        properties['port'] = ('UDP port of the BMC\'s IPMI service; '
                              '[bmc] ipmi_port (623) if absent. Optional.')
        properties['username'] = ('User name to log in to the BMC, at '
                                  'most 16 bytes. Required.')
        properties['password'] = ('Password to log in to the BMC, at '
                                  'most 20 bytes. Required.')
        return properties

    def validate(self, bmc_info):
        """See :meth:`BMCDriver.validate`; also checks IPMI's length limits.

        :raises: InvalidParameterValue if the user name is longer than 16
            bytes or the password longer than 20 (IPMI 2.0's limits).
        """
        base.check_bmc_info(bmc_info)
        for key, limit in (('username', MAX_USERNAME_BYTES),
                           ('password', MAX_PASSWORD_BYTES)):
            value = bmc_info[key]
            if not isinstance(value, str):
                raise exception.InvalidParameterValue(
                    field=key, reason='expected a string')
            if len(value.encode('utf-8')) > limit:
                raise exception.InvalidParameterValue(
                    field=key, reason='IPMI allows at most %d bytes' % limit)

    def get_power_state(self, bmc_info):
        """See :meth:`BMCDriver.get_power_state`.

        :raises: BMCAccessDenied, BMCTimeout or BMCError (all
            ServiceUnavailable) when the BMC refuses, does not answer or
            fails.
        """
        self.validate(bmc_info)
        return self._call(bmc_info, self._read_power_state)

    def set_power_state(self, bmc_info, target, timeout=None):
        """See :meth:`BMCDriver.set_power_state`.

        :raises: BMCTimeout if the BMC does not answer or does not confirm
            the state within timeout; BMCAccessDenied, BMCError as for
            get_power_state.
        """
        common.check_power_target(target)
        timeout = common.check_timeout(timeout)
        self.validate(bmc_info)
        if timeout is None:
            timeout = CONF.bmc.power_confirm_timeout
        deadline = common.Deadline(timeout)
        expected = common.RESULTING_STATE[target]
        current = self._call(bmc_info, self._read_power_state)
        if current == expected and target in (
                base.POWER_ON, base.POWER_OFF, base.POWER_SOFT_OFF):
            LOG.debug('BMC %(address)s: already %(state)s',
                      {'address': bmc_info['address'], 'state': current})
            return current
        if current == base.POWER_OFF and target in (base.POWER_RESET,
                                                    base.POWER_CYCLE):
            # Neither resets a host that is off: turn it on instead.
            directive = _CHASSIS_ON
        else:
            directive = {base.POWER_ON: _CHASSIS_ON,
                         base.POWER_OFF: _CHASSIS_OFF,
                         base.POWER_SOFT_OFF: _CHASSIS_SOFT_OFF,
                         base.POWER_RESET: _CHASSIS_RESET,
                         base.POWER_CYCLE: _CHASSIS_CYCLE}[target]
        repeatable = directive not in (_CHASSIS_RESET, _CHASSIS_CYCLE)
        self._call(bmc_info,
                   lambda command: self._chassis_control(command, directive),
                   retry=repeatable)
        LOG.info('BMC %(address)s accepted power %(target)s; waiting up to '
                 '%(timeout).1f s for it to report %(state)s',
                 {'address': bmc_info['address'], 'target': target,
                  'timeout': deadline.remaining(), 'state': expected})
        confirmed, last = common.poll(
            lambda left: self._call(bmc_info, self._read_power_state,
                                    retry=False),
            lambda state: state == expected, deadline.remaining(),
            CONF.bmc.power_poll_interval,
            tolerate=(exception.BMCTimeout,))
        if not confirmed:
            raise exception.BMCTimeout(
                address=bmc_info['address'],
                reason='power %s not confirmed within %.1f s (last read: '
                '%s)' % (target, timeout, last))
        return expected

    def get_boot_device(self, bmc_info):
        """See :meth:`BMCDriver.get_boot_device`.

        :raises: BMCAccessDenied, BMCTimeout or BMCError.
        """
        self.validate(bmc_info)
        answer = self._call(bmc_info, lambda command: command.get_bootdev())
        device = answer.get('bootdev')
        return {'boot_device': BOOT_DEVICES_FROM_IPMI.get(device),
                'persistent': answer.get('persistent')}

    def set_boot_device(self, bmc_info, device, persistent=False):
        """See :meth:`BMCDriver.set_boot_device`.

        :raises: BMCAccessDenied, BMCTimeout or BMCError.
        """
        common.check_boot_device(device)
        self.validate(bmc_info)
        answer = self._call(bmc_info, lambda command: command.set_bootdev(
            BOOT_DEVICES_TO_IPMI[device], persist=bool(persistent)))
        if isinstance(answer, dict) and 'error' in answer:
            raise common.error(exception.BMCError, bmc_info['address'],
                               answer['error'], self._secrets(bmc_info))

    def get_sensors(self, bmc_info):
        """See :meth:`BMCDriver.get_sensors` and the module docstring.

        :raises: BMCAccessDenied, BMCTimeout or BMCError.
        """
        self.validate(bmc_info)
        return self._call(bmc_info, ipmi_sensors.read_sensors)

    # Requests (each called with a logged-in ipmi_sessions.Command).

    @staticmethod
    def _check(answer):
        if answer is None:
            raise pyghmi_exceptions.IpmiException('no answer')
        if 'error' in answer:
            raise pyghmi_exceptions.IpmiException(answer['error'],
                                                  answer.get('code', 0))
        return answer

    def _read_power_state(self, command):
        answer = self._check(command.raw_command(
            netfn=_NETFN_CHASSIS, command=_CMD_CHASSIS_STATUS))
        data = answer['data']
        if not data:
            raise pyghmi_exceptions.IpmiException(
                'empty Get Chassis Status answer')
        return base.POWER_ON if data[0] & 1 else base.POWER_OFF

    def _chassis_control(self, command, directive):
        self._check(command.raw_command(
            netfn=_NETFN_CHASSIS, command=_CMD_CHASSIS_CONTROL,
            data=(directive,)))

    # Sessions, timeouts, retries, errors.

    @staticmethod
    def _secrets(bmc_info):
        return (bmc_info.get('password'), bmc_info.get('username'))

    @staticmethod
    def _endpoint(bmc_info):
        port = bmc_info.get('port') or CONF.bmc.ipmi_port
        return bmc_info['address'], port

    def _call(self, bmc_info, request, retry=True):
        """Run request(command) on the BMC's session, bounded and retried.

        :param request: called with a logged-in ipmi_sessions.Command.
        :param retry: whether a request that got no answer may be sent
            again (False for those that must not run twice).
        :returns: what request returns.
        :raises: BMCAccessDenied, BMCTimeout, BMCError.
        """
        address, port = self._endpoint(bmc_info)
        username, password = bmc_info['username'], bmc_info['password']
        secrets = self._secrets(bmc_info)
        common.remember_secret(password)
        key = (address, port, username, common.secret_key(password))
        timeout = CONF.bmc.ipmi_timeout
        slot = ipmi_sessions.pool.slot(key)

        def attempt(number):
            with slot.lock:
                return self._attempt(slot, address, port, username,
                                     password, timeout, request, secrets,
                                     first=number == 0)

        retries = CONF.bmc.ipmi_retries if retry else 0
        started = time.monotonic()
        try:
            return common.call_with_retries(
                attempt, retries, CONF.bmc.retry_backoff,
                (ipmi_sessions.NoAnswer,),
                what='IPMI request to %s:%s' % (address, port))
        except ipmi_sessions.NoAnswer as err:
            raise exception.BMCTimeout(
                address=address,
                reason='no answer on port %s within %.1f s (%s)'
                % (port, time.monotonic() - started, err)) from None

    def _attempt(self, slot, address, port, username, password, timeout,
                 request, secrets, first):
        command = slot.command
        idle_limit = CONF.bmc.ipmi_session_idle_timeout
        if command is not None and (
                not command.usable or not first or
                command.ipmi_session._isincommand() or
                time.monotonic() - command.last_used > idle_limit):
            # Broken, idle too long (the BMC may have closed it), busy with
            # a keepalive of pyghmi's, or a retry: start a fresh session.
            slot.command = None
            command.close()
            command = None
        if command is None:
            command = self._login(address, port, username, password,
                                  timeout, secrets)
            slot.command = command
        try:
            result = request(command)
        except exception.StxException:
            raise
        except pyghmi_exceptions.IpmiException as err:
            if getattr(err, 'ipmicode', 0) and err.ipmicode != 0xffff:
                # The BMC answered with a completion code: the session is
                # fine, the request is not.
                raise common.error(exception.BMCError, address, err,
                                   secrets) from None
            self._drop(slot, command)
            raise _classify(err, command.ipmi_session, address,
                            secrets) from None
        except Exception as err:
            # pyghmi raising anything else (struct.error on a malformed
            # answer, say) leaves its session in an unknown state.
            self._drop(slot, command)
            LOG.debug('IPMI request to %(address)s failed',
                      {'address': address}, exc_info=True)
            raise common.error(exception.BMCError, address,
                               '%s: %s' % (type(err).__name__, err),
                               secrets) from None
        command.last_used = time.monotonic()
        command.ipmi_session.stx_deadline = None
        return result

    @staticmethod
    def _drop(slot, command):
        if slot.command is command:
            slot.command = None
        command.close()

    @staticmethod
    def _login(address, port, username, password, timeout, secrets):
        common.install_log_filter()
        try:
            command = ipmi_sessions.Command(address, port, username,
                                            password, timeout)
        except pyghmi_exceptions.IpmiException as err:
            raise _classify(err, None, address, secrets) from None
        except OSError as err:
            # Resolving or sending failed: nothing to wait for.
            raise common.error(exception.BMCError, address, err,
                               secrets) from None
        except Exception as err:
            LOG.debug('IPMI login to %(address)s failed',
                      {'address': address}, exc_info=True)
            raise common.error(exception.BMCError, address,
                               'login failed: %s: %s'
                               % (type(err).__name__, err),
                               secrets) from None
        LOG.debug('IPMI session to %(address)s:%(port)s opened',
                  {'address': address, 'port': port})
        return command
