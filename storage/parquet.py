"""Parquet export with a fixed, documented schema (pyarrow), streamed in batches.

Timestamps are UTC (`timestamp[us, tz=UTC]`); `published_at_local` keeps the page's own
offset as ISO 8601 text. List fields are `list<string>`. With `partition="day"` or
`"month"` the output is a directory of Hive-style partitions on the publication date
(`published_day=2025-10-28/…`, undated articles under `published_day=undated`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

UTC_TS = pa.timestamp("us", tz="UTC")

EXPORT_SCHEMA = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("url", pa.string(), nullable=False),
        pa.field("canonical_url", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("headline", pa.string(), nullable=False),
        pa.field("published_at", UTC_TS),
        pa.field("published_at_local", pa.string()),
        pa.field("modified_at", UTC_TS),
        pa.field("date_source", pa.string()),
        pa.field("authors", pa.list_(pa.string()), nullable=False),
        pa.field("body", pa.string(), nullable=False),
        pa.field("description", pa.string()),
        pa.field("language", pa.string()),
        pa.field("site_name", pa.string()),
        pa.field("section", pa.string()),
        pa.field("tags", pa.list_(pa.string()), nullable=False),
        pa.field("image_url", pa.string()),
        pa.field("word_count", pa.int32(), nullable=False),
        pa.field("fetched_at", UTC_TS, nullable=False),
        pa.field("duplicate_of", pa.string()),
        pa.field("story_id", pa.int64()),
        pa.field("version", pa.int32(), nullable=False),
        pa.field("latest", pa.bool_(), nullable=False),
        pa.field("stored_as", pa.string()),
        pa.field("published_precision", pa.string()),
        pa.field("is_article_confidence", pa.float64()),
    ]
)
PARTITIONS = {"day": 10, "month": 7}  # characters of the ISO date that name a partition


def _timestamp(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _row(record: dict[str, Any]) -> dict[str, Any]:
    row = {name: record.get(name) for name in EXPORT_SCHEMA.names}
    row["published_at_local"] = record.get("published_at")
    for name in ("published_at", "modified_at", "fetched_at"):
        row[name] = _timestamp(record.get(name))
    row["authors"] = list(record.get("authors") or [])
    row["tags"] = list(record.get("tags") or [])
    row["word_count"] = int(record.get("word_count") or 0)
    row["version"] = int(record.get("version") or 1)
    row["latest"] = bool(record.get("latest", True))
    return row


def _batches(records: Iterable[dict[str, Any]], batch_size: int, partition: str | None, counter: list[int]) -> Iterator[pa.RecordBatch]:
    schema = _schema(partition)
    rows: list[dict[str, Any]] = []
    for record in records:
        row = _row(record)
        if partition:
            local = record.get("published_at")
            row["published_" + partition] = local[: PARTITIONS[partition]] if local else "undated"
        rows.append(row)
        if len(rows) >= batch_size:
            counter[0] += len(rows)
            yield pa.RecordBatch.from_pylist(rows, schema=schema)
            rows = []
    if rows:
        counter[0] += len(rows)
        yield pa.RecordBatch.from_pylist(rows, schema=schema)


def _schema(partition: str | None) -> pa.Schema:
    return EXPORT_SCHEMA.append(pa.field("published_" + partition, pa.string())) if partition else EXPORT_SCHEMA


def export_table(records: Iterable[dict[str, Any]]) -> pa.Table:
    """Export records as one in-memory table with `EXPORT_SCHEMA` (for the Python API)."""
    return pa.Table.from_batches(list(_batches(records, 2000, None, [0])), schema=EXPORT_SCHEMA)


def write_parquet(records: Iterable[dict[str, Any]], path: Path, *, partition: str | None = None, batch_size: int = 2000) -> int:
    """Write export records to `path` (a file, or a directory when partitioned); returns the count."""
    if partition is not None and partition not in PARTITIONS:
        raise ValueError(f"partition must be one of {', '.join(PARTITIONS)}")
    counter = [0]
    batches = _batches(records, batch_size, partition, counter)
    if partition is None:
        with pq.ParquetWriter(path, EXPORT_SCHEMA, compression="zstd") as writer:
            for batch in batches:
                writer.write_batch(batch)
        return counter[0]
    column = "published_" + partition
    ds.write_dataset(
        batches,
        path,
        schema=_schema(partition),
        format="parquet",
        partitioning=ds.partitioning(pa.schema([pa.field(column, pa.string())]), flavor="hive"),
        existing_data_behavior="overwrite_or_ignore",
        basename_template="part-{i}.parquet",
    )
    return counter[0]
