"""A client-side bound on database work: a connection whose answer does not come in time is cut.

psycopg's blocking API has no read timeout, and a server (or a middlebox in front of it) that
accepts a connection and then goes silent keeps a statement waiting for good: the server's
statement_timeout cannot reach the client, and TCP keepalives are answered by whatever still holds
the socket. `Deadlines.bounded(seconds)` arms a timer around one piece of database work (a batch
attempt, a look-up, a heartbeat). If the work is still going when the timer fires, the connections
the calling thread holds are cut (a PostgreSQL socket is shut down, a SQLite statement is
interrupted), and on PostgreSQL also the pooled connections no thread holds, since the pool's
pre-ping may be waiting on one of them on its way out. The blocked call then fails like a dropped
connection, and `bounded` raises `DatabaseNotAnswering` from that failure, so callers handle it as
they handle a refused connection (the writer retries, then spools).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import SQLAlchemyError

logger = logging.getLogger(__name__)


class DatabaseNotAnswering(SQLAlchemyError):
    """Database work outlived its deadline; its connection was cut."""


class Deadlines:
    """Knows which raw connections of `engine` each thread holds, to cut them when a deadline passes."""

    def __init__(self, engine: Engine) -> None:
        self.backend = engine.dialect.name
        self._lock = threading.Lock()
        self._holders: dict[int, tuple[Any, int | None]] = {}  # id(raw connection) -> (it, holding thread or None)
        # First of the "connect" listeners: a connection is cut-able while its set-up statements run.
        event.listen(engine, "connect", self._connected, insert=True)
        event.listen(engine, "checkout", self._checked_out)
        event.listen(engine, "checkin", self._checked_in)
        for gone in ("close", "close_detached", "invalidate", "soft_invalidate"):
            event.listen(engine, gone, self._gone)

    # -- the pool's events ---------------------------------------------------------------------

    def _connected(self, raw: Any, _record: Any) -> None:
        with self._lock:
            self._holders[id(raw)] = (raw, threading.get_ident())  # the thread connecting uses it next

    def _checked_out(self, raw: Any, _record: Any, _proxy: Any) -> None:
        with self._lock:
            self._holders[id(raw)] = (raw, threading.get_ident())

    def _checked_in(self, raw: Any, _record: Any) -> None:
        if raw is not None:
            with self._lock:
                self._holders[id(raw)] = (raw, None)

    def _gone(self, raw: Any, *_args: Any) -> None:
        if raw is not None:
            with self._lock:
                self._holders.pop(id(raw), None)

    # -- the bound -----------------------------------------------------------------------------

    @contextmanager
    def bounded(self, seconds: float, what: str = "database work") -> Iterator[None]:
        thread = threading.get_ident()
        state = {"active": True, "fired": False}
        guard = threading.Lock()

        def expire() -> None:
            with guard:
                if not state["active"]:
                    return
                state["fired"] = True
            logger.warning("%s got no answer from the database in %.0f s: abandoning its connection", what, seconds)
            self.cut(thread)

        timer = threading.Timer(seconds, expire)
        timer.daemon = True
        timer.start()
        try:
            yield
        except BaseException as exc:
            if state["fired"] and isinstance(exc, Exception):
                raise DatabaseNotAnswering(f"{what}: no answer from the database in {seconds:.0f} s") from exc
            raise
        finally:
            with guard:
                state["active"] = False
            timer.cancel()

    def cut(self, thread: int) -> int:
        """Cut the connections `thread` holds (and on PostgreSQL the idle ones); returns how many."""
        with self._lock:
            targets = [
                raw for raw, holder in self._holders.values()
                if holder == thread or (holder is None and self.backend != "sqlite")
            ]  # fmt: skip
        for raw in targets:
            _cut(raw, self.backend)
        return len(targets)


def _cut(raw: Any, backend: str) -> None:
    try:
        if backend == "sqlite":
            raw.interrupt()  # sqlite3 allows this from another thread: the running statement fails
            return
        fd = raw.pgconn.socket
        # shutdown() acts on the socket, not the descriptor: the blocked thread sees the end at once.
        with socket.socket(fileno=os.dup(fd)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except Exception:  # already closed or broken: nothing left to cut
        logger.debug("could not cut a database connection", exc_info=True)
