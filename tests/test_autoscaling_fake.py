"""The fake's GetScalingConfigurationRecommendation: botocore's shapes, values tests can check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.fakes.sagemaker import SCALING_METRIC, FakeSageMaker, Fault

if TYPE_CHECKING:  # imported by type checkers alone: 0.2 s per test process
    from types_boto3_sagemaker import SageMakerClient

OPERATION = "GetScalingConfigurationRecommendation"
PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/m/1"


def start_job(client: SageMakerClient, name: str = "scaled-job") -> str:
    client.create_inference_recommendations_job(
        JobName=name,
        JobType="Default",
        RoleArn="arn:aws:iam::123456789012:role/job",
        InputConfig={"ModelPackageVersionArn": PACKAGE},
    )
    return name


@pytest.fixture
def finished(fake_sagemaker: FakeSageMaker, sagemaker_client: SageMakerClient) -> str:
    name = start_job(sagemaker_client)
    fake_sagemaker.advance(3000)
    return name


def recommendations(client: SageMakerClient, job: str) -> list[Any]:
    described = client.describe_inference_recommendations_job(JobName=job)
    return list(described["InferenceRecommendations"])


def without_metadata(answer: Any) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key != "ResponseMetadata"}


def test_answer_fits_botocore_model_and_follows_the_objective(
    fake_sagemaker: FakeSageMaker, sagemaker_client: SageMakerClient, finished: str
):
    second = recommendations(sagemaker_client, finished)[1]
    answer = sagemaker_client.get_scaling_configuration_recommendation(
        InferenceRecommendationsJobName=finished,
        RecommendationId=second["RecommendationId"],
        TargetCpuUtilizationPerCore=40,
        ScalingPolicyObjective={"MinInvocationsPerMinute": 1000, "MaxInvocationsPerMinute": 9000},
    )

    output = fake_sagemaker.model.operation_model(OPERATION).output_shape
    assert output is not None
    assert fake_sagemaker.validator.errors(output, without_metadata(answer)) == []
    # Recommendation 1 ran 1250 invocations a minute; 40 % of it is the target per instance.
    target = 1250 * 40 / 100
    dynamic = answer["DynamicScalingConfiguration"]
    assert dynamic["MinCapacity"] == 2  # ceil(1000 / 500)
    assert dynamic["MaxCapacity"] == 18  # ceil(9000 / 500)
    assert (dynamic["ScaleInCooldown"], dynamic["ScaleOutCooldown"]) == (300, 90)
    (policy,) = dynamic["ScalingPolicies"]
    assert policy["TargetTracking"] == {
        "MetricSpecification": {"Predefined": {"PredefinedMetricType": SCALING_METRIC}},
        "TargetValue": target,
    }
    assert answer["Metric"] == {"InvocationsPerInstance": 500, "ModelLatency": 23}
    assert answer["RecommendationId"] == second["RecommendationId"]


def test_endpoint_name_names_the_recommendation_too(
    sagemaker_client: SageMakerClient, finished: str
):
    first = recommendations(sagemaker_client, finished)[0]
    answer = sagemaker_client.get_scaling_configuration_recommendation(
        InferenceRecommendationsJobName=finished,
        EndpointName=first["EndpointConfiguration"]["EndpointName"],
    )

    dynamic = answer["DynamicScalingConfiguration"]
    assert (dynamic["MinCapacity"], dynamic["MaxCapacity"]) == (1, 2)
    assert dynamic["ScalingPolicies"][0]["TargetTracking"]["TargetValue"] == 500.0  # 50 % of 1000


def test_customized_metrics_come_back_customized(
    fake_sagemaker: FakeSageMaker, sagemaker_client: SageMakerClient, finished: str
):
    fake_sagemaker.scaling_metrics = ("Customized:CPUUtilization", SCALING_METRIC)
    first = recommendations(sagemaker_client, finished)[0]
    answer = sagemaker_client.get_scaling_configuration_recommendation(
        InferenceRecommendationsJobName=finished, RecommendationId=first["RecommendationId"]
    )

    customized, predefined = answer["DynamicScalingConfiguration"]["ScalingPolicies"]
    assert customized["TargetTracking"]["MetricSpecification"] == {
        "Customized": {
            "MetricName": "CPUUtilization",
            "Namespace": "/aws/sagemaker/Endpoints",
            "Statistic": "Average",
        }
    }
    assert "Predefined" in predefined["TargetTracking"]["MetricSpecification"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"RecommendationId": "unknown-job/00000000"}, "ResourceNotFound"),
        ({}, "ValidationException"),  # neither RecommendationId nor EndpointName
        ({"RecommendationId": "a", "EndpointName": "b"}, "ValidationException"),  # both
    ],
)
def test_refuses_what_sagemaker_refuses(
    sagemaker_client: SageMakerClient, finished: str, params: dict[str, Any], code: str
):
    with pytest.raises(ClientError) as raised:
        sagemaker_client.get_scaling_configuration_recommendation(
            InferenceRecommendationsJobName=finished, **params
        )
    assert raised.value.response["Error"]["Code"] == code


def test_refuses_a_job_that_has_not_completed(
    fake_sagemaker: FakeSageMaker, sagemaker_client: SageMakerClient
):
    running = start_job(sagemaker_client, "still-running")
    fake_sagemaker.advance(120)
    with pytest.raises(ClientError, match="IN_PROGRESS, not COMPLETED"):
        sagemaker_client.get_scaling_configuration_recommendation(
            InferenceRecommendationsJobName=running, EndpointName="sm-epc-x"
        )


def test_faults_can_be_injected(fake_sagemaker: FakeSageMaker, finished: str):
    fake_sagemaker.inject(OPERATION, Fault.validation("No scaling recommendation for this job."))
    client = boto3.client("sagemaker")
    with pytest.raises(ClientError, match="No scaling recommendation for this job"):
        client.get_scaling_configuration_recommendation(
            InferenceRecommendationsJobName=finished, EndpointName="sm-epc-x"
        )
    assert fake_sagemaker.operations()[-1] == OPERATION
