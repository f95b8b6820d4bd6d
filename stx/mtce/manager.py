"""stx-mtce's manager: the RPC endpoint and the audits it runs.

sysinv's API hands it host actions (``host_action``) once they passed the
API's checks; the manager checks what only maintenance knows (the host has
a BMC, no action is in progress), sets the host's task and returns, and a
worker thread carries the action out (stx.mtce.power). ``host_modified``
says a host's BMC fields changed, so its power state and sensors are
checked again at once.

Two periodic tasks run while the manager is started: the power-state audit
(stx.mtce.powersync) and the sensor reads (stx.mtce.hwmon). Both read the
hosts from a cache that the power audit refreshes from the conductor and
``host_modified`` invalidates.
"""

import threading
import time

import futurist
from oslo_log import log as logging
import oslo_messaging as messaging

from stx.common import context as stx_context
from stx.common import exception
from stx.common import periodic
from stx.conf import CONF
from stx.mtce import bmc as mtce_bmc
from stx.mtce import faults as mtce_faults
from stx.mtce import hwmon
from stx.mtce import power
from stx.mtce import powersync
from stx.sysinv.agent import rpcapi as agent_rpcapi
from stx.sysinv.conductor import rpcapi as conductor_rpcapi

LOG = logging.getLogger(__name__)

# Seconds between two hwmon ticks, which start the reads that are due.
HWMON_TICK = 1.0
# Seconds the host list is used before it is read again, even when the
# power audit (which refreshes it) is disabled.
HOSTS_MAX_AGE = 30.0
# Seconds stop() waits for an audit in progress.
STOP_TIMEOUT = 1.0

EXPECTED = (exception.Invalid, exception.NotFound, exception.Conflict)


class HostActions:
    """Which hosts have an action in progress, and which one."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tasks = {}

    def acquire(self, host_uuid, task):
        """Take the host for an action; False if another one has it."""
        with self._lock:
            if host_uuid in self._tasks:
                return False
            self._tasks[host_uuid] = task
            return True

    def release(self, host_uuid):
        with self._lock:
            self._tasks.pop(host_uuid, None)

    def busy(self, host_uuid):
        with self._lock:
            return host_uuid in self._tasks

    def task(self, host_uuid):
        with self._lock:
            return self._tasks.get(host_uuid)


class MtceManager:
    """RPC endpoint of stx-mtce (stx.mtce.rpcapi) and owner of its audits.

    :param conductor: a sysinv ConductorAPI; one with ``[mtce]
        rpc_timeout`` by default.
    :param fault_api: an fm client for the alarms and logs; an
        asynchronous one by default.
    :param agents: an AgentAPI; the default one otherwise.
    """

    target = messaging.Target(version='1.0')

    def __init__(self, conductor=None, fault_api=None, agents=None):
        self.conductor = conductor or conductor_rpcapi.ConductorAPI(
            timeout=CONF.mtce.rpc_timeout)
        self.faults = mtce_faults.HostFaults(fault_api)
        self.actions = HostActions()
        self.bmcs = mtce_bmc.BMCAccess(self.faults)
        self._executor = futurist.ThreadPoolExecutor(
            max_workers=CONF.mtce.bmc_workers)
        # Actions get their own threads: a long reboot must not take a
        # worker the audits need.
        self._action_executor = futurist.ThreadPoolExecutor(
            max_workers=CONF.mtce.bmc_workers)
        self.power = power.PowerActions(
            self.conductor, self.bmcs, self.faults,
            agents or agent_rpcapi.AgentAPI())
        self.power_audit = powersync.PowerAudit(
            self.conductor, self.bmcs, self.faults, self._executor,
            self.actions.busy)
        self.hwmon = hwmon.SensorMonitor(
            self.conductor, self.bmcs, self.faults, self._executor,
            self.actions)
        self._context = stx_context.get_admin_context()
        self._hosts_lock = threading.Lock()
        self._hosts = None
        self._hosts_read = 0.0
        self._alarms_loaded = False
        self._sysinv_missing = False
        self._tasks = [
            periodic.PeriodicTask('mtce-power-audit', self.audit_power,
                                  lambda: CONF.mtce.power_audit_interval),
            periodic.PeriodicTask('mtce-hwmon', self.audit_sensors,
                                  lambda: HWMON_TICK),
        ]

    # Life cycle.

    def start(self):
        """Start the audits; the first host list they read also tells
        which alarms were raised before a restart.
        """
        for task in self._tasks:
            task.start()

    def stop(self):
        # An audit waiting on a BMC or on the conductor (stopping too in
        # the all-in-one) is not waited for: it changes nothing it has
        # not stored, and the next start audits again.
        for task in self._tasks:
            task.stop(STOP_TIMEOUT)
        self._executor.shutdown(wait=False)
        self._action_executor.shutdown(wait=False)
        self.faults.close()

    # The hosts, cached between audits.

    def hosts(self, refresh=False):
        """Every host with its BMC fields (from the conductor)."""
        with self._hosts_lock:
            if (refresh or self._hosts is None or
                    time.monotonic() - self._hosts_read > HOSTS_MAX_AGE):
                self._hosts = self.conductor.get_mtce_hosts(self._context)
                self._hosts_read = time.monotonic()
                if not self._alarms_loaded:
                    # Once, before any audit acts on these hosts.
                    self.bmcs.load_alarms(self._hosts)
                    self.hwmon.load_alarms(self._hosts)
                    self._alarms_loaded = True
            return self._hosts

    def _invalidate(self):
        with self._hosts_lock:
            self._hosts = None

    # Periodic tasks.

    def audit_power(self):
        hosts = self._audited_hosts(refresh=True)
        if hosts is not None:
            self.power_audit.run(self._context, hosts)

    def audit_sensors(self):
        hosts = self._audited_hosts()
        if hosts is not None:
            self.hwmon.run(self._context, hosts)

    def _audited_hosts(self, refresh=False):
        """The hosts, or None (said once) while sysinv does not answer."""
        try:
            hosts = self.hosts(refresh=refresh)
        except exception.ServiceUnavailable as error:
            if not self._sysinv_missing:
                self._sysinv_missing = True
                LOG.warning('Audits paused: %(error)s', {'error': error})
            return None
        if self._sysinv_missing:
            self._sysinv_missing = False
            LOG.info('Audits resumed: the sysinv conductor answers')
        return hosts

    # RPC methods.

    @messaging.expected_exceptions(*EXPECTED)
    def host_action(self, context, host_uuid, action):
        """Accept an action sysinv checked; carry it out in the background.

        :raises: HostNotFound; InvalidStateTransition when maintenance
            cannot carry it out for this host (no BMC for a power action);
            HostActionInProgress when the host has one going.
        """
        host = self.conductor.get_mtce_hosts(context, host_uuid)[0]
        power.check_action(host, action)
        task = power.task_of(action)
        if not self.actions.acquire(host['uuid'], task):
            raise exception.HostActionInProgress(
                action=action, target=host['hostname'] or host_uuid,
                task=self.actions.task(host['uuid']), field='action')
        try:
            self.conductor.update_host_state(context, host['uuid'],
                                             {'task': task})
            LOG.info('Host %(host)s: %(action)s accepted',
                     {'host': host['hostname'], 'action': action})
            self._action_executor.submit(self._run_action, context, host,
                                         action)
        except Exception:
            self.actions.release(host['uuid'])
            raise

    def _run_action(self, context, host, action):
        try:
            self.power.run(context, host, action)
        except Exception:
            LOG.exception('Action %(action)s of %(host)s failed',
                          {'action': action, 'host': host['hostname']})
            # The task must not say forever that the action runs.
            try:
                self.conductor.update_host_state(
                    context, host['uuid'],
                    {'task': '%s failed: internal error, see the stx-mtce '
                             'log' % action},
                    expected={'task': power.task_of(action)})
            except Exception:
                LOG.exception('Cannot reset the task of %(host)s',
                              {'host': host['hostname']})
        finally:
            self.actions.release(host['uuid'])
            self._invalidate()

    def host_modified(self, context, host_uuid):
        """A host's BMC fields changed: check it at the next audits."""
        self.bmcs.forget(host_uuid)
        self.hwmon.host_changed(host_uuid)
        self._invalidate()
        self._tasks[0].trigger()
