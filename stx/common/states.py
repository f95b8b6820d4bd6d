"""Every state name stx-flock uses (DESIGN.md §5).

Code compares and stores states through these names, never through string
literals, so that a typo is an AttributeError rather than a silent mismatch.
"""

# Host administrative state.
LOCKED = 'locked'
UNLOCKED = 'unlocked'
ADMINISTRATIVE_STATES = (LOCKED, UNLOCKED)

# Host operational state.
ENABLED = 'enabled'
DISABLED = 'disabled'
OPERATIONAL_STATES = (ENABLED, DISABLED)

# Host availability.
AVAILABLE = 'available'
DEGRADED = 'degraded'
FAILED = 'failed'
INTEST = 'intest'
OFFLINE = 'offline'
ONLINE = 'online'
POWER_OFF = 'power-off'
AVAILABILITY_STATES = (AVAILABLE, DEGRADED, FAILED, INTEST, OFFLINE, ONLINE,
                       POWER_OFF)

# Host inventory provisioning (invprovision).
UNPROVISIONED = 'unprovisioned'
PROVISIONING = 'provisioning'
PROVISIONED = 'provisioned'
UPGRADING = 'upgrading'
PROVISION_STATES = (UNPROVISIONED, PROVISIONING, PROVISIONED, UPGRADING)

# Personalities and subfunctions.
CONTROLLER = 'controller'
WORKER = 'worker'
STORAGE = 'storage'
EDGEWORKER = 'edgeworker'
PERSONALITIES = (CONTROLLER, WORKER, STORAGE, EDGEWORKER)
LOWLATENCY = 'lowlatency'
SUBFUNCTIONS = PERSONALITIES + (LOWLATENCY,)

# Host actions, as StarlingX clients send them in PATCH /v1/ihosts/<id>.
ACTION_NONE = 'none'
ACTION_LOCK = 'lock'
ACTION_FORCE_LOCK = 'force-lock'
ACTION_FORCE_UNSAFE_LOCK = 'force-unsafe-lock'
ACTION_UNLOCK = 'unlock'
ACTION_FORCE_UNLOCK = 'force-unlock'
ACTION_REBOOT = 'reboot'
ACTION_RESET = 'reset'
ACTION_REINSTALL = 'reinstall'
ACTION_POWER_ON = 'power-on'
ACTION_POWER_OFF = 'power-off'
ACTION_SWACT = 'swact'
ACTION_FORCE_SWACT = 'force-swact'
# stx-flock's own: a reboot that falls back to a BMC reset when the host's
# agent does not answer (``stx host-reboot --force``).
ACTION_FORCE_REBOOT = 'force-reboot'
ACTION_HOST_AUDIT = 'host-audit'
ACTION_SUBFUNCTION_CONFIG = 'subfunction_config'
HOST_ACTIONS = (ACTION_LOCK, ACTION_FORCE_LOCK, ACTION_FORCE_UNSAFE_LOCK,
                ACTION_UNLOCK, ACTION_FORCE_UNLOCK, ACTION_REBOOT,
                ACTION_FORCE_REBOOT, ACTION_RESET, ACTION_REINSTALL,
                ACTION_POWER_ON, ACTION_POWER_OFF, ACTION_SWACT,
                ACTION_FORCE_SWACT, ACTION_HOST_AUDIT,
                ACTION_SUBFUNCTION_CONFIG)

# config_status of a host whose config_target its agent has not applied
# yet (StarlingX's text); None when config_applied equals config_target.
CONFIG_STATUS_OUT_OF_DATE = 'Config out-of-date'

# Board management controller types; "none" means the host has no BMC.
BM_TYPE_NONE = 'none'
BM_TYPE_IPMI = 'ipmi'
BM_TYPE_REDFISH = 'redfish'
BM_TYPE_DYNAMIC = 'dynamic'
# BMC types for which a bm_ip may carry an explicit ":port": the protocol is
# fixed, so the port is unambiguous.
BM_TYPES_WITH_PORT = (BM_TYPE_IPMI, BM_TYPE_REDFISH)

# Host task strings stx-mtce shows while it carries out an action.
TASK_POWERING_ON = 'Powering-on'
TASK_POWERING_OFF = 'Powering-off'
TASK_RESETTING = 'Resetting'
TASK_REBOOTING = 'Rebooting'
TASK_POWER_CYCLING = 'Power-cycling'
TASK_LOCKING = 'Locking'
TASK_UNLOCKING = 'Unlocking'
TASK_BOOTING = 'Booting'
TASK_TESTING = 'Testing'
TASK_ENABLING = 'Enabling'
TASK_REINSTALLING = 'Reinstalling'
# A host failed by heartbeat loss, waiting for its heartbeat to return.
TASK_GRACEFUL_RECOVERY_WAIT = 'Graceful Recovery Wait'
# Automatic recovery of a failed host (stx.mtce.recovery).
TASK_RECOVERY_REBOOT = 'Recovery Reboot'
TASK_RECOVERY_RESET_WAIT = 'Recovery BMC Reset Wait'
TASK_RECOVERY_RESET = 'Recovery BMC Reset'
TASK_AUTO_RECOVERY_WAIT = 'Auto-Recovery Wait'
# A failed host automatic recovery gave up on: '<cause> Failure, threshold
# reached, Lock/Unlock to retry', as StarlingX says it.
TASK_RECOVERY_GAVE_UP = '%s Failure, threshold reached, Lock/Unlock to retry'

# Hardware sensor status (hwmon), from healthy to worst; offline when the
# sensor cannot be read.
SENSOR_OK = 'ok'
SENSOR_MINOR = 'minor'
SENSOR_MAJOR = 'major'
SENSOR_CRITICAL = 'critical'
SENSOR_OFFLINE = 'offline'
SENSOR_STATUSES = (SENSOR_OK, SENSOR_MINOR, SENSOR_MAJOR, SENSOR_CRITICAL,
                   SENSOR_OFFLINE)
# What hwmon does when a sensor group's sensor reaches a severity
# (StarlingX's choices: reset and power-cycle only for critical).
SENSOR_ACTION_IGNORE = 'ignore'
SENSOR_ACTION_LOG = 'log'
SENSOR_ACTION_ALARM = 'alarm'
SENSOR_ACTION_RESET = 'reset'
SENSOR_ACTION_POWER_CYCLE = 'power-cycle'
SENSOR_ACTIONS_MINOR = (SENSOR_ACTION_IGNORE, SENSOR_ACTION_LOG,
                        SENSOR_ACTION_ALARM)
SENSOR_ACTIONS_MAJOR = SENSOR_ACTIONS_MINOR
SENSOR_ACTIONS_CRITICAL = SENSOR_ACTIONS_MINOR + (SENSOR_ACTION_RESET,
                                                  SENSOR_ACTION_POWER_CYCLE)

# What a logical cpu is assigned to (allocated_function), as StarlingX.
CPU_FUNCTION_PLATFORM = 'Platform'
CPU_FUNCTION_VSWITCH = 'Vswitch'
CPU_FUNCTION_SHARED = 'Shared'
CPU_FUNCTION_APPLICATION = 'Application'
CPU_FUNCTION_APPLICATION_ISOLATED = 'Application-isolated'
CPU_FUNCTION_NONE = 'None'
CPU_FUNCTIONS = (CPU_FUNCTION_PLATFORM, CPU_FUNCTION_VSWITCH,
                 CPU_FUNCTION_SHARED, CPU_FUNCTION_APPLICATION,
                 CPU_FUNCTION_APPLICATION_ISOLATED, CPU_FUNCTION_NONE)

# System.
SYSTEM_MODE_SIMPLEX = 'simplex'
SYSTEM_MODE_DUPLEX = 'duplex'
SYSTEM_MODE_DUPLEX_DIRECT = 'duplex-direct'
SYSTEM_MODES = (SYSTEM_MODE_SIMPLEX, SYSTEM_MODE_DUPLEX,
                SYSTEM_MODE_DUPLEX_DIRECT)
SYSTEM_TYPE_AIO = 'All-in-one'
SYSTEM_TYPE_STANDARD = 'Standard'
SYSTEM_TYPES = (SYSTEM_TYPE_AIO, SYSTEM_TYPE_STANDARD)

# Service group state and status (sm), as StarlingX.
SG_INITIAL = 'initial'
SG_UNKNOWN = 'unknown'
SG_STANDBY = 'standby'
SG_GO_STANDBY = 'go-standby'
SG_GO_ACTIVE = 'go-active'
SG_ACTIVE = 'active'
SG_DISABLING = 'disabling'
SG_DISABLED = 'disabled'
SG_SHUTDOWN = 'shutdown'
SG_STATUS_NONE = 'none'
SG_STATUS_WARN = 'warn'
SG_STATUS_DEGRADED = 'degraded'
SG_STATUS_FAILED = 'failed'
SG_STATUSES = (SG_STATUS_NONE, SG_STATUS_WARN, SG_STATUS_DEGRADED,
               SG_STATUS_FAILED)

# Service state (sm), as StarlingX; a service's status is one of
# SG_STATUSES.
SVC_INITIAL = 'initial'
SVC_UNKNOWN = 'unknown'
SVC_ENABLED_STANDBY = 'enabled-standby'
SVC_ENABLED_GO_STANDBY = 'enabled-go-standby'
SVC_ENABLED_GO_ACTIVE = 'enabled-go-active'
SVC_ENABLED_ACTIVE = 'enabled-active'
SVC_ENABLING_THROTTLE = 'enabling-throttle'
SVC_ENABLING = 'enabling'
SVC_DISABLING = 'disabling'
SVC_DISABLED = 'disabled'
SVC_SHUTDOWN = 'shutdown'
SVC_STATES = (SVC_INITIAL, SVC_UNKNOWN, SVC_ENABLED_STANDBY,
              SVC_ENABLED_GO_STANDBY, SVC_ENABLED_GO_ACTIVE,
              SVC_ENABLED_ACTIVE, SVC_ENABLING_THROTTLE, SVC_ENABLING,
              SVC_DISABLING, SVC_DISABLED, SVC_SHUTDOWN)

# How much a failed member weighs on its service group.
IMPACT_CRITICAL = 'critical'
IMPACT_MAJOR = 'major'
IMPACT_MINOR = 'minor'
IMPACTS = (IMPACT_CRITICAL, IMPACT_MAJOR, IMPACT_MINOR)

# Alarm severities.
SEVERITY_CRITICAL = 'critical'
SEVERITY_MAJOR = 'major'
SEVERITY_MINOR = 'minor'
SEVERITY_WARNING = 'warning'
SEVERITIES = (SEVERITY_CRITICAL, SEVERITY_MAJOR, SEVERITY_MINOR,
              SEVERITY_WARNING)
# The severity of a customer log that is not about a fault.
SEVERITY_NOT_APPLICABLE = 'not-applicable'

# Patch states.
PATCH_AVAILABLE = 'available'
PATCH_PARTIAL_APPLY = 'partial-apply'
PATCH_APPLIED = 'applied'
PATCH_COMMITTED = 'committed'
PATCH_PARTIAL_REMOVE = 'partial-remove'
