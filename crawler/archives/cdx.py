"""Read a CDX server's answer (the Wayback Machine's, pywb's) into captures to fetch.

A CDX query lists the captures an archive holds for a URL or URL prefix: JSON (a list of
rows, the first naming the fields) or plain lines of space-separated fields (the classic
`urlkey timestamp original mimetype statuscode digest length` order, or the 11-field CDX
files pywb serves). `cdx_query_url` builds the query for a prefix and a date window;
`replay_url` names a capture's raw bytes (`id_`: as archived, without the replay banner or
rewritten links). Scrapy-free: the `cdx` spider does the fetching.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlencode, urlsplit

DEFAULT_CDX_SERVER = "https://web.archive.org/cdx/search/cdx"
DEFAULT_REPLAY = "https://web.archive.org/web"
# Field order of plain-text answers without a header: the CDX server API's default ...
_DEFAULT_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")
# ... and the 11-field "CDX N b a m s k r M S V g" lines of CDX files.
_CDX11_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "redirect", "robotflags", "length", "offset", "filename")


@dataclass(frozen=True, slots=True)
class Capture:
    """One capture listed by a CDX server."""

    url: str  # the original URL
    timestamp: str  # 14 digits, as the archive names the capture
    captured_at: datetime
    mimetype: str = ""
    status: int | None = None  # None: not given ("-", as for revisit records)


@dataclass(slots=True)
class CdxAnswer:
    captures: list[Capture]
    bad_rows: int = 0  # rows that name no usable URL or timestamp


class CdxError(ValueError):
    """An answer that is not a CDX listing at all."""


def capture_time(timestamp: str) -> datetime:
    """A CDX timestamp (YYYYMMDDhhmmss, possibly shortened) as an aware UTC datetime."""
    digits = timestamp.strip()
    if not digits.isdigit() or not 4 <= len(digits) <= 14:
        raise ValueError(f"not a CDX timestamp: {timestamp!r}")
    digits = digits + "0101000000"[len(digits) - 4 :] if len(digits) < 14 else digits
    return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)


def cdx_timestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")


def is_query_url(text: str, server: str) -> bool:
    """Whether `text` is already a whole CDX query (rather than a URL prefix to look up)."""
    return text.startswith(server.rstrip("/")) or "url=" in (urlsplit(text).query if "://" in text else "")


def cdx_query_url(target: str, *, server: str = DEFAULT_CDX_SERVER, since: datetime | None = None, until: datetime | None = None) -> str:
    """The CDX query for the captures of every URL under `target` (a URL prefix) in the window:
    HTTP 200 HTML captures only, JSON output. A `target` that is already a query is kept."""
    if is_query_url(target, server):
        return target
    params: list[tuple[str, str]] = [
        ("url", target),
        ("matchType", "prefix"),
        ("output", "json"),
        ("filter", "statuscode:200"),
        ("filter", "mimetype:text/html"),
    ]
    if since is not None:
        params.append(("from", cdx_timestamp(since)))
    if until is not None:
        params.append(("to", cdx_timestamp(until)))
    return f"{server}?{urlencode(params)}"


def replay_url(replay: str, capture: Capture) -> str:
    """The capture's bytes as archived: `<replay>/<timestamp>id_/<original URL>`."""
    return f"{replay.rstrip('/')}/{capture.timestamp}id_/{capture.url}"


def parse_cdx(body: bytes | str) -> CdxAnswer:
    """The captures of a CDX answer, JSON or plain lines; rows without a URL or a valid
    timestamp are counted, not fatal. Raises CdxError for an answer that is neither."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    stripped = text.strip()
    if not stripped:
        return CdxAnswer([])
    if stripped.startswith("["):
        try:
            rows = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise CdxError(f"not a CDX answer: bad JSON ({exc.msg})") from None
        if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
            raise CdxError("not a CDX answer: JSON that is not a list of rows") if rows else CdxError("empty JSON list")
        header = [str(name) for name in rows[0]]
        if "original" not in header or "timestamp" not in header:
            raise CdxError("not a CDX answer: the JSON header names no 'original' and 'timestamp' fields")
        return _captures(header, [[str(v) for v in row] for row in rows[1:]])
    if stripped.startswith("<"):
        raise CdxError("not a CDX answer: an HTML or XML page")
    lines = [line.split() for line in stripped.splitlines() if line.strip()]
    if lines and lines[0][:1] == ["CDX"]:  # a CDX file's own header line names its fields
        lines = lines[1:]
    answer = CdxAnswer([])
    for fields in lines:
        names = _CDX11_FIELDS if len(fields) == len(_CDX11_FIELDS) else _DEFAULT_FIELDS
        part = _captures(list(names[: len(fields)]), [fields])
        answer.captures.extend(part.captures)
        answer.bad_rows += part.bad_rows
    return answer


def _captures(header: list[str], rows: list[list[str]]) -> CdxAnswer:
    answer = CdxAnswer([])
    where = {name: i for i, name in enumerate(header)}

    def field(row: list[str], name: str) -> str:
        i = where.get(name)
        return row[i] if i is not None and i < len(row) else ""

    for row in rows:
        url, timestamp = field(row, "original"), field(row, "timestamp")
        try:
            captured_at = capture_time(timestamp)
        except ValueError:
            answer.bad_rows += 1
            continue
        if not url.startswith(("http://", "https://")):
            answer.bad_rows += 1
            continue
        status_text = field(row, "statuscode")
        status = int(status_text) if status_text.isdigit() else None
        mimetype = field(row, "mimetype")
        answer.captures.append(Capture(url, timestamp.strip(), captured_at, "" if mimetype == "-" else mimetype, status))
    return answer
