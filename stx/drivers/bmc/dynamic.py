"""DynamicBMC: Redfish where a BMC offers it, else IPMI (StarlingX default).

As StarlingX's maintenance does for ``bm_type=dynamic``: before the first
call to a BMC the driver asks for its Redfish service root
(``<scheme>://<address>/redfish/v1/``, no credentials, at most
``[bmc] dynamic_probe_timeout``); a JSON answer with ``RedfishVersion``
1.0 or later selects the Redfish driver, anything else (no answer, refused,
not JSON, an older version) the IPMI driver.

The choice is remembered per (address, user, password), so changing a
host's BMC fields starts afresh, and :meth:`DynamicBMC.forget` drops it on
request. It is probed again after ``[bmc] dynamic_reprobe_interval``, and
at the next call after a call failed for any reason but refused
credentials (a BMC whose Redfish service stopped answering then gets IPMI).

bmc_info may not name a port: each protocol uses its own
(``[bmc] redfish_port`` or the scheme's default, ``[bmc] ipmi_port``),
and sysinv refuses a port in bm_ip for this type.
"""

import threading
import time

from oslo_log import log as logging
import requests

from stx.common import exception
from stx.conf import CONF
from stx.drivers.bmc import base
from stx.drivers.bmc import common
from stx.drivers.bmc import ipmi
from stx.drivers.bmc import redfish

LOG = logging.getLogger(__name__)

IPMI = 'ipmi'
REDFISH = 'redfish'


def redfish_version(answer):
    """The RedfishVersion of a service root answer, as a tuple, or None.

    :param answer: the decoded JSON of GET /redfish/v1/.
    :returns: e.g. (1, 5, 0); None if absent or malformed.
    """
    if not isinstance(answer, dict):
        return None
    version = answer.get('RedfishVersion')
    if not isinstance(version, str):
        return None
    try:
        return tuple(int(part) for part in version.strip().split('.'))
    except ValueError:
        return None


def probe_redfish(address, timeout=None):
    """Say whether a BMC serves Redfish 1.0 or later.

    :param address: the BMC address.
    :param timeout: seconds to wait (``[bmc] dynamic_probe_timeout`` if
        None).
    :returns: True for a Redfish service, False otherwise.
    """
    timeout = CONF.bmc.dynamic_probe_timeout if timeout is None else timeout
    url = redfish.base_url(address, CONF.bmc.redfish_port) + \
        redfish.ROOT_PATH
    common.install_log_filter()
    try:
        response = requests.get(url, timeout=timeout,
                                verify=redfish.verify_setting(),
                                headers={'Accept': 'application/json'})
        version = (redfish_version(response.json())
                   if response.status_code == 200 else None)
    except (requests.RequestException, ValueError) as err:
        LOG.debug('No Redfish service at %(url)s: %(error)s',
                  {'url': url, 'error': err})
        return False
    found = version is not None and version >= (1, 0)
    LOG.debug('Redfish probe of %(url)s: HTTP %(code)s, RedfishVersion '
              '%(version)s', {'url': url, 'code': response.status_code,
                              'version': version})
    return found


class DynamicBMC(base.BMCDriver):
    """Redfish when the BMC serves it, else IPMI; remembers the choice.

    :param ipmi_driver: the IPMI driver to use (a new IPMIBMC if None).
    :param redfish_driver: the Redfish driver (a new RedfishBMC if None).
    :param probe: ``probe(address) -> bool``, whether Redfish is there
        (probe_redfish if None).
    :param clock: the clock the memory ages by (time.monotonic if None).
    """

    # Shared by all instances, so that the conductor's and the audits'
    # drivers agree; guarded by _lock.
    _choices = {}
    _lock = threading.Lock()

    def __init__(self, ipmi_driver=None, redfish_driver=None, probe=None,
                 clock=None):
        self._drivers = {IPMI: ipmi_driver or ipmi.IPMIBMC(),
                         REDFISH: redfish_driver or redfish.RedfishBMC()}
        self._probe = probe or probe_redfish
        self._clock = clock or time.monotonic

    @classmethod
    def forget(cls, address=None):
        """Forget the protocol chosen for a BMC, or for every BMC.

        :param address: the BMC address; None forgets them all.
        """
        with cls._lock:
            for key in [key for key in cls._choices
                        if address is None or key[0] == address]:
                del cls._choices[key]

    @staticmethod
    def _key(bmc_info):
        return (bmc_info['address'], bmc_info['username'],
                common.secret_key(bmc_info['password']))

    def protocol(self, bmc_info):
        """The protocol the driver uses for a BMC, probing if need be.

        :param bmc_info: the BMC description (without a port).
        :returns: ``'redfish'`` or ``'ipmi'``.
        :raises: InvalidParameterValue or MissingParameterValue if bmc_info
            is not valid.
        """
        self.validate(bmc_info)
        key = self._key(bmc_info)
        now = self._clock()
        with self._lock:
            choice = self._choices.get(key)
        if choice is not None and (
                now - choice[1] < CONF.bmc.dynamic_reprobe_interval):
            return choice[0]
        protocol = REDFISH if self._probe(bmc_info['address']) else IPMI
        if choice is None or choice[0] != protocol:
            LOG.info('BMC %(address)s: using %(protocol)s',
                     {'address': bmc_info['address'], 'protocol': protocol})
        with self._lock:
            self._choices[key] = (protocol, now)
        return protocol

    def _call(self, method, bmc_info, *args, **kwargs):
        protocol = self.protocol(bmc_info)
        try:
            return getattr(self._drivers[protocol], method)(
                bmc_info, *args, **kwargs)
        except exception.BMCAccessDenied:
            raise
        except exception.BMCError:
            # Ask again next time: the BMC may have changed (a firmware
            # update, a Redfish service that stopped).
            with self._lock:
                self._choices.pop(self._key(bmc_info), None)
            raise

    # Interface.

    def get_properties(self):
        """See :meth:`BMCDriver.get_properties`."""
        properties = dict(base.COMMON_PROPERTIES)
        properties['port'] = ('Not allowed: each protocol uses its own '
                              '([bmc] redfish_port, [bmc] ipmi_port).')
        return properties

    def validate(self, bmc_info):
        """See :meth:`BMCDriver.validate`.

        :raises: InvalidParameterValue if bmc_info names a port.
        """
        base.check_bmc_info(bmc_info)
        if bmc_info.get('port') is not None:
            raise exception.InvalidParameterValue(
                field='port', reason='the dynamic driver uses each '
                "protocol's own port; use bm_type ipmi or redfish to name "
                'one')

    def get_power_state(self, bmc_info):
        """See :meth:`BMCDriver.get_power_state`."""
        return self._call('get_power_state', bmc_info)

    def set_power_state(self, bmc_info, target, timeout=None):
        """See :meth:`BMCDriver.set_power_state`."""
        common.check_power_target(target)
        common.check_timeout(timeout)
        return self._call('set_power_state', bmc_info, target,
                          timeout=timeout)

    def get_boot_device(self, bmc_info):
        """See :meth:`BMCDriver.get_boot_device`."""
        return self._call('get_boot_device', bmc_info)

    def set_boot_device(self, bmc_info, device, persistent=False):
        """See :meth:`BMCDriver.set_boot_device`."""
        common.check_boot_device(device)
        return self._call('set_boot_device', bmc_info, device,
                          persistent=persistent)

    def get_sensors(self, bmc_info):
        """See :meth:`BMCDriver.get_sensors`.

        :raises: UnsupportedDriverExtension if the protocol in use cannot
            read the BMC's sensors.
        """
        return self._call('get_sensors', bmc_info)
