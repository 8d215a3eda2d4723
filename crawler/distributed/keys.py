"""The Redis keys of a distributed crawl job, in one place.

Reads NEWSPIPE_REDIS_PREFIX (default "newspipe"), NEWSPIPE_REDIS_JOB (default "default")
and NEWSPIPE_REDIS_WORKER_ID (default: `<hostname>-<pid>`). Every key of a job starts with
`<prefix>:<job>:`, so several jobs (or test runs) share a Redis server without meeting.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def check_name(value: str, what: str) -> str:
    """A job name or key prefix: letters, digits, `_`, `.`, `-` (no `:` or `%`, which have meanings in keys)."""
    if not value or not _NAME.match(value):
        raise ValueError(f"{what} {value!r}: use letters, digits, '_', '.' or '-'")
    return value


def worker_id_for(settings: BaseSettings) -> str:
    """This process's worker id: NEWSPIPE_REDIS_WORKER_ID, else `<hostname>-<pid>` (unique while it runs)."""
    configured = settings.get("NEWSPIPE_REDIS_WORKER_ID")
    if configured:
        return check_name(str(configured), "worker id")
    host = re.sub(r"[^A-Za-z0-9_.-]", "_", socket.gethostname()) or "host"
    return f"{host}-{os.getpid()}"


@dataclass(frozen=True, slots=True)
class JobKeys:
    prefix: str = "newspipe"
    job: str = "default"

    def __post_init__(self) -> None:
        check_name(self.prefix, "key prefix")
        check_name(self.job, "job name")

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> JobKeys:
        return cls(settings.get("NEWSPIPE_REDIS_PREFIX") or "newspipe", settings.get("NEWSPIPE_REDIS_JOB") or "default")

    @property
    def base(self) -> str:
        return f"{self.prefix}:{self.job}"

    @property
    def requests(self) -> str:
        """Sorted set of serialised requests (scrapy-redis PriorityQueue layout)."""
        return f"{self.base}:requests"

    @property
    def dupefilter(self) -> str:
        """Set of request fingerprints; per cycle `<dupefilter>:<cycle>`."""
        return f"{self.base}:dupefilter"

    @property
    def start(self) -> str:
        """List of JSON seeds pushed by `newspipe enqueue`."""
        return f"{self.base}:start"

    @property
    def workers(self) -> str:
        """Set of registered worker ids."""
        return f"{self.base}:workers"

    def heartbeat(self, worker: str) -> str:
        return f"{self.base}:heartbeat:{worker}"

    def processing(self, worker: str) -> str:
        """Sorted set of the requests a worker popped and has not acknowledged (same scores as the queue)."""
        return f"{self.base}:processing:{worker}"

    def seeds_processing(self, worker: str) -> str:
        """List of the seeds a worker took from the start key and has not scheduled yet."""
        return f"{self.base}:seeds:{worker}"

    def throttle(self, slot: str) -> str:
        """Per-domain politeness slot; shared by every job under the prefix (a site's delay is the site's)."""
        return f"{self.prefix}:throttle:{slot}"

    def pattern(self) -> str:
        """Glob matching every key of the job (for cleaning up)."""
        return f"{self.base}:*"
