"""The CLI starts at once: commands that do not crawl or extract never import Scrapy, Twisted or trafilatura.

Each command runs in a fresh interpreter (a subprocess), in-process there, and the test reads that
interpreter's `sys.modules` afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clichild import run_cli_in_child
from tests.test_export import article, store

HEAVY = ("scrapy", "twisted", "trafilatura")
# Not needed to print help either (the parsers, signatures and Parquet).
HEAVY_FOR_HELP = (*HEAVY, "lxml", "feedparser", "datasketch", "pyarrow", "sqlalchemy")

def run_in_process(*args: str, cwd: Path) -> tuple[int, set[str], str]:
    """Run `newspipe ARGS` inside a fresh interpreter; its exit code, imported top-level packages and stdout."""
    done = run_cli_in_child(list(args), cwd=cwd, report='{"modules": sorted({m.split(".")[0] for m in sys.modules})}')
    return done["code"], set(done["modules"]), done["stdout"]


@pytest.mark.parametrize(
    "command",
    [["--help"], ["--version"], ["stats", "--help"], ["export", "--help"], ["coverage", "--help"], ["crawl", "--help"], ["config"]],
)
def test_help_imports_nothing_heavy(command: list[str], tmp_path: Path) -> None:
    code, modules, _ = run_in_process(*command, cwd=tmp_path)
    assert code == 0
    assert not modules & set(HEAVY_FOR_HELP), sorted(modules & set(HEAVY_FOR_HELP))


@pytest.mark.parametrize(
    "command",
    [
        ["stats", "--json"],
        ["export", "--format", "jsonl"],
        ["export", "--format", "jsonl", "--since", "2025-10-02", "--until", "2025-10-04"],
        ["coverage", "--since", "2025-10-01", "--until", "2025-10-03"],
    ],
)
def test_database_commands_import_no_crawler(command: list[str], sqlite_url: str, tmp_path: Path) -> None:
    store(sqlite_url, [article(i) for i in range(4)])
    code, modules, output = run_in_process(*command, "--db", sqlite_url, cwd=tmp_path)
    assert code == 0, output
    assert output.strip()  # the command did its work
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_sources_list_imports_no_crawler(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "herald"\nfeeds = ["https://herald.example/feed"]\n', encoding="utf-8")
    code, modules, output = run_in_process("sources", "list", str(sources), cwd=tmp_path)
    assert code == 0 and "herald" in output
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
