"""Our subclasses of Scrapy, Twisted and scrapy-redis classes use only their public attributes.

A subclass that reads an inherited `self._name` breaks silently when the library renames it.
This walks every class of our packages that has a foreign base and fails on any `self._name`
(attribute or `getattr(self, "_name")`) that none of our own classes in its MRO defines.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Callable, Iterator

import pytest
from scrapy.downloadermiddlewares.retry import RetryMiddleware

OURS = ("crawler", "pipelines", "storage", "newspipe", "dedup")
SKIP = ("storage.migrations",)  # alembic scripts: no classes, imported by alembic only
# Private attributes read on purpose because the library offers no public way; each is guarded
# and explained where it is read.
ALLOWED = {
    ("crawler.handlers", "PooledHTTPDownloadHandler", "_pool"),  # the connection pool's size
    # The engine's requests in progress (acknowledged to Redis once finished) and its "look at the
    # scheduler again" call.
    ("crawler.distributed.scheduler", "ReliableScheduler", "_slot"),
}


def _ours(module: str) -> bool:
    return module.split(".")[0] in OURS


def _classes() -> Iterator[type]:
    for top in OURS:
        try:
            package = importlib.import_module(top)
        except ModuleNotFoundError:
            continue
        names = [top] + [m.name for m in pkgutil.walk_packages(package.__path__, prefix=f"{top}.")]
        for name in names:
            if name.startswith(SKIP) or name.endswith(".__main__"):  # runs the command line when imported
                continue
            module = importlib.import_module(name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == name and any(not _ours(base.__module__) and base.__module__ != "builtins" for base in cls.__mro__):
                    yield cls


def _class_tree(cls: type) -> ast.ClassDef:
    return ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]  # type: ignore[return-value]


def _defined(cls: type, ours: Callable[[str], bool] = _ours) -> set[str]:
    """Names our own classes in cls's MRO define: methods, class attributes, `self.x = ...`."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if not ours(klass.__module__):
            continue
        names.update(vars(klass))
        for node in ast.walk(_class_tree(klass)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign | ast.AugAssign) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id in ("self", "cls"):
                    names.add(target.attr)
    return names


def _private_reads(cls: type) -> set[str]:
    used: set[str] = set()
    for node in ast.walk(_class_tree(cls)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            name = node.attr
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call) and ast.unparse(node.value.func) == "super":
            name = node.attr
        elif (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) in ("getattr", "hasattr", "setattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            name = node.args[1].value
        else:
            continue
        if name.startswith("_") and not name.startswith("__"):
            used.add(name)
    return used


class Sneaky(RetryMiddleware):
    def process_response(self, request, response):  # type: ignore[no-untyped-def]
        return self._retry(request, "x") or response


def test_the_check_catches_an_inherited_private() -> None:
    assert _private_reads(Sneaky) - _defined(Sneaky, ours=lambda module: module == __name__) == {"_retry"}


@pytest.mark.parametrize("cls", list(_classes()), ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_subclasses_read_no_private_attribute_of_the_library(cls: type) -> None:
    foreign = {name for name in _private_reads(cls) - _defined(cls) if (cls.__module__, cls.__qualname__, name) not in ALLOWED}
    assert not foreign, f"{cls.__qualname__} reads private attributes of its library base: {sorted(foreign)}"
