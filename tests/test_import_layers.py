"""The project's layers import only downward, and no modules import each other in a loop.

Every module's imports are read with `ast`: at module level, inside functions and methods, and
under `if TYPE_CHECKING:`. Each import names the project module it loads (`from a.b import c` is
`a.b.c` when that is a module, else `a.b`; a relative import is resolved against its package).
Imports of other distributions (scrapy, sqlalchemy, ...) are not looked at.

The layers, lowest first; a layer may import itself and the layers its rule names, nothing else:

- `articles`: the one article model (`ArticleRecord`), plain data. Imports no other layer.
- `storage`: models, engine, queries, bulk writes, migrations: `articles` (what it writes).
- `pipelines.extraction`: the pure extractor (html, url -> record): `articles` (what it returns).
- `dedup`: duplicate and story policy, the shared near-duplicate index: `storage`,
  `pipelines.extraction`, `articles`.
- `crawler`: Scrapy alone (settings, spiders, middlewares, extensions, distributed, discovery):
  `storage`, `dedup`, `pipelines.extraction`, `articles`. Never the item pipelines: Scrapy loads
  them from the settings by name (ITEM_PIPELINES), which is not an import.
- `pipelines`: Scrapy item pipelines, thin adapters between the crawler's item and storage:
  `crawler` (the Article item, the crawl's database), `dedup`, `storage`, `pipelines.extraction`,
  `articles`. So `crawler` and `pipelines` are not siblings: the item pipelines sit on the crawler.
- `newspipe`: the application (CLI, demo server, reports, public Python API): everything above.
- `benchmarks`, `examples`, `tests`: on top; they may import any layer (and each other).

A cycle is a set of modules that import each other, directly or through others, counting
function-level imports (they run later, but a loop is a loop for whoever reads the code) and
leaving out `if TYPE_CHECKING:` imports (they never run); nor may two layers import each other
through different modules. Folders inside one layer (`crawler/spiders`, `crawler/discovery` and
the shared modules in `crawler/`) may use each other as long as no modules loop. The README's "How data flows" names
the same rules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOP = ("benchmarks", "examples", "tests")
PACKAGES = ("articles", "storage", "dedup", "pipelines", "crawler", "newspipe", *TOP)
# What each layer may import besides itself (the docstring above says why).
ALLOWED: dict[str, frozenset[str]] = {
    "articles": frozenset(),
    "storage": frozenset({"articles"}),
    "pipelines.extraction": frozenset({"articles"}),
    "dedup": frozenset({"storage", "pipelines.extraction", "articles"}),
    "crawler": frozenset({"storage", "dedup", "pipelines.extraction", "articles"}),
    "pipelines": frozenset({"crawler", "dedup", "storage", "pipelines.extraction", "articles"}),
    "newspipe": frozenset({"crawler", "dedup", "storage", "pipelines", "pipelines.extraction", "articles"}),
    **{
        top: frozenset({"articles", "storage", "dedup", "pipelines", "pipelines.extraction", "crawler", "newspipe", *TOP})
        for top in TOP
    },
}
@dataclass(frozen=True, slots=True)
class Import:
    importer: str
    imported: str
    line: int
    type_only: bool  # under `if TYPE_CHECKING:`


def layer_of(module: str) -> str:
    """The layer a project module belongs to: the longest name in ALLOWED it is inside."""
    parts = module.split(".")
    for size in range(len(parts), 0, -1):
        name = ".".join(parts[:size])
        if name in ALLOWED:
            return name
    raise ValueError(f"{module} is in no layer")


def module_names(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Every project module (dotted name) and its file."""
    modules: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST, type_only: bool = False) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement under `node`, at any depth, and whether it is for type checkers only."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, type_only
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for inner in child.body:
                yield from _walk(ast.Module(body=[inner], type_ignores=[]), True)
            for inner in child.orelse:
                yield from _walk(ast.Module(body=[inner], type_ignores=[]), type_only)
        else:
            yield from _walk(child, type_only)


def imports_of(module: str, source: str, modules: Mapping[str, Path], is_package: bool = False) -> list[Import]:
    """The project modules `module` imports (its source given), resolved against `modules`."""
    found: list[Import] = []

    def add(name: str, node: ast.stmt, type_only: bool) -> None:
        # The longest prefix that is a project module: `a.b.C` (a class) is module `a.b`.
        parts = name.split(".")
        while parts and ".".join(parts) not in modules:
            parts.pop()
        if parts and ".".join(parts) != module:
            found.append(Import(module, ".".join(parts), node.lineno, type_only))

    for node, type_only in _walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node, type_only)
            continue
        if node.level:
            package = module.split(".") if is_package else module.split(".")[:-1]
            base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        for alias in node.names:
            add(f"{base}.{alias.name}", node, type_only)  # a submodule, or a name inside `base`
    return found


def project_imports(root: Path = ROOT) -> list[Import]:
    modules = module_names(root)
    found: list[Import] = []
    for module, path in modules.items():
        found += imports_of(module, path.read_text(encoding="utf-8"), modules, is_package=path.name == "__init__.py")
    return found


def upward(imports: Iterable[Import]) -> list[Import]:
    """Imports a layer's rule does not allow."""
    bad = []
    for edge in imports:
        source, target = layer_of(edge.importer), layer_of(edge.imported)
        if source != target and target not in ALLOWED[source]:
            bad.append(edge)
    return bad


def cycles(imports: Iterable[Import]) -> list[list[str]]:
    """Sets of modules (two or more) that import each other at run time: strongly connected components."""
    graph: dict[str, set[str]] = {}
    for edge in imports:
        if not edge.type_only:
            graph.setdefault(edge.importer, set()).add(edge.imported)
            graph.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:  # Tarjan's algorithm, iterative (no recursion limit)
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _describe(edges: Iterable[Import]) -> list[str]:
    return [f"{e.importer} (line {e.line}) imports {e.imported}" for e in edges]


def test_no_upward_imports() -> None:
    bad = upward(project_imports())
    assert not bad, "\n".join(_describe(bad))


def test_no_import_cycles() -> None:
    imports = project_imports()
    assert not cycles(imports), cycles(imports)
    # Nor between layers (`storage` -> `pipelines` -> `storage` through different modules).
    between = [
        Import(layer_of(e.importer), layer_of(e.imported), e.line, e.type_only)
        for e in imports
        if layer_of(e.importer) != layer_of(e.imported)
    ]
    assert not cycles(between), cycles(between)


def test_layer_rules_have_no_loop() -> None:
    rules = [Import(layer, allowed, 0, False) for layer, targets in ALLOWED.items() for allowed in targets if layer not in TOP]
    assert cycles(rules) == []


def test_crawler_holds_no_application() -> None:
    # The CLI, demo server and reports live in newspipe/ (the application), not next to the Scrapy code.
    names = {path.stem for path in (ROOT / "crawler").glob("*.py")}
    assert not names & {"cli", "demo", "report", "health_report", "config", "dryrun"}, sorted(names)


# The walker itself, on a small made-up project.


def _project(tmp_path: Path, files: Mapping[str, str]) -> list[Import]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for package in PACKAGES:
        (tmp_path / package).mkdir(exist_ok=True)
    return project_imports(tmp_path)


def test_walker_finds_an_upward_import_inside_a_function(tmp_path: Path) -> None:
    imports = _project(
        tmp_path,
        {
            "storage/__init__.py": "",
            "storage/repository.py": "def save():\n    from crawler.items import Article\n    return Article\n",
            "crawler/__init__.py": "",
            "crawler/items.py": "from storage import repository\n",
        },
    )
    assert _describe(upward(imports)) == ["storage.repository (line 2) imports crawler.items"]
    assert cycles(imports) == [["crawler.items", "storage.repository"]]


def test_walker_reads_relative_and_type_checking_imports(tmp_path: Path) -> None:
    imports = _project(
        tmp_path,
        {
            "pipelines/__init__.py": "",
            "pipelines/store.py": "from .extraction import core\n",
            "pipelines/extraction/__init__.py": "from . import core\n",
            "pipelines/extraction/core.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pipelines.store import Store\n"
            ),
        },
    )
    assert _describe(upward(imports)) == ["pipelines.extraction.core (line 3) imports pipelines.store"]
    # The type-only import never runs, so it makes no loop with pipelines.store's import of core.
    assert cycles(imports) == []
    assert {(e.importer, e.imported) for e in imports} >= {
        ("pipelines.store", "pipelines.extraction.core"),
        ("pipelines.extraction", "pipelines.extraction.core"),
    }


def test_walker_allows_downward_imports(tmp_path: Path) -> None:
    imports = _project(
        tmp_path,
        {
            "newspipe/__init__.py": "import crawler.runner\nimport pipelines.store\n",
            "crawler/__init__.py": "",
            "crawler/runner.py": "from storage.engine import Database\nfrom pipelines.extraction import urls\n",
            "pipelines/__init__.py": "",
            "pipelines/store.py": "import crawler.runner\n",
            "pipelines/extraction/__init__.py": "",
            "pipelines/extraction/urls.py": "",
            "storage/__init__.py": "",
            "storage/engine.py": "",
        },
    )
    assert len(imports) == 5
    assert upward(imports) == [] and cycles(imports) == []
