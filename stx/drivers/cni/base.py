"""The CNI driver interface: a host's networks as CNI configuration.

A CNI driver validates a host's network description and renders it as a
network configuration of the Container Network Interface specification
(https://github.com/containernetworking/cni/blob/main/SPEC.md), which the
host's container runtime then uses. Provisional: small until the networking
issues settle it. Every call gets ``host_networks``::

    {'name': 'stx-pod-network',           # required: the CNI network name
     'hostname': 'worker-0',              # required
     'interfaces': [                      # required, at least one
         {'name': 'eth1',                 # required: the host's interface
          'subnet': '192.168.10.0/24',    # required: CIDR
          'mtu': 1500}]}                  # optional

Drivers may need more keys; ``get_properties()`` lists them.
"""

import abc

# The version of the CNI specification rendered configurations follow: the
# last one that defines single-plugin network configurations (a dict with a
# "type"), which is what render() returns.
CNI_VERSION = '0.4.0'


class CNIDriver(abc.ABC):
    """Render and validate CNI network configuration for one host."""

    @abc.abstractmethod
    def get_properties(self):
        """Describe the host_networks keys the driver uses.

        :returns: a dict of key name to a description that says whether it
            is required.
        """

    @abc.abstractmethod
    def validate(self, host_networks):
        """Check that host_networks can be rendered by this driver.

        Fast and without I/O.

        :param host_networks: the host's networks (see the module
            docstring).
        :raises: MissingParameterValue if a required key is absent.
        :raises: InvalidParameterValue if a value cannot be used (e.g. a
            subnet that is not a CIDR).
        """

    @abc.abstractmethod
    def render(self, host_networks):
        """Render the host's network configuration.

        :param host_networks: the host's networks (see the module
            docstring).
        :returns: a CNI network configuration: a dict with at least
            ``cniVersion`` (``CNI_VERSION``), ``name`` (host_networks'
            name) and ``type`` (the CNI plugin to run), plus the plugin's
            own keys (``ipam``, ``mtu``, ...); serialisable as JSON.
        :raises: InvalidParameterValue or MissingParameterValue if
            host_networks is not valid.
        """
