"""Run the installed ``infrec`` console script as a user would (this module holds no tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The console script pip installed next to this interpreter (the venv's bin).
INFREC = Path(sys.executable).parent / "infrec"


def infrec(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``infrec ARGS`` in a process of its own; the environment is the test's.

    ``COLUMNS`` is wide so that rich keeps each table row on one line.
    """
    return subprocess.run(  # noqa: S603 (the project's own script)
        [str(INFREC), *args],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "240"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def table_rows(stdout: str) -> list[list[str]]:
    """The body rows of rich's table: [mark, rank, instance type, count, ...] each."""
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in stdout.splitlines()
        if line.startswith("│")
    ]
