"""A change to the request's tags alone retags the running job; any other change starts a new one.

SageMaker can change a job's tags (AddTags, DeleteTags) and nothing else of it, so a cost-center
tag added to a stack does not start a new load test; a changed description does, and says so at
synth time.
"""

from __future__ import annotations

import copy
from typing import Any

import aws_cdk as cdk
import names
from aws_cdk.assertions import Template
from request import CREATE_REQUEST_TAG

from infrec_cdk import InferenceRecommendationsJob, ModelSource, Wait
from infrec_cdk._handler_function import OWNER_TAG
from tests.annotations import warning_ids
from tests.handler_events import REQUEST, event, run, update
from tests.harness.deploy import LocalCloudFormation
from tests.harness.resolve import STACK_ID, Resolver
from tests.iam_simulator import allows

CREATE = "CreateInferenceRecommendationsJob"
PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"


def tags_of(fake_sagemaker, name: str) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in fake_sagemaker.jobs[name].tags}


def retagged(tags: list[dict[str, str]]) -> dict[str, Any]:
    request = copy.deepcopy(REQUEST)
    request["Tags"] = tags
    return request


def test_a_change_of_tags_alone_retags_the_running_job(fake_sagemaker, cfn_receiver):
    name = run(cfn_receiver, event(cfn_receiver, "Create")).body["PhysicalResourceId"]
    before = tags_of(fake_sagemaker, name)
    new = retagged([{"Key": "team", "Value": "ops"}, {"Key": "cost-center", "Value": "42"}])

    answer = run(cfn_receiver, update(cfn_receiver, name, new))

    assert answer.status == "SUCCESS", answer.reason
    assert answer.body["PhysicalResourceId"] == name
    assert answer.reason == f"Tags of job {name} updated in place"
    assert fake_sagemaker.operations().count(CREATE) == 1
    after = tags_of(fake_sagemaker, name)
    assert after["team"] == "ops"
    assert after["cost-center"] == "42"
    assert after[CREATE_REQUEST_TAG] == before[CREATE_REQUEST_TAG]  # ours are kept
    assert OWNER_TAG in after


def test_a_removed_tag_is_removed_from_the_job(fake_sagemaker, cfn_receiver):
    name = run(cfn_receiver, event(cfn_receiver, "Create")).body["PhysicalResourceId"]

    answer = run(cfn_receiver, update(cfn_receiver, name, retagged([])))

    assert answer.body["PhysicalResourceId"] == name
    assert "team" not in tags_of(fake_sagemaker, name)
    assert fake_sagemaker.running_jobs() == [name]


def test_tags_and_anything_else_changed_start_a_new_job(fake_sagemaker, cfn_receiver):
    name = run(cfn_receiver, event(cfn_receiver, "Create")).body["PhysicalResourceId"]
    new = retagged([{"Key": "team", "Value": "ops"}])
    new["JobDescription"] = "another load test"

    answer = run(cfn_receiver, update(cfn_receiver, name, new))

    assert answer.body["PhysicalResourceId"] != name
    assert fake_sagemaker.operations().count(CREATE) == 2


def test_a_retag_with_no_job_behind_it_starts_one(fake_sagemaker, cfn_receiver):
    gone = names.generated_name("app-1f6f-rightsiz", "a" * 64)  # never created

    answer = run(cfn_receiver, update(cfn_receiver, gone, retagged([])))

    assert answer.status == "SUCCESS"
    assert answer.body["PhysicalResourceId"] != gone
    assert fake_sagemaker.operations().count(CREATE) == 1


def stack_with(**props: Any) -> cdk.Stack:
    stack = cdk.Stack(cdk.App(), "TestStack")
    InferenceRecommendationsJob(
        stack, "Job", model=ModelSource.from_model_package_version(PACKAGE), **props
    )
    return stack


def test_a_tag_change_keeps_the_wait_and_deploys_as_an_update_in_place(
    cloudformation: LocalCloudFormation, fake_sagemaker
):
    first = Template.from_stack(stack_with(tags={"team": "ml"})).to_json()
    second = Template.from_stack(stack_with(tags={"team": "ops"})).to_json()
    waits = [
        {k for k, v in t["Resources"].items() if v["Type"].startswith("AWS::CloudFormation::Wait")}
        for t in (
            Template.from_stack(stack_with(tags={"team": "ml"}, wait=Wait())).to_json(),
            Template.from_stack(stack_with(tags={"team": "ops"}, wait=Wait())).to_json(),
        )
    ]
    assert waits[0] == waits[1]  # no fresh wait for a job that stays

    created = cloudformation.deploy(first)
    (job,) = created.running_jobs
    updated = cloudformation.deploy(second)

    assert updated.status == "UPDATE_COMPLETE", updated.failure
    assert updated.running_jobs == [job]
    assert tags_of(fake_sagemaker, job)["team"] == "ops"


def test_the_handler_may_retag_only_its_own_jobs():
    template = Template.from_stack(stack_with()).to_json()
    statements = [
        statement
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Policy" and logical_id.startswith("InfrecJobHandler")
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
    ]
    resolved = Resolver(template)(statements)
    arn = "arn:aws:sagemaker:us-east-1:123456789012:inference-recommendations-job/any"
    ours = {f"aws:ResourceTag/{OWNER_TAG}": names.owner(STACK_ID, "Job")}
    theirs = {f"aws:ResourceTag/{OWNER_TAG}": "arn:aws:cloudformation:us-east-1:1:stack/X/y/z"}
    for action in ("sagemaker:AddTags", "sagemaker:DeleteTags"):
        assert allows(resolved, action, arn, ours)
        assert not allows(resolved, action, arn, theirs)


def test_a_description_warns_that_changing_it_starts_a_new_job():
    assert "infrec-cdk:descriptionStartsNewJob" in warning_ids(stack_with(description="v1"))
    assert "infrec-cdk:descriptionStartsNewJob" not in warning_ids(stack_with())
