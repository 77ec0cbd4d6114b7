"""A Delete stops only a job its own resource started: the owner tag says which one that is."""

from __future__ import annotations

import copy

import names
from request import CREATE_REQUEST_TAG, OWNER_TAG

from tests.fakes.sagemaker import ApiError, Fault
from tests.handler_events import LOGICAL_ID, REQUEST, STACK, delete, event, run

DESCRIBE = "DescribeInferenceRecommendationsJob"
LIST_TAGS = "ListTags"
STOP = "StopInferenceRecommendationsJob"


def start_elsewhere(sagemaker_client, name: str, tags: list[dict[str, str]]) -> None:
    """A job someone else started (another stack, another tool) under ``name``."""
    request = copy.deepcopy(REQUEST)
    request["InputConfig"]["JobDurationInSeconds"] = 7200
    request["InputConfig"]["ResourceLimit"] = {"MaxNumberOfTests": 2, "MaxParallelOfTests": 1}
    sagemaker_client.create_inference_recommendations_job(
        JobName=name,
        JobType="Default",
        RoleArn=request["RoleArn"],
        InputConfig={"ModelPackageVersionArn": request["InputConfig"]["ModelPackageVersionArn"]},
        **({"Tags": tags} if tags else {}),
    )


def test_a_created_job_carries_the_owner_tag(fake_sagemaker, cfn_receiver):
    name = run(cfn_receiver, event(cfn_receiver, "Create")).body["PhysicalResourceId"]

    tags = {tag["Key"]: tag["Value"] for tag in fake_sagemaker.jobs[name].tags}
    assert tags[OWNER_TAG] == names.owner(STACK, LOGICAL_ID)
    assert tags[OWNER_TAG].startswith(f"{STACK}/")


def test_a_rollback_delete_leaves_another_owners_job_running(
    fake_sagemaker, cfn_receiver, sagemaker_client
):
    # A fixed JobName already used elsewhere, and a Describe that fails for a while: the Create
    # answers FAILED with that name (a job of ours might have started), and the rollback's
    # Delete then finds the other job under it.
    start_elsewhere(sagemaker_client, "shared-name", [{"Key": "team", "Value": "other"}])
    fake_sagemaker.inject(DESCRIBE, Fault.server_error(), times=6)
    created = run(
        cfn_receiver, event(cfn_receiver, "Create", request={**REQUEST, "JobName": "shared-name"})
    )
    assert created.status == "FAILED"
    assert created.body["PhysicalResourceId"] == "shared-name"

    rollback = run(cfn_receiver, delete(cfn_receiver, "shared-name"))

    assert rollback.status == "SUCCESS"
    assert rollback.reason == "Job shared-name was not started by this resource: left as it is"
    assert STOP not in fake_sagemaker.operations()
    assert fake_sagemaker.running_jobs() == ["shared-name"]


def test_a_delete_leaves_a_job_of_another_resource_of_the_stack_running(
    fake_sagemaker, cfn_receiver, sagemaker_client
):
    other = [{"Key": OWNER_TAG, "Value": names.owner(STACK, "AnotherJob")}]
    start_elsewhere(sagemaker_client, "sibling", other)

    answer = run(cfn_receiver, delete(cfn_receiver, "sibling"))

    assert answer.status == "SUCCESS"
    assert fake_sagemaker.running_jobs() == ["sibling"]


def test_a_job_started_before_owner_tags_is_still_stopped(
    fake_sagemaker, cfn_receiver, sagemaker_client
):
    start_elsewhere(sagemaker_client, "older", [{"Key": CREATE_REQUEST_TAG, "Value": "d" * 64}])

    answer = run(cfn_receiver, delete(cfn_receiver, "older"))

    assert answer.status == "SUCCESS"
    assert fake_sagemaker.jobs["older"].status == "STOPPING"


def test_tags_that_cannot_be_read_leave_the_job_running(fake_sagemaker, cfn_receiver):
    name = run(cfn_receiver, event(cfn_receiver, "Create")).body["PhysicalResourceId"]
    denied = ApiError("AccessDeniedException", "not authorized to perform: sagemaker:ListTags")
    fake_sagemaker.inject(LIST_TAGS, Fault("error", denied), times=1000)

    answer = run(cfn_receiver, delete(cfn_receiver, name))

    assert answer.status == "SUCCESS"
    assert "not started by this resource" in answer.reason
    assert fake_sagemaker.running_jobs() == [name]
