"""The example app deployed end to end on the local CloudFormation, against the fake SageMaker."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template

from app import ExampleStack
from infrec_cdk import RESOURCE_TYPE
from tests.fakes.sagemaker import FakeSageMaker, Fault
from tests.harness.deploy import LocalCloudFormation

ROOT = Path(__file__).resolve().parent.parent


def template(request: dict[str, Any] | None = None) -> dict[str, Any]:
    """The example stack's template: a fresh copy each call, synthesized once per request."""
    return dict(json.loads(_synthesized(None if request is None else json.dumps(request))))


@functools.cache
def _synthesized(request: str | None) -> str:
    stack = ExampleStack(
        cdk.App(), "TestStack", request=None if request is None else json.loads(request)
    )
    return json.dumps(Template.from_stack(stack).to_json())


def changed_request() -> dict[str, Any]:
    request: dict[str, Any] = json.loads((ROOT / "examples" / "default.json").read_text())
    request["JobDescription"] = "a changed request"
    return request


def job_resource(template: dict[str, Any]) -> str:
    (logical_id,) = [k for k, v in template["Resources"].items() if v["Type"] == RESOURCE_TYPE]
    return str(logical_id)


def test_example_app_create_update_delete_leaves_no_job_running(
    cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker
):
    first = template()
    created = cloudformation.deploy(first)

    assert created.status == "CREATE_COMPLETE", created.failure
    (first_job,) = created.running_jobs
    assert created.outputs["JobArn"] == fake_sagemaker.jobs[first_job].arn
    assert created.resources[job_resource(first)] == first_job

    updated = cloudformation.deploy(template(changed_request()))

    assert updated.status == "UPDATE_COMPLETE", updated.failure
    (second_job,) = updated.running_jobs
    assert second_job != first_job
    assert fake_sagemaker.jobs[first_job].status == "STOPPING"
    assert updated.outputs["JobArn"] == fake_sagemaker.jobs[second_job].arn

    deleted = cloudformation.destroy()

    assert deleted.status == "DELETE_COMPLETE", deleted.failure
    assert deleted.running_jobs == []
    assert fake_sagemaker.jobs[second_job].status == "STOPPING"
    retained = {first["Resources"][k]["Type"] for k in deleted.retained}
    assert {"AWS::S3::Bucket", "AWS::KMS::Key"} <= retained


def test_failed_create_rolls_back_with_the_physical_id_the_answer_gave(
    cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker
):
    fake_sagemaker.inject(
        "CreateInferenceRecommendationsJob", Fault.resource_limit_exceeded(), times=10
    )
    deployed = template()
    report = cloudformation.deploy(deployed)

    assert report.status == "ROLLBACK_COMPLETE"
    assert "ResourceLimitExceeded" in report.failure
    job_id = job_resource(deployed)
    job_events = [e for e in report.events if e.logical_id == job_id]
    assert [(e.action, e.status) for e in job_events] == [
        ("Create", "FAILED"),
        ("Delete", "SUCCESS"),
    ]
    assert job_events[1].physical_id == job_events[0].physical_id
    assert report.running_jobs == []


def test_failed_update_keeps_the_running_job(
    cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker
):
    created = cloudformation.deploy(template())
    fake_sagemaker.inject(
        "CreateInferenceRecommendationsJob", Fault.validation("bad request"), times=10
    )
    report = cloudformation.deploy(template(changed_request()))

    assert report.status == "UPDATE_ROLLBACK_COMPLETE"
    assert report.running_jobs == created.running_jobs
    assert cloudformation.destroy().running_jobs == []


def test_update_that_changes_nothing_in_the_request_starts_nothing(
    cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker
):
    first = template()
    created = cloudformation.deploy(first)
    second = json.loads(json.dumps(first))
    job = second["Resources"][job_resource(first)]
    job["Properties"]["JobNamePrefix"] = "renamed-prefix"  # an Update, same Request

    report = cloudformation.deploy(second)

    assert report.status == "UPDATE_COMPLETE"
    assert [(e.action, e.status) for e in report.events][-1] == ("Update", "SUCCESS")
    assert report.resources == created.resources
    assert len(fake_sagemaker.jobs) == 1
