"""storage/ and dedup/ import only downward: storage nothing of newspipe's other packages but the
article model (`articles`), dedup only storage and `articles` (and itself), neither Scrapy;
function-level imports count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
# What each package may import of newspipe's own top-level packages, besides itself.
ALLOWED = {"storage": {"articles"}, "dedup": {"storage", "articles"}}
OURS = {"articles", "storage", "dedup", "pipelines", "crawler", "newspipe", "benchmarks", "scrapy", "twisted"}


def imported(path: Path) -> set[str]:
    """Top-level names of every module the file imports, wherever the import statement is."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_go_downward_only(package: str) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted(upward)
        for path in sorted((ROOT / package).rglob("*.py"))
        if (upward := (imported(path) & OURS) - ALLOWED[package] - {package})
    }
    assert wrong == {}


def test_the_check_sees_function_level_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from pipelines.neardup import best_match\n    import crawler.cli\n")
    assert imported(module) == {"pipelines", "crawler"}
