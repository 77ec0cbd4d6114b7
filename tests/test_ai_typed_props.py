"""Every leaf member of the generative-AI Create requests is reachable through typed props.

The leaves are derived from botocore's model of each operation's input (as
``tests/test_typed_props.py`` does for the classic job); the rendered requests are read from a
synthesized template, so what the handler receives is what is checked. ``RoleArn``, the output
location and ``NetworkConfig`` are filled in from the role, bucket and VPC the constructs are
given or provision.
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import botocore.session
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template

from infrec_cdk import (
    AIAdapter,
    AIBenchmarkJob,
    AICapacityReservation,
    AIComputeSpec,
    AIInferenceFramework,
    AIModel,
    AIPerformanceMetric,
    AIRecommendationJob,
    AIWorkloadConfig,
    AIWorkloadDataset,
    CapacityReservationPreference,
    MlflowConfig,
    WorkloadSpec,
    WorkloadTooling,
)

ENV = cdk.Environment(account="123456789012", region="us-east-1")
MLFLOW = MlflowConfig(
    resource_arn="arn:aws:sagemaker:us-east-1:123456789012:mlflow-app/app-EXAMPLE",
    experiment_name="sizing",
    run_name="nightly",
)
PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/sql-adapter/1"
RESERVATION = "arn:aws:sagemaker:us-east-1:123456789012:training-plan/gpu-plan"


def model_leaves(operation: str) -> set[str]:
    model = botocore.session.get_session().get_service_model("sagemaker")
    leaves: set[str] = set()

    def walk(shape: Any, path: str) -> None:
        if shape.type_name == "structure":
            for name, member in shape.members.items():
                walk(member, f"{path}.{name}" if path else name)
        elif shape.type_name == "list":
            walk(shape.member, f"{path}[]")
        else:
            leaves.add(path)

    walk(model.operation_model(operation).input_shape, "")
    return leaves


def rendered_leaves(value: Any, path: str = "") -> set[str]:
    """Leaf paths of a resolved request; an intrinsic (Ref, Fn::...) is a leaf value."""
    if isinstance(value, dict) and not (
        len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))
    ):
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


@pytest.fixture(scope="module")
def requests() -> dict[str, list[dict[str, Any]]]:
    stack = cdk.Stack(cdk.App(), "EveryValue", env=ENV)
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["us-east-1a"],
        isolated_subnet_ids=["subnet-0123456789abcdef0"],
    )
    workload = AIWorkloadConfig(
        stack,
        "Workload",
        workload_spec=WorkloadSpec(
            parameters={"concurrency": 4}, tooling=WorkloadTooling(api_standard="openai")
        ),
        datasets=[AIWorkloadDataset.from_s3("traffic", "s3://datasets/traffic/")],
        name="every-value",
        tags={"team": "ml"},
    )
    common: dict[str, Any] = {
        "workload": workload,
        "performance_target": AIPerformanceMetric.THROUGHPUT,
        "compute": AIComputeSpec(
            instance_types=["ml.g6e.12xlarge"],
            capacity_reservation=AICapacityReservation(
                preference=CapacityReservationPreference.CAPACITY_RESERVATIONS_ONLY,
                ml_reservation_arns=[RESERVATION],
            ),
        ),
        "inference_framework": AIInferenceFramework.VLLM,
        "optimize_model": True,
        "model_package_group": "llama-sized",
        "mlflow": MLFLOW,
        "tags": {"team": "ml"},
    }
    AIRecommendationJob(
        stack,
        "S3Adapters",
        model=AIModel.from_s3("s3://models/llama/"),
        adapters=[AIAdapter.from_s3("sql", "s3://models/adapters/sql/")],
        job_name="every-value-s3",
        **common,
    )
    AIRecommendationJob(
        stack,
        "PackageAdapters",
        model=AIModel.from_s3("s3://models/llama/"),
        adapters=[AIAdapter.from_model_package("sql", PACKAGE)],
        job_name="every-value-packages",
        **common,
    )
    AIBenchmarkJob(
        stack,
        "Benchmark",
        endpoint="llm-endpoint",
        inference_components=["llm-component"],
        target_container_hostname="primary",
        workload=workload,
        mlflow=MLFLOW,
        job_name="every-value-benchmark",
        tags={"team": "ml"},
        vpc=vpc,
    )
    template = Template.from_stack(stack).to_json()
    found: dict[str, list[dict[str, Any]]] = {}
    for resource in template["Resources"].values():
        if resource["Type"].startswith("Custom::AI"):
            found.setdefault(resource["Type"], []).append(resource["Properties"]["Request"])
    return found


@pytest.mark.parametrize(
    ("operation", "resource_type", "expected"),
    [
        ("CreateAIRecommendationJob", "Custom::AIRecommendationJob", 21),
        ("CreateAIBenchmarkJob", "Custom::AIBenchmarkJob", 14),
        ("CreateAIWorkloadConfig", "Custom::AIWorkloadConfig", 6),
    ],
)
def test_every_request_leaf_has_a_typed_argument(requests, operation, resource_type, expected):
    reachable: set[str] = set()
    for request in requests[resource_type]:
        reachable |= rendered_leaves(request)
    leaves = model_leaves(operation)
    assert len(leaves) == expected  # a new member in botocore's model shows up here
    assert reachable == leaves


def test_the_specification_renders_as_json(requests):
    (workload,) = requests["Custom::AIWorkloadConfig"]
    spec = json.loads(workload["AIWorkloadConfigs"]["WorkloadSpec"]["Inline"])
    assert spec == {
        "benchmark": {"type": "aiperf"},
        "parameters": {"concurrency": 4},
        "tooling": {"api_standard": "openai"},
    }


def test_unset_values_are_left_out():
    stack = cdk.Stack(cdk.App(), "Minimal", env=ENV)
    AIRecommendationJob(
        stack,
        "Job",
        model=AIModel.from_s3("s3://models/llama/"),
        workload="existing-workload",
        performance_target=AIPerformanceMetric.COST,
    )
    resources = Template.from_stack(stack).find_resources("Custom::AIRecommendationJob")
    (request,) = [resource["Properties"]["Request"] for resource in resources.values()]
    assert set(request) == {
        "ModelSource",
        "AIWorkloadConfigIdentifier",
        "PerformanceTarget",
        "RoleArn",
        "OutputConfig",
    }
    assert request["PerformanceTarget"] == {"Constraints": [{"Metric": "cost"}]}
