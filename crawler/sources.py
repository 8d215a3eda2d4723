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
    follow_offsite = false           # true: fetch entries and follow redirects outside `domains`
    max_links_per_page = 500         # optional: article links taken from one section page
    max_requests = 20000             # optional: requests discovered for this source per run (0: no cap)
    proxy = "http://127.0.0.1:3128"  # optional HTTP proxy for these domains (NEWSPIPE_PROXIES)

`max_links_per_page` and `max_requests` default to the settings NEWSPIPE_MAX_LINKS_PER_PAGE and
NEWSPIPE_MAX_REQUESTS_PER_SOURCE (read by the spiders, not here).

Each table is checked against a msgspec schema (`_SourceSpec`); errors name the file, the source
and the field ("file: source 'x', field 'y': message"), with a "did you mean" for unknown fields.
"""

from __future__ import annotations

import difflib
import re
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec


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
    # Aggregators and URL shorteners link elsewhere: entries, section links and redirects
    # outside `domains` are fetched only when this is true.
    follow_offsite: bool = False
    max_links_per_page: int | None = None  # None: the crawl's setting
    max_requests: int | None = None  # None: the crawl's setting; 0: no cap
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


_URL_LISTS = ("feeds", "sitemaps", "sections", "archives")
_ARCHIVE_FIELDS = {"year", "month", "day"}

# The schema of one [[source]] table, checked by msgspec (types, ranges, unknown fields). A new
# field goes here (with its default), into `Source`, into `_source_from_spec`, and, for a
# friendlier message than msgspec's, into `_MESSAGES`.
_Text = Annotated[str, msgspec.Meta(pattern=r"\S")]  # not empty, not only spaces
_Texts = _Text | list[_Text]  # one string is a list of one


class _SourceSpec(msgspec.Struct, forbid_unknown_fields=True):
    name: _Text
    domains: _Texts = []
    feeds: _Texts = []
    sitemaps: _Texts = []
    sections: _Texts = []
    archives: _Texts = []
    allow: _Texts = []
    deny: _Texts = []
    language: Annotated[str, msgspec.Meta(pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]+)?$")] | None = None
    robots_sitemaps: bool = True
    delay: Annotated[float, msgspec.Meta(ge=0)] | None = None
    concurrency: Annotated[int, msgspec.Meta(ge=1)] | None = None
    follow_offsite: bool = False
    max_links_per_page: Annotated[int, msgspec.Meta(ge=0)] | None = None
    max_requests: Annotated[int, msgspec.Meta(ge=0)] | None = None
    proxy: _Text | None = None


_FIELDS = _SourceSpec.__struct_fields__
_MESSAGES = {
    "name": "missing or empty name",
    **dict.fromkeys(("domains", *_URL_LISTS, "allow", "deny"), "must be a list of non-empty strings"),
    "language": "{value!r} is not a language code such as 'en' or 'pt-BR'",
    **dict.fromkeys(("robots_sitemaps", "follow_offsite"), "must be true or false"),
    **dict.fromkeys(("max_links_per_page", "max_requests"), "must be a whole number >= 0"),
    "delay": "must be a number of seconds >= 0",
    "concurrency": "must be a whole number >= 1",
    "proxy": "{value!r} is not a proxy URL such as 'http://127.0.0.1:3128'",
}
_AT_FIELD = re.compile(r" - at `\$\.(\w+)")
_UNKNOWN = re.compile(r"unknown field `(.*?)`")
_MISSING = re.compile(r"missing required field `(\w+)`")


def _spec_error(path: str | Path, label: str, table: dict[str, Any], exc: msgspec.ValidationError) -> SourcesError:
    """msgspec's error as "file: source 'x', field 'y': message"."""
    text = str(exc)
    unknown = _UNKNOWN.search(text)
    if unknown:
        key = unknown[1]
        close = difflib.get_close_matches(key, _FIELDS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known fields: {', '.join(_FIELDS)}"
        return SourcesError(path, f"unknown field {key!r}{hint}", source=label, field_name=key)
    found = _AT_FIELD.search(text) or _MISSING.search(text)
    key = found[1] if found else None
    message = _MESSAGES.get(key or "", text.split(" - at ")[0]).format(value=table.get(key or ""))
    return SourcesError(path, message, source=label, field_name=key)


def _source_from_table(path: str | Path, index: int, table: Any) -> Source:
    if not isinstance(table, dict):
        raise SourcesError(path, f"entry #{index + 1} is not a table")
    name = table.get("name")
    label = name.strip() if isinstance(name, str) and name.strip() else f"#{index + 1}"
    try:
        spec = msgspec.convert(table, _SourceSpec)
    except msgspec.ValidationError as exc:
        raise _spec_error(path, label, table, exc) from None
    return _source_from_spec(path, spec)


def _strings(value: str | list[str]) -> tuple[str, ...]:
    return tuple(v.strip() for v in ([value] if isinstance(value, str) else value))


def _source_from_spec(path: str | Path, spec: _SourceSpec) -> Source:
    """The checks a schema cannot say: URLs, archive templates, regular expressions, default domains."""
    name = spec.name.strip()
    urls = {key: _strings(getattr(spec, key)) for key in _URL_LISTS}
    for key, values in urls.items():
        for url in values:
            if urlsplit(url).scheme not in ("http", "https"):
                raise SourcesError(path, f"{url!r} is not an http(s) URL", source=name, field_name=key)
    for template in urls["archives"]:
        _check_archive_template(path, name, template)
    patterns = {key: _compile(path, name, key, _strings(getattr(spec, key))) for key in ("allow", "deny")}
    domains = tuple(d.lower() for d in _strings(spec.domains))
    if not domains:
        # Default to the hosts of the declared URLs, so a minimal entry still works.
        domains = tuple(sorted({urlsplit(u).netloc.lower() for values in urls.values() for u in values}))
    if not domains:
        raise SourcesError(path, "needs domains, or at least one feed, sitemap or section URL", source=name, field_name="domains")
    if spec.proxy is not None and not is_proxy_url(spec.proxy):
        raise SourcesError(path, _MESSAGES["proxy"].format(value=spec.proxy), source=name, field_name="proxy")
    return Source(
        name=name,
        domains=domains,
        **urls,
        **patterns,
        language=spec.language,
        robots_sitemaps=spec.robots_sitemaps,
        delay=spec.delay,
        concurrency=spec.concurrency,
        follow_offsite=spec.follow_offsite,
        max_links_per_page=spec.max_links_per_page,
        max_requests=spec.max_requests,
        proxy=spec.proxy,
    )


def _check_archive_template(path: str | Path, name: str, template: str) -> None:
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        raise SourcesError(path, f"{template!r}: {exc}", source=name, field_name="archives") from None
    if not fields or not fields <= _ARCHIVE_FIELDS:
        raise SourcesError(
            path, f"{template!r} needs {{year}}, {{month}} and/or {{day}} placeholders and no others", source=name, field_name="archives"
        )


def _compile(path: str | Path, name: str, key: str, patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise SourcesError(path, f"bad regular expression {pattern!r}: {exc}", source=name, field_name=key) from None
    return tuple(compiled)


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


# The last file parsed, by (path, mtime, ctime, size): a crawl asks for its sources several times
# (the CLI's check, the spider's settings and its options), and a file of thousands of sources
# should be read and checked once. A file changed on disk is read again.
_parsed: dict[tuple[str, int, int, int], tuple[Source, ...]] = {}


def _read_sources(p: Path) -> tuple[Source, ...]:
    try:
        stat = p.stat()
        key = (str(p.resolve()), stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
        if key in _parsed:
            return _parsed[key]
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError(p, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SourcesError(p, "is not UTF-8 text") from None
    sources = tuple(parse_sources(text, p))
    _parsed.clear()  # one file at a time: a crawl reads one sources file
    _parsed[key] = sources
    return sources


def load_sources(path: str | Path, names: list[str] | tuple[str, ...] = ()) -> list[Source]:
    """Load a sources file, keeping only `names` when given (each must exist).

    Parsed once per version of the file (see `_parsed`); each call gets its own list.
    """
    p = Path(path)
    sources = list(_read_sources(p))
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
