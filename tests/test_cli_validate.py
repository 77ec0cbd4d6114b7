"""``infrec validate``: the construct's synth-time checks of request files, from a shell or CI."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from infrec_cdk import InferenceRecommendationsJob, InfrecValidationError
from infrec_cdk.cli import main
from infrec_cdk.cli.validate import PROVISIONED, Finding, check_request, with_provisioned_fields
from tests.annotations import warning_ids
from tests.cli_helpers import ROOT, infrec

EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
PHASE_SOURCE = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Phase.html"


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "examples" / f"{name}.json").read_text())
    return loaded


def write(path: Path, document: object) -> str:
    path.write_text(json.dumps(document))
    return str(path)


def with_errors() -> dict[str, Any]:
    """advanced-phases.json with two errors and a warning."""
    request = copy.deepcopy(example("advanced-phases"))
    request["InputConfig"]["JobDurationInSeconds"] = 99_999
    request["InputConfig"]["TrafficPattern"]["Phases"][0]["DurationInSeconds"] = 60
    request["InputConfig"]["TrafficPattern"]["Phases"][0]["SpawnRate"] = 5
    return request


def with_a_warning() -> dict[str, Any]:
    """advanced-phases.json without its TrafficType: infrec-cdk:trafficTypeMissing."""
    request = copy.deepcopy(example("advanced-phases"))
    del request["InputConfig"]["TrafficPattern"]["TrafficType"]
    return request


def test_the_committed_examples_are_valid():
    assert len(EXAMPLES) >= 3
    result = infrec("validate", *(str(p.relative_to(ROOT)) for p in EXAMPLES))

    assert result.returncode == 0, result.stderr
    assert f"{len(EXAMPLES)} files valid (0 errors, 0 warnings)" in result.stderr
    assert result.stdout == ""


def test_a_bad_field_fails_naming_the_file_and_the_field(tmp_path):
    request = copy.deepcopy(example("default"))
    request["InputConfig"]["ContainerConfig"]["Domain"] = 7
    bad = write(tmp_path / "bad.json", request)
    good = str(ROOT / "examples" / "default.json")

    result = infrec("validate", "--json", good, bad)

    assert result.returncode == 1
    (line,) = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert (
        line
        == f"{bad}: error: InputConfig.ContainerConfig.Domain: 7 is not a string (it is an integer)"
    )
    report = json.loads(result.stdout)
    assert report["schema"] == "infrec-validate/1"
    assert report["valid"] is False
    assert [f["valid"] for f in report["files"]] == [True, False]
    (error,) = report["files"][1]["errors"]
    assert error == {
        "path": "InputConfig.ContainerConfig.Domain",
        "message": "7 is not a string (it is an integer)",
        "source": None,
        "text": "InputConfig.ContainerConfig.Domain: 7 is not a string (it is an integer)",
    }


def test_every_problem_comes_with_its_path_and_source(tmp_path, capsys):
    path = write(tmp_path / "request.json", with_errors())

    assert main(["validate", "--json", path]) == 1

    report = json.loads(capsys.readouterr().out)
    (checked,) = report["files"]
    assert [(e["path"], e["message"], e["source"]) for e in checked["errors"]] == [
        (
            "InputConfig.JobDurationInSeconds",
            "99999 is above the maximum 18000",
            "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_RecommendationJobInputConfig.html",
        ),
        (
            "InputConfig.TrafficPattern.Phases[0].DurationInSeconds",
            "60 is below the minimum 120",
            PHASE_SOURCE,
        ),
    ]
    (warning,) = checked["warnings"]
    assert warning["id"] == "infrec-cdk:spawnRateAboveDocumented"
    assert warning["path"] == "InputConfig.TrafficPattern.Phases[0].SpawnRate"


def test_warnings_are_shown_and_fail_only_with_strict(tmp_path, capsys):
    path = write(tmp_path / "risky.json", with_a_warning())

    assert main(["validate", path]) == 0
    shown = capsys.readouterr().err
    assert f"{path}: warning [infrec-cdk:trafficTypeMissing]: " in shown
    assert "InputConfig.TrafficPattern.TrafficType: is not given" in shown
    assert "1 file valid (0 errors, 1 warning)" in shown

    assert main(["validate", "--strict", "--json", path]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["strict"] is True
    assert report["valid"] is False
    assert report["files"][0]["errors"] == []


def test_an_unreadable_file_or_invalid_json_exits_2_and_the_others_are_still_checked(
    tmp_path, capsys
):
    broken = tmp_path / "broken.json"
    broken.write_text('{"JobType": "Default",\n  oops}')
    bad = write(tmp_path / "bad.json", with_errors())
    missing = str(tmp_path / "missing.json")
    good = str(ROOT / "examples" / "default.json")

    assert main(["validate", "--json", str(broken), missing, bad, good]) == 2

    captured = capsys.readouterr()
    assert (
        "infrec validate: 3 of 4 files not valid (2 errors, 1 warning, 2 unreadable)"
        in captured.err
    )
    assert f"{broken}: not valid JSON (line 2, column 3: " in captured.err
    assert f"{missing}: no such file" in captured.err
    assert f"{bad}: error: InputConfig.JobDurationInSeconds: 99999" in captured.err
    report = json.loads(captured.out)
    assert [bool(f["unreadable"]) for f in report["files"]] == [True, True, False, False]


def test_fields_the_construct_provisions_may_be_absent_but_are_checked_when_given():
    request = example("default")
    assert not {"RoleArn", "OutputConfig", "JobName"} & set(request)
    assert check_request(request) == ((), ())

    given = {
        **request,
        "RoleArn": "nope",
        "JobName": "bad_name!",
        "OutputConfig": {"KmsKeyId": "k" * 3000},
    }
    errors, _ = check_request(given)
    assert {e.path for e in errors} == {"RoleArn", "JobName", "OutputConfig.KmsKeyId"}


def test_provisioned_fields_are_filled_as_from_request_fills_them():
    filled = with_provisioned_fields({"OutputConfig": {"KmsKeyId": "alias/mine"}, "JobType": "x"})

    assert filled == {
        "JobType": "x",
        "RoleArn": PROVISIONED,
        "OutputConfig": {
            "KmsKeyId": "alias/mine",
            "CompiledOutputConfig": {"S3OutputUri": PROVISIONED},
        },
    }


def test_a_request_that_is_not_an_object_is_an_error(tmp_path, capsys):
    path = write(tmp_path / "list.json", [example("default")])

    assert main(["validate", path]) == 1
    assert f"{path}: error: request: " in capsys.readouterr().err


def test_the_command_line_finds_what_from_request_finds():
    request = with_errors()
    with pytest.raises(InfrecValidationError) as raised:
        InferenceRecommendationsJob.from_request(cdk.Stack(cdk.App(), "Errors"), "Job", request)
    errors, _ = check_request(request)
    assert [e.text for e in errors] == list(raised.value.problems)

    stack = cdk.Stack(cdk.App(), "Warnings")
    InferenceRecommendationsJob.from_request(stack, "Job", with_a_warning())
    _, warnings = check_request(with_a_warning())
    assert [w.id for w in warnings] == ["infrec-cdk:trafficTypeMissing"]
    assert {w.id for w in warnings} <= set(warning_ids(stack))


def test_a_finding_splits_into_path_message_and_source():
    odd = Finding.parse("InputConfig.ContainerConfig['weird: key']: is not a member (allowed: A)")
    assert (odd.path, odd.message, odd.source) == (
        "InputConfig.ContainerConfig['weird: key']",
        "is not a member (allowed: A)",
        None,
    )
    cited = Finding.parse(
        f"InputConfig.X[2].Y: 60 is below the minimum 120 (source: {PHASE_SOURCE})"
    )
    assert (cited.path, cited.message, cited.source) == (
        "InputConfig.X[2].Y",
        "60 is below the minimum 120",
        PHASE_SOURCE,
    )


def test_help_documents_the_exit_statuses_and_the_json_schema(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["validate", "--help"])

    assert exited.value.code == 0
    shown = capsys.readouterr().out
    assert '"schema": "infrec-validate/1"' in shown
    assert "2  bad arguments, or a file that cannot be read or is not JSON" in shown
