"""Request context: who is asking, carried through the API, RPC and the DB."""

from oslo_context import context
from oslo_db.sqlalchemy import enginefacade


@enginefacade.transaction_context_provider
class RequestContext(context.RequestContext):
    """A request's identity; also holds the DB transaction of its thread."""

    def to_policy_values(self):
        values = super().to_policy_values()
        values['is_admin'] = self.is_admin
        return values


def get_admin_context():
    """A context for work the services do on their own behalf."""
    return RequestContext(is_admin=True, overwrite=False)
