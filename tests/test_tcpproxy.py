"""The outage test's TCP proxy: a slow answer still arrives, and stop() ends every connection.

The proxy once gave forwarded sockets a 5-second timeout and closed them without shutting
them down: a database statement slower than 5 s then hung its client for good, which is not
the outage the end-to-end test means to simulate.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.tcpproxy import TcpProxy


@pytest.fixture
def slow_upstream() -> Iterator[tuple[tuple[str, int], threading.Event]]:
    """An upstream that answers each line after `delay` seconds (0 until told otherwise)."""
    listener = socket.create_server(("127.0.0.1", 0))
    answer = threading.Event()

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                try:
                    while data := conn.recv(1024):
                        answer.wait()
                        conn.sendall(data.upper())
                except OSError:
                    pass  # the proxy has gone

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[:2], answer
    answer.set()
    listener.shutdown(socket.SHUT_RDWR)  # wakes accept()
    listener.close()


def test_an_answer_after_a_long_silence_still_arrives(slow_upstream: tuple[tuple[str, int], threading.Event]) -> None:
    address, answer = slow_upstream
    proxy = TcpProxy(address).start()
    try:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=15) as client:
            client.sendall(b"select\n")
            threading.Timer(6.0, answer.set).start()  # longer than any timeout the proxy once had
            assert client.recv(1024) == b"SELECT\n"
    finally:
        proxy.stop()


def test_stop_ends_a_connection_waiting_for_an_answer(slow_upstream: tuple[tuple[str, int], threading.Event]) -> None:
    address, _ = slow_upstream  # never answers
    proxy = TcpProxy(address).start()
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as client:
        client.sendall(b"select\n")
        time.sleep(0.2)
        proxy.stop()
        assert client.recv(1024) == b""  # the end of the connection, not a wait
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", proxy.port), timeout=5)


def test_freeze_keeps_connections_open_and_forwards_nothing(slow_upstream: tuple[tuple[str, int], threading.Event]) -> None:
    address, answer = slow_upstream
    answer.set()  # the upstream answers at once: only the proxy can keep the answer back
    proxy = TcpProxy(address).start()
    try:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as before:
            before.sendall(b"one\n")
            assert before.recv(1024) == b"ONE\n"
            proxy.freeze()
            before.sendall(b"two\n")  # accepted, never answered
            later = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)  # new connections are accepted too
            later.sendall(b"three\n")
            for sock in (before, later):
                sock.settimeout(1.0)
                with pytest.raises(TimeoutError):  # open, and silent: not closed (recv would give b"")
                    sock.recv(1024)
            proxy.stop()
            for sock in (before, later):
                sock.settimeout(10)
                assert sock.recv(1024) == b""  # stop() still ends them
            later.close()
    finally:
        proxy.stop()
