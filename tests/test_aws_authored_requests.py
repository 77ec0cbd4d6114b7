"""Requests from AWS's documentation and AWS-authored code synthesize; documented refusals don't.

Each request below is copied (names and ARNs filled in) from its source, cited above it. A
request AWS shows as valid must never be refused at synth time: where the evidence for it is
thin, it synthesizes with a warning a user can acknowledge.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import aws_cdk as cdk
import pytest

from infrec_cdk import InferenceRecommendationsJob, InfrecValidationError
from tests.annotations import warning_ids

PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
PAYLOAD = "s3://example-ml-artifacts/churn/payload.tar.gz"

# The archived load-test guide's Python example (doc_source/inference-recommender-load-test.md).
GUIDE_LOAD_TEST: dict[str, Any] = {
    "JobType": "Advanced",
    "InputConfig": {
        "ModelPackageVersionArn": PACKAGE,
        "JobDurationInSeconds": 7200,
        "TrafficPattern": {
            "TrafficType": "PHASES",
            "Phases": [
                {"InitialNumberOfUsers": 1, "SpawnRate": 1, "DurationInSeconds": 120},
                {"InitialNumberOfUsers": 1, "SpawnRate": 1, "DurationInSeconds": 120},
            ],
        },
        "ResourceLimit": {"MaxNumberOfTests": 10, "MaxParallelOfTests": 3},
        "EndpointConfigurations": [
            {"InstanceType": "ml.c5.xlarge"},
            {"InstanceType": "ml.m5.xlarge"},
            {"InstanceType": "ml.r5.xlarge"},
        ],
    },
    "StoppingConditions": {
        "MaxInvocations": 1000,
        "ModelLatencyThresholds": [{"Percentile": "P95", "ValueInMilliseconds": 100}],
    },
}

# The same page's AWS CLI example: one phase with "SpawnRate": 60, against its own "maximum 3".
GUIDE_LOAD_TEST_CLI = copy.deepcopy(GUIDE_LOAD_TEST)
GUIDE_LOAD_TEST_CLI["InputConfig"]["TrafficPattern"]["Phases"] = [
    {"InitialNumberOfUsers": 1, "SpawnRate": 60, "DurationInSeconds": 300}
]

# The SageMaker Python SDK's live integration test (tests/integ/test_inference_recommender.py,
# advanced_right_sized_model), as Session._create_inference_recommendations_job_request sends it:
# the second phase starts with 14 users, where the previous one (2 + 2/min for 5 min) ended.
SDK_ADVANCED: dict[str, Any] = {
    "JobType": "Advanced",
    "InputConfig": {
        "ModelPackageVersionArn": PACKAGE,
        "ContainerConfig": {
            "Domain": "MACHINE_LEARNING",
            "Task": "OTHER",
            "Framework": "SAGEMAKER-SCIKIT-LEARN",
            "PayloadConfig": {"SamplePayloadUrl": PAYLOAD, "SupportedContentTypes": ["text/csv"]},
        },
        "JobDurationInSeconds": 3600,
        "TrafficPattern": {
            "TrafficType": "PHASES",
            "Phases": [
                {"DurationInSeconds": 300, "InitialNumberOfUsers": 2, "SpawnRate": 2},
                {"DurationInSeconds": 300, "InitialNumberOfUsers": 14, "SpawnRate": 2},
            ],
        },
        "ResourceLimit": {"MaxNumberOfTests": 5, "MaxParallelOfTests": 5},
        "EndpointConfigurations": [
            {
                "InstanceType": "ml.c5.xlarge",
                "EnvironmentParameterRanges": {
                    "CategoricalParameterRanges": [
                        {
                            "Name": "TEST_PARAM",
                            "Value": ["TEST_PARAM_VALUE_1", "TEST_PARAM_VALUE_2"],
                        }
                    ]
                },
            }
        ],
    },
    "StoppingConditions": {
        "MaxInvocations": 100,
        "ModelLatencyThresholds": [{"Percentile": "P95", "ValueInMilliseconds": 100}],
    },
}

# AWS's TGI hosting example notebook (amazon-sagemaker-examples, archived/sagemaker-huggingface-
# tgi-hosting-examples): a ModelName job whose ContainerConfig has no Framework.
TGI_NOTEBOOK: dict[str, Any] = {
    "JobType": "Default",
    "InputConfig": {
        "ModelName": "falcon-7b-tgi",
        "ContainerConfig": {
            "Domain": "NATURAL_LANGUAGE_PROCESSING",
            "Task": "TEXT_GENERATION",
            "PayloadConfig": {
                "SamplePayloadUrl": "s3://example-ml-artifacts/tgi/payload.tar.gz",
                "SupportedContentTypes": ["application/json"],
            },
            "SupportedEndpointType": "RealTime",
            "SupportedInstanceTypes": ["ml.g5.2xlarge"],
        },
    },
}

# The API reference's Percentile: "Acceptable values are P95 and P99. For custom load tests,
# specify the value as P95." - P99 then belongs to jobs that are not custom load tests.
DEFAULT_WITH_STOPPING_CONDITIONS: dict[str, Any] = {
    "JobType": "Default",
    "InputConfig": {"ModelPackageVersionArn": PACKAGE},
    "StoppingConditions": {
        "MaxInvocations": 300,
        "ModelLatencyThresholds": [{"Percentile": "P99", "ValueInMilliseconds": 200}],
    },
}

# The docs are silent on both of these.
DEFAULT_WITH_ENDPOINT_CONFIGURATIONS: dict[str, Any] = {
    "JobType": "Default",
    "InputConfig": {
        "ModelPackageVersionArn": PACKAGE,
        "EndpointConfigurations": [{"InstanceType": "ml.c5.xlarge"}],
    },
}
ADVANCED_ON_EXISTING_ENDPOINT: dict[str, Any] = {
    "JobType": "Advanced",
    "InputConfig": {
        "ModelPackageVersionArn": PACKAGE,
        "Endpoints": [{"EndpointName": "churn-staging"}],
        "TrafficPattern": GUIDE_LOAD_TEST["InputConfig"]["TrafficPattern"],
    },
    "StoppingConditions": GUIDE_LOAD_TEST["StoppingConditions"],
}

# "Get an inference recommendation for an existing endpoint" (a Default job with Endpoints).
GUIDE_EXISTING_ENDPOINT: dict[str, Any] = {
    "JobType": "Default",
    "InputConfig": {
        "ModelPackageVersionArn": PACKAGE,
        "Endpoints": [{"EndpointName": "churn-staging"}],
    },
}


def synthesize(request: dict[str, Any]) -> cdk.Stack:
    stack = cdk.Stack(cdk.App(), "Aws")
    InferenceRecommendationsJob.from_request(stack, "Job", copy.deepcopy(request))
    return stack


@pytest.mark.parametrize(
    ("request_", "expected_warnings"),
    [
        (GUIDE_LOAD_TEST, []),
        (GUIDE_LOAD_TEST_CLI, ["infrec-cdk:spawnRateAboveDocumented"]),
        # No EndpointConfigurations or SupportedInstanceTypes: SageMaker picks the instance
        # types, which may have local NVMe storage, so no volume key (test_deploy_safety_*).
        (GUIDE_EXISTING_ENDPOINT, ["infrec-cdk:volumeKeyNotSet"]),
        (SDK_ADVANCED, ["infrec-cdk:laterPhaseInitialUsers"]),
        (TGI_NOTEBOOK, ["infrec-cdk:modelNameWithoutFramework", "infrec-cdk:volumeKeyNotSet"]),
        (
            DEFAULT_WITH_STOPPING_CONDITIONS,
            ["infrec-cdk:defaultJobStoppingConditions", "infrec-cdk:volumeKeyNotSet"],
        ),
        (
            DEFAULT_WITH_ENDPOINT_CONFIGURATIONS,
            ["infrec-cdk:defaultJobEndpointConfigurations", "infrec-cdk:volumeKeyNotSet"],
        ),
        (
            ADVANCED_ON_EXISTING_ENDPOINT,
            ["infrec-cdk:advancedWithoutEndpointConfigurations", "infrec-cdk:volumeKeyNotSet"],
        ),
    ],
    ids=[
        "guide-load-test",
        "guide-load-test-cli",
        "guide-existing-endpoint",
        "sdk-integration-test",
        "tgi-notebook",
        "default-with-stopping-conditions",
        "default-with-endpoint-configurations",
        "advanced-on-existing-endpoint",
    ],
)
def test_aws_authored_request_synthesizes(request_, expected_warnings):
    stack = synthesize(request_)
    assert warning_ids(stack) == expected_warnings


def test_a_warning_can_be_acknowledged_on_the_job():
    stack = synthesize(TGI_NOTEBOOK)
    job = stack.node.find_child("Job")

    cdk.Annotations.of(job).acknowledge_warning(
        "infrec-cdk:modelNameWithoutFramework", "our TGI container needs no Framework"
    )

    # ml.g5 has local NVMe storage: the volume key is left out, and says so.
    assert warning_ids(stack) == ["infrec-cdk:volumeKeyNotSet"]


def test_a_warning_can_be_acknowledged_for_a_whole_stack_before_its_jobs_exist():
    stack = cdk.Stack(cdk.App(), "Aws")
    cdk.Annotations.of(stack).acknowledge_warning(
        "infrec-cdk:defaultJobStoppingConditions", "our Default jobs stop at P99"
    )
    cdk.Annotations.of(stack).acknowledge_warning(
        "infrec-cdk:volumeKeyNotSet", "SageMaker's transient key is enough for benchmarks"
    )
    InferenceRecommendationsJob.from_request(stack, "A", DEFAULT_WITH_STOPPING_CONDITIONS)
    InferenceRecommendationsJob.from_request(stack, "B", DEFAULT_WITH_STOPPING_CONDITIONS)

    assert warning_ids(stack) == []


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        (
            ("InputConfig", "EndpointConfigurations", 0, "InstanceType"),
            "ml.t2.medium",
            "InputConfig.EndpointConfigurations[0].InstanceType",
            "is a burstable instance type",
        ),
        (
            ("InputConfig", "JobDurationInSeconds"),
            200,
            "InputConfig.TrafficPattern.Phases",
            "total DurationInSeconds 240 (120 + 120) is above InputConfig.JobDurationInSeconds",
        ),
        (
            ("InputConfig", "JobDurationInSeconds"),
            18_001,
            "InputConfig.JobDurationInSeconds",
            "18001 is above the maximum 18000",
        ),
        (
            ("InputConfig", "TrafficPattern", "Phases", 0, "DurationInSeconds"),
            60,
            "InputConfig.TrafficPattern.Phases[0].DurationInSeconds",
            "60 is below the minimum 120",
        ),
        (
            ("InputConfig", "ModelPackageVersionArn"),
            "arn:aws:sagemaker:us-east-1:123456789012:model-package-group/churn",
            "InputConfig.ModelPackageVersionArn",
            "names the model package group 'churn', not one of its versions",
        ),
        (
            ("StoppingConditions", "ModelLatencyThresholds", 0, "Percentile"),
            "P90",
            "StoppingConditions.ModelLatencyThresholds[0].Percentile",
            "'P90' must be one of P95, P99",
        ),
    ],
    ids=["burstable", "phases-outlast-job", "job-too-long", "phase-too-short", "group", "p90"],
)
def test_documented_refusals_are_still_refused_naming_the_field(path, value, field, message):
    request = copy.deepcopy(GUIDE_LOAD_TEST)
    node: Any = request
    for segment in path[:-1]:
        node = node[segment]
    node[path[-1]] = value

    with pytest.raises(InfrecValidationError) as raised:
        synthesize(request)

    (problem,) = raised.value.problems
    assert problem.startswith(f"{field}: ")
    assert message in problem
    assert re.search(r"\(source: https://docs\.aws\.amazon\.com/\S+\)$", problem)
