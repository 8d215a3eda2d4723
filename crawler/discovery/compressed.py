"""Gzipped discovery documents: recognised by their magic bytes, decompressed within a size bound.

Sitemaps (`sitemap.xml.gz`) and some feeds are served as gzip files whatever
their content type says; Scrapy only decompresses a Content-Encoding. Reads no
settings: the spider passes DOWNLOAD_MAXSIZE as `max_size`. `as_bytes` turns a document
given as `str` (the parsers accept either) into UTF-8 bytes.
"""

from __future__ import annotations

from scrapy.utils.gz import gunzip

__all__ = ["GZIP_MAGIC", "as_bytes", "is_gzipped", "maybe_gunzip"]

GZIP_MAGIC = b"\x1f\x8b"


def as_bytes(body: bytes | str) -> bytes:
    """A document's bytes; text is encoded as UTF-8 (lone surrogates kept, for the URL checks to refuse)."""
    return body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body


def is_gzipped(body: bytes) -> bool:
    return body[:2] == GZIP_MAGIC


def maybe_gunzip(body: bytes, *, max_size: int = 0) -> bytes:
    """`body` decompressed if it is gzip, else unchanged; at most `max_size` bytes (0: unbounded).

    A truncated stream gives what could be read. Raises ValueError for a corrupt
    stream with nothing readable, or one that decompresses beyond `max_size`.
    """
    if not is_gzipped(body):
        return body
    try:
        return gunzip(body, max_size=max_size)
    except Exception as exc:  # corrupt gzip (OSError/EOFError/struct.error) or over max_size (_DecompressionMaxSizeExceeded)
        raise ValueError(f"cannot gunzip ({type(exc).__name__}: {exc})") from None
