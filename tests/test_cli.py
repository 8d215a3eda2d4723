"""The CLI's own behaviour: help, exit codes, and clear errors at the boundary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newspipe.cli import app

SEED = Path(__file__).resolve().parent / "fixtures" / "extraction"
runner = CliRunner()


@pytest.mark.parametrize("command", [[], ["crawl"], ["fetch"], ["extract"], ["export"], ["stats"], ["demo"], ["db", "upgrade"]])
def test_help_everywhere(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_bad_sources_file_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[source]]\nname = "x"\nfeeds = ["https://x.example/f"]\ndelay = "slow"\n', encoding="utf-8")
    result = runner.invoke(app, ["crawl", str(bad), "--db", f"sqlite:///{tmp_path / 'n.db'}"])
    assert result.exit_code == 2
    assert "bad.toml: source 'x', field 'delay'" in result.output


def test_bad_window_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["crawl", "examples/sources.toml", "--since", "yesterday-ish"])
    assert result.exit_code == 2 and "not an ISO date" in result.output


def test_unknown_export_format(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "--format", "xml", "--db", f"sqlite:///{tmp_path / 'n.db'}"])
    assert result.exit_code == 2 and "unknown format" in result.output


def test_extract_prints_one_json_object(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    paragraphs = "".join(f"<p>Paragraph {i} of the council report tells how the harbour wall was rebuilt after the winter storms.</p>" for i in range(8))
    page.write_text(
        "<html lang='en'><head><title>Harbour wall rebuilt | Test Gazette</title>"
        "<meta property='article:published_time' content='2025-10-02T08:00:00+02:00'></head>"
        f"<body><article><h1>Harbour wall rebuilt</h1>{paragraphs}</article></body></html>",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["extract", str(page), "--url", "https://gazette.example/2025/10/02/harbour-wall/"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["headline"] == "Harbour wall rebuilt"
    assert data["published_at"] == "2025-10-02T08:00:00+02:00"
    assert data["published_precision"] == "second"
    assert data["url"] == "https://gazette.example/2025/10/02/harbour-wall/"


def test_extract_says_why_a_page_is_not_an_article(tmp_path: Path) -> None:
    page = tmp_path / "tiny.html"
    page.write_text("<html><body><p>Nothing here.</p></body></html>", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(page)])
    assert result.exit_code == 3
    assert json.loads(result.stdout)["not_article"] in {"too_short", "no_headline", "empty"}


def test_crawl_with_unreachable_seeds_fails_with_exit_1(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sources = tmp_path / "dead.toml"
    sources.write_text(f'[[source]]\nname = "dead"\nfeeds = ["http://127.0.0.1:{port}/feed/"]\nrobots_sitemaps = false\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "newspipe.cli", "crawl", str(sources), "--db", f"sqlite:///{tmp_path / 'n.db'}", "--no-progress",
         "-s", "dead"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "no host could be reached" in result.stderr


def test_db_upgrade(tmp_path: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade", "--db", str(tmp_path / "fresh.db")])
    assert result.exit_code == 0 and "schema at" in result.output
