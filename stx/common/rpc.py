"""RPC plumbing over oslo.messaging: one transport per process.

Servers use the ``threading`` executor (no eventlet). The transport URL comes
from ``[DEFAULT] transport_url``: ``rabbit://...`` for separate processes,
``stx-inproc://`` inside one process (the all-in-one controller and unit
tests; see stx.common.inproc for why not kombu's memory:// or fake://).
"""

import threading

import oslo_messaging as messaging
from oslo_messaging.rpc import dispatcher

from stx.common import context as stx_context
from stx.common import exception

# Exceptions from these modules are rebuilt as themselves on the caller, so
# an API can turn a conductor's HostNotFound into a 404.
ALLOWED_EXMODS = [exception.__name__]

TRANSPORT = None


def init(conf):
    """Create the process's transport from ``conf`` (idempotent)."""
    global TRANSPORT
    if TRANSPORT is None:
        TRANSPORT = messaging.get_rpc_transport(
            conf, allowed_remote_exmods=ALLOWED_EXMODS)
    return TRANSPORT


# Seconds a stopping process waits for its transport to close. Its reply
# listener notices the close only at the end of its poll, up to 5 s on
# RabbitMQ; past this the process exits and the broker drops the
# connection and its reply queue.
CLEANUP_TIMEOUT = 1.0


def cleanup(timeout=CLEANUP_TIMEOUT):
    """Close the process's transport, waiting up to ``timeout`` s."""
    global TRANSPORT
    transport, TRANSPORT = TRANSPORT, None
    if transport is not None:
        closing = threading.Thread(target=transport.cleanup,
                                   name='rpc-cleanup', daemon=True)
        closing.start()
        closing.join(timeout)


def _transport():
    if TRANSPORT is None:
        raise exception.ServiceUnavailable(
            service='RPC', reason='the message transport is not initialised')
    return TRANSPORT


class RequestContextSerializer(messaging.Serializer):
    """Carries the request context and versioned objects across RPC."""

    def __init__(self, base=None):
        self._base = base

    def serialize_entity(self, context, entity):
        if self._base is None:
            return entity
        return self._base.serialize_entity(context, entity)

    def deserialize_entity(self, context, entity):
        if self._base is None:
            return entity
        return self._base.deserialize_entity(context, entity)

    def serialize_context(self, context):
        return context.to_dict()

    def deserialize_context(self, context):
        return stx_context.RequestContext.from_dict(context)


def get_client(target, version_cap=None, serializer=None, timeout=None):
    """An RPC client for ``target``, never sending above ``version_cap``."""
    return messaging.get_rpc_client(
        _transport(), target, version_cap=version_cap, timeout=timeout,
        serializer=RequestContextSerializer(serializer))


def call(client, context, method, service, version='1.0', **kwargs):
    """``client.call`` at ``version``; a service that does not answer in
    time, or cannot be reached, is a ServiceUnavailable naming ``service``.
    """
    try:
        prepared = client.prepare(version=version)
        return prepared.call(context, method, **kwargs)
    except messaging.MessagingTimeout:
        raise exception.ServiceUnavailable(
            service=service,
            reason='it did not answer within %s seconds' % client.timeout)
    except messaging.MessageDeliveryFailure as error:
        raise exception.ServiceUnavailable(
            service=service,
            reason='the request could not be delivered: %s' % error)


def get_server(target, endpoints, serializer=None):
    """An RPC server on the threading executor; call start() / stop()."""
    return messaging.get_rpc_server(
        _transport(), target, endpoints, executor='threading',
        serializer=RequestContextSerializer(serializer),
        access_policy=dispatcher.DefaultRPCAccessPolicy)


def begin_stop(server):
    """Have ``server`` stop listening, in another thread.

    On RabbitMQ an idle listener notices a stop only at the end of its
    poll, up to 5 s later; a service stops its other parts meanwhile.

    :returns: a function that waits until the server stopped and the
        calls it was serving have ended.
    """
    thread = threading.Thread(target=server.stop, name='rpc-server-stop',
                              daemon=True)
    thread.start()

    def wait():
        thread.join()
        server.wait()
    return wait
