"""The spool: a local JSON Lines file that holds articles the database could not take.

When the store gives up on a batch (database down, connection refused), the batch is
appended here instead of being lost; `newspipe db replay`, and the next crawl on its own,
load it back. Each line is one `NewArticle`: its record (`ArticleRecord.to_dict`) under "record"
and the storage fields beside it (datetimes ISO 8601 with offset, bytes as base64); lines written
before the article model was one (every field side by side, no "record") still load. Appends are
flushed and fsynced so a crash right after keeps them; a replay rewrites the file with only what
still could not be stored.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

from articles import ArticleRecord
from storage.repository import NewArticle

logger = logging.getLogger(__name__)

_STORAGE_FIELDS = {f.name for f in fields(NewArticle)} - {"record"}


def _encode(article: NewArticle, run_id: int | None) -> str:
    data: dict[str, Any] = {name: getattr(article, name) for name in sorted(_STORAGE_FIELDS)}
    data["record"] = article.record.to_dict()
    data["fetched_at"] = article.fetched_at.isoformat()
    if article.minhash is not None:
        data["minhash"] = base64.b64encode(article.minhash).decode("ascii")
    return json.dumps({"run_id": run_id, "article": data}, ensure_ascii=False)


def _decode(line: str) -> tuple[NewArticle, int | None]:
    entry = json.loads(line)
    data = dict(entry["article"])
    if "record" in data:
        record = ArticleRecord.from_dict(data.pop("record"))
    else:
        # A line written before the article model was one: every field side by side, `url` the
        # URL as requested (the only one it kept besides the canonical) and so the record's.
        record = ArticleRecord.from_dict(data)
    values = {k: v for k, v in data.items() if k in _STORAGE_FIELDS}
    values["fetched_at"] = datetime.fromisoformat(values["fetched_at"])
    if values.get("minhash"):
        values["minhash"] = base64.b64decode(values["minhash"])
    return NewArticle(record=record, **values), entry.get("run_id")


def spool_for(directory: str | os.PathLike[str], database_url: str) -> Spool:
    """The spool of one database: one file per database URL, so a replay goes where the crawl meant."""
    digest = hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:12]
    return Spool(Path(directory) / f"spool-{digest}.jsonl")


class Spool:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def append(self, articles: Sequence[NewArticle], run_id: int | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            for article in articles:
                handle.write(_encode(article, run_id) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def __len__(self) -> int:
        if not self.path.exists():
            return 0
        with self.path.open(encoding="utf-8") as handle:
            return sum(1 for line in handle if line.strip())

    def entries(self) -> Iterator[tuple[NewArticle, int | None]]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    yield _decode(line)
                except (ValueError, KeyError, TypeError) as exc:
                    # A torn last line from a crash mid-write: report it, keep the rest.
                    logger.warning("%s line %d is unreadable and is skipped: %s", self.path, number, exc)

    def replay(self, store: Callable[[list[NewArticle], int | None], None], batch_size: int = 200) -> int:
        """Hand the spooled articles to `store` in batches; what it stores leaves the spool.

        `store` raises to refuse a batch: that batch and everything after it stay spooled.
        Returns how many were stored.
        """
        entries = list(self.entries())
        if not entries:
            return 0
        stored = 0
        remaining: list[tuple[NewArticle, int | None]] = []
        for start in range(0, len(entries), batch_size):
            batch = entries[start : start + batch_size]
            if remaining:
                remaining.extend(batch)
                continue
            try:
                store([article for article, _ in batch], batch[0][1])
                stored += len(batch)
            except Exception:
                logger.warning("replaying %s stopped: the database still refuses", self.path, exc_info=True)
                remaining.extend(batch)
        self._rewrite(remaining)
        return stored

    def _rewrite(self, remaining: list[tuple[NewArticle, int | None]]) -> None:
        if not remaining:
            self.path.unlink(missing_ok=True)
            return
        temporary = self.path.with_suffix(self.path.suffix + ".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            for article, run_id in remaining:
                handle.write(_encode(article, run_id) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self.path)
