"""The handler may create, look up and stop this stack's jobs, by name or by the owner tag.

The synthesized handler policy, resolved as CloudFormation would, is evaluated against the calls
the handler makes (``tests/iam_simulator.py``).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import names
import request as lambda_request
from aws_cdk.assertions import Template

from infrec_cdk import InferenceRecommendationsJob, ModelSource, Wait
from infrec_cdk._handler_function import OWNER_TAG
from tests.annotations import warning_ids
from tests.harness.resolve import ACCOUNT, REGION, STACK_ID, Resolver
from tests.iam_simulator import allows

PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
OWNED = {f"aws:ResourceTag/{OWNER_TAG}": names.owner(STACK_ID, "Job")}
CREATING = {f"aws:RequestTag/{OWNER_TAG}": names.owner(STACK_ID, "Job")}


def job_arn(name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:inference-recommendations-job/{name}"


def handler_statements(**props: Any) -> tuple[cdk.Stack, list[dict[str, Any]]]:
    stack = cdk.Stack(cdk.App(), "TestStack")
    InferenceRecommendationsJob(
        stack, "Job", model=ModelSource.from_model_package_version(PACKAGE), **props
    )
    template = Template.from_stack(stack).to_json()
    resolve = Resolver(template)
    statements = [
        statement
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Policy" and logical_id.startswith("InfrecJobHandler")
        for statement in resolve(resource["Properties"]["PolicyDocument"])["Statement"]
    ]
    return stack, statements


def test_the_handler_and_the_construct_name_the_same_owner_tag():
    assert lambda_request.OWNER_TAG == OWNER_TAG


def test_a_job_whose_fixed_name_went_away_can_still_be_stopped():
    # The job was started as churn-a; the request now names churn-b, and CloudFormation's cleanup
    # Delete of churn-a runs with the new policy, which has no grant on the old name.
    _, statements = handler_statements(job_name="churn-b")
    old = job_arn("churn-a")

    for action in ("DescribeInferenceRecommendationsJob", "StopInferenceRecommendationsJob"):
        assert allows(statements, f"sagemaker:{action}", old, OWNED)
        assert not allows(statements, f"sagemaker:{action}", old)  # by name: no longer
    assert allows(statements, "sagemaker:ListTags", old, OWNED)


def test_another_stacks_jobs_cannot_be_stopped_or_created():
    _, statements = handler_statements()
    another = "arn:aws:cloudformation:us-east-1:123456789012:stack/Other/abc/0123456789abcdef"
    theirs = {f"aws:ResourceTag/{OWNER_TAG}": another}

    assert not allows(statements, "sagemaker:StopInferenceRecommendationsJob", job_arn("x"), theirs)
    assert not allows(
        statements,
        "sagemaker:CreateInferenceRecommendationsJob",
        job_arn("x"),
        {f"aws:RequestTag/{OWNER_TAG}": another},
    )
    assert not allows(statements, "sagemaker:CreateInferenceRecommendationsJob", job_arn("x"))


def test_a_job_is_created_with_its_tags_only_when_tagged_as_this_stacks():
    _, statements = handler_statements()

    for action in ("CreateInferenceRecommendationsJob", "AddTags"):
        assert allows(statements, f"sagemaker:{action}", job_arn("any-name-1"), CREATING)


def test_a_generated_name_is_looked_up_before_its_job_exists():
    stack, statements = handler_statements()
    name = names.generated_name(_prefix(stack), "0" * 64)

    assert allows(statements, "sagemaker:DescribeInferenceRecommendationsJob", job_arn(name))
    assert not allows(statements, "sagemaker:DescribeInferenceRecommendationsJob", job_arn("x"))


def test_a_job_name_known_only_at_deploy_time_is_granted_and_warned_about():
    stack, statements = handler_statements(job_name=cdk.Fn.import_value("JobName"))

    template = Template.from_stack(stack).to_json()
    lookups = [
        statement
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy"
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
        if "Fn::ImportValue" in str(statement.get("Resource"))
    ]
    (lookup,) = lookups
    assert "sagemaker:DescribeInferenceRecommendationsJob" in lookup["Action"]
    assert "infrec-cdk:tokenJobName" in warning_ids(stack)
    assert allows(
        statements, "sagemaker:CreateInferenceRecommendationsJob", job_arn("Any-Name"), CREATING
    )


def _prefix(stack: cdk.Stack) -> str:
    template = Template.from_stack(stack).to_json()
    (job,) = [
        resource
        for resource in template["Resources"].values()
        if resource["Type"] == "Custom::InferenceRecommendationsJob"
    ]
    return str(job["Properties"]["JobNamePrefix"])


def _waiter_statements(**props: Any) -> list[dict[str, Any]]:
    stack = cdk.Stack(cdk.App(), "TestStack")
    InferenceRecommendationsJob(
        stack, "Job", model=ModelSource.from_model_package_version(PACKAGE), wait=Wait(), **props
    )
    template = Template.from_stack(stack).to_json()
    resolve = Resolver(template)
    return [
        statement
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Policy" and logical_id.startswith("InfrecJobWaiter")
        for statement in resolve(resource["Properties"]["PolicyDocument"])["Statement"]
    ]


def test_the_waiter_follows_this_stacks_jobs_whatever_their_names():
    # A job name known only at deploy time used to get no waiter grant, so its wait timed out.
    statements = _waiter_statements(job_name=cdk.Fn.import_value("JobName"))
    arn = job_arn("Any-Name-From-A-Parameter")

    for action in ("DescribeInferenceRecommendationsJob", "ListTags", "AddTags"):
        assert allows(statements, f"sagemaker:{action}", arn, OWNED)
    another = "arn:aws:cloudformation:us-east-1:123456789012:stack/Other/abc/0123456789abcdef"
    assert not allows(
        statements,
        "sagemaker:DescribeInferenceRecommendationsJob",
        arn,
        {f"aws:ResourceTag/{OWNER_TAG}": another},
    )
