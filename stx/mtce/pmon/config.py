"""Process monitor files: StarlingX's ``/etc/pmon.d/*.conf`` format.

One file per process, INI section ``[process]``::

    [process]
    process  = sshd
    pidfile  = /var/run/sshd.pid
    script   = /usr/sbin/sshd -D
    severity = minor      ; minor, major or critical
    restarts = 10         ; restarts before the failure is reported
    interval = 5          ; seconds between restarts
    debounce = 20         ; seconds up before the failure count resets
    mode     = passive    ; passive or ignore

Unlike StarlingX, ``script`` is the whole command line that starts the
process (run without a shell); ``start_arg`` and the other keys of
StarlingX's lsb/ocf scripts and active monitoring are accepted and
ignored. A file that cannot be used is logged, naming it and the key at
fault, and skipped: the other files still load.
"""

import configparser
import dataclasses
import glob
import os
import shlex

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

SECTION = 'process'
SEVERITIES = ('critical', 'major', 'minor')
PASSIVE = 'passive'
IGNORE = 'ignore'

#: StarlingX keys read elsewhere in StarlingX (systemd, hostwd, lsb/ocf
#: scripts, active monitoring), accepted without effect here.
IGNORED_KEYS = frozenset((
    'service', 'style', 'quorum', 'full_init_reqd', 'subfunction',
    'start_arg', 'status_arg', 'status_failure_text', 'port', 'period',
    'timeout', 'threshold'))


@dataclasses.dataclass(frozen=True)
class Process:
    """One monitored process, as its file describes it.

    Times are in seconds. ``pidfile`` or ``script`` may be None, not both:
    without a pidfile the process watched is the script's own child.
    """

    name: str
    path: str
    pidfile: str = None
    script: str = None
    severity: str = 'major'
    restarts: int = 3
    interval: float = 5.0
    debounce: float = 20.0
    startuptime: float = 5.0
    mode: str = PASSIVE

    @property
    def argv(self):
        return shlex.split(self.script)


class ConfigError(Exception):
    """A file that cannot be used; its message names the key at fault."""


def _whole(value):
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


def _seconds(value):
    number = float(value)
    if not number >= 0:     # also refuses nan
        raise ValueError(value)
    return number


def _severity(value):
    if value.lower() not in SEVERITIES:
        raise ValueError(value)
    return value.lower()


def _mode(value):
    if value.lower() == 'active':
        raise ConfigError('key mode: active monitoring (request/response '
                          'heartbeat) is not supported; use passive')
    if value.lower() not in (PASSIVE, IGNORE):
        raise ValueError(value)
    return value.lower()


def _path(value):
    return value or None


def _script(value):
    if not value:
        return None
    try:
        if shlex.split(value):
            return value
    except ValueError as error:     # an unclosed quote
        raise ConfigError('key script: %r cannot be split into words: %s'
                          % (value, error))
    return None


# Key -> (Process field, parser, what a good value is).
_KEYS = {
    'pidfile': ('pidfile', _path, 'a path'),
    'script': ('script', _script, 'a command line'),
    'severity': ('severity', _severity, 'critical, major or minor'),
    'restarts': ('restarts', _whole, 'a whole number >= 0'),
    'interval': ('interval', _seconds, 'seconds >= 0'),
    'debounce': ('debounce', _seconds, 'seconds >= 0'),
    'startuptime': ('startuptime', _seconds, 'seconds >= 0'),
    'mode': ('mode', _mode, 'passive or ignore'),
}


def parse(path, text):
    """The Process that ``text``, the content of file ``path``, describes.

    :raises: ConfigError saying what is wrong, and with which key.
    """
    parser = configparser.ConfigParser(interpolation=None,
                                       inline_comment_prefixes=(';',))
    try:
        parser.read_string(text, source=path)
    except configparser.Error as error:
        raise ConfigError('not an INI file: %s' % error.message)
    if not parser.has_section(SECTION):
        raise ConfigError('no [%s] section' % SECTION)
    values = dict(parser.items(SECTION))
    name = values.pop('process', '')
    if not name:
        raise ConfigError('key process: missing; it names the process')
    fields = {}
    for key, (field, convert, wanted) in _KEYS.items():
        if key not in values:
            continue
        value = values.pop(key)
        try:
            fields[field] = convert(value)
        except ValueError:
            raise ConfigError('key %s: %r is not %s' % (key, value, wanted))
    unknown = sorted(set(values) - IGNORED_KEYS)
    if unknown:
        LOG.warning('pmon: %(path)s: unknown keys ignored: %(keys)s',
                    {'path': path, 'keys': ', '.join(unknown)})
    process = Process(name=name, path=path, **fields)
    if process.pidfile is None and process.script is None:
        raise ConfigError('keys pidfile and script: neither is set; pmon '
                          'needs a pidfile to find the process or a script '
                          'to start it')
    return process


def load(conf_dir):
    """Every usable process file of ``conf_dir``, in file name order.

    A file that cannot be read or parsed, or that names a process an
    earlier file named, is logged and skipped. Processes with mode
    ``ignore`` are returned too: the monitor leaves them alone.
    """
    if not os.path.isdir(conf_dir):
        LOG.error('pmon: %(dir)s is not a directory: no process is '
                  'monitored', {'dir': conf_dir})
        return []
    processes = []
    files = {}
    for path in sorted(glob.glob(os.path.join(conf_dir, '*.conf'))):
        try:
            with open(path, encoding='utf-8') as conf_file:
                process = parse(path, conf_file.read())
            if process.name in files:
                raise ConfigError('key process: %s is already monitored by '
                                  '%s' % (process.name, files[process.name]))
        except (OSError, UnicodeDecodeError) as error:
            LOG.error('pmon: %(path)s skipped: cannot read it: %(error)s',
                      {'path': path, 'error': error})
            continue
        except ConfigError as error:
            LOG.error('pmon: %(path)s skipped: %(error)s',
                      {'path': path, 'error': error})
            continue
        files[process.name] = path
        processes.append(process)
    LOG.info('pmon: %(count)d processes configured in %(dir)s',
             {'count': len(processes), 'dir': conf_dir})
    return processes
