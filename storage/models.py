"""SQLAlchemy 2.x typed models: sources, articles, their URLs, stories, versions and crawl runs.

Every article belongs to exactly one story (`articles.story_id`); a story knows its
original article. Copies of a story are linked to its original in `duplicate_links`.
An article row always holds its latest version; earlier versions move to
`article_versions`. `fetch_state` keeps what a scheduled crawl needs to ask again cheaply
(validators for conditional requests, pages known not to be articles, and robots.txt bodies
kept for NEWSPIPE_ROBOTS_TTL) and
`crawl_locks` keeps two runs of the same job from overlapping. `near_dup_bands` is the
near-duplicate index every writer shares: one row per LSH band key, naming the article that
claimed it (see `dedup.index`).

Datetimes are stored as UTC instants (`TIMESTAMP WITH TIME ZONE` on PostgreSQL;
SQLite keeps them as UTC text) and always come back timezone-aware. The page's own
UTC offset for a publication date is kept beside it (`published_offset_minutes`),
since neither backend keeps an offset inside a timestamp.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    TIMESTAMP,
    BigInteger,
    Double,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime in, an aware UTC datetime out, on every backend.

    Naive datetimes are refused: a timestamp without an offset is a bug upstream.
    """

    impl = TIMESTAMP(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: newspipe stores only timezone-aware datetimes")
        value = value.astimezone(timezone.utc)
        # SQLite has no time zone type; store the UTC wall time so text order is time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


JsonType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UtcDateTime(),
        dict[str, Any]: JsonType,
        list[str]: JsonType,
    }


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    domains: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime]

    articles: Mapped[list[Article]] = relationship(back_populates="source")


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    spider: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))  # running, finished, failed, interrupted, killed
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    finish_reason: Mapped[str | None] = mapped_column(String(100))
    arguments: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Outcome counts: pages_fetched, articles_new, articles_duplicate, articles_existing,
    # skipped/<reason>, errors ...
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error_count: Mapped[int] = mapped_column(default=0)
    # The run lock's token while this run held it: a takeover of that lock closes the run as killed.
    lock_token: Mapped[str | None] = mapped_column(String(40))


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_source_id_published_at", "source_id", "published_at"),
        Index("ix_articles_fetched_at", "fetched_at"),
        # Export and coverage windows on the publication date, across sources.
        Index("ix_articles_published_at", "published_at"),
        # Storing an article looks for stored copies that name one of its URLs as their source.
        Index("ix_articles_syndicated_from", "syndicated_from"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    # Beside (source_id, published_at): on SQLite this one also gives a source's rows in id order (export --source).
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(Text)  # as fetched
    canonical_url: Mapped[str] = mapped_column(Text, unique=True)
    headline: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    published_at: Mapped[datetime | None]
    published_offset_minutes: Mapped[int | None]
    modified_at: Mapped[datetime | None]
    date_source: Mapped[str | None] = mapped_column(String(20))
    # How precise the page's date is: "second", "minute", "day" (date only: the stored time is a
    # placeholder, the day is the page's own), "month", "year"; None when undated or stored before 0007.
    published_precision: Mapped[str | None] = mapped_column(String(10))
    # How sure the article filter was: 1.0 when every check passed, below 1 for a page kept in
    # doubt (failed the length or link-list check but had article evidence); None before 0008.
    is_article_confidence: Mapped[float | None] = mapped_column(Float)
    authors: Mapped[list[str]] = mapped_column(default=list)
    description: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(20))
    site_name: Mapped[str | None] = mapped_column(Text)
    section: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(default=list)
    image_url: Mapped[str | None] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(default=0)
    syndicated_from: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime]
    created_at: Mapped[datetime]
    story_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), ForeignKey("stories.id"), index=True)
    version: Mapped[int] = mapped_column(default=1, server_default="1")  # 1 + number of rows in article_versions
    # "full", or "link" for a copy kept as its URL and metadata only (NEWSPIPE_DUPLICATE_POLICY=link).
    stored_as: Mapped[str] = mapped_column(String(10), default="full", server_default="full")
    # MinHash signature of the body (uint32 little-endian values), for the near-duplicate index.
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Provenance of an article imported from a web archive: the file and the record's offset.
    archive_file: Mapped[str | None] = mapped_column(Text)
    archive_offset: Mapped[int | None] = mapped_column(BigInteger)

    source: Mapped[Source] = relationship(back_populates="articles")
    urls: Mapped[list[ArticleUrl]] = relationship(back_populates="article", cascade="all, delete-orphan")

    def published_at_local(self) -> datetime | None:
        """The publication date in the page's own UTC offset, as the page gave it."""
        if self.published_at is None:
            return None
        if self.published_offset_minutes is None:
            return self.published_at
        return self.published_at.astimezone(timezone(timedelta(minutes=self.published_offset_minutes)))


class ArticleUrl(Base):
    """Every URL known to lead to an article: as fetched, canonical, tracking and AMP variants."""

    __tablename__ = "article_urls"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # canonical, fetched, alias
    first_seen_at: Mapped[datetime]

    article: Mapped[Article] = relationship(back_populates="urls")


class DuplicateLink(Base):
    """An article recorded as a copy of an earlier one (same story under another URL)."""

    __tablename__ = "duplicate_links"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    duplicate_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), unique=True)
    original_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(30))  # content_hash, ...
    score: Mapped[float] = mapped_column(Double, default=1.0)  # as migration 0001; SQLAlchemy 2.0 maps a bare float to Float
    created_at: Mapped[datetime]


class Story(Base):
    """One story, however many copies of it were stored: its original is the article others copy."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    # use_alter: articles and stories point at each other.
    original_article_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("articles.id", ondelete="SET NULL", use_alter=True),
        index=True,
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class NearDupBand(Base):
    """One LSH band key of a stored article's MinHash signature, and the article that claimed it.

    The key is unique: the first article stored with it claims it (a concurrent writer's insert of
    the same key fails, and its batch is retried after seeing this one). `created_at` is when it was
    claimed: look-ups ignore keys older than the near-duplicate horizon, and a new article takes such
    a key over; old rows can also be deleted (`storage.band_keys.prune`)."""

    __tablename__ = "near_dup_bands"

    # 64-bit hash of (band number, the band's signature values); not generated (no sequence).
    band_key: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(index=True)


class ArticleVersion(Base):
    """An earlier version of an article, kept when a re-fetch found different content."""

    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    # No index of its own: the unique (article_id, version) index starts with it.
    article_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), ForeignKey("articles.id", ondelete="CASCADE"))
    version: Mapped[int]
    headline: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    modified_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime]
    superseded_at: Mapped[datetime]


class FetchState(Base):
    """What the last fetch of a URL said: validators for a conditional request, status, outcome."""

    __tablename__ = "fetch_state"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # feed, sitemap, section, article, robots
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_status: Mapped[int | None]
    # For article URLs not stored: why (not_article/<reason>, gone); None otherwise.
    outcome: Mapped[str | None] = mapped_column(String(60))
    checked_at: Mapped[datetime]
    # The document itself, kept only for robots.txt (read again within its time-to-live).
    body: Mapped[bytes | None] = mapped_column(LargeBinary)


class CrawlLock(Base):
    """A held run lock: one row per job while a run of it is going, refreshed by a heartbeat."""

    __tablename__ = "crawl_locks"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    token: Mapped[str] = mapped_column(String(40))
    hostname: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int]
    acquired_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
