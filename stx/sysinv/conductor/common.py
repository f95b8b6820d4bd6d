"""What the conductor's RPC methods share: the exceptions they may raise and
how they name a host, render a row and check or change a host's state.
"""

import datetime

from oslo_utils import uuidutils

from stx.common import exception
from stx.common import states
from stx.sysinv.db import inventory_api

# What every RPC method of the conductor may raise to its caller.
EXPECTED = (exception.Invalid, exception.NotFound, exception.Conflict)


def new_config_target():
    """The host values of a change its agent has yet to apply."""
    return {'config_target': uuidutils.generate_uuid(),
            'config_status': states.CONFIG_STATUS_OUT_OF_DATE}


def require_locked(host, what):
    """:raises: HostNotLocked unless the host is locked (StarlingX's rule:
    its CPU and memory configuration is applied while it boots).
    """
    if host['administrative'] != states.LOCKED:
        raise exception.HostNotLocked(host=host_label(host), what=what,
                                      field='administrative')


def provision_state(context, host):
    """The invprovision a host has reached, as StarlingX moves it.

    unprovisioned until it has a personality, provisioning until its agent
    has reported its cpus and memory, then provisioned. A host past these
    (provisioned, upgrading) stays where it is.
    """
    if host['invprovision'] not in (states.UNPROVISIONED,
                                    states.PROVISIONING):
        return host['invprovision']
    if not host['personality']:
        return states.UNPROVISIONED
    if (inventory_api.cpu_list(context, host['id'])
            and inventory_api.memory_list(context, host['id'])):
        return states.PROVISIONED
    return states.PROVISIONING


def host_label(host):
    """How logs and messages name a host (discovered ones have no name)."""
    return host['hostname'] or host['mgmt_mac'] or host['uuid']


def json_row(row):
    """A DB row with its timestamps as ISO 8601 text (JSON over any
    transport).
    """
    return {name: (value.isoformat()
                   if isinstance(value, datetime.datetime) else value)
            for name, value in row.items()}
