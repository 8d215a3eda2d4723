"""Requests as JSON (crawler.requestjson): lossless for what Scrapy stores, a clear error for meta
that is not plain JSON, and a refusal for anything read that is not a JSON request."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import scrapy
from picklebomb import pickle_bomb
from scrapy.http import FormRequest, JsonRequest, Request

from crawler.requestjson import RefusedRequest, UnserializableRequest, request_from_json, request_to_json


class Spider(scrapy.Spider):
    name = "s"

    def parse(self, response: Any) -> None:
        return None

    def on_error(self, failure: Any) -> None:
        return None


SPIDER = Spider()


def test_every_field_comes_back_bytes_included() -> None:
    body = bytes(range(256))  # not text in any charset
    one = Request(
        "https://example.test/a?x=1", callback=SPIDER.parse, errback=SPIDER.on_error, method="POST", body=body,
        headers={"X-Raw": b"caf\xe9", "Accept": ["a", "b"]}, cookies={"c": "1"}, encoding="latin-1", priority=-3,
        dont_filter=True, flags=["f"], cb_kwargs={"n": [1, 2.5, None, True]},
        meta={"newspipe": {"source": "x", "when": "2025-10-28T08:00:00+00:00"}, "depth": 2},
    )  # fmt: skip
    again = request_from_json(request_to_json(one, SPIDER), SPIDER)
    for attr in ("url", "method", "body", "headers", "cookies", "meta", "encoding", "priority", "dont_filter", "flags", "cb_kwargs"):
        assert getattr(again, attr) == getattr(one, attr), attr
    assert again.callback == SPIDER.parse and again.errback == SPIDER.on_error


@pytest.mark.parametrize(
    "one",
    [FormRequest("https://example.test/f", formdata={"q": "é"}), JsonRequest("https://example.test/j", data={"a": 1})],
)
def test_request_subclasses_come_back_as_themselves(one: Request) -> None:
    again = request_from_json(request_to_json(one, SPIDER), SPIDER)
    assert type(again) is type(one) and again.body == one.body and again.headers == one.headers


@pytest.mark.parametrize(
    ("meta", "where"),
    [
        ({"when": datetime(2025, 1, 1, tzinfo=timezone.utc)}, "meta['when']: datetime"),
        ({"raw": b"x"}, "meta['raw']: bytes"),
        ({"pair": (1, 2)}, "meta['pair']: tuple"),
        ({"ids": {1, 2}}, "meta['ids']: set"),
        ({"deep": [{"x": object()}]}, "meta['deep'][0]['x']: object"),
        ({"n": float("nan")}, "meta['n']: nan"),
        ({1: "int key"}, "meta: key 1"),
    ],
)
def test_meta_that_is_not_plain_json_is_an_error_naming_the_value(meta: dict[Any, Any], where: str) -> None:
    with pytest.raises(UnserializableRequest, match=re.escape(f"https://example.test/a: {where}")):
        request_to_json(Request("https://example.test/a", meta=meta), SPIDER)


def good(**change: Any) -> bytes:
    data = {"url": "https://example.test/a", "callback": "parse", "meta": {}, **change}
    return json.dumps({k: v for k, v in data.items() if v is not ...}).encode()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x80\x04garbage",
        b"not json",
        b"[1, 2]",
        b'"https://example.test/a"',
        good(url=...),
        good(url=7),
        good(callback="nope"),  # not a method of the spider
        good(callback="__init__"),
        good(callback="name"),  # an attribute, not a method
        good(priority="1"),
        good(priority=True),
        good(meta=[]),
        good(headers={"A": "b"}),
        good(body="\u20ac"),  # not a byte
        good(_class="os.system"),
        good(_class="some.module.not.imported.Request"),
        good(_class="builtins.dict"),
        good(extra=1),
    ],
)
def test_anything_else_is_refused(data: bytes) -> None:
    with pytest.raises(RefusedRequest):
        request_from_json(data, SPIDER)


def test_a_pickle_is_refused_not_loaded(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(RefusedRequest, match="not JSON"):
        request_from_json(pickle_bomb(marker), SPIDER)
    assert not marker.exists()


def test_a_request_written_by_hand_is_read() -> None:
    request = request_from_json(good(), SPIDER)
    assert request.url == "https://example.test/a" and request.callback == SPIDER.parse and request.method == "GET"
