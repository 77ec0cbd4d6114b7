"""What users install and download: the wheel's code, and the sdist's whole source.

The wheel carries the constructs, their types, the Lambda code and the licence; the sdist
carries everything the README runs or names (examples, tests, the example app), so a reader of
either finds each file the README points to.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Made by `make setup`, `make synth` and `make docs`, never shipped.
GENERATED = (".venv/", "node_modules/", "cdk.out/", "docs/api/")


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
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not [n for n in names if n.startswith(("tests/", "examples/")) or "__pycache__" in n]


@pytest.fixture(scope="module")
def sdist_names(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("sdist")
    subprocess.run(  # noqa: S603 (fixed command)
        [sys.executable, "-m", "hatchling", "build", "--target", "sdist", "--directory", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    (sdist,) = out.glob("infrec_cdk-*.tar.gz")
    with tarfile.open(sdist) as archive:
        # Each member is "<name>-<version>/<path>".
        return {m.name.split("/", 1)[1] for m in archive.getmembers() if "/" in m.name}


def readme_paths() -> set[str]:
    """The repository paths the README names: `examples/default.json`, `tests/`, `app.py`."""
    top_level = {p.name for p in ROOT.iterdir()}
    # A relative path, not part of a URL or an ARN: no "/", ".", ":" or word character before it.
    candidates = re.findall(r"(?<![\w/.:-])((?:\.?[A-Za-z_][\w.-]*/)+[\w.-]*)", README)
    candidates += re.findall(r"`([\w.-]+)`", README)
    return {c for c in candidates if c.split("/", 1)[0] in top_level or c.startswith(GENERATED)}


def test_readme_names_only_files_that_exist():
    missing = [p for p in readme_paths() if not p.startswith(GENERATED) and not (ROOT / p).exists()]
    assert not missing, f"README names files the repository lacks: {sorted(missing)}"


def test_sdist_holds_every_file_the_readme_names(sdist_names):
    paths = readme_paths()
    assert "examples/default.json" in paths  # the search itself still finds the README's paths
    missing = [
        p
        for p in paths
        if not p.startswith(GENERATED)
        and p not in sdist_names
        and not any(name.startswith(p.rstrip("/") + "/") for name in sdist_names)
    ]
    assert not missing, f"README names files the sdist lacks: {sorted(missing)}"


def test_sdist_holds_the_examples_licence_and_changelog(sdist_names):
    examples = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "examples").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert examples
    assert examples <= sdist_names
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"} <= sdist_names
    assert not [n for n in sdist_names if n.startswith(GENERATED) or "__pycache__" in n]
