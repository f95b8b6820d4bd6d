"""The v1 API of fm: its resources and its version document."""

from stx.api import app as api_app
from stx.api import expose
from stx.fm.api.controllers.v1 import alarms
from stx.fm.api.controllers.v1 import event_log
from stx.fm.api.controllers.v1 import event_suppression

MEDIA_TYPE = 'application/vnd.openstack.fm.v1+json'
_RESOURCES = ('alarms', 'event_log', 'event_suppression')


class V1Controller:
    alarms = alarms.AlarmController()
    event_log = event_log.EventLogController()
    event_suppression = event_suppression.EventSuppressionController()

    @expose.expose()
    def index(self):
        base = api_app.base_url() + '/v1/'
        document = {
            'id': 'v1',
            'links': [api_app.version_link(base)],
            'media_types': [{'base': 'application/json',
                             'type': MEDIA_TYPE}],
        }
        for resource in _RESOURCES:
            document[resource] = [
                api_app.version_link(base + resource, rel='self')]
        return document
