"""How maintenance reaches a host's BMC, and whether it can.

Every BMC call maintenance makes goes through ``BMCAccess.call``: it builds
the driver's ``bmc_info`` from the host's BMC fields (decrypting the
password only here, in memory), loads the host's ``bm_type`` driver, and
keeps count of back-to-back failures per host. After
``[mtce] bmc_access_failure_threshold`` failures, or at once when the BMC
refuses the credentials or the host's BMC fields cannot be used, it raises
"BMC access failure" (200.010); the first call that succeeds again clears
it.
"""

import threading

from oslo_log import log as logging

from stx.common import exception
from stx.common import secrets
from stx.common import states
from stx.conf import CONF
from stx.drivers import loader
from stx.mtce import faults as mtce_faults
from stx.sysinv import validation

LOG = logging.getLogger(__name__)


_LASTING_FAILURES = (exception.BMCAccessDenied, exception.Invalid,
                     exception.SecretKeyError)


def updated(host, stored, new_fields=True):
    """``host`` with the values of ``stored`` (a host as the conductor
    returned it), keeping the BMC password token only ``host`` carries.

    :param new_fields: also take the fields ``host`` does not have.
    """
    return dict(host, **{field: value for field, value in stored.items()
                         if field != 'bm_password' and
                         (new_fields or field in host)})


def has_bmc(host):
    return bool(host.get('bm_type')) and host['bm_type'] != states.BM_TYPE_NONE


def bmc_info(host):
    """The driver's bmc_info for a host (see stx.drivers.bmc.base).

    :raises: MissingParameterValue when the host lacks a BMC field;
        SecretKeyError when the stored password cannot be decrypted.
    """
    if not has_bmc(host):
        raise exception.MissingParameterValue(
            field='bm_type', reason='the host has no BMC')
    if not host.get('bm_ip'):
        raise exception.MissingParameterValue(
            field='bm_ip', reason="the host's BMC has no address")
    address, port = validation.parse_bm_ip(host['bm_ip'])
    info = {'address': address, 'username': host.get('bm_username')}
    if port is not None:
        info['port'] = port
    if host.get('bm_password'):
        info['password'] = secrets.decrypt(CONF.sysinv.bm_password_key_file,
                                           host['bm_password'])
    return info


class BMCAccess:
    """BMC calls for maintenance, with the access-failure alarm.

    :param faults: the HostFaults alarms are raised through.
    """

    def __init__(self, faults):
        self._faults = faults
        self._lock = threading.Lock()
        # host uuid -> back-to-back failed calls.
        self._failures = {}
        # host uuid -> the reason of the 200.010 alarm raised for it.
        self._alarmed = {}

    def load_alarms(self, hosts):
        """Learn which hosts have 200.010 raised (after a restart)."""
        active = self._faults.active(mtce_faults.BMC_ACCESS_FAILURE)
        with self._lock:
            for host in hosts:
                if mtce_faults.host_entity(host) in active:
                    self._alarmed.setdefault(host['uuid'], None)

    def failures(self, host_uuid):
        with self._lock:
            return self._failures.get(host_uuid, 0)

    def alarmed(self, host_uuid):
        with self._lock:
            return host_uuid in self._alarmed

    def forget_absent(self, present):
        """Forget the hosts not in ``present`` (uuids): deleted ones."""
        with self._lock:
            for table in (self._failures, self._alarmed):
                for uuid in set(table) - present:
                    del table[uuid]

    def forget(self, host_uuid):
        """The host's BMC fields changed: start counting afresh."""
        with self._lock:
            self._failures.pop(host_uuid, None)

    def call(self, host, method, *args, **kwargs):
        """Call a BMC driver method for a host; record how it went.

        :param host: the host, as the conductor's get_mtce_hosts gives it.
        :param method: the name of a BMCDriver method.
        :returns: what the driver returns.
        :raises: what the driver raises (BMCError and its subclasses when
            the BMC fails), MissingParameterValue or InvalidParameterValue
            when the host's BMC fields are incomplete, DriverNotEnabled
            when its bm_type is not enabled here.
        """
        try:
            driver = loader.load(loader.BMC, host['bm_type'],
                                 field='bm_type')
            result = getattr(driver, method)(bmc_info(host), *args, **kwargs)
        except exception.UnsupportedDriverExtension:
            raise
        except exception.StxException as error:
            self._failed(host, error)
            raise
        self._succeeded(host)
        return result

    def _succeeded(self, host):
        with self._lock:
            self._failures.pop(host['uuid'], None)
            if host['uuid'] not in self._alarmed:
                return
            del self._alarmed[host['uuid']]
        LOG.info('BMC of host %(host)s answers again',
                 {'host': host['hostname']})
        self._faults.clear_alarm(mtce_faults.BMC_ACCESS_FAILURE,
                                 mtce_faults.host_entity(host))

    def _failed(self, host, error):
        reason = str(error)
        with self._lock:
            count = self._failures.get(host['uuid'], 0) + 1
            self._failures[host['uuid']] = count
            # Refused credentials and an incomplete or undecryptable BMC
            # configuration do not mend by trying again.
            due = (isinstance(error, _LASTING_FAILURES) or
                   count >= CONF.mtce.bmc_access_failure_threshold)
            if not due or self._alarmed.get(host['uuid'], '') == reason:
                return
            self._alarmed[host['uuid']] = reason
        LOG.warning('BMC access failure on host %(host)s after %(count)d '
                    'failed calls: %(reason)s',
                    {'host': host['hostname'], 'count': count,
                     'reason': reason})
        self._faults.raise_alarm(
            mtce_faults.BMC_ACCESS_FAILURE, mtce_faults.host_entity(host),
            states.SEVERITY_WARNING,
            'Access to the BMC of %s failed: %s'
            % (host['hostname'], reason))
