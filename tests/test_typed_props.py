"""Every leaf field of the request is reachable through the typed keyword arguments."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import botocore.session

from infrec_cdk import (
    ContainerConfig,
    EndpointConfiguration,
    FlatInvocations,
    InstanceType,
    JobType,
    LatencyPercentile,
    ModelLatencyThreshold,
    ModelSource,
    PayloadConfig,
    Phase,
    ResourceLimit,
    ServerlessConfig,
    Stairs,
    StoppingConditions,
    SupportedEndpointType,
    TrafficPattern,
)
from infrec_cdk._request import render_request

# Filled in by the construct from the resources it provisions or is given (role=, encryption_key=,
# output_bucket=, vpc=, security_groups=), not from value arguments.
PROVISIONED = {
    "RoleArn",
    "InputConfig.VolumeKmsKeyId",
    "InputConfig.VpcConfig.SecurityGroupIds[]",
    "InputConfig.VpcConfig.Subnets[]",
    "OutputConfig.KmsKeyId",
}


def model_leaves() -> set[str]:
    model = botocore.session.get_session().get_service_model("sagemaker")
    shape = model.operation_model("CreateInferenceRecommendationsJob").input_shape
    leaves: set[str] = set()

    def walk(shape: Any, path: str) -> None:
        if shape.type_name == "structure":
            for name, member in shape.members.items():
                walk(member, f"{path}.{name}" if path else name)
        elif shape.type_name == "list":
            walk(shape.member, f"{path}[]")
        else:
            leaves.add(path)

    walk(shape, "")
    return leaves


def rendered_leaves(value: Any, path: str = "") -> set[str]:
    if isinstance(value, dict):
        found: set[str] = set()
        for key, item in value.items():
            found |= rendered_leaves(item, f"{path}.{key}" if path else key)
        return found
    if isinstance(value, list):
        found = set()
        for item in value:
            found |= rendered_leaves(item, f"{path}[]")
        return found
    return {path}


def every_value_request() -> dict[str, Any]:
    return render_request(
        model=ModelSource.from_model_package_version(
            "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
        ),
        job_type=JobType.ADVANCED,
        job_name="churn-load-test",
        description="every field",
        job_duration=cdk.Duration.hours(2),
        container_config=ContainerConfig(
            domain="MACHINE_LEARNING",
            task="CLASSIFICATION",
            framework="XGBOOST",
            framework_version="1.7-1",
            payload_config=PayloadConfig(
                sample_payload_url="s3://bucket/payload.tar.gz",
                supported_content_types=["text/csv"],
            ),
            nearest_model_name="xgboost",
            supported_instance_types=[InstanceType.of("ml.c5.xlarge"), "ml.m5.xlarge"],
            supported_endpoint_type=SupportedEndpointType.REAL_TIME,
            data_input_config='{"input": [1, 10]}',
            supported_response_mime_types=["application/json"],
        ),
        endpoint_configurations=[
            EndpointConfiguration.instance(
                "ml.c5.xlarge",
                inference_specification_name="spec-a",
                environment_parameter_ranges={"OMP_NUM_THREADS": ["1", "2"]},
            ),
            EndpointConfiguration.serverless(
                ServerlessConfig(
                    memory_size_in_mb=2048, max_concurrency=5, provisioned_concurrency=1
                )
            ),
        ],
        traffic_pattern=TrafficPattern.phases(
            [Phase(duration=cdk.Duration.minutes(2), initial_number_of_users=1, spawn_rate=1)]
        ),
        stopping_conditions=StoppingConditions(
            max_invocations=100,
            model_latency_threshold=ModelLatencyThreshold(
                percentile=LatencyPercentile.P95, value=cdk.Duration.millis(200)
            ),
            flat_invocations=FlatInvocations.CONTINUE,
        ),
        resource_limit=ResourceLimit(max_number_of_tests=2, max_parallel_of_tests=1),
        existing_endpoint_name="existing-endpoint",
        compiled_output_uri="s3://bucket/compiled",
        tags={"team": "ml"},
    )


def test_every_request_leaf_has_a_typed_argument():
    stairs = TrafficPattern.stairs(
        Stairs(duration=cdk.Duration.minutes(10), number_of_steps=5, users_per_step=2)
    ).render()
    by_name = ModelSource.from_model_name("churn").render()

    reachable = (
        rendered_leaves(every_value_request())
        | rendered_leaves({"InputConfig": {"TrafficPattern": stairs, **by_name}})
        | PROVISIONED
    )

    expected = model_leaves()
    assert len(expected) == 46
    assert reachable == expected


def test_durations_render_in_the_units_the_api_uses():
    request = every_value_request()
    assert request["InputConfig"]["JobDurationInSeconds"] == 7200
    assert request["InputConfig"]["TrafficPattern"]["Phases"][0]["DurationInSeconds"] == 120
    threshold = request["StoppingConditions"]["ModelLatencyThresholds"][0]
    assert threshold == {"Percentile": "P95", "ValueInMilliseconds": 200}


def test_a_fractional_duration_is_kept_for_validation_to_name():
    phase = Phase(duration=cdk.Duration.millis(120_500)).render()
    assert phase["DurationInSeconds"] == 120.5


def test_environment_ranges_render_as_categorical_parameters():
    configuration = EndpointConfiguration.instance(
        "ml.m5.xlarge", environment_parameter_ranges={"A": ["1"], "B": ["x", "y"]}
    ).render()
    assert configuration["EnvironmentParameterRanges"] == {
        "CategoricalParameterRanges": [
            {"Name": "A", "Value": ["1"]},
            {"Name": "B", "Value": ["x", "y"]},
        ]
    }


def test_unset_values_are_left_out():
    assert render_request(model=ModelSource.from_model_name("m")) == {
        "JobType": "Default",
        "InputConfig": {"ModelName": "m"},
    }


def test_stairs_and_phases_set_their_traffic_type():
    assert TrafficPattern.stairs(Stairs(number_of_steps=2)).render() == {
        "TrafficType": "STAIRS",
        "Stairs": {"NumberOfSteps": 2},
    }
    assert TrafficPattern.phases([]).render() == {"TrafficType": "PHASES", "Phases": []}
