"""The in-process transport: RPC semantics without polling."""

import resource
import threading
import time

import oslo_messaging as messaging
import testtools

from stx.common import context as stx_context
from stx.common import exception
from stx.common import inproc
from stx.conf import CONF
from tests.unit import base


class Echo:
    target = messaging.Target(version='1.0')

    def __init__(self):
        self.casts = []
        self.cast_seen = threading.Event()

    def echo(self, ctxt, value):
        return value

    def fail(self, ctxt):
        raise ValueError('no')

    def missing(self, ctxt, host):
        self.raised = exception.HostNotFound(host=host)
        raise self.raised

    def remember(self, ctxt, value):
        self.casts.append(value)
        self.cast_seen.set()


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class TestInProcessTransport(testtools.TestCase):

    def setUp(self):
        super().setUp()
        # The global CONF: oslo.messaging registers some of its groups
        # only there.
        self.transport = messaging.get_rpc_transport(
            CONF, url=base.IN_PROCESS_TRANSPORT)
        self.addCleanup(self.transport.cleanup)
        self.endpoint = Echo()
        topic = 'test-%s' % self.id()
        self.server = messaging.get_rpc_server(
            self.transport, messaging.Target(topic=topic, server='h'),
            [self.endpoint], executor='threading')
        self.server.start()
        self.addCleanup(self.server.wait)
        self.addCleanup(self.server.stop)
        self.client = messaging.get_rpc_client(
            self.transport, messaging.Target(topic=topic), timeout=5)
        self.context = stx_context.get_admin_context().to_dict()

    def test_the_driver_is_ours(self):
        self.assertIsInstance(self.transport._driver,
                              inproc.InProcessDriver)

    def test_call_returns_and_raises(self):
        self.assertEqual({'a': [1]}, self.client.call(self.context, 'echo',
                                                      value={'a': [1]}))
        # As over a broker: builtin exceptions are rebuilt, others are not.
        self.assertRaises(ValueError, self.client.call, self.context, 'fail')
        self.assertRaises(messaging.RemoteError, self.client.call,
                          self.context, 'missing', host='worker-9')

    def test_cast_is_delivered(self):
        self.client.cast(self.context, 'remember', value=7)
        self.assertTrue(self.endpoint.cast_seen.wait(5))
        self.assertEqual([7], self.endpoint.casts)

    def test_call_to_nobody_times_out(self):
        client = messaging.get_rpc_client(
            self.transport, messaging.Target(topic='nobody'), timeout=0.2)
        self.assertRaises(messaging.MessagingTimeout, client.call,
                          self.context, 'echo', value=1)

    def test_idle_server_does_not_spin(self):
        # kombu's memory:// kept a core busy here; a waiting listener
        # costs nothing.
        self.client.call(self.context, 'echo', value=1)
        before = _cpu_seconds()
        time.sleep(1.0)
        self.assertLess(_cpu_seconds() - before, 0.1)

    def test_failures_cross_as_over_a_broker(self):
        # Not the server's exception object: an StxException is rebuilt
        # (its module is allowed), anything else is a RemoteError.
        transport = messaging.get_rpc_transport(
            CONF, url=base.IN_PROCESS_TRANSPORT,
            allowed_remote_exmods=[exception.__name__])
        self.addCleanup(transport.cleanup)
        client = messaging.get_rpc_client(
            transport, messaging.Target(topic='test-%s' % self.id()),
            timeout=5)
        error = self.assertRaises(exception.HostNotFound, client.call,
                                  self.context, 'missing', host='worker-9')
        self.assertEqual('worker-9', error.kwargs['host'])
        self.assertIsNot(self.endpoint.raised, error)
