"""Export writers: one record per article as JSON Lines or CSV.

The record schema is `storage.repository.export_record`; CSV joins list fields with "; ".
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

EXPORT_FIELDS = (
    "id", "url", "canonical_url", "source", "headline", "published_at", "modified_at", "date_source",
    "authors", "body", "description", "language", "site_name", "section", "tags", "image_url",
    "word_count", "fetched_at", "duplicate_of", "story_id", "version", "latest", "stored_as",
    "published_precision", "is_article_confidence",
)  # fmt: skip


def write_jsonl(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for record in records:
        row = {k: ("; ".join(v) if isinstance(v, list) else v) for k, v in record.items()}
        writer.writerow(row)
        count += 1
    return count


WRITERS = {"jsonl": write_jsonl, "csv": write_csv}
