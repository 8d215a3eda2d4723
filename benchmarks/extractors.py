"""The benchmark's contestants behind one small interface.

- `newspipe`: `pipelines.extraction.extract_article`, imported lazily so the harness works
  while it is missing.
- `trafilatura`: `trafilatura.bare_extraction(..., with_metadata=True)`, the installed version.
- `newspaper4k`: `newspaper.Article(url, fetch_images=False)` parsing the given HTML
  (optional: the `bench` extra).

Every contestant turns failures into an empty `Extraction` with the reason in `error`,
so one bad page never stops a run. Reads no settings.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Extraction:
    headline: str = ""
    body: str = ""
    published_at: datetime | date | None = None
    authors: list[str] = field(default_factory=list)
    # Why the contestant gave nothing: an exception's class and message, or NotAnArticle's reason.
    error: str | None = None


class Extractor(Protocol):
    name: str

    def extract(self, html: str, url: str, fetched_at: datetime | None = None) -> Extraction: ...


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


class NewspipeExtractor:
    name = "newspipe"

    def __init__(self, extract: Callable[..., object] | None = None) -> None:
        # Imported here, not at module level: the harness must run while it is missing.
        if extract is None:
            from pipelines.extraction import extract_article as extract
        self._extract = extract

    def extract(self, html: str, url: str, fetched_at: datetime | None = None) -> Extraction:
        try:
            result = self._extract(html, url, fetched_at=fetched_at)
        except Exception as exc:  # a crash is a finding, recorded, not fatal
            logger.warning("newspipe failed on %s", url, exc_info=True)
            return Extraction(error=_describe(exc))
        if not result:
            reason = getattr(result, "reason", "empty")
            return Extraction(error=f"NotAnArticle: {reason}")
        return Extraction(
            headline=getattr(result, "headline", "") or "",
            body=getattr(result, "body", "") or "",
            published_at=getattr(result, "published_at", None),
            authors=list(getattr(result, "authors", None) or []),
        )


class TrafilaturaExtractor:
    name = "trafilatura"

    def __init__(self) -> None:
        import trafilatura

        self._bare_extraction = trafilatura.bare_extraction

    def extract(self, html: str, url: str, fetched_at: datetime | None = None) -> Extraction:
        try:
            doc = self._bare_extraction(html, url=url, with_metadata=True)
        except Exception as exc:
            return Extraction(error=_describe(exc))
        if doc is None:
            return Extraction(error="no result")
        data = doc if isinstance(doc, dict) else doc.as_dict()
        return Extraction(
            headline=data.get("title") or "",
            body=data.get("text") or "",
            published_at=_parse_day(data.get("date")),
            authors=_split_authors(data.get("author")),
        )


def _parse_day(value: str | None) -> date | None:
    # trafilatura gives YYYY-MM-DD (date only), so it can score on the day, never the minute.
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _split_authors(value: str | None) -> list[str]:
    return [a.strip() for a in (value or "").split(";") if a.strip()]


class Newspaper4kExtractor:
    name = "newspaper4k"

    def __init__(self) -> None:
        with warnings.catch_warnings():
            # newspaper4k warns at import that nltk is missing; we use no NLP features.
            warnings.simplefilter("ignore")
            import newspaper
        self._article_cls = newspaper.Article

    def extract(self, html: str, url: str, fetched_at: datetime | None = None) -> Extraction:
        try:
            # fetch_images=False, or parse() downloads images to size them.
            article = self._article_cls(url, fetch_images=False)
            article.download(input_html=html)
            article.parse()
        except Exception as exc:
            return Extraction(error=_describe(exc))
        published = article.publish_date
        return Extraction(
            headline=article.title or "",
            body=article.text or "",
            published_at=published if isinstance(published, datetime) else None,
            authors=list(article.authors or []),
        )


CONTESTANTS: dict[str, type[NewspipeExtractor | TrafilaturaExtractor | Newspaper4kExtractor]] = {
    "newspipe": NewspipeExtractor,
    "trafilatura": TrafilaturaExtractor,
    "newspaper4k": Newspaper4kExtractor,
}


def load_extractors(names: list[str]) -> tuple[list[Extractor], dict[str, str]]:
    """Build the named contestants; the ones that cannot be imported are returned with the reason."""
    loaded: list[Extractor] = []
    missing: dict[str, str] = {}
    for name in names:
        if name not in CONTESTANTS:
            raise ValueError(f"unknown contestant {name!r}; expected one of {', '.join(CONTESTANTS)}")
        try:
            loaded.append(CONTESTANTS[name]())
        except ImportError as exc:
            missing[name] = _describe(exc)
    return loaded, missing
