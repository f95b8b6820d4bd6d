"""Fencing the peer controller through its BMC before taking over.

A controller that hears nothing from its peer cannot tell a dead peer from
a lost network; before it takes the peer's service groups active it makes
sure the peer is not running them: it powers the peer off through the
peer's BMC, then reads the power state back. Only a power-off the BMC
confirms is a fence; anything else (the BMC does not answer, refuses, or
still reports power on) leaves the peer possibly alive, and the caller
stays standby.

The peer's BMC is configured on each controller (``[sm] peer_bmc_type``,
``peer_bmc_address``, ``peer_bmc_username``, ``peer_bmc_password``): the
other controller's sysinv and message broker may be what failed.
"""

import typing

from oslo_log import log as logging

from stx.common import exception
from stx.conf import CONF
from stx.drivers.bmc import base as bmc_base
from stx.drivers import loader
from stx.sysinv import validation

LOG = logging.getLogger(__name__)


class Outcome(typing.NamedTuple):
    """How a fence went: ``confirmed`` only when the BMC said off."""

    confirmed: bool
    detail: str


class Fence:
    """Powers one peer off through its BMC.

    :param driver: a stx.drivers.bmc driver.
    :param bmc_info: the driver's BMC description of the peer.
    :param timeout: seconds the power-off may take.
    """

    def __init__(self, driver, bmc_info, timeout):
        self._driver = driver
        self._bmc_info = bmc_info
        self.timeout = timeout
        self.address = bmc_info['address']

    def power_off(self):
        """Power the peer off and read the state back; an Outcome."""
        try:
            self._driver.set_power_state(self._bmc_info, bmc_base.POWER_OFF,
                                         timeout=self.timeout)
            state = self._driver.get_power_state(self._bmc_info)
        except exception.StxException as error:
            return Outcome(False, 'BMC %s: %s' % (self.address,
                                                  error.message))
        if state != bmc_base.POWER_OFF:
            return Outcome(False, 'BMC %s reports the power %s after the '
                           'power-off' % (self.address, state))
        return Outcome(True, 'BMC %s confirms the power off'
                       % self.address)


def configured():
    """The peer's Fence as ``[sm]`` configures it; None without
    ``peer_bmc_type``.

    :raises: InvalidParameterValue, MissingParameterValue or
        DriverNotEnabled naming the option at fault.
    """
    conf = CONF.sm
    if not conf.peer_bmc_type:
        return None
    if not conf.peer_bmc_address:
        raise exception.MissingParameterValue(
            field='[sm] peer_bmc_address',
            reason='the peer\'s BMC needs an address with peer_bmc_type')
    address, port = validation.parse_bm_ip(conf.peer_bmc_address)
    info = {'address': address, 'username': conf.peer_bmc_username,
            'password': conf.peer_bmc_password}
    if port is not None:
        info['port'] = port
    driver = loader.load(loader.BMC, conf.peer_bmc_type,
                         field='[sm] peer_bmc_type')
    driver.validate(info)
    return Fence(driver, info, conf.fence_timeout)
