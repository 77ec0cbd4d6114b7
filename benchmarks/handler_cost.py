"""P3: the Lambda asset's size, zipped as it is uploaded, and its import time without boto3."""

from __future__ import annotations

import io
import statistics
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.timing import ROOT, child_environment

__all__ = ["HandlerCost", "measure"]

# Run in a fresh interpreter per entry point, as a cold Lambda starts: boto3 (which Lambda's
# Python runtime provides) is imported first, then the entry point is timed.
_IMPORT_PROBE = """
import sys, time
sys.path.insert(0, sys.argv[1])
import boto3, botocore.client, botocore.exceptions, botocore.config  # the runtime's, not ours
started = time.perf_counter()
__import__(sys.argv[2])
print(time.perf_counter() - started)
"""
ENTRY_POINTS = ("handler", "waiter")


@dataclass(frozen=True)
class HandlerCost:
    """The staged asset of the stack's Lambdas (one asset serves both functions)."""

    files: int
    raw_bytes: int
    zipped_bytes: int
    import_seconds: dict[str, float]


def _staged_asset(outdir: Path) -> Path:
    """The asset directory holding ``handler.py``, as ``cdk synth`` staged it."""
    (asset,) = [p for p in outdir.glob("asset.*") if (p / "handler.py").is_file()]
    return asset


def _zipped_size(folder: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(folder).as_posix())
    return len(buffer.getvalue())


def measure(rounds: int) -> HandlerCost:
    """Synthesize one job, then size its staged handler asset and time its imports."""
    with tempfile.TemporaryDirectory(prefix="infrec-bench-") as tmp:
        outdir = Path(tmp) / "out"
        subprocess.run(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "benchmarks.synth_once", "infrec", "1", str(outdir)],
            check=True,
            cwd=ROOT,
            env=child_environment(),
            capture_output=True,
        )
        asset = _staged_asset(outdir)
        files = [p for p in asset.rglob("*") if p.is_file()]
        raw_bytes, zipped_bytes = sum(p.stat().st_size for p in files), _zipped_size(asset)
        # Lambda runs the package from a read-only /var/task, without the compiled bytecode the
        # asset leaves out: every cold start compiles the modules, and so does each probe.
        probe_environment = {**child_environment(), "PYTHONDONTWRITEBYTECODE": "1"}
        samples: dict[str, list[float]] = {}
        for _ in range(rounds):
            for module in ENTRY_POINTS:
                probe = subprocess.run(  # noqa: S603
                    [sys.executable, "-c", _IMPORT_PROBE, str(asset), module],
                    check=True,
                    capture_output=True,
                    text=True,
                    env=probe_environment,
                )
                samples.setdefault(module, []).append(float(probe.stdout))
        return HandlerCost(
            files=len(files),
            raw_bytes=raw_bytes,
            zipped_bytes=zipped_bytes,
            import_seconds={module: statistics.median(v) for module, v in samples.items()},
        )
