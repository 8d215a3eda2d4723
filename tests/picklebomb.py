"""A hostile pickle for the tests: unpickling it creates a marker file (as `os.system` could run
anything), so a test shows that stored data is never unpickled by checking the file is absent."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any


class _Bomb:
    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.marker, "w"))


def pickle_bomb(marker: Path) -> bytes:
    """Pickled data whose loading creates `marker`."""
    return pickle.dumps(_Bomb(marker), protocol=4)

