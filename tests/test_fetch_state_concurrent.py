"""Two writers keeping the same URL's fetch state at once (workers closing together, each with the
robots.txt it fetched): the one that inserts second neither fails nor overwrites the other's row.

PostgreSQL (workers share it; SQLite has one writer at a time). The second writer's INSERT is
delayed until a concurrent transaction has inserted and committed the same URL after the first
writer looked it up: the window in which `FetchStateRepository.record` met a unique violation.
"""

from __future__ import annotations

from sqlalchemy import event, select

from storage.engine import Database
from storage.models import FetchState
from storage.state import FetchStateRepository, StateUpdate

URL = "http://herald.example/robots.txt"


def test_a_url_inserted_concurrently_is_left_to_the_other_writer(postgres_url: str) -> None:
    database = Database(postgres_url)
    other = Database(postgres_url, upgrade=False)
    raced: list[bool] = []

    def insert_first(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if raced or not statement.lstrip().startswith("INSERT INTO fetch_state"):
            return
        raced.append(True)
        with other.sessions.begin() as session:
            FetchStateRepository(session).record([StateUpdate(URL, "robots", 200, etag='"theirs"', body=b"User-agent: *\n")])

    event.listen(database.engine, "before_cursor_execute", insert_first)
    try:
        with database.sessions.begin() as session:
            FetchStateRepository(session).record([
                StateUpdate(URL, "robots", 200, etag='"ours"', body=b"User-agent: *\n"),
                StateUpdate("http://times.example/robots.txt", "robots", 404),
            ])  # fmt: skip
    finally:
        event.remove(database.engine, "before_cursor_execute", insert_first)
    assert raced
    with database.sessions() as session:
        rows = {row.url: row.etag for row in session.scalars(select(FetchState))}
    assert rows == {URL: '"theirs"', "http://times.example/robots.txt": None}
    other.engine.dispose()
    database.engine.dispose()
