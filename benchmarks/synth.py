"""P1 and P2: what a synth costs, against ``AwsCustomResource`` and as jobs are added."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.timing import median, time_alternating

__all__ = ["ScaleResult", "SynthResult", "compare_one_job", "scale"]


@dataclass(frozen=True)
class SynthResult:
    """Median seconds per kind (whole processes), and the ratio the goal is about."""

    seconds: dict[str, float]
    ratio: float


@dataclass(frozen=True)
class ScaleResult:
    """Seconds and resources of a one-job and an N-job stack, per kind."""

    jobs: int
    seconds: dict[str, float]
    resources: dict[str, int]


def _command(kind: str, jobs: int, outdir: Path) -> list[str]:
    return [sys.executable, "-m", "benchmarks.synth_once", kind, str(jobs), str(outdir)]


def _resources(outdir: Path) -> int:
    template = json.loads((outdir / "Bench.template.json").read_text(encoding="utf-8"))
    return len(template["Resources"])


def compare_one_job(rounds: int) -> SynthResult:
    """P1: one infrec job, the ``AwsCustomResource`` equivalent and an empty stack."""
    with tempfile.TemporaryDirectory(prefix="infrec-bench-") as tmp:
        kinds = ("empty", "aws-custom-resource", "infrec")
        commands = {kind: _command(kind, 1, Path(tmp) / kind) for kind in kinds}
        seconds = {kind: median(v) for kind, v in time_alternating(commands, rounds).items()}
    return SynthResult(seconds, seconds["infrec"] / seconds["aws-custom-resource"])


def scale(rounds: int, jobs: int, kinds: Sequence[str]) -> ScaleResult:
    """P2: one job against ``jobs`` jobs of each kind, in alternating order."""
    with tempfile.TemporaryDirectory(prefix="infrec-bench-") as tmp:
        commands: dict[str, list[str]] = {}
        for kind in kinds:
            for count in (1, jobs):
                commands[f"{kind}/{count}"] = _command(kind, count, Path(tmp) / f"{kind}-{count}")
        seconds = {name: median(v) for name, v in time_alternating(commands, rounds).items()}
        resources = {name: _resources(Path(tmp) / name.replace("/", "-")) for name in commands}
    return ScaleResult(jobs, seconds, resources)
