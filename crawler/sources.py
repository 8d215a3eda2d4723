"""The sources registry: publishers as data, loaded from a TOML file.

A file holds `[[source]]` tables::

    [[source]]
    name = "example-news"            # unique, used in --source and in the database
    domains = ["example.com"]        # hosts whose pages belong to this source
    feeds = ["https://example.com/rss.xml"]
    sitemaps = ["https://example.com/news-sitemap.xml"]
    sections = ["https://example.com/world/"]
    archives = ["https://example.com/{year}/{month}/{day}/"]  # date archive pages, for backfills
    allow = ['/\\d{4}/\\d{2}/']      # optional regexes an article URL must match (one of)
    deny = ['/tag/', '/author/']     # optional regexes that exclude a URL
    language = "en"                  # optional hint
    robots_sitemaps = true           # also read Sitemap: lines from robots.txt
    delay = 1.0                      # seconds between requests to these domains
    concurrency = 2                  # parallel requests to these domains
    proxy = "http://127.0.0.1:3128"  # optional HTTP proxy for these domains (NEWSPIPE_PROXIES)

Errors name the file, the source and the field.
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class SourcesError(ValueError):
    """A sources file that cannot be used, with the file, source and field it concerns."""

    def __init__(self, path: str | Path, message: str, source: str | None = None, field_name: str | None = None):
        where = str(path)
        if source is not None:
            where += f": source {source!r}"
        if field_name is not None:
            where += f", field {field_name!r}"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.source = source
        self.field = field_name


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    domains: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    archives: tuple[str, ...] = ()  # URL templates with {year}, {month}, {day}
    allow: tuple[re.Pattern[str], ...] = ()
    deny: tuple[re.Pattern[str], ...] = ()
    language: str | None = None
    robots_sitemaps: bool = True
    delay: float | None = None
    concurrency: int | None = None
    proxy: str | None = None  # HTTP proxy URL for this source's hosts
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def owns(self, url: str) -> bool:
        """Whether the URL's host (with or without port) is one of this source's domains."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        candidates = {host, parts.netloc.lower()}
        for domain in self.domains:
            if domain in candidates or host.endswith("." + domain):
                return True
        return False

    def url_allowed(self, url: str) -> bool | None:
        """True/False when the source's allow/deny patterns decide; None when they say nothing."""
        if any(p.search(url) for p in self.deny):
            return False
        if self.allow:
            return any(p.search(url) for p in self.allow)
        return None


_STR_LISTS = ("domains", "feeds", "sitemaps", "sections", "archives", "allow", "deny")
_ARCHIVE_FIELDS = {"year", "month", "day"}
_KNOWN = {"name", "language", "robots_sitemaps", "delay", "concurrency", "proxy", *_STR_LISTS}


def _source_from_table(path: str | Path, index: int, table: Any) -> Source:
    if not isinstance(table, dict):
        raise SourcesError(path, f"entry #{index + 1} is not a table")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SourcesError(path, "missing or empty name", source=f"#{index + 1}", field_name="name")
    unknown = sorted(set(table) - _KNOWN)
    if unknown:
        raise SourcesError(path, f"unknown field(s) {', '.join(unknown)}", source=name, field_name=unknown[0])
    lists: dict[str, tuple[str, ...]] = {}
    for key in _STR_LISTS:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise SourcesError(path, "must be a list of non-empty strings", source=name, field_name=key)
        lists[key] = tuple(v.strip() for v in value)
    for key in ("feeds", "sitemaps", "sections", "archives"):
        for url in lists[key]:
            if urlsplit(url).scheme not in ("http", "https"):
                raise SourcesError(path, f"{url!r} is not an http(s) URL", source=name, field_name=key)
    for template in lists["archives"]:
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
        except ValueError as exc:
            raise SourcesError(path, f"{template!r}: {exc}", source=name, field_name="archives") from None
        if not fields or not fields <= _ARCHIVE_FIELDS:
            raise SourcesError(
                path, f"{template!r} needs {{year}}, {{month}} and/or {{day}} placeholders and no others", source=name, field_name="archives"
            )
    patterns: dict[str, tuple[re.Pattern[str], ...]] = {}
    for key in ("allow", "deny"):
        compiled = []
        for pattern in lists[key]:
            try:
                compiled.append(re.compile(pattern))
            except re.error as exc:
                raise SourcesError(path, f"bad regular expression {pattern!r}: {exc}", source=name, field_name=key) from None
        patterns[key] = tuple(compiled)
    domains = tuple(d.lower() for d in lists["domains"])
    if not domains:
        # Default to the hosts of the declared URLs, so a minimal entry still works.
        domains = tuple(sorted({urlsplit(u).netloc.lower() for key in ("feeds", "sitemaps", "sections", "archives") for u in lists[key]}))
    if not domains:
        raise SourcesError(path, "needs domains, or at least one feed, sitemap or section URL", source=name, field_name="domains")
    language = table.get("language")
    if language is not None and (not isinstance(language, str) or not re.fullmatch(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)?", language)):
        raise SourcesError(path, f"{language!r} is not a language code such as 'en' or 'pt-BR'", source=name, field_name="language")
    robots = table.get("robots_sitemaps", True)
    if not isinstance(robots, bool):
        raise SourcesError(path, "must be true or false", source=name, field_name="robots_sitemaps")
    delay = table.get("delay")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0):
        raise SourcesError(path, "must be a number of seconds >= 0", source=name, field_name="delay")
    concurrency = table.get("concurrency")
    if concurrency is not None and (isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1):
        raise SourcesError(path, "must be a whole number >= 1", source=name, field_name="concurrency")
    proxy = table.get("proxy")
    if proxy is not None and not (isinstance(proxy, str) and is_proxy_url(proxy)):
        raise SourcesError(path, f"{proxy!r} is not a proxy URL such as 'http://127.0.0.1:3128'", source=name, field_name="proxy")
    return Source(
        name=name.strip(),
        domains=domains,
        feeds=lists["feeds"],
        sitemaps=lists["sitemaps"],
        sections=lists["sections"],
        archives=lists["archives"],
        allow=patterns["allow"],
        deny=patterns["deny"],
        language=language,
        robots_sitemaps=robots,
        delay=float(delay) if delay is not None else None,
        concurrency=concurrency,
        proxy=proxy,
    )


def parse_sources(text: str, path: str | Path = "<string>") -> list[Source]:
    """Parse sources from TOML text; `path` only names the file in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(path, f"not valid TOML: {exc}") from None
    tables = data.get("source")
    if tables is None:
        raise SourcesError(path, "no [[source]] tables")
    if not isinstance(tables, list):
        raise SourcesError(path, "`source` must be an array of tables: write [[source]]")
    sources = [_source_from_table(path, i, t) for i, t in enumerate(tables)]
    seen: set[str] = set()
    for source in sources:
        if source.name in seen:
            raise SourcesError(path, "duplicate name", source=source.name, field_name="name")
        seen.add(source.name)
    return sources


def load_sources(path: str | Path, names: list[str] | tuple[str, ...] = ()) -> list[Source]:
    """Load a sources file, keeping only `names` when given (each must exist)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError(p, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SourcesError(p, "is not UTF-8 text") from None
    sources = parse_sources(text, p)
    if names:
        by_name = {s.name: s for s in sources}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise SourcesError(p, f"no source named {', '.join(map(repr, missing))}; known: {', '.join(sorted(by_name))}")
        sources = [by_name[n] for n in names]
    return sources


def source_for_url(sources: list[Source], url: str) -> Source | None:
    return next((s for s in sources if s.owns(url)), None)


def is_proxy_url(url: str) -> bool:
    """An http(s) URL naming a host and nothing after it (credentials and port allowed)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.path in ("", "/") and not parts.query and not parts.fragment
