"""`newspipe crawl` finds every article of sites that expose them through one sitemap form only:
an RSS feed listed as a sitemap, a text sitemap, an unlisted /sitemap.xml, a `Site-map:` line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from crawlutil import FixtureServer, write_sources

ARTICLES = ("/2025/10/20/first-story/", "/2025/10/21/second-story/")
HOME = "<html><body><p>Welcome.</p></body></html>"  # the section page names the origin, links nothing


def _urlset(s: FixtureServer) -> str:
    locs = "".join(f"<url><loc>{s.url(p)}</loc></url>" for p in ARTICLES)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'


def _rss_as_sitemap(s: FixtureServer) -> None:
    s.route("/robots.txt", f"Sitemap: {s.url('/news-feed')}\n", content_type="text/plain")
    items = "".join(f"<item><title>t</title><link>{s.url(p)}</link></item>" for p in ARTICLES)
    s.route("/news-feed", f'<rss version="2.0"><channel><title>x</title>{items}</channel></rss>', content_type="application/rss+xml")


def _text_sitemap(s: FixtureServer) -> None:
    s.route("/robots.txt", "sitemap: /urls.txt\n", content_type="text/plain")
    s.route("/urls.txt", "".join(s.url(p) + "\n" for p in ARTICLES), content_type="text/plain")


def _unlisted_sitemap_xml(s: FixtureServer) -> None:
    s.route("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    s.route("/sitemap.xml", _urlset(s), content_type="application/xml")
    for path in ("/sitemap_index.xml", "/sitemap-news.xml", "/news-sitemap.xml", "/sitemap.xml.gz"):
        s.route(path, status=404, body="not found", content_type="text/plain")


def _site_map_line(s: FixtureServer) -> None:
    s.route("/robots.txt", "\ufeffUser-agent: *\n  SITE-MAP : /maps/all.xml   # everything\n", content_type="text/plain")
    s.route("/maps/all.xml", _urlset(s), content_type="application/xml")


FORMS = {"rss": _rss_as_sitemap, "text": _text_sitemap, "probed": _unlisted_sitemap_xml, "sitemap_line": _site_map_line}


def test_newspipe_crawl_discovers_every_form(tmp_path: Path) -> None:
    servers = {name: FixtureServer().start() for name in FORMS}
    try:
        blocks = []
        for name, serve in FORMS.items():
            s = servers[name]
            serve(s)
            s.route("/", HOME)
            blocks.append(f'[[source]]\nname = "{name}"\ndomains = ["{s.netloc}"]\nsections = ["{s.url("/")}"]\ndelay = 0\n')
        sources = write_sources(tmp_path / "sources.toml", "\n".join(blocks))
        env = {**os.environ, "NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32"}
        env.pop("NEWSPIPE_DATABASE_URL", None)
        result = subprocess.run(
            [sys.executable, "-m", "newspipe.cli", "crawl", sources, "--db", f"sqlite:///{tmp_path / 'n.db'}", "--no-progress"],
            capture_output=True, text=True, timeout=300, env=env,
        )  # fmt: skip
        # Probes that found nothing (404s) do not fail the run.
        assert result.returncode == 0, result.stdout + result.stderr
        for name, s in servers.items():
            assert [s.hits[p] for p in ARTICLES] == [1, 1], name
        assert servers["probed"].hits["/sitemap.xml.gz"] == 1
        assert all(s.hits["/sitemap.xml"] == 0 for name, s in servers.items() if name != "probed")
    finally:
        for s in servers.values():
            s.stop()
