"""Waiting for the job: deployed on the local CloudFormation over the fake SageMaker and moto."""

from __future__ import annotations

import functools
import json
from typing import Any, assert_type

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.assertions import Template

from infrec_cdk import (
    RESULTS_RESOURCE_TYPE,
    ContainerConfig,
    EndpointConfiguration,
    InferenceRecommendationsJob,
    InferenceRecommender,
    InfrecValidationError,
    ModelSource,
    Objective,
    PayloadConfig,
    Phase,
    ServerlessConfig,
    StoppingConditions,
    TopRecommendation,
    TrafficPattern,
    Wait,
)
from infrec_cdk import _resource_index as resource_index
from infrec_cdk import _waiting as waiting_module
from tests.fakes.sagemaker import FakeSageMaker
from tests.harness.completion_events import capture_completion_events, captured_events
from tests.harness.deploy import LocalCloudFormation

PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
ATTRIBUTES = ("InstanceType", "InitialInstanceCount", "CostPerHour", "ArchiveUri", "ModelLatency")


WAIT_CONDITION = "AWS::CloudFormation::WaitCondition"


def waiting_stack(wait: Wait | None = None, **props: Any) -> cdk.Stack:
    stack = cdk.Stack(cdk.App(), "TestStack")
    job = InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(PACKAGE),
        wait=wait or Wait(),
        **props,
    )
    # Typed for a waiting job: mypy (make test) checks there is no None to rule out.
    top = assert_type(job.recommended, TopRecommendation)
    assert top is job.top_recommendation
    cdk.CfnOutput(stack, "InstanceType", value=top.instance_type)
    cdk.CfnOutput(
        stack, "InitialInstanceCount", value=cdk.Token.as_string(top.initial_instance_count)
    )
    cdk.CfnOutput(stack, "CostPerHour", value=top.cost_per_hour)
    cdk.CfnOutput(stack, "ArchiveUri", value=top.archive_uri)
    cdk.CfnOutput(stack, "ModelLatency", value=top.model_latency)
    return stack


def advanced_props() -> dict[str, Any]:
    return {
        "job_duration": cdk.Duration.hours(2),
        "endpoint_configurations": [
            EndpointConfiguration.instance("ml.c5.xlarge"),
            EndpointConfiguration.instance("ml.m5.xlarge"),
            EndpointConfiguration.serverless(
                ServerlessConfig(memory_size_in_mb=2048, max_concurrency=10)
            ),
        ],
        "traffic_pattern": TrafficPattern.phases(
            [Phase(duration=cdk.Duration.minutes(2), initial_number_of_users=1, spawn_rate=1)]
        ),
        "stopping_conditions": StoppingConditions(max_invocations=1000),
    }


def describe(job_name: str) -> dict[str, Any]:
    client = boto3.client("sagemaker")
    answer: dict[str, Any] = dict(client.describe_inference_recommendations_job(JobName=job_name))
    return answer


def template_of(stack: cdk.Stack) -> dict[str, Any]:
    return dict(Template.from_stack(stack).to_json())


def default_template() -> dict[str, Any]:
    """``waiting_stack()``'s template: synthesized once per module, a fresh copy each call."""
    return dict(json.loads(_default_template()))


@functools.cache
def _default_template() -> str:
    return json.dumps(template_of(waiting_stack()))


def test_default_job_waits_signals_archives_and_exposes_the_top(
    waiting_cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker, aws_services: str
):
    queue = capture_completion_events(aws_services)
    report = waiting_cloudformation.deploy(default_template())

    assert report.status == "CREATE_COMPLETE", report.failure
    (job,) = fake_sagemaker.jobs.values()
    assert job.status == "COMPLETED"
    assert report.running_jobs == []
    recommendations = describe(job.name)["InferenceRecommendations"]
    cheapest = min(recommendations, key=lambda r: r["Metrics"]["CostPerInference"])
    assert report.outputs["InstanceType"] == cheapest["EndpointConfiguration"]["InstanceType"]
    assert report.outputs["InitialInstanceCount"] == "1"
    assert report.outputs["CostPerHour"] == str(cheapest["Metrics"]["CostPerHour"])

    archive = report.outputs["ArchiveUri"]
    bucket, key = archive.removeprefix("s3://").split("/", 1)
    s3 = boto3.client("s3", endpoint_url=aws_services, region_name="us-east-1")
    stored = s3.get_object(Bucket=bucket, Key=key)
    assert stored["ServerSideEncryption"] == "aws:kms"
    archived = json.loads(stored["Body"].read())
    assert archived["JobName"] == job.name
    assert len(archived["InferenceRecommendations"]) == len(recommendations)

    (event,) = captured_events(aws_services, queue)
    assert event["source"] == "infrec-cdk"
    assert event["detail-type"] == "Inference Recommendations Job State Change"
    assert event["detail"]["status"] == "COMPLETED"
    assert event["detail"]["jobName"] == job.name
    assert event["resources"] == [job.arn]

    # Polling stops once announced, and no second event follows later polls.
    waiting_cloudformation.advance(600)
    assert captured_events(aws_services, queue) == []

    # Deleting the stack leaves no poller and no job behind (the archive is kept).
    deleted = waiting_cloudformation.destroy()
    assert deleted.status == "DELETE_COMPLETE", deleted.failure
    assert deleted.running_jobs == []
    rules = boto3.client("events", endpoint_url=aws_services, region_name="us-east-1")
    assert [r["Name"] for r in rules.list_rules()["Rules"]] == ["to-queue"]  # the test's own
    assert s3.get_object(Bucket=bucket, Key=key)["ContentLength"] > 0


def test_advanced_job_top_follows_the_objective(
    waiting_cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker
):
    stack = waiting_stack(Wait(objective=Objective.HIGHEST_MAX_INVOCATIONS), **advanced_props())
    report = waiting_cloudformation.deploy(template_of(stack))

    assert report.status == "CREATE_COMPLETE", report.failure
    (job,) = fake_sagemaker.jobs.values()
    recommendations = describe(job.name)["InferenceRecommendations"]
    assert len(recommendations) == 3
    busiest = max(recommendations, key=lambda r: r["Metrics"]["MaxInvocations"])
    expected = busiest["EndpointConfiguration"].get("InstanceType", "")
    assert report.outputs["InstanceType"] == expected


def test_a_failed_job_fails_the_stack_with_its_reason(
    waiting_cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker, aws_services: str
):
    queue = capture_completion_events(aws_services)
    fake_sagemaker.set_outcome(None, status="FAILED", failure_reason="Benchmark endpoint OOM")

    report = waiting_cloudformation.deploy(default_template())

    assert report.status == "ROLLBACK_COMPLETE"
    assert "ended FAILED: Benchmark endpoint OOM" in report.failure
    assert report.running_jobs == []
    (event,) = captured_events(aws_services, queue)
    assert event["detail"]["status"] == "FAILED"
    assert event["detail"]["failureReason"] == "Benchmark endpoint OOM"


def test_rollback_during_the_wait_stops_the_job_and_the_polling(
    waiting_cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker, aws_services: str
):
    queue = capture_completion_events(aws_services)
    stack = waiting_stack(Wait(timeout=cdk.Duration.minutes(10)))
    report = waiting_cloudformation.deploy(template_of(stack))

    assert report.status == "ROLLBACK_COMPLETE"
    assert "WaitCondition timed out" in report.failure
    (job,) = fake_sagemaker.jobs.values()
    assert job.status in {"STOPPING", "STOPPED"}
    assert report.running_jobs == []
    events = boto3.client("events", endpoint_url=aws_services, region_name="us-east-1")
    rules = [r["Name"] for r in events.list_rules()["Rules"]]
    assert rules == ["to-queue"], "the poll rule is gone with the stack"
    # A job stopped because its stack rolls back (or is deleted) gets no completion event: the
    # job handler's Delete stops it and the poll rule is gone (the README says so).
    assert captured_events(aws_services, queue) == []


def test_no_candidate_within_the_limits_fails_with_a_reason(
    waiting_cloudformation: LocalCloudFormation,
):
    stack = waiting_stack(Wait(max_cost_per_hour=0.01))
    report = waiting_cloudformation.deploy(template_of(stack))

    assert report.status == "ROLLBACK_COMPLETE"
    assert "none of the 3 recommendations meets the limits" in report.failure
    assert "max_cost_per_hour" in report.failure
    assert report.running_jobs == []


def test_hundred_recommendations_still_fit_the_response(
    waiting_cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker
):
    fake_sagemaker.recommendations_per_job = 100
    report = waiting_cloudformation.deploy(default_template())

    assert report.status == "CREATE_COMPLETE", report.failure
    results = [r for r in waiting_cloudformation.receiver.responses if "ArchiveUri" in r.data]
    assert len(results) == 1
    assert len(results[0].raw) < 4096
    assert results[0].data["RecommendationCount"] == "100"
    assert waiting_cloudformation.receiver.rejected == []


def test_update_with_a_changed_request_waits_for_the_new_job(
    waiting_cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker
):
    first = waiting_cloudformation.deploy(default_template())
    second = waiting_cloudformation.deploy(
        template_of(waiting_stack(description="a changed request"))
    )

    assert second.status == "UPDATE_COMPLETE", second.failure
    assert len(fake_sagemaker.jobs) == 2
    assert second.outputs["ArchiveUri"] != first.outputs["ArchiveUri"]
    assert all(job.status == "COMPLETED" for job in fake_sagemaker.jobs.values())


# --- synth-time behaviour -------------------------------------------------------------------


def wait_condition(template: dict[str, Any]) -> dict[str, Any]:
    (condition,) = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudFormation::WaitCondition"
    ]
    return dict(condition)


def test_a_five_hour_job_waits_longer_than_five_hours():
    stack = waiting_stack(**{**advanced_props(), "job_duration": cdk.Duration.hours(5)})
    timeout = int(wait_condition(template_of(stack))["Properties"]["Timeout"])
    assert timeout > 5 * 3600
    assert timeout <= 12 * 3600


def test_default_jobs_get_the_longest_job_plus_a_margin():
    timeout = int(wait_condition(default_template())["Properties"]["Timeout"])
    assert timeout == 18_000 + 3_600


def test_a_changed_request_gets_a_fresh_wait_handle():
    first = default_template()
    second = template_of(waiting_stack(description="changed"))
    handles = [
        {k for k, r in t["Resources"].items() if r["Type"].startswith("AWS::CloudFormation::Wait")}
        for t in (first, second)
    ]
    assert handles[0].isdisjoint(handles[1])
    same = template_of(waiting_stack())  # synthesized again: the ids are the same
    assert {k for k in same["Resources"] if "Wait" in k} == {
        k for k in first["Resources"] if "Wait" in k
    }


def test_polls_once_a_minute_by_default_and_as_configured():
    def schedule(template: dict[str, Any]) -> str:
        (rule,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"]
        return str(rule["Properties"]["ScheduleExpression"])

    assert schedule(default_template()) == "rate(1 minute)"
    five = Wait(poll_interval=cdk.Duration.minutes(5))
    assert schedule(template_of(waiting_stack(five))) == "rate(5 minutes)"


@pytest.mark.parametrize(
    ("wait", "message"),
    [
        (Wait(poll_interval=cdk.Duration.seconds(30)), "wait.poll_interval"),
        (Wait(timeout=cdk.Duration.hours(13)), "wait.timeout"),
        (Wait(max_cost_per_hour=0), "wait.max_cost_per_hour"),
    ],
)
def test_fails_when_wait_settings_are_out_of_range(wait, message):
    with pytest.raises(InfrecValidationError, match=message):
        waiting_stack(wait)


def test_without_wait_there_is_no_waiting_machinery():
    stack = cdk.Stack(cdk.App(), "TestStack")
    job = InferenceRecommendationsJob(
        stack, "Job", model=ModelSource.from_model_package_version(PACKAGE)
    )
    template = template_of(stack)
    assert job.top_recommendation is None
    with pytest.raises(InfrecValidationError, match=r"wait: the job has no recommendation"):
        _ = job.recommended
    assert not [r for r in template["Resources"].values() if r["Type"] == RESULTS_RESOURCE_TYPE]
    assert not [r for r in template["Resources"].values() if r["Type"] == "AWS::Events::Rule"]


def test_two_identical_waiting_jobs_get_distinct_statement_ids():
    stack = cdk.Stack(cdk.App(), "TestStack")
    role = iam.Role.from_role_arn(stack, "Shared", "arn:aws:iam::123456789012:role/recommender")
    for name in ("First", "Second"):
        InferenceRecommendationsJob(
            stack,
            name,
            model=ModelSource.from_model_package_version(PACKAGE),
            role=role,
            wait=Wait(),
        )
    template = template_of(stack)
    archive_sids = []
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        sids = [
            s["Sid"] for s in resource["Properties"]["PolicyDocument"]["Statement"] if "Sid" in s
        ]
        assert len(sids) == len(set(sids)), "IAM refuses a policy with a repeated Sid"
        archive_sids += [sid for sid in sids if sid.startswith("ArchiveResults")]
    assert len(set(archive_sids)) == 2


def cfn_model(stack: cdk.Stack, model_data: str) -> sagemaker.CfnModel:
    """A model of the stack whose artefacts are ``model_data`` (the request names it by token)."""
    return sagemaker.CfnModel(
        stack,
        "Model",
        execution_role_arn="arn:aws:iam::123456789012:role/model",
        primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
            image="image:1", model_data_url=model_data
        ),
    )


def xgboost_container(sample_payload_url: str) -> ContainerConfig:
    """The container config a job of a ``CfnModel`` needs (a model, not a model package)."""
    return ContainerConfig(
        domain="MACHINE_LEARNING",
        task="OTHER",
        framework="XGBOOST",
        payload_config=PayloadConfig(sample_payload_url=sample_payload_url),
    )


def test_a_replaced_model_gets_a_fresh_wait_even_though_the_request_is_a_token():
    def waits_for(model_data: str) -> set[str]:
        stack = cdk.Stack(cdk.App(), "TestStack")
        model = cfn_model(stack, model_data)
        InferenceRecommendationsJob(
            stack,
            "Job",
            model=ModelSource.from_model(model),
            container_config=xgboost_container("s3://b/payload.tar.gz"),
            wait=Wait(),
        )
        resources = template_of(stack)["Resources"]
        return {k for k, r in resources.items() if r["Type"].startswith("AWS::CloudFormation::")}

    assert waits_for("s3://b/model-v1.tar.gz").isdisjoint(waits_for("s3://b/model-v2.tar.gz"))
    assert waits_for("s3://b/model-v1.tar.gz") == waits_for("s3://b/model-v1.tar.gz")


def test_jobs_naming_one_model_walk_the_stack_once_and_each_sees_the_model_change(monkeypatch):
    walks: list[str] = []
    walk = resource_index.cfn_resources

    def counted(stack: cdk.Stack, *, under: Any = None) -> Any:
        walks.append("job" if under is not None else "stack")
        return walk(stack, under=under)

    monkeypatch.setattr(resource_index, "cfn_resources", counted)
    monkeypatch.setattr(waiting_module, "cfn_resources", counted)

    def waits_for(model_data: str) -> list[str]:
        stack = cdk.Stack(cdk.App(), "TestStack")
        model = cfn_model(stack, model_data)
        recommender = InferenceRecommender(stack, "Recommender")  # one role, key and bucket
        for index in range(3):
            InferenceRecommendationsJob(
                stack,
                f"Job{index}",
                model=ModelSource.from_model(model),
                container_config=xgboost_container(f"s3://b/{index}.tar.gz"),
                recommender=recommender,
                wait=Wait(),
            )
        resources = template_of(stack)["Resources"]
        return sorted(k for k, r in resources.items() if r["Type"] == WAIT_CONDITION)

    first = waits_for("s3://b/model-v1.tar.gz")

    # The model and the recommender's resources found once (the first job's own resources and
    # then the stack walked), then checked by their ids.
    assert walks == ["job", "stack"]
    assert len(first) == 3
    assert set(first).isdisjoint(waits_for("s3://b/model-v2.tar.gz"))
