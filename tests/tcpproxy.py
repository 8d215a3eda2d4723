"""A TCP proxy on 127.0.0.1 that a test can cut and restore: a database that goes away mid-run.

`stop()` must leave no connection half-open, or the client under test waits forever for an
answer that cannot come, which is not the outage being simulated. So: forwarded sockets have
no timeout (an idle pooled connection stays up, as it would with a real server); a pump that
ends shuts both of its sockets down (a plain close() from one thread neither wakes the thread
blocked in recv() on the same socket nor sends the FIN); a connection accepted just as the
proxy stops is closed instead of registered; and `stop()` waits for every pump to end.

`freeze()` is the other outage: a database (or a middlebox in front of it) that keeps its
connections and accepts new ones, but never answers. Every socket stays open, what arrives is
read and thrown away, nothing is forwarded, until `stop()`; `start()` forwards again.
"""

from __future__ import annotations

import socket
import threading


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already shut, or never connected


class TcpProxy:
    def __init__(self, upstream: tuple[str, int], port: int = 0) -> None:
        self.upstream = upstream
        self.port = port
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._frozen = threading.Event()

    def start(self) -> TcpProxy:
        self._frozen.clear()
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._threads.append(thread)
        thread.start()
        return self

    def stop(self) -> None:
        """Refuse new connections and break every open one, then wait until all are gone."""
        with self._lock:
            listener, self._listener = self._listener, None
            if listener is not None:
                _shut(listener)  # wakes the thread blocked in accept()
                listener.close()
            for sock in self._sockets:
                _shut(sock)  # wakes both pumps and sends the FIN; each pump closes its own sockets
            self._sockets.clear()
            threads, self._threads = self._threads, []
        for thread in threads:
            thread.join(timeout=10)

    def freeze(self) -> None:
        """Forward nothing from now on, in either direction, keeping every connection open."""
        self._frozen.set()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)  # the timeout was for connecting only
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # stopped while this one was being connected
                    for sock in (client, server):
                        _shut(sock)
                        sock.close()
                    return
                self._sockets.update((client, server))
                pumps = [threading.Thread(target=self._pump, args=pair, daemon=True) for pair in ((client, server), (server, client))]
                self._threads.extend(pumps)
                for pump in pumps:  # started under the lock: stop() never joins a thread not yet started
                    pump.start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if not self._frozen.is_set():
                    target.sendall(data)
        except OSError:
            pass
        finally:
            # Shut both down before either is closed: the other pump is woken and the peers see the end.
            _shut(source)
            _shut(target)
            with self._lock:
                self._sockets.discard(source)
                self._sockets.discard(target)
            for sock in (source, target):
                sock.close()
