"""``infrec report`` on the archive a deployment writes: it marks what the waiter picked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import boto3
import selection as waiter_selection  # lambda/ is on sys.path, as the waiter's asset root
from aws_cdk.assertions import Template

from infrec_cdk import InferenceRecommendationsJob, Wait
from infrec_cdk._selection import selection
from infrec_cdk._stack_function import handler_code_dir
from tests.cli_helpers import ROOT, infrec, table_rows
from tests.fakes.sagemaker import FakeSageMaker
from tests.harness.deploy import LocalCloudFormation


def waiting_default_example() -> dict[str, Any]:
    """examples/default.json, deployed with ``wait=Wait()``: the job, its wait, its archive."""
    request = json.loads((ROOT / "examples" / "default.json").read_text())
    stack = cdk.Stack(cdk.App(), "TestStack")
    job = InferenceRecommendationsJob.from_request(stack, "Job", request, wait=Wait())
    cdk.CfnOutput(stack, "InstanceType", value=job.recommended.instance_type)
    cdk.CfnOutput(stack, "ResultsArchive", value=job.recommended.archive_uri)
    return dict(Template.from_stack(stack).to_json())


def test_report_of_the_deployed_waiting_example_marks_what_the_waiter_picked(
    waiting_cloudformation: LocalCloudFormation,
    fake_sagemaker: FakeSageMaker,
    aws_services: str,
    tmp_path,
):
    deployed = waiting_cloudformation.deploy(waiting_default_example())
    assert deployed.status == "CREATE_COMPLETE", deployed.failure
    uri = deployed.outputs["ResultsArchive"]
    assert uri.endswith("/describe.json")
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    s3 = boto3.client("s3", endpoint_url=aws_services, region_name="us-east-1")
    archived = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    local = tmp_path / "describe.json"
    local.write_bytes(archived)
    (job,) = fake_sagemaker.jobs.values()

    from_file = infrec("report", str(local))

    assert from_file.returncode == 0, from_file.stderr
    recommendations = json.loads(archived)["InferenceRecommendations"]
    by_cost = sorted(recommendations, key=lambda r: r["Metrics"]["CostPerInference"])
    rows = table_rows(from_file.stdout)
    assert [row[2] for row in rows] == [r["EndpointConfiguration"]["InstanceType"] for r in by_cost]
    assert [row[1] for row in rows] == ["1", "2", "3"]
    marked = [row[2] for row in rows if row[0] == "\N{BLACK STAR}"]
    assert marked == [deployed.outputs["InstanceType"]]
    top = f"Top (LowestCostPerInference): {marked[0]} x 1: "
    assert top in from_file.stdout
    assert f"Job {job.name} (Default, COMPLETED): 3 recommendations" in from_file.stdout

    from_s3 = infrec("report", uri)  # moto's S3, through AWS_ENDPOINT_URL_S3
    assert (from_s3.returncode, from_s3.stdout) == (0, from_file.stdout), from_s3.stderr

    from_job = infrec("report", job.name)  # the fake, through AWS_ENDPOINT_URL_SAGEMAKER
    assert (from_job.returncode, from_job.stdout) == (0, from_file.stdout), from_job.stderr


def test_the_ranking_is_the_file_the_waiters_lambda_ships():
    shipped = handler_code_dir() / "selection.py"
    assert Path(selection.__file__) == shipped
    assert Path(waiter_selection.__file__).resolve() == shipped.resolve()
