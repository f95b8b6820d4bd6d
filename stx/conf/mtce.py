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
]


def register_opts(conf):
    conf.register_opts(opts, group='mtce')


def list_opts():
    return {'mtce': opts}
