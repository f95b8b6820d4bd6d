"""An in-process oslo.messaging transport that waits instead of polling.

The all-in-one controller runs every service in one process, so its RPC
never leaves the process. oslo.messaging's in-process choices both poll:
``fake://`` sleeps 50 ms between looks, and kombu's ``memory://`` spins (it
kept half a core busy on an idle AIO). This driver keeps oslo.messaging's
fake exchanges (queues per topic and server, JSON-checked messages, replies
on a blocking queue) and makes listeners sleep on a condition that every
delivery notifies, so an idle process uses no CPU and a call costs well
under a millisecond of transport time.

Select it with ``transport_url = stx-inproc://``; it cannot reach another
process.
"""

import threading
import time

import oslo_messaging as messaging
from oslo_messaging._drivers import base
from oslo_messaging._drivers import common
from oslo_messaging._drivers import impl_fake


class _Exchange(impl_fake.FakeExchange):

    def __init__(self, name, arrived):
        super().__init__(name)
        self._arrived = arrived

    def deliver_message(self, *args, **kwargs):
        super().deliver_message(*args, **kwargs)
        with self._arrived:
            self._arrived.notify_all()


class _ExchangeManager(impl_fake.FakeExchangeManager):
    # Our own registry, not the fake driver's, and one condition for the
    # process: listeners are few (one per RPC server), so waking them all
    # on a delivery costs nothing worth a finer scheme.
    _exchanges_lock = threading.Lock()
    _exchanges = {}
    arrived = threading.Condition()

    def get_exchange(self, name):
        name = name or self._default_exchange
        with self._exchanges_lock:
            exchange = self._exchanges.get(name)
            if exchange is None:
                exchange = self._exchanges[name] = _Exchange(name,
                                                             self.arrived)
            return exchange


class _SerializedFailure(Exception):
    """A server's failure on its way back, serialized as a broker has it."""

    def __init__(self, data):
        super().__init__(data)
        self.data = data


class _IncomingMessage(impl_fake.FakeIncomingMessage):
    """Replies with failures serialized, as a broker would carry them.

    The caller rebuilds them with its own allowed modules, so it gets what
    it would get over RabbitMQ, never the server's exception object.
    """

    def reply(self, reply=None, failure=None):
        if failure:
            data = common.serialize_remote_exception(failure)
            failure = (None, _SerializedFailure(data), None)
        super().reply(reply, failure)


class _Listener(impl_fake.FakeListener):

    def _take(self):
        for target in self._targets:
            exchange = self._exchange_manager.get_exchange(target.exchange)
            ctxt, message, reply_q, requeue = exchange.poll(target,
                                                            self._pool)
            if message is not None:
                return _IncomingMessage(ctxt, message, reply_q, requeue)
        return None

    @base.batch_poll_helper
    def poll(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        arrived = self._exchange_manager.arrived
        while True:
            # Looking and waiting under the condition's lock: a delivery,
            # or stop(), notifies only once we wait, so none is missed.
            # _stopped is read under it too: read before, a stop between
            # the read and the wait would be waited through forever.
            with arrived:
                if self._stopped.is_set():
                    return None
                message = self._take()
                if message is not None:
                    return message
                remaining = (None if deadline is None
                             else deadline - time.monotonic())
                if remaining is not None and remaining <= 0:
                    return None
                arrived.wait(remaining)

    def stop(self):
        super().stop()
        with self._exchange_manager.arrived:
            self._exchange_manager.arrived.notify_all()


class InProcessDriver(impl_fake.FakeDriver):
    """oslo.messaging driver ``stx-inproc`` (entry point in setup.cfg)."""

    def __init__(self, conf, url, default_exchange=None,
                 allowed_remote_exmods=None):
        super().__init__(conf, url, default_exchange, allowed_remote_exmods)
        self._exchange_manager = _ExchangeManager(default_exchange)

    def send(self, *args, **kwargs):
        try:
            return super().send(*args, **kwargs)
        except _SerializedFailure as failure:
            raise common.deserialize_remote_exception(
                failure.data, self._allowed_remote_exmods) from None

    def listen(self, target, batch_size, batch_timeout):
        exchange = target.exchange or self._default_exchange
        listener = _Listener(self._exchange_manager, [
            messaging.Target(topic=target.topic, server=target.server,
                             exchange=exchange),
            messaging.Target(topic=target.topic, exchange=exchange)])
        return base.PollStyleListenerAdapter(listener, batch_size,
                                             batch_timeout)

    def listen_for_notifications(self, targets_and_priorities, pool,
                                 batch_size, batch_timeout):
        targets = [messaging.Target(topic='%s.%s' % (target.topic, priority),
                                    exchange=target.exchange)
                   for target, priority in targets_and_priorities]
        listener = _Listener(self._exchange_manager, targets, pool)
        return base.PollStyleListenerAdapter(listener, batch_size,
                                             batch_timeout)
