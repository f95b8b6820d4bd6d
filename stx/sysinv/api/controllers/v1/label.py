"""/v1/labels: the Kubernetes labels of hosts, as StarlingX serves them.

``POST /v1/labels/<host uuid>?overwrite=True|False`` with ``{"key":
"value", ...}`` assigns labels (StarlingX's client request) and answers
``{"labels": [...]}``; ``GET`` and ``DELETE /v1/labels/<uuid>`` read and
remove one. A host's labels are listed at ``/v1/ihosts/<host>/labels``.
The conductor checks and writes (stx.sysinv.labels).
"""

from oslo_utils import strutils
import pecan
from pecan import rest

from stx.api import app as api_app
from stx.api import expose
from stx.common import exception
from stx.sysinv.api.controllers.v1 import formats
from stx.sysinv.db import api as dbapi
from stx.sysinv.db import interfaces_api
from stx.sysinv import labels


def _labels(rows):
    base = api_app.base_url()
    return {'labels': [formats.label(row, base) for row in rows]}


def _overwrite():
    # From the query only: a label named "overwrite" may be in the body.
    value = pecan.request.GET.get('overwrite', 'False')
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise exception.InvalidParameterValue(
            field='overwrite', reason="'%s' is not True or False" % value)


class LabelController(rest.RestController):
    """/v1/labels."""

    @expose.expose()
    def get_one(self, uuid):
        return formats.label(
            interfaces_api.label_get(pecan.request.context, uuid),
            api_app.base_url())

    @expose.expose()
    def post(self, host_uuid=None, **_body):
        """Assign the body's labels to the host; answers them."""
        if host_uuid is None:
            raise exception.MissingParameterValue(
                field='host_uuid', reason='POST /v1/labels/<host uuid>')
        overwrite = _overwrite()
        body = labels.check_labels(expose.request_json())
        context = pecan.request.context
        host = dbapi.host_get(context, host_uuid)
        rows = pecan.request.rpcapi.assign_labels(context, host['uuid'],
                                                  body, overwrite)
        return _labels(rows)

    @expose.expose(status_code=204)
    def delete(self, uuid):
        context = pecan.request.context
        row = interfaces_api.label_get(context, uuid)
        pecan.request.rpcapi.remove_label(context, row['uuid'])


class HostLabelController(rest.RestController):
    """/v1/ihosts/<host>/labels: one host's labels, by key."""

    @expose.expose()
    def get_all(self, host=None):
        if host is None:
            raise exception.NotFound()
        context = pecan.request.context
        return _labels(interfaces_api.label_list(
            context, dbapi.host_get(context, host)['id']))
