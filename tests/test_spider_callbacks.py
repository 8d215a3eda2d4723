"""The spiders' callbacks, checked once here instead of on every response.

Scrapy warns about a generator callback that returns a value (the value is lost) by parsing the
callback's source on each response (`WARN_ON_GENERATOR_RETURN_VALUE`), which cost a crawl a
few % of its CPU; crawler.settings turns that off, and this test makes the same check of every
callback of every spider module at once.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from scrapy import Spider
from scrapy.utils.misc import is_generator_with_return_value

import crawler.spiders
from crawler.runner import build_settings


def spider_methods() -> list[tuple[str, object]]:
    found: dict[str, object] = {}
    for module_info in pkgutil.iter_modules(crawler.spiders.__path__, "crawler.spiders."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Spider) and cls.__module__.startswith("crawler."):
                for name, function in inspect.getmembers(cls, inspect.isfunction):
                    if function.__module__.startswith("crawler."):
                        found[f"{function.__module__}.{function.__qualname__}"] = function
    return sorted(found.items())


def test_the_per_response_check_is_off() -> None:
    assert build_settings().getbool("WARN_ON_GENERATOR_RETURN_VALUE") is False


@pytest.mark.parametrize(("name", "function"), spider_methods(), ids=[name for name, _ in spider_methods()])
def test_no_spider_method_is_a_generator_that_returns_a_value(name: str, function: object) -> None:
    assert not is_generator_with_return_value(function), f"{name}: a generator whose `return value` Scrapy would drop"


def test_the_check_sees_a_generator_that_returns_a_value() -> None:
    def callback(response: object) -> object:
        yield response
        return "lost"

    assert is_generator_with_return_value(callback)
    assert len(spider_methods()) > 20  # the walk found the spiders' methods
