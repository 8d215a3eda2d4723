"""A run lock in the database, so two runs of the same crawl job never overlap.

One `crawl_locks` row per job name while a run holds it: its host, pid and a heartbeat
refreshed by a background thread. Another run finds the row and stops (`LockHeld`),
unless the holder is gone: a process on this host that no longer exists (killed with
SIGKILL, say) or a heartbeat older than `stale_after` (any host, so it works across
machines sharing a PostgreSQL database). Taking over a dead holder's lock is one
conditional UPDATE on its token, so two would-be successors cannot both win; the runs that
held the dead lock (`crawl_runs.lock_token`) and are still "running" are closed as "killed" in
the same transaction. The heartbeat and the release are bounded (`bounded`, a crawl's
`Database.bounded`): a database that stops answering costs a missed beat, not a stuck thread.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage.models import CrawlLock, CrawlRun

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class LockHeld(RuntimeError):
    """Another live run holds the job's lock."""

    def __init__(self, name: str, hostname: str, pid: int, since: datetime, heartbeat: datetime) -> None:
        self.name, self.hostname, self.pid, self.since, self.heartbeat = name, hostname, pid, since, heartbeat
        super().__init__(
            f"another run of this job is going (pid {pid} on {hostname}, started {since:%Y-%m-%d %H:%M:%S} UTC, "
            f"last heartbeat {heartbeat:%H:%M:%S} UTC); not starting a second one"
        )


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


@dataclass(slots=True)
class RunLock:
    """Acquire with `acquire()` (or as a context manager), give back with `release()`."""

    sessions: sessionmaker[Session]
    name: str
    heartbeat_every: float = 30.0
    stale_after: timedelta = timedelta(minutes=5)
    hostname: str = ""
    pid: int = 0
    token: str = ""
    bounded: Callable[[str], AbstractContextManager[None]] = field(default=lambda _what: nullcontext())
    _stop: threading.Event | None = None
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.hostname = self.hostname or socket.gethostname()
        self.pid = self.pid or os.getpid()
        self.token = uuid.uuid4().hex

    def acquire(self) -> RunLock:
        now = utcnow()
        with self.bounded(f"taking the run lock {self.name!r}"):
            try:
                with self.sessions.begin() as session:
                    session.add(
                        CrawlLock(name=self.name, token=self.token, hostname=self.hostname, pid=self.pid, acquired_at=now, heartbeat_at=now)
                    )
            except IntegrityError:
                self._take_over_if_dead()
        self._start_heartbeat()
        logger.info("run lock %r taken (pid %d)", self.name, self.pid)
        return self

    def _take_over_if_dead(self) -> None:
        with self.sessions.begin() as session:
            held = session.get(CrawlLock, self.name)
            if held is None:  # released in between: try once more from the start
                session.add(
                    CrawlLock(name=self.name, token=self.token, hostname=self.hostname, pid=self.pid, acquired_at=utcnow(), heartbeat_at=utcnow())
                )
                return
            if not self._is_dead(held):
                raise LockHeld(held.name, held.hostname, held.pid, held.acquired_at, held.heartbeat_at)
            logger.warning(
                "taking over the run lock %r from pid %d on %s: that run is gone (last heartbeat %s)",
                self.name, held.pid, held.hostname, held.heartbeat_at.isoformat(),
            )  # fmt: skip
            now = utcnow()
            taken = session.execute(
                update(CrawlLock)
                .where(CrawlLock.name == self.name, CrawlLock.token == held.token)
                .values(token=self.token, hostname=self.hostname, pid=self.pid, acquired_at=now, heartbeat_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if taken != 1:
                raise LockHeld(held.name, held.hostname, held.pid, held.acquired_at, held.heartbeat_at)
            killed = session.execute(
                update(CrawlRun)
                .where(CrawlRun.lock_token == held.token, CrawlRun.status == "running")
                .values(status="killed", finished_at=now, finish_reason="found dead by a lock takeover")
                .execution_options(synchronize_session=False)
            ).rowcount
            if killed:
                logger.warning("closed %d run(s) of pid %d as killed", killed, held.pid)

    def _is_dead(self, held: CrawlLock) -> bool:
        if held.hostname == self.hostname and held.pid != self.pid and not pid_alive(held.pid):
            return True
        return utcnow() - held.heartbeat_at > self.stale_after

    def _start_heartbeat(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"run-lock-{self.name}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        assert self._stop is not None
        while not self._stop.wait(self.heartbeat_every):
            try:
                with self.bounded(f"the run lock {self.name!r} heartbeat"), self.sessions.begin() as session:
                    session.execute(
                        update(CrawlLock)
                        .where(CrawlLock.name == self.name, CrawlLock.token == self.token)
                        .values(heartbeat_at=utcnow())
                        .execution_options(synchronize_session=False)
                    )
            except Exception:  # a missed beat is not fatal; many in a row make the lock stale
                logger.warning("could not refresh the run lock %r", self.name, exc_info=True)

    def release(self) -> None:
        if self._stop is not None:
            self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            with self.bounded(f"releasing the run lock {self.name!r}"), self.sessions.begin() as session:
                session.execute(
                    delete(CrawlLock)
                    .where(CrawlLock.name == self.name, CrawlLock.token == self.token)
                    .execution_options(synchronize_session=False)
                )
        except SQLAlchemyError:
            # The database is gone: the lock stays behind and the next run takes it over
            # (dead pid on this host, or a stale heartbeat), as after a kill.
            logger.error("could not release run lock %r; the next run will take it over", self.name, exc_info=True)
            return
        logger.info("run lock %r released", self.name)

    def holder(self) -> CrawlLock | None:
        with self.sessions() as session:
            return session.scalar(select(CrawlLock).where(CrawlLock.name == self.name))

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
