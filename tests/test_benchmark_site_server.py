"""The crawl benchmark's in-memory site: pages, 404s, content types and persistent connections,
over a real socket on 127.0.0.1 (no internet)."""

from __future__ import annotations

import http.client
from collections.abc import Iterator

import pytest

from benchmarks.site_server import MemorySite


@pytest.fixture()
def site() -> Iterator[MemorySite]:
    server = MemorySite.start()
    server.pages["/a/index.html"] = b"<html><body>article</body></html>"
    server.pages["/sitemap.xml"] = b"<urlset/>"
    yield server
    server.stop()


def test_pages_are_served_on_one_kept_alive_connection(site: MemorySite) -> None:
    conn = http.client.HTTPConnection(site.host, site.port, timeout=5)
    try:
        for path, body, content_type in (
            ("/a/index.html", b"<html><body>article</body></html>", "text/html; charset=utf-8"),
            ("/sitemap.xml?x=1", b"<urlset/>", "application/xml"),
            ("/robots.txt", b"", "text/plain"),
        ):
            conn.request("GET", path)
            response = conn.getresponse()
            assert response.read() == body
            assert response.status == (404 if path == "/robots.txt" else 200)
            assert response.getheader("Content-Type") == content_type
            assert response.getheader("Connection") == "keep-alive"
    finally:
        conn.close()
    assert site.requests == 3
    assert site.connections == 1


def test_head_has_no_body_and_other_methods_are_refused(site: MemorySite) -> None:
    conn = http.client.HTTPConnection(site.host, site.port, timeout=5)
    try:
        conn.request("HEAD", "/a/index.html")
        response = conn.getresponse()
        assert response.status == 200 and response.read() == b""
        assert int(response.getheader("Content-Length")) == len(site.pages["/a/index.html"])
        conn.request("DELETE", "/a/index.html")
        assert conn.getresponse().status == 405
    finally:
        conn.close()


def test_connection_close_is_honoured(site: MemorySite) -> None:
    conn = http.client.HTTPConnection(site.host, site.port, timeout=5)
    try:
        conn.request("GET", "/a/index.html", headers={"Connection": "close"})
        response = conn.getresponse()
        assert response.status == 200 and response.getheader("Connection") == "close"
        response.read()
        conn.request("GET", "/a/index.html")  # http.client reconnects: a second connection
        assert conn.getresponse().status == 200
    finally:
        conn.close()
    assert site.connections == 2


def test_a_client_that_goes_away_mid_response_is_no_error(site: MemorySite, caplog: pytest.LogCaptureFixture) -> None:
    # Workers stopped at the end of a benchmark run drop their connections mid-response.
    import socket
    import struct
    import time

    site.pages["/big"] = b"x" * (32 * 1024 * 1024)  # more than the socket buffers: the server waits in drain()
    client = socket.create_connection((site.host, site.port))
    client.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
    client.recv(1024)  # the response has started
    time.sleep(0.3)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()  # a reset, not a clean close
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(r.name == "asyncio" for r in caplog.records):
        time.sleep(0.1)
    assert not [r.getMessage() for r in caplog.records if r.name == "asyncio"]
