"""mypy checks every aws_cdk module the project imports (the others it skips, for speed)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_IMPORT = re.compile(
    r"^\s*(?:from (aws_cdk(?:\.\w+)*) import (\w+)|import (aws_cdk(?:\.\w+)*))", re.MULTILINE
)


def imported_cdk_modules() -> set[str]:
    found: set[str] = set()
    folders = ("infrec_cdk", "lambda", "tests", "benchmarks", "examples")
    paths = [ROOT / "app.py", *(p for f in folders for p in (ROOT / f).rglob("*.py"))]
    for path in paths:
        for match in _IMPORT.finditer(path.read_text(encoding="utf-8")):
            package, name, plain = match.groups()
            if plain:
                found.add(plain)
            elif name.startswith(("aws_", "custom_", "interfaces", "assertions")):
                found.add(f"{package}.{name}")  # from aws_cdk import aws_iam
            else:
                found.add(package)  # from aws_cdk.assertions import Template
    return found


def checked_cdk_modules() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    overrides = config["tool"]["mypy"]["overrides"]
    return {
        module
        for override in overrides
        if override.get("follow_imports") == "normal"
        for module in override["module"]
    }


def test_every_imported_aws_cdk_module_is_type_checked():
    imported = imported_cdk_modules()
    assert "aws_cdk.aws_iam" in imported  # the scan finds imports at all
    missing = sorted(imported - checked_cdk_modules())
    assert not missing, f"add to pyproject's follow_imports = 'normal' list for mypy: {missing}"
