"""P5: how long the README's test command takes after set-up: lint and type-check, then pytest."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from dataclasses import dataclass

from benchmarks.timing import ROOT, child_environment

__all__ = ["SuiteTime", "measure"]

_SUMMARY = re.compile(r"(?P<passed>\d+) passed")


@dataclass(frozen=True)
class SuiteTime:
    """Seconds of ``make lint`` (ruff, ruff format, mypy) and of pytest, and tests passed."""

    lint_seconds: float
    pytest_seconds: float
    passed: int


def _timed(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (make and pytest from this checkout)
        command, check=True, cwd=ROOT, env=child_environment(), capture_output=True, text=True
    )
    return time.perf_counter() - started, done.stdout


def measure() -> SuiteTime:
    """Run ``make lint`` and then pytest (what ``make test`` runs), each timed."""
    lint_seconds, _ = _timed(["make", "--no-print-directory", "lint"])
    pytest_seconds, output = _timed(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    )
    found = _SUMMARY.findall(output)
    return SuiteTime(lint_seconds, pytest_seconds, int(found[-1]) if found else 0)
