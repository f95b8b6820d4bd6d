"""Nodal configuration and configuration tracking.

The operator's CPU function and huge page changes of a host
(update_cpu_functions, update_memory), and how every accepted change of a
host reaches its agent: a new config_target, the rendered configuration
cast to the agent, and the agent's report of what it applied
(iconfig_update_by_ihost). The mixin uses ``_agent_api``, which the
ConductorManager it is part of sets up.
"""

from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import uuidutils

from stx.common import exception
from stx.common import states
from stx.sysinv.agent import rpcapi as agent_rpcapi
from stx.sysinv.conductor import common
from stx.sysinv.conductor import config as host_config
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import inventory_api
from stx.sysinv import nodal

LOG = logging.getLogger(__name__)


class NodalConfigMixin:
    """Conductor RPC methods of nodal configuration."""

    # Nodal configuration: what the operator sets of a host's inventory.
    # Checked against the stored inventory inside the transaction that
    # writes it (inventory_api.*_update hand the locked rows to the check).

    @messaging.expected_exceptions(*common.EXPECTED)
    def update_cpu_functions(self, context, host_uuid, functions):
        """Assign physical cores to functions (``host-cpu-modify``).

        :param functions: StarlingX's body: ``[{"function": "platform",
            "sockets": [{"0": 2}, {"1": 0}]}]`` (nodal.parse_cpu_functions).
        :returns: the host's cpu rows after the change, by cpu
            (timestamps as ISO text).
        :raises: HostNotFound; HostNotLocked; InvalidParameterValue,
            MissingParameterValue naming the field (``function``,
            ``processor N``, ``platform``). Nothing is stored then.
        """
        requested = nodal.parse_cpu_functions(functions)
        host = dbapi.host_get(context, host_uuid)

        def check(host, cpus):
            common.require_locked(host, 'CPU assignment')
            return nodal.assign_cpu_functions(host, cpus, requested)

        cpus = inventory_api.cpu_functions_update(context, host['id'], check)
        LOG.info('CPU functions of host %(host)s changed: %(counts)s',
                 {'host': common.host_label(host),
                  'counts': _describe_counts(nodal.core_counts(cpus))})
        self._config_update_host(context, host['id'])
        return [common.json_row(cpu) for cpu in cpus]

    @messaging.expected_exceptions(*common.EXPECTED)
    def update_memory(self, context, memory_uuid, values):
        """Set a NUMA node's pending huge pages (``host-memory-modify``).

        :param values: ``{"vm_hugepages_nr_2M_pending": n,
            "vm_hugepages_nr_1G_pending": n}``, either or both.
        :returns: the memory row after the change (timestamps as ISO
            text).
        :raises: MemoryNotFound; HostNotLocked; UnknownField,
            InvalidParameterValue naming the field (also when the pages
            do not fit the node after the platform reservation). Nothing
            is stored then.
        """
        def check(host, memory):
            common.require_locked(host, 'memory configuration')
            return nodal.check_hugepages(host, memory, values)

        memory = inventory_api.memory_update(context, memory_uuid, check)
        LOG.info('Huge pages of processor %(node)s of host %(host)s: '
                 '%(pages_2m)s × 2M, %(pages_1g)s × 1G pending',
                 {'node': memory['numa_node'], 'host': memory['host_uuid'],
                  'pages_2m': memory[nodal.HUGEPAGES_2M],
                  'pages_1g': memory[nodal.HUGEPAGES_1G]})
        self._config_update_host(context, memory['forihostid'])
        return common.json_row(memory)

    # Configuration tracking, as StarlingX's: every accepted change of a
    # host gives it a new config_target and makes it "Config out-of-date";
    # the conductor casts the rendered configuration to the host's agent
    # (stx.sysinv.agent.rpcapi), which applies it and reports its uuid
    # back with iconfig_update_by_ihost, setting config_applied. An agent
    # that was down when the cast was sent reports its on-disk uuid when it
    # starts, and gets the current configuration again then.

    def _config_update_host(self, context, host_id):
        """A new config_target for the host; its configuration pushed."""
        host = dbapi.host_update(context, host_id, common.new_config_target())
        self._push_config(context, host)
        return host

    def _agents(self):
        if self._agent_api is None:
            self._agent_api = agent_rpcapi.AgentAPI()
        return self._agent_api

    def _push_config(self, context, host):
        """Cast the host's configuration to its agent; never raises.

        A failed cast is logged only: the change is stored, and the agent
        gets the configuration when it next starts.
        """
        config = host_config.render_host_config(context, host)
        try:
            self._agents().config_apply(context, host['uuid'], config)
        except (exception.StxException, messaging.MessagingException) as error:
            failure = error
        else:
            LOG.info('Configuration %(config)s sent to host %(host)s',
                     {'config': config['config_uuid'],
                      'host': common.host_label(host)})
            return
        LOG.warning('Configuration %(config)s of host %(host)s not sent, '
                    'its agent gets it when it starts: %(error)s',
                    {'config': config['config_uuid'],
                     'host': common.host_label(host),
                     'error': failure})

    @messaging.expected_exceptions(*common.EXPECTED)
    def iconfig_update_by_ihost(self, context, ihost_uuid, config_applied):
        """The configuration the host's agent has applied (or has at start).

        Sets config_applied; config_status is cleared when it is the
        host's config_target, else stays "Config out-of-date" and the
        current configuration is pushed again (an agent reporting an old
        one missed the last cast, or applied two in the wrong order).

        :param config_applied: a config uuid, or None when the agent has
            no configuration yet.
        :raises: HostNotFound; InvalidParameterValue for a config_applied
            that is not a uuid.
        """
        if config_applied is not None and not uuidutils.is_uuid_like(
                config_applied):
            raise exception.InvalidParameterValue(
                field='config_applied',
                reason='%r is not a config uuid' % (config_applied,))
        host = dbapi.host_get(context, ihost_uuid)
        host = dbapi.host_config_applied(context, host['id'], config_applied,
                                         states.CONFIG_STATUS_OUT_OF_DATE)
        if host['config_status'] == states.CONFIG_STATUS_OUT_OF_DATE:
            LOG.info('Host %(host)s has configuration %(applied)s, not '
                     '%(target)s; sending it again',
                     {'host': common.host_label(host),
                      'applied': config_applied,
                      'target': host['config_target']})
            self._push_config(context, host)
        elif config_applied is not None:
            LOG.info('Host %(host)s applied configuration %(applied)s',
                     {'host': common.host_label(host),
                      'applied': config_applied})


def _describe_counts(counts):
    return '; '.join(
        'processor %d: %s' % (node, ', '.join(
            '%s %d' % (function, count)
            for function, count in sorted(functions.items())))
        for node, functions in sorted(counts.items()))
