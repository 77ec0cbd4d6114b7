"""Run the benchmarks and print their figures: ``python -m benchmarks [--rounds N]``."""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
from pathlib import Path

from benchmarks import handler_cost, polling, suite, synth
from benchmarks.timing import child_environment

GOAL_P1 = 1.10  # infrec one job / AwsCustomResource one job
GOAL_P2 = 1.50  # 50 jobs / one job


def _machine() -> str:
    node = subprocess.run(
        ["node", "--version"],  # noqa: S607 (the venv's Node.js, first on the child PATH)
        capture_output=True,
        text=True,
        check=True,
        env=child_environment(),
    ).stdout.strip()
    cpu = "unknown CPU"
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
        cpu = next(line.split(":", 1)[1].strip() for line in lines if "model name" in line)
    except (OSError, StopIteration):
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, Node.js {node}, "
        f"{platform.system()} {platform.release()}"
    )


def _mark(value: float, goal: float) -> str:
    return "meets" if value <= goal else "MISSES"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rounds", type=int, default=7, help="runs per measured process")
    parser.add_argument("--jobs", type=int, default=50, help="jobs in the scale benchmark")
    parser.add_argument("--skip-suite", action="store_true", help="leave out P5 (the test suite)")
    arguments = parser.parse_args()
    rounds, jobs = arguments.rounds, arguments.jobs

    print(f"Machine: {_machine()}")
    print(f"Every synth figure is the median of {rounds} whole processes, in alternating order.\n")

    one = synth.compare_one_job(rounds)
    print("P1  synth, one job (process start to exit)")
    for kind, seconds in one.seconds.items():
        print(f"    {kind:<22} {seconds:6.2f} s")
    print(
        f"    ratio infrec / AwsCustomResource: {one.ratio:.2f} ({_mark(one.ratio, GOAL_P1)} "
        f"the goal <= {GOAL_P1:.2f})\n"
    )

    kinds = ("infrec", "infrec-shared", "infrec-waiting", "aws-custom-resource")
    scaled = synth.scale(rounds, jobs, kinds)
    print(f"P2  synth, {jobs} jobs against one job")
    for kind in kinds:
        small, large = scaled.seconds[f"{kind}/1"], scaled.seconds[f"{kind}/{jobs}"]
        extra = (scaled.resources[f"{kind}/{jobs}"] - scaled.resources[f"{kind}/1"]) / (jobs - 1)
        ratio = large / small
        goal = f" ({_mark(ratio, GOAL_P2)} the goal <= {GOAL_P2:.2f})" if kind != kinds[-1] else ""
        print(
            f"    {kind:<22} 1 job {small:5.2f} s, {jobs} jobs {large:5.2f} s: "
            f"ratio {ratio:.2f}{goal}; {extra:.1f} resources per extra job "
            f"({scaled.resources[f'{kind}/{jobs}']} in all)"
        )
    print()

    cost = handler_cost.measure(rounds)
    print("P3  the Lambda asset (handler and waiter share it)")
    print(f"    {cost.files} files, {cost.raw_bytes:,} bytes; zipped {cost.zipped_bytes:,} bytes")
    for module, seconds in cost.import_seconds.items():
        print(f"    import {module}: {seconds * 1000:.1f} ms (boto3 already imported)")
    print()

    polls = polling.measure()
    print("P4  polling while a job runs")
    print(
        f"    {polls.polls_per_job_per_minute:.2f} polls per waiting job per minute "
        f"({polls.rules} poll rule for {polls.jobs} waiting jobs); per job and poll: "
        + ", ".join(f"{op} x{n:g}" for op, n in polls.calls_per_poll.items())
        + f" ({polls.calls_per_job_per_minute:.2f} calls per job per minute); per sweep: "
        + ", ".join(f"{op} x{n}" for op, n in polls.calls_per_sweep.items())
        + "; once per wait, at its first poll: "
        + (", ".join(f"{op} x{n:g}" for op, n in polls.calls_per_wait.items()) or "nothing")
    )
    print()

    if arguments.skip_suite:
        print("P5  skipped (--skip-suite)")
        return
    timed = suite.measure()
    print("P5  the README's test command after set-up (make test = make lint + pytest)")
    print(
        f"    make lint {timed.lint_seconds:5.1f} s; pytest {timed.pytest_seconds:5.1f} s "
        f"({timed.passed} passed); together {timed.lint_seconds + timed.pytest_seconds:5.1f} s"
    )


if __name__ == "__main__":
    main()
