"""[fm], [fm_database], [fm_snmp] and [fm_webhook]: fault management."""

from oslo_config import cfg

from stx.conf import database

FM_DATABASE_GROUP = 'fm_database'

opts = [
    cfg.IntOpt('event_log_max_size',
               default=100000,
               min=100,
               help='Records the event log keeps; the oldest are pruned '
                    'first. StarlingX keeps 4,000; more history costs disk '
                    'and slows unfiltered event listings a little.'),
    cfg.StrOpt('event_notify_file',
               default='$state_path/fm-event.log',
               help='File the log notifier appends a line to for every '
                    'alarm set, alarm clear and customer log (StarlingX\'s '
                    'fm-event.log). Rotating it needs no signal: the '
                    'manager reopens it once it was moved.'),
    cfg.StrOpt('catalogue_file',
               help='An operator\'s own alarm catalogue (events.yaml '
                    'layout). Unset uses the catalogue shipped in the '
                    'package.'),
    cfg.IntOpt('rpc_timeout',
               default=30,
               min=1,
               help='Seconds the fm API waits for stx-fm-manager before it '
                    'answers 503.'),
    cfg.FloatOpt('client_timeout',
                 default=2.0,
                 min=0.1,
                 help='Longest a synchronous set or clear through the fm '
                      'client library waits for stx-fm-manager, in '
                      'seconds. When it does not answer in time, the '
                      'operation is queued on disk and replayed later, so '
                      'nothing is lost and no caller stalls.'),
    cfg.StrOpt('client_queue_dir',
               default='$state_path/fm-queue',
               help='Directory of the fm client library\'s durable queues '
                    '(one SQLite file per calling process).'),
    cfg.IntOpt('batch_max_size',
               default=500,
               min=1,
               help='Most set/clear operations stx-fm-manager commits in '
                    'one transaction. Batching many concurrent callers '
                    'into one commit is what makes writes durable and '
                    'fast.'),
    cfg.IntOpt('batch_max_wait_ms',
               default=0,
               min=0,
               help='Milliseconds the manager waits for more operations '
                    'before committing a batch. With 0, a batch is what '
                    'queued while the previous one committed: under load '
                    'batches grow by themselves and an idle manager adds '
                    'no latency. A wait gives bigger batches at the cost '
                    'of latency.'),
]

snmp_opts = [
    cfg.ListOpt('trap_destinations',
                default=[],
                help='host:port of each SNMP trap receiver (SNMPv2c).'),
    cfg.StrOpt('community',
               default='public',
               secret=True,
               help='SNMPv2c community string sent with every trap.'),
]

webhook_opts = [
    cfg.URIOpt('url',
               help='Where the webhook notifier POSTs each alarm event as '
                    'JSON.'),
    cfg.FloatOpt('timeout',
                 default=5.0,
                 min=0.1,
                 help='Seconds one POST may take.'),
    cfg.IntOpt('retries',
               default=5,
               min=0,
               help='Further attempts after a failed POST.'),
    cfg.FloatOpt('backoff',
                 default=0.5,
                 min=0.0,
                 help='Seconds before the first retry; doubled before each '
                      'further one.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='fm')
    conf.register_opts(snmp_opts, group='fm_snmp')
    conf.register_opts(webhook_opts, group='fm_webhook')
    database.register_group(conf, FM_DATABASE_GROUP)


def list_opts():
    return {'fm': opts, 'fm_snmp': snmp_opts, 'fm_webhook': webhook_opts}
