"""Run `newspipe ARGS` in-process inside a fresh interpreter, and read back what it left behind.

`run_cli_in_child(args, prelude=..., report=...)` runs `prelude` (set-up such as counters), then the
CLI app with `args`, then evaluates `report` (a Python expression giving a JSON-able dict) and
returns it with the exit code under "code" and stdout under "stdout". A fresh interpreter, so
`sys.modules` and patched functions start clean.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

_SCRIPT = """
import json, sys
{prelude}
from newspipe.cli import app
try:
    app(sys.argv[1:], prog_name="newspipe")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stderr.write("\\nREPORT " + json.dumps({{"code": code, **({report})}}) + "\\n")
"""


def run_cli_in_child(
    args: list[str], *, cwd: Path, prelude: str = "", report: str = "{}", env: dict[str, str] | None = None, timeout: float = 240
) -> dict[str, Any]:
    script = _SCRIPT.format(prelude=prelude, report=report)
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})}, timeout=timeout
    )
    line = next((line for line in done.stderr.splitlines() if line.startswith("REPORT ")), None)
    assert line is not None, done.stderr[-3000:]
    return {**json.loads(line.removeprefix("REPORT ")), "stdout": done.stdout, "stderr": done.stderr}
