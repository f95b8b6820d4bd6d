"""Service-management actions for the services stx-aio runs in its process.

The all-in-one controller starts and stops its services itself
(stx.command.aio), so service management there restarts nothing: its
model (``stx/sm/data/aio.yaml``) has one service per stx-flock service,
whose enable and audit check that the service of that name is running in
this process (``stx.common.service.RUNNING``) and whose disable has
nothing to do. A service that stops or never started fails its audit,
and its group's status and alarm 400.001 say so.
"""

from stx.common import exception
from stx.common import service as stx_service


class NotRunning(exception.StxException):
    msg_fmt = '%(service)s is not running in this process'
    error_code = 'stx.sm.not_running'


class InProcessService:
    """Plugin of the all-in-one model; the service's name is the name of
    its ``stx.services`` entry point.
    """

    def enable(self, service):
        self.audit(service)

    def disable(self, service):
        """stx-aio stops its services itself."""

    def audit(self, service):
        if service not in stx_service.RUNNING:
            raise NotRunning(service=service)
