"""trafilatura's precision-mode text from our tree, the same as `bare_extraction` gives, cheaper.

`bare_extraction(tree, favor_precision=True, include_comments=False, ...)` deep-copies the tree it
is handed, then prunes the copy with three XPath lists (infinite-scroll containers, then comment
sections and lists on the raw tree; comment sections again after its tag conversion). Those XPaths
call a Python regular expression (EXSLT ``re:test``) on every ``div``/``section``/``ul``/... of the
page: about 3 ms a page, a tenth of newspipe's extraction time on the corpora, and most pages have
nothing to prune. `precision_text` runs trafilatura's own sequence for this one configuration
(`trafilatura.core.trafilatura_sequence`, comments off, precision focus: no baseline rescue and no
recall escalation run in it) with two exact shortcuts:

- a prune tests trafilatura's own predicate only on the elements it could match: those of its tags
  whose ``id`` or ``class`` holds a substring every match of its regular expressions holds
  (``omment`` for ``[Cc]omment(?!ary)``, ...). The same elements are deleted in the same order;
- the page's tree is copied only when a prune on the raw tree deletes something. Otherwise the
  sequence reads it without changing it (its cleaning, and the raw tree its readability
  comparison gets, are copies), so the caller's tree is handed over as it is;
- in fast mode (no fallback comparison) the cleaned tree has no backup copy, which only that
  comparison reads, and a raw tree the prunes already copied is cleaned in place.

This mirrors private functions of one trafilatura release (`MIRRORED`); with any other version,
or when those functions cannot be imported, `precision_text` returns None and the caller runs
`bare_extraction`. tests/test_extraction_precision.py compares both on fixture pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass
from functools import cache
from typing import Any

from lxml.etree import XPath
from lxml.html import HtmlElement
from trafilatura.xml import delete_element  # in every trafilatura 2.x

logger = logging.getLogger(__name__)

__all__ = ["MIRRORED", "Prune", "available", "precision_text", "prune"]

# The trafilatura release whose `bare_extraction`/`trafilatura_sequence` this module follows.
MIRRORED = frozenset({"2.3.1"})
_REGEXP_NS = "http://exslt.org/regular-expressions"


@dataclass(frozen=True, slots=True)
class Prune:
    """One of trafilatura's prune lists, with the elements its XPaths can match.

    `tests` are the XPaths' predicates on the element itself (``self::*[...]``); `tags` and
    `needles` are a necessary condition: an element matches only if it has one of `tags` and its
    ``id`` or ``class`` contains one of `needles`."""

    tests: tuple[XPath, ...]
    tags: tuple[str, ...]
    needles: tuple[str, ...]


def _self_test(expression: XPath) -> XPath:
    path = expression.path.strip()
    if not path.startswith(".//*["):
        raise ValueError(f"unexpected prune XPath: {path[:40]!r}")
    return XPath("self::*" + path[len(".//*"):], namespaces={"re": _REGEXP_NS})


def _rule(expressions: Sequence[XPath], tags: tuple[str, ...], needles: tuple[str, ...]) -> Prune:
    return Prune(tuple(_self_test(expression) for expression in expressions), tags, needles)


def _candidates(tree: HtmlElement, rule: Prune) -> list[HtmlElement]:
    found = []
    needles = rule.needles
    for element in tree.iter(*rule.tags):
        ident, classes = element.get("id"), element.get("class")
        if ident is None and classes is None:
            continue
        values = f"{ident}\x00{classes}"  # no needle holds a NUL or spans the two
        for needle in needles:
            if needle in values:
                if element is not tree:  # the XPaths search below it (".//*")
                    found.append(element)
                break
    return found


def prune(tree: HtmlElement, rule: Prune, *, owned: bool) -> HtmlElement:
    """What `prune_unwanted_nodes(tree, rule's XPaths)` leaves, on a copy of `tree` unless `owned`
    (one list after another: `prune_unwanted_nodes` applied to each in turn).

    Each XPath is tested, in order, on the candidates left by the previous ones; the matches are
    deleted in document order (trafilatura's `delete_element`, tails kept). An unowned tree is
    copied only when there is something to delete, and is returned unchanged otherwise."""
    candidates = _candidates(tree, rule)
    for test in rule.tests:
        matches = [element for element in candidates if test(element)]
        if not matches:
            continue
        if not owned:  # the copy's elements are the ones deleted
            tree, owned = copy(tree), True
            matches = [element for element in _candidates(tree, rule) if test(element)]
        for element in matches:
            delete_element(element)
        candidates = _candidates(tree, rule)  # deleted subtrees are no longer candidates
    return tree


@dataclass(frozen=True, slots=True)
class _Trafilatura:
    """trafilatura's pieces `precision_text` runs, imported once."""

    raw: Prune  # the raw tree's prunes in precision mode: infinite scroll, then comments and lists
    comments: Prune  # the converted tree's
    extractor: Callable[..., Any]  # settings.Extractor
    forum_thread_page: Callable[[HtmlElement], bool]
    prepare_tree: Callable[..., tuple[HtmlElement, HtmlElement]]
    tree_cleaning: Callable[..., HtmlElement]
    convert_tags: Callable[..., HtmlElement]
    extract_and_compare: Callable[..., tuple[Any, str]]
    xmltotxt: Callable[..., str]


_COMMENT_NEEDLES = ("omment", "comol", "disqus_thread", "dsq-comments")


def _load() -> _Trafilatura | None:
    try:
        import trafilatura
        from trafilatura.core import _extract_and_compare, _forum_thread_page, _prepare_tree
        from trafilatura.htmlprocessing import convert_tags, tree_cleaning
        from trafilatura.settings import Extractor
        from trafilatura.xml import xmltotxt
        from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH, REMOVE_COMMENTS_XPATH

        if trafilatura.__version__ not in MIRRORED:
            return None
        return _Trafilatura(
            # 'mvp-post-add-(?:box|wrap)|infinite-?scroll' on id or class; 'elementor-share-buttons'; then
            # '^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)' on id,
            # '^[Cc]omment(?!ary)|(?:article|post)-comments' on class. One search for their candidates.
            raw=_rule((*RAW_TREE_PRUNE_XPATH, *REMOVE_COMMENTS_AND_LISTS_XPATH),
                      ("div", "section", "aside", "list", "details", "ol", "ul"),
                      ("mvp-post-add-", "infinite", "elementor-share-buttons", *_COMMENT_NEEDLES)),
            comments=_rule(REMOVE_COMMENTS_XPATH, ("div", "list", "section", "details"), _COMMENT_NEEDLES),
            extractor=Extractor, forum_thread_page=_forum_thread_page, prepare_tree=_prepare_tree,
            tree_cleaning=tree_cleaning, convert_tags=convert_tags, extract_and_compare=_extract_and_compare,
            xmltotxt=xmltotxt,
        )
    except Exception:  # another trafilatura: bare_extraction it is
        logger.debug("trafilatura's precision sequence is not mirrored here", exc_info=True)
        return None


_mirror = cache(_load)  # imported on the first page, once


def available() -> bool:
    """Whether `precision_text` runs (the installed trafilatura is the mirrored release)."""
    return _mirror() is not None


def precision_text(tree: HtmlElement, url: str, *, fast: bool, tables: bool) -> str | None:
    """The text of `bare_extraction(tree, url=url, fast=fast, favor_precision=True,
    include_comments=False, include_tables=tables, include_images=False, include_links=False,
    with_metadata=False)`, "" where it returns None; None when the shortcut is not available.
    May raise what trafilatura raises. `tree` is left as it was."""
    t = _mirror()
    if t is None:
        return None
    options = t.extractor(output_format="python", fast=fast, precision=True, comments=False, links=False,
                          images=False, tables=tables, url=url)
    if options.max_tree_size:  # a configured tree size limit: bare_extraction applies it
        return None
    url = options.url or None  # bare_extraction: `options.url or document.url`, no metadata read
    # trafilatura_sequence, comments off, precision focus:
    is_forum = t.forum_thread_page(tree)
    raw = prune(tree, t.raw, owned=False)
    if fast:
        # _prepare_tree without its backup copy, which only the fallback comparison reads; a raw
        # tree pruned above is already a copy no later step reads
        cleaned = t.convert_tags(t.tree_cleaning(raw if raw is not tree else copy(raw), options), options, url)
        backup = cleaned
    else:
        cleaned, backup = t.prepare_tree(raw, options, url)
    if not is_forum:
        cleaned = prune(cleaned, t.comments, owned=True)
    body, text = t.extract_and_compare(cleaned, backup, raw, options)
    # bare_extraction's size check (no comments: their length is 0)
    if len(text) < options.min_output_size and 0 < options.min_output_comm_size:
        return ""
    return t.xmltotxt(body, options.formatting)
