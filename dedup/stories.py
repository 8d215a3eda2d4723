"""Storing articles as stories: which stored article a new one is (its URL, a copy, a near-identical
text) and which copy leads its story, decided in the transaction that writes it.

`Stories` holds an articles repository (`storage.repository`, data access) and puts the story
rules on top: `save` decides what an extracted article is: a URL already stored (unchanged, or a new
version of it), a copy of a stored story (syndication evidence, the same content hash, or a
near-identical body found through the shared MinHash index, `dedup.index`) or a new story. A
story's original is the article syndication evidence points at, else the earliest published
(`dedup.policy.should_lead`). With the "link" duplicate policy a copy keeps its URLs and
metadata but not its body. `save_batch` gives the same outcomes for a whole batch in a few
statements: what it needs from the database is fetched up front, plainly new articles and plain
copies of a stored text are written with multi-row INSERTs (`insert_many`), and the rest go
through `save` in their place in the order. Every stored article claims its band keys in the
shared index in the same transaction. Usable without Scrapy; reads no settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dedup.policy import near_pairs, should_lead
from storage.bulk import stored_values
from storage.models import Article
from storage.repository import ArticleRepository, NewArticle, SaveResult, item_urls

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dedup.index import NearDupIndex


class Stories:
    """The story rules over an articles repository, which it holds (`repository`: data access, in
    the same session). `near_dups` is the shared near-duplicate index (None: exact copies only);
    `duplicate_policy` and `source_ids` are handed to the repository."""

    def __init__(
        self,
        session: Session,
        *,
        near_dups: NearDupIndex | None = None,
        duplicate_policy: str = "keep",
        source_ids: dict[str, int] | None = None,
    ) -> None:
        self.session = session
        self.repository = ArticleRepository(session, duplicate_policy=duplicate_policy, source_ids=source_ids)
        self.near_dups = near_dups
        self._index = near_dups.begin(session.connection()) if near_dups is not None else None

    @property
    def source_ids(self) -> dict[str, int]:
        """The repository's source ids by name (those handed in and those it looked up or created)."""
        return self.repository.source_ids

    def _index_add(self, rows: Sequence[tuple[int, bytes | None, bool]]) -> None:
        if self._index is not None:
            self._index.add(rows)

    def save(self, item: NewArticle, run_id: int | None = None) -> SaveResult:
        """Store one article, or record what it is: a stored URL (maybe a new version), or a copy of a stored story."""
        urls = [item.canonical_url, item.url, *item.alias_urls]
        existing = self.repository.article_id_for_urls(urls)
        if existing is not None:
            self.repository.add_urls(existing, urls[1:], kind="alias")
            result = self.repository.revise(existing, item)
            if result.outcome == "updated" and self._index is not None:
                self._index.replace(existing, item.minhash)
            return result

        original, method, score = self._find_original(item)
        # None of the article's URLs was stored (checked above), so they are all its own now.
        own_urls = item_urls(item)
        if original is None:
            article = self.repository.insert(item, run_id)
            self._index_add([(article.id, item.minhash, True)])
            relinked = self._adopt_copies_pointing_at(article, own_urls)
            return SaveResult("new", article.id, relinked=relinked, story_id=article.story_id)
        if method != "syndication" and should_lead(item.record, original, own_urls):
            article = self.repository.insert(item, run_id)
            self._index_add([(article.id, item.minhash, False)])
            self.repository.join_story(article, original.story_id)
            self.repository.relink(original.id, article.id)
            self.repository.link(original.id, article.id, method, score)
            return SaveResult("new", article.id, relinked=1, story_id=article.story_id)
        # A copy goes straight into the original's story.
        article = self.repository.insert(item, run_id, story_id=original.story_id)
        self._index_add([(article.id, item.minhash, False)])
        self.repository.link(article.id, original.id, method, score)
        return SaveResult("duplicate", article.id, original.id, story_id=article.story_id, method=method, score=score)

    def save_batch(self, items: Sequence[NewArticle], run_id: int | None = None) -> list[SaveResult]:
        """Store many articles: the same outcomes as `save` on each in turn, in far fewer queries.

        What the batch needs from the database is fetched up front (its URLs, content hashes,
        near-duplicate candidates, stored copies naming its URLs). An article that meets
        nothing there and nothing else in the batch is plainly new; one whose only match is a
        stored article with the same text is plainly a copy of that story. Runs of those are
        inserted in bulk. Every other article goes through `save`, in its place in the order,
        so ids and outcomes are those of the article-by-article path.
        """
        if len(items) < 2:  # the look-ahead costs as many queries as it saves
            return [self.save(item, run_id) for item in items]
        self.repository.prefetch_sources(items)
        plans = self._plan(items)
        results: list[SaveResult] = []
        run: list[tuple[NewArticle, str]] = []
        for item, plan in zip(items, plans):
            if plan is not None:
                run.append((item, plan))
                continue
            if run:
                results.extend(self._bulk(run, run_id))
                run = []
            results.append(self.save(item, run_id))
        if run:
            results.extend(self._bulk(run, run_id))
        return results

    def _plan(self, items: Sequence[NewArticle]) -> list[str | None]:
        """For each item: "new" (meets nothing stored, nothing in the batch), "copy" (its text is
        stored, and nothing else about it needs a look), or None (`save` decides)."""
        own_urls = [item_urls(item) for item in items]
        every_url = {u for urls in own_urls for u in urls} | {i.record.syndicated_from for i in items if i.record.syndicated_from}
        plain = [True] * len(items)

        # Collisions inside the batch: a shared URL, syndication between two, near-identical bodies.
        url_owner: dict[str, int] = {}
        by_hash: dict[str, list[int]] = {}
        for index, (item, urls) in enumerate(zip(items, own_urls)):
            for url in urls:
                other = url_owner.setdefault(url, index)
                if other != index:
                    plain[index] = plain[other] = False
            by_hash.setdefault(item.content_hash, []).append(index)
        for index, item in enumerate(items):
            if item.record.syndicated_from and item.record.syndicated_from in url_owner:
                plain[index] = plain[url_owner[item.record.syndicated_from]] = False
        if self.near_dups is not None:
            for a, b in near_pairs([item.minhash for item in items], self.near_dups.threshold):
                if items[a].content_hash != items[b].content_hash:  # the same text: the hash rule below
                    plain[a] = plain[b] = False

        # What is stored already.
        stored_urls, stored_hashes, named_by_copies = stored_values(
            self.session.connection(),
            [
                ("article_urls", "url", every_url),
                ("articles", "content_hash", by_hash),
                ("articles", "syndicated_from", {u for urls in own_urls for u in urls}),
            ],
        )
        plans: list[str | None] = [None] * len(items)
        for index, (item, urls) in enumerate(zip(items, own_urls)):
            if not plain[index] or any(u in stored_urls or u in named_by_copies for u in urls):
                continue
            if item.content_hash in stored_hashes or by_hash[item.content_hash][0] != index:
                # A copy (of a stored text, or of the batch's first with this text) when nothing
                # else could come first: syndication evidence is looked at before the hash.
                plans[index] = "copy" if not item.record.syndicated_from else None
            elif not (item.record.syndicated_from and item.record.syndicated_from in stored_urls):
                plans[index] = "new"

        # New ones near a stored body are copies found by MinHash: `save` takes them one by one.
        if self._index is not None:
            looked = [i for i, item in enumerate(items) if plans[i] == "new" and item.minhash is not None]
            found = self._index.matches([items[i].minhash for i in looked])  # type: ignore[misc]
            for index, match in zip(looked, found):
                if match is not None:
                    plans[index] = None
        # Items sharing a text go together (the first new or a copy, the rest copies), or all one by one.
        for text, indexes in by_hash.items():
            first = "copy" if text in stored_hashes else "new"
            if len(indexes) > 1 and (plans[indexes[0]] != first or any(plans[i] != "copy" for i in indexes[1:])):
                for i in indexes:
                    plans[i] = None
        return plans

    def _bulk(self, run: Sequence[tuple[NewArticle, str]], run_id: int | None) -> list[SaveResult]:
        """Write a run of planned articles; copies learn their story's original only now, after
        whatever the articles before them in the batch changed."""
        copies = [item for item, plan in run if plan == "copy"]
        originals: dict[str, Article | int] = {}
        if copies:
            originals.update(self.repository.originals_by_hash({item.content_hash for item in copies}))
        planned: list[tuple[NewArticle, Article | int | None]] = []
        for position, (item, plan) in enumerate(run):
            if plan == "new":
                originals.setdefault(item.content_hash, position)  # copies later in the run follow it
                planned.append((item, None))
                continue
            original = originals.get(item.content_hash)
            leader = run[original][0].record if isinstance(original, int) else original
            if leader is None or should_lead(item.record, leader, item_urls(item)):
                # The story's original changes (or the text is gone): `save` takes the run in order.
                return [self.save(item, run_id) for item, _ in run]
            planned.append((item, original))
        results = self.repository.insert_many(planned, run_id)
        self._index_add([(r.article_id, item.minhash, r.outcome == "new") for (item, _), r in zip(planned, results)])
        return results

    def _find_original(self, item: NewArticle) -> tuple[Article | None, str, float]:
        """The story original a new article copies, and how that was found."""
        if item.record.syndicated_from:
            evidence_target = self.repository.article_id_for_urls([item.record.syndicated_from])
            if evidence_target is not None:
                return self.session.get(Article, self.repository.original_of(evidence_target)), "syndication", 1.0
        original = self.repository.story_original_by_hash(item.content_hash)
        if original is not None:
            return original, "content_hash", 1.0
        if self._index is not None and item.minhash is not None:
            (match,) = self._index.matches([item.minhash])
            if match is not None:
                article_id, score = match
                return self.session.get(Article, self.repository.original_of(article_id)), "minhash", score
        return None, "", 0.0

    def _adopt_copies_pointing_at(self, article: Article, urls: Sequence[str]) -> int:
        """Copies stored before their original (they name it in a "Source link") join its story now."""
        copies = self.repository.copies_naming(urls, article.id)
        for copy in copies:
            leader = self.repository.original_of(copy)
            if leader == article.id:
                continue
            self.repository.relink(leader, article.id)
            self.repository.link(leader, article.id, "syndication", 1.0)
        return len(copies)
