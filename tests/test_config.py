"""One settings file: newspipe.toml < environment < command line, `newspipe config`, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newspipe.cli import app
from newspipe.config import ConfigError, load
from crawler.runner import build_settings
from tests.test_export import article, store

runner = CliRunner()


def origins(*args: str, env: dict[str, str] | None = None) -> dict[str, tuple[object, str]]:
    result = runner.invoke(app, [*args, "config", "--json"], env=env)
    assert result.exit_code == 0, result.output
    return {row["name"]: (row["value"], row["from"]) for row in json.loads(result.stdout)["settings"]}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("NEWSPIPE_DATABASE_URL", "NEWSPIPE_MIN_WORDS", "NEWSPIPE_LANGUAGES", "NEWSPIPE_ALLOW_NETWORKS"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "newspipe.toml").write_text(
        'database_url = "sqlite:///from-file.db"\nmin_words = 80\nNEWSPIPE_LANGUAGES = ["en", "de"]\nrevisit_days = 1\n', encoding="utf-8"
    )
    return tmp_path


def test_layers_and_where_each_value_came_from(workdir: Path) -> None:
    shown = origins()
    assert shown["NEWSPIPE_DATABASE_URL"] == ("sqlite:///from-file.db", "newspipe.toml")
    assert shown["NEWSPIPE_MIN_WORDS"] == (80, "newspipe.toml")
    assert shown["NEWSPIPE_LANGUAGES"] == (["en", "de"], "newspipe.toml")
    assert shown["NEWSPIPE_REVISIT_DAYS"] == (1.0, "newspipe.toml")
    assert shown["NEWSPIPE_MAX_PAGINATION"] == (5, "default")
    env = {"NEWSPIPE_MIN_WORDS": "120", "NEWSPIPE_LANGUAGES": "fr, it", "NEWSPIPE_INCREMENTAL": "false"}
    shown = origins(env=env)
    assert shown["NEWSPIPE_MIN_WORDS"] == (120, "environment") and shown["NEWSPIPE_LANGUAGES"] == (["fr", "it"], "environment")
    assert shown["NEWSPIPE_INCREMENTAL"] == (False, "environment")
    shown = origins("--set", "min_words=200", "--log-format", "json", env=env)
    assert shown["NEWSPIPE_MIN_WORDS"] == (200, "command line") and shown["NEWSPIPE_LOG_FORMAT"] == ("json", "command line")
    table = runner.invoke(app, ["config"])
    assert "NEWSPIPE_MIN_WORDS" in table.stdout and "newspipe.toml" in table.stdout


def test_config_option_names_another_file(workdir: Path) -> None:
    other = workdir / "prod.toml"
    other.write_text("min_words = 10\n", encoding="utf-8")
    shown = origins("--config", str(other))
    assert shown["NEWSPIPE_MIN_WORDS"] == (10, "newspipe.toml")
    assert shown["NEWSPIPE_DATABASE_URL"] == (None, "default")  # the working directory's file is not read then


def test_read_commands_use_the_configured_database(workdir: Path) -> None:
    store(f"sqlite:///{workdir / 'from-file.db'}", [article(1), article(2)])
    result = runner.invoke(app, ["stats", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["articles"] == 2


def test_crawl_settings_are_the_merged_layers(workdir: Path) -> None:
    config = load(None, {"NEWSPIPE_MIN_WORDS": "120"}, ["NEWSPIPE_REVISIT_DAYS=0"], cwd=workdir)
    settings = build_settings(config.settings({"NEWSPIPE_DATABASE_URL": "sqlite:///cli.db", "NEWSPIPE_SINCE": None}))
    assert settings.getint("NEWSPIPE_MIN_WORDS") == 120
    assert settings.getfloat("NEWSPIPE_REVISIT_DAYS") == 0.0
    assert settings.get("NEWSPIPE_DATABASE_URL") == "sqlite:///cli.db"  # the command's own option wins
    assert settings.getlist("NEWSPIPE_LANGUAGES") == ["en", "de"]
    assert settings.getint("NEWSPIPE_MAX_PAGINATION") == 5


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ('databse_url = "x"\n', {}, "newspipe.toml: unknown setting 'databse_url'; did you mean 'database_url'?"),
        ("min_words = 'many'\n", {}, "newspipe.toml: min_words: expected a whole number"),
        ("[[source]\n", {}, "newspipe.toml: not valid TOML"),
        ("", {"NEWSPIPE_INCREMENTAL": "maybe"}, "$NEWSPIPE_INCREMENTAL: 'maybe' is not true or false"),
        ('log_format = "xml"\n', {}, "log format 'xml' (newspipe.toml): choose one of text, json"),
    ],
)
def test_bad_settings_are_one_line_and_exit_2(workdir: Path, text: str, env: dict[str, str], message: str) -> None:
    (workdir / "newspipe.toml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["stats"], env=env)
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.strip().count("\n") == 0


def test_unknown_set_name() -> None:
    with pytest.raises(ConfigError, match="--set: unknown setting 'NEWSPIPE_MIN_WORD'; did you mean 'min_words'"):
        load(None, {}, ["NEWSPIPE_MIN_WORD=3"], cwd=Path("/nonexistent"))


def test_crawl_takes_its_sources_file_from_the_settings(workdir: Path) -> None:
    bad = workdir / "mine.toml"
    bad.write_text('[[source]]\nname = "x"\nfeed = ["https://x.example/f"]\n', encoding="utf-8")
    (workdir / "newspipe.toml").write_text(f'sources_file = "{bad}"\n', encoding="utf-8")
    result = runner.invoke(app, ["crawl"])
    assert result.exit_code == 2 and "mine.toml: source 'x', field 'feed'" in result.stderr


def test_a_redis_url_in_the_settings_makes_only_workers_use_redis(workdir: Path) -> None:
    config = load(None, {"NEWSPIPE_REDIS_URL": "redis://127.0.0.1:6379/0"}, cwd=workdir)
    assert config.get("NEWSPIPE_REDIS_URL") == "redis://127.0.0.1:6379/0"
    assert "NEWSPIPE_REDIS_URL" not in config.settings()  # fetch, backfill, demo: no Redis throttle


def test_readme_configuration_example_is_valid(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1]
    example = section.split("```toml", 1)[1].split("```", 1)[0]
    path = tmp_path / "newspipe.toml"
    path.write_text(example, encoding="utf-8")
    config = load(path, {})
    assert config.origins["NEWSPIPE_MIN_WORDS"] == "newspipe.toml" and config.get("NEWSPIPE_ALLOW_NETWORKS") == ["10.20.0.0/16"]
