"""The agent's part in host maintenance: heartbeat and enable tests.

Once its host is identified, the agent answers heartbeat pulses
(stx.mtce.heartbeat Responder) on the host's ``mgmt_ip`` and
``cluster_host_ip``, at ``[heartbeat] mgmt_port`` / ``cluster_host_port``.
Without a heartbeat key it says why once and answers nothing: an unlocked
host then fails its heartbeat soak, and the unlock says so.

It also runs the tests a host must pass to be enabled, and reports them to
stx-mtce (``goenabled``, StarlingX's goenabled report): after its first
full inventory report, and whenever maintenance asks (``enable_checks``).
The tests: the conductor accepted its whole inventory, heartbeat is
answered, and the host action driver's own checks pass.
"""

from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import exception
from stx.conf import CONF
from stx.drivers import loader
from stx.mtce import heartbeat
from stx.mtce.heartbeat import keys
from stx.mtce.heartbeat import responder as hb_responder
from stx.mtce import rpcapi as mtce_rpcapi

LOG = logging.getLogger(__name__)


class AgentLiveness:
    """The heartbeat responder and goenabled reports of one agent.

    :param manager: the AgentManager (its ``host``, ``status()``,
        ``inventory_complete`` and ``restart``).
    :param mtce: an MtceAPI; a new one if None.
    """

    def __init__(self, manager, mtce=None):
        self._manager = manager
        self._mtce = mtce
        self.responder = None
        self._problem = None

    @property
    def mtce(self):
        if self._mtce is None:
            self._mtce = mtce_rpcapi.MtceAPI()
        return self._mtce

    def host_identified(self, host):
        """Answer heartbeat as ``host`` on its addresses."""
        wanted = heartbeat.host_addresses(host)
        if self.responder is not None:
            try:
                self.responder.update(host_uuid=host['uuid'],
                                      addresses=wanted)
                self._problem = None
            except OSError as error:
                self._failed('cannot answer heartbeat on %s: %s'
                             % (wanted, error))
            return
        if not wanted:
            self._problem = None
            return
        try:
            key = keys.load_key()
            responder = hb_responder.Responder(key, host['uuid'], wanted)
            responder.start()
        except (exception.StxException, OSError) as error:
            self._failed('cannot answer heartbeat: %s' % error)
            return
        self.responder = responder
        self._problem = None
        LOG.info('stx-agent: answering heartbeat on %(addresses)s',
                 {'addresses': ', '.join(
                     '%s %s:%d' % (network, ip, port) for network, (ip, port)
                     in sorted(responder.bound.items()))})

    def _failed(self, problem):
        if problem != self._problem:
            LOG.error('stx-agent: %(problem)s', {'problem': problem})
        self._problem = problem

    def stop(self):
        if self.responder is not None:
            self.responder.stop()
            self.responder = None

    def enable_checks(self):
        """What keeps this host from being enabled; [] if nothing."""
        reasons = []
        if not self._manager.inventory_complete:
            reasons.append('its inventory is not all accepted by the '
                           'conductor yet')
        if self._problem:
            reasons.append(self._problem)
        name = CONF.agent.host_action_driver
        try:
            driver = loader.load(loader.HOST, name,
                                 restart_agent=self._manager.restart,
                                 field='host_action_driver')
            reasons.extend('host action driver %s: check %s failed'
                           % (name, check)
                           for check in driver.enable_checks())
        except exception.StxException as error:
            reasons.append(str(error))
        return reasons

    def report(self, asked=False):
        """Run the enable tests and report them to host maintenance.

        :param asked: maintenance asked. An agent whose first inventory
            report is not complete yet does not answer then: it reports
            as soon as it is (AgentManager.run), rather than failing
            tests it is about to pass.
        """
        host = self._manager.host
        if host is None or (asked and not self._manager.inventory_complete):
            return
        reasons = self.enable_checks()
        try:
            self.mtce.goenabled(self._manager.context, host['uuid'],
                                self._manager.started_at, not reasons,
                                reasons)
        except messaging.MessagingException as error:
            LOG.warning('stx-agent: enable tests not reported: %(error)s',
                        {'error': error})
            return
        LOG.info('stx-agent: enable tests %(result)s',
                 {'result': '; '.join(reasons) if reasons else 'passed'})
