"""Tests of the fakes themselves: the fake SageMaker (through real boto3) and the CFN receiver."""

from __future__ import annotations

import copy
import json
import threading
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError

from tests.fakes.cfn_receiver import MAX_BODY_BYTES, CfnResponseReceiver
from tests.fakes.sagemaker import FakeSageMaker, Fault, java_pattern

if TYPE_CHECKING:  # imported by type checkers alone: 0.2 s per test process
    from types_boto3_sagemaker import SageMakerClient

ROLE = "arn:aws:iam::123456789012:role/InfRecRole"
PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/my-group/1"
CREATE = "CreateInferenceRecommendationsJob"
RUN = FakeSageMaker.PENDING_SECONDS + FakeSageMaker.DEFAULT_RUN_SECONDS


def default_request(name: str = "job-1", **extra: Any) -> dict[str, Any]:
    return {
        "JobName": name,
        "JobType": "Default",
        "RoleArn": ROLE,
        "InputConfig": {"ModelPackageVersionArn": PACKAGE},
        **extra,
    }


def advanced_request(name: str = "load-1") -> dict[str, Any]:
    return {
        "JobName": name,
        "JobType": "Advanced",
        "RoleArn": ROLE,
        "InputConfig": {
            "ModelPackageVersionArn": PACKAGE,
            "JobDurationInSeconds": 600,
            "TrafficPattern": {
                "TrafficType": "PHASES",
                "Phases": [{"InitialNumberOfUsers": 1, "SpawnRate": 1, "DurationInSeconds": 120}],
            },
            "EndpointConfigurations": [
                {"InstanceType": "ml.c5.xlarge"},
                {"ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}},
            ],
        },
        "StoppingConditions": {"MaxInvocations": 300},
    }


def client(**config: Any) -> SageMakerClient:
    """A client to the fake (env set by the fixture) with extra botocore config."""
    return boto3.client("sagemaker", config=Config(**config))


@pytest.fixture
def unchecked_client(fake_sagemaker: FakeSageMaker) -> SageMakerClient:
    """No client-side validation and no retries: every request reaches the fake once."""
    unchecked = client(parameter_validation=False, retries={"total_max_attempts": 1})
    assert unchecked.meta.endpoint_url == fake_sagemaker.endpoint_url
    return unchecked


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    error = excinfo.value.response
    return (
        error["Error"]["Code"],
        error["Error"]["Message"],
        error["ResponseMetadata"]["HTTPStatusCode"],
    )


def raw_call(url: str, target: str | None, body: bytes) -> tuple[int, dict[str, Any]]:
    """POST to the fake without boto3; returns the status and the parsed JSON body."""
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if target:
        headers["X-Amz-Target"] = target
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"{}")


# --------------------------------------------------------------------------------------------------
# Round trips


def test_fixture_points_boto3_at_the_fake(fake_sagemaker, sagemaker_client):
    assert sagemaker_client.meta.endpoint_url == fake_sagemaker.endpoint_url
    assert sagemaker_client.meta.region_name == "us-east-1"


def test_create_and_describe_round_trip(fake_sagemaker, sagemaker_client):
    request = default_request("My-Job", JobDescription="right-size it")
    arn = sagemaker_client.create_inference_recommendations_job(**request)["JobArn"]

    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:inference-recommendations-job/my-job"
    described = sagemaker_client.describe_inference_recommendations_job(JobName="My-Job")
    assert described["JobName"] == "My-Job"
    assert described["JobArn"] == arn
    assert described["JobType"] == "Default"
    assert described["JobDescription"] == "right-size it"
    assert described["RoleArn"] == ROLE
    assert described["Status"] == "PENDING"
    assert described["InputConfig"] == request["InputConfig"]
    assert described["CreationTime"].timestamp() == fake_sagemaker.now
    assert "CompletionTime" not in described
    assert "InferenceRecommendations" not in described
    job = fake_sagemaker.jobs["My-Job"]
    assert (job.name, job.arn, job.status, job.request) == ("My-Job", arn, "PENDING", request)
    assert fake_sagemaker.calls[0] == (CREATE, request)
    assert fake_sagemaker.operations() == [CREATE, "DescribeInferenceRecommendationsJob"]


def test_default_job_lifecycle_on_the_clock(fake_sagemaker, sagemaker_client):
    sagemaker_client.create_inference_recommendations_job(**default_request())
    created = fake_sagemaker.now

    def status() -> str:
        return str(
            sagemaker_client.describe_inference_recommendations_job(JobName="job-1")["Status"]
        )

    fake_sagemaker.advance(59)
    assert status() == "PENDING"
    assert fake_sagemaker.running_jobs() == ["job-1"]
    fake_sagemaker.advance(1)
    assert status() == "IN_PROGRESS"
    fake_sagemaker.advance(FakeSageMaker.DEFAULT_RUN_SECONDS - 1)
    assert status() == "IN_PROGRESS"
    fake_sagemaker.advance(1)
    described = sagemaker_client.describe_inference_recommendations_job(JobName="job-1")
    assert described["Status"] == "COMPLETED"
    assert described["CompletionTime"].timestamp() == created + RUN
    assert described["LastModifiedTime"] == described["CompletionTime"]
    assert fake_sagemaker.running_jobs() == []
    recommendations = described["InferenceRecommendations"]
    assert len(recommendations) == 3
    first = recommendations[0]
    assert set(first["Metrics"]) >= {
        "CostPerHour",
        "CostPerInference",
        "MaxInvocations",
        "ModelLatency",
        "CpuUtilization",
        "MemoryUtilization",
    }
    endpoint = first["EndpointConfiguration"]
    assert set(endpoint) == {"EndpointName", "VariantName", "InstanceType", "InitialInstanceCount"}
    assert first["RecommendationId"]
    assert "ModelConfiguration" in first
    assert first["InvocationStartTime"] < first["InvocationEndTime"]


def test_advanced_job_recommends_each_endpoint_configuration(fake_sagemaker, sagemaker_client):
    sagemaker_client.create_inference_recommendations_job(**advanced_request())
    fake_sagemaker.advance(FakeSageMaker.PENDING_SECONDS + 599)
    assert fake_sagemaker.jobs["load-1"].status == "IN_PROGRESS"
    fake_sagemaker.advance(1)

    described = sagemaker_client.describe_inference_recommendations_job(JobName="load-1")
    assert described["Status"] == "COMPLETED"
    assert described["StoppingConditions"] == {"MaxInvocations": 300}
    endpoints = [r["EndpointConfiguration"] for r in described["InferenceRecommendations"]]
    assert endpoints[0]["InstanceType"] == "ml.c5.xlarge"
    assert endpoints[1]["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
    assert "ModelSetupTime" in described["InferenceRecommendations"][1]["Metrics"]


def test_default_job_uses_supported_instance_types(fake_sagemaker, sagemaker_client):
    config = {
        "ModelName": "my-model",
        "ContainerConfig": {"SupportedInstanceTypes": ["ml.g5.xlarge", "ml.m5.large"]},
    }
    sagemaker_client.create_inference_recommendations_job(
        **{**default_request(), "InputConfig": config}
    )
    fake_sagemaker.advance(RUN)
    described = sagemaker_client.describe_inference_recommendations_job(JobName="job-1")
    types = [
        r["EndpointConfiguration"]["InstanceType"] for r in described["InferenceRecommendations"]
    ]
    assert types == ["ml.g5.xlarge", "ml.m5.large", "ml.g5.xlarge"]


def test_existing_endpoint_gives_endpoint_performances(fake_sagemaker, sagemaker_client):
    config = {"ModelPackageVersionArn": PACKAGE, "Endpoints": [{"EndpointName": "prod-endpoint"}]}
    sagemaker_client.create_inference_recommendations_job(
        **{**default_request(), "InputConfig": config}
    )
    fake_sagemaker.advance(RUN)
    described = sagemaker_client.describe_inference_recommendations_job(JobName="job-1")
    (performance,) = described["EndpointPerformances"]
    assert performance["EndpointInfo"] == {"EndpointName": "prod-endpoint"}
    assert set(performance["Metrics"]) == {"MaxInvocations", "ModelLatency"}


def test_recommendation_count_is_configurable(fake_sagemaker, sagemaker_client):
    fake_sagemaker.recommendations_per_job = 100
    sagemaker_client.create_inference_recommendations_job(**default_request())
    fake_sagemaker.advance(RUN)
    described = sagemaker_client.describe_inference_recommendations_job(JobName="job-1")
    assert len(described["InferenceRecommendations"]) == 100
    paginator = sagemaker_client.get_paginator("list_inference_recommendations_job_steps")
    steps = [s for page in paginator.paginate(JobName="job-1") for s in page["Steps"]]
    assert len(steps) == 100


def test_list_steps_follow_the_job(fake_sagemaker, sagemaker_client):
    sagemaker_client.create_inference_recommendations_job(**default_request())

    def steps(**filters: Any) -> list[Any]:
        answer = sagemaker_client.list_inference_recommendations_job_steps(
            JobName="job-1", **filters
        )
        return list(answer["Steps"])

    assert {s["Status"] for s in steps()} == {"PENDING"}
    fake_sagemaker.advance(60)
    assert {s["Status"] for s in steps()} == {"IN_PROGRESS"}
    fake_sagemaker.advance(FakeSageMaker.DEFAULT_RUN_SECONDS)
    completed = steps(StepType="BENCHMARK")
    assert len(completed) == 3
    assert {(s["StepType"], s["JobName"], s["Status"]) for s in completed} == {
        ("BENCHMARK", "job-1", "COMPLETED")
    }
    assert "Metrics" in completed[0]["InferenceBenchmark"]
    assert steps(Status="FAILED") == []


def test_list_jobs_filters_sorts_and_pages(fake_sagemaker, sagemaker_client):
    for index in range(5):
        sagemaker_client.create_inference_recommendations_job(**default_request(f"alpha-{index}"))
        fake_sagemaker.advance(1)
    sagemaker_client.create_inference_recommendations_job(**default_request("beta-0"))
    sagemaker_client.stop_inference_recommendations_job(JobName="alpha-0")

    def names(**params: Any) -> list[str]:
        jobs = sagemaker_client.list_inference_recommendations_jobs(**params)
        return [job["JobName"] for job in jobs["InferenceRecommendationsJobs"]]

    assert names(NameContains="ALPHA", SortBy="Name", SortOrder="Ascending") == [
        f"alpha-{i}" for i in range(5)
    ]
    assert names() == ["beta-0", "alpha-4", "alpha-3", "alpha-2", "alpha-1", "alpha-0"]
    assert names(StatusEquals="STOPPING") == ["alpha-0"]
    first = sagemaker_client.list_inference_recommendations_jobs(MaxResults=4)
    assert len(first["InferenceRecommendationsJobs"]) == 4
    rest = sagemaker_client.list_inference_recommendations_jobs(
        MaxResults=4, NextToken=first["NextToken"]
    )
    assert len(rest["InferenceRecommendationsJobs"]) == 2
    assert "NextToken" not in rest
    paginator = sagemaker_client.get_paginator("list_inference_recommendations_jobs")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["InferenceRecommendationsJobs"]) for p in pages] == [2, 2, 2]
    summary = sagemaker_client.list_inference_recommendations_jobs(NameContains="beta")
    (beta,) = summary["InferenceRecommendationsJobs"]
    assert beta["ModelPackageVersionArn"] == PACKAGE
    assert beta["JobDescription"] == ""


def test_list_rejects_a_forged_token(sagemaker_client):
    with pytest.raises(ClientError) as excinfo:
        sagemaker_client.list_inference_recommendations_jobs(NextToken="not-a-token")
    assert error_of(excinfo)[0] == "ValidationException"


def test_tags_round_trip(fake_sagemaker, sagemaker_client):
    tags = [{"Key": "team", "Value": "ml"}, {"Key": "Équipe", "Value": "données 1"}]
    arn = sagemaker_client.create_inference_recommendations_job(**default_request(Tags=tags))[
        "JobArn"
    ]
    assert sagemaker_client.list_tags(ResourceArn=arn)["Tags"] == tags
    sagemaker_client.add_tags(
        ResourceArn=arn, Tags=[{"Key": "team", "Value": "infra"}, {"Key": "cost", "Value": "1"}]
    )
    assert fake_sagemaker.jobs["job-1"].tags == [
        {"Key": "team", "Value": "infra"},
        {"Key": "Équipe", "Value": "données 1"},
        {"Key": "cost", "Value": "1"},
    ]
    assert len(sagemaker_client.list_tags(ResourceArn=arn)["Tags"]) == 3
    with pytest.raises(ClientError) as excinfo:
        sagemaker_client.list_tags(ResourceArn=arn + "-missing")
    assert error_of(excinfo)[0] == "ValidationException"


# --------------------------------------------------------------------------------------------------
# Stop, outcomes, names


def test_stop_moves_through_stopping_to_stopped(fake_sagemaker, sagemaker_client):
    sagemaker_client.create_inference_recommendations_job(**default_request())
    fake_sagemaker.advance(100)
    sagemaker_client.stop_inference_recommendations_job(JobName="job-1")
    stopped_at = fake_sagemaker.now
    assert fake_sagemaker.jobs["job-1"].status == "STOPPING"
    assert fake_sagemaker.running_jobs() == []
    fake_sagemaker.advance(29)
    assert fake_sagemaker.jobs["job-1"].status == "STOPPING"
    fake_sagemaker.advance(1)
    described = sagemaker_client.describe_inference_recommendations_job(JobName="job-1")
    assert described["Status"] == "STOPPED"
    assert described["CompletionTime"].timestamp() == stopped_at + 30
    fake_sagemaker.advance(10 * RUN)
    assert fake_sagemaker.jobs["job-1"].status == "STOPPED"
    steps = sagemaker_client.list_inference_recommendations_job_steps(JobName="job-1")["Steps"]
    assert {s["Status"] for s in steps} == {"STOPPED"}


@pytest.mark.parametrize(("elapsed", "status"), [(0, "PENDING"), (60, "IN_PROGRESS")])
def test_stop_works_on_running_jobs(fake_sagemaker, sagemaker_client, elapsed, status):
    sagemaker_client.create_inference_recommendations_job(**default_request())
    fake_sagemaker.advance(elapsed)
    assert fake_sagemaker.jobs["job-1"].status == status
    sagemaker_client.stop_inference_recommendations_job(JobName="job-1")
    assert fake_sagemaker.jobs["job-1"].status == "STOPPING"


@pytest.mark.parametrize("state", ["STOPPING", "STOPPED", "COMPLETED", "FAILED"])
def test_stop_refuses_jobs_that_are_not_running(fake_sagemaker, sagemaker_client, state):
    if state == "FAILED":
        fake_sagemaker.set_outcome("job-1")
    sagemaker_client.create_inference_recommendations_job(**default_request())
    if state.startswith("STOP"):
        sagemaker_client.stop_inference_recommendations_job(JobName="job-1")
    fake_sagemaker.advance(RUN if state in {"COMPLETED", "FAILED"} else 30 * (state == "STOPPED"))
    assert fake_sagemaker.jobs["job-1"].status == state
    with pytest.raises(ClientError) as excinfo:
        sagemaker_client.stop_inference_recommendations_job(JobName="job-1")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert "not in a stoppable state" in message


def test_set_outcome_fails_one_job_or_every_later_job(fake_sagemaker, sagemaker_client):
    sagemaker_client.create_inference_recommendations_job(**default_request("running"))
    fake_sagemaker.set_outcome("running", failure_reason="Benchmark failed: out of memory")
    fake_sagemaker.set_outcome("future")
    sagemaker_client.create_inference_recommendations_job(**default_request("future"))
    sagemaker_client.create_inference_recommendations_job(**default_request("other"))
    fake_sagemaker.set_outcome(None, failure_reason="everything fails now")
    sagemaker_client.create_inference_recommendations_job(**default_request("later"))
    fake_sagemaker.advance(RUN)

    def describe(name: str) -> Any:
        return sagemaker_client.describe_inference_recommendations_job(JobName=name)

    failed = describe("running")
    assert failed["Status"] == "FAILED"
    assert failed["FailureReason"] == "Benchmark failed: out of memory"
    assert "InferenceRecommendations" not in failed
    assert fake_sagemaker.jobs["running"].failure_reason == "Benchmark failed: out of memory"
    assert describe("future")["Status"] == "FAILED"
    assert describe("other")["Status"] == "COMPLETED"
    assert "FailureReason" not in describe("other")
    assert describe("later")["FailureReason"] == "everything fails now"
    steps = sagemaker_client.list_inference_recommendations_job_steps(
        JobName="later", Status="FAILED"
    )["Steps"]
    assert steps[0]["InferenceBenchmark"]["FailureReason"] == "everything fails now"


@pytest.mark.parametrize("state", ["PENDING", "COMPLETED", "STOPPED"])
def test_names_are_never_reused(fake_sagemaker, sagemaker_client, state):
    sagemaker_client.create_inference_recommendations_job(**default_request("taken"))
    if state == "STOPPED":
        sagemaker_client.stop_inference_recommendations_job(JobName="taken")
    fake_sagemaker.advance(0 if state == "PENDING" else RUN)
    for name in ("taken", "TAKEN"):
        with pytest.raises(ClientError) as excinfo:
            sagemaker_client.create_inference_recommendations_job(**default_request(name))
        assert error_of(excinfo)[0] == "ResourceInUse"
    assert list(fake_sagemaker.jobs) == ["taken"]


@pytest.mark.parametrize(
    "call",
    [
        "describe_inference_recommendations_job",
        "stop_inference_recommendations_job",
        "list_inference_recommendations_job_steps",
    ],
)
def test_unknown_job_is_not_found(sagemaker_client, call):
    with pytest.raises(ClientError) as excinfo:
        getattr(sagemaker_client, call)(JobName="nope")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ResourceNotFound", 400)
    assert "Could not find job nope" in message


@pytest.mark.usefixtures("fake_sagemaker")
def test_concurrent_creates_of_one_name_make_one_job():
    outcomes: list[str] = []

    def create() -> None:
        try:
            client().create_inference_recommendations_job(**default_request("race"))
            outcomes.append("created")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ResourceInUse"] * 7 + ["created"]


# --------------------------------------------------------------------------------------------------
# Model validation (the constraints botocore's client does not check)


def _set(request: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Copy of ``request`` with the dotted ``path`` set (``-`` deletes the member)."""
    changed = copy.deepcopy(request)
    *parents, last = path.split(".")
    target: Any = changed
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value == "-":
        del target[last]
    else:
        target[last] = value
    return changed


@pytest.mark.parametrize(
    "case",
    [
        ("JobName", "j" * 65, "'jobName'", "length less than or equal to 64"),
        ("JobName", "bad_name", "'jobName'", "regular expression pattern"),
        ("JobType", "Fast", "'jobType'", "enum value set: [Default, Advanced]"),
        ("RoleArn", "arn:aws:iam::1:user/x", "'roleArn'", "regular expression pattern"),
        (
            "InputConfig.EndpointConfigurations.1.InstanceType",
            "ml.fake.xlarge",
            "'inputConfig.endpointConfigurations.2.member.instanceType'",
            "enum value set",
        ),
        (
            "InputConfig.TrafficPattern",
            {"TrafficType": "STAIRS", "Stairs": {"UsersPerStep": 0}},
            "'inputConfig.trafficPattern.stairs.usersPerStep'",
            "value greater than or equal to 1",
        ),
        (
            "InputConfig.TrafficPattern",
            {"TrafficType": "STAIRS", "Stairs": {"UsersPerStep": 4}},
            "'inputConfig.trafficPattern.stairs.usersPerStep'",
            "value less than or equal to 3",
        ),
        (
            "InputConfig.TrafficPattern.Phases",
            [{"DurationInSeconds": 120}, {"DurationInSeconds": 0}],
            "'inputConfig.trafficPattern.phases.2.member.durationInSeconds'",
            "value greater than or equal to 1",
        ),
        (
            "InputConfig.EndpointConfigurations",
            [{"InstanceType": "ml.c5.xlarge"}] * 11,
            "'inputConfig.endpointConfigurations'",
            "length less than or equal to 10",
        ),
        (
            "InputConfig.EndpointConfigurations.0.ServerlessConfig",
            {"MemorySizeInMB": 512, "MaxConcurrency": 1},
            "'inputConfig.endpointConfigurations.1.member.serverlessConfig.memorySizeInMB'",
            "value greater than or equal to 1024",
        ),
        ("RoleArn", "-", "Value null at 'roleArn'", "Member must not be null"),
        ("InputConfig.JobDurationInSeconds", "600", "'inputConfig.jobDurationInSeconds'", "type"),
        ("Tags", [{"Key": "a#b", "Value": "v"}], "'tags.1.member.key'", "regular expression"),
        ("Tags", [{"Key": "k", "Value": "v"}] * 51, "'tags'", "length less than or equal to 50"),
        ("JobDescription", "d" * 129, "'jobDescription'", "length less than or equal to 128"),
    ],
    ids=lambda case: f"{case[2]} {case[3]}",
)
def test_model_constraints_are_enforced(fake_sagemaker, unchecked_client, case):
    path, value, where, rule = case
    request = _set(advanced_request(), path, value)
    with pytest.raises(ClientError) as excinfo:
        unchecked_client.create_inference_recommendations_job(**request)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("ValidationException", 400)
    assert "validation error" in message
    assert where in message
    assert rule in message
    assert fake_sagemaker.jobs == {}


def test_unknown_members_are_rejected(fake_sagemaker):
    # botocore cannot even serialize an unknown member: send the JSON ourselves.
    request = _set(default_request(), "InputConfig.Foo", 1)
    status, body = raw_call(
        fake_sagemaker.endpoint_url, f"SageMaker.{CREATE}", json.dumps(request).encode()
    )
    assert (status, body["__type"]) == (400, "ValidationException")
    assert "'inputConfig.foo'" in body["message"]
    assert "Unknown member 'Foo'" in body["message"]


def test_every_violation_is_reported(unchecked_client):
    request = default_request("bad_name", JobType="Fast")
    with pytest.raises(ClientError) as excinfo:
        unchecked_client.create_inference_recommendations_job(**request)
    assert error_of(excinfo)[1].startswith("2 validation errors detected: ")


def test_the_standard_client_relies_on_the_fake_for_max_pattern_and_enum(sagemaker_client):
    bad = _set(advanced_request(), "InputConfig.EndpointConfigurations.0.InstanceType", "ml.x")
    with pytest.raises(ClientError) as excinfo:
        sagemaker_client.create_inference_recommendations_job(**bad)
    assert "'inputConfig.endpointConfigurations.1.member.instanceType'" in error_of(excinfo)[1]


@pytest.mark.parametrize(
    "config",
    [{}, {"ModelName": "m", "ModelPackageVersionArn": PACKAGE}],
    ids=["neither", "both"],
)
def test_model_name_or_package_exactly_one(unchecked_client, config):
    with pytest.raises(ClientError) as excinfo:
        unchecked_client.create_inference_recommendations_job(
            **{**default_request(), "InputConfig": config}
        )
    assert "exactly one of ModelName or ModelPackageVersionArn" in error_of(excinfo)[1]


def test_job_duration_above_the_service_maximum(unchecked_client):
    request = _set(advanced_request(), "InputConfig.JobDurationInSeconds", 18_001)
    with pytest.raises(ClientError) as excinfo:
        unchecked_client.create_inference_recommendations_job(**request)
    assert "'inputConfig.jobDurationInSeconds'" in error_of(excinfo)[1]


def test_java_patterns_of_the_whole_model_compile():
    model = botocore.session.get_session().get_service_model("sagemaker")
    patterns = {model.shape_for(name).metadata.get("pattern") for name in model.shape_names}
    for pattern in patterns - {None}:
        java_pattern(str(pattern))
    tag = java_pattern(r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)")
    assert tag.fullmatch("Équipe 日本 ٣ a_b.c:d/e=f+g-h@i")
    assert not tag.fullmatch("a#b")
    assert java_pattern(r"[\p{Alnum}\-]+").fullmatch("aws-cn")
    assert not java_pattern(r"\w+").fullmatch("é")  # Java's \w is ASCII
    assert java_pattern(r"([a-z]*)${1,128}").fullmatch("abc")


def test_responses_are_valid_against_the_output_shapes(fake_sagemaker, sagemaker_client):
    sagemaker_client.create_inference_recommendations_job(**advanced_request())
    endpoint = {"ModelPackageVersionArn": PACKAGE, "Endpoints": [{"EndpointName": "e-1"}]}
    sagemaker_client.create_inference_recommendations_job(
        **{**default_request(), "InputConfig": endpoint}
    )
    fake_sagemaker.set_outcome(None)
    sagemaker_client.create_inference_recommendations_job(**default_request("failing"))
    fake_sagemaker.advance(3 * RUN)
    model = fake_sagemaker.model
    calls = [
        ("DescribeInferenceRecommendationsJob", {"JobName": "load-1"}),
        ("DescribeInferenceRecommendationsJob", {"JobName": "job-1"}),
        ("DescribeInferenceRecommendationsJob", {"JobName": "failing"}),
        ("ListInferenceRecommendationsJobs", {}),
        ("ListInferenceRecommendationsJobSteps", {"JobName": "job-1"}),
        ("ListInferenceRecommendationsJobSteps", {"JobName": "failing"}),
    ]
    for operation, params in calls:
        status, body = raw_call(
            fake_sagemaker.endpoint_url, f"SageMaker.{operation}", json.dumps(params).encode()
        )
        assert status == 200
        shape = model.operation_model(operation).output_shape
        assert shape is not None
        assert fake_sagemaker.validator.errors(shape, body) == [], operation


# --------------------------------------------------------------------------------------------------
# Protocol errors


def test_unknown_operation(sagemaker_client, fake_sagemaker):
    with pytest.raises(ClientError) as excinfo:
        sagemaker_client.describe_training_job(TrainingJobName="x")
    assert error_of(excinfo)[0] == "UnknownOperationException"
    assert fake_sagemaker.operations() == ["DescribeTrainingJob"]


def test_raw_protocol_errors(fake_sagemaker):
    url = fake_sagemaker.endpoint_url
    status, body = raw_call(url, None, b"{}")
    assert (status, body["__type"]) == (400, "UnknownOperationException")
    status, body = raw_call(url, f"SageMaker.{CREATE}", b"{not json")
    assert (status, body["__type"]) == (400, "SerializationException")


# --------------------------------------------------------------------------------------------------
# Fault injection


@pytest.mark.parametrize(
    "case",
    [
        (Fault.throttling(), "ThrottlingException", 400, "Rate exceeded"),
        (Fault.server_error(), "InternalFailure", 500, "internal error"),
        (Fault.server_error(status=503), "ServiceUnavailable", 503, "internal error"),
        (Fault.resource_in_use(), "ResourceInUse", 400, "in use"),
        (Fault.resource_limit_exceeded(), "ResourceLimitExceeded", 400, "resource limit"),
        (Fault.validation("no such model"), "ValidationException", 400, "no such model"),
    ],
    ids=lambda case: case[1],
)
def test_error_faults_answer_once_and_create_nothing(fake_sagemaker, unchecked_client, case):
    fault, code, status, message = case
    fake_sagemaker.inject(CREATE, fault)
    with pytest.raises(ClientError) as excinfo:
        unchecked_client.create_inference_recommendations_job(**default_request())
    got_code, got_message, got_status = error_of(excinfo)
    assert (got_code, got_status) == (code, status)
    assert message in got_message
    assert fake_sagemaker.jobs == {}
    assert fake_sagemaker.calls == [(CREATE, default_request())]
    unchecked_client.create_inference_recommendations_job(**default_request())
    assert list(fake_sagemaker.jobs) == ["job-1"]


def test_faults_are_consumed_in_order_per_operation(fake_sagemaker, unchecked_client):
    fake_sagemaker.inject(CREATE, Fault.throttling(), times=2)
    fake_sagemaker.inject(CREATE, Fault.resource_limit_exceeded())
    codes = []
    for _ in range(3):
        with pytest.raises(ClientError) as excinfo:
            unchecked_client.create_inference_recommendations_job(**default_request())
        codes.append(error_of(excinfo)[0])
    assert codes == ["ThrottlingException", "ThrottlingException", "ResourceLimitExceeded"]
    unchecked_client.list_inference_recommendations_jobs()  # other operations are untouched
    unchecked_client.create_inference_recommendations_job(**default_request())
    assert fake_sagemaker.operations() == [CREATE] * 3 + [
        "ListInferenceRecommendationsJobs",
        CREATE,
    ]


def test_injecting_on_an_unknown_operation_is_a_test_bug(fake_sagemaker):
    with pytest.raises(ValueError, match="not an operation of the fake"):
        fake_sagemaker.inject("DeleteInferenceRecommendationsJob", Fault.throttling())


def test_slow_fault_answers_late_and_creates(fake_sagemaker, sagemaker_client):
    fake_sagemaker.inject(CREATE, Fault.slow(0.2))
    started = time.monotonic()
    sagemaker_client.create_inference_recommendations_job(**default_request())
    assert time.monotonic() - started >= 0.2
    assert list(fake_sagemaker.jobs) == ["job-1"]


def test_held_fault_acts_on_the_call_only_once_its_gate_opens(fake_sagemaker, sagemaker_client):
    gate = threading.Event()
    fake_sagemaker.inject(CREATE, Fault.held(gate))
    creating = threading.Thread(
        target=sagemaker_client.create_inference_recommendations_job,
        kwargs=default_request(),
        daemon=True,
    )
    creating.start()
    assert fake_sagemaker.wait_until(lambda: CREATE in fake_sagemaker.operations())
    assert fake_sagemaker.jobs == {}  # received, held

    gate.set()
    creating.join(timeout=5)

    assert not creating.is_alive()
    assert list(fake_sagemaker.jobs) == ["job-1"]


def test_then_fault_runs_its_action_after_the_call_and_before_the_answer(
    fake_sagemaker, sagemaker_client
):
    seen: list[list[str]] = []
    fake_sagemaker.inject(CREATE, Fault.then(lambda: seen.append(list(fake_sagemaker.jobs))))

    sagemaker_client.create_inference_recommendations_job(**default_request())

    assert seen == [["job-1"]]


def test_hang_fault_times_the_client_out_and_does_not_block_stop(fake_sagemaker):
    fake_sagemaker.inject(CREATE, Fault.hang())
    impatient = client(read_timeout=0.2, retries={"total_max_attempts": 1})
    with pytest.raises(ReadTimeoutError):
        impatient.create_inference_recommendations_job(**default_request())
    assert fake_sagemaker.jobs == {}
    assert fake_sagemaker.operations() == [CREATE]
    started = time.monotonic()
    fake_sagemaker.stop()
    assert time.monotonic() - started < 1


def test_standalone_fake_as_context_manager():
    with FakeSageMaker(start_time=1_000_000) as fake:
        assert fake.endpoint_url.startswith("http://127.0.0.1:")
        assert fake.now == 1_000_000
    with pytest.raises(RuntimeError):
        fake.start()


# --------------------------------------------------------------------------------------------------
# CloudFormation response receiver


def put(url: str, body: bytes | dict[str, Any], timeout: float = 5) -> int:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 (loopback http)
        url, data=data, method="PUT", headers={"Content-Type": ""}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return int(answer.status)
    except urllib.error.HTTPError as error:
        with error:
            return error.code


def cfn_body(status: str = "SUCCESS", **changes: Any) -> dict[str, Any]:
    body = {
        "Status": status,
        "Reason": "See the logs",
        "PhysicalResourceId": "job-1",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
        "RequestId": "req-1",
        "LogicalResourceId": "Job",
        "NoEcho": False,
        "Data": {"JobArn": "arn:x", "JobName": "job-1"},
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def test_receiver_url_carries_the_secret_signature(cfn_receiver):
    url = cfn_receiver.url("req-1")
    assert url.startswith("http://127.0.0.1:")
    assert "/cfn-response/req-1?" in url
    assert cfn_receiver.signature.startswith("SECRET-")
    assert f"X-Amz-Signature={cfn_receiver.signature}" in url
    assert "X-Amz-Expires=7200" in url
    assert CfnResponseReceiver().signature != cfn_receiver.signature


@pytest.mark.parametrize("status", ["SUCCESS", "FAILED"])
def test_receiver_accepts_a_valid_response(cfn_receiver, status):
    assert put(cfn_receiver.url("req-1"), cfn_body(status)) == 200
    received = cfn_receiver.response_for("req-1")
    assert received.status == status
    assert received.data == {"JobArn": "arn:x", "JobName": "job-1"}
    assert received.reason == "See the logs"
    assert received.body["PhysicalResourceId"] == "job-1"
    assert received.headers["content-type"] == ""
    assert cfn_receiver.rejected == []


def test_receiver_accepts_exactly_the_size_limit(cfn_receiver):
    body = json.dumps(cfn_body(Reason="")).encode()
    padded = json.dumps(cfn_body(Reason="r" * (MAX_BODY_BYTES - len(body)))).encode()
    assert len(padded) == MAX_BODY_BYTES
    assert put(cfn_receiver.url("req-1"), padded) == 200
    assert put(cfn_receiver.url("req-1"), padded[:-1] + b" }") == 400


def test_receiver_response_for_returns_the_last_and_asserts_when_missing(cfn_receiver):
    put(cfn_receiver.url("req-1"), cfn_body(PhysicalResourceId="first"))
    put(cfn_receiver.url("req-1"), cfn_body(PhysicalResourceId="second"))
    assert cfn_receiver.response_for("req-1").body["PhysicalResourceId"] == "second"
    assert len(cfn_receiver.responses) == 2
    with pytest.raises(AssertionError, match="no accepted response"):
        cfn_receiver.response_for("req-2")


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"x" * (MAX_BODY_BYTES + 1), "over the 4096-byte limit"),
        (b"not json", "not JSON"),
        (b"[]", "not a JSON object"),
        (cfn_body(Status="OK"), "not SUCCESS or FAILED"),
        (cfn_body(StackId=None), "StackId is missing"),
        (cfn_body(LogicalResourceId=""), "LogicalResourceId is missing"),
        (cfn_body(PhysicalResourceId=""), "PhysicalResourceId is missing"),
        (cfn_body(PhysicalResourceId="p" * 1025), "longer than 1024"),
        (cfn_body(RequestId="req-other"), "does not match"),
        (cfn_body(Data={"Count": 3}), "Data is not an object of string values"),
        (cfn_body(Data=["a"]), "Data is not an object of string values"),
        (cfn_body("FAILED", Reason=None), "Reason is required"),
        (cfn_body("FAILED", Reason=""), "Reason is required"),
    ],
)
def test_receiver_rejects_what_cloudformation_rejects(cfn_receiver, body, problem):
    assert put(cfn_receiver.url("req-1"), body) == 400
    (rejected,) = cfn_receiver.rejected
    assert any(problem in text for text in rejected.problems), rejected.problems
    assert cfn_receiver.responses == []
    with pytest.raises(AssertionError):
        cfn_receiver.response_for("req-1")


def test_receiver_rejects_an_altered_signature_and_other_methods(cfn_receiver):
    url = cfn_receiver.url("req-1")
    assert put(url.replace(cfn_receiver.signature, "SECRET-forged"), cfn_body()) == 403
    request = urllib.request.Request(url, method="GET")  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310
    with excinfo.value:
        assert excinfo.value.code == 400
    assert len(cfn_receiver.rejected) == 2


def test_receiver_fail_next_for_retries(cfn_receiver):
    cfn_receiver.fail_next(2)
    cfn_receiver.fail_next(1, status=503)
    url = cfn_receiver.url("req-1")
    assert [put(url, cfn_body()) for _ in range(4)] == [500, 500, 503, 200]
    assert [item.outcome for item in cfn_receiver.received] == ["failed"] * 3 + ["accepted"]
    assert len(cfn_receiver.responses) == 1


def test_receiver_hang_next_until_stopped(cfn_receiver):
    cfn_receiver.hang_next(1)
    with pytest.raises(TimeoutError):
        put(cfn_receiver.url("req-1"), cfn_body(), timeout=0.2)
    assert put(cfn_receiver.url("req-1"), cfn_body()) == 200
    assert [item.outcome for item in cfn_receiver.received] == ["hung", "accepted"]
    started = time.monotonic()
    cfn_receiver.stop()
    assert time.monotonic() - started < 1
