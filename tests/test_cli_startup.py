"""``infrec`` starts without aws_cdk, jsii or Node.js, and runs as a script or a module."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import textwrap

import pytest

from infrec_cdk.cli import main
from tests.cli_helpers import ROOT, infrec

DESCRIBE = {
    "JobName": "probe",
    "JobType": "Advanced",
    "Status": "COMPLETED",
    "InferenceRecommendations": [
        {
            "RecommendationId": f"probe/{i}",
            "Metrics": {"CostPerHour": cost, "CostPerInference": cost / 6e4, "ModelLatency": 20},
            "EndpointConfiguration": {"EndpointName": f"e{i}", "InstanceType": kind},
            "ModelConfiguration": {},
        }
        for i, (kind, cost) in enumerate([("ml.c5.xlarge", 0.2), ("ml.m5.xlarge", 0.23)])
    ],
}

# Every command's code path in one process, then what it imported.
_PROBE = textwrap.dedent(
    """
    import json, sys
    from infrec_cdk.cli import main
    statuses = [
        main(["validate", "examples/default.json", "examples/advanced-phases.json"]),
        main(["estimate", "examples/advanced-phases.json", "--price", "ml.c5.xlarge=0.2"]),
        main(["report", sys.argv[1]]),
    ]
    loaded = sorted(m for m in ("aws_cdk", "jsii", "constructs") if m in sys.modules)
    sys.stderr.write(json.dumps({"statuses": statuses, "loaded": loaded}) + "\\n")
    """
)


def test_no_command_imports_aws_cdk_or_jsii(tmp_path):
    describe = tmp_path / "describe.json"
    describe.write_text(json.dumps(DESCRIBE))

    result = subprocess.run(  # noqa: S603 (fixed command)
        [sys.executable, "-c", _PROBE, str(describe)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    probe = json.loads(result.stderr.splitlines()[-1])
    assert probe == {"statuses": [0, 0, 0], "loaded": []}
    assert "Top (LowestCostPerInference): ml.c5.xlarge" in result.stdout


def test_the_console_script_and_python_m_print_the_version():
    version = importlib.metadata.version("infrec-cdk")

    script = infrec("--version")
    module = subprocess.run(
        [sys.executable, "-m", "infrec_cdk", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (script.returncode, script.stdout) == (0, f"infrec {version}\n")
    assert (module.returncode, module.stdout) == (0, f"infrec {version}\n")


def test_help_names_every_command(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--help"])

    assert exited.value.code == 0
    shown = capsys.readouterr().out
    for command in ("validate", "estimate", "report"):
        assert f"    {command} " in shown


def test_a_missing_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main([])

    assert exited.value.code == 2
    assert "the following arguments are required: COMMAND" in capsys.readouterr().err
