"""Requests as JSON, for every queue kept outside the process (the Redis queue, the JOBDIR).

A stored request is Scrapy's `request_to_dict` as one JSON object: `url`, `callback` and
`errback` (names of spider methods), `method`, `headers` ({name: [values]}), `body`, `cookies`,
`meta`, `encoding`, `priority`, `dont_filter`, `flags`, `cb_kwargs` (and `_class` for a Request
subclass, plus its own attributes). Header names and values and the body are bytes, stored as
latin-1 text (one character per byte, so nothing is lost). Nothing else may be bytes: `meta`,
`cb_kwargs`, `cookies` and the rest must be plain JSON values (dict with str keys, list, str,
int, float, bool, None). A request that is not raises `UnserializableRequest` when it is
stored, naming the offending value (e.g. `meta['when']: datetime`); tuples are refused too,
rather than silently coming back as lists.

Reading is strict: anything that is not such an object (a pickle, garbage, another shape, a
callback the spider does not have, a `_class` that is not an already imported Request
subclass) raises `RefusedRequest` with the reason. Nothing read is ever executed or imported.
"""

from __future__ import annotations

import json
import math
import sys
from typing import TYPE_CHECKING, Any

from scrapy.http import Request
from scrapy.utils.request import request_from_dict

if TYPE_CHECKING:
    from scrapy import Spider

_JSON_SCALARS = (str, int, float, bool, type(None))
_MAX_PREVIEW = 80


class UnserializableRequest(ValueError):
    """A request that cannot be stored as JSON (a ValueError, as Scrapy's disk queues expect)."""


class RefusedRequest(ValueError):
    """Stored data that is not a JSON request this code reads."""


def request_to_json(request: Request, spider: Spider | None) -> bytes:
    """`request` as stored JSON (see the module docstring); raises UnserializableRequest."""
    try:
        data = request.to_dict(spider=spider)
    except ValueError as exc:  # a callback that is not a method of the spider
        raise UnserializableRequest(f"{request.url}: {exc}") from None
    return dict_to_json(data)


def dict_to_json(data: dict[str, Any]) -> bytes:
    """A `request_to_dict`-shaped dict as stored JSON; raises UnserializableRequest."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "headers":
            out[key] = {_text(name): [_text(v) for v in values] for name, values in value.items()}
        elif key == "body":
            out[key] = _text(value)
        else:
            problem = _not_json(value, key)
            if problem:
                raise UnserializableRequest(f"{data.get('url')}: {problem} is not JSON (see crawler.requestjson)")
            out[key] = value
    return json.dumps(out, separators=(",", ":"), allow_nan=False).encode("utf-8")


def request_from_json(data: bytes | str, spider: Spider | None) -> Request:
    """The request stored as `data`; raises RefusedRequest for anything else."""
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError, TypeError) as exc:
        raise RefusedRequest(f"not JSON ({exc.__class__.__name__}): {preview(data)}") from None
    if not isinstance(raw, dict):
        raise RefusedRequest(f"not a JSON object: {preview(data)}")
    cls = _request_class(raw.get("_class"))
    unknown = set(raw) - set(cls.attributes) - {"_class"}
    if unknown:
        raise RefusedRequest(f"unknown fields {sorted(unknown)}")
    _expect(raw, "url", str, required=True)
    for name in ("callback", "errback"):
        _expect(raw, name, (str, type(None)))
        if str(raw.get(name)).startswith("__"):
            raise RefusedRequest(f"{name} {raw[name]!r} is not a callback")
    _expect(raw, "method", str)
    _expect(raw, "body", str)
    _expect(raw, "encoding", str)
    _expect(raw, "meta", dict)
    _expect(raw, "cb_kwargs", dict)
    _expect(raw, "dont_filter", bool)
    _expect(raw, "flags", list)
    _expect(raw, "cookies", (dict, list))
    if type(raw.get("priority", 0)) is not int:
        raise RefusedRequest(f"priority is not an integer: {raw.get('priority')!r}")
    try:
        if "headers" in raw:
            raw["headers"] = _headers(raw["headers"])
        if "body" in raw:
            raw["body"] = raw["body"].encode("latin-1")
        request = request_from_dict(raw, spider=spider)
    except (ValueError, TypeError, AttributeError, UnicodeError) as exc:
        raise RefusedRequest(f"not a usable request: {exc}") from None
    for method in (request.callback, request.errback):
        # Only the spider's own methods: not any callable reachable as one of its attributes.
        if method is not None and getattr(method, "__self__", None) is not spider:
            raise RefusedRequest(f"callback {raw.get('callback')!r} / errback {raw.get('errback')!r} is not a method of the spider")
    return request


def preview(data: bytes | str) -> str:
    """The start of stored data, for a log line."""
    return repr(data[:_MAX_PREVIEW]) + ("..." if len(data) > _MAX_PREVIEW else "")


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _headers(value: Any) -> dict[bytes, list[bytes]]:
    if not isinstance(value, dict) or not all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in value.values()):
        raise RefusedRequest("headers are not {name: [values]}")
    return {name.encode("latin-1"): [v.encode("latin-1") for v in values] for name, values in value.items()}


def _expect(raw: dict[str, Any], name: str, types: type | tuple[type, ...], *, required: bool = False) -> None:
    if name not in raw:
        if required:
            raise RefusedRequest(f"no {name}")
        return
    if not isinstance(raw[name], types):
        raise RefusedRequest(f"{name} has the wrong type ({type(raw[name]).__name__})")


def _request_class(name: Any) -> type[Request]:
    """The Request subclass named by `_class`, if its module is imported already (never imports)."""
    if name is None:
        return Request
    if not isinstance(name, str) or "." not in name:
        raise RefusedRequest(f"bad _class {name!r}")
    module, _, attr = name.rpartition(".")
    cls = getattr(sys.modules.get(module), attr, None)
    if not (isinstance(cls, type) and issubclass(cls, Request)):
        raise RefusedRequest(f"_class {name!r} is not a loaded Request class")
    return cls


def _not_json(value: Any, path: str) -> str | None:
    """Where `value` holds something that is not a plain JSON value (None if nowhere)."""
    if isinstance(value, _JSON_SCALARS):
        return f"{path}: {value!r}" if isinstance(value, float) and not math.isfinite(value) else None
    if type(value) is list:
        for n, item in enumerate(value):
            problem = _not_json(item, f"{path}[{n}]")
            if problem:
                return problem
        return None
    if type(value) is dict:
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{path}: key {key!r}"
            problem = _not_json(item, f"{path}[{key!r}]")
            if problem:
                return problem
        return None
    return f"{path}: {type(value).__name__}"
