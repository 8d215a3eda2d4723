"""Per-site extraction rules, declared as data, for what generic extraction cannot reach.

A rule names a site (a registrable domain or host; subdomains match) and, for
any of the fields ``headline``, ``body``, ``published``, ``authors``, an ordered
list of sources to try before the generic extractor:

- ``"jsonld:<key>"``: that key of the page's JSON-LD article node (structured data first);
- ``"meta:<name>"``: a ``<meta>`` tag's content (``meta:og:title``);
- ``"xpath:<expression>"``: elements (text content, joined one per line for the body)
  or attribute/text results of an XPath expression;
- ``"css:<selector>"``: the same with a CSS selector.

A field whose sources all come up empty falls back to the generic extractor, so
a stale rule degrades to generic quality instead of failing. Like Fundus's parser
versions, a site can carry several rules, one per page layout, each valid until
a date: the rule used for a page is the one with the earliest ``valid_until`` on
or after the page's fetch date (a rule without ``valid_until`` is the current
layout). Registries are TOML files::

    [[site]]
    domain = "example.com"
    valid_until = 2024-06-30          # optional: the layout's last day
    headline = ["jsonld:headline", "xpath://h1[@class='title']"]
    body = ["css:div.article-body > p"]
    published = ["meta:article:published_time"]
    authors = ["xpath://a[@rel='author']"]

or built in Python with `SiteRule` records. Reads no settings: the caller loads a
registry (`SiteOverrides.from_toml(path)`) and passes it in `ExtractionOptions`.
"""

from __future__ import annotations

import copy
import logging
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from .structured import Structured, as_list, as_text
from .text import clean

logger = logging.getLogger(__name__)

__all__ = ["FIELDS", "OverrideError", "SiteOverrides", "SiteRule", "FieldMatch"]

FIELDS = ("headline", "body", "published", "authors")
_KINDS = ("jsonld", "meta", "xpath", "css")


class OverrideError(ValueError):
    """A registry entry that cannot be used (unknown field, bad selector, missing domain)."""


@dataclass(frozen=True, slots=True)
class SiteRule:
    """The extraction rules of one site layout."""

    domain: str
    valid_until: date | None = None
    headline: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        if not self.domain or "/" in self.domain:
            raise OverrideError(f"a site rule needs a bare domain, got {self.domain!r}")
        object.__setattr__(self, "domain", self.domain.strip().lower().removeprefix("www."))
        for name in FIELDS:
            specs = getattr(self, name)
            specs = (specs,) if isinstance(specs, str) else tuple(specs)
            for spec in specs:
                _check_spec(spec, self.domain)
            object.__setattr__(self, name, specs)

    def matches(self, host: str) -> bool:
        host = host.lower().removeprefix("www.")
        return host == self.domain or host.endswith("." + self.domain)


def _check_spec(spec: str, domain: str) -> None:
    kind, _, expression = spec.partition(":")
    if kind not in _KINDS or not expression:
        raise OverrideError(f"{domain}: source {spec!r} is not one of {', '.join(k + ':...' for k in _KINDS)}")
    try:
        if kind == "xpath":
            etree.XPath(expression)
        elif kind == "css":
            from lxml.cssselect import CSSSelector

            CSSSelector(expression)
    except Exception as exc:  # lxml and cssselect raise several kinds of syntax errors
        raise OverrideError(f"{domain}: bad selector {spec!r}: {exc}") from exc


@dataclass(slots=True)
class FieldMatch:
    """What a rule found for one field: strings, and the element when there is one."""

    values: list[str] = field(default_factory=list)
    element: HtmlElement | None = None


@dataclass(frozen=True, slots=True)
class SiteOverrides:
    """A registry of `SiteRule`s, looked up by page URL and fetch date."""

    rules: tuple[SiteRule, ...] = ()

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]]) -> SiteOverrides:
        rules = []
        for record in records:
            unknown = set(record) - {"domain", "valid_until", "note", *FIELDS}
            if unknown:
                raise OverrideError(f"{record.get('domain')!r}: unknown keys {sorted(unknown)}")
            values = dict(record)
            until = values.get("valid_until")
            if isinstance(until, datetime):
                values["valid_until"] = until.date()
            elif isinstance(until, str):
                values["valid_until"] = date.fromisoformat(until)
            rules.append(SiteRule(**values))
        return cls(tuple(rules))

    @classmethod
    def from_toml(cls, path: str | Path) -> SiteOverrides:
        """Load ``[[site]]`` tables from a TOML file; raises `OverrideError` on bad entries."""
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise OverrideError(f"cannot read site rules from {path}: {exc}") from exc
        return cls.from_records(data.get("site", []))

    def rule_for(self, url: str, fetched_at: datetime | date | None = None) -> SiteRule | None:
        """The rule for the layout the page was served with, or None (generic extraction)."""
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            return None
        candidates = [rule for rule in self.rules if host and rule.matches(host)]
        if not candidates:
            return None
        # The most specific domain wins (a section host over the whole site).
        longest = max(len(rule.domain) for rule in candidates)
        candidates = [rule for rule in candidates if len(rule.domain) == longest]
        day = fetched_at.date() if isinstance(fetched_at, datetime) else fetched_at
        if day is not None:
            candidates = [rule for rule in candidates if rule.valid_until is None or rule.valid_until >= day]
        if not candidates:
            return None  # every known layout expired: the generic extractor takes over
        return min(candidates, key=lambda rule: rule.valid_until or date.max)

    def __len__(self) -> int:
        return len(self.rules)


def apply_rule(specs: Sequence[str], tree: HtmlElement, data: Structured) -> FieldMatch:
    """The first source among `specs` that yields a non-empty value."""
    for spec in specs:
        kind, _, expression = spec.partition(":")
        match = FieldMatch()
        if kind == "jsonld":
            for value in as_list(data.article_value(expression)):
                text = as_text(value)
                if text:
                    match.values.append(text)
        elif kind == "meta":
            match.values = data.all(expression.lower())
        else:
            try:
                if kind == "xpath":
                    results = tree.xpath(expression)
                else:
                    results = tree.cssselect(expression)
            except Exception:  # a selector that fails on this page: try the next source
                logger.debug("site rule %r failed", spec, exc_info=True)
                continue
            for result in results if isinstance(results, list) else [results]:
                if isinstance(result, HtmlElement):
                    match.element = match.element if match.element is not None else result
                    text = _element_text(result)
                else:
                    text = str(result)
                if clean(text):
                    match.values.append(text.strip())
        match.values = [v for v in match.values if clean(v)]
        if match.values:
            return match
    return FieldMatch()


def _element_text(element: HtmlElement) -> str:
    element = copy.deepcopy(element)  # the page tree is shared with the other stages
    for br in element.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return "\n".join(clean(line) for line in element.text_content().splitlines() if clean(line))
