"""Re-key stored articles after the canonical-URL rules changed (`newspipe db recanonicalize`).

`recanonicalize(sessions, canonicalize)` walks the articles in id order, a batch per
transaction, and gives each the key `canonicalize(canonical_url)` gives now:

- a key no other article holds: the article takes it (`articles.canonical_url`, and an
  `article_urls` row of kind canonical); its former key stays as an alias;
- a key another article holds (as its key or as one of its URLs): the two are one article.
  The older one (the lower id, stored first) keeps the key, and every URL of the other moves
  to it as an alias, so each URL still leads to one article and none is lost. The other's
  row stays (its text, versions and metadata), linked as a copy (method `canonical_url`) in the
  older one's story, which the two stories become. Its `canonical_url` column keeps its
  former key for reference; when that former key is the new key itself (the older one had
  the other spelling), it takes the older one's former key, freed by the swap.

`syndicated_from` is re-keyed the same way, so copies still find their original. An article
whose key is already an alias of another (merged by an earlier run) is left alone: running
it twice changes nothing the second time. Run it when no crawl is writing to the database.
Reads no settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Article, ArticleUrl
from storage.repository import ArticleRepository, utcnow

__all__ = ["MERGE_METHOD", "RecanonicalizeCounts", "recanonicalize"]

MERGE_METHOD = "canonical_url"  # duplicate_links.method of an article merged by its new key


@dataclass(slots=True)
class RecanonicalizeCounts:
    articles: int = 0  # articles looked at
    rekeyed: int = 0  # took their new key
    merged: int = 0  # found to be another article's URL: merged into the older one
    stories_merged: int = 0  # stories that became one through a merge
    urls_moved: int = 0  # article_urls rows moved to the article that kept the key
    syndication_rekeyed: int = 0  # syndicated_from values given their new key


def recanonicalize(
    sessions: sessionmaker[Session], canonicalize: Callable[[str], str], *, batch_size: int = 500
) -> RecanonicalizeCounts:
    """Give every stored article its key under `canonicalize`, merging articles that now share one."""
    counts = RecanonicalizeCounts()
    last_id = 0
    while True:
        with sessions.begin() as session:
            rows = session.execute(
                select(Article.id, Article.canonical_url, Article.syndicated_from)
                .where(Article.id > last_id)
                .order_by(Article.id)
                .limit(batch_size)
            ).all()
            if not rows:
                return counts
            last_id = rows[-1].id
            rekey = _Rekey(session, counts)
            for article_id, key, syndicated_from in rows:
                counts.articles += 1
                new_source = canonicalize(syndicated_from) if syndicated_from else syndicated_from
                if new_source != syndicated_from:
                    session.execute(update(Article).where(Article.id == article_id).values(syndicated_from=new_source))
                    counts.syndication_rekeyed += 1
                new_key = canonicalize(key)
                if new_key != key:
                    rekey.article(article_id, key, new_key)


class _Rekey:
    """The changes for one article, inside the batch's transaction."""

    def __init__(self, session: Session, counts: RecanonicalizeCounts) -> None:
        self.session = session
        self.counts = counts
        self.repository = ArticleRepository(session)

    def _url_owner(self, url: str) -> int | None:
        return self.session.scalar(select(ArticleUrl.article_id).where(ArticleUrl.url == url))

    def _key_holder(self, key: str) -> int | None:
        return self.session.scalar(select(Article.id).where(Article.canonical_url == key))

    def article(self, article_id: int, key: str, new_key: str) -> None:
        if self._url_owner(key) not in (None, article_id):
            return  # merged by an earlier run: its former key leads to the article that kept the key
        holder = self._key_holder(new_key) or self._url_owner(new_key)
        if holder is None or holder == article_id:
            self._take_key(article_id, key, new_key)
            self.counts.rekeyed += 1
            return
        keeper, merged = min(article_id, holder), max(article_id, holder)
        if keeper == article_id:
            # The older article takes the key; the newer one held it and gets the freed former key.
            merged_key = self.session.scalar(select(Article.canonical_url).where(Article.id == merged))
            if merged_key == new_key:
                self._set_key(article_id, f"{key}#recanonicalize-{article_id}")  # frees `key` (a unique column)
                self._set_key(merged, key)
            self._take_key(article_id, key, new_key)
            self.counts.rekeyed += 1
        self._merge(merged, keeper)

    def _set_key(self, article_id: int, key: str) -> None:
        self.session.execute(update(Article).where(Article.id == article_id).values(canonical_url=key))

    def _take_key(self, article_id: int, key: str, new_key: str) -> None:
        """`new_key` becomes the article's key; its former key stays one of its URLs, as an alias."""
        self._set_key(article_id, new_key)
        self.session.execute(
            update(ArticleUrl).where(ArticleUrl.url == key, ArticleUrl.article_id == article_id).values(kind="alias")
        )
        if self._url_owner(new_key) is None:
            self.session.add(ArticleUrl(article_id=article_id, url=new_key, kind="canonical", first_seen_at=utcnow()))
        else:
            self.session.execute(
                update(ArticleUrl).where(ArticleUrl.url == new_key).values(article_id=article_id, kind="canonical")
            )
        self.session.flush()

    def _merge(self, merged: int, keeper: int) -> None:
        """Every URL of `merged` leads to `keeper` now; the two stories are one."""
        moved = self.session.execute(
            update(ArticleUrl)
            .where(ArticleUrl.article_id == merged)
            .values(article_id=keeper, kind="alias")
            .execution_options(synchronize_session=False)
        ).rowcount
        self.counts.urls_moved += moved or 0
        self.counts.merged += 1
        if self.repository.merge_stories(merged, keeper, MERGE_METHOD):
            self.counts.stories_merged += 1
