"""WebhookNotifier: POSTs each alarm event as JSON to ``[fm_webhook] url``.

The body is the event as fm hands it over (see stx.fm.notifiers.base).
A POST that fails (connection error, timeout or a status other than 2xx)
is retried ``[fm_webhook] retries`` times, waiting ``backoff`` seconds
before the first retry and doubling each time; after the last one notify()
raises ServiceUnavailable. Options are read at each delivery, so a changed
configuration applies without a restart.

Proxies from the environment are not used: a receiver is reached
directly, as the manager's other northbound traffic (SNMP) is.
"""

import time
import urllib.parse

from oslo_log import log as logging
import requests

from stx.common import exception
from stx.conf import CONF
from stx.fm.notifiers import base

LOG = logging.getLogger(__name__)

_SCHEMES = ('http', 'https')


class WebhookNotifier(base.Notifier):
    """Delivers events to one HTTP(S) endpoint."""

    def __init__(self):
        self._session = requests.Session()
        self._session.trust_env = False
        self._session.headers['Content-Type'] = 'application/json'

    def get_properties(self):
        """See :meth:`Notifier.get_properties`."""
        return {
            'url': 'Where events are POSTed ([fm_webhook] url). Required.',
            'timeout': 'Seconds one POST may take ([fm_webhook] timeout). '
                       'Optional.',
            'retries': 'Further attempts after a failure ([fm_webhook] '
                       'retries). Optional.',
            'backoff': 'Seconds before the first retry, doubling '
                       '([fm_webhook] backoff). Optional.',
        }

    def validate(self):
        """See :meth:`Notifier.validate`."""
        url = CONF.fm_webhook.url
        if not url:
            raise exception.MissingParameterValue(
                field='fm_webhook.url',
                reason='the webhook notifier needs a receiver URL')
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme not in _SCHEMES or not parsed.hostname:
            raise exception.InvalidParameterValue(
                field='fm_webhook.url',
                reason='%r is not an http(s) URL with a host' % url)

    def notify(self, event):
        """See :meth:`Notifier.notify`.

        :raises: InvalidParameterValue if event is not a dict.
        :raises: ServiceUnavailable once every attempt failed.
        """
        if not isinstance(event, dict):
            raise exception.InvalidParameterValue(
                field='event', reason='expected a dict, got %s'
                % type(event).__name__)
        self.validate()
        options = CONF.fm_webhook
        delay = options.backoff
        attempts = options.retries + 1
        for attempt in range(1, attempts + 1):
            failure = self._post(options.url, event, options.timeout)
            if failure is None:
                return
            if attempt == attempts:
                break
            LOG.warning('Webhook %(url)s attempt %(attempt)d of '
                        '%(attempts)d failed (%(failure)s); retrying in '
                        '%(delay).2fs',
                        {'url': options.url, 'attempt': attempt,
                         'attempts': attempts, 'failure': failure,
                         'delay': delay})
            time.sleep(delay)
            delay *= 2
        raise exception.ServiceUnavailable(
            service='webhook %s' % options.url,
            reason='%d attempts failed, the last with %s'
            % (attempts, failure))

    def _post(self, url, event, timeout):
        """None on success, else what went wrong (text)."""
        try:
            with self._session.post(url, json=event,
                                    timeout=timeout) as response:
                status = response.status_code
        except requests.RequestException as error:
            return '%s: %s' % (type(error).__name__, error)
        if 200 <= status < 300:
            return None
        return 'HTTP %d' % status
