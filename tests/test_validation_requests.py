"""Valid requests and path helpers shared by the validation tests (this module holds no tests)."""

from __future__ import annotations

import copy
import re
from typing import Any

ROLE_ARN = "arn:aws:iam::123456789012:role/infrec"
PACKAGE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/my-group/1"
TOKEN_STRING = "${Token[TOKEN.12]}"  # noqa: S105 (a CDK token, not a secret)
TOKEN_NUMBER = -1.8881545897087626e289
TOKEN_LIST = ["#{Token[TOKEN.34]}"]

_ADVANCED: dict[str, Any] = {
    "JobName": "load-test",
    "JobType": "Advanced",
    "RoleArn": ROLE_ARN,
    "JobDescription": "right-size the model",
    "InputConfig": {
        "ModelPackageVersionArn": PACKAGE_ARN,
        "JobDurationInSeconds": 3600,
        "TrafficPattern": {
            "TrafficType": "PHASES",
            "Phases": [
                # Starts with 1 user, adds 1 a minute for 2 minutes: ends with 3.
                {"InitialNumberOfUsers": 1, "SpawnRate": 1, "DurationInSeconds": 120},
                {"InitialNumberOfUsers": 3, "SpawnRate": 1, "DurationInSeconds": 120},
            ],
        },
        "ResourceLimit": {"MaxNumberOfTests": 10, "MaxParallelOfTests": 3},
        "EndpointConfigurations": [
            {
                "InstanceType": "ml.m5.xlarge",
                "InferenceSpecificationName": "spec-1",
                "EnvironmentParameterRanges": {
                    "CategoricalParameterRanges": [
                        {"Name": "OMP_NUM_THREADS", "Value": ["1", "2"]},
                    ]
                },
            },
            {"ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}},
        ],
        "VolumeKmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd",
        "ContainerConfig": {
            "Domain": "MACHINE_LEARNING",
            "Task": "OTHER",
            "Framework": "PYTORCH",
            "FrameworkVersion": "2.1.0",
            "PayloadConfig": {
                "SamplePayloadUrl": "s3://bucket/payload.tar.gz",
                "SupportedContentTypes": ["application/json"],
            },
            "NearestModelName": "resnet50",
            "SupportedInstanceTypes": ["ml.m5.xlarge"],
            "SupportedEndpointType": "RealTime",
            "DataInputConfig": '{"input": [1, 3, 224, 224]}',
            "SupportedResponseMIMETypes": ["application/json"],
        },
        "Endpoints": [{"EndpointName": "existing-endpoint"}],
        "VpcConfig": {
            "SecurityGroupIds": ["sg-0123456789abcdef0"],
            "Subnets": ["subnet-0123456789abcdef0"],
        },
    },
    "StoppingConditions": {
        "MaxInvocations": 300,
        "ModelLatencyThresholds": [{"Percentile": "P95", "ValueInMilliseconds": 100}],
        "FlatInvocations": "Stop",
    },
    "OutputConfig": {
        "KmsKeyId": "alias/infrec",
        "CompiledOutputConfig": {"S3OutputUri": "s3://bucket/compiled/"},
    },
    "Tags": [{"Key": "team", "Value": "ml"}],
}


def advanced_request() -> dict[str, Any]:
    """Return a valid Advanced (load test) request using every member of the API."""
    return copy.deepcopy(_ADVANCED)


def stairs_request() -> dict[str, Any]:
    """Return a valid Advanced request with a STAIRS traffic pattern."""
    request = advanced_request()
    request["InputConfig"]["TrafficPattern"] = {
        "TrafficType": "STAIRS",
        "Stairs": {"DurationInSeconds": 600, "NumberOfSteps": 5, "UsersPerStep": 2},
    }
    return request


def default_request() -> dict[str, Any]:
    """Return a valid Default (instance recommendation) request for a model package."""
    return {
        "JobName": "instance-recommendation",
        "JobType": "Default",
        "RoleArn": ROLE_ARN,
        "InputConfig": {"ModelPackageVersionArn": PACKAGE_ARN},
    }


def model_name_request() -> dict[str, Any]:
    """Return a valid Default request for an existing SageMaker model."""
    return {
        "JobName": "by-model-name",
        "JobType": "Default",
        "RoleArn": ROLE_ARN,
        "InputConfig": {
            "ModelName": "my-model",
            "ContainerConfig": {
                "Domain": "MACHINE_LEARNING",
                "Task": "OTHER",
                "Framework": "XGBOOST",
                "PayloadConfig": {"SamplePayloadUrl": "s3://bucket/payload.tar.gz"},
            },
        },
    }


def fake_is_unresolved(value: object) -> bool:
    """Recognise the token encodings CDK uses for strings, numbers and lists."""
    if isinstance(value, str):
        return "${Token[" in value
    if isinstance(value, float):
        return value == TOKEN_NUMBER
    if isinstance(value, list):
        return value == TOKEN_LIST
    return False


_SEGMENT = re.compile(r"([A-Za-z0-9_]+)|\[(\d+)\]")


def segments(path: str) -> list[str | int]:
    """Split ``A.B[0].C`` into ``["A", "B", 0, "C"]``."""
    return [
        int(index) if index else name
        for name, index in _SEGMENT.findall(path)
        if name or index  # pragma: no branch
    ]


def _parent(request: dict[str, Any], path: str) -> tuple[Any, str | int]:
    *head, last = segments(path)
    node: Any = request
    for segment in head:
        node = node[segment]
    return node, last


def get_at(request: dict[str, Any], path: str) -> Any:
    parent, last = _parent(request, path)
    return parent[last]


def set_at(request: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    """Set the value at ``path`` (e.g. ``InputConfig.Phases[0].SpawnRate``); return the request."""
    parent, last = _parent(request, path)
    parent[last] = value
    return request


def delete_at(request: dict[str, Any], path: str) -> dict[str, Any]:
    parent, last = _parent(request, path)
    del parent[last]
    return request


def errors_at(errors: tuple[str, ...], path: str) -> list[str]:
    """Return the errors about exactly ``path``."""
    return [error for error in errors if error.startswith(f"{path}: ")]
