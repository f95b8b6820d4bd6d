"""First start of a controller: the system and the host it runs on.

StarlingX's bootstrap (Ansible) creates these; the all-in-one controller
does it on its first start, from its command-line options, and leaves them
alone on every later start.
"""

import socket
import uuid

from oslo_log import log as logging

from stx.common import exception
from stx.common import states
from stx.sysinv.conductor import manager
from stx.sysinv.db import api as dbapi

LOG = logging.getLogger(__name__)


def local_mac():
    """A MAC address of this machine (for controller-0's mgmt_mac)."""
    node = uuid.getnode()
    return ':'.join('%02x' % ((node >> shift) & 0xff)
                    for shift in range(40, -8, -8))


CONTROLLER_0 = 'controller-0'


def ensure_system(context, system_mode=states.SYSTEM_MODE_DUPLEX,
                  system_type=states.SYSTEM_TYPE_AIO, name=None,
                  hostname=CONTROLLER_0, mgmt_ip='127.0.0.1'):
    """Create the system and its first controller unless they exist.

    The controller is the machine this runs on: unlocked, enabled,
    available and provisioned.

    :returns: (system dict, controller host dict)
    """
    try:
        system = dbapi.system_get(context)
    except exception.SystemNotFound:
        values = dict(manager.SYSTEM_DEFAULTS, system_mode=system_mode,
                      system_type=system_type,
                      software_version=manager.software_version())
        if name:
            values['name'] = name
        manager._check_system_values(values)
        system = dbapi.system_create(context, values)
        LOG.info('Created system %(name)s (%(type)s, %(mode)s)',
                 {'name': system['name'], 'type': system_type,
                  'mode': system_mode})
    try:
        host = dbapi.host_get(context, hostname)
    except exception.HostNotFound:
        values = dict(
            manager.HOST_DEFAULTS, hostname=hostname,
            personality=states.CONTROLLER,
            subfunctions=manager._default_subfunctions(states.CONTROLLER,
                                                       system),
            mgmt_mac=local_mac(), mgmt_ip=mgmt_ip,
            serialid=socket.gethostname(),
            administrative=states.UNLOCKED, operational=states.ENABLED,
            availability=states.AVAILABLE, invprovision=states.PROVISIONED,
            subfunction_oper=states.ENABLED,
            subfunction_avail=states.AVAILABLE,
            forisystemid=system['id'],
            sw_version=system['software_version'])
        host = dbapi.host_create(context, values)
        LOG.info('Created %(host)s for this machine', {'host': hostname})
    return system, host
