"""The host configuration file the agent keeps: what it last applied.

``<[agent] config_dir>/host-config.json`` holds the rendered configuration
the conductor last pushed (format in ``stx.sysinv.conductor.config``). It is
replaced atomically, so a reader sees the old file or the new one, never a
part of one.
"""

import json
import os
import tempfile

from oslo_log import log as logging

from stx.conf import CONF

LOG = logging.getLogger(__name__)

#: The file, in ``[agent] config_dir``, of the configuration last applied.
CONFIG_FILE = 'host-config.json'


def path():
    """Where the configuration last applied is written."""
    return os.path.join(CONF.agent.config_dir, CONFIG_FILE)


def applied_uuid():
    """The config_uuid of the configuration on disk, or None."""
    try:
        with open(path()) as config_file:
            config = json.load(config_file)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        LOG.warning('stx-agent: cannot read %(path)s, reporting no '
                    'configuration: %(error)s',
                    {'path': path(), 'error': error})
        return None
    if isinstance(config, dict):
        return config.get('config_uuid')
    return None


def write(config):
    """Write ``config`` as JSON to ``path()``, atomically and synced."""
    directory = CONF.agent.config_dir
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory,
                                         prefix='.%s.' % CONFIG_FILE)
    try:
        with os.fdopen(handle, 'w') as config_file:
            json.dump(config, config_file, indent=2, sort_keys=True)
            config_file.write('\n')
            config_file.flush()
            os.fsync(config_file.fileno())
        os.replace(temporary, path())
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
