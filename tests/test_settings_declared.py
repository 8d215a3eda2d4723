"""Every setting has one default, in `crawler/settings.py`, and only the application reads the environment.

Read with `ast` over the library layers (`crawler`, `pipelines`, `storage`, `dedup`) and the
application (`newspipe`):

- every `NEWSPIPE_*` name read through a settings object (`settings.getint("NEWSPIPE_X")`,
  `crawler.settings.get(...)`) or through the CLI's config (`current().get(...)`) is declared in
  `crawler/settings.py`;
- no read site passes a default of its own (`settings.getfloat("X", 1.0)`): a second copy drifts.
  A read site may fall back on the declared one (`settings.getfloat("X", defaults.X)`, `defaults`
  being `crawler.settings`), for crawlers built without the project settings;
- nothing below the application touches `os.environ` or `os.getenv`. The one exception is
  Alembic's entry script (`storage/migrations/env.py`), which the `alembic` command runs as a
  program, not a module anything imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from crawler import settings as defaults

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ("crawler", "pipelines", "storage", "dedup", "articles")
GETTERS = frozenset({"get", "getint", "getfloat", "getbool", "getlist", "getdict", "getdictorlist", "getwithbase"})
ENTRY_SCRIPTS = frozenset({"storage/migrations/env.py"})


def _files(packages: tuple[str, ...]) -> Iterator[tuple[str, ast.Module]]:
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def setting_reads(tree: ast.Module) -> Iterator[tuple[str, int, bool]]:
    """(name, line, has a default of its own) for each `<settings-ish>.get*("UPPER_NAME", ...)` call.

    `defaults.UPPER_NAME` (crawler.settings' own declaration) is not a default of its own."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in GETTERS):
            continue
        if not (node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            continue
        name, receiver = node.args[0].value, ast.unparse(node.func.value)
        if not name.isupper() or not ("settings" in receiver or "current()" in receiver or name.startswith("NEWSPIPE_")):
            continue
        given = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "default"), None)
        declared_one = isinstance(given, ast.Attribute) and given.attr == name and ast.unparse(given.value) == "defaults"
        yield name, node.lineno, given is not None and not declared_one


def environment_reads(tree: ast.Module) -> Iterator[int]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb"}:
            yield node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and any(a.name in {"environ", "getenv"} for a in node.names):
            yield node.lineno


def test_every_newspipe_setting_read_is_declared() -> None:
    declared = {name for name in dir(defaults) if name.isupper()}
    undeclared = [
        f"{path}:{line}: {name}"
        for path, tree in _files((*LIBRARY, "newspipe"))
        for name, line, _ in setting_reads(tree)
        if name.startswith("NEWSPIPE_") and name not in declared
    ]
    assert not undeclared, undeclared


def test_no_read_site_repeats_a_default() -> None:
    repeated = [
        f"{path}:{line}: {name}"
        for path, tree in _files((*LIBRARY, "newspipe"))
        for name, line, has_default in setting_reads(tree)
        if has_default
    ]
    assert not repeated, repeated


def test_no_environment_reads_below_the_application() -> None:
    reads = [f"{path}:{line}" for path, tree in _files(LIBRARY) if path not in ENTRY_SCRIPTS for line in environment_reads(tree)]
    assert not reads, reads


def test_the_checks_see_what_they_look_for() -> None:
    tree = ast.parse(
        "import os\n"
        "def f(crawler, settings):\n"
        "    a = crawler.settings.getfloat('NEWSPIPE_NOT_DECLARED', 1.0)\n"
        "    b = settings.getint(\n        'NEWSPIPE_MIN_WORDS')\n"
        "    c = settings.getint('NEWSPIPE_MIN_WORDS', defaults.NEWSPIPE_MIN_WORDS)\n"
        "    d = settings.getint('NEWSPIPE_MIN_WORDS', defaults.NEWSPIPE_STORE_BATCH_SIZE)\n"
        "    return os.environ.get('X'), os.getenv('Y')\n"
    )
    assert list(setting_reads(tree)) == [
        ("NEWSPIPE_NOT_DECLARED", 3, True),
        ("NEWSPIPE_MIN_WORDS", 4, False),
        ("NEWSPIPE_MIN_WORDS", 6, False),
        ("NEWSPIPE_MIN_WORDS", 7, True),
    ]
    assert list(environment_reads(tree)) == [8, 8]
