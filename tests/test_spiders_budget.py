"""The fan-out caps: the per-source request budget and where the caps come from."""

from __future__ import annotations

from pathlib import Path

from scrapy.settings import Settings

from crawler.spiders.budget import RequestBudget
from crawler.spiders.options import resolve_options


def test_budget_admits_up_to_the_cap_per_source_and_flags_the_first_cut() -> None:
    budget = RequestBudget()
    first = budget.admit("a", 5, list(range(3)))
    assert (first.kept, first.cut, first.first_cut) == ([0, 1, 2], 0, False)
    second = budget.admit("a", 5, list(range(4)))
    assert (second.kept, second.cut, second.first_cut) == ([0, 1], 2, True)
    third = budget.admit("a", 5, [7])
    assert (third.kept, third.cut, third.first_cut) == ([], 1, False)  # logged once per source
    assert budget.admit("b", 5, [1, 2]).kept == [1, 2]  # another source, another budget
    assert budget.admit("c", 0, list(range(100))).cut == 0  # 0: no cap


def test_caps_come_from_settings_unless_the_source_names_its_own(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[source]]\nname = "plain"\nfeeds = ["https://a.example/f"]\n'
        '[[source]]\nname = "own"\nfeeds = ["https://b.example/f"]\nmax_links_per_page = 7\nmax_requests = 0\n',
        encoding="utf-8",
    )
    project = Settings()
    project.setmodule("crawler.settings")
    project.set("NEWSPIPE_SOURCES_FILE", str(path))
    options = resolve_options(project, {})
    plain, own = options.sources
    assert (options.links_per_page(plain), options.requests_per_source(plain)) == (500, 20_000)
    assert (options.links_per_page(own), options.requests_per_source(own)) == (7, 0)
    project.set("NEWSPIPE_MAX_LINKS_PER_PAGE", 40)
    project.set("NEWSPIPE_MAX_REQUESTS_PER_SOURCE", "900")
    options = resolve_options(project, {})
    assert (options.links_per_page(plain), options.requests_per_source(plain)) == (40, 900)
    assert (options.links_per_page(own), options.requests_per_source(own)) == (7, 0)


def test_run_record_keeps_the_caps_counts() -> None:
    from crawler.extensions.runs import run_counts

    counts = run_counts({"newspipe/discovery/capped/page_links": 99_500, "newspipe/discovery/capped/source_requests": 3})
    assert counts["discovery/capped/page_links"] == 99_500
    assert counts["discovery/capped/source_requests"] == 3
