"""The `newspipe` command line (typer + rich).

Commands: crawl, fetch, extract, export, stats, demo, db upgrade. Library errors
become one clear line on stderr and an exit code at this boundary (`newspipe.cli_errors`;
a traceback only with `--debug`): 0 success, 1 the run failed, 2 bad arguments or
configuration, 3 `extract` found no article.
The database is `--db`, else NEWSPIPE_DATABASE_URL (environment or newspipe.toml), else
sqlite:///newspipe.db. Settings come in layers (`newspipe.config`): defaults, newspipe.toml or
`--config FILE`, the environment, the command line.
Commands that fetch refuse private network addresses except the networks named by
`--allow-network` and $NEWSPIPE_ALLOW_NETWORKS (comma-separated).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer

from newspipe import cli_errors
from newspipe.cli_common import EXIT_NOT_ARTICLE, WarcDirOption, _exit_for, _run, _window, allowed_networks, err, fail, out, selection_settings
from newspipe.cli_config import ConfigOption, LogFormatOption, SetOption, load_config
from newspipe.cli_errors import EXIT_FAILED, open_database
from newspipe.cli_options import DATE_FORMS, AllowNetworkOption, DbOption, LogLevelOption
from newspipe.config import current, use

# Scrapy, Twisted, trafilatura and SQLAlchemy are imported inside the commands that use them, so that
# `--help`, `stats`, `export` and `coverage` start at once (tests/test_cli_startup.py checks sys.modules).

app = typer.Typer(
    help="newspipe: crawl news sites into clean, deduplicated articles in SQL.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help and usage errors (click's): typer's rich help imports rich.markdown, pygments and
    # rich.traceback, a third of `newspipe --help`'s CPU time (BENCHMARKS.md, "CLI start-up").
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True, rich_markup_mode=None)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"newspipe {version('newspipe')}")
        raise typer.Exit()


@app.callback()
def _main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print newspipe's version and exit.")
    ] = False,
    config_file: ConfigOption = None,
    assignments: SetOption = None,
    log_format: LogFormatOption = None,
    debug: Annotated[
        bool, typer.Option("--debug", envvar="NEWSPIPE_DEBUG", help="Print the full traceback of an error (else one line).")
    ] = False,
) -> None:
    """newspipe: crawl news sites into clean, deduplicated articles in SQL.

    Settings: defaults < newspipe.toml (or --config FILE) < NEWSPIPE_* environment < command line;
    `newspipe config` shows them.
    """
    cli_errors.set_debug(debug)
    use(load_config(config_file, assignments, log_format))


app.add_typer(db_app, name="db")


@app.command()
def crawl(
    sources_file: Annotated[
        Optional[Path], typer.Argument(help="TOML sources file. Default: NEWSPIPE_SOURCES_FILE (examples/sources.toml).", show_default=False)
    ] = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", "-s", help="Only this source (repeatable).")] = None,
    since: Annotated[Optional[str], typer.Option(help=f"Keep entries dated on or after this date ({DATE_FORMS}).")] = None,
    until: Annotated[Optional[str], typer.Option(help=f"Keep entries dated on or before this date ({DATE_FORMS}).")] = None,
    db: DbOption = None,
    log_level: LogLevelOption = "WARNING",
    progress: Annotated[bool, typer.Option(help="Live progress display on a terminal.")] = True,
    revisit_days: Annotated[
        Optional[float], typer.Option(help="Re-check articles first stored this many days ago or less (0: none).")
    ] = None,
    job_dir: Annotated[
        Optional[Path], typer.Option("--job-dir", help="Scrapy JOBDIR: pause with Ctrl-C, resume with the same directory.")
    ] = None,
    lock: Annotated[bool, typer.Option(help="Refuse to start while another run of this job holds its lock.")] = True,
    warc_dir: WarcDirOption = None,
    redis: Annotated[
        Optional[str],
        typer.Option("--redis", envvar="NEWSPIPE_REDIS_URL", help="Run as a distributed worker on this Redis URL (feed it with `newspipe enqueue`)."),
    ] = None,
    job: Annotated[str, typer.Option("--job", help="Worker: the distributed job to work on.")] = "default",
    idle_timeout: Annotated[int, typer.Option("--idle-timeout", help="Worker: stop once the job has been idle this many seconds (0: never).")] = 0,
    worker_id: Annotated[
        Optional[str], typer.Option("--worker-id", help="Worker: a stable id (e.g. the systemd instance), so a restart takes back its requests in flight.")
    ] = None,
    metrics_port: Annotated[
        Optional[int], typer.Option("--metrics-port", min=0, max=65535, help="Serve Prometheus metrics on this port (127.0.0.1; NEWSPIPE_METRICS_ADDRESS to change).")
    ] = None,
    allow_insecure_redis: Annotated[
        bool, typer.Option("--allow-insecure-redis", help="Worker: allow a Redis URL without a password on a host that is not loopback.")
    ] = False,
    allow_network: AllowNetworkOption = None,
    statement_timeout: Annotated[
        Optional[float],
        typer.Option("--statement-timeout", help="Seconds a database statement may take (0: no limit); work without an answer after twice this is abandoned and its articles spooled."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read feeds, sitemaps and sections; print the article URLs a crawl would fetch; store nothing.")
    ] = False,
    concurrency: Annotated[Optional[int], typer.Option("--concurrency", min=0, help="Requests in flight for the whole crawl (0: the sources' concurrency summed, 16 to 256).")] = None,
) -> None:
    """Crawl the sources' feeds, sitemaps and section pages and store new articles.

    Incremental: stored articles are not fetched again (except recent ones, re-checked for
    new versions), feeds and sitemaps are asked for conditionally. Exit code 4 when another
    run of the same job (sources file and database) is still going.
    """
    from crawler.sources import SourcesError, load_sources

    names = source or []
    sources_file = sources_file or Path(current().get("NEWSPIPE_SOURCES_FILE"))
    redis = redis or current().get("NEWSPIPE_REDIS_URL")  # --redis, $NEWSPIPE_REDIS_URL or newspipe.toml
    try:
        load_sources(sources_file, names)
    except SourcesError as exc:
        raise fail(str(exc)) from None
    window = _window(since, until)
    networks = allowed_networks(allow_network)
    if dry_run:
        from newspipe.cli_sources import dry_run as discover_only

        if redis:
            raise fail("--dry-run and --redis do not go together: a dry run crawls in this process")
        raise typer.Exit(discover_only({**selection_settings(db, sources_file, names, window, log_level), "NEWSPIPE_ALLOW_NETWORKS": networks}))
    if redis:
        from newspipe.cli_workers import crawl_worker

        if job_dir is not None:
            raise fail("--job-dir and --redis do not go together: a worker's queue is in Redis")
        extra = {
            "NEWSPIPE_REVISIT_DAYS": revisit_days, "NEWSPIPE_METRICS_PORT": metrics_port,
            "NEWSPIPE_ALLOW_NETWORKS": networks, "NEWSPIPE_STATEMENT_TIMEOUT": statement_timeout,
            "NEWSPIPE_CONCURRENCY": concurrency,
        }
        crawl_worker(
            sources_file, names, window, redis_url=redis, job=job, idle_timeout=idle_timeout, worker_id=worker_id,
            db=db, log_level=log_level, progress=progress, allow_insecure_redis=allow_insecure_redis, extra=extra,
        )
        return
    from crawler import startupgc

    startupgc.pause()  # before Scrapy's import, until the engine starts; `_run` ends the pause however it ends
    from crawler.runner import job_lock_name  # here: Scrapy comes with it, and a dry run needs none

    outcome = _run(
        "news",
        {
            **selection_settings(db, sources_file, names, window, log_level),
            "NEWSPIPE_REVISIT_DAYS": revisit_days,
            "NEWSPIPE_METRICS_PORT": metrics_port,
            "NEWSPIPE_STATEMENT_TIMEOUT": statement_timeout,
            "JOBDIR": str(job_dir) if job_dir else None,
            "NEWSPIPE_WARC_DIR": str(warc_dir) if warc_dir else None,
            "NEWSPIPE_ALLOW_NETWORKS": networks,
            "NEWSPIPE_CONCURRENCY": concurrency,
        },
        progress,
        lock_name=job_lock_name("crawl", sources_file) if lock else None,
    )
    _exit_for(outcome)


@app.command()
def fetch(
    urls: Annotated[list[str], typer.Argument(help="Article URLs to fetch and store.")],
    sources_file: Annotated[Optional[Path], typer.Option("--sources", help="Sources file, to name each URL's source.")] = None,
    db: DbOption = None,
    log_level: LogLevelOption = "WARNING",
    progress: Annotated[bool, typer.Option(help="Live progress display on a terminal.")] = True,
    warc_dir: WarcDirOption = None,
    allow_network: AllowNetworkOption = None,
) -> None:
    """Fetch the given article URLs, extract and store them."""
    from crawler.sources import SourcesError, load_sources

    if sources_file is not None:
        try:
            load_sources(sources_file)
        except SourcesError as exc:
            raise fail(str(exc)) from None
    overrides = {
        "NEWSPIPE_DATABASE_URL": db, "LOG_LEVEL": log_level, "NEWSPIPE_WARC_DIR": str(warc_dir) if warc_dir else None,
        "NEWSPIPE_ALLOW_NETWORKS": allowed_networks(allow_network),
    }
    if sources_file is not None:
        overrides["NEWSPIPE_SOURCES_FILE"] = str(sources_file)
    else:
        overrides["NEWSPIPE_SOURCES_FILE"] = ""
    outcome = _run("urls", overrides, progress, urls=list(urls))
    _exit_for(outcome)
    missed = int(outcome.stats.get("newspipe/urls/not_fetched", 0))
    if missed:  # the user named each URL: not getting one is a failed run
        raise fail(f"{missed} of {len(urls)} URLs not fetched (reasons above)", EXIT_FAILED)


def _read_page(target: str) -> tuple[bytes, str]:
    import urllib.request

    from crawler.runner import build_settings

    if target.startswith(("http://", "https://")):
        request = urllib.request.Request(target, headers={"User-Agent": build_settings().get("USER_AGENT")})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the user asked for this URL)
            return response.read(), response.geturl()
    path = Path(target)
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        import gzip

        data = gzip.decompress(data)
    return data, path.resolve().as_uri()


@app.command()
def extract(
    file_or_url: Annotated[str, typer.Argument(help="An HTML file (may be gzipped) or an http(s) URL.")],
    url: Annotated[Optional[str], typer.Option("--url", help="The page's URL, when reading a file.")] = None,
) -> None:
    """Extract one page and print the article as one JSON object, to check a page by hand."""
    from pipelines.extraction import extract_article

    try:
        html, location = _read_page(file_or_url)
    except (OSError, ValueError) as exc:
        raise fail(f"cannot read {file_or_url}: {exc}") from None
    result = extract_article(html, url or location, fetched_at=datetime.now(timezone.utc))
    if not result:
        out.print_json(data={"url": url or location, "not_article": result.reason, "detail": result.detail})
        raise typer.Exit(EXIT_NOT_ARTICLE)
    sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="jsonl, csv or parquet.")] = "jsonl",
    since: Annotated[Optional[str], typer.Option(help=f"Only articles published (or, undated, fetched) since this date ({DATE_FORMS}).")] = None,
    until: Annotated[Optional[str], typer.Option(help=f"Only articles published (or, undated, fetched) until this date, inclusive ({DATE_FORMS}).")] = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", "-s", help="Only this source (repeatable).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (a directory with --partition); default stdout.")] = None,
    db: DbOption = None,
    all_versions: Annotated[bool, typer.Option("--all-versions", help="Every stored version of each article, not only the latest.")] = False,
    unique_stories: Annotated[bool, typer.Option("--unique-stories", help="One article per story: its original.")] = False,
    partition: Annotated[Optional[str], typer.Option(help="Parquet: partition the output directory by publication 'day' or 'month'.")] = None,
    after_cursor: Annotated[Optional[str], typer.Option("--after-cursor", help="Only what is new or changed since this cursor (printed by the last export).")] = None,
    cursor_file: Annotated[Optional[Path], typer.Option("--cursor-file", help="Read the cursor from this file and save the new one there after a successful export.")] = None,
) -> None:
    """Export stored articles, one record per article (its latest version), with story_id and duplicate_of.

    Incremental exports: pass the cursor the previous export printed (`--after-cursor`), or keep
    it in a file (`--cursor-file`), and only new articles and new versions are exported.
    """
    from storage.export import WRITERS
    from storage.repository import ArticleRepository, ExportCursor

    if format not in (*WRITERS, "parquet"):
        raise fail(f"unknown format {format!r}; choose one of {', '.join((*WRITERS, 'parquet'))}")
    if format == "parquet" and output is None:
        raise fail("--format parquet needs --output (a file, or a directory with --partition)")
    if partition is not None and format != "parquet":
        raise fail("--partition goes with --format parquet")
    window = _window(since, until)
    after_text = after_cursor or (cursor_file.read_text(encoding="utf-8").strip() if cursor_file and cursor_file.exists() else None)
    try:
        after = ExportCursor.parse(after_text) if after_text else None
    except ValueError as exc:
        raise fail(str(exc)) from None
    with open_database(db, create=False) as database, database.sessions() as session:
        repository = ArticleRepository(session)
        upto = repository.export_cursor()
        records = repository.iter_export(
            since=window.since, until=window.until, sources=source or [], all_versions=all_versions, unique_stories=unique_stories,
            after=after, upto=upto,
        )  # fmt: skip
        if format == "parquet":
            from storage.parquet import write_parquet

            assert output is not None
            try:
                count = write_parquet(records, output, partition=partition)
            except ValueError as exc:
                raise fail(str(exc)) from None
        elif output is None:
            count = WRITERS[format](records, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = WRITERS[format](records, handle)
    if cursor_file is not None:
        cursor_file.write_text(f"{upto}\n", encoding="utf-8")
    err.print(f"exported {count:,} articles" + (f" to {output}" if output else "") + f"; cursor {upto}")


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
    db: DbOption = None,
) -> None:
    """Articles by source and day, duplicates, and the last runs with their counts."""
    from newspipe.report import print_tables, stats_tables
    from storage.repository import ArticleRepository

    with open_database(db, create=False) as database, database.sessions() as session:
        data = ArticleRepository(session).stats()
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        print_tables(out, stats_tables(data))


@app.command()
def demo(
    db: DbOption = None,
    serve_only: Annotated[bool, typer.Option("--serve-only", help="Only serve the demo site until Ctrl-C.")] = False,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="With --serve-only: the proxy's port (0: any free one).")] = 0,
    log_level: LogLevelOption = "WARNING",
    progress: Annotated[bool, typer.Option(help="Live progress display on a terminal.")] = True,
    warc_dir: WarcDirOption = None,
    allow_network: AllowNetworkOption = None,
) -> None:
    """Serve the bundled demo news site on 127.0.0.1 and crawl it into the database.

    The publishers have fixed fictional hosts (http://harbour-herald.example/ ...), served by
    one HTTP proxy on 127.0.0.1, so every run stores the same URLs.
    """
    import tempfile

    from newspipe.demo import DEMO_HOST, DemoSite, serve_forever

    # The crawl may fetch the one loopback address the demo site serves, and no other.
    networks = allowed_networks(allow_network, f"{DEMO_HOST}/32")
    if serve_only:
        try:
            site = DemoSite().start(port)
        except OSError as exc:
            raise fail(f"cannot serve the demo site on 127.0.0.1:{port}: {exc.strerror or exc}") from None
        err.print(site.describe(), soft_wrap=True)
        err.print(f"try: curl -x {site.proxy_url} {site.base_url(site.publishers[0])}/   (Ctrl-C to stop)", soft_wrap=True)
        serve_forever(site)
        return
    with DemoSite(host=DEMO_HOST) as site, tempfile.TemporaryDirectory() as tmp:
        sources = site.write_sources(Path(tmp) / "demo-sources.toml")
        err.print(site.describe(), soft_wrap=True)
        outcome = _run(
            "news",
            {
                "NEWSPIPE_DATABASE_URL": db,
                "NEWSPIPE_SOURCES_FILE": str(sources),
                "NEWSPIPE_WARC_DIR": str(warc_dir) if warc_dir else None,
                "LOG_LEVEL": log_level,
                "NEWSPIPE_ALLOW_NETWORKS": networks,
            },
            progress,
        )
    _exit_for(outcome)
    from storage.engine import resolve_database_url

    err.print(f"stored in {resolve_database_url(db)}; try `newspipe stats` or `newspipe export --format jsonl`", soft_wrap=True)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create the schema, or bring it to the latest migration."""
    from storage.migrate import current_revision, head_revision

    database = open_database(db, create=True, upgrade=False)
    try:
        before = current_revision(database.engine)
        from storage.migrate import upgrade_to_head

        upgrade_to_head(database.engine)
        err.print(f"{database.display_url()}: schema at {head_revision()} (was {before or 'empty'})")
    finally:
        database.close()


@db_app.command("replay")
def db_replay(
    db: DbOption = None,
    spool_dir: Annotated[Path, typer.Option("--spool-dir", help="Where crawls spool what the database refused.")] = Path("newspipe-spool"),
) -> None:
    """Load articles that a run had to spool (the database was down) into the database."""
    from pipelines.writer import ArticleWriter
    from storage.spool import spool_for

    with open_database(db, create=True) as database:
        spool = spool_for(spool_dir, database.url)
        waiting = len(spool)
        if not waiting:
            err.print(f"nothing spooled for {database.display_url()} in {spool_dir}")
            return
        writer = ArticleWriter(database.sessions)
        stored = spool.replay(lambda batch, run_id: writer.write(batch, run_id) and None)
    left = waiting - stored
    err.print(f"loaded {stored:,} of {waiting:,} spooled articles into {database.display_url()}")
    if left:
        raise fail(f"{left:,} articles are still spooled in {spool.path}: the database refused them", EXIT_FAILED)


@db_app.command("recanonicalize")
def db_recanonicalize(
    db: DbOption = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, help="Articles per transaction.")] = 500,
) -> None:
    """Re-key stored articles by the current canonical-URL rules; articles that now share a key are merged (URLs kept as aliases)."""
    from pipelines.extraction import canonicalize_url
    from storage.recanonicalize import recanonicalize

    with open_database(db, create=False) as database:
        counts = recanonicalize(database.sessions, canonicalize_url, batch_size=batch_size)
    err.print(
        f"{database.display_url()}: {counts.articles:,} articles checked, {counts.rekeyed:,} re-keyed, "
        f"{counts.merged:,} merged into an older article with the same key ({counts.urls_moved:,} URLs kept as its aliases, "
        f"{counts.stories_merged:,} stories joined), {counts.syndication_rekeyed:,} syndication links re-keyed",
        soft_wrap=True,
    )


# Commands for the past (backfill, coverage) live in their own module.
from newspipe import cli_archive  # noqa: E402 (registers on the app defined above)

cli_archive.register(app)
# Distributed crawling (enqueue, workers; `crawl --redis` calls into it).
from newspipe import cli_workers  # noqa: E402

cli_workers.register(app)
# Sources files (sources list/check; `crawl --dry-run` calls into it).
from newspipe import cli_sources  # noqa: E402

cli_sources.register(app)
# Settings layers: `newspipe config`.
from newspipe import cli_config  # noqa: E402

cli_config.register(app)


def main() -> None:
    # No logging set-up here: crawls install Scrapy's handler (LOG_LEVEL); other commands
    # report through the console and let Python print warnings on its own. An error that
    # reaches here is one line and an exit code (newspipe.cli_errors), a traceback with --debug.
    cli_errors.run(app)


if __name__ == "__main__":
    main()
