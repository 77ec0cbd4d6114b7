"""The wheel users install carries the constructs, their types and the Lambda code."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_the_handler_code_and_type_information(tmp_path):
    subprocess.run(  # noqa: S603 (fixed command)
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = tmp_path.glob("infrec_cdk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    lambda_sources = {f"infrec_cdk/_lambda/{p.name}" for p in (ROOT / "lambda").glob("*.py")}
    assert lambda_sources <= names
    assert {"infrec_cdk/_lambda/handler.py", "infrec_cdk/_lambda/waiter.py"} <= names
    assert "infrec_cdk/py.typed" in names
    assert not [n for n in names if n.startswith(("tests/", "examples/")) or "__pycache__" in n]
