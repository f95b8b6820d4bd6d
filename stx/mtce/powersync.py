"""The power-state audit: what the BMCs say against what sysinv shows.

Every ``[mtce] power_audit_interval`` seconds (10 s by default; Ironic's
audit runs every 60 s) each host with a BMC is asked for its power state,
through a pool of ``[mtce] bmc_workers`` threads. The most suspicious hosts
go first: those whose BMC failed most recently and most often, then those
whose power state drifted, then the rest, least recently audited first.
A host with an action in progress is skipped: the action owns its state.

Drift is corrected and recorded: a host the BMC reports off becomes
``power-off`` (and disabled); a ``power-off`` host the BMC reports on
becomes ``offline`` until its agent is heard from. Each correction is a
customer log (200.020) saying what was believed and what the BMC said.
BMC failures feed the "BMC access failure" alarm (stx.mtce.bmc).
"""

import time

from oslo_log import log as logging

from stx.common import exception
from stx.common import states
from stx.drivers.bmc import base as bmc_base
from stx.mtce import bmc as mtce_bmc
from stx.mtce import faults as mtce_faults
from stx.mtce import fsm

LOG = logging.getLogger(__name__)


class PowerAudit:
    """One audit pass per ``run()``.

    :param conductor: a sysinv ConductorAPI.
    :param bmcs: the BMCAccess.
    :param faults: the HostFaults.
    :param executor: a futures executor the BMC calls run in.
    :param busy: a callable telling whether a host uuid has an action in
        progress.
    """

    def __init__(self, conductor, bmcs, faults, executor, busy):
        self._conductor = conductor
        self._bmcs = bmcs
        self._faults = faults
        self._executor = executor
        self._busy = busy
        # host uuid -> monotonic time of its last audit / last drift.
        self._audited = {}
        self._drifted = {}
        #: Figures of the last pass: hosts audited, seconds, drifts,
        #: failures (for logs and benchmarks).
        self.last_pass = {}

    def order(self, hosts):
        """Hosts in audit order, the most suspicious first."""
        def suspicion(host):
            uuid = host['uuid']
            return (-self._bmcs.failures(uuid),
                    -self._drifted.get(uuid, 0.0),
                    self._audited.get(uuid, 0.0))
        return sorted(hosts, key=suspicion)

    def run(self, context, hosts):
        """Audit these hosts (``get_mtce_hosts`` dicts); wait for all."""
        started = time.monotonic()
        present = {host['uuid'] for host in hosts}
        for seen in (self._audited, self._drifted):
            for uuid in set(seen) - present:
                del seen[uuid]
        self._bmcs.forget_absent(present)
        hosts = [host for host in hosts
                 if mtce_bmc.has_bmc(host) and not self._busy(host['uuid'])]
        futures = [(host, self._executor.submit(self._bmcs.call, host,
                                                'get_power_state'))
                   for host in self.order(hosts)]
        drifts = failures = 0
        for host, future in futures:
            self._audited[host['uuid']] = time.monotonic()
            try:
                power = future.result()
            except exception.StxException as error:
                failures += 1
                LOG.debug('Power audit of %(host)s: %(error)s',
                          {'host': host['hostname'], 'error': error})
                continue
            if self._correct(context, host, power):
                drifts += 1
        self.last_pass = {'hosts': len(futures), 'drifts': drifts,
                          'failures': failures,
                          'seconds': time.monotonic() - started}
        if futures:
            LOG.debug('Power audit: %(hosts)d hosts in %(seconds).2fs, '
                      '%(drifts)d drifted, %(failures)d BMC failures',
                      self.last_pass)

    def _correct(self, context, host, power):
        believed = host['availability']
        if power == bmc_base.POWER_OFF and believed != states.POWER_OFF:
            values = fsm.transition(host, fsm.POWERED_OFF)
        elif power == bmc_base.POWER_ON and believed == states.POWER_OFF:
            values = fsm.transition(host, fsm.POWERED_ON)
        else:
            return False
        if self._busy(host['uuid']):
            # An action started meanwhile: it will set the state.
            return False
        # Only if no one changed the host since it was read.
        stored = self._conductor.update_host_state(
            context, host['uuid'], values,
            expected={'availability': believed, 'task': host['task']})
        if stored is None:
            return False
        self._drifted[host['uuid']] = time.monotonic()
        reason = ('Power state drift on %s: it was %s but its BMC reports '
                  'it powered %s; now %s' % (host['hostname'], believed,
                                             power, values['availability']))
        LOG.warning('%(reason)s', {'reason': reason})
        self._faults.log(mtce_faults.HOST_STATE_CHANGE,
                         mtce_faults.host_entity(host), reason,
                         severity=states.SEVERITY_WARNING)
        return True
