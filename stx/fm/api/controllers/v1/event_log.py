"""/v1/event_log: the history of alarm sets and clears, and customer logs.

Newest first (by sequence number). StarlingX's flags alarms=True and
logs=True narrow it to alarm records or to log records; ``since`` (an
stx-flock extension) keeps records from that time on.
"""

import pecan
from pecan import rest

from stx.api import app as api_app
from stx.api import expose
from stx.common import exception
from stx.fm.api.controllers.v1 import formats
from stx.fm.api.controllers.v1 import query
from stx.fm.db import api as dbapi


class EventLogController(rest.RestController):

    @query.expose_with_query()
    def get_all(self, limit=None, marker=None, alarms=None, logs=None,
                include_suppress=None, since=None, sort_key=None,
                sort_dir=None, expand=None):
        """Event records, newest first; StarlingX's q filters apply."""
        filters = query.filters(dbapi.FILTER_FIELDS_EVENT,
                                dbapi.FILTER_OPS)
        if limit is not None:
            limit = query.integer('limit', limit)
        # The event log is read in its own order only (newest first), as
        # StarlingX's fm client shows it; accept the no-op spellings.
        if sort_key not in (None, 'timestamp'):
            raise exception.InvalidParameterValue(
                field='sort_key', reason="the event log is sorted by "
                "timestamp only, not '%s'" % (sort_key,))
        if sort_dir not in (None, 'desc'):
            raise exception.InvalidParameterValue(
                field='sort_dir', reason='the event log is listed newest '
                'first (desc) only')
        marker = query.text('marker', marker)
        alarms = query.boolean('alarms', alarms)
        logs = query.boolean('logs', logs)
        include_suppress = query.boolean('include_suppress',
                                         include_suppress)
        since_time = query.timestamp('since', since)
        try:
            rows = dbapi.event_list(pecan.request.context, filters=filters,
                                    limit=limit, marker=marker,
                                    alarms=alarms, logs=logs,
                                    include_suppress=include_suppress,
                                    since=since_time)
        except exception.EventNotFound:
            raise query.bad_marker(marker)
        base = api_app.base_url()
        result = {'event_log': [formats.event(row, base) for row in rows]}
        if limit is not None and len(rows) == limit:
            result['next'] = query.next_link(
                base, 'event_log', limit, rows[-1]['uuid'],
                {'alarms': alarms or None, 'logs': logs or None,
                 'include_suppress': include_suppress or None,
                 'since': since})
        return result

    @expose.expose()
    def get_one(self, uuid):
        """One event record by uuid (a bare object)."""
        return formats.event(dbapi.event_get(pecan.request.context, uuid),
                             api_app.base_url())
