"""Redis credentials: a worker, `enqueue` and `workers` refuse a Redis URL without a password for a
host that is not loopback (exit code 2, one line on stderr) before any connection is attempted,
unless `--allow-insecure-redis`; loopback and unix sockets need no password; passwords are never
shown. No test here connects anywhere but 127.0.0.1: connections are blocked and recorded."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings
from typer.testing import CliRunner

from newspipe.cli import app
from crawler.distributed.redisurl import InsecureRedisUrl, check_redis_url, redacted
from crawler.distributed.settings import worker_settings

runner = CliRunner()
SOURCES = Path(__file__).resolve().parents[1] / "examples" / "sources.toml"

REFUSED = [
    "redis://10.1.2.3:6379/0",
    "rediss://redis.internal:6380/0",  # TLS is not authentication
    "redis://newspipe@10.1.2.3:6379/0",  # a user name without a password
    "redis://:@10.1.2.3/0",
    "redis://[fd00::1]:6379/0",
    "redis://127.0.0.1.example.com/0",  # a name, not an address
    "redis://%31%30.1.2.3/0",  # 10.1.2.3, percent-encoded
]
ACCEPTED = [
    "redis://127.0.0.1:6379/0",
    "redis://127.8.9.10/1",
    "redis://localhost:6379/0",
    "redis://[::1]:6379/0",
    "redis:///0",  # no host: redis-py's default, localhost
    "unix:///run/redis/redis.sock?db=0",
    "redis://:secret@10.1.2.3:6379/0",
    "redis://newspipe:secret@redis.internal:6379/0",
    "rediss://newspipe:secret@redis.internal:6380/0",
    "redis://10.1.2.3:6379/0?password=secret",
]


@pytest.mark.parametrize("url", REFUSED)
def test_no_password_on_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(InsecureRedisUrl, match="--allow-insecure-redis"):
        check_redis_url(url)
    check_redis_url(url, allow_insecure=True)


@pytest.mark.parametrize("url", ACCEPTED)
def test_loopback_unix_sockets_and_passwords_are_accepted(url: str) -> None:
    check_redis_url(url)


@pytest.mark.parametrize("url", ["http://10.1.2.3/", "10.1.2.3:6379", ""])
def test_a_url_that_is_not_a_redis_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="bad Redis URL"):
        check_redis_url(url, allow_insecure=True)


def test_passwords_are_never_shown() -> None:
    assert redacted("redis://newspipe:s3cret@host:6379/0") == "redis://newspipe:***@host:6379/0"
    assert redacted("rediss://:s3cret@host/0") == "rediss://:***@host/0"
    assert redacted("redis://host/0?db=1&password=s3cret") == "redis://host/0?db=1&password=***"


def test_the_worker_settings_refuse_it_too() -> None:
    settings = Settings({"NEWSPIPE_REDIS_URL": "redis://10.1.2.3:6379/0"})
    with pytest.raises(InsecureRedisUrl):
        worker_settings(settings)
    settings.set("NEWSPIPE_REDIS_ALLOW_INSECURE", True)
    assert worker_settings(settings)["REDIS_URL"] == "redis://10.1.2.3:6379/0"


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every connection attempted, none made (so nothing ever reaches a non-loopback address)."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise ConnectionRefusedError("connections are blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", lambda self, address: refuse(address))
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, address: refuse(address))
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.mark.parametrize(
    "command",
    [
        ["crawl", str(SOURCES), "--redis", "redis://10.1.2.3:6379/0", "--no-progress"],
        ["enqueue", str(SOURCES), "--redis", "redis://10.1.2.3:6379/0"],
        ["workers", "--redis", "redis://10.1.2.3:6379/0"],
    ],
)
def test_the_cli_refuses_before_connecting(command: list[str], connections: list[Any]) -> None:
    result = runner.invoke(app, command, env={"NEWSPIPE_REDIS_URL": None})
    assert result.exit_code == 2, result.output
    assert connections == [], "a connection was attempted"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "redis://10.1.2.3:6379/0 has no password and 10.1.2.3 is not a loopback address" in lines[0]
    assert "--allow-insecure-redis" in lines[0]


def test_the_cli_takes_a_loopback_redis_without_a_password(redis_url: str) -> None:
    result = runner.invoke(app, ["workers", "--redis", redis_url, "--job", f"t-{uuid.uuid4().hex[:8]}", "--json"])
    assert result.exit_code == 0, result.output
    assert '"seeds_waiting": 0' in result.stdout
