"""Network faults the functional tests inject: a UDP relay and a TCP proxy.

Both run on loopback in the test process. A relay or proxy that is cut
drops what reaches it, as a broken link would, without touching the
machine's own services (RabbitMQ keeps running; only the path through the
proxy breaks).
"""

import selectors
import socket
import threading


class UdpRelay:
    """Forwards datagrams between clients and one server, until cut.

    Listens on ``listen`` (ip, port); what arrives there goes to
    ``server`` from a socket on the same ip, and the server's answers go
    back to whoever sent last. The server sees the relay's ip, and
    clients get answers from ``listen``.
    """

    def __init__(self, listen, server):
        self.server = server
        self.forwarding = True
        self._front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._front.bind(listen)
        self._back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._back.bind((listen[0], 0))
        self._client = None
        self._stopping = False
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='udp-relay')
        self._thread.start()

    def cut(self):
        self.forwarding = False

    def restore(self):
        self.forwarding = True

    def _run(self):
        with selectors.DefaultSelector() as selector:
            selector.register(self._front, selectors.EVENT_READ)
            selector.register(self._back, selectors.EVENT_READ)
            while not self._stopping:
                for key, _events in selector.select(0.1):
                    try:
                        data, sender = key.fileobj.recvfrom(65535)
                    except OSError:
                        continue
                    if not self.forwarding:
                        continue
                    try:
                        if key.fileobj is self._front:
                            self._client = sender
                            self._back.sendto(data, self.server)
                        elif self._client is not None:
                            self._front.sendto(data, self._client)
                    except OSError:
                        pass

    def close(self):
        self._stopping = True
        self._thread.join(2)
        self._front.close()
        self._back.close()


class TcpProxy:
    """A TCP proxy on 127.0.0.1 to ``upstream``; ``cut()`` breaks every
    connection and refuses new ones until ``restore()``.
    """

    def __init__(self, upstream):
        self.upstream = upstream
        self._lock = threading.Lock()
        self._connections = []
        self._listener = None
        self.port = None
        self._listen(0)

    @property
    def url_address(self):
        return '127.0.0.1:%d' % self.port

    def _listen(self, port):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(('127.0.0.1', port))
        listener.listen(64)
        self._listener = listener
        self.port = listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(listener,),
                         daemon=True, name='tcp-proxy').start()

    def _accept(self, listener):
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._connections += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink),
                                 daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        """Close the listener and every connection through it."""
        self._listener.close()
        with self._lock:
            connections, self._connections = self._connections, []
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def restore(self):
        """Accept connections again, on the same port."""
        self._listen(self.port)

    def close(self):
        self.cut()
