"""/v1/alarms: active alarms, their summary, and deleting one.

Reads go straight to the fm database; a delete goes to stx-fm-manager over
RPC, which logs it as a 'clear' in the event log.
"""

import pecan
from pecan import rest

from stx.api import app as api_app
from stx.api import expose
from stx.common import exception
from stx.fm.api.controllers.v1 import formats
from stx.fm.api.controllers.v1 import query
from stx.fm.db import api as dbapi


class AlarmController(rest.RestController):

    # A custom action, so that GET /v1/alarms/summary is never read as
    # GET /v1/alarms/<uuid>.
    _custom_actions = {'summary': ['GET']}

    @query.expose_with_query()
    def get_all(self, limit=None, marker=None, sort_key='timestamp',
                sort_dir='desc', include_suppress=None, expand=None):
        """Active alarms, newest first; StarlingX's q filters apply."""
        filters = query.filters(dbapi.FILTER_FIELDS_ALARM,
                                dbapi.FILTER_OPS)
        query.choice('sort_key', sort_key, dbapi.ALARM_SORT_KEYS)
        query.choice('sort_dir', sort_dir, query.SORT_DIRS)
        if limit is not None:
            limit = query.integer('limit', limit)
        marker = query.text('marker', marker)
        include_suppress = query.boolean('include_suppress',
                                         include_suppress)
        try:
            rows = dbapi.alarm_list(pecan.request.context, filters=filters,
                                    limit=limit, marker=marker,
                                    sort_key=sort_key, sort_dir=sort_dir,
                                    include_suppress=include_suppress)
        except exception.AlarmNotFound:
            raise query.bad_marker(marker)
        base = api_app.base_url()
        affecting = formats.affecting_lookup()
        result = {'alarms': [formats.alarm(row, base, affecting)
                             for row in rows]}
        if limit is not None and len(rows) == limit:
            result['next'] = query.next_link(
                base, 'alarms', limit, rows[-1]['uuid'],
                {'sort_key': sort_key, 'sort_dir': sort_dir,
                 'include_suppress': include_suppress or None})
        return result

    @expose.expose()
    def get_one(self, uuid):
        """One alarm by uuid (a bare object)."""
        row = dbapi.alarm_get(pecan.request.context, uuid)
        return formats.alarm(row, api_app.base_url(),
                             formats.affecting_lookup())

    @expose.expose()
    def summary(self, include_suppress=None):
        """Counts per severity and the overall status (a bare object)."""
        include_suppress = query.boolean('include_suppress',
                                         include_suppress)
        return formats.summary(dbapi.alarm_summary(
            pecan.request.context, include_suppress=include_suppress))

    @expose.expose(status_code=204)
    def delete(self, uuid):
        """Clear one alarm by hand; the manager logs the clear."""
        context = pecan.request.context
        alarm = dbapi.alarm_get(context, uuid)
        pecan.request.rpcapi.delete_alarm(context, alarm['uuid'])
