"""Stream the HTTP responses out of WARC and ARC files (gzipped or not), one record at a time.

Memory stays constant whatever the file's size: warcio reads record by record and a
record's body is read only when it is wanted (and never more than `max_body` bytes).
A truncated or corrupt file ends with a `ReadProblem` naming where it stopped; the
records before it are still yielded.
"""

from __future__ import annotations

import glob
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

logger = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 10 * 1024 * 1024


@dataclass(slots=True)
class ArchivedPage:
    url: str
    captured_at: datetime
    status: int
    headers: list[tuple[str, str]]
    body: bytes = field(repr=False)
    archive: str
    offset: int
    record_id: str | None

    @property
    def content_type(self) -> str:
        return next((v for k, v in self.headers if k.lower() == "content-type"), "")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record that is not a usable page, with the reason (a stable stats key)."""

    reason: str  # not_response, not_http, http_error, too_large, truncated
    archive: str
    offset: int
    url: str | None = None
    detail: str = ""


def expand_paths(patterns: list[str]) -> list[Path]:
    """Files named or matched by glob patterns, in a stable order; a pattern that matches nothing is an error."""
    paths: list[Path] = []
    for pattern in patterns:
        matched = sorted(glob.glob(pattern, recursive=True)) if glob.has_magic(pattern) else [pattern]
        if not matched:
            raise FileNotFoundError(f"no archive file matches {pattern!r}")
        for name in matched:
            path = Path(name)
            if not path.is_file():
                raise FileNotFoundError(f"{name}: no such archive file")
            paths.append(path)
    return paths


def _capture_time(value: str | None) -> datetime:
    if value:
        text = value.strip()
        try:
            if text.isdigit() and len(text) == 14:  # ARC: 20251028071405
                return datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    return datetime.now(timezone.utc)


def iter_archive(path: Path, *, max_body: int = DEFAULT_MAX_BODY) -> Iterator[ArchivedPage | Skipped]:
    """Every response record of one WARC/ARC file as a page, or as a `Skipped` with its reason."""
    archive = str(path)
    with path.open("rb") as stream:
        iterator = ArchiveIterator(stream, arc2warc=True)
        try:
            for record in iterator:
                if record.rec_type not in ("response", "resource"):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                if not url or record.http_headers is None:
                    yield Skipped("not_http", archive, iterator.get_record_offset(), url)
                    continue
                try:
                    status = int((record.http_headers.get_statuscode() or "0").strip() or 0)
                except ValueError:
                    status = 0
                body = record.content_stream().read(max_body + 1)
                # Asked only now: warcio's offset lookup consumes the unread part of the record.
                offset = iterator.get_record_offset()
                if len(body) > max_body:
                    yield Skipped("too_large", archive, offset, url, f"over {max_body} bytes")
                    continue
                if getattr(record.raw_stream, "limit", 0) > 0:
                    # The file ended before the record did: a cut download or copy.
                    yield Skipped("truncated", archive, offset, url, "the record is shorter than its Content-Length")
                    continue
                yield ArchivedPage(
                    url=url,
                    captured_at=_capture_time(record.rec_headers.get_header("WARC-Date")),
                    status=status,
                    headers=list(record.http_headers.headers),
                    body=body,
                    archive=archive,
                    offset=offset,
                    record_id=record.rec_headers.get_header("WARC-Record-ID"),
                )
        except (ArchiveLoadFailed, EOFError, OSError, ValueError) as exc:
            # warcio cannot resynchronise inside a damaged file: what came before is kept.
            logger.warning("%s: stopped reading at a truncated or corrupt record: %s", archive, exc)
            yield Skipped("truncated", archive, -1, None, str(exc)[:200])
