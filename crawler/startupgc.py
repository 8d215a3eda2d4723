"""Cyclic garbage collection paused while a crawl starts up; the start-up's objects frozen after.

Start-up is imports and object creation with little garbage (reference counting frees most of
it), yet the collector went through the growing heap again and again: 0.2 of the 1.2 CPU-s of
`newspipe crawl` up to its first request (BENCHMARKS.md, "Crawl start-up"). And switched back
on, its first collection would go through all the objects the start-up made (0.13 CPU-s).

- `pause()` switches the collector off (the CLI before importing Scrapy; `crawler.runner` again
  for its other callers). It does nothing when the collector is already off or objects are
  already frozen: then someone else manages it.
- `resume()`, at Scrapy's `engine_started` (just before the spider's start requests), moves the
  objects made so far to the permanent generation (`gc.freeze`), which collections skip, and
  switches the collector back on.
- `finish()`, when the run ends however it ends, unfreezes them (`gc.unfreeze`), so later
  collections see them again, and switches the collector on if `resume` was never reached.

What a collection would have freed during start-up stays until the run ends: measured, about
9,000 objects (1.4 MB, mostly SQLAlchemy's table events of the migrations) of 160,000.
Stdlib only, so the CLI can call it before the heavy imports. Reads no settings.
"""

from __future__ import annotations

import gc

_paused = False  # the collector is off because of `pause`
_frozen = False  # objects are in the permanent generation because of `resume`


def pause() -> None:
    """Switch the cyclic collector off until `resume` or `finish`."""
    global _paused
    if gc.isenabled() and not gc.get_freeze_count():
        gc.disable()
        _paused = True


def resume(*_: object, **__: object) -> None:
    """Freeze the objects made so far and switch the collector back on, if `pause` switched it off.
    (A signal handler: takes any arguments.)"""
    global _paused, _frozen
    if _paused:
        gc.freeze()
        _frozen = True
        _paused = False
        gc.enable()


def finish() -> None:
    """Undo `pause` and `resume`: the collector on, nothing frozen by them."""
    global _paused, _frozen
    if _frozen:
        gc.unfreeze()
        _frozen = False
    if _paused:
        _paused = False
        gc.enable()


def paused() -> bool:
    return _paused
