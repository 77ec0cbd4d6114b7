"""The scaling resource's handler (``lambda/scaling.py``) against the fake SageMaker over HTTP."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

import pytest
import scaling
import waiter
from botocore.exceptions import EndpointConnectionError
from cfn_response import MAX_BODY_BYTES, CfnResponse, encode

from tests.fakes.cfn_receiver import CfnResponseReceiver, ReceivedResponse
from tests.fakes.sagemaker import SCALING_METRIC, FakeSageMaker, Fault
from tests.harness.deploy import LambdaContext

if TYPE_CHECKING:  # imported by type checkers alone: 0.2 s per test process
    from types_boto3_sagemaker import SageMakerClient

OPERATION = "GetScalingConfigurationRecommendation"
PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/m/1"
STACK = "arn:aws:cloudformation:us-east-1:123456789012:stack/S/1"


@pytest.fixture
def job(fake_sagemaker: FakeSageMaker, sagemaker_client: SageMakerClient) -> dict[str, Any]:
    """A finished job and its first recommendation."""
    sagemaker_client.create_inference_recommendations_job(
        JobName="scaled-job",
        JobType="Default",
        RoleArn="arn:aws:iam::123456789012:role/job",
        InputConfig={"ModelPackageVersionArn": PACKAGE},
    )
    fake_sagemaker.advance(3000)
    described = sagemaker_client.describe_inference_recommendations_job(JobName="scaled-job")
    return dict(described["InferenceRecommendations"][0])


def properties(job: dict[str, Any], **overrides: str) -> dict[str, str]:
    """The resource's properties as CloudFormation sends them (strings, "" when not given)."""
    return {
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:waiter",
        "JobName": "scaled-job",
        "RecommendationId": job["RecommendationId"],
        "EndpointName": job["EndpointConfiguration"]["EndpointName"],
        "TargetCpuUtilizationPerCore": "",
        "MinInvocationsPerMinute": "",
        "MaxInvocationsPerMinute": "",
        **overrides,
    }


def send(
    receiver: CfnResponseReceiver,
    props: dict[str, str],
    request_type: str = "Create",
    physical_id: str | None = None,
    **options: Any,
) -> ReceivedResponse:
    request_id = f"r-{len(receiver.responses)}"
    event: dict[str, Any] = {
        "RequestType": request_type,
        "ResponseURL": receiver.url(request_id),
        "StackId": STACK,
        "RequestId": request_id,
        "LogicalResourceId": "Scaling",
        "ResourceType": scaling.RESOURCE_TYPE,
        "ResourceProperties": props,
    }
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    scaling.handle(event, LambdaContext(60, "waiter"), **options)
    return receiver.response_for(request_id)


def calls(fake: FakeSageMaker) -> list[dict[str, Any]]:
    return [params for operation, params in fake.calls if operation == OPERATION]


def test_create_answers_the_recommended_scaling_as_attributes(
    fake_sagemaker: FakeSageMaker, cfn_receiver: CfnResponseReceiver, job: dict[str, Any]
):
    props = properties(
        job,
        TargetCpuUtilizationPerCore="40",
        MinInvocationsPerMinute="900",
        MaxInvocationsPerMinute="4000",
    )
    answer = send(cfn_receiver, props)

    assert answer.status == "SUCCESS", answer.reason
    assert calls(fake_sagemaker) == [
        {
            "InferenceRecommendationsJobName": "scaled-job",
            "RecommendationId": job["RecommendationId"],
            "TargetCpuUtilizationPerCore": 40,
            "ScalingPolicyObjective": {
                "MinInvocationsPerMinute": 900,
                "MaxInvocationsPerMinute": 4000,
            },
        }
    ]
    # The fake's values for recommendation 0 (1000 a minute): target 40 % of it, per instance.
    assert answer.data == {
        "MinCapacity": "3",  # ceil(900 / 400)
        "MaxCapacity": "10",  # ceil(4000 / 400)
        "TargetValue": "400",
        "PredefinedMetricType": SCALING_METRIC,
        "ScaleInCooldown": "240",
        "ScaleOutCooldown": "60",
        "InvocationsPerInstance": "400",
        "ModelLatency": "20",
        "RecommendationId": job["RecommendationId"],
    }
    assert answer.body["PhysicalResourceId"].startswith("scaled-job/scaling/")


def test_without_a_recommendation_id_the_benchmarked_endpoint_names_it(
    fake_sagemaker: FakeSageMaker, cfn_receiver: CfnResponseReceiver, job: dict[str, Any]
):
    answer = send(cfn_receiver, properties(job, RecommendationId=""))

    assert answer.status == "SUCCESS", answer.reason
    (sent,) = calls(fake_sagemaker)
    assert sent == {
        "InferenceRecommendationsJobName": "scaled-job",
        "EndpointName": job["EndpointConfiguration"]["EndpointName"],
    }


def test_a_changed_objective_is_a_new_physical_id_the_same_one_is_not(
    cfn_receiver: CfnResponseReceiver, job: dict[str, Any]
):
    first = send(cfn_receiver, properties(job, MinInvocationsPerMinute="100"))
    again = send(cfn_receiver, properties(job, MinInvocationsPerMinute="100"))
    changed = send(
        cfn_receiver,
        properties(job, MinInvocationsPerMinute="2000"),
        "Update",
        first.body["PhysicalResourceId"],
    )

    assert again.body["PhysicalResourceId"] == first.body["PhysicalResourceId"]
    assert changed.body["PhysicalResourceId"] != first.body["PhysicalResourceId"]
    assert changed.data["MinCapacity"] == "4"  # ceil(2000 / 500): fetched again


def test_delete_asks_sagemaker_nothing(
    fake_sagemaker: FakeSageMaker, cfn_receiver: CfnResponseReceiver, job: dict[str, Any]
):
    answer = send(cfn_receiver, properties(job), "Delete", "scaled-job/scaling/0123")

    assert answer.status == "SUCCESS"
    assert answer.body["PhysicalResourceId"] == "scaled-job/scaling/0123"
    assert calls(fake_sagemaker) == []


def test_sagemaker_refusal_fails_with_its_message_and_keeps_the_id(
    fake_sagemaker: FakeSageMaker, cfn_receiver: CfnResponseReceiver, job: dict[str, Any]
):
    fake_sagemaker.inject(OPERATION, Fault.validation("Autoscaling is not supported for X."))
    answer = send(cfn_receiver, properties(job), "Update", "scaled-job/scaling/old")

    assert answer.status == "FAILED"
    assert answer.reason == (
        "SageMaker's GetScalingConfigurationRecommendation for job scaled-job failed: "
        "ValidationException: Autoscaling is not supported for X."
    )
    assert answer.body["PhysicalResourceId"] == "scaled-job/scaling/old"


def test_an_unknown_job_fails_with_sagemakers_message(
    cfn_receiver: CfnResponseReceiver, job: dict[str, Any]
):
    answer = send(cfn_receiver, properties(job, JobName="gone-job"))

    assert answer.status == "FAILED"
    assert "ResourceNotFound: Could not find job gone-job." in answer.reason
    assert "Traceback" not in answer.reason
    assert answer.body["PhysicalResourceId"] == "scaling-of-Scaling"


def test_no_predefined_policy_fails_naming_what_sagemaker_recommends(
    fake_sagemaker: FakeSageMaker, cfn_receiver: CfnResponseReceiver, job: dict[str, Any]
):
    fake_sagemaker.scaling_metrics = ("Customized:CPUUtilization",)
    answer = send(cfn_receiver, properties(job))

    assert answer.status == "FAILED"
    assert "no target-tracking policy on a predefined SageMaker variant metric" in answer.reason
    assert "customized /aws/sagemaker/Endpoints/CPUUtilization" in answer.reason


def test_no_policy_at_all_fails(
    fake_sagemaker: FakeSageMaker, cfn_receiver: CfnResponseReceiver, job: dict[str, Any]
):
    fake_sagemaker.scaling_metrics = ()
    answer = send(cfn_receiver, properties(job))

    assert answer.status == "FAILED"
    assert answer.reason.endswith("(it recommends: none)")


def test_the_invocations_metric_is_preferred_over_other_predefined_ones(
    fake_sagemaker: FakeSageMaker, cfn_receiver: CfnResponseReceiver, job: dict[str, Any]
):
    fake_sagemaker.scaling_metrics = (
        "Customized:CPUUtilization",
        "SageMakerVariantConcurrentRequestsPerModelHighResolution",
        SCALING_METRIC,
    )
    answer = send(cfn_receiver, properties(job))

    assert answer.data["PredefinedMetricType"] == SCALING_METRIC
    assert answer.data["TargetValue"] == "500"


def test_another_predefined_variant_metric_is_taken_when_alone(
    fake_sagemaker: FakeSageMaker, cfn_receiver: CfnResponseReceiver, job: dict[str, Any]
):
    fake_sagemaker.scaling_metrics = ("SageMakerVariantConcurrentRequestsPerModelHighResolution",)
    answer = send(cfn_receiver, properties(job, TargetCpuUtilizationPerCore="70"))

    assert answer.data["PredefinedMetricType"] == (
        "SageMakerVariantConcurrentRequestsPerModelHighResolution"
    )
    assert answer.data["TargetValue"] == "70"


def test_throttling_is_retried_within_the_answer(
    fake_sagemaker: FakeSageMaker, cfn_receiver: CfnResponseReceiver, job: dict[str, Any]
):
    fake_sagemaker.inject(OPERATION, Fault.throttling(), times=3)
    pauses: list[float] = []
    answer = send(cfn_receiver, properties(job), sleep=pauses.append, jitter=lambda: 0.5)

    assert answer.status == "SUCCESS", answer.reason
    assert pauses == [0.5, 1.0, 2.0]
    assert len(calls(fake_sagemaker)) == 4


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"JobName": ""}, "ResourceProperties.JobName: is required"),
        ({"MinInvocationsPerMinute": "many"}, "MinInvocationsPerMinute: 'many' is not an integer"),
        ({"TargetCpuUtilizationPerCore": "0"}, "TargetCpuUtilizationPerCore: 0 is not from 1"),
        ({"RecommendationId": "", "EndpointName": ""}, "neither a RecommendationId nor"),
    ],
)
def test_bad_properties_fail_naming_the_property(
    fake_sagemaker: FakeSageMaker,
    cfn_receiver: CfnResponseReceiver,
    job: dict[str, Any],
    overrides: dict[str, str],
    message: str,
):
    answer = send(cfn_receiver, properties(job, **overrides))

    assert answer.status == "FAILED"
    assert message in answer.reason
    assert calls(fake_sagemaker) == []


def test_the_waiter_routes_scaling_events_by_resource_type(
    fake_sagemaker: FakeSageMaker, cfn_receiver: CfnResponseReceiver, job: dict[str, Any]
):
    event = {
        "RequestType": "Create",
        "ResponseURL": cfn_receiver.url("routed"),
        "StackId": STACK,
        "RequestId": "routed",
        "LogicalResourceId": "Scaling",
        "ResourceType": "Custom::InferenceRecommendationsScaling",
        "ResourceProperties": properties(job),
    }
    waiter.handler(event, LambdaContext(60, "waiter"))

    assert cfn_receiver.response_for("routed").data["MinCapacity"] == "1"
    assert len(calls(fake_sagemaker)) == 1


def test_the_largest_answer_fits_cloudformations_limit():
    props = scaling.ScalingProperties.parse(
        {
            "JobName": "j" * 64,
            "RecommendationId": "r" * 1000,  # longer than SageMaker's ids; cut to 256
            "EndpointName": "e" * 63,
            "TargetCpuUtilizationPerCore": "100",
            "MinInvocationsPerMinute": str(2**31 - 1),
            "MaxInvocationsPerMinute": str(2**31 - 1),
        }
    )
    largest = scaling.Recommended(
        min_capacity=2**31 - 1,
        max_capacity=2**31 - 1,
        target_value=1.1742710000000001e108,  # Application Auto Scaling's largest target
        metric_type="SageMakerVariantConcurrentRequestsPerModelHighResolution" + "x" * 200,
        scale_in_cooldown=2**31 - 1,
        scale_out_cooldown=2**31 - 1,
        invocations_per_instance=2**31 - 1,
        model_latency=2**31 - 1,
    )
    response = CfnResponse(
        status="SUCCESS",
        reason="",
        physical_resource_id=props.physical_id(),
        stack_id=STACK + "x" * 200,
        request_id="0" * 36,
        logical_resource_id="L" * 255,
        data=scaling.attributes(largest, props),
    )
    body = encode(response, MAX_BODY_BYTES)

    assert json.loads(body)["Data"] == scaling.attributes(largest, props)  # nothing was cut
    assert len(body) < 2048, len(body)


# --- what SageMaker's answer may lack, and what may go wrong on the way -------------------------


def dynamic(**members: Any) -> dict[str, Any]:
    policy = {
        "TargetTracking": {
            "MetricSpecification": {"Predefined": {"PredefinedMetricType": SCALING_METRIC}},
            "TargetValue": 120.5,
        }
    }
    return {"DynamicScalingConfiguration": {"ScalingPolicies": [policy], **members}}


def test_missing_cooldowns_are_application_auto_scalings_own_default():
    chosen = scaling.choose(dynamic(MinCapacity=1, MaxCapacity=3))

    assert isinstance(chosen, scaling.Recommended)
    assert (chosen.scale_in_cooldown, chosen.scale_out_cooldown) == (300, 300)
    assert chosen.target_value == 120.5
    assert (chosen.invocations_per_instance, chosen.model_latency) == (None, None)


@pytest.mark.parametrize(
    ("found", "reason"),
    [
        ({}, "has no DynamicScalingConfiguration"),
        (dynamic(MinCapacity=1), "no whole MinCapacity and MaxCapacity"),
        (dynamic(MinCapacity=1.5, MaxCapacity=3), "no whole MinCapacity and MaxCapacity"),
    ],
)
def test_an_answer_without_capacities_is_a_reason(found: dict[str, Any], reason: str):
    chosen = scaling.choose(found)

    assert isinstance(chosen, str)
    assert reason in chosen


class _Calls:
    """A SageMaker client whose scaling call does ``behaviour`` (a stand-in for the network)."""

    def __init__(self, behaviour: Any) -> None:
        self.behaviour = behaviour

    def get_scaling_configuration_recommendation(self, **_request: Any) -> Any:
        return self.behaviour()


def clients_doing(behaviour: Any) -> Any:
    def build(_timeout: float, _pacing: Any) -> Any:
        return type("Clients", (), {"sagemaker": _Calls(behaviour)})()

    return build


def endpoint_unreachable() -> Any:
    raise EndpointConnectionError(endpoint_url="https://api.sagemaker.us-east-1.amazonaws.com")


def broken() -> Any:
    raise RuntimeError("secret detail")


def stuck() -> Any:
    threading.Event().wait(10)  # longer than the invocation


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (endpoint_unreachable, "could not reach SageMaker: Could not connect to the endpoint URL"),
        (broken, "unexpected RuntimeError; see the waiter's log"),
        (stuck, "SageMaker did not answer within 1 s"),
    ],
)
def test_every_failure_is_answered_with_a_reason_not_a_traceback(
    cfn_receiver: CfnResponseReceiver, behaviour: Any, reason: str
):
    job = {"RecommendationId": "j/1", "EndpointConfiguration": {"EndpointName": "e"}}
    event_props = properties(job)
    request_id = f"fail-{behaviour.__name__}"
    event = {
        "RequestType": "Create",
        "ResponseURL": cfn_receiver.url(request_id),
        "StackId": STACK,
        "RequestId": request_id,
        "LogicalResourceId": "Scaling",
        "ResourceType": scaling.RESOURCE_TYPE,
        "ResourceProperties": event_props,
    }
    scaling.handle(event, LambdaContext(1.5, "waiter"), clients=clients_doing(behaviour))

    answer = cfn_receiver.response_for(request_id)
    assert answer.status == "FAILED"
    assert answer.reason.startswith(reason)
    assert "Traceback" not in answer.reason
    assert "secret detail" not in answer.reason
    assert answer.body["PhysicalResourceId"] == "scaling-of-Scaling"
