"""A crawl of many sources starts cheaply: the sources file is parsed once, the sources'
fetch state is read in one query, not one per source, and written back in one statement.

`newspipe crawl` runs in-process inside a fresh interpreter that counts `parse_sources` calls and
every SQL statement (SQLAlchemy's `before_cursor_execute`), against a local server whose feeds are
all empty.
"""

from __future__ import annotations

from pathlib import Path

from tests.clichild import run_cli_in_child
from tests.crawlutil import Reply, fixture_server  # noqa: F401 (pytest fixture)

EMPTY_FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>empty</title></channel></rss>'

COUNTING = """
from sqlalchemy import event
from sqlalchemy.engine import Engine

import crawler.sources

parses = []
statements = []
parse = crawler.sources.parse_sources


def counted_parse(*args, **kwargs):
    parses.append(1)
    return parse(*args, **kwargs)


crawler.sources.parse_sources = counted_parse
event.listen(Engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: statements.append(statement))
"""


def crawl_counts(server, tmp_path: Path, sources: int) -> tuple[int, list[str]]:  # noqa: ANN001
    """Parses of the sources file and SQL statements of one `newspipe crawl` of `sources` sources."""
    for i in range(sources):
        server.routes[f"/feed/{i}.xml"] = [Reply(200, EMPTY_FEED, {"Content-Type": "application/rss+xml"})]
    sources_file = tmp_path / f"sources-{sources}.toml"
    sources_file.write_text(
        "".join(f'[[source]]\nname = "s{i}"\nfeeds = ["{server.url(f"/feed/{i}.xml")}"]\nrobots_sitemaps = false\ndelay = 0\nconcurrency = 8\n\n' for i in range(sources)),
        encoding="utf-8",
    )
    database = f"sqlite:///{tmp_path / f'n{sources}.db'}"
    done = run_cli_in_child(
        ["crawl", str(sources_file), "--db", database, "--no-progress", "--no-lock"], cwd=tmp_path,
        prelude=COUNTING, report='{"parses": len(parses), "statements": statements}', env={"NEWSPIPE_ALLOW_NETWORKS": "127.0.0.1/32"},
    )  # fmt: skip
    assert done["code"] == 0, done["stderr"][-3000:] + done["stdout"][-3000:]
    return done["parses"], done["statements"]


def fetch_state_reads(statements: list[str]) -> list[str]:
    """The look-ups of feeds' validators (the statements `FetchStateRepository.validators` makes)."""
    return [s for s in statements if s.lstrip().startswith("SELECT fetch_state.url, fetch_state.etag")]


def test_many_sources_one_parse_and_one_state_query(fixture_server, tmp_path: Path) -> None:  # noqa: F811
    parses, statements = crawl_counts(fixture_server, tmp_path, 200)
    assert parses == 1
    assert len(fetch_state_reads(statements)) == 1, fetch_state_reads(statements)[:3]
    # The number of statements does not grow with the sources.
    _, few = crawl_counts(fixture_server, tmp_path, 5)
    assert len(statements) == len(few), (len(statements), len(few))
