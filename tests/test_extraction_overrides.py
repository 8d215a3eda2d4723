"""Per-site overrides: a rule takes effect for its site and layout; generic extraction is the fallback."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pipelines.extraction import ArticleRecord, ExtractionOptions, extract_article
from pipelines.extraction.overrides import OverrideError, SiteOverrides, SiteRule

FIXTURES = Path(__file__).parent / "fixtures" / "extraction" / "overrides"
HTML = (FIXTURES / "gazette.html").read_text(encoding="utf-8")
FETCHED = datetime(2024, 9, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def overrides() -> SiteOverrides:
    return SiteOverrides.from_toml(FIXTURES / "site_rules.toml")


def _extract(url: str, overrides: SiteOverrides | None, fetched_at: datetime = FETCHED) -> ArticleRecord:
    result = extract_article(HTML, url, fetched_at=fetched_at, options=ExtractionOptions(min_words=20, overrides=overrides))
    assert isinstance(result, ArticleRecord), result
    return result


def test_override_takes_effect(overrides: SiteOverrides) -> None:
    generic = _extract("https://gazette.example/city/footbridge", None)
    result = _extract("https://gazette.example/city/footbridge", overrides)
    # Without the rule, the generic extractor follows the page's (clickbait) metadata.
    assert generic.headline == "You will not believe what the council did next"
    assert result.headline == "Council approves a new footbridge over the river"
    assert result.body.split("\n")[0].startswith("The city council approved a pedestrian footbridge")
    assert len(result.body.split("\n")) == 3
    assert "Subscribe today" not in result.body and "previous layout" not in result.body
    assert result.published_at == datetime.fromisoformat("2024-09-01T17:45:00+02:00")
    assert result.published_at.utcoffset() is not None and result.published_at.utcoffset().total_seconds() == 7200
    assert result.date_source == "override"
    assert generic.published_at == datetime.fromisoformat("2024-09-02T08:00:00+00:00")
    assert result.authors == ["Ada Lindqvist"]


def test_subdomains_share_the_sites_rule(overrides: SiteOverrides) -> None:
    assert _extract("https://www.gazette.example/a", overrides).headline.startswith("Council approves")
    assert _extract("https://sport.gazette.example/a", overrides).headline.startswith("Council approves")


def test_other_sites_get_generic_extraction(overrides: SiteOverrides) -> None:
    url = "https://other.example/city/footbridge"
    assert _extract(url, overrides) == _extract(url, None)
    assert overrides.rule_for(url) is None


def test_rule_matching_nothing_falls_back_to_generic(overrides: SiteOverrides) -> None:
    url = "https://stale.example/city/footbridge"
    assert overrides.rule_for(url) is not None
    result, generic = _extract(url, overrides), _extract(url, None)
    assert result.headline == generic.headline
    assert result.body == generic.body
    assert result.date_source == generic.date_source == "json-ld"


def test_layout_version_follows_the_fetch_date(overrides: SiteOverrides) -> None:
    old = overrides.rule_for("https://gazette.example/a", datetime(2024, 3, 1, tzinfo=UTC))
    new = overrides.rule_for("https://gazette.example/a", datetime(2024, 7, 1, tzinfo=UTC))
    assert old is not None and old.valid_until == date(2024, 6, 30) and old.note == "2023 layout"
    assert new is not None and new.valid_until is None
    page = _extract("https://gazette.example/a", overrides, fetched_at=datetime(2024, 3, 1, tzinfo=UTC))
    assert page.body == "An old paragraph that the previous layout of the site used for the story text, kept here so the test can tell the two layouts apart."


def test_expired_layouts_leave_generic_extraction() -> None:
    rules = SiteOverrides((SiteRule("gazette.example", valid_until=date(2020, 1, 1), headline=("css:h1.story-title",)),))
    assert rules.rule_for("https://gazette.example/a", FETCHED) is None
    assert _extract("https://gazette.example/a", rules).headline == "You will not believe what the council did next"


def test_structured_data_first() -> None:
    rules = SiteOverrides.from_records([{"domain": "gazette.example", "headline": ["jsonld:headline", "css:h1"]}])
    assert _extract("https://gazette.example/a", rules).headline == "You will not believe what the council did next"


@pytest.mark.parametrize(
    "record",
    [
        {"domain": "x.example", "headline": ["h1.title"]},  # no kind prefix
        {"domain": "x.example", "body": ["xpath://div[@class="]},  # broken XPath
        {"domain": "x.example", "body": ["css:div >> p"]},  # broken CSS
        {"domain": "x.example", "byline": ["css:span"]},  # unknown field
        {"domain": "https://x.example/", "body": ["css:p"]},  # not a bare domain
    ],
)
def test_bad_rules_are_rejected(record: dict) -> None:
    with pytest.raises(OverrideError):
        SiteOverrides.from_records([record])


def test_unreadable_registry(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[[site]\ndomain = ", encoding="utf-8")
    with pytest.raises(OverrideError):
        SiteOverrides.from_toml(path)
