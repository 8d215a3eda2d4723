"""Build the demo news site from content.toml: pages, feeds, sitemaps, robots.txt and expected.json.

Three fictional publishers, one directory each, each on its own fictional host
(`<publisher>.example`) served by `newspipe.demo.DemoSite`:

- harbour-herald: a WordPress copy-site (header date widget that is not the publication
  date, newsletter prompt inside the body, share bar, "RELATED ARTICLES", "LEAVE A REPLY").
  RSS 2.0 feed at /feed/, paginated section /category/news/ (rel="next") and /category/sport/.
- valley-times: JSON-LD NewsArticle pages with OpenGraph and a "| Valley Times" title suffix.
  Atom feed at /atom.xml, /sitemap_index.xml pointing to a sitemap and a gzipped Google News sitemap.
- metro-wire: a minimal template with only a visible "Published 12 October 2025, 09:30" line.
  RSS 1.0 (RDF) feed at /index.rdf, sections under /section/, a sitemap announced in robots.txt.

Links between and within publishers use `{{base:<publisher>}}` / `{{host:<publisher>}}`
placeholders that the server replaces with the publisher's address.

Run `python examples/demo-site/build.py` after editing content.toml or this file, and commit
its output; `--check` exits 1 when the tree is out of date (tests/test_demo_site.py checks too).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import sys
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

HERE = Path(__file__).resolve().parent
PUBLISHERS = ("harbour-herald", "valley-times", "metro-wire")
NAMES = {"harbour-herald": "Harbour Herald", "valley-times": "Valley Times", "metro-wire": "Metro Wire"}
TEMPLATES = {"harbour-herald": "wordpress", "valley-times": "json-ld", "metro-wire": "minimal"}
# The WordPress theme's header widget shows the day the page was rendered, never the article's date.
HEADER_DATE = "Thursday, November 6, 2025"
FEED_BUILD_DATE = datetime(2025, 11, 6, 7, 0, tzinfo=timezone.utc)


def base(publisher: str) -> str:
    return "{{base:%s}}" % publisher


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def xesc(text: str) -> str:
    return xml_escape(text, {'"': "&quot;"})


@dataclass
class Article:
    id: str
    publisher: str
    path: str
    headline: str
    published: datetime
    modified: datetime | None
    authors: list[str]
    section: str
    summary: str
    paragraphs: list[str]
    copy_of: Article | None = None
    robots: bool = False
    feed_query: str = ""
    article_body: bool = False
    graph: bool = False
    reached_via: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return base(self.publisher) + self.path


def load_articles(path: Path = HERE / "content.toml") -> list[Article]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    raws = {raw["id"]: raw for raw in data["article"]}
    by_id: dict[str, Article] = {}

    def make(raw: dict[str, Any]) -> Article:
        if raw["id"] in by_id:
            return by_id[raw["id"]]
        # A syndicated copy takes headline, summary and body from its original.
        original = make(raws[raw["copy_of"]]) if "copy_of" in raw else None
        if original is not None:
            headline, summary, paragraphs = original.headline, original.summary, list(original.paragraphs)
        else:
            headline, summary = raw["headline"], raw["summary"]
            paragraphs = [p.strip() for p in raw["body"].strip().split("\n\n")]
        article = Article(
            id=raw["id"],
            publisher=raw["publisher"],
            path=raw["path"],
            headline=headline,
            published=datetime.fromisoformat(raw["published"]),
            modified=datetime.fromisoformat(raw["modified"]) if "modified" in raw else None,
            authors=list(raw.get("authors", [])),
            section=raw["section"],
            summary=summary,
            paragraphs=paragraphs,
            copy_of=original,
            robots=raw.get("robots", False),
            feed_query=raw.get("feed_query", ""),
            article_body=raw.get("article_body", False),
            graph=raw.get("graph", False),
        )
        by_id[article.id] = article
        return article

    return [make(raw) for raw in data["article"]]


def newest_first(articles: list[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: a.published, reverse=True)


# ------------------------------------------------------------------ Harbour Herald: WordPress

HH = "harbour-herald"
HH_BROKEN = "/2025/11/05/storm-update-live/"
HH_BROKEN_TITLE = "LIVE: Storm Amara batters the Westmarch coast"
HH_PDF = "/2025/10/30/harbour-budget-2026-summary.pdf"
HH_PDF_TITLE = "Harbour budget 2026: the summary document"
HH_SECTIONS = {"news": "News", "sport": "Sport"}
HH_PER_PAGE = 5


def wp_post_id(path: str) -> int:
    return 4100 + int(hashlib.sha1(path.encode()).hexdigest()[:4], 16) % 900


def wp_date(dt: datetime) -> str:
    return f"{dt:%B} {dt.day}, {dt.year}"


def herald_chrome(title: str, body: str, *, head: str = "", body_class: str = "home", popular: list[Article], comments: list[Article]) -> str:
    b = base(HH)
    popular_html = "\n".join(
        f'<li><a href="{b}{a.path}">{esc(a.headline)}</a> <span class="td-post-date">{wp_date(a.published)}</span></li>' for a in popular
    )
    commenters = ("Joan Pellow", "Ray Tremayne", "Bea Olusegun")
    comments_html = "\n".join(
        f'<li class="recentcomments"><span class="comment-author-link">{name}</span> on <a href="{b}{a.path}#comment-{214 + i}">{esc(a.headline)}</a></li>'
        for i, (name, a) in enumerate(zip(commenters, comments))
    )
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
{head}<link rel="alternate" type="application/rss+xml" title="Harbour Herald &raquo; Feed" href="{b}/feed/">
<script>window._wpemojiSettings = {{"baseUrl":"https:\\/\\/s.w.org\\/images\\/core\\/emoji\\/15.0.3\\/72x72\\/","ext":".png","svgExt":".svg"}};</script>
<style id="td-theme-inline-css">.td-header-date{{font-size:11px;text-transform:uppercase}}.td-warning-comment{{display:none}}</style>
</head>
<body class="{body_class} td-standard-pack">
<div class="td-header-wrap">
<div class="td-header-top-menu">
<div class="td-header-date">{HEADER_DATE}</div>
<ul class="top-header-menu"><li><a href="{b}/about/">About us</a></li></ul>
</div>
<div class="td-logo"><a href="{b}/">Harbour Herald</a> <span class="td-tagline">News from Port Selwick and the Westmarch coast</span></div>
<nav class="td-main-menu"><ul><li><a href="{b}/">Home</a></li><li><a href="{b}/category/news/">News</a></li><li><a href="{b}/category/sport/">Sport</a></li><li><a href="{b}/about/">About</a></li></ul></nav>
</div>
<div class="td-container">
{body}
<aside class="td-sidebar">
<div class="td_block_wrap td_block_popular"><h4 class="block-title"><span>Most Popular</span></h4>
<ul>
{popular_html}
</ul></div>
<div class="td_block_wrap widget_recent_comments"><h4 class="block-title"><span>Recent Comments</span></h4>
<ul id="recentcomments">
{comments_html}
</ul></div>
</aside>
</div>
<footer class="td-footer-wrap">
<div class="td-footer-copy">&copy; Copyright 2025 - Harbour Herald. All rights reserved.</div>
<div class="td-footer-menu"><a href="{b}/about/">About us</a></div>
</footer>
</body>
</html>
"""


def herald_share(position: str) -> str:
    buttons = " ".join(
        f'<a class="td-social-sharing-button td-social-{n.lower()}" href="#share-{n.lower()}">{n}</a>' for n in ("Facebook", "Twitter", "Pinterest", "WhatsApp")
    )
    return f'<div class="td-post-sharing td-post-sharing-{position}"><span class="td-social-but-text">Share</span> {buttons}</div>'


def herald_article(a: Article, related: list[Article], popular: list[Article], comments: list[Article]) -> str:
    b = base(HH)
    post_id = wp_post_id(a.path)
    section_name = HH_SECTIONS[a.section]
    newsletter = "Money Matters" if a.copy_of else "Selwick Weekly"
    paragraphs = [f"<p>{esc(p)}</p>" for p in a.paragraphs]
    paragraphs.insert(
        1,
        '<div class="td-a-rec newsletter-signup"><p><strong>Unlock the '
        + newsletter
        + ' newsletter for free</strong></p><form class="newsletter-form" action="#newsletter" method="post">'
        '<input type="email" name="email" placeholder="Your email address"> <button type="submit">Sign up</button></form></div>',
    )
    if a.copy_of is not None:
        paragraphs.append(f'<p><a href="{a.copy_of.url}" target="_blank" rel="noopener">Source link</a></p>')
    body_html = "\n".join(paragraphs)
    modified = a.modified or a.published
    authors = ", ".join(f'<span class="author vcard"><span class="fn">{esc(n)}</span></span>' for n in a.authors)
    related_html = "\n".join(
        f'<div class="td-related-span4 td-module-container"><h3 class="entry-title td-module-title"><a href="{b}{r.path}" rel="bookmark">{esc(r.headline)}</a></h3></div>'
        for r in related
    )
    body = f"""<div class="td-crumb-container"><div class="entry-crumbs"><a href="{b}/" class="entry-crumb">Home</a> <i class="td-bread-sep">&raquo;</i> <a href="{b}/category/{a.section}/" class="entry-crumb">{section_name}</a> <i class="td-bread-sep">&raquo;</i> <span class="td-bred-no-url-last">{esc(a.headline)}</span></div></div>
<main class="td-main-content" role="main">
<article id="post-{post_id}" class="post-{post_id} post type-post status-publish format-standard hentry category-{a.section}">
<header class="entry-header td-post-title">
<ul class="td-category"><li class="entry-category"><a href="{b}/category/{a.section}/">{section_name}</a></li></ul>
<h1 class="entry-title">{esc(a.headline)}</h1>
<div class="td-module-meta-info">
<div class="td-post-author-name">By {authors}</div>
<span class="td-post-date"><time class="entry-date published" datetime="{a.published.isoformat()}">{wp_date(a.published)}</time><time class="updated" datetime="{modified.isoformat()}" hidden>{wp_date(modified)}</time></span>
<div class="td-post-comments"><a href="#respond">0</a></div>
</div>
</header>
{herald_share("top")}
<div class="td-post-content entry-content">
{body_html}
</div>
<footer class="td-post-footer">
{herald_share("bottom")}
</footer>
</article>
<div class="td_block_wrap td_block_related_posts">
<h4 class="td-related-title"><span>RELATED ARTICLES</span></h4>
<div class="td-related-row">
{related_html}
</div>
</div>
<div class="comments" id="comments">
<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">LEAVE A REPLY</h3>
<form action="{b}/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<div class="comment-form-input-wrap td-form-comment"><textarea placeholder="Comment:" id="comment" name="comment" cols="45" rows="8" required></textarea><div class="td-warning-comment">Please enter your comment!</div></div>
<div class="comment-form-input-wrap td-form-author"><input id="author" name="author" placeholder="Name:*" type="text" value="" size="30" required><div class="td-warning-author">Please enter your name here</div></div>
<div class="comment-form-input-wrap td-form-email"><input id="email" name="email" placeholder="Email:*" type="text" value="" size="30" required><div class="td-warning-email-error">You have entered an incorrect email address!</div><div class="td-warning-email">Please enter your email address here</div></div>
<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" name="wp-comment-cookies-consent" type="checkbox" value="yes"><label for="wp-comment-cookies-consent">Save my name, email, and website in this browser for the next time I comment.</label></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"><input type="hidden" name="comment_post_ID" value="{post_id}"></p>
</form>
</div>
</div>
</main>"""
    head = f"""<link rel="canonical" href="{a.url}">
<meta property="og:locale" content="en_GB">
<meta property="og:type" content="article">
<meta property="og:title" content="{esc(a.headline)}">
<meta property="og:url" content="{a.url}">
<meta property="og:site_name" content="Harbour Herald">
"""
    return herald_chrome(
        f"{a.headline} – Harbour Herald",
        body,
        head=head,
        body_class=f"post-template-default single single-post postid-{post_id} single-format-standard",
        popular=popular,
        comments=comments,
    )


def herald_listing(title: str, entries: list[tuple[str, str, datetime | None]], *, head: str = "", nav: str = "", popular: list[Article], comments: list[Article]) -> str:
    b = base(HH)
    items = "\n".join(
        f'<div class="td_module_10 td_module_wrap"><h3 class="entry-title td-module-title"><a href="{b}{path}" rel="bookmark">{esc(headline)}</a></h3>'
        + (f'<span class="td-post-date"><time class="entry-date updated" datetime="{dt.isoformat()}">{wp_date(dt)}</time></span>' if dt else "")
        + "</div>"
        for path, headline, dt in entries
    )
    body = f"""<main class="td-main-content td-category-page">
<h1 class="entry-title td-page-title">{esc(title)}</h1>
{items}
{nav}
</main>"""
    return herald_chrome(f"{title} – Harbour Herald", body, head=head, body_class="archive category", popular=popular, comments=comments)


# ------------------------------------------------------------------ Valley Times: JSON-LD

VT = "valley-times"


def vt_date(dt: datetime) -> str:
    return f"{dt.day} {dt:%B %Y, %H:%M}"


def valley_chrome(title: str, body: str, head: str = "") -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
{head}<link rel="alternate" type="application/atom+xml" title="Valley Times" href="{base(VT)}/atom.xml">
</head>
<body>
<header class="site-header">
<a class="brand" href="/">Valley Times</a>
<nav class="site-nav"><a href="/">Home</a> <a href="/tag/weather/">Weather</a> <a href="/about-us/">About us</a></nav>
<div class="briefing-box">Get the Valley Times morning briefing in your inbox. <a href="#subscribe">Subscribe</a></div>
</header>
<main>
{body}
</main>
<footer class="site-footer"><p>&copy; 2025 Valley Times Media. Independent news for the Arlen Valley.</p><p><a href="/about-us/">About us</a></p></footer>
</body>
</html>
"""


def jsonld(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


def valley_article(a: Article, more: list[Article]) -> str:
    b = base(VT)
    modified = a.modified or a.published
    publisher = {"@type": "NewsMediaOrganization", "name": "Valley Times", "url": f"{b}/", "logo": {"@type": "ImageObject", "url": f"{b}/logo.png", "width": 600, "height": 60}}
    article: dict[str, Any] = {
        "@type": "NewsArticle",
        "headline": a.headline,
        "description": a.summary,
        "datePublished": a.published.isoformat(),
        "dateModified": modified.isoformat(),
        "author": [{"@type": "Person", "name": n} for n in a.authors],
        "publisher": publisher,
        "articleSection": a.section,
        "inLanguage": "en",
        "isAccessibleForFree": True,
    }
    if a.article_body:
        article["articleBody"] = "\n\n".join(a.paragraphs)
    if a.graph:
        article["@id"] = f"{a.url}#article"
        article["isPartOf"] = {"@id": a.url}
        data = {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebPage", "@id": a.url, "url": a.url, "name": f"{a.headline} | Valley Times", "breadcrumb": {"@id": f"{a.url}#breadcrumb"}},
                {
                    "@type": "BreadcrumbList",
                    "@id": f"{a.url}#breadcrumb",
                    "itemListElement": [
                        {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{b}/"},
                        {"@type": "ListItem", "position": 2, "name": a.section},
                    ],
                },
                article,
            ],
        }
    else:
        data = {"@context": "https://schema.org", **article, "mainEntityOfPage": {"@type": "WebPage", "@id": a.url}}
    head = f"""<meta name="description" content="{esc(a.summary)}">
<link rel="canonical" href="{a.url}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="Valley Times">
<meta property="og:title" content="{esc(a.headline)}">
<meta property="og:description" content="{esc(a.summary)}">
<meta property="og:url" content="{a.url}">
<meta property="article:published_time" content="{a.published.isoformat()}">
<meta property="article:modified_time" content="{modified.isoformat()}">
<meta property="article:section" content="{esc(a.section)}">
<meta name="twitter:card" content="summary">
<script type="application/ld+json">
{jsonld(data)}
</script>
"""
    byline = " and ".join(a.authors) if len(a.authors) < 3 else ", ".join(a.authors[:-1]) + " and " + a.authors[-1]
    updated = f' <span class="story__updated">Updated {vt_date(modified)}</span>' if modified != a.published else ""
    paragraphs = "\n".join(f"<p>{esc(p)}</p>" for p in a.paragraphs)
    more_html = "\n".join(f'<li><a href="{m.path}">{esc(m.headline)}</a></li>' for m in more)
    body = f"""<article class="story">
<p class="story__kicker">{esc(a.section)}</p>
<h1 class="story__headline">{esc(a.headline)}</h1>
<p class="story__standfirst">{esc(a.summary)}</p>
<div class="story__meta"><span class="story__byline">By {esc(byline)}</span> &middot; <span class="story__date">{vt_date(a.published)}</span>{updated}</div>
<div class="story__body">
{paragraphs}
</div>
</article>
<section class="more-stories"><h2>More from Valley Times</h2>
<ul>
{more_html}
</ul>
</section>"""
    return valley_chrome(f"{a.headline} | Valley Times", body, head)


# ------------------------------------------------------------------ Metro Wire: minimal

MW = "metro-wire"
MW_GARBLED = "/story/port-traffic-figures-6604/"
MW_GARBLED_TITLE = "Port traffic figures for October"
MW_MISSING = "/story/bin-strike-called-off-5120/"
MW_MISSING_TITLE = "Bin strike called off after late-night talks"
MW_SECTIONS = {"local": "Local", "business": "Business"}
MW_TAGLINE = "Metro Wire &mdash; news from Carrowmere"  # at the foot of every page


def metro_dateline(a: Article) -> str:
    return f"Published {a.published.day} {a.published:%B %Y, %H:%M}"


def metro_page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
</head>
<body>
<div class="top"><a href="/">Metro Wire</a> | <a href="/section/local/">Local</a> | <a href="/section/business/">Business</a></div>
{body}
<p class="foot">{MW_TAGLINE}</p>
</body>
</html>
"""


def metro_article(a: Article) -> str:
    paragraphs = "\n".join(f"<p>{esc(p)}</p>" for p in a.paragraphs)
    body = f"""<h1>{esc(a.headline)}</h1>
<p class="when">{metro_dateline(a)}</p>
{paragraphs}"""
    return metro_page(f"{a.headline} · Metro Wire", body)


def metro_listing(title: str, entries: list[tuple[str, str, datetime | None]]) -> str:
    items = "\n".join(
        f'<li><a href="{path}">{esc(headline)}</a>' + (f" <span>{dt.day} {dt:%b}</span>" if dt else "") + "</li>" for path, headline, dt in entries
    )
    return metro_page(f"{title} · Metro Wire", f"<h1>{esc(title)}</h1>\n<ul>\n{items}\n</ul>")


# ------------------------------------------------------------------ binary odds and ends


def minimal_pdf(text: str) -> bytes:
    """A small but valid one-page PDF (correct xref offsets) showing one line of text."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def garbage_bytes(n_blocks: int = 48) -> bytes:
    """Deterministic bytes that are not text in any encoding a crawler would guess."""
    block = b"newspipe demo garbage"
    out = bytearray()
    for _ in range(n_blocks):
        block = hashlib.sha256(block).digest()
        out += block
    data = bytes(out)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    raise AssertionError("garbage happened to be valid UTF-8; change the seed")


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


# ------------------------------------------------------------------ the site


class SiteBuilder:
    def __init__(self, articles: list[Article]) -> None:
        self.articles = articles
        self.files: dict[str, bytes] = {}  # "publisher/relative/file" -> bytes
        self.not_stored: list[dict[str, Any]] = []
        self.discovery: list[dict[str, Any]] = []

    def of(self, publisher: str, *, include_private: bool = False) -> list[Article]:
        return newest_first([a for a in self.articles if a.publisher == publisher and (include_private or not a.robots)])

    def put(self, publisher: str, url_path: str, content: str | bytes) -> None:
        rel = url_path.lstrip("/")
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        self.files[f"{publisher}/{rel}"] = content.encode("utf-8") if isinstance(content, str) else content

    def skip(self, publisher: str, path: str, why: str, role: str, headline: str | None = None) -> None:
        entry: dict[str, Any] = {"publisher": publisher, "path": path, "why": why, "role": role}
        if headline:
            entry["headline"] = headline
        self.not_stored.append(entry)

    def discovered(self, publisher: str, path: str, kind: str, links: list[str], articles: list[Article], via: str) -> None:
        self.discovery.append({"publisher": publisher, "path": path, "kind": kind, "entries": len(links), "links": links})
        for a in articles:
            a.reached_via.add(via)

    def build(self) -> None:
        self.build_herald()
        self.build_valley()
        self.build_metro()

    # Harbour Herald ---------------------------------------------------------------

    def build_herald(self) -> None:
        b = base(HH)
        arts = self.of(HH)
        by_id = {a.id: a for a in arts}
        popular = [by_id[i] for i in ("h5", "h2", "h4", "h6")]
        comments = [by_id[i] for i in ("h5", "h8", "h1")]
        kw = {"popular": popular, "comments": comments}
        for i, a in enumerate(arts):
            related = [r for r in arts[i + 1 :] + arts[:i]][:3]
            self.put(HH, a.path, herald_article(a, related, **kw))

        # /category/news/ (paginated: the live blog and the PDF sit among the articles) and /category/sport/
        news = [(a.path, a.headline, a.published) for a in arts if a.section == "news"]
        news.insert(0, (HH_BROKEN, HH_BROKEN_TITLE, datetime.fromisoformat("2025-11-05T20:05:00+00:00")))
        news.append((HH_PDF, HH_PDF_TITLE, datetime.fromisoformat("2025-10-30T15:00:00+00:00")))
        news.sort(key=lambda e: e[2], reverse=True)
        pages = [news[i : i + HH_PER_PAGE] for i in range(0, len(news), HH_PER_PAGE)]
        for n, entries in enumerate(pages, start=1):
            path = "/category/news/" if n == 1 else f"/category/news/page/{n}/"
            head, nav = "", []
            if n > 1:
                prev = "/category/news/" if n == 2 else f"/category/news/page/{n - 1}/"
                head += f'<link rel="prev" href="{b}{prev}">\n'
                nav.append(f'<a class="prev page-numbers" rel="prev" href="{b}{prev}">&laquo; Previous</a>')
            nav.append(f'<span class="pages">Page {n} of {len(pages)}</span>')
            if n < len(pages):
                head += f'<link rel="next" href="{b}/category/news/page/{n + 1}/">\n'
                nav.append(f'<a class="next page-numbers" rel="next" href="{b}/category/news/page/{n + 1}/">Next &raquo;</a>')
            nav_html = '<div class="page-nav td-pb-padding-side">' + " ".join(nav) + "</div>"
            self.put(HH, path, herald_listing("News", entries, head=head, nav=nav_html, **kw))
            self.skip(HH, path, "not_article", "section")
            self.discovered(HH, path, "section", [e[0] for e in entries], [a for a in arts if a.path in {e[0] for e in entries}], "section")
        sport = [(a.path, a.headline, a.published) for a in arts if a.section == "sport"]
        self.put(HH, "/category/sport/", herald_listing("Sport", sport, **kw))
        self.skip(HH, "/category/sport/", "not_article", "section")
        self.discovered(HH, "/category/sport/", "section", [e[0] for e in sport], [a for a in arts if a.section == "sport"], "section")

        home = [(a.path, a.headline, None) for a in arts[:5]]
        self.put(HH, "/", herald_listing("Latest news", home, **kw))
        self.skip(HH, "/", "not_article", "home")
        about = f"""<main class="td-main-content td-page">
<h1 class="entry-title td-page-title">About us</h1>
<p>The Harbour Herald is an independent website covering Port Selwick, Tarrow Island and the Westmarch coast.</p>
<p>Send news tips to the newsdesk on the quay.</p>
</main>"""
        self.put(HH, "/about/", herald_chrome("About us – Harbour Herald", about, body_class="page", **kw))
        self.skip(HH, "/about/", "not_article", "page", "About us")

        broken = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="UTF-8">
<title>{HH_BROKEN_TITLE} – Harbour Herald</title>
</head>
<body class="single single-post">
<div class="td-header-date">{HEADER_DATE}</div>
<h1 class="entry-title">{HH_BROKEN_TITLE}</h1>
<div class="td-post-content"><p>Updates will appear here as we get th"""
        self.put(HH, HH_BROKEN, broken)
        self.skip(HH, HH_BROKEN, "broken", "article-link", HH_BROKEN_TITLE)
        self.put(HH, HH_PDF, minimal_pdf("Harbour budget 2026 - summary"))
        self.skip(HH, HH_PDF, "pdf", "article-link", HH_PDF_TITLE)

        items = []
        feed_articles = arts[:8]
        for a in feed_articles:
            link = xesc(a.url + a.feed_query)
            items.append(f"""<item>
<title>{xesc(a.headline)}</title>
<link>{link}</link>
<comments>{link}#respond</comments>
<dc:creator><![CDATA[{", ".join(a.authors)}]]></dc:creator>
<pubDate>{format_datetime(a.published)}</pubDate>
<category><![CDATA[{HH_SECTIONS[a.section]}]]></category>
<guid isPermaLink="false">{b}/?p={wp_post_id(a.path)}</guid>
<description><![CDATA[{a.summary}]]></description>
</item>""")
        rss = f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
xmlns:content="http://purl.org/rss/1.0/modules/content/"
xmlns:dc="http://purl.org/dc/elements/1.1/"
xmlns:atom="http://www.w3.org/2005/Atom"
xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
<channel>
<title>Harbour Herald</title>
<atom:link href="{b}/feed/" rel="self" type="application/rss+xml" />
<link>{b}</link>
<description>News from Port Selwick and the Westmarch coast</description>
<lastBuildDate>{format_datetime(FEED_BUILD_DATE)}</lastBuildDate>
<language>en-GB</language>
<sy:updatePeriod>hourly</sy:updatePeriod>
<sy:updateFrequency>1</sy:updateFrequency>
<generator>https://wordpress.org/?v=6.8.3</generator>
{chr(10).join(items)}
</channel>
</rss>
"""
        self.files[f"{HH}/feed/index.xml"] = rss.encode("utf-8")
        self.discovered(HH, "/feed/", "rss2", [a.path + a.feed_query for a in feed_articles], feed_articles, "feed")

        robots = "User-agent: *\nDisallow: /private/\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
        self.files[f"{HH}/robots.txt"] = robots.encode()
        self.discovery.append({"publisher": HH, "path": "/robots.txt", "kind": "robots", "entries": 0, "links": []})

    # Valley Times ------------------------------------------------------------------

    def build_valley(self) -> None:
        b = base(VT)
        arts = self.of(VT)
        for i, a in enumerate(arts):
            more = [m for m in arts[i + 1 :] + arts[:i]][:3]
            self.put(VT, a.path, valley_article(a, more))

        def listing(title: str, entries: list[tuple[str, str, str | None]]) -> str:
            items = "\n".join(
                f'<li class="teaser"><a href="{p}">{esc(h)}</a>' + (f"<p>{esc(s)}</p>" if s else "") + "</li>" for p, h, s in entries
            )
            return valley_chrome(f"{title} | Valley Times", f"<h1>{esc(title)}</h1>\n<ul class=\"teasers\">\n{items}\n</ul>")

        self.put(VT, "/", listing("Latest news", [(a.path, a.headline, None) for a in arts[:5]]))
        self.skip(VT, "/", "not_article", "home")
        weather = [a for a in arts if a.section == "Weather" or a.id == "v8"]
        self.put(VT, "/tag/weather/", listing("Weather", [(a.path, a.headline, a.summary) for a in weather]))
        self.skip(VT, "/tag/weather/", "not_article", "tag", "Weather")
        about = valley_chrome(
            "About us | Valley Times",
            '<h1>About us</h1>\n<p>Valley Times is a small independent newsroom in Kessbach covering the Arlen Valley.</p>\n<p>Contact the newsroom by email.</p>',
        )
        self.put(VT, "/about-us/", about)
        self.skip(VT, "/about-us/", "not_article", "page", "About us")

        entries = []
        feed_articles = arts[:6]
        for a in feed_articles:
            modified = a.modified or a.published
            authors = "".join(f"<author><name>{xesc(n)}</name></author>" for n in a.authors)
            entries.append(f"""<entry>
<title type="text">{xesc(a.headline)}</title>
<link rel="alternate" type="text/html" href="{a.url}"/>
<id>tag:valleytimes.example,{a.published:%Y-%m-%d}:{a.path}</id>
<published>{a.published.isoformat()}</published>
<updated>{modified.isoformat()}</updated>
{authors}
<category term="{xesc(a.section)}"/>
<summary type="text">{xesc(a.summary)}</summary>
</entry>""")
        atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>Valley Times</title>
<subtitle>Independent news for the Arlen Valley</subtitle>
<id>tag:valleytimes.example,2025:/</id>
<link rel="alternate" type="text/html" href="{b}/"/>
<link rel="self" type="application/atom+xml" href="{b}/atom.xml"/>
<updated>{max((a.modified or a.published) for a in feed_articles).isoformat()}</updated>
{chr(10).join(entries)}
</feed>
"""
        self.files[f"{VT}/atom.xml"] = atom.encode("utf-8")
        self.discovered(VT, "/atom.xml", "atom", [a.path for a in feed_articles], feed_articles, "feed")

        # The regular sitemap lists every article plus two pages that are not articles.
        urls = [(a.url, (a.modified or a.published).isoformat()) for a in sorted(arts, key=lambda a: a.published)]
        urls += [(f"{b}/tag/weather/", "2025-11-05T11:40:00+01:00"), (f"{b}/about-us/", "2025-09-01T10:00:00+02:00")]
        body = "\n".join(f"<url><loc>{xesc(u)}</loc><lastmod>{lm}</lastmod></url>" for u, lm in urls)
        posts = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{body}
</urlset>
"""
        self.files[f"{VT}/sitemap-posts.xml"] = posts.encode("utf-8")
        self.discovered(VT, "/sitemap-posts.xml", "sitemap", [a.path for a in sorted(arts, key=lambda a: a.published)] + ["/tag/weather/", "/about-us/"], arts, "sitemap")

        news_articles = arts[:4]
        news_urls = "\n".join(
            f"""<url>
<loc>{a.url}</loc>
<news:news>
<news:publication><news:name>Valley Times</news:name><news:language>en</news:language></news:publication>
<news:publication_date>{a.published.isoformat()}</news:publication_date>
<news:title>{xesc(a.headline)}</news:title>
</news:news>
</url>"""
            for a in news_articles
        )
        news = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{news_urls}
</urlset>
"""
        self.files[f"{VT}/sitemap-news.xml.gz"] = gzip_bytes(news.encode("utf-8"))
        self.discovered(VT, "/sitemap-news.xml.gz", "news-sitemap", [a.path for a in news_articles], news_articles, "sitemap")

        index = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{b}/sitemap-posts.xml</loc><lastmod>{max((a.modified or a.published) for a in arts).isoformat()}</lastmod></sitemap>
<sitemap><loc>{b}/sitemap-news.xml.gz</loc><lastmod>{max((a.modified or a.published) for a in news_articles).isoformat()}</lastmod></sitemap>
</sitemapindex>
"""
        self.files[f"{VT}/sitemap_index.xml"] = index.encode("utf-8")
        self.discovered(VT, "/sitemap_index.xml", "sitemap-index", ["/sitemap-posts.xml", "/sitemap-news.xml.gz"], [], "sitemap")

        self.files[f"{VT}/robots.txt"] = f"User-agent: *\nDisallow: /private/\nDisallow: /search\n\nSitemap: {b}/sitemap_index.xml\n".encode()
        self.discovery.append({"publisher": VT, "path": "/robots.txt", "kind": "robots", "entries": 1, "links": ["/sitemap_index.xml"]})

    # Metro Wire --------------------------------------------------------------------

    def build_metro(self) -> None:
        b = base(MW)
        arts = self.of(MW)
        private = [a for a in self.articles if a.publisher == MW and a.robots]
        for a in arts + private:
            self.put(MW, a.path, metro_article(a))
        for a in private:
            self.skip(MW, a.path, "robots", "article-link", a.headline)

        for key, title in MW_SECTIONS.items():
            entries: list[tuple[str, str, datetime | None]] = [(a.path, a.headline, a.published) for a in arts + private if a.section == key]
            if key == "local":
                entries.append((MW_MISSING, MW_MISSING_TITLE, datetime.fromisoformat("2025-11-05T21:30:00+00:00")))
            else:
                entries.append((MW_GARBLED, MW_GARBLED_TITLE, datetime.fromisoformat("2025-11-03T10:00:00+00:00")))
            entries.sort(key=lambda e: e[2], reverse=True)  # type: ignore[arg-type,return-value]
            path = f"/section/{key}/"
            self.put(MW, path, metro_listing(title, entries))
            self.skip(MW, path, "not_article", "section")
            self.discovered(MW, path, "section", [e[0] for e in entries], [a for a in arts if a.section == key], "section")
        self.skip(MW, MW_MISSING, "missing", "article-link", MW_MISSING_TITLE)
        self.put(MW, MW_GARBLED, garbage_bytes())
        self.skip(MW, MW_GARBLED, "broken", "article-link", MW_GARBLED_TITLE)

        self.put(MW, "/", metro_listing("Metro Wire", [(a.path, a.headline, a.published) for a in arts[:5]]))
        self.skip(MW, "/", "not_article", "home")

        feed_articles = arts[:5]
        seq = "\n".join(f'<rdf:li rdf:resource="{a.url}"/>' for a in feed_articles)
        items = "\n".join(
            f"""<item rdf:about="{a.url}">
<title>{xesc(a.headline)}</title>
<link>{a.url}</link>
<description>{xesc(a.summary)}</description>
<dc:date>{a.published.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%SZ}</dc:date>
</item>"""
            for a in feed_articles
        )
        rdf = f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="{b}/index.rdf">
<title>Metro Wire</title>
<link>{b}/</link>
<description>News from Carrowmere</description>
<dc:language>en</dc:language>
<dc:date>{FEED_BUILD_DATE:%Y-%m-%dT%H:%M:%SZ}</dc:date>
<items>
<rdf:Seq>
{seq}
</rdf:Seq>
</items>
</channel>
{items}
</rdf:RDF>
"""
        self.files[f"{MW}/index.rdf"] = rdf.encode("utf-8")
        self.discovered(MW, "/index.rdf", "rss1", [a.path for a in feed_articles], feed_articles, "feed")

        ordered = sorted(arts, key=lambda a: a.published)
        urls = [(f"{b}/", FEED_BUILD_DATE.isoformat())] + [(a.url, a.published.isoformat()) for a in ordered]
        body = "\n".join(f"<url><loc>{u}</loc><lastmod>{lm}</lastmod></url>" for u, lm in urls)
        sitemap = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{body}
</urlset>
"""
        self.files[f"{MW}/sitemap.xml"] = sitemap.encode("utf-8")
        self.discovered(MW, "/sitemap.xml", "sitemap", ["/"] + [a.path for a in ordered], arts, "sitemap")

        self.files[f"{MW}/robots.txt"] = f"User-agent: *\nDisallow: /private/\n\nSitemap: {b}/sitemap.xml\n".encode()
        self.discovery.append({"publisher": MW, "path": "/robots.txt", "kind": "robots", "entries": 1, "links": ["/sitemap.xml"]})

    # expected.json -----------------------------------------------------------------

    def expected(self) -> dict[str, Any]:
        articles = []
        for a in sorted((a for a in self.articles if not a.robots), key=lambda a: (PUBLISHERS.index(a.publisher), a.published)):
            articles.append(
                {
                    "publisher": a.publisher,
                    "path": a.path,
                    "headline": a.headline,
                    "published_at": a.published.isoformat(),
                    "modified_at": a.modified.isoformat() if a.modified else None,
                    # A CMS account name is not a byline: "admin" is listed here but is not a person.
                    "authors": a.authors,
                    "template": TEMPLATES[a.publisher],
                    "reached_via": sorted(a.reached_via),
                    "alias_paths": [a.path + a.feed_query] if a.feed_query else [],
                    "word_count": sum(len(p.split()) for p in a.paragraphs),
                    "duplicate_of": {"publisher": a.copy_of.publisher, "path": a.copy_of.path} if a.copy_of else None,
                    "forbidden_lines": forbidden_lines(a),
                }
            )
        not_stored = sorted(self.not_stored, key=lambda e: (PUBLISHERS.index(e["publisher"]), e["path"]))
        discovery = sorted(self.discovery, key=lambda e: (PUBLISHERS.index(e["publisher"]), e["path"]))
        return {
            "_about": [
                "Generated by build.py from content.toml; do not edit by hand.",
                "Paths are relative to each publisher's base URL; DemoSite.expected() adds absolute 'url' keys.",
                "articles: every page that must be stored once, with its real publication date in the page's own offset "
                "(Metro Wire prints local times without a zone; they are UTC). 'alias_paths' are other URLs of the same page "
                "(tracking parameters). 'duplicate_of' names the original of a syndicated copy.",
                "not_stored: every other page a crawler may reach, with why it must not be stored "
                "(not_article, broken, missing, robots, pdf) and its role (home, section, tag, page, article-link).",
                "discovery: feeds, sitemaps, section pages and robots.txt with the links each lists.",
                "forbidden_lines: page furniture near the article text (datelines, site taglines, section labels, "
                "the header date) that must not be a line of the stored body.",
            ],
            "header_date": HEADER_DATE,
            "publishers": {p: {"name": NAMES[p], "template": TEMPLATES[p]} for p in PUBLISHERS},
            "articles": articles,
            "not_stored": not_stored,
            "discovery": discovery,
        }


def forbidden_lines(a: Article) -> list[str]:
    """Lines of the article's page that a reader does not want in its body."""
    if a.publisher == "metro-wire":
        return [metro_dateline(a), html.unescape(MW_TAGLINE)]
    if a.publisher == "valley-times":
        return [a.section]  # the kicker above the headline
    return [HEADER_DATE]


def build_site(root: Path = HERE) -> dict[str, bytes]:
    """Every generated file, as {path relative to `root`: bytes}, expected.json included."""
    builder = SiteBuilder(load_articles(root / "content.toml"))
    builder.build()
    files = dict(builder.files)
    files["expected.json"] = (json.dumps(builder.expected(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return dict(sorted(files.items()))


def same_content(rel: str, a: bytes, b: bytes) -> bool:
    # gzip output may differ between zlib versions; compare what it holds.
    if rel.endswith(".gz"):
        return gzip.decompress(a) == gzip.decompress(b)
    return a == b


def stale_files(root: Path = HERE) -> list[str]:
    """Differences between the tree and a fresh build: changed, missing and unexpected files."""
    files = build_site(root)
    problems = []
    for rel, data in files.items():
        path = root / rel
        if not path.is_file():
            problems.append(f"missing: {rel}")
        elif not same_content(rel, path.read_bytes(), data):
            problems.append(f"changed: {rel}")
    for publisher in PUBLISHERS:
        for path in sorted((root / publisher).rglob("*")):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and rel not in files:
                problems.append(f"unexpected: {rel}")
    return problems


def write_site(root: Path = HERE) -> int:
    files = build_site(root)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or not same_content(rel, path.read_bytes(), data):
            path.write_bytes(data)
    for publisher in PUBLISHERS:
        for path in sorted((root / publisher).rglob("*"), reverse=True):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and rel not in files:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return len(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the tree differs from a fresh build")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale_files()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("the demo site is out of date: run python examples/demo-site/build.py", file=sys.stderr)
        return 1 if problems else 0
    count = write_site()
    print(f"wrote {count} files under {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
