"""[mtce] options: stx-mtce, host maintenance on the controllers.

Power actions, the power-state audit and hardware sensor monitoring (hwmon)
all talk to BMCs through the drivers of ``stx.drivers.bmc``; these options
say how often and how patiently.
"""

from oslo_config import cfg

opts = [
    cfg.IntOpt('rpc_timeout',
               default=10,
               min=1,
               help='Seconds the sysinv API waits for stx-mtce to accept a '
                    'host action, and stx-mtce waits for the sysinv '
                    'conductor. An action itself runs on after it is '
                    'accepted; its progress shows in the host\'s task.'),
    cfg.IntOpt('bmc_workers',
               default=16,
               min=1,
               help='Threads talking to BMCs at once (power actions, the '
                    'power-state audit and sensor reads). A BMC call mostly '
                    'waits on the network, so more threads audit more BMCs '
                    'per second, at the cost of memory and of bursts of '
                    'traffic on the BMC network.'),
    cfg.IntOpt('power_audit_interval',
               default=10,
               min=0,
               help='Seconds between two power-state audits, which ask '
                    'every host\'s BMC for its power state and correct the '
                    'availability sysinv shows when they differ (Ironic '
                    'audits every 60 s). 0 disables the audit.'),
    cfg.IntOpt('power_action_timeout',
               default=120,
               min=1,
               help='Seconds a power-on, power-off, reset or power-cycle '
                    'may take before the BMC confirms the new power state; '
                    'after that the action fails and the host\'s task says '
                    'why.'),
    cfg.IntOpt('bmc_access_failure_threshold',
               default=2,
               min=1,
               help='Back-to-back failed BMC audits before "BMC access '
                    'failure" (alarm 200.010) is raised. A BMC that refuses '
                    'the credentials raises it at once: retrying the same '
                    'password does not help. StarlingX uses 5 with its '
                    'slower audit.'),
    cfg.IntOpt('reboot_timeout',
               default=600,
               min=1,
               help='Seconds a reboot through the host\'s agent may take '
                    'before the agent answers again; after that the reboot '
                    'is reported failed.'),
    cfg.IntOpt('hwmon_audit_interval',
               default=120,
               min=10,
               help='Seconds between two sensor reads of a host, the '
                    'default audit interval of a new sensor group '
                    '(StarlingX: 120 s, at least 10 s). Each group can be '
                    'given its own with host-sensorgroup-modify; a host is '
                    'read at the shortest interval of its groups.'),
    cfg.IntOpt('hwmon_read_failure_threshold',
               default=2,
               min=1,
               help='Back-to-back failed sensor reads of a host before '
                    '"sensors cannot be read" (alarm 200.014) is raised.'),
    cfg.IntOpt('hwmon_action_limit',
               default=3,
               min=1,
               help='How many times a critical sensor\'s reset or '
                    'power-cycle action is taken while the sensor stays '
                    'critical (StarlingX retries a power-cycle 3 times); '
                    'after that only the alarm remains.'),
    cfg.IntOpt('worker_boot_timeout',
               default=720,
               min=1,
               help='Seconds a worker, storage or edgeworker host being '
                    'unlocked may take to boot until its agent answers '
                    '(StarlingX: 720 s). After that the unlock fails and '
                    'the host is failed.'),
    cfg.IntOpt('controller_boot_timeout',
               default=1200,
               min=1,
               max=1800,
               help='Seconds a controller being unlocked may take to boot '
                    'until its agent answers (StarlingX: 1200 s, at most '
                    '1800 s).'),
    cfg.IntOpt('goenabled_timeout',
               default=600,
               min=1,
               help='Seconds an unlocked host\'s agent may take, once it '
                    'answers, to report that its enable tests passed and '
                    'to apply its configuration (StarlingX\'s goenabled '
                    'timeout: 600 s).'),
    cfg.IntOpt('heartbeat_soak_periods',
               default=11,
               min=1,
               help='Heartbeat periods in a row a host must answer on every '
                    'network before it is enabled (StarlingX\'s heartbeat '
                    'soak: 11).'),
    cfg.IntOpt('heartbeat_soak_timeout',
               default=60,
               min=1,
               help='Seconds the heartbeat soak of a host being enabled may '
                    'take; a host that does not answer steadily by then '
                    'fails to enable (check [heartbeat] key and ports on '
                    'both sides).'),
    cfg.IntOpt('reinstall_timeout',
               default=2400,
               min=1,
               help='Seconds a reinstall may take, from the BMC reset until '
                    'the host\'s agent answers again (StarlingX: 2400 s).'),
    cfg.FloatOpt('graceful_recovery_timeout',
                 default=30.0,
                 min=0.0,
                 help='Seconds a host failed by heartbeat loss is given to '
                      'answer again by itself (graceful recovery: back in '
                      'service without a reboot) before maintenance '
                      'reboots it. Longer rides out longer network '
                      'outages; shorter repairs a hung host sooner.'),
    cfg.IntOpt('max_graceful_recoveries',
               default=5,
               min=0,
               help='Graceful recoveries in a row (StarlingX\'s fast '
                    'enables: 5) after which a host failed by heartbeat '
                    'is rebooted at once: one that keeps losing heartbeat '
                    'and coming back is not trusted any more. A reboot or '
                    'a lock starts the count again.'),
    cfg.IntOpt('reboot_attempts',
               default=5,
               min=0,
               help='Reboot requests sent through a failed host\'s agent '
                    'before maintenance resets it through its BMC '
                    '(StarlingX: 5 unacknowledged reboots before a '
                    'reset).'),
    cfg.FloatOpt('reboot_retry_interval',
                 default=5.0,
                 min=0.0,
                 help='Seconds between two reboot requests to a failed '
                      'host whose agent does not answer.'),
    cfg.FloatOpt('bmc_reset_delay',
                 default=300.0,
                 min=0.0,
                 help='Seconds from a host\'s failure before it is reset '
                      'through its BMC, when its agent did not take a '
                      'reboot request (StarlingX: 300 s, time for a crash '
                      'dump to be written).'),
    cfg.IntOpt('bmc_reset_attempts',
               default=7,
               min=1,
               help='BMC resets of a failed host that does not come back '
                    '(StarlingX: 7); after the last one it is left failed '
                    'until an operator locks and unlocks it.'),
]

# Auto-recovery of hosts that fail to enable: per cause, how many failures
# in a row leave the host failed, and how long to wait before the next try.
_AUTORECOVERY = (
    # cause, failures, seconds between tries, what fails
    ('config', 2, 30, 'its configuration is not applied in time'),
    ('goenable', 2, 30, 'its enable tests fail or are not reported'),
    ('heartbeat', 2, 600, 'it does not pass its heartbeat soak'),
)
for _cause, _threshold, _interval, _what in _AUTORECOVERY:
    opts.append(cfg.IntOpt(
        'ar_%s_threshold' % _cause,
        default=_threshold,
        min=1,
        help='Times in a row a host may fail to enable because %s before '
             'it is left failed with "threshold reached, Lock/Unlock to '
             'retry" (StarlingX: %d, i.e. one more reboot).'
             % (_what, _threshold)))
    opts.append(cfg.FloatOpt(
        'ar_%s_interval' % _cause,
        default=float(_interval),
        min=0.0,
        help='Seconds before a host that failed to enable because %s is '
             'rebooted to try again (StarlingX: %d s).' % (_what, _interval)))


def register_opts(conf):
    conf.register_opts(opts, group='mtce')


def list_opts():
    return {'mtce': opts}
