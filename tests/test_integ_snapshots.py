"""The integration tests' committed snapshots still match what their apps synthesize.

``tests/integ/integ_*.py`` are integ-runner apps (deployed for real by hand, see their
docstrings). Offline, integ-runner's snapshot mode synthesizes each app and diffs its stacks'
templates with the committed ``*.snapshot/`` directory, deploying nothing. Asset hashes are left
out of that diff (integ-runner's default, ``diffAssets: false``: it replaces each asset's hash by
a placeholder on both sides), so an edit to ``lambda/`` does not fail it; a change to any
template does. Refresh the snapshots, after reviewing the diff, with ``make integ-update``.

Two runs: the committed snapshots against their apps (two synths per app, about 2 s each), and
integ-runner's verdict on altered copies of one snapshot against the original, which needs no
synth at all.

The runner is an npm package (``node_modules/``, installed by ``make setup``), hence the
``node_modules`` mark on the tests that run it: ``pytest -m "not node_modules"`` leaves them out.
The other tests here check ``tests/integ/run_app.py``, which makes the assemblies of today's
aws-cdk-lib readable by that runner.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integ import run_app

ROOT = Path(__file__).resolve().parent.parent
INTEG = ROOT / "tests" / "integ"
RUNNER = ROOT / "node_modules" / ".bin" / "integ-runner"
CONFIG = "tests/integ/integ.config.json"
APPS = sorted(path.name for path in INTEG.glob("integ_*.py"))
# The settings a real run takes from the environment: the snapshots use the placeholders.
SETTINGS = ("INFREC_INTEG_MODEL_PACKAGE_ARN", "INFREC_INTEG_INSTANCE_TYPE")
# integ-runner's per-test verdict lines, e.g. "  CHANGED    integ_default_job 17.252s".
VERDICT = re.compile(r"^\s*(UNCHANGED|CHANGED|NEW|ERROR|FAILED)\s+(\S+)", re.MULTILINE)


def copy_snapshot(app: str, destination: Path) -> Path:
    """Copy ``app``'s committed snapshot, without asset copies (git-ignored: a clone has none)."""
    shutil.copytree(
        INTEG / f"{app}.snapshot", destination, ignore=shutil.ignore_patterns("asset.*")
    )
    return destination


def replace_in(directory: Path, old: str, new: str) -> None:
    for path in directory.iterdir():
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(old, new), encoding="utf-8")


def handler_asset_hash(snapshot: Path) -> str:
    template = json.loads((snapshot / "InfrecIntegDefaultJob.template.json").read_text())
    (key,) = [
        resource["Properties"]["Code"]["S3Key"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::Function"
        and resource["Properties"].get("Handler") == "handler.handler"
    ]
    return str(key).removesuffix(".zip")


def integ_runner(root: Path, *args: str) -> tuple[dict[str, str], str]:
    """integ-runner's snapshot mode in ``root``: each test's verdict, and the whole output."""
    if not RUNNER.exists():
        pytest.fail("integ-runner is not installed: `make setup` installs it (package-lock.json)")
    env = {
        **os.environ,
        # As `make` runs it: the venv first, so the config's `python` and `node` are the venv's.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        # As `make integ-update` synthesizes: CDK's own template validation only prints warnings
        # (and costs about 2 s per synth); annotations without stack traces.
        "CDK_VALIDATION": "false",
        "CDK_DISABLE_STACK_TRACE": "1",
        # Without a region the toolkit asks EC2's instance metadata service (169.254.169.254)
        # for one, and waits about 8 s per test for it to time out (conftest sets it already).
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
    }
    for name in SETTINGS:
        env.pop(name, None)
    result = subprocess.run(  # noqa: S603 (fixed command, no shell)
        [str(RUNNER), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    output = f"{result.stdout}\n{result.stderr}"
    return {name: verdict for verdict, name in VERDICT.findall(output)}, output


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    """``make integ-snapshot`` on a copy of tests/integ, as a fresh clone has it."""
    root = tmp_path_factory.mktemp("integ")
    integ = root / "tests" / "integ"
    integ.mkdir(parents=True)
    for name in ("integ.config.json", "run_app.py", *APPS):
        shutil.copy2(INTEG / name, integ / name)
    for app in APPS:
        copy_snapshot(app, integ / f"{app}.snapshot")
    return integ_runner(root, "--config", CONFIG)


@pytest.fixture(scope="module")
def altered(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str]:
    """integ-runner's diff of altered copies of a committed snapshot against the original.

    No app is synthesized: each case's "app" copies the committed snapshot into the output
    directory as its synth (about 1 s of CPU in all, where a synth of ours takes about 2 s).
    """
    cases = tmp_path_factory.mktemp("altered")
    app = "integ_default_job.py"
    for case in ("integ_changed_template.py", "integ_older_handler.py"):
        (cases / case).write_text(f"# stands for {app}: the app is {case}.assembly\n")
        copy_snapshot(app, cases / f"{case}.assembly")
        copy_snapshot(app, cases / f"{case}.snapshot")
    # A snapshot whose template differs from the synthesized one in one request field.
    replace_in(
        cases / "integ_changed_template.py.snapshot",
        '"JobType": "Default"',
        '"JobType": "Advanced"',
    )
    # As after an edit to lambda/: the snapshot names another build of the handler's asset.
    older = cases / "integ_older_handler.py.snapshot"
    replace_in(older, handler_asset_hash(older), hashlib.sha256(b"older").hexdigest())
    return integ_runner(
        cases,
        *("--directory", ".", "--language", "python"),
        *("--app", 'cp -R {filePath}.assembly/. "$CDK_OUTDIR"'),
    )


def test_every_integ_app_has_a_committed_snapshot():
    assert APPS, "no tests/integ/integ_*.py found"
    for app in APPS:
        snapshot = INTEG / f"{app}.snapshot"
        integ = json.loads((snapshot / "integ.json").read_text(encoding="utf-8"))
        for case in integ["testCases"].values():
            for stack in case["stacks"]:
                assert (snapshot / f"{stack}.template.json").is_file(), (app, stack)


@pytest.mark.node_modules
def test_committed_snapshots_match_a_fresh_synth(committed):
    verdicts, output = committed
    ours = {app.removesuffix(".py"): verdicts.get(app.removesuffix(".py")) for app in APPS}
    stale = sorted(name for name, verdict in ours.items() if verdict != "UNCHANGED")
    assert not stale, (
        f"integ snapshots differ from a fresh synth: {', '.join(stale)}; review the diff below, "
        f"then refresh them with `make integ-update`\n{output}"
    )


@pytest.mark.node_modules
def test_snapshot_check_fails_on_a_changed_template(altered):
    verdicts, output = altered
    assert verdicts["integ_changed_template"] == "CHANGED", output
    assert ".JobType:" in output
    assert "Failed: " in output


@pytest.mark.node_modules
def test_snapshot_check_ignores_the_handler_asset_hash(altered):
    verdicts, output = altered
    assert verdicts["integ_older_handler"] == "UNCHANGED", output


# --- run_app.py: the assembly's schema label --------------------------------------------------


def write_assembly(outdir: Path, version: str, integ: dict[str, object] | None = None) -> Path:
    """A minimal cloud assembly as aws-cdk-lib writes it: one stack, its assets, an integ case."""
    outdir.mkdir()
    manifest = {
        "version": version,
        "artifacts": {
            "Stack.assets": {
                "type": "cdk:asset-manifest",
                "properties": {"file": "Stack.assets.json"},
            },
            "Stack": {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": "Stack.template.json"},
            },
        },
    }
    documents = {
        "manifest.json": manifest,
        "cdk.out": {"version": version},
        "Stack.assets.json": {"version": version, "files": {}},
        "integ.json": {"version": version, "testCases": {"Case": integ or {"stacks": ["Stack"]}}},
    }
    for name, document in documents.items():
        (outdir / name).write_text(json.dumps(document), encoding="utf-8")
    return outdir


def versions(outdir: Path) -> set[str]:
    names = ("manifest.json", "cdk.out", "Stack.assets.json", "integ.json")
    return {json.loads((outdir / name).read_text())["version"] for name in names}


@pytest.mark.parametrize("version", ["54.0.0", "55.4.0"])
def test_run_app_labels_a_schema_54_or_55_assembly_53(tmp_path, version):
    outdir = write_assembly(tmp_path / "out", version)

    run_app.relabel(outdir)

    assert versions(outdir) == {"53.0.0"}


def test_run_app_leaves_a_schema_53_assembly_as_written(tmp_path):
    outdir = write_assembly(tmp_path / "out", "53.28.0")
    before = {path.name: path.read_bytes() for path in outdir.iterdir()}

    run_app.relabel(outdir)

    assert {path.name: path.read_bytes() for path in outdir.iterdir()} == before


def test_run_app_refuses_a_schema_it_has_not_compared(tmp_path):
    outdir = write_assembly(tmp_path / "out", "56.0.0")

    with pytest.raises(run_app.UnreadableAssemblyError, match="schema 56 is newer"):
        run_app.relabel(outdir)
    assert versions(outdir) == {"56.0.0"}


@pytest.mark.parametrize(
    ("case", "named"),
    [
        ({"stacks": ["Stack"], "allowDeleteFailures": True}, "allowDeleteFailures"),
        (
            {
                "stacks": ["Stack"],
                "cdkCommandOptions": {"deploy": {"args": {"requireApproval": "destructive"}}},
            },
            "requireApproval=destructive",
        ),
    ],
)
def test_run_app_refuses_integ_options_integ_runner_would_not_honour(tmp_path, case, named):
    outdir = write_assembly(tmp_path / "out", "55.0.0", integ=case)

    with pytest.raises(run_app.UnreadableAssemblyError, match=named):
        run_app.relabel(outdir)
    assert versions(outdir) == {"55.0.0"}
