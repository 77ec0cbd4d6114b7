"""A value of the wrong Python type gets an error naming the prop, not an error from inside jsii."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms

from infrec_cdk import (
    EndpointConfiguration,
    InferenceRecommendationsJob,
    InfrecValidationError,
    LatencyPercentile,
    ModelLatencyThreshold,
    ModelSource,
    Phase,
    RecommendedEndpoint,
    ServerlessConfig,
    StoppingConditions,
    TrafficPattern,
    Wait,
)

PACKAGE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
MODEL = ModelSource.from_model_package_version(PACKAGE_ARN)


@pytest.fixture
def stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "TestStack")


def problems_of(stack: cdk.Stack, **props: Any) -> tuple[str, ...]:
    with pytest.raises(InfrecValidationError) as raised:
        InferenceRecommendationsJob(stack, "Job", **{"model": MODEL, **props})
    return raised.value.problems


@pytest.mark.parametrize(
    ("prop", "value", "expected"),
    [
        (
            "stopping_conditions",
            {"MaxInvocations": 300},
            (
                "stopping_conditions: expected a StoppingConditions, got dict "
                "{'MaxInvocations': 300}; e.g. StoppingConditions(...) (a request in the API's "
                "own syntax goes to InferenceRecommendationsJob.from_request)"
            ),
        ),
        (
            "job_duration",
            7200,
            "job_duration: expected a cdk.Duration, got int 7200; e.g. cdk.Duration.seconds(7200)",
        ),
        (
            "role",
            "arn:aws:iam::123456789012:role/x",
            (
                "role: expected an iam.IRole, got str 'arn:aws:iam::123456789012:role/x'; "
                "e.g. iam.Role.from_role_arn(self, 'Role', role_arn)"
            ),
        ),
        (
            "removal_policy",
            "RETAIN",
            (
                "removal_policy: expected a cdk.RemovalPolicy, got str 'RETAIN'; "
                "e.g. cdk.RemovalPolicy.RETAIN"
            ),
        ),
        ("tags", {"team": 7}, "tags: expected a mapping of str to str, got dict {'team': 7}"),
        (
            "endpoint_configurations",
            EndpointConfiguration.instance("ml.c5.xlarge"),
            (
                "endpoint_configurations: expected a list of EndpointConfiguration, got "
                "EndpointConfiguration"
            ),
        ),
        (
            "model",
            PACKAGE_ARN,
            f"model: expected a ModelSource, got str {PACKAGE_ARN!r}; e.g. ModelSource(...)",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and value.islower() else None,
)
def test_a_prop_of_the_wrong_type_is_named_with_the_type_it_takes(stack, prop, value, expected):
    (problem,) = problems_of(stack, **{prop: value})
    assert problem.startswith(expected)


def test_every_wrong_prop_is_reported_together_naming_the_construct(stack):
    wrong: dict[str, Any] = {"job_duration": 60, "encryption_key": "alias/x", "vpc": "vpc-1"}
    with pytest.raises(InfrecValidationError) as raised:
        InferenceRecommendationsJob(stack, "Job", model=MODEL, **wrong)
    assert [p.split(":")[0] for p in raised.value.problems] == [
        "job_duration",
        "encryption_key",
        "vpc",
    ]
    assert "in TestStack/Job (3 problems)" in str(raised.value)


def test_imported_resources_and_tokens_are_accepted(stack):
    vpc = ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        availability_zones=["us-east-1a"],
        private_subnet_ids=["subnet-0123456789abcdef0"],
    )
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=MODEL,
        job_name=cdk.Fn.import_value("JobName"),  # a token string
        role=iam.Role.from_role_arn(stack, "Role", "arn:aws:iam::123456789012:role/x"),
        encryption_key=kms.Key.from_key_arn(
            stack, "Key", "arn:aws:kms:us-east-1:123456789012:key/1234abcd"
        ),
        vpc=vpc,
        security_groups=[ec2.SecurityGroup.from_security_group_id(stack, "Sg", "sg-1")],
        wait=Wait(max_cost_per_hour=2),  # an int where a float is expected (PEP 484)
        job_type="Default",  # type: ignore[arg-type]  # the enum's value is as good
    )


def test_a_token_number_is_an_int():
    users = cdk.Token.as_number(cdk.Fn.import_value("Users"))  # a float that stands for a number
    phase = Phase(duration=cdk.Duration.minutes(2), initial_number_of_users=users)  # type: ignore[arg-type]
    assert phase.render()["InitialNumberOfUsers"] == phase.initial_number_of_users


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda: Phase(duration=120),  # type: ignore[arg-type]
            "Phase.duration: expected a cdk.Duration, got int 120",
        ),
        (
            lambda: StoppingConditions(model_latency_threshold={"Percentile": "P95"}),  # type: ignore[arg-type]
            (
                "StoppingConditions.model_latency_threshold: expected a ModelLatencyThreshold, got "
                "dict {'Percentile': 'P95'}"
            ),
        ),
        (
            lambda: TrafficPattern.phases([{"DurationInSeconds": 120}]),  # type: ignore[list-item]
            "TrafficPattern.phases_: expected a list of Phase, got tuple",
        ),
        (
            lambda: ServerlessConfig(memory_size_in_mb="2048", max_concurrency=5),  # type: ignore[arg-type]
            "ServerlessConfig.memory_size_in_mb: expected an int, got str '2048'",
        ),
        (
            lambda: ModelLatencyThreshold(percentile=LatencyPercentile.P95, value=100),  # type: ignore[arg-type]
            "ModelLatencyThreshold.value: expected a cdk.Duration, got int 100",
        ),
        (
            lambda: Wait(timeout=3600),  # type: ignore[arg-type]
            "Wait.timeout: expected a cdk.Duration, got int 3600",
        ),
        (
            lambda: StoppingConditions(max_invocations=True),
            "StoppingConditions.max_invocations: expected an int, got bool True",
        ),
    ],
    ids=["phase", "threshold", "phases", "memory", "latency", "wait", "bool-is-no-int"],
)
def test_a_config_value_of_the_wrong_type_fails_where_it_is_made(make, expected):
    with pytest.raises(InfrecValidationError) as raised:
        make()
    (problem,) = raised.value.problems
    assert problem.startswith(expected)


def test_recommended_endpoint_names_a_job_given_by_name(stack):
    with pytest.raises(
        InfrecValidationError, match=r"job: expected an InferenceRecommendationsJob"
    ):
        RecommendedEndpoint(stack, "Endpoint", job="my-job", model_name="m")  # type: ignore[arg-type]


def test_from_request_checks_its_props_too(stack):
    with pytest.raises(InfrecValidationError, match=r"role: expected an iam.IRole, got str"):
        InferenceRecommendationsJob.from_request(
            stack,
            "Job",
            {"JobType": "Default", "InputConfig": {"ModelPackageVersionArn": PACKAGE_ARN}},
            role="arn:aws:iam::123456789012:role/x",  # type: ignore[arg-type]
        )
