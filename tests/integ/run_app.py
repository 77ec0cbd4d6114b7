"""Run one integration-test app for integ-runner, then label its cloud assembly so it can read it.

integ-runner's command for every test (``--app "python run_app.py {filePath}"``, set in
``integ.config.json``). The newest ``@aws-cdk/integ-runner`` on npm (2.197.10) bundles a
toolkit-lib that reads cloud-assembly schema 53 at most, while aws-cdk-lib 2.258.0 and later write
54 and 55 (https://github.com/aws/agentcore-cli/pull/1465 traces the same break in toolkit-lib).
Between 53 and 55 the published JSON schemas of the assembly manifest and of asset manifests are
identical; the integ manifest gained only ``allowDeleteFailures`` and the ``requireApproval``
value ``destructive`` (aws-cdk.cloud-assembly-schema 53.28.0 and 55.4.0, ``schema/*.json``).

So after the app has synthesized, this labels the assembly's files 53.0.0 when they were written
as 54 or 55 and use neither addition, and refuses anything else. Delete this file (and the
``app`` entry of ``integ.config.json``) once npm serves an integ-runner that reads schema 55.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path

READABLE_MAJOR = 53
# Majors whose assembly and asset manifest schemas equal 53's (checked by diffing the schemas).
SAME_AS_READABLE = frozenset({54, 55})
READABLE_VERSION = f"{READABLE_MAJOR}.0.0"
# Integ-manifest features added after schema 53: integ-runner 2.197.10 would not honour them.
LATER_INTEG_KEYS = frozenset({"allowDeleteFailures"})
LATER_REQUIRE_APPROVAL = frozenset({"destructive"})


class UnreadableAssemblyError(Exception):
    """The assembly cannot be labelled for integ-runner without changing what it means."""


def _major(version: object, file: Path) -> int:
    if not isinstance(version, str) or not version.split(".", 1)[0].isdigit():
        raise UnreadableAssemblyError(f"{file.name}: no schema version")
    return int(version.split(".", 1)[0])


def _later_features(value: object, path: str = "") -> list[str]:
    """Paths in an integ manifest that use features of schemas after 53."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else key
            if key in LATER_INTEG_KEYS:
                found.append(here)
            elif key == "requireApproval" and item in LATER_REQUIRE_APPROVAL:
                found.append(f"{here}={item}")
            found.extend(_later_features(item, here))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_later_features(item, f"{path}[{index}]"))
    return found


def _versioned_files(outdir: Path) -> list[Path]:
    """The assembly's files that carry a schema version: manifest, marker, integ and assets."""
    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    files = [outdir / "manifest.json", outdir / "cdk.out"]
    if (outdir / "integ.json").exists():
        files.append(outdir / "integ.json")
    for artifact in manifest.get("artifacts", {}).values():
        if artifact.get("type") == "cdk:asset-manifest":
            files.append(outdir / artifact["properties"]["file"])
        if artifact.get("type") == "cdk:cloud-assembly":
            raise UnreadableAssemblyError("nested assemblies (stages) are not labelled")
    return files


def relabel(outdir: Path) -> None:
    """Label the assembly in ``outdir`` with schema 53 if that changes nothing it means."""
    documents = {
        file: json.loads(file.read_text(encoding="utf-8")) for file in _versioned_files(outdir)
    }
    majors = {_major(document.get("version"), file) for file, document in documents.items()}
    if majors <= {READABLE_MAJOR}:
        return
    unknown = sorted(majors - SAME_AS_READABLE - {READABLE_MAJOR})
    if unknown:
        raise UnreadableAssemblyError(
            f"cloud-assembly schema {unknown[0]} is newer than the {max(SAME_AS_READABLE)} this "
            "shim knows to equal 53: diff aws-cdk.cloud-assembly-schema's schema/*.json, or use "
            "an integ-runner that reads it"
        )
    integ = documents.get(outdir / "integ.json", {})
    later = _later_features(integ)
    if later:
        raise UnreadableAssemblyError(
            f"integ.json uses what integ-runner 2.197.10 cannot honour: {', '.join(later)}"
        )
    for file, document in documents.items():
        document["version"] = READABLE_VERSION
        text = json.dumps(document, indent=2 if file.name != "cdk.out" else None)
        file.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> None:
    """Run the app at ``argv[1]`` as ``__main__``, then relabel what it wrote."""
    if len(argv) != 2:
        sys.exit("usage: run_app.py INTEG_APP.py")
    app = argv[1]
    sys.argv = [app]
    runpy.run_path(app, run_name="__main__")
    try:
        relabel(Path(os.environ["CDK_OUTDIR"]))
    except UnreadableAssemblyError as error:
        sys.exit(f"run_app.py: {error}")


if __name__ == "__main__":
    main(sys.argv)
