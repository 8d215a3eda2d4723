"""The loop both benchmark sites run on: an HTTP/1.1 server on one asyncio loop in a thread of its own.

`benchmarks.site_server.MemorySite` (one site, pages from a dict) and `benchmarks.vhost_site.HostsSite`
(thousands of hosts behind one proxy port) differ only in how they answer a request head. This
module starts and stops the loop, reads request heads off persistent (keep-alive) connections and
parses them; a subclass writes the answer in `_answer`. Reads no settings.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

_MAX_HEAD = 64 * 1024
_BACKLOG = 1024  # thousands of sources open their connections at once
S = TypeVar("S", bound="LoopServer")


class RequestHead(NamedTuple):
    method: bytes
    target: bytes
    headers: dict[bytes, bytes]  # names lower-cased, values as sent
    keep_alive: bool


def parse_head(head: bytes) -> RequestHead | None:
    """The request line and headers of one request; None when the request line is malformed."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3:
        return None
    method, target, version = parts
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(b":") for line in lines[1:] if line)}
    connection = headers.get(b"connection", b"").lower()
    keep_alive = connection != b"close" if version == b"HTTP/1.1" else connection == b"keep-alive"
    return RequestHead(method, target, headers, keep_alive)


@dataclass
class LoopServer:
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port, read back once listening
    connections: int = 0
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)
    _server: asyncio.Server | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def _launch(self: S, name: str) -> S:
        """Start listening in a thread of its own; this server once it listens."""
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name=name, daemon=True)
        self._thread.start()
        ready.wait(10)
        if self._server is None:
            raise RuntimeError(f"the benchmark server {name} did not start")
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._loop = None

    def _answer(self, head: bytes, writer: asyncio.StreamWriter) -> bool:
        """Write the response to one request head; whether the connection stays open."""
        raise NotImplementedError

    # -- the loop's thread -------------------------------------------------------------------

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            self._server = loop.run_until_complete(asyncio.start_server(self._serve, self.host, self.port, backlog=_BACKLOG))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
        finally:
            ready.set()
            if self._server is not None:
                self._server.close()
            # Connections still open: end their handlers before the loop goes.
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                if len(head) > _MAX_HEAD:
                    return
                keep_alive = self._answer(head, writer)
                try:
                    await writer.drain()
                except ConnectionError:
                    return  # the client went away (a crawler stopped mid-response): nothing to report
                if not keep_alive:
                    return
        finally:
            writer.close()
