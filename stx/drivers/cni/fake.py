"""FakeCNI: renders a configuration for a CNI plugin type named "fake".

The output has the shape of a real configuration (the "host-local" IPAM
plugin with one range per interface), so tests of the code that writes and
serves CNI files exercise realistic data; no container runtime could run it.
"""

import ipaddress

from stx.common import exception
from stx.drivers.cni import base


class FakeCNI(base.CNIDriver):
    """A CNI driver that validates input and renders a fake configuration."""

    def get_properties(self):
        """See :meth:`CNIDriver.get_properties`."""
        return {
            'name': 'CNI network name. Required.',
            'hostname': 'Name of the host. Required.',
            'interfaces': 'List of {name, subnet, mtu (optional)}; at least '
                          'one. Required.',
        }

    def validate(self, host_networks):
        """See :meth:`CNIDriver.validate`."""
        if not isinstance(host_networks, dict):
            raise exception.InvalidParameterValue(
                field='host_networks', reason='expected a dict, got %s'
                % type(host_networks).__name__)
        for key in ('name', 'hostname', 'interfaces'):
            if not host_networks.get(key):
                raise exception.MissingParameterValue(
                    field=key, reason='the CNI configuration needs it')
        interfaces = host_networks['interfaces']
        if not isinstance(interfaces, list):
            raise exception.InvalidParameterValue(
                field='interfaces', reason='expected a list')
        for interface in interfaces:
            self._validate_interface(interface)

    @staticmethod
    def _validate_interface(interface):
        if not isinstance(interface, dict) or not interface.get('name'):
            raise exception.MissingParameterValue(
                field='interfaces.name', reason='every interface needs one')
        try:
            ipaddress.ip_network(interface.get('subnet'))
        except (TypeError, ValueError):
            raise exception.InvalidParameterValue(
                field='interfaces.subnet', reason='%r of interface %s is '
                'not a CIDR' % (interface.get('subnet'), interface['name']))
        mtu = interface.get('mtu')
        if mtu is not None and (isinstance(mtu, bool) or
                                not isinstance(mtu, int) or
                                not 68 <= mtu <= 65536):
            raise exception.InvalidParameterValue(
                field='interfaces.mtu', reason='%r of interface %s is not '
                'an MTU (68-65536)' % (mtu, interface['name']))

    def render(self, host_networks):
        """See :meth:`CNIDriver.render`."""
        self.validate(host_networks)
        interfaces = host_networks['interfaces']
        config = {
            'cniVersion': base.CNI_VERSION,
            'name': host_networks['name'],
            'type': 'fake',
            'hostname': host_networks['hostname'],
            'interfaces': [interface['name'] for interface in interfaces],
            'ipam': {
                'type': 'host-local',
                'ranges': [[{'subnet': interface['subnet']}]
                           for interface in interfaces],
            },
        }
        mtus = [interface['mtu'] for interface in interfaces
                if interface.get('mtu')]
        if mtus:
            # One configuration, one MTU: the smallest fits every link.
            config['mtu'] = min(mtus)
        return config
