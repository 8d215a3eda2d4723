"""`python -m newspipe`: the `newspipe` command line (`newspipe.cli`)."""

from __future__ import annotations

from newspipe.cli import main

main()
