"""newspipe's Scrapy-free article extraction library.

One call turns one fetched HTML page into an article record::

    from pipelines.extraction import extract_article, ExtractionOptions

    result = extract_article(html_bytes, "https://example.com/2025/10/28/story/",
                             fetched_at=fetched_at, options=ExtractionOptions(min_words=50))
    if result:                      # ArticleRecord
        print(result.headline, result.published_at, result.authors)
    else:                           # NotAnArticle, falsy
        stats.inc_value(f"newspipe/extract/not_article/{result.reason}")

Public API:

- `extract_article(html, url, *, fetched_at=None, options=None, content_type=None)
  -> ArticleRecord | NotAnArticle` never raises. Reasons for `NotAnArticle` are stable short keys:
  ``"empty"``, ``"not_html"``, ``"too_short"``, ``"index_page"``, ``"error_page"``, ``"no_headline"``,
  ``"timeout"`` (over `ExtractionOptions.time_budget` CPU seconds) and ``"error"`` (an exception
  met on this page: a bug, logged with its traceback).
- `decode_page(body, content_type) -> str`: page bytes as text, by BOM, HTTP header and
  ``<meta charset>``, with charset detection when the label does not fit the bytes.
- `canonicalize_url(url) -> str`: the stable spelling of an article URL (tracking
  parameters, fragments, default ports and AMP variants removed).
- `ExtractionOptions`: the few knobs (`min_words`, `language_hint`, ...).
- `ArticleRecord`, `NotAnArticle`, `ExtractionResult`: the result types. `ArticleRecord` is the
  project's one article model, defined in `articles` (the layer below) and re-exported here.
- `SiteOverrides`, `SiteRule`: per-site rules as data (TOML or records), passed as
  `ExtractionOptions(overrides=SiteOverrides.from_toml(path))`; tried before the generic
  extractor for the sites and layouts they name, which stays the fallback.

Modules, one job each: `document` (decode + parse), `budget` (the CPU budget), `structured` (JSON-LD, meta,
microdata), `headline`, `dates`, `authors`, `language`, `body` (trafilatura +
JSON-LD articleBody), `boilerplate` (line filters), `classify` (error/index pages),
`urls`, `overrides` (per-site rules), `core` (the pipeline). The library reads no settings and needs no Scrapy;
of the project it imports only `articles` (the article model).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core import extract_article
    from .document import decode_page
    from .errors import REASONS
    from .options import ExtractionOptions
    from .overrides import OverrideError, SiteOverrides, SiteRule
    from .record import ArticleRecord, ExtractionResult, NotAnArticle
    from .urls import canonicalize_url

# Each name's module, imported on first use (PEP 562): `extract_article` brings trafilatura,
# htmldate and the whole extraction stack, while a crawl needs only `canonicalize_url` and
# `decode_page` until its first page arrives (start-up, BENCHMARKS.md "Crawl start-up").
_MODULES = {
    "extract_article": "core", "decode_page": "document", "REASONS": "errors", "ExtractionOptions": "options",
    "OverrideError": "overrides", "SiteOverrides": "overrides", "SiteRule": "overrides",
    "ArticleRecord": "record", "ExtractionResult": "record", "NotAnArticle": "record",
    "canonicalize_url": "urls",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)


__all__ = [
    "REASONS",
    "ArticleRecord",
    "ExtractionOptions",
    "ExtractionResult",
    "NotAnArticle",
    "OverrideError",
    "SiteOverrides",
    "SiteRule",
    "canonicalize_url",
    "decode_page",
    "extract_article",
]
