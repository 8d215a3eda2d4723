"""The discovery benchmark on a small generated site: every generated entry is found in every form."""

from __future__ import annotations

from benchmarks.discovery import FORMS, generate, main, measure


def test_every_form_is_generated_and_fully_found(capsys) -> None:
    site = generate(sitemap_entries=80, feed_entries=10, per_sitemap=10)
    assert {form for form, _, _ in site.sitemaps.values()} == set(FORMS)
    rows = {kind: (expected, found) for kind, expected, found, _ in measure(site, repeat=1)}
    assert rows["sitemap (rss)"] == (20, 20)
    assert rows["sitemap (text)"] == (20, 20)
    assert rows["feed (RSS 2.0)"] == (10, 10)
    assert all(expected == found for expected, found in rows.values())
    assert main(["--sitemap-entries", "40", "--feed-entries", "5", "--per-sitemap", "10", "--repeat", "1"]) == 0
    assert "| all article entries | 45 | 45 |" in capsys.readouterr().out
