"""From raw input (bytes or text) to one parsed lxml tree, shared by every stage.

Bytes are decoded by `decode_page` (w3lib's rules: BOM, the HTTP header's charset,
``<meta charset>``; valid UTF-8 is UTF-8 whatever the label; a label that does not
decode the bytes cleanly gives way to charset-normalizer's detection), so that
mislabelled pages give their text, not U+FFFD or mojibake. Text loses control
characters and lone surrogates (lxml cuts a document at a lone surrogate and its XPath
refuses controls). What a page can stuff in is bounded, so that every later stage is:
a document is cut after `MAX_DOCUMENT_CHARS` characters or `MAX_TAGS` tags (trafilatura's
time grows faster than linearly with the number of elements: 30,000 paragraphs take it
4 s), and attribute values after `MAX_ATTRIBUTE_CHARS` (a class list of megabytes would
be searched once per element below it). Binary payloads (PDF, images, archives) and
text without any markup are rejected as ``not_html``. Reads no settings.
"""

from __future__ import annotations

import re

import charset_normalizer
from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction, document_fromstring
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from .errors import EMPTY, NOT_HTML, Discard
from .text import scrub

__all__ = ["MAX_DOCUMENT_CHARS", "decode_html", "decode_page", "parse_html"]

# Longer documents are cut: no news page needs more, and every stage's cost grows with it.
# (The largest of the ~1,300 pages of the benchmark corpora has 1.6 MB and 19,437 tags.)
MAX_DOCUMENT_CHARS = 4_000_000
MAX_TAGS = 60_000
MAX_ATTRIBUTE_CHARS = 2048
_TAG = re.compile(r"<[a-zA-Z/!]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_HAS_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]")
_WIDE = ("utf-16", "utf-32")
_LEGACY = "cp1252"
_DETECT_SAMPLE = 65536  # bytes charset-normalizer reads (it reads all it is given, more than once)
_DETECT_BEFORE = 1024  # ... starting this far before the first byte the declared charsets failed on
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


def _binary_kind(head: bytes) -> str | None:
    for magic, kind in _BINARY_MAGIC:
        if head.startswith(magic):
            return kind
    if head[4:12] in (b"ftypisom", b"ftypmp42") or (head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"WAVE", b"AVI ")):
        return "media"
    return None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _detected(data: bytes, error_at: int) -> str | None:
    """The charset charset-normalizer finds in a sample from just before the first byte the
    declared charsets could not decode (where the non-ASCII text is), starting at a tag."""
    start = max(0, data.rfind(b"<", 0, max(0, error_at - _DETECT_BEFORE)))
    matches = list(charset_normalizer.from_bytes(data[start:start + _DETECT_SAMPLE]))  # best first
    if not matches:
        return None
    best = matches[0]
    for match in matches:  # a tie on a short text goes to the web's legacy default (WHATWG)
        if match.encoding == _LEGACY and match.chaos <= best.chaos and match.coherence >= best.coherence:
            return _LEGACY
    return best.encoding


def decode_page(data: bytes, content_type: str | None = None) -> str:
    """Page bytes as text, never raising: by BOM; else as UTF-8 when the bytes are valid UTF-8
    (legacy labels left in templates are common, legacy text that is valid UTF-8 is not); else
    in the charset of the HTTP header (`content_type`), then of ``<meta charset>`` / the XML
    declaration, when it decodes the bytes cleanly; else in the charset charset-normalizer
    detects. Only then are undecodable bytes replaced (U+FFFD)."""
    bom_encoding, bom = read_bom(data)
    if bom_encoding is not None and bom is not None:
        return data[len(bom):].decode(bom_encoding, errors="replace")
    declared = [e for e in (http_content_type_encoding(content_type), html_body_declared_encoding(data)) if e]
    # Without a BOM a UTF-16/32 label is only believed for bytes with NULs (ASCII in UTF-16).
    wide = [e for e in declared if e.startswith(_WIDE)]
    if wide and b"\x00" in data[:_DETECT_SAMPLE]:
        text = _strict(data, wide[0])
        if text is not None:
            return text
    declared = [e for e in declared if not e.startswith(_WIDE)]
    if data.isascii():  # in its declared charset all the same: ISO-2022 encodings are 7-bit
        text = _strict(data, declared[0]) if declared else None
        return text if text is not None else data.decode("ascii")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        error_at = exc.start
    for encoding in declared:
        if encoding != "utf-8":
            text = _strict(data, encoding)
            if text is not None:
                return text
    fallback = _detected(data, error_at) or (declared[0] if declared else "utf-8")
    try:
        return data.decode(fallback, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def decode_html(data: bytes | str, content_type: str | None = None) -> str:
    """Page bytes (see `decode_page`) or text as clean text; raise `Discard` for empty or binary input."""
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
        text = decode_page(data, content_type)
    if not text.strip():
        raise Discard(EMPTY, "no content")
    # Many NUL or control characters: a binary format we do not know by its magic.
    sample = text[:2048]
    controls = sum(1 for ch in sample if ch < "\x09" or "\x0e" <= ch < "\x20")
    if controls > len(sample) * 0.05:
        raise Discard(NOT_HTML, "binary content (control characters)")
    text = scrub(_cut(text[:MAX_DOCUMENT_CHARS]))
    if not _HAS_MARKUP.search(text[:100_000]):
        raise Discard(NOT_HTML, "no markup")
    return text


def _cut(text: str) -> str:
    """`text` up to its `MAX_TAGS`-th tag (lxml closes what is left open)."""
    if text.count("<") <= MAX_TAGS:
        return text
    for count, match in enumerate(_TAG.finditer(text), 1):
        if count > MAX_TAGS:
            return text[:match.start()]
    return text


def _parser() -> etree.HTMLParser:
    """An HTML parser whose elements are all plain `HtmlElement`s, chosen in C.

    lxml.html's own parser picks each element's class (form, input, label, ...) in a
    Python callback, once per element proxy: over a page that is every element trafilatura
    and our stages touch, and every copy of the tree keeps the parser. Measured on the
    corpora it was a fifth of extraction's CPU time (cProfile, BENCHMARKS.md). No stage
    uses the form classes' extras; every `HtmlElement` method (text_content, ...) stays.
    """
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))
    return parser


def parse_html(text: str) -> HtmlElement:
    """Parse decoded text into an lxml HTML document tree (comments and PIs dropped)."""
    text = _XML_DECL.sub("", text, count=1)  # lxml refuses str input with an encoding declaration
    parser = _parser()
    try:
        tree = document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise Discard(NOT_HTML, f"unparsable: {exc}") from exc
    if tree is None or tree.find("body") is None and len(tree) == 0:
        raise Discard(NOT_HTML, "no document")
    for value in tree.xpath(f"//@*[string-length(.) > {MAX_ATTRIBUTE_CHARS}]"):  # found by libxml2, in C
        # scrub: the parser turns character references (&#1;) into characters lxml refuses to set.
        value.getparent().set(value.attrname, scrub(value[:MAX_ATTRIBUTE_CHARS]))
    return tree
