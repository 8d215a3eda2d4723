"""newspipe's configuration layers: defaults, `newspipe.toml`, the environment, the command line.

Every `NEWSPIPE_*` setting declared in `crawler.settings` can be given in a TOML file (keys with or
without the `newspipe_` prefix, any case: `database_url = "postgresql://..."`), in the environment
(`NEWSPIPE_DATABASE_URL=...`; lists comma-separated) or on the command line (`--set NAME=VALUE` and
each command's own options); later layers win. The file is `--config FILE`, else `newspipe.toml`
in the working directory when there is one. Only the CLI reads files and the environment: it hands
the merged values to `crawler.runner.build_settings`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_FILE = "newspipe.toml"
PREFIX = "NEWSPIPE_"
DEFAULT, FILE, ENVIRONMENT, COMMAND_LINE = "default", "newspipe.toml", "environment", "command line"
# Settings that choose how a command runs rather than tune it: the CLI reads them itself and passes
# them on only where they apply (a Redis URL makes `crawl` a worker; other runs must not see it).
_MODE_SWITCHES = frozenset({"NEWSPIPE_REDIS_URL"})
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


class ConfigError(ValueError):
    """A settings file, variable or --set value that cannot be used (one line)."""


def declared() -> dict[str, Any]:
    """Every NEWSPIPE_* setting with its default, from `crawler.settings`."""
    from crawler import settings

    return {name: getattr(settings, name) for name in dir(settings) if name.startswith(PREFIX)}


@dataclass(slots=True)
class Config:
    """The effective value of every NEWSPIPE_* setting and the layer it came from."""

    values: dict[str, Any]
    origins: dict[str, str]
    file: Path | None = None
    defaults: dict[str, Any] = field(default_factory=dict, repr=False)

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def settings(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Overrides for `build_settings`: what is not a default, then the command's own values (not None) on top."""
        merged = {name: value for name, value in self.values.items() if self.origins[name] != DEFAULT and name not in _MODE_SWITCHES}
        merged.update({name: value for name, value in (overrides or {}).items() if value is not None})
        return merged

    def with_command_line(self, values: Mapping[str, Any]) -> Config:
        """This config with command-line values (None: not given) on top."""
        config = Config(dict(self.values), dict(self.origins), self.file, self.defaults)
        for name, value in values.items():
            if value is not None:
                config.values[name], config.origins[name] = value, COMMAND_LINE
        return config


def load(path: Path | None, environ: Mapping[str, str], assignments: Sequence[str] = (), cwd: Path | None = None) -> Config:
    """The layers merged: defaults, the settings file (`path`, else newspipe.toml in `cwd` if present),
    NEWSPIPE_* variables of `environ`, and `--set NAME=VALUE` assignments."""
    defaults = declared()
    config = Config(dict(defaults), dict.fromkeys(defaults, DEFAULT), defaults=defaults)
    if path is None:
        found = (cwd or Path.cwd()) / CONFIG_FILE
        path = found if found.is_file() else None
    if path is not None:
        config.file = path
        for name, value in _read_file(path, defaults).items():
            config.values[name], config.origins[name] = value, FILE
    for name, default in defaults.items():
        if name in environ:
            config.values[name] = _from_text(name, environ[name], default, f"${name}")
            config.origins[name] = ENVIRONMENT
    command_line = {}
    for assignment in assignments:
        key, sep, text = assignment.partition("=")
        if not sep:
            raise ConfigError(f"--set {assignment!r}: write NAME=VALUE, e.g. --set NEWSPIPE_MIN_WORDS=80")
        name = _setting_name(key, defaults, "--set")
        command_line[name] = _from_text(name, text, defaults[name], f"--set {name}")
    return config.with_command_line(command_line)


def _setting_name(key: str, defaults: Mapping[str, Any], where: str) -> str:
    """NEWSPIPE_X for `x`, `newspipe_x` or `NEWSPIPE_X`; a ConfigError with a "did you mean" otherwise."""
    name = key.strip().upper()
    name = name if name.startswith(PREFIX) else PREFIX + name
    if name in defaults:
        return name
    short = [n[len(PREFIX) :].lower() for n in defaults]
    close = difflib.get_close_matches(name[len(PREFIX) :].lower(), short, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else "; `newspipe config` lists the settings"
    raise ConfigError(f"{where}: unknown setting {key.strip()!r}{hint}")


def _read_file(path: Path, defaults: Mapping[str, Any]) -> dict[str, Any]:
    import tomllib  # only when there is a file: `--help` does not need it

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    values = {}
    for key, value in data.items():
        name = _setting_name(key, defaults, str(path))
        values[name] = _from_toml(name, value, defaults[name], f"{path}: {key}")
    return values


def _from_toml(name: str, value: Any, default: Any, where: str) -> Any:
    """A TOML value checked against the type of the setting's default."""
    if isinstance(default, list):
        if isinstance(value, str):
            return _from_text(name, value, default, where)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        raise ConfigError(f"{where}: expected a list of strings")
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{where}: expected true or false")
    if isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ConfigError(f"{where}: expected a whole number")
    if isinstance(default, float):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise ConfigError(f"{where}: expected a number")
    if isinstance(default, str):
        if isinstance(value, str):
            return value
        raise ConfigError(f"{where}: expected a string")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return value  # a setting without a default (None): a path, URL, port...
    raise ConfigError(f"{where}: expected a string or a number")


def _from_text(name: str, text: str, default: Any, where: str) -> Any:
    """A value written as text (environment, --set), read as the type of the setting's default."""
    if isinstance(default, list):
        return [part.strip() for part in text.split(",") if part.strip()]
    if isinstance(default, bool):
        if text.strip().lower() in _TRUE | _FALSE:
            return text.strip().lower() in _TRUE
        raise ConfigError(f"{where}: {text!r} is not true or false")
    if isinstance(default, int | float):
        try:
            return type(default)(text.strip())
        except ValueError:
            kind = "a whole number" if isinstance(default, int) else "a number"
            raise ConfigError(f"{where}: {text!r} is not {kind}") from None
    return text


_active: Config | None = None  # the running command's, set by the CLI's main options


def use(config: Config) -> Config:
    """Make `config` the one `current()` returns (the CLI calls this once per command)."""
    global _active
    _active = config
    return config


def current() -> Config:
    """The config of the running command; loaded from the working directory and environment outside one."""
    import os

    return _active if _active is not None else load(None, os.environ)
