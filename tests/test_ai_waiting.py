"""Waiting for AI jobs: the sweep and the results resource by ``Kind``, against the fakes."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import ai_selection
import boto3
import pytest
import results
from cfn_response import CfnResponse, encode
from sweep import METADATA_KEY, handle

from tests.ai_events import BENCHMARK, RECOMMENDATION, AIKindCase, shared_config
from tests.fakes.cfn_receiver import CfnResponseReceiver, ReceivedResponse
from tests.fakes.sagemaker import FakeSageMaker
from tests.harness.completion_events import capture_completion_events, captured_events
from tests.harness.deploy import LambdaContext, WaitSignalReceiver
from tests.harness.resolve import STACK_ID
from tests.harness.stack_api import StackApi, StackResource

RULE = "stack-poll-1m"
WAIT_CONDITION = "AWS::CloudFormation::WaitCondition"
BUCKET = "app-output"


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[StackResource]]:
    resources: list[StackResource] = []
    with StackApi(lambda: list(resources)) as api:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", api.url)
        yield resources


@pytest.fixture
def rule(aws_services: str) -> Any:
    events = boto3.client("events", endpoint_url=aws_services, region_name="us-east-1")
    events.put_rule(Name=RULE, ScheduleExpression="rate(1 minute)", State="ENABLED")
    return events


@pytest.fixture
def client(sagemaker_client: Any) -> Any:
    shared_config(sagemaker_client)
    return sagemaker_client


def start(client: Any, kind: AIKindCase, name: str) -> str:
    """Start a job of ``kind`` as the handler would (its request, typed as the API wants it)."""
    request = {**kind.request(), kind.name_member: name}
    if kind is RECOMMENDATION:
        request["OptimizeModel"] = False
        client.create_ai_recommendation_job(**request)
    else:
        client.create_ai_benchmark_job(**request)
    return name


def waiting(
    resources: list[StackResource], condition: str, job: str, url: str, kind: str | None
) -> None:
    """``condition`` waits (CREATE_IN_PROGRESS) for ``job``, its metadata naming ``kind``."""
    wait = {"JobName": job, "SignalUrl": url, "LogicalResourceId": "Job"}
    if kind is not None:
        wait["Kind"] = kind
    resources.append(
        StackResource(
            condition, condition, WAIT_CONDITION, "CREATE_IN_PROGRESS", {METADATA_KEY: wait}
        )
    )


def sweep(*conditions: str) -> None:
    handle(
        {"StackId": STACK_ID, "RuleName": RULE, "Conditions": list(conditions)},
        LambdaContext(60, "waiter"),
    )


# -- the sweep -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("rule")
def test_an_ended_ai_job_is_signalled_and_announced_by_its_kind(
    fake_sagemaker, client, wait_signals: WaitSignalReceiver, stack, aws_services
):
    queue = capture_completion_events(aws_services)
    done = start(client, RECOMMENDATION, "done-rec")
    fake_sagemaker.advance(FakeSageMaker.AI_RECOMMENDATION_RUN_SECONDS)
    fake_sagemaker.set_outcome("failed-bench", "FAILED", "endpoint not InService")
    failed = start(client, BENCHMARK, "failed-bench")
    fake_sagemaker.advance(FakeSageMaker.AI_BENCHMARK_RUN_SECONDS)
    waiting(stack, "RecCondition", done, wait_signals.url("rec"), RECOMMENDATION.resource_type)
    waiting(stack, "BenchCondition", failed, wait_signals.url("bench"), BENCHMARK.resource_type)

    sweep("RecCondition", "BenchCondition")

    (success,) = wait_signals.signals["rec"]
    arn = client.describe_ai_recommendation_job(AIRecommendationJobName=done)[
        "AIRecommendationJobArn"
    ]
    assert success == {
        "Status": "SUCCESS",
        "Reason": f"job {done} completed",
        "UniqueId": done,
        "Data": arn,
    }
    (failure,) = wait_signals.signals["bench"]
    assert failure["Status"] == "FAILURE"
    assert failure["Reason"] == f"job {failed} ended Failed: endpoint not InService"
    events = {e["detail-type"]: e for e in captured_events(aws_services, queue)}
    rec_event = events["AI Recommendation Job State Change"]
    assert rec_event["resources"] == [arn]
    detail = rec_event["detail"]
    assert (detail["jobName"], detail["status"], detail["recommendationCount"]) == (
        done,
        "Completed",
        2,
    )
    assert detail["completionTime"] is not None
    assert events["AI Benchmark Job State Change"]["detail"]["failureReason"] == (
        "endpoint not InService"
    )
    tags = client.list_tags(ResourceArn=arn)["Tags"]
    assert {"Key": "infrec-cdk:announced", "Value": "true"} in tags


@pytest.mark.usefixtures("rule")
def test_a_running_ai_job_is_logged_without_steps(
    fake_sagemaker, client, wait_signals, stack, caplog: pytest.LogCaptureFixture
):
    job = start(client, RECOMMENDATION, "running-rec")
    waiting(stack, "RecCondition", job, wait_signals.url("rec"), RECOMMENDATION.resource_type)
    fake_sagemaker.calls.clear()

    with caplog.at_level(logging.INFO, logger="infrec_cdk.handler"):
        sweep("RecCondition")

    lines = [json.loads(r.getMessage()) for r in caplog.records]
    assert [(line["action"], line["outcome"]) for line in lines] == [
        ("poll", "InProgress"),
        ("sweep", "polled"),
    ]
    assert lines[0]["steps"] == {}
    assert fake_sagemaker.operations() == ["DescribeAIRecommendationJob"]
    assert wait_signals.signals == {}


@pytest.mark.usefixtures("client", "rule")
def test_an_ai_job_sagemaker_does_not_know_fails_the_wait(wait_signals, stack):
    waiting(
        stack, "RecCondition", "gone-rec", wait_signals.url("rec"), RECOMMENDATION.resource_type
    )

    sweep("RecCondition")

    (failure,) = wait_signals.signals["rec"]
    assert failure["Status"] == "FAILURE"
    assert "NOT_FOUND" in failure["Reason"]


# -- the results resource --------------------------------------------------------------------------


@pytest.fixture
def bucket(aws_services: str) -> Any:
    s3 = boto3.client("s3", endpoint_url=aws_services, region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    return s3


def archive(receiver: CfnResponseReceiver, job: str, **properties: str) -> ReceivedResponse:
    request_id = f"results-{job}-{len(properties)}-{sorted(properties.items())}"[:120]
    event = {
        "RequestType": "Create",
        "ResponseURL": receiver.url(request_id),
        "StackId": STACK_ID,
        "RequestId": request_id,
        "LogicalResourceId": "Results",
        "ResourceType": "Custom::InferenceRecommendationsResults",
        "ResourceProperties": {
            "ServiceToken": "x",
            "JobName": job,
            "Bucket": BUCKET,
            "KeyPrefix": "app/results",
            **properties,
        },
    }
    results.handle(event, LambdaContext(60, "waiter"))
    return receiver.response_for(request_id)


def test_an_ai_recommendation_is_archived_and_its_top_answered(
    fake_sagemaker, client, cfn_receiver, bucket
):
    job = start(client, RECOMMENDATION, "done-rec")
    fake_sagemaker.advance(FakeSageMaker.AI_RECOMMENDATION_RUN_SECONDS)
    described = client.describe_ai_recommendation_job(AIRecommendationJobName=job)
    first = described["Recommendations"][0]

    answer = archive(cfn_receiver, job, Kind=RECOMMENDATION.resource_type)

    assert answer.status == "SUCCESS", answer.reason
    uri = f"s3://{BUCKET}/app/results/{job}/describe.json"
    assert answer.body["PhysicalResourceId"] == uri
    stored = json.loads(
        bucket.get_object(Bucket=BUCKET, Key=f"app/results/{job}/describe.json")["Body"].read()
    )
    assert stored["Recommendations"] == json.loads(json.dumps(described["Recommendations"]))
    data = answer.data
    deployment = first["DeploymentConfiguration"]
    assert data["RecommendationIndex"] == "0"  # SageMaker's first, by default
    assert data["InstanceType"] == deployment["InstanceType"]
    assert data["InstanceCount"] == str(deployment["InstanceCount"])
    assert data["ImageUri"] == deployment["ImageUri"]
    assert data["ModelDataUri"] == "s3://models/llama-3-8b/"
    assert data["AIBenchmarkJobArn"] == first["AIBenchmarkJobArn"]
    assert json.loads(data["EnvironmentVariables"]) == deployment["EnvironmentVariables"]
    assert "time_to_first_token@p50" in json.loads(data["ExpectedPerformance"])
    assert data["RecommendationCount"] == "2"
    assert data["ArchiveUri"] == uri
    assert len(answer.raw) < 2500


@pytest.mark.usefixtures("bucket")
def test_an_objective_on_an_expected_metric_picks_the_best(fake_sagemaker, client, cfn_receiver):
    job = start(client, RECOMMENDATION, "done-rec")  # ranked for cost: cheapest first
    fake_sagemaker.advance(FakeSageMaker.AI_RECOMMENDATION_RUN_SECONDS)

    fastest = archive(
        cfn_receiver,
        job,
        Kind=RECOMMENDATION.resource_type,
        Objective="Highest:output_token_throughput",
    )
    unknown = archive(
        cfn_receiver, job, Kind=RECOMMENDATION.resource_type, Objective="Lowest:tokens@p42"
    )

    recommendations = client.describe_ai_recommendation_job(AIRecommendationJobName=job)[
        "Recommendations"
    ]
    throughput = [
        next(
            float(m["Value"])
            for m in r["ExpectedPerformance"]
            if m["Metric"] == "output_token_throughput"
        )
        for r in recommendations
    ]
    assert fastest.data["RecommendationIndex"] == str(throughput.index(max(throughput)))
    assert unknown.status == "FAILED"
    assert "no recommendation has the expected-performance metric 'tokens@p42'" in unknown.reason
    assert "time_to_first_token@p50" in unknown.reason  # what there is


@pytest.mark.parametrize(
    ("properties", "words"),
    [
        ({"MaxModelLatency": "100"}, "apply to Inference Recommender jobs only"),
        ({"Objective": "LowestCostPerInference"}, "unknown objective"),
    ],
    ids=["classic-limit", "classic-objective"],
)
@pytest.mark.usefixtures("bucket")
def test_classic_choices_for_an_ai_job_fail_saying_why(
    fake_sagemaker, client, cfn_receiver, properties, words
):
    job = start(client, RECOMMENDATION, "done-rec")
    fake_sagemaker.advance(FakeSageMaker.AI_RECOMMENDATION_RUN_SECONDS)

    answer = archive(cfn_receiver, job, Kind=RECOMMENDATION.resource_type, **properties)

    assert answer.status == "FAILED"
    assert words in answer.reason


@pytest.mark.usefixtures("bucket")
def test_an_unfinished_or_unknown_kind_fails(client, cfn_receiver):
    job = start(client, RECOMMENDATION, "running-rec")

    running = archive(cfn_receiver, job, Kind=RECOMMENDATION.resource_type)
    config = archive(cfn_receiver, job, Kind="Custom::AIWorkloadConfig")

    assert running.status == "FAILED"
    assert running.reason.startswith(f"job {job} is InProgress, not Completed")
    assert config.status == "FAILED"
    assert "ResourceProperties.Kind" in config.reason


@pytest.mark.usefixtures("bucket")
def test_a_benchmark_job_is_archived_and_answered_by_location(fake_sagemaker, client, cfn_receiver):
    job = start(client, BENCHMARK, "done-bench")
    fake_sagemaker.advance(FakeSageMaker.AI_BENCHMARK_RUN_SECONDS)

    answer = archive(cfn_receiver, job, Kind=BENCHMARK.resource_type)

    assert answer.status == "SUCCESS", answer.reason
    assert answer.data == {
        "ArchiveUri": f"s3://{BUCKET}/app/results/{job}/describe.json",
        "OutputLocation": "s3://app-output/benchmarks/",
    }


# -- answer size -----------------------------------------------------------------------------------


def test_the_largest_ai_attributes_fit_cloudformations_answer():
    huge = {
        "RecommendationDescription": "d" * 5000,
        "ModelDetails": {
            "ModelPackageArn": "arn:aws:sagemaker:us-east-1:123456789012:model-package/"
            + "p" * 2000,
            "InferenceSpecificationName": "s" * 63,
            "InstanceDetails": [{"InstanceType": "ml.p6-b200.48xlarge", "InstanceCount": 2**31}],
        },
        "DeploymentConfiguration": {
            "S3": [{"ChannelName": "model", "Uri": "s3://b/" + "k" * 1000}],
            "ImageUri": "i" * 2000,
            "InstanceType": "ml.p6-b200.48xlarge",
            "InstanceCount": 2**31 - 1,
            "CopyCountPerInstance": 2**31 - 1,
            "EnvironmentVariables": {f"K{i}": "v" * 1024 for i in range(100)},
            "MinCpuMemoryRequiredInMb": 2**31 - 1,
        },
        "AIBenchmarkJobArn": "arn:aws:sagemaker:us-east-1:123456789012:ai-benchmark-job/"
        + "b" * 63,
        "OptimizationDetails": [
            {"OptimizationType": "SpeculativeDecoding"},
            {"OptimizationType": "KernelTuning"},
        ],
        "ExpectedPerformance": [
            {"Metric": f"m{i}" * 20, "Stat": "p99", "Value": "1e308", "Unit": "u" * 50}
            for i in range(200)
        ],
    }
    found = ai_selection.candidates({"Recommendations": [huge] * 1000})
    top = ai_selection.select(found, "")
    assert isinstance(top, ai_selection.AICandidate)
    # The longest archive URI: a 63-character bucket, the stack's prefix and a 63-character name.
    uri = f"s3://{'b' * 63}/{'p' * 24}/results/{'n' * 63}/describe.json"
    data = ai_selection.attributes(top, archive_uri=uri, count=len(found))
    body = encode(
        CfnResponse(
            status="SUCCESS",
            reason="",
            physical_resource_id=uri,
            stack_id=STACK_ID,
            request_id="0" * 36,
            logical_resource_id="L" * 255,
            data=data,
        )
    )

    assert len(body) < 3000, len(body)
    assert data["EnvironmentVariables"] == data["ExpectedPerformance"] == "{}"  # in the archive
    assert data["ImageUri"] == data["ModelPackageArn"] == data["ModelDataUri"] == ""
    assert data["InstanceType"] == "ml.p6-b200.48xlarge"
    assert data["OptimizationTypes"] == "SpeculativeDecoding,KernelTuning"
