"""The fake SageMaker's AI operations, through the real boto3 client: model checks, lifecycle."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.fakes.sagemaker import FakeSageMaker, Fault

ROLE = "arn:aws:iam::123456789012:role/ai"
SPEC = json.dumps({"benchmark": {"type": "aiperf"}, "parameters": {"concurrency": 4}})


def error_code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def workload_config(client: Any, name: str = "wc") -> str:
    answer = client.create_ai_workload_config(
        AIWorkloadConfigName=name, AIWorkloadConfigs={"WorkloadSpec": {"Inline": SPEC}}
    )
    return str(answer["AIWorkloadConfigArn"])


def recommendation_job(client: Any, name: str = "rec", config: str = "wc", **extra: Any) -> str:
    request: dict[str, Any] = {
        "AIRecommendationJobName": name,
        "ModelSource": {"S3": {"S3Uri": "s3://models/llama/"}},
        "OutputConfig": {"S3OutputLocation": "s3://out/rec/"},
        "AIWorkloadConfigIdentifier": config,
        "PerformanceTarget": {"Constraints": [{"Metric": "cost"}]},
        "RoleArn": ROLE,
        **extra,
    }
    return str(client.create_ai_recommendation_job(**request)["AIRecommendationJobArn"])


def benchmark_job(client: Any, name: str = "bench", config: str = "wc") -> str:
    answer = client.create_ai_benchmark_job(
        AIBenchmarkJobName=name,
        BenchmarkTarget={"Endpoint": {"Identifier": "llm-endpoint"}},
        OutputConfig={"S3OutputLocation": "s3://out/bench/"},
        AIWorkloadConfigIdentifier=config,
        RoleArn=ROLE,
    )
    return str(answer["AIBenchmarkJobArn"])


def rec_status(client: Any, name: str = "rec") -> str:
    answer = client.describe_ai_recommendation_job(AIRecommendationJobName=name)
    return str(answer["AIRecommendationJobStatus"])


def test_requests_are_checked_against_botocores_model(sagemaker_client):
    workload_config(sagemaker_client)
    with pytest.raises(ClientError) as too_long:
        recommendation_job(sagemaker_client, name="x" * 64)  # AIEntityName: at most 63
    with pytest.raises(ClientError) as bad_metric:
        recommendation_job(
            sagemaker_client, name="r2", PerformanceTarget={"Constraints": [{"Metric": "speed"}]}
        )

    assert error_code(too_long) == "ValidationException"
    assert "aIRecommendationJobName" in str(too_long.value)
    assert "enum value set" in str(bad_metric.value)
    assert len(recommendation_job(sagemaker_client, name="x" * 63)) > 0


def test_a_job_needs_an_existing_workload_config(sagemaker_client):
    with pytest.raises(ClientError) as missing:
        benchmark_job(sagemaker_client, config="nowhere")

    assert error_code(missing) == "ResourceNotFound"


def test_a_workload_spec_with_unknown_keys_or_another_tool_is_refused(sagemaker_client):
    for spec in ({"benchmark": {"type": "aiperf"}, "extra": 1}, {"benchmark": {"type": "k6"}}):
        with pytest.raises(ClientError) as refused:
            sagemaker_client.create_ai_workload_config(
                AIWorkloadConfigName="bad",
                AIWorkloadConfigs={"WorkloadSpec": {"Inline": json.dumps(spec)}},
            )
        assert error_code(refused) == "ValidationException"


def test_jobs_run_on_the_fake_clock_and_fail_as_told(sagemaker_client, fake_sagemaker):
    workload_config(sagemaker_client)
    recommendation_job(sagemaker_client)
    fake_sagemaker.set_outcome("failing", "FAILED", "out of GPUs")
    recommendation_job(sagemaker_client, name="failing")

    assert rec_status(sagemaker_client) == "InProgress"  # no pending state in the model
    fake_sagemaker.advance(FakeSageMaker.AI_RECOMMENDATION_RUN_SECONDS)

    assert rec_status(sagemaker_client) == "Completed"
    failed = sagemaker_client.describe_ai_recommendation_job(AIRecommendationJobName="failing")
    assert (failed["AIRecommendationJobStatus"], failed["FailureReason"]) == (
        "Failed",
        "out of GPUs",
    )
    assert "Recommendations" not in failed


def test_stop_then_stopped_and_only_a_running_job_stops(sagemaker_client, fake_sagemaker):
    workload_config(sagemaker_client)
    benchmark_job(sagemaker_client)

    sagemaker_client.stop_ai_benchmark_job(AIBenchmarkJobName="bench")
    described = sagemaker_client.describe_ai_benchmark_job(AIBenchmarkJobName="bench")
    assert described["AIBenchmarkJobStatus"] == "Stopping"
    fake_sagemaker.advance(FakeSageMaker.STOPPING_SECONDS)
    described = sagemaker_client.describe_ai_benchmark_job(AIBenchmarkJobName="bench")
    assert described["AIBenchmarkJobStatus"] == "Stopped"
    assert described["OutputConfig"]["CloudWatchLogs"][0]["LogStreamName"] == "bench"
    with pytest.raises(ClientError) as again:
        sagemaker_client.stop_ai_benchmark_job(AIBenchmarkJobName="bench")
    assert error_code(again) == "ValidationException"


def test_names_are_never_reused_even_after_delete(sagemaker_client, fake_sagemaker):
    workload_config(sagemaker_client)
    recommendation_job(sagemaker_client)
    with pytest.raises(ClientError) as taken:
        recommendation_job(sagemaker_client)
    assert error_code(taken) == "ResourceInUse"

    fake_sagemaker.advance(FakeSageMaker.AI_RECOMMENDATION_RUN_SECONDS)
    sagemaker_client.delete_ai_recommendation_job(AIRecommendationJobName="REC")  # any case
    with pytest.raises(ClientError) as gone:
        rec_status(sagemaker_client)
    with pytest.raises(ClientError) as still_taken:
        recommendation_job(sagemaker_client)

    assert error_code(gone) == "ResourceNotFound"
    assert error_code(still_taken) == "ResourceInUse"
    assert fake_sagemaker.ai_deleted("AIRecommendationJob") == {"rec"}


def test_only_an_ended_job_is_deleted(sagemaker_client, fake_sagemaker):
    workload_config(sagemaker_client)
    recommendation_job(sagemaker_client)

    with pytest.raises(ClientError) as running:
        sagemaker_client.delete_ai_recommendation_job(AIRecommendationJobName="rec")

    assert error_code(running) == "ValidationException"
    assert "terminal state" in str(running.value)
    assert fake_sagemaker.ai_resource("AIRecommendationJob", "rec") is not None


def test_a_config_an_active_job_uses_is_not_deleted(sagemaker_client, fake_sagemaker):
    arn = workload_config(sagemaker_client)
    benchmark_job(sagemaker_client, config=arn)  # by ARN: the same configuration
    sagemaker_client.stop_ai_benchmark_job(AIBenchmarkJobName="bench")

    with pytest.raises(ClientError) as in_use:
        sagemaker_client.delete_ai_workload_config(AIWorkloadConfigName="wc")  # still Stopping
    fake_sagemaker.advance(FakeSageMaker.STOPPING_SECONDS)
    sagemaker_client.delete_ai_workload_config(AIWorkloadConfigName="wc")

    assert error_code(in_use) == "ResourceInUse"
    assert "bench" in str(in_use.value)
    assert fake_sagemaker.ai_resource("AIWorkloadConfig", "wc") is None


def test_recommendations_follow_the_request_deterministically(sagemaker_client, fake_sagemaker):
    workload_config(sagemaker_client)
    types = ["ml.g6.12xlarge", "ml.g5.2xlarge"]
    for name in ("a", "b"):
        recommendation_job(
            sagemaker_client,
            name=name,
            PerformanceTarget={"Constraints": [{"Metric": "throughput"}]},
            ComputeSpec={"InstanceTypes": types},
            InferenceSpecification={"Framework": "VLLM"},
            OutputConfig={"S3OutputLocation": "s3://out/", "ModelPackageGroupIdentifier": "llama"},
        )
    fake_sagemaker.advance(FakeSageMaker.AI_RECOMMENDATION_RUN_SECONDS)

    first = sagemaker_client.describe_ai_recommendation_job(AIRecommendationJobName="a")
    again = sagemaker_client.describe_ai_recommendation_job(AIRecommendationJobName="a")
    recommendations = first["Recommendations"]
    assert recommendations == again["Recommendations"]
    assert {r["DeploymentConfiguration"]["InstanceType"] for r in recommendations} == set(types)
    throughputs = [
        float(m["Value"])
        for r in recommendations
        for m in r["ExpectedPerformance"]
        if m["Metric"] == "output_token_throughput"
    ]
    assert throughputs == sorted(throughputs, reverse=True)  # best for the goal first
    top = recommendations[0]
    assert "vllm" in top["DeploymentConfiguration"]["ImageUri"]
    assert top["DeploymentConfiguration"]["S3"] == [
        {"ChannelName": "model", "Uri": "s3://models/llama/"}
    ]
    assert top["ModelDetails"]["ModelPackageArn"].endswith(":model-package/llama/1")
    assert top["OptimizationDetails"][0]["OptimizationType"] == "SpeculativeDecoding"


def test_lists_filter_sort_and_page(sagemaker_client, fake_sagemaker):
    workload_config(sagemaker_client)
    for name in ("bench-a", "bench-b", "other"):
        benchmark_job(sagemaker_client, name=name)
        fake_sagemaker.advance(1)
    sagemaker_client.stop_ai_benchmark_job(AIBenchmarkJobName="other")

    page = sagemaker_client.list_ai_benchmark_jobs(
        NameContains="bench", SortBy="Name", SortOrder="Ascending", MaxResults=1
    )
    rest = sagemaker_client.list_ai_benchmark_jobs(
        NameContains="bench", SortBy="Name", SortOrder="Ascending", NextToken=page["NextToken"]
    )
    stopping = sagemaker_client.list_ai_benchmark_jobs(StatusEquals="Stopping")

    names = [j["AIBenchmarkJobName"] for j in page["AIBenchmarkJobs"] + rest["AIBenchmarkJobs"]]
    assert names == ["bench-a", "bench-b"]
    assert [j["AIBenchmarkJobName"] for j in stopping["AIBenchmarkJobs"]] == ["other"]
    assert page["AIBenchmarkJobs"][0]["AIWorkloadConfigName"] == "wc"
    configs = sagemaker_client.list_ai_workload_configs()["AIWorkloadConfigs"]
    assert [c["AIWorkloadConfigName"] for c in configs] == ["wc"]


def test_tags_of_ai_resources_are_listed_and_changed(sagemaker_client):
    arn = workload_config(sagemaker_client)

    sagemaker_client.add_tags(ResourceArn=arn, Tags=[{"Key": "team", "Value": "ml"}])
    tags = sagemaker_client.list_tags(ResourceArn=arn)["Tags"]
    described = sagemaker_client.describe_ai_workload_config(AIWorkloadConfigName="wc")

    assert tags == [{"Key": "team", "Value": "ml"}]
    assert described["Tags"] == tags


def test_faults_are_injected_into_ai_operations(sagemaker_client, fake_sagemaker):
    fake_sagemaker.inject("CreateAIWorkloadConfig", Fault.resource_limit_exceeded())

    with pytest.raises(ClientError) as limited:
        workload_config(sagemaker_client)

    assert error_code(limited) == "ResourceLimitExceeded"
    assert fake_sagemaker.ai_resource("AIWorkloadConfig", "wc") is None
    with pytest.raises(ValueError, match="not an operation"):
        fake_sagemaker.inject("UpdateAIWorkloadConfig", Fault.throttling())
