"""Autoscaling deployed on the local CloudFormation over the fake SageMaker: create to delete."""

from __future__ import annotations

import functools
import json
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk.assertions import Template

from infrec_cdk import (
    SCALING_RESOURCE_TYPE,
    Autoscaling,
    InferenceRecommendationsJob,
    ModelSource,
    RecommendedEndpoint,
    SupportedEndpointType,
    Wait,
)
from tests.fakes.sagemaker import SCALING_METRIC, FakeSageMaker, Fault
from tests.harness import app_autoscaling
from tests.harness.deploy import LocalCloudFormation

PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
OPERATION = "GetScalingConfigurationRecommendation"
TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
POLICY = "AWS::ApplicationAutoScaling::ScalingPolicy"
QUIET = Autoscaling(min_invocations_per_minute=300, max_invocations_per_minute=2000)
BUSY = Autoscaling(
    min_invocations_per_minute=3000,
    max_invocations_per_minute=9000,
    target_cpu_utilization_per_core=80,
)


@functools.cache
def _template(objective: Autoscaling) -> str:
    stack = cdk.Stack(cdk.App(), "TestStack")
    job = InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(PACKAGE),
        wait=Wait(endpoint_type=SupportedEndpointType.REAL_TIME),
    )
    endpoint = RecommendedEndpoint(
        stack, "Endpoint", job=job, model_name="churn", autoscaling=objective
    )
    assert endpoint.scaling is not None
    cdk.CfnOutput(stack, "MaxCapacity", value=cdk.Token.as_string(endpoint.scaling.max_capacity))
    return json.dumps(Template.from_stack(stack).to_json())


def template(objective: Autoscaling) -> dict[str, Any]:
    """The stack for ``objective``: synthesized once per module, a fresh copy each call."""
    return dict(json.loads(_template(objective)))


def logical_id(cloudformation: LocalCloudFormation, resource_type: str) -> str:
    (found,) = [k for k, r in cloudformation.state.items() if r.type == resource_type]
    return found


def recommended(fake: FakeSageMaker, objective: Autoscaling) -> dict[str, Any]:
    """What the fake recommends for the job's top (cheapest) recommendation and ``objective``."""
    client = boto3.client("sagemaker")
    (job,) = fake.jobs.values()
    described = client.describe_inference_recommendations_job(JobName=job.name)
    top = min(described["InferenceRecommendations"], key=lambda r: r["Metrics"]["CostPerInference"])
    answer = client.get_scaling_configuration_recommendation(
        InferenceRecommendationsJobName=job.name,
        RecommendationId=top["RecommendationId"],
        **objective.request_members(),  # type: ignore[arg-type]
    )
    return dict(answer["DynamicScalingConfiguration"])


def applied(cloudformation: LocalCloudFormation) -> tuple[dict[str, Any], dict[str, Any]]:
    """The scalable target's and the policy's properties as deployed (resolved)."""
    target = cloudformation.state[logical_id(cloudformation, TARGET)].properties
    policy = cloudformation.state[logical_id(cloudformation, POLICY)].properties
    return target, policy


def assert_applies(cloudformation: LocalCloudFormation, expected: dict[str, Any]) -> None:
    target, policy = applied(cloudformation)
    endpoint = cloudformation.state[logical_id(cloudformation, "AWS::SageMaker::Endpoint")]
    assert target["ResourceId"] == f"endpoint/{endpoint.physical_id}/variant/AllTraffic"
    # CloudFormation hands a custom resource's attributes over as strings; the schema's
    # integers and numbers are converted (the harness checks they convert).
    assert int(target["MinCapacity"]) == expected["MinCapacity"]
    assert int(target["MaxCapacity"]) == expected["MaxCapacity"]
    configuration = policy["TargetTrackingScalingPolicyConfiguration"]
    (recommended_policy,) = expected["ScalingPolicies"]
    tracking = recommended_policy["TargetTracking"]
    assert float(configuration["TargetValue"]) == tracking["TargetValue"]
    assert configuration["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": SCALING_METRIC
    }
    assert int(configuration["ScaleInCooldown"]) == expected["ScaleInCooldown"]
    assert int(configuration["ScaleOutCooldown"]) == expected["ScaleOutCooldown"]
    assert (
        policy["ScalingTargetId"]
        == cloudformation.state[logical_id(cloudformation, TARGET)].physical_id
    )


def test_create_update_refused_update_and_delete(
    waiting_cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker
):
    created = waiting_cloudformation.deploy(template(QUIET))

    assert created.status == "CREATE_COMPLETE", created.failure
    quiet = recommended(fake_sagemaker, QUIET)
    assert_applies(waiting_cloudformation, quiet)
    assert created.outputs["MaxCapacity"] == str(quiet["MaxCapacity"])
    scaling_id = logical_id(waiting_cloudformation, SCALING_RESOURCE_TYPE)
    first_id = waiting_cloudformation.state[scaling_id].physical_id
    asked = len([op for op in fake_sagemaker.operations() if op == OPERATION])

    updated = waiting_cloudformation.deploy(template(BUSY))

    assert updated.status == "UPDATE_COMPLETE", updated.failure
    busy = recommended(fake_sagemaker, BUSY)
    assert (busy["MinCapacity"], busy["MaxCapacity"]) != (
        quiet["MinCapacity"],
        quiet["MaxCapacity"],
    )
    assert_applies(waiting_cloudformation, busy)
    asked_again = [p for op, p in fake_sagemaker.calls if op == OPERATION][asked]
    assert asked_again["ScalingPolicyObjective"] == {
        "MinInvocationsPerMinute": 3000,
        "MaxInvocationsPerMinute": 9000,
    }
    assert waiting_cloudformation.state[scaling_id].physical_id != first_id
    events = updated.events[len(created.events) :]
    cleaned = [e for e in events if e.action == "Delete"]
    assert [(e.logical_id, e.physical_id, e.status) for e in cleaned] == [
        (scaling_id, first_id, "SUCCESS")  # the old id's Delete: nothing to do
    ]
    # Only the scaling resource, the target and the policy changed: no new job, no new wait.
    changed = {e.logical_id for e in events if e.action in {"Create", "Update"}}
    assert changed == {
        scaling_id,
        logical_id(waiting_cloudformation, TARGET),
        logical_id(waiting_cloudformation, POLICY),
    }
    assert len(fake_sagemaker.jobs) == 1

    # SageMaker refuses the next objective: the update rolls back and loses nothing.
    before = {k: (r.physical_id, r.properties) for k, r in waiting_cloudformation.state.items()}
    fake_sagemaker.inject(OPERATION, Fault.validation("The job has no scaling recommendation."))

    refused = waiting_cloudformation.deploy(template(QUIET))

    assert refused.status == "UPDATE_ROLLBACK_COMPLETE"
    (job_name,) = fake_sagemaker.jobs
    assert refused.failure.endswith(
        f"SageMaker's GetScalingConfigurationRecommendation for job {job_name} failed: "
        "ValidationException: The job has no scaling recommendation."
    )
    after = {k: (r.physical_id, r.properties) for k, r in waiting_cloudformation.state.items()}
    assert after == before
    assert_applies(waiting_cloudformation, busy)

    deleted = waiting_cloudformation.destroy()

    assert deleted.status == "DELETE_COMPLETE", deleted.failure
    assert deleted.resources == {}
    assert deleted.running_jobs == []


def test_nothing_to_apply_fails_the_create_and_the_rollback_leaves_nothing(
    waiting_cloudformation: LocalCloudFormation, fake_sagemaker: FakeSageMaker
):
    fake_sagemaker.scaling_metrics = ("Customized:CPUUtilization",)

    report = waiting_cloudformation.deploy(template(QUIET))

    assert report.status == "ROLLBACK_COMPLETE"
    assert "no target-tracking policy on a predefined SageMaker variant metric" in report.failure
    assert report.resources == {}
    assert report.running_jobs == []
    created = {e.logical_id for e in report.events if e.action == "Create"}
    assert not any(k.startswith("EndpointAutoscalingTarget") for k in created)


# --- the harness refuses what Application Auto Scaling would ------------------------------------

GOOD_TARGET = {
    "ServiceNamespace": "sagemaker",
    "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
    "ResourceId": "endpoint/churn/variant/AllTraffic",
    "MinCapacity": "1",
    "MaxCapacity": "4",
}
GOOD_POLICY = {
    "PolicyName": "p",
    "PolicyType": "TargetTrackingScaling",
    "ScalingTargetId": "target-1",
    "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": "500",
        "PredefinedMetricSpecification": {"PredefinedMetricType": SCALING_METRIC},
        "ScaleInCooldown": "300",
        "ScaleOutCooldown": "60",
    },
}


def test_the_harness_takes_string_attributes_as_the_schemas_numbers():
    app_autoscaling.check(TARGET, GOOD_TARGET, {})
    app_autoscaling.check(POLICY, GOOD_POLICY, {"target-1": GOOD_TARGET})


@pytest.mark.parametrize(
    ("resource_type", "properties", "message"),
    [
        (TARGET, {**GOOD_TARGET, "MinCapacity": "5"}, "Minimum capacity cannot be greater"),
        (TARGET, {**GOOD_TARGET, "ResourceId": "endpoint/churn"}, "Unsupported resource ID"),
        (TARGET, {**GOOD_TARGET, "MaxCapacity": "many"}, "Member must be of type integer"),
        (POLICY, {**GOOD_POLICY, "ScalingTargetId": "other"}, "No scalable target registered"),
        (
            POLICY,
            {
                **GOOD_POLICY,
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": "500",
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "CPUUtilization"},
                },
            },
            "Member must satisfy enum value set",
        ),
    ],
)
def test_the_harness_refuses_what_application_auto_scaling_would(
    resource_type: str, properties: dict[str, Any], message: str
):
    with pytest.raises(ValueError, match=message):
        app_autoscaling.check(resource_type, properties, {"target-1": GOOD_TARGET})
