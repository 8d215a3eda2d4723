"""A user's mistake is one line on stderr and exit code 2; a failed run one line and exit code 1.

The command line runs in a subprocess, as a user runs it (`newspipe.cli.main`, the one place where
an exception becomes a line). No traceback unless `--debug`.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from newspipe import cli_errors
from tests.httpsite import Site

TRACEBACK = "Traceback (most recent call last)"


def newspipe(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newspipe.cli", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )  # fmt: skip


def closed_port() -> int:
    """A port on 127.0.0.1 that nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(f'[[source]]\nname = "x"\nfeeds = ["http://127.0.0.1:{closed_port()}/feed"]\nrobots_sitemaps = false\n', encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mysql://newspipe:s3cret@127.0.0.1/news", "driver (MySQLdb) is not installed"),
        ("sqlte:///x.db", "unknown kind of database 'sqlte'"),
        ("postgresql://newspipe:s3cret@127.0.0.1:{port}/news", "Connection refused"),
        ("postgresql://newspipe:s3cret@127.0.0.1:port/news", "not a database URL"),
    ],
)
@pytest.mark.parametrize("command", ["stats", "crawl", "db upgrade"])
def test_a_wrong_db_is_one_line_naming_it(tmp_path: Path, sources: Path, url: str, problem: str, command: str) -> None:
    url = url.replace("{port}", str(closed_port()))
    extra = [str(sources), "--no-progress"] if command == "crawl" else []
    result = newspipe(*command.split(), *extra, "--db", url, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    line = one_line(result)
    assert problem in line and "s3cret" not in line
    assert url.split("://")[1].split("@")[-1] in line  # the URL is named, host and database
    assert not list(tmp_path.glob("*.db"))


def test_a_sqlite_path_in_a_missing_directory(tmp_path: Path, sources: Path) -> None:
    path = tmp_path / "no-such-dir" / "news.db"
    result = newspipe("crawl", str(sources), "--db", str(path), "--no-progress")
    assert result.returncode == 2
    assert one_line(result).endswith(f"cannot open it: the directory {path.parent} does not exist")
    result = newspipe("stats", "--db", str(path))
    assert result.returncode == 2 and one_line(result) == f"error: no newspipe database at {path}"


@pytest.mark.parametrize("command", [["stats"], ["export"], ["report", "-o", "r.html"], ["coverage"], ["db", "recanonicalize"]])
def test_read_commands_never_create_a_database(tmp_path: Path, command: list[str]) -> None:
    mistyped = tmp_path / "newspipe.bd"
    result = newspipe(*command, "--db", str(mistyped), cwd=tmp_path)
    assert result.returncode == 2
    assert one_line(result) == f"error: no newspipe database at {mistyped}"
    assert not mistyped.exists() and not (tmp_path / "r.html").exists()


def test_read_commands_do_not_put_a_schema_into_another_database(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    other.touch()
    result = newspipe("stats", "--db", str(other))
    assert result.returncode == 2
    assert one_line(result) == f"error: sqlite:///{other} is not a newspipe database (no articles table; `newspipe db upgrade` creates one)"
    with sqlite3.connect(other) as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_read_commands_still_read_an_existing_database(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    assert newspipe("db", "upgrade", "--db", str(db)).returncode == 0
    result = newspipe("stats", "--json", "--db", str(db))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", ["crawl", "backfill"])
def test_an_unknown_log_level_is_one_line(tmp_path: Path, sources: Path, command: str) -> None:
    result = newspipe(command, str(sources), "--log-level", "LOUD", "--db", str(tmp_path / "n.db"))
    assert result.returncode == 2
    assert one_line(result) == "error: --log-level 'LOUD' is not a log level; choose one of CRITICAL, ERROR, WARNING, INFO, DEBUG"


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    plain = newspipe("stats", "--db", "sqlte:///x.db", cwd=tmp_path)
    debug = newspipe("--debug", "stats", "--db", "sqlte:///x.db", cwd=tmp_path)
    assert plain.returncode == debug.returncode == 2
    assert TRACEBACK not in plain.stderr and TRACEBACK in debug.stderr and "NoSuchModuleError" in debug.stderr
    assert debug.stderr.strip().splitlines()[-1] == one_line(plain)


def test_an_unexpected_error_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["newspipe"])
    app = typer.Typer()

    @app.command()
    def broken() -> None:
        raise RuntimeError("the frobnicator jammed\nsecond line")

    cli_errors.set_debug(False)
    with pytest.raises(SystemExit) as info:
        cli_errors.run(app)
    assert info.value.code == 1
    assert capsys.readouterr().err == "error: internal error: RuntimeError: the frobnicator jammed (run with --debug for the traceback)\n"


def test_a_crawl_with_no_network_says_so_once(tmp_path: Path) -> None:
    first, second = closed_port(), closed_port()
    path = tmp_path / "sources.toml"
    path.write_text(
        f'[[source]]\nname = "a"\nfeeds = ["http://127.0.0.1:{first}/f1", "http://127.0.0.1:{first}/f2"]\n'
        f'sitemaps = ["http://127.0.0.1:{first}/s.xml"]\nrobots_sitemaps = false\n'
        f'[[source]]\nname = "b"\nfeeds = ["http://127.0.0.1:{second}/f"]\nsections = ["http://127.0.0.1:{second}/"]\n',
        encoding="utf-8",
    )
    result = newspipe("crawl", str(path), "--db", str(tmp_path / "n.db"), "--no-progress")
    assert result.returncode == 1
    assert TRACEBACK not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, result.stderr  # one per host, one summary
    assert sum(f"cannot connect to 127.0.0.1:{port}:" in line for line in lines for port in (first, second)) == 2
    assert lines[-1].startswith("error: no host could be reached (") and lines[-1].endswith("connection failures): check the network")


def test_fetch_fails_when_a_named_url_is_not_fetched(tmp_path: Path) -> None:
    site = Site()
    paragraphs = "".join(f"<p>Paragraph {i} of the council report tells how the harbour wall was rebuilt after the storms.</p>" for i in range(8))
    site.pages["/ok"] = ("text/html", f"<html><head><title>Wall</title></head><body><article><h1>Wall</h1>{paragraphs}</article></body></html>")
    try:
        result = newspipe("fetch", f"{site.base}/ok", f"{site.base}/missing", "--db", str(tmp_path / "n.db"), "--no-progress")
    finally:
        site.stop()
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and TRACEBACK not in result.stderr, result.stderr
    assert lines[0].endswith(f"not fetched: HTTP 404 for {site.base}/missing")
    assert lines[1] == "error: 1 of 2 URLs not fetched (reasons above)"
