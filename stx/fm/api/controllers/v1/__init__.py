"""The v1 API of fm: its resources and its version document."""

from stx.api import expose
from stx.api import versions
from stx.fm.api.controllers.v1 import alarms
from stx.fm.api.controllers.v1 import event_log
from stx.fm.api.controllers.v1 import event_suppression

_RESOURCES = ('alarms', 'event_log', 'event_suppression')


class V1Controller:
    alarms = alarms.AlarmController()
    event_log = event_log.EventLogController()
    event_suppression = event_suppression.EventSuppressionController()

    @expose.expose()
    def index(self):
        return versions.v1_document('fm', _RESOURCES)
