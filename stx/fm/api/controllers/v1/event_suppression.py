"""/v1/event_suppression: which alarm ids are suppressed.

One entry per Alarm id of the catalogue, as in StarlingX; customer logs
cannot be suppressed. A suppressed id's alarms stay stored and are hidden
from listings (unless include_suppress=True) and from notifiers; changing
the status goes to stx-fm-manager over RPC. The entry of an id that left
the catalogue (or became a log) is set for deletion by the manager's sync:
it is not listed, and a PATCH of it is refused.
"""

import pecan
from pecan import rest

from stx.api import app as api_app
from stx.api import expose
from stx.api import jsonpatch
from stx.common import exception
from stx.fm.api.controllers.v1 import formats
from stx.fm.api.controllers.v1 import query
from stx.fm.db import api as dbapi

FILTER_FIELDS = ('suppression_status', 'alarm_id', 'uuid')
_WRITABLE = ('suppression_status',)


def _matches(row, filters):
    for field, op, value in filters:
        if (row[field] == value) != (op == 'eq'):
            return False
    return True


class EventSuppressionController(rest.RestController):

    @query.expose_with_query()
    def get_all(self, sort_key=None, sort_dir=None, expand=None):
        """Every entry, or those the q filters keep (server-side).

        StarlingX's event-suppress-list sends
        ``q.field=suppression_status&q.op=eq&q.value=suppressed`` and
        shows whatever comes back, so the filter must happen here.
        """
        filters = query.filters(FILTER_FIELDS)
        status = None
        for field, op, value in filters:
            if field == 'suppression_status' and op == 'eq':
                status = value
        rows = dbapi.suppression_list(pecan.request.context, status=status)
        base = api_app.base_url()
        return {'event_suppression': [formats.suppression(row, base)
                                      for row in rows
                                      if _matches(row, filters)]}

    @expose.expose()
    def get_one(self, uuid):
        return formats.suppression(
            dbapi.suppression_get(pecan.request.context, uuid),
            api_app.base_url())

    @expose.expose()
    def patch(self, uuid):
        """JSON-patch replace of /suppression_status, as fm clients send.

        An entry set for deletion is refused by the manager
        (InvalidParameterValue naming suppression_status), unchanged.
        """
        changes = jsonpatch.to_changes(expose.request_json(),
                                       formats.SUPPRESSION_FIELDS,
                                       _WRITABLE)
        status = changes['suppression_status']
        if status not in dbapi.SUPPRESSION_STATUSES:
            raise exception.InvalidParameterValue(
                field='suppression_status', reason="'%s' is not one of %s"
                % (status, ', '.join(dbapi.SUPPRESSION_STATUSES)))
        context = pecan.request.context
        current = dbapi.suppression_get(context, uuid)
        updated = pecan.request.rpcapi.update_suppression(
            context, current['uuid'], status)
        return formats.suppression(updated, api_app.base_url())
