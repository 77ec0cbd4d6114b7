"""``infrec report``: a finished job's recommendations, ranked as the waiter ranks them."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from infrec_cdk import _lambda_code
from infrec_cdk import _selection as _selection_module
from infrec_cdk._selection import selection
from infrec_cdk.cli import main
from infrec_cdk.cli.report import build_report
from tests.cli_helpers import ROOT, infrec, table_rows
from tests.fakes.sagemaker import REGION, FakeSageMaker

if TYPE_CHECKING:  # imported by type checkers alone: 0.2 s per test process
    from types_boto3_sagemaker import SageMakerClient

# The module the command line ranks with: lambda/selection.py, as the waiter's asset holds it.
OBJECTIVES = selection.OBJECTIVES
Candidate = selection.Candidate
Limits = selection.Limits
candidates, rank, select = selection.candidates, selection.rank, selection.select

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EXTRA = "pip install 'infrec-cdk[report]'"


def finished_job(
    client: SageMakerClient, fake: FakeSageMaker, tmp_path: Path, name: str = "churn-sizing"
) -> Path:
    """Run advanced-phases.json on the fake to the end; archive its Describe answer as the waiter.

    As the waiter writes it (lambda/results.py): JSON, datetimes in ISO 8601.
    """
    request = json.loads((ROOT / "examples" / "advanced-phases.json").read_text())
    request |= {"JobName": name, "RoleArn": "arn:aws:iam::123456789012:role/infrec"}
    client.create_inference_recommendations_job(**request)
    fake.advance(20_000)
    describe = dict(client.describe_inference_recommendations_job(JobName=name))
    describe.pop("ResponseMetadata")
    assert describe["Status"] == "COMPLETED"
    archive = tmp_path / "describe.json"
    archive.write_text(json.dumps(describe, default=lambda value: value.isoformat(), indent=1))
    return archive


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive of a finished Advanced job: 3 instance types and a serverless endpoint.

    Made once for the module (no test changes it), with a fake SageMaker of its own.
    """
    with FakeSageMaker() as fake:
        client = boto3.client("sagemaker", endpoint_url=fake.endpoint_url, region_name=REGION)
        return finished_job(client, fake, tmp_path_factory.mktemp("archive"))


def test_every_recommendation_is_a_row_with_its_figures(archive, capsys):
    assert main(["report", str(archive)]) == 0

    rows = table_rows(capsys.readouterr().out)
    described = json.loads(archive.read_text())["InferenceRecommendations"]
    assert len(rows) == len(described) == 4
    first = described[0]  # the fake's cheapest per inference
    assert rows[0] == [
        "\N{BLACK STAR}",
        "1",
        "ml.c5.xlarge",
        "1",
        str(first["Metrics"]["CostPerHour"]),
        f"{first['Metrics']['CostPerInference']:.4g}",
        str(first["Metrics"]["ModelLatency"]),
        "P95",  # the job's StoppingConditions.ModelLatencyThresholds
        str(first["Metrics"]["MaxInvocations"]),
        "",
    ]
    labels = [row[2] for row in rows]
    assert "serverless 4096 MB, max concurrency 20" in labels
    (swept,) = [row for row in rows if row[2] == "ml.m5.xlarge"]
    assert swept[-1] == "OMP_NUM_THREADS=1"


@pytest.mark.parametrize("objective", list(OBJECTIVES))
def test_the_ranking_and_the_top_are_the_waiters(archive, objective, capsys):
    cli_name = objective.lower() if objective.startswith("Highest") else objective
    assert main(["report", str(archive), "--objective", cli_name]) == 0

    rows = table_rows(capsys.readouterr().out)
    report = build_report(json.loads(archive.read_text()), objective)
    found = [row.candidate for row in report.rows]
    assert found == rank(found, objective)
    top = select(found, objective, Limits())
    assert isinstance(top, Candidate)
    assert [row[2] for row in rows if row[0]] == [report.rows[0].label]
    assert report.rows[0].candidate is top


def test_limits_exclude_rows_at_the_end_and_say_why(archive, capsys):
    status = main(
        [
            "report",
            str(archive),
            "--objective",
            "HighestMaxInvocations",
            "--max-cost-per-hour",
            "0.4",
        ]
    )

    assert status == 0
    out = capsys.readouterr().out
    rows = table_rows(out)
    assert [(row[1], row[2]) for row in rows[:2]] == [("1", "ml.m5.xlarge"), ("2", "ml.c5.xlarge")]
    assert [row[1] for row in rows[2:]] == ["-", "-"]
    assert [row[2] for row in rows[2:]] == [
        "serverless 4096 MB, max concurrency 20",
        "ml.g5.xlarge",
    ]
    assert rows[2][-1] == "(excluded: cost per hour 0.545 is above 0.4)"
    assert rows[0][0] == "\N{BLACK STAR}"


def test_nothing_within_the_limits_exits_1_with_the_waiters_reason(archive, capsys):
    assert main(["report", str(archive), "--max-model-latency", "1"]) == 1

    assert "none of the 4 recommendations meets the limits" in capsys.readouterr().err


def test_charts_are_written_as_png_svg_and_html(archive, tmp_path, capsys):
    png = tmp_path / "chart.png"
    result = infrec("report", str(archive), "--chart", str(png))
    assert result.returncode == 0, result.stderr
    assert png.read_bytes().startswith(PNG_MAGIC)
    assert png.stat().st_size > 10_000

    svg = tmp_path / "chart.svg"
    assert main(["report", str(archive), "--chart", str(svg)]) == 0
    root = ET.parse(svg).getroot()  # noqa: S314 (a file this test wrote)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {"".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert "top: ml.c5.xlarge" in texts
    assert "Pareto front (lowest cost for its latency)" in texts

    page = tmp_path / "chart.html"
    assert main(["report", str(archive), "--chart", str(page)]) == 0
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert '<p id="top">Top (LowestCostPerInference): ml.c5.xlarge x 1: 0.2 USD/hour' in html
    assert "<svg " in html
    assert "<?xml" not in html
    assert html.count("<tr") == 1 + 4  # the header and every recommendation
    capsys.readouterr()


def test_the_chart_highlights_the_pareto_front_and_labels_the_top(tmp_path, capsys):
    # (instance type, latency, cost per inference): c5.xlarge is on the front but outside the
    # latency limit; m5.xlarge is beaten by c6i.xlarge on both.
    measured = [
        ("ml.c5.xlarge", 45, 2.0e-6),
        ("ml.c6i.xlarge", 30, 2.6e-6),
        ("ml.g5.xlarge", 12, 6.0e-6),
        ("ml.m5.xlarge", 50, 3.1e-6),
        ("ml.c5.2xlarge", 28, 3.5e-6),
    ]
    describe = {
        "JobName": "trade-off",
        "InferenceRecommendations": [
            {
                "RecommendationId": f"trade-off/{i}",
                "Metrics": {"CostPerHour": 0.2, "CostPerInference": cost, "ModelLatency": latency},
                "EndpointConfiguration": {"InstanceType": kind, "InitialInstanceCount": 1},
            }
            for i, (kind, latency, cost) in enumerate(measured)
        ],
    }
    source = tmp_path / "describe.json"
    source.write_text(json.dumps(describe))
    chart = tmp_path / "chart.svg"

    assert main(["report", str(source), "--max-model-latency", "40", "--chart", str(chart)]) == 0

    capsys.readouterr()
    root = ET.parse(chart).getroot()  # noqa: S314 (a file this test wrote)
    texts = {"".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert "top: ml.c6i.xlarge" in texts  # the cheapest within the limit
    assert {"ml.g5.xlarge", "ml.c5.2xlarge", "ml.c5.xlarge"} <= texts  # the rest of the front
    assert "ml.m5.xlarge" not in texts
    assert {"outside the limits", "Pareto front (lowest cost for its latency)"} <= texts
    assert "other recommendation" not in texts  # m5.xlarge, the one off the front, is outside


def test_the_pareto_front_is_the_lowest_cost_for_each_latency():
    from infrec_cdk.cli.chart import pareto_front  # noqa: PLC0415 (matplotlib: only where used)

    points = [(30.0, 1.0), (10.0, 5.0), (20.0, 2.0), (25.0, 3.0), (20.0, 2.0), (40.0, 1.0)]

    assert pareto_front(points) == [1, 2, 0]
    assert pareto_front([]) == []


def test_without_rich_the_table_is_plain_text(archive, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "rich", None)  # `import rich...` now raises ImportError
    monkeypatch.setitem(sys.modules, "rich.console", None)

    assert main(["report", str(archive)]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert "│" not in "".join(lines)
    assert lines[1].split()[:3] == ["#", "Instance", "type"]
    assert lines[2].split()[:3] == ["*", "1", "ml.c5.xlarge"]
    assert lines[3].split()[:2] == ["2", "ml.m5.xlarge"]


def test_a_chart_without_matplotlib_names_the_extra(archive, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    chart = tmp_path / "chart.png"

    assert main(["report", str(archive), "--chart", str(chart)]) == 2

    assert EXTRA in capsys.readouterr().err
    assert not chart.exists()


def test_a_chart_of_another_kind_is_a_usage_error(archive, capsys):
    assert main(["report", str(archive), "--chart", "chart.pdf"]) == 2
    assert "use a .png, .svg or .html file" in capsys.readouterr().err


def test_an_unknown_objective_is_a_usage_error(archive, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["report", str(archive), "--objective", "cheapest"])

    assert exited.value.code == 2
    assert (
        "'cheapest' is not an objective: use one of LowestCostPerInference"
        in capsys.readouterr().err
    )


@pytest.mark.usefixtures("fake_sagemaker")
def test_sources_that_cannot_be_read_exit_2(tmp_path, capsys):
    broken = tmp_path / "describe.json"
    broken.write_text("{")

    assert main(["report", str(broken)]) == 2
    assert f"{broken}: not valid JSON" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.json")]) == 2
    assert "missing.json: no such file" in capsys.readouterr().err
    assert main(["report", "no-such-job"]) == 2
    assert "job no-such-job: cannot be described (" in capsys.readouterr().err
    assert main(["report", "s3://bucket-only"]) == 2
    assert "expected s3://BUCKET/KEY" in capsys.readouterr().err


def test_a_missing_s3_archive_exits_2(aws_services, capsys):
    del aws_services  # moto's S3 through AWS_ENDPOINT_URL_S3

    assert main(["report", "s3://no-such-bucket/job/describe.json"]) == 2

    assert (
        "s3://no-such-bucket/job/describe.json: cannot be read from S3 (" in capsys.readouterr().err
    )


def test_a_job_still_running_has_nothing_to_rank(sagemaker_client: SageMakerClient, capsys):
    request = json.loads((ROOT / "examples" / "default.json").read_text())
    request |= {"JobName": "still-running", "RoleArn": "arn:aws:iam::123456789012:role/infrec"}
    sagemaker_client.create_inference_recommendations_job(**request)

    assert main(["report", "still-running"]) == 1

    assert "job still-running is PENDING: no recommendations to rank" in capsys.readouterr().err


def test_an_existing_endpoints_performance_is_ranked_when_there_are_no_recommendations():
    describe: dict[str, Any] = {
        "JobName": "existing",
        "Status": "COMPLETED",
        "EndpointPerformances": [
            {
                "Metrics": {"MaxInvocations": 900, "ModelLatency": 40},
                "EndpointInfo": {"EndpointName": "a"},
            },
            {
                "Metrics": {"MaxInvocations": 1200, "ModelLatency": 35},
                "EndpointInfo": {"EndpointName": "b"},
            },
        ],
    }

    report = build_report(describe, "LowestLatency")

    assert [row.label for row in report.rows] == ["b", "a"]
    assert report.rows[0].top


def _recommendation(index: int, *, serverless: bool, metrics: dict[str, Any]) -> dict[str, Any]:
    endpoint: dict[str, Any] = {"EndpointName": f"e{index}", "VariantName": "v"}
    if serverless:
        endpoint["ServerlessConfig"] = {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
    else:
        endpoint |= {"InstanceType": "ml.c5.xlarge", "InitialInstanceCount": 1}
    return {
        "RecommendationId": f"job/{index % 3}",
        "Metrics": {name: value for name, value in metrics.items() if value is not None},
        "EndpointConfiguration": endpoint,
        "ModelConfiguration": {},
    }


_METRICS = st.fixed_dictionaries(
    {
        "CostPerHour": st.none() | st.sampled_from([0.2, 0.4, 1.0]),
        "CostPerInference": st.none() | st.sampled_from([1e-6, 2e-6, 3e-6]),
        "MaxInvocations": st.none() | st.sampled_from([500, 1000]),
        "ModelLatency": st.none() | st.sampled_from([10, 20, 30]),
    }
)
_DESCRIBES = st.lists(st.tuples(st.booleans(), _METRICS), max_size=6).map(
    lambda items: {
        "InferenceRecommendations": [
            _recommendation(i, serverless=s, metrics=m) for i, (s, m) in enumerate(items)
        ]
    }
)
_LIMITS = st.builds(
    Limits,
    max_model_latency=st.none() | st.sampled_from([15.0, 25.0]),
    max_cost_per_hour=st.none() | st.sampled_from([0.3, 0.5]),
    endpoint_type=st.none() | st.sampled_from(["RealTime", "Serverless"]),
)


@given(describe=_DESCRIBES, objective=st.sampled_from(list(OBJECTIVES)), limits=_LIMITS)
def test_the_reports_first_row_is_always_the_waiters_choice(describe, objective, limits):
    report = build_report(describe, objective, limits)

    chosen = select(candidates(describe), objective, limits)
    tops = [row for row in report.rows if row.top]
    if isinstance(chosen, Candidate):
        assert tops == [report.rows[0]]
        assert report.rows[0].candidate == chosen
    else:
        assert tops == []
        assert report.no_top == chosen
    ranks = [row.rank for row in report.rows]
    kept = [r for r in ranks if r is not None]
    assert ranks[: len(kept)] == kept == list(range(1, len(kept) + 1))


def test_an_installed_wheels_lambda_folder_comes_first(tmp_path, monkeypatch):
    package = tmp_path / "infrec_cdk"
    (package / "_lambda").mkdir(parents=True)
    (package / "_lambda" / "handler.py").write_text("")
    monkeypatch.setattr(_lambda_code, "__file__", str(package / "_lambda_code.py"))

    assert _selection_module.handler_code_dir() == package / "_lambda"
