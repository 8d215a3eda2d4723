"""From raw input (bytes or text) to one parsed lxml tree, shared by every stage.

Bytes are decoded by BOM, then by the charset the page declares in its first
bytes, then as UTF-8 with replacement characters. Binary payloads (PDF, images,
archives) and text without any markup are rejected as ``not_html``. Reads no settings.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree
from lxml.html import HtmlElement, HTMLParser, document_fromstring

from .errors import EMPTY, NOT_HTML, Discard

__all__ = ["decode_html", "parse_html"]

# Magic numbers of formats that are sometimes served where HTML was expected.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"BM", "bmp"),
    (b"\x00\x00\x01\x00", "ico"),
    (b"OggS", "ogg"),
    (b"ID3", "mp3"),
    (b"\x7fELF", "elf"),
    (b"wOFF", "woff"),
    (b"wOF2", "woff2"),
    (b"%!PS", "postscript"),
    (b"{\\rtf", "rtf"),
    (b"\xd0\xcf\x11\xe0", "ole"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_HAS_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]")
# Browsers read these labels as windows-1252 (WHATWG Encoding Standard).
_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252",
            "ascii": "cp1252", "iso8859-1": "cp1252", "x-sjis": "shift_jis", "gb2312": "gb18030", "gbk": "gb18030"}


def _binary_kind(head: bytes) -> str | None:
    for magic, kind in _BINARY_MAGIC:
        if head.startswith(magic):
            return kind
    if head[4:12] in (b"ftypisom", b"ftypmp42") or (head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"WAVE", b"AVI ")):
        return "media"
    return None


def _declared_charset(head: bytes) -> str | None:
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if not match:
        return None
    label = match.group(1).decode("ascii", "replace").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes | str) -> str:
    """Decode page bytes to text; raise `Discard` for empty or binary input."""
    if isinstance(data, str):
        text = data
        if text.startswith("\ufeff"):
            text = text[1:]
        kind = _binary_kind(text[:16].encode("latin-1", "replace"))
        if kind is not None:
            raise Discard(NOT_HTML, f"binary content ({kind})")
    else:
        if not data.strip():
            raise Discard(EMPTY, "no content")
        kind = _binary_kind(data[:16])
        if kind is not None:
            raise Discard(NOT_HTML, f"binary content ({kind})")
        text = ""
        for bom, encoding in _BOMS:
            if data.startswith(bom):
                text = data[len(bom):].decode(encoding, errors="replace")
                break
        else:
            declared = _declared_charset(data[:4096])
            try:
                # Bytes that are valid UTF-8 (and not plain ASCII) are UTF-8 whatever the page
                # declares: legacy declarations left in templates are common, the reverse is rare.
                text = data.decode("utf-8")
                if declared and declared not in ("utf-8", "utf-16", "utf-32") and data.isascii():
                    text = data.decode(declared, errors="replace")
            except UnicodeDecodeError:
                if declared and declared not in ("utf-8", "utf-16", "utf-32"):
                    text = data.decode(declared, errors="replace")
                else:
                    text = data.decode("utf-8", errors="replace")
    if not text.strip():
        raise Discard(EMPTY, "no content")
    # Many NUL or control characters: a binary format we do not know by its magic.
    sample = text[:2048]
    controls = sum(1 for ch in sample if ch < "\x09" or "\x0e" <= ch < "\x20")
    if controls > len(sample) * 0.05:
        raise Discard(NOT_HTML, "binary content (control characters)")
    if not _HAS_MARKUP.search(text[:100_000]):
        raise Discard(NOT_HTML, "no markup")
    return text


def parse_html(text: str) -> HtmlElement:
    """Parse decoded text into an lxml HTML document tree (comments and PIs dropped)."""
    text = _XML_DECL.sub("", text, count=1)  # lxml refuses str input with an encoding declaration
    parser = HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False)
    try:
        tree = document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise Discard(NOT_HTML, f"unparsable: {exc}") from exc
    if tree is None or tree.find("body") is None and len(tree) == 0:
        raise Discard(NOT_HTML, "no document")
    return tree
