"""[bmc]: how the IPMI, Redfish and dynamic BMC drivers talk to BMCs.

Timeouts bound every request a driver sends; retries are few and short, so
that one dead BMC cannot hold up an audit of hundreds of healthy ones.
"""

from oslo_config import cfg

GROUP = 'bmc'

opts = [
    cfg.FloatOpt('ipmi_timeout',
                 default=3.0,
                 min=0.2,
                 help='Seconds one IPMI request (or the login that opens a '
                      'session) may wait for the BMC to answer before the '
                      'attempt fails. Within it pyghmi retransmits the '
                      'request (after about 0.5-1 s, then 1 s more each '
                      'time). A healthy BMC on a LAN answers in '
                      'milliseconds; raise it for BMCs behind slow WAN '
                      'links, at the cost of waiting longer for a dead '
                      'one.'),
    cfg.IntOpt('ipmi_retries',
               default=1,
               min=0,
               help='Further attempts, each with a fresh session, after an '
                    'IPMI request got no answer. A refused password is '
                    'never retried. A BMC that does not answer fails after '
                    'about (ipmi_retries + 1) * ipmi_timeout seconds plus '
                    'the backoff.'),
    cfg.FloatOpt('ipmi_session_idle_timeout',
                 default=20.0,
                 min=0.0,
                 help='Seconds an IPMI session may stay unused before the '
                      'driver logs it out and logs in afresh on the next '
                      'call. BMCs close idle sessions after about 60 s '
                      '(IPMI\'s default), and a request sent on a session '
                      'the BMC closed waits for a timeout; reusing a '
                      'session saves the four round trips of a login. 0 '
                      'logs in for every call.'),
    cfg.IntOpt('ipmi_port',
               default=623,
               min=1,
               max=65535,
               help='UDP port of the IPMI (RMCP+) service when bmc_info '
                    'names none. The dynamic driver always uses it.'),
    cfg.BoolOpt('ipmi_read_thresholds',
                default=True,
                help='Read each threshold sensor\'s thresholds (IPMI Get '
                     'Sensor Thresholds) along with the readings. Costs '
                     'one round trip per sensor; a BMC that does not '
                     'support the command is asked once per session.'),
    cfg.FloatOpt('retry_backoff',
                 default=0.5,
                 min=0.0,
                 help='Seconds before the first retry of a request that got '
                      'no answer; doubled before each further retry.'),
    cfg.FloatOpt('power_confirm_timeout',
                 default=60.0,
                 min=1.0,
                 help='Seconds set_power_state waits, by default, for the '
                      'BMC to confirm the requested power state. A soft '
                      'power-off waits for the operating system to shut '
                      'down, which may take longer; callers pass their '
                      'own timeout then.'),
    cfg.FloatOpt('power_poll_interval',
                 default=1.0,
                 min=0.05,
                 help='Longest pause, in seconds, between two power-state '
                      'reads while a power change is being confirmed. The '
                      'first read is immediate and the pauses grow from '
                      '0.1 s to this value: shorter confirms a fence '
                      'sooner, longer sends fewer requests to a slow '
                      'BMC.'),
    cfg.StrOpt('redfish_scheme',
               default='https',
               choices=[('https', 'Redfish over TLS, as real BMCs serve it'),
                        ('http', 'plain HTTP, for lab emulators only: '
                                 'credentials cross the network in clear')],
               help='URL scheme of Redfish services: the drivers use '
                    '<scheme>://<address>[:<port>]/redfish/v1.'),
    cfg.IntOpt('redfish_port',
               min=1,
               max=65535,
               help='TCP port of Redfish services when bmc_info names none '
                    '(the dynamic driver always uses it). Unset: the '
                    'scheme\'s default port (443 or 80).'),
    cfg.StrOpt('redfish_verify_ca',
               default='True',
               help='How to verify a Redfish service\'s TLS certificate: '
                    '"True" against the system CA bundle, "False" not at '
                    'all (anyone on the path can then read the BMC '
                    'password), or the path of a CA bundle file or '
                    'directory.'),
    cfg.FloatOpt('redfish_connect_timeout',
                 default=5.0,
                 min=0.1,
                 help='Seconds to wait for the TCP (and TLS) connection to '
                      'a Redfish service.'),
    cfg.FloatOpt('redfish_read_timeout',
                 default=20.0,
                 min=0.1,
                 help='Seconds to wait for a Redfish service\'s answer once '
                      'connected. Some BMCs take several seconds to accept '
                      'a reset action; too short fails those.'),
    cfg.IntOpt('redfish_retries',
               default=1,
               min=0,
               help='Further attempts after a Redfish request could not '
                    'connect or timed out. Authentication failures are '
                    'never retried.'),
    cfg.FloatOpt('dynamic_probe_timeout',
                 default=3.0,
                 min=0.1,
                 help='Seconds the dynamic driver waits for a BMC\'s '
                      'Redfish service root before it falls back to IPMI.'),
    cfg.FloatOpt('dynamic_reprobe_interval',
                 default=600.0,
                 min=0.0,
                 help='Seconds the dynamic driver keeps using the protocol '
                      'it found for a BMC before it probes again (a BMC '
                      'whose firmware gained Redfish is noticed within '
                      'this time). A failed call forgets the choice at '
                      'once. 0 probes before every call.'),
]


def register_opts(conf):
    conf.register_opts(opts, group=GROUP)


def list_opts():
    return {GROUP: opts}
