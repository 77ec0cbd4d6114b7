"""``RecommendedEndpoint(autoscaling=...)``: the template it writes and the objective it accepts."""

from __future__ import annotations

import functools
import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infrec_cdk import (
    SCALING_RESOURCE_TYPE,
    Autoscaling,
    InferenceRecommendationsJob,
    InferenceRecommender,
    InfrecValidationError,
    ModelSource,
    RecommendedEndpoint,
    SupportedEndpointType,
    Wait,
)
from infrec_cdk._autoscaling import NEGATIVE_WARNING, ORDER_WARNING, autoscaling_report
from tests.annotations import warning_ids
from tests.harness.deploy import dependency_order

PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
ACTION = "sagemaker:GetScalingConfigurationRecommendation"
JOB = "Custom::InferenceRecommendationsJob"
CONDITION = "AWS::CloudFormation::WaitCondition"
REAL_TIME = Wait(endpoint_type=SupportedEndpointType.REAL_TIME)


def scaled_stack(autoscaling: Autoscaling | None, variant_name: str = "AllTraffic") -> cdk.Stack:
    stack = cdk.Stack(cdk.App(), "TestStack")
    job = InferenceRecommendationsJob(
        stack, "Job", model=ModelSource.from_model_package_version(PACKAGE), wait=REAL_TIME
    )
    endpoint = RecommendedEndpoint(
        stack,
        "Endpoint",
        job=job,
        model_name="churn",
        variant_name=variant_name,
        autoscaling=autoscaling,
    )
    scaling = endpoint.scaling
    if scaling is not None:
        for name, value in {
            "MinCapacity": scaling.min_capacity,
            "MaxCapacity": scaling.max_capacity,
            "TargetValue": scaling.target_value,
            "PredefinedMetricType": scaling.predefined_metric_type,
            "ScaleInCooldown": scaling.scale_in_cooldown,
            "ScaleOutCooldown": scaling.scale_out_cooldown,
            "InvocationsPerInstance": scaling.invocations_per_instance,
            "ModelLatency": scaling.model_latency,
            "RecommendationId": scaling.attribute("RecommendationId"),
        }.items():
            cdk.CfnOutput(stack, name, value=cdk.Token.as_string(value))
    return stack


@functools.cache
def _scaled() -> str:
    objective = Autoscaling(
        min_invocations_per_minute=100,
        max_invocations_per_minute=6000,
        target_cpu_utilization_per_core=60,
    )
    return json.dumps(Template.from_stack(scaled_stack(objective, "Blue")).to_json())


def scaled() -> dict[str, Any]:
    """The autoscaled stack's template: synthesized once per module, a fresh copy each call."""
    return dict(json.loads(_scaled()))


def one(template: dict[str, Any], resource_type: str) -> tuple[str, dict[str, Any]]:
    (found,) = [(k, r) for k, r in template["Resources"].items() if r["Type"] == resource_type]
    return found


def get_att(logical_id: str, name: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, name]}


def test_the_variant_scales_on_the_recommended_capacities():
    template = scaled()
    scaling_id, _ = one(template, SCALING_RESOURCE_TYPE)
    endpoint_id, _ = one(template, "AWS::SageMaker::Endpoint")
    _, target = one(template, "AWS::ApplicationAutoScaling::ScalableTarget")

    assert target["Properties"] == {
        "ServiceNamespace": "sagemaker",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "ResourceId": {
            "Fn::Join": ["/", ["endpoint", get_att(endpoint_id, "EndpointName"), "variant/Blue"]]
        },
        "MinCapacity": get_att(scaling_id, "MinCapacity"),
        "MaxCapacity": get_att(scaling_id, "MaxCapacity"),
    }  # no RoleARN: Application Auto Scaling's service-linked role


def test_the_policy_tracks_the_recommended_metric_and_target():
    template = scaled()
    scaling_id, _ = one(template, SCALING_RESOURCE_TYPE)
    target_id, _ = one(template, "AWS::ApplicationAutoScaling::ScalableTarget")
    _, policy = one(template, "AWS::ApplicationAutoScaling::ScalingPolicy")

    assert policy["Properties"] == {
        "PolicyName": "infrec-cdk-recommended-target-tracking",
        "PolicyType": "TargetTrackingScaling",
        "ScalingTargetId": {"Ref": target_id},
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": get_att(scaling_id, "TargetValue"),
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": get_att(scaling_id, "PredefinedMetricType")
            },
            "ScaleInCooldown": get_att(scaling_id, "ScaleInCooldown"),
            "ScaleOutCooldown": get_att(scaling_id, "ScaleOutCooldown"),
        },
    }


def test_the_recommendation_is_fetched_for_the_top_one_with_the_objective():
    template = scaled()
    job_id, _ = one(template, "Custom::InferenceRecommendationsJob")
    results_id, _ = one(template, "Custom::InferenceRecommendationsResults")
    waiter_id = next(
        k
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function" and k.startswith("InfrecJobWaiter")
    )
    _, resource = one(template, SCALING_RESOURCE_TYPE)

    assert resource["Properties"] == {
        "ServiceToken": get_att(waiter_id, "Arn"),
        "ServiceTimeout": "600",
        "JobName": get_att(job_id, "JobName"),
        "RecommendationId": get_att(results_id, "RecommendationId"),
        "EndpointName": get_att(results_id, "EndpointName"),
        "TargetCpuUtilizationPerCore": 60,
        "MinInvocationsPerMinute": 100,
        "MaxInvocationsPerMinute": 6000,
    }


def test_the_recommended_values_are_attributes_of_the_scaling_resource():
    template = scaled()
    scaling_id, _ = one(template, SCALING_RESOURCE_TYPE)

    assert len(template["Outputs"]) == 9
    for name, output in template["Outputs"].items():
        assert output["Value"] == get_att(scaling_id, name)


def test_the_waiter_may_ask_for_this_jobs_recommendation_alone():
    template = scaled()
    job_id, _ = one(template, "Custom::InferenceRecommendationsJob")
    _, resource = one(template, SCALING_RESOURCE_TYPE)
    granting = {
        k: r
        for k, r in template["Resources"].items()
        if r["Type"] == "AWS::IAM::Policy" and ACTION in json.dumps(r)
    }

    ((grant_id, grant),) = granting.items()
    (statement,) = grant["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == ACTION
    assert statement["Resource"] == get_att(job_id, "JobArn")
    (role,) = grant["Properties"]["Roles"]
    assert role["Ref"].startswith("InfrecJobWaiter")
    assert resource["DependsOn"] == [grant_id]  # asked only once it may


def test_waiting_jobs_paced_by_a_recommender_still_form_no_cycle():
    # A reference to the job in the waiter's shared policy would order every wait condition
    # (through the poll rule) after the job: with max_concurrent_jobs, a cycle.
    stack = cdk.Stack(cdk.App(), "TestStack")
    shared = InferenceRecommender(stack, "Recommender", max_concurrent_jobs=1)
    for index in range(2):
        job = InferenceRecommendationsJob(
            stack,
            f"Job{index}",
            model=ModelSource.from_model_package_version(PACKAGE),
            recommender=shared,
            wait=REAL_TIME,
        )
        RecommendedEndpoint(
            stack,
            f"Endpoint{index}",
            job=job,
            model_name="churn",
            # Legal, but nothing says what SageMaker makes of them: warnings to acknowledge.
            autoscaling=Autoscaling(min_invocations_per_minute=-1, max_invocations_per_minute=-5),
        )
    resources = Template.from_stack(stack).to_json()["Resources"]

    order = dependency_order(resources)  # graphlib.CycleError if there were a cycle
    (job1,) = [k for k, r in resources.items() if r["Type"] == JOB and k.startswith("Job1")]
    (waited,) = [k for k, r in resources.items() if r["Type"] == CONDITION and k.startswith("Job0")]
    assert order.index(job1) > order.index(waited)  # still paced
    assert [r["Type"] for r in resources.values()].count(SCALING_RESOURCE_TYPE) == 2
    assert warning_ids(stack).count(NEGATIVE_WARNING) == 4
    assert warning_ids(stack).count(ORDER_WARNING) == 2


def test_without_autoscaling_nothing_scales_and_nothing_is_granted():
    template = Template.from_stack(scaled_stack(None)).to_json()
    text = json.dumps(template)

    assert "AWS::ApplicationAutoScaling" not in text
    assert SCALING_RESOURCE_TYPE not in text
    assert ACTION not in text


# --- the objective ------------------------------------------------------------------------------


def test_no_objective_is_valid():
    assert autoscaling_report(Autoscaling()) == ([], [])


@pytest.mark.parametrize(
    ("objective", "expected"),
    [
        (
            Autoscaling(target_cpu_utilization_per_core=0),
            (
                "autoscaling.target_cpu_utilization_per_core: 0 is below the minimum 1 "
                "(botocore's model of GetScalingConfigurationRecommendation: "
                "TargetCpuUtilizationPerCore; source: https://docs.aws.amazon.com/sagemaker/latest/"
                "APIReference/API_GetScalingConfigurationRecommendation.html)"
            ),
        ),
        (
            Autoscaling(target_cpu_utilization_per_core=101),
            "autoscaling.target_cpu_utilization_per_core: 101 is above the maximum 100",
        ),
        (
            Autoscaling(max_invocations_per_minute=2**31),
            (
                "autoscaling.max_invocations_per_minute: 2147483648 does not fit the API's integer "
                "type, a 32-bit signed integer"
            ),
        ),
    ],
)
def test_an_objective_outside_the_model_is_an_error(objective: Autoscaling, expected: str):
    errors, _ = autoscaling_report(objective)

    (error,) = errors
    assert error.startswith(expected)


def test_every_problem_is_reported_at_once_with_the_construct_path():
    stack = cdk.Stack(cdk.App(), "TestStack")
    job = InferenceRecommendationsJob(
        stack, "Job", model=ModelSource.from_model_package_version(PACKAGE), wait=REAL_TIME
    )
    objective = Autoscaling(target_cpu_utilization_per_core=0, min_invocations_per_minute=-(2**40))

    with pytest.raises(InfrecValidationError) as raised:
        RecommendedEndpoint(stack, "Endpoint", job=job, model_name="m", autoscaling=objective)

    assert raised.value.construct_path == "TestStack/Endpoint"
    assert [p.split(":")[0] for p in raised.value.problems] == [
        "autoscaling.target_cpu_utilization_per_core",
        "autoscaling.min_invocations_per_minute",
    ]


@pytest.mark.parametrize(
    ("objective", "warnings"),
    [
        (Autoscaling(min_invocations_per_minute=-1), [NEGATIVE_WARNING]),
        (Autoscaling(min_invocations_per_minute=10, max_invocations_per_minute=5), [ORDER_WARNING]),
        (Autoscaling(min_invocations_per_minute=5, max_invocations_per_minute=5), []),
        (Autoscaling(min_invocations_per_minute=0, max_invocations_per_minute=2**31 - 1), []),
    ],
)
def test_what_the_docs_do_not_rule_on_is_a_warning(objective: Autoscaling, warnings: list[str]):
    errors, found = autoscaling_report(objective)

    assert errors == []
    assert [w.id for w in found] == warnings
    assert all(w.message.startswith("autoscaling.") for w in found)


def test_tokens_are_not_checked():
    token = cdk.Token.as_number({"Ref": "ExpectedTraffic"})
    objective = Autoscaling(
        min_invocations_per_minute=token,  # type: ignore[arg-type]  # a number token is a float
        max_invocations_per_minute=1,
        target_cpu_utilization_per_core=token,  # type: ignore[arg-type]
    )

    assert autoscaling_report(objective) == ([], [])


@pytest.mark.parametrize("value", ["100", 1.5, True])
def test_a_value_of_the_wrong_type_is_refused_by_name(value: object):
    with pytest.raises(InfrecValidationError, match=r"Autoscaling\.min_invocations_per_minute"):
        Autoscaling(min_invocations_per_minute=value)  # type: ignore[arg-type]
