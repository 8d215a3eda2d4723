"""Unit tests for author-name cleaning."""

from __future__ import annotations

import pytest

from pipelines.extraction.authors import clean_authors


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Doe"], ["Jane Doe"]),
        (["Jane Doe, John Smith and Ana López"], ["Jane Doe", "John Smith", "Ana López"]),
        (["Jane Doe & John Smith"], ["Jane Doe", "John Smith"]),
        (["Jane Doe, Staff Writer"], ["Jane Doe"]),
        (["Jane Doe - Senior Correspondent"], ["Jane Doe"]),
        (["Reporter"], []),
        (["admin"], []),
        (["Editor", "staff", "Administrator"], []),
        (["jane.doe@example.com"], []),
        (["Jane Doe jane.doe@example.com"], ["Jane Doe"]),
        (["https://www.facebook.com/janedoe"], []),
        (["October 28, 2025"], []),
        (["Jane Doe", "JANE DOE", "jane doe"], ["Jane Doe"]),
        (["Von Max Müller und Erika Muster"], ["Max Müller", "Erika Muster"]),
        (["Par Jean Dupont et Marie Curie"], ["Jean Dupont", "Marie Curie"]),
        (["John Y. Smith"], ["John Y. Smith"]),
        (["Jane Doe (Reuters)"], ["Jane Doe"]),
        (["Gear Team"], []),
        (["Daily Market Wire"], []),
        (["dailymarketwire.example, City"], []),
        (["DMW"], []),
    ],
)
def test_clean_authors(raw: list[str], expected: list[str]) -> None:
    assert clean_authors(raw, site_name="Daily Market Wire", url="https://dailymarketwire.example/a") == expected


def test_agency_byline_is_kept() -> None:
    assert clean_authors(["Jane Doe, AFP"]) == ["Jane Doe", "AFP"]
