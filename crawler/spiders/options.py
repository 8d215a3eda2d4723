"""What a newspipe spider crawls: sources, window and limits, from settings and spider arguments.

Reads NEWSPIPE_SOURCES_FILE, NEWSPIPE_SOURCE_NAMES, NEWSPIPE_SINCE,
NEWSPIPE_UNTIL, NEWSPIPE_SECTION_DEPTH, NEWSPIPE_MAX_PAGINATION,
NEWSPIPE_MAX_LINKS_PER_PAGE, NEWSPIPE_MAX_REQUESTS_PER_SOURCE and
DOWNLOAD_MAXSIZE. Spider arguments override them: `sources` (file),
`source` (names, comma/whitespace separated), `since`, `until`,
`section_depth`, `max_pagination`. Also turns the sources' `delay` and
`concurrency` into DOWNLOAD_SLOTS entries, their `proxy` into NEWSPIPE_PROXIES entries (see
crawler.proxy), derives CONCURRENT_REQUESTS from them (NEWSPIPE_CONCURRENCY,
NEWSPIPE_CONCURRENCY_MAX, CONCURRENT_REQUESTS_PER_DOMAIN) and caps AUTOTHROTTLE_START_DELAY at
DOWNLOAD_DELAY.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.settings import SETTINGS_PRIORITIES

from crawler import settings as defaults
from crawler.discovery.window import Window
from crawler.sources import Source, load_sources

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

# Spider arguments that override settings; popped before the rest reach scrapy.Spider.
OPTION_ARGS = ("sources", "source", "since", "until", "section_depth", "max_pagination")


@dataclass(frozen=True, slots=True)
class CrawlOptions:
    sources: tuple[Source, ...] = ()
    window: Window = field(default_factory=Window)
    section_depth: int = 2
    max_pagination: int = 5
    max_size: int = 0  # DOWNLOAD_MAXSIZE, bounds gunzipped sitemaps
    sources_file: str | None = None
    max_links_per_page: int = defaults.NEWSPIPE_MAX_LINKS_PER_PAGE  # 0: no cap
    max_requests_per_source: int = defaults.NEWSPIPE_MAX_REQUESTS_PER_SOURCE  # 0: no cap

    def links_per_page(self, source: Source | None) -> int:
        """The article links taken from one section page of `source` (0: no cap)."""
        if source is not None and source.max_links_per_page is not None:
            return source.max_links_per_page
        return self.max_links_per_page

    def requests_per_source(self, source: Source | None) -> int:
        """The requests a run may discover for `source` (0: no cap)."""
        if source is not None and source.max_requests is not None:
            return source.max_requests
        return self.max_requests_per_source


def split_list(value: Any) -> list[str]:
    """A list of strings from a list/tuple or a comma/whitespace-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in re.split(r"[,\s]+", value) if part]
    return [str(part).strip() for part in value if str(part).strip()]


def _int_option(value: Any, name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {value!r} is not a whole number") from None
    if number < 0:
        raise ValueError(f"{name}: must be >= 0, got {number}")
    return number


def resolve_options(
    settings: BaseSettings, args: dict[str, Any], *, missing_file_ok: bool = False
) -> CrawlOptions:
    """Build the options; `args` are the spider arguments (only OPTION_ARGS are read).

    Raises `SourcesError` for an unusable sources file or unknown source names,
    `WindowError`/`ValueError` for bad dates or limits. With `missing_file_ok`
    a sources file that does not exist gives no sources instead of an error
    (the `urls` spider can do without a registry).
    """
    path = args.get("sources") or settings.get("NEWSPIPE_SOURCES_FILE")
    names = split_list(args["source"]) if args.get("source") else split_list(settings.getlist("NEWSPIPE_SOURCE_NAMES"))
    sources: list[Source] = []
    if path and not (missing_file_ok and not Path(path).exists()):
        sources = load_sources(path, names)
    window = Window.parse(
        args.get("since") if args.get("since") is not None else settings.get("NEWSPIPE_SINCE"),
        args.get("until") if args.get("until") is not None else settings.get("NEWSPIPE_UNTIL"),
    )
    return CrawlOptions(
        sources=tuple(sources),
        window=window,
        section_depth=_int_option(args.get("section_depth", settings.get("NEWSPIPE_SECTION_DEPTH", defaults.NEWSPIPE_SECTION_DEPTH)), "section_depth"),
        max_pagination=_int_option(args.get("max_pagination", settings.get("NEWSPIPE_MAX_PAGINATION", defaults.NEWSPIPE_MAX_PAGINATION)), "max_pagination"),
        max_size=settings.getint("DOWNLOAD_MAXSIZE"),
        sources_file=str(path) if path else None,
        max_links_per_page=_int_option(
            settings.get("NEWSPIPE_MAX_LINKS_PER_PAGE", defaults.NEWSPIPE_MAX_LINKS_PER_PAGE), "NEWSPIPE_MAX_LINKS_PER_PAGE"
        ),
        max_requests_per_source=_int_option(
            settings.get("NEWSPIPE_MAX_REQUESTS_PER_SOURCE", defaults.NEWSPIPE_MAX_REQUESTS_PER_SOURCE),
            "NEWSPIPE_MAX_REQUESTS_PER_SOURCE",
        ),
    )


def source_hosts(source: Source) -> set[str]:
    """Hostnames (no port) of a source: its domains and the hosts of its declared URLs."""
    hosts = {domain.split(":", 1)[0].strip("[]") for domain in source.domains}
    for url in (*source.feeds, *source.sitemaps, *source.sections):
        host = urlsplit(url).hostname
        if host:
            hosts.add(host)
    return {h for h in hosts if h}


def download_slots(sources: list[Source] | tuple[Source, ...]) -> dict[str, dict[str, Any]]:
    """DOWNLOAD_SLOTS entries (keyed by hostname, as Scrapy's slots are) for sources with delay/concurrency."""
    slots: dict[str, dict[str, Any]] = {}
    for source in sources:
        slot: dict[str, Any] = {}
        if source.delay is not None:
            slot["delay"] = source.delay
        if source.concurrency is not None:
            slot["concurrency"] = source.concurrency
        if not slot:
            continue
        for host in sorted(source_hosts(source)):
            slots.setdefault(host, {}).update(slot)
    return slots


def apply_download_slots(settings: BaseSettings, sources: list[Source] | tuple[Source, ...]) -> None:
    """Merge the sources' slots into DOWNLOAD_SLOTS: a source's own values win for its hosts,
    other hosts and other keys (e.g. randomize_delay) are kept."""
    ours = download_slots(sources)
    if not ours:
        return
    merged = {host: dict(value) for host, value in settings.getdict("DOWNLOAD_SLOTS").items()}
    for host, slot in ours.items():
        merged.setdefault(host, {}).update(slot)
    # Merged with what is there, so at least as strong as the current value (e.g. -s DOWNLOAD_SLOTS=...).
    settings.set("DOWNLOAD_SLOTS", merged, priority=_at_least_spider(settings, "DOWNLOAD_SLOTS"))


def _at_least_spider(settings: BaseSettings, name: str) -> int:
    """A priority that wins over what `name` holds now (e.g. a -s value) and over the project's."""
    return max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["spider"])


def cap_start_delay(settings: BaseSettings) -> None:
    """AutoThrottle starts new slots at max(DOWNLOAD_DELAY, AUTOTHROTTLE_START_DELAY): lower the
    start delay to DOWNLOAD_DELAY, so a run with less delay does not begin slower than it."""
    floor = settings.getfloat("DOWNLOAD_DELAY")
    if settings.getfloat("AUTOTHROTTLE_START_DELAY") > floor:
        settings.set("AUTOTHROTTLE_START_DELAY", floor, priority=_at_least_spider(settings, "AUTOTHROTTLE_START_DELAY"))


def derived_concurrency(sources: list[Source] | tuple[Source, ...], per_domain: int, ceiling: int) -> int:
    """Requests in flight for the whole crawl: the sources' `concurrency` summed (a source without
    one counts CONCURRENT_REQUESTS_PER_DOMAIN), at least the shipped CONCURRENT_REQUESTS, at most
    `ceiling` (0: no ceiling)."""
    total = sum(source.concurrency or per_domain for source in sources)
    wanted = max(defaults.CONCURRENT_REQUESTS, total)
    return min(wanted, ceiling) if ceiling > 0 else wanted


def apply_concurrency(settings: BaseSettings, sources: list[Source] | tuple[Source, ...]) -> None:
    """Set CONCURRENT_REQUESTS: NEWSPIPE_CONCURRENCY when given (> 0), else derived from the
    sources, unless CONCURRENT_REQUESTS itself was set for this run (e.g. `-s`)."""
    wanted = settings.getint("NEWSPIPE_CONCURRENCY") if settings.get("NEWSPIPE_CONCURRENCY") else 0
    if wanted <= 0:
        if (settings.getpriority("CONCURRENT_REQUESTS") or 0) > SETTINGS_PRIORITIES["project"]:
            return
        wanted = derived_concurrency(
            sources, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), settings.getint("NEWSPIPE_CONCURRENCY_MAX")
        )
    settings.set("CONCURRENT_REQUESTS", wanted, priority=_at_least_spider(settings, "CONCURRENT_REQUESTS"))


def source_proxies(sources: list[Source] | tuple[Source, ...]) -> dict[str, str]:
    """NEWSPIPE_PROXIES entries (hostname -> proxy URL) for sources with a `proxy`."""
    return {host: source.proxy for source in sources if source.proxy for host in sorted(source_hosts(source))}


def apply_proxies(settings: BaseSettings, sources: list[Source] | tuple[Source, ...]) -> None:
    """Merge the sources' proxies into NEWSPIPE_PROXIES: a source's own proxy wins for its hosts."""
    ours = source_proxies(sources)
    if ours:
        settings.set("NEWSPIPE_PROXIES", {**settings.getdict("NEWSPIPE_PROXIES"), **ours}, priority=_at_least_spider(settings, "NEWSPIPE_PROXIES"))


def apply_source_settings(settings: BaseSettings, sources: list[Source] | tuple[Source, ...]) -> None:
    """What the selected sources decide in Scrapy's settings: download slots, proxies and total concurrency."""
    apply_download_slots(settings, sources)
    apply_proxies(settings, sources)
    apply_concurrency(settings, sources)
