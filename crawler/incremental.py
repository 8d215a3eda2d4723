"""Incremental crawling for the discovery spiders: what not to request again, and how to ask cheaply.

Reads NEWSPIPE_INCREMENTAL (off: every run fetches everything), NEWSPIPE_REVISIT_DAYS,
NEWSPIPE_REVISIT_MAX, NEWSPIPE_RECHECK_DAYS and NEWSPIPE_CONDITIONAL_REQUESTS, and the database through
`crawler.database`. The spider asks it, per batch of discovered article URLs, which are
already known (stored, or found not to be articles or gone within the recheck period);
at start, which stored articles are due for a revisit (first stored within the revisit
window), with their validators; and for each feed, sitemap or section, the validators
for a conditional request.

What a run learns is written back: article outcomes as they come (in small batches),
the validators of discovery documents only when the run finished cleanly, so that a
run killed half-way (or one whose articles could not all be stored) makes the next run
read those documents in full again and finish the work.

Database work off the reactor thread where it can be: the writes go to the crawl's database
thread (`crawler.database`). The look-ups answer the spider's callbacks, so they run where
the callback runs, but bounded (`Database.bounded`, NEWSPIPE_STATEMENT_TIMEOUT): a look-up
the database does not answer in time is abandoned, and the rest of the run asks no more
(every URL is treated as new, as for a database that is down).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from twisted.internet.defer import Deferred, maybeDeferred

from crawler import settings as defaults
from storage.deadline import DatabaseNotAnswering
from storage.state import FetchStateRepository, Revisit, StateUpdate, Validators

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

_NOT_ARTICLE = re.compile(r"not an article \((\w+)")
ARTICLE_FLUSH_EVERY = 50
T = TypeVar("T")


class IncrementalState:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        revisit_days: float = 2.0,
        revisit_max: int = 10_000,
        recheck_days: float = 7.0,
        conditional: bool = True,
        bounded: Callable[[str], AbstractContextManager[None]] = lambda _what: nullcontext(),
        in_thread: Callable[..., Deferred[Any]] = maybeDeferred,
    ) -> None:
        self.sessions = sessions
        self.bounded = bounded
        self.in_thread = in_thread  # where writes run: the crawl's database thread
        self.silent = False  # the database did not answer a look-up: ask no more this run
        self.revisit_window = timedelta(days=max(0.0, revisit_days))
        self.revisit_max = max(0, revisit_max)
        self.recheck_after = timedelta(days=recheck_days) if recheck_days > 0 else None
        self.conditional = conditional
        self._validators: dict[str, Validators] = {}
        self._discovery_updates: list[StateUpdate] = []
        self._article_updates: list[StateUpdate] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalState | None:
        settings = crawler.settings
        if not settings.getbool("NEWSPIPE_INCREMENTAL", defaults.NEWSPIPE_INCREMENTAL):
            return None
        from crawler.database import database_for, database_thread_for

        database = database_for(crawler)
        return cls(
            database.sessions,
            bounded=database.bounded,
            in_thread=database_thread_for(crawler).run,
            revisit_days=settings.getfloat("NEWSPIPE_REVISIT_DAYS", defaults.NEWSPIPE_REVISIT_DAYS),
            revisit_max=settings.getint("NEWSPIPE_REVISIT_MAX", defaults.NEWSPIPE_REVISIT_MAX),
            recheck_days=settings.getfloat("NEWSPIPE_RECHECK_DAYS", defaults.NEWSPIPE_RECHECK_DAYS),
            conditional=settings.getbool("NEWSPIPE_CONDITIONAL_REQUESTS", defaults.NEWSPIPE_CONDITIONAL_REQUESTS),
        )

    # -- questions -------------------------------------------------------------------------

    def known(self, urls: list[str]) -> set[str]:
        # Unknown is the safe answer: the page is fetched and its article stored (or spooled).
        return self._ask(
            lambda session: FetchStateRepository(session).known(urls, recheck_after=self.recheck_after),
            set(), f"treating {len(urls)} URLs as new",
        )  # fmt: skip

    def revisits(self, sources: list[str]) -> tuple[list[Revisit], int]:
        """The stored articles due for a revisit (newest first, at most `revisit_max`), and how
        many more were due but left off by that cap."""

        def due(session: Session) -> tuple[list[Revisit], int]:
            repository = FetchStateRepository(session)
            found = repository.revisits(sources, self.revisit_window, limit=self.revisit_max)
            if not self.revisit_max or len(found) < self.revisit_max:
                return found, 0
            return found, repository.revisits_due(sources, self.revisit_window) - len(found)

        return self._ask(due, ([], 0), "no revisits this run")

    def prefetch_validators(self, urls: list[str]) -> None:
        """Load the validators of these discovery URLs in one query (before requesting them)."""
        if not self.conditional:
            return
        wanted = [u for u in urls if u not in self._validators]
        if not wanted:
            return
        found = self._ask(lambda session: FetchStateRepository(session).validators(wanted), {}, "requesting discovery pages unconditionally")
        for url in wanted:
            self._validators[url] = found.get(url, Validators())

    def _ask(self, question: Callable[[Session], T], fallback: T, instead: str) -> T:
        """A bounded look-up; `fallback` when the database refuses or has stopped answering."""
        if self.silent:
            return fallback
        try:
            with self.bounded("a look-up of known URLs"), self.sessions() as session:
                return question(session)
        except DatabaseNotAnswering as exc:
            self.silent = True
            logger.warning("database not answering, %s; no more look-ups this run: %s", instead, exc)
        except SQLAlchemyError as exc:
            logger.warning("database unavailable, %s: %s", instead, exc)
        return fallback

    def conditional_headers(self, url: str) -> dict[str, str]:
        if not self.conditional:
            return {}
        if url not in self._validators:
            self.prefetch_validators([url])
        return self._validators[url].headers()

    # -- what the run learns ---------------------------------------------------------------

    def discovery_fetched(self, response: Response, kind: str) -> None:
        if self.conditional and response.status == 200:
            self._discovery_updates.append(StateUpdate(response.url, kind, 200, *_validators_of(response)))
            if response.url != response.request.url:  # type: ignore[union-attr]
                self._discovery_updates.append(StateUpdate(response.request.url, kind, 200, *_validators_of(response)))  # type: ignore[union-attr]

    def article_fetched(self, url: str, response: Response) -> None:
        etag, last_modified = _validators_of(response)
        self._note_article(StateUpdate(url, "article", response.status, etag, last_modified))

    def article_not_stored(self, url: str, status: int | None, outcome: str) -> None:
        self._note_article(StateUpdate(url, "article", status, outcome=outcome))

    def item_dropped(self, item: Any, response: Any, exception: BaseException, spider: Any) -> None:
        """Signal handler: pages the extractor said are not articles are not asked for again soon."""
        if getattr(item, "record", None) is not None:
            return  # dropped later (date window, language, repeat): not a property of the page
        match = _NOT_ARTICLE.search(str(exception))
        if match is None:
            return
        outcome = f"not_article/{match.group(1)}"
        for url in dict.fromkeys((getattr(item, "url", None), getattr(item, "response_url", None))):
            if url:
                self.article_not_stored(url, getattr(item, "status", None), outcome)

    def probe_missed(self, url: str, status: int | None) -> None:
        """A well-known sitemap path with nothing there: not probed again for NEWSPIPE_RECHECK_DAYS."""
        self._note_article(StateUpdate(url, "sitemap", status, outcome="no_sitemap"))

    def _note_article(self, update: StateUpdate) -> None:
        self._article_updates.append(update)
        if len(self._article_updates) >= ARTICLE_FLUSH_EVERY:
            self.in_thread(self._write, self._article_updates)
            self._article_updates = []

    def close(self, *, clean: bool) -> Deferred[None]:
        """Write what the run learnt (in the database thread); done when it is written."""
        updates = self._article_updates
        if clean:
            updates = [*updates, *self._discovery_updates]
        elif self._discovery_updates:
            logger.info("run did not finish cleanly: feeds and sitemaps will be read in full next time")
        self._article_updates, self._discovery_updates = [], []
        return self.in_thread(self._write, updates)

    def _write(self, updates: list[StateUpdate]) -> None:
        if not updates:
            return
        try:
            with self.bounded(f"recording the fetch state of {len(updates)} URLs"), self.sessions.begin() as session:
                FetchStateRepository(session).record(updates)
        except Exception:  # losing fetch state costs requests next time, never articles
            logger.warning("could not record the fetch state of %d URLs", len(updates), exc_info=True)


def _validators_of(response: Response) -> tuple[str | None, str | None]:
    etag = response.headers.get("ETag")
    last_modified = response.headers.get("Last-Modified")
    return (
        etag.decode("latin-1") if etag else None,
        last_modified.decode("latin-1") if last_modified else None,
    )
