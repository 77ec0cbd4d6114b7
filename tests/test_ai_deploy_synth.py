"""A synthesized stack with one job of each kind, deployed on the local CloudFormation.

Issue 13's acceptance: the constructs' own template (a classic job, an AI workload configuration,
an AI recommendation job that waits, and an AI benchmark job), created, updated and deleted over
the fake SageMaker: no job left running, the recommendation's results archived.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk.assertions import Template

from infrec_cdk import (
    AIBenchmarkJob,
    AIComputeSpec,
    AIModel,
    AIPerformanceMetric,
    AIRecommendationJob,
    AIWorkloadConfig,
    InferenceRecommendationsJob,
    ModelSource,
    Wait,
    WorkloadSpec,
)
from tests.fakes.sagemaker import FakeSageMaker, Fault
from tests.harness.deploy import LocalCloudFormation

PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"


def all_kinds(concurrency: int) -> dict[str, Any]:
    """The template of one stack with every kind; ``concurrency`` changes the workload."""
    stack = cdk.Stack(cdk.App(), "AllKinds")
    classic = InferenceRecommendationsJob(
        stack, "Classic", model=ModelSource.from_model_package_version(PACKAGE)
    )
    workload = AIWorkloadConfig(
        stack,
        "Workload",
        workload_spec=WorkloadSpec(parameters={"concurrency": concurrency}),
    )
    sizing = AIRecommendationJob(
        stack,
        "Sizing",
        model=AIModel.from_s3("s3://example-ml-artifacts/models/qwen/"),
        workload=workload,
        performance_target=AIPerformanceMetric.COST,
        compute=AIComputeSpec(instance_types=["ml.g5.2xlarge", "ml.g6e.2xlarge"]),
        wait=Wait(),
    )
    benchmark = AIBenchmarkJob(stack, "Benchmark", endpoint="existing-endpoint", workload=workload)
    for name, value in {
        "ClassicJob": classic.job_name,
        "WorkloadName": workload.workload_config_name,
        "SizingJob": sizing.job_name,
        "BenchmarkJob": benchmark.job_name,
        "InstanceType": sizing.recommended.instance_type,
        "ArchiveUri": sizing.recommended.archive_uri,
    }.items():
        cdk.CfnOutput(stack, name, value=value)
    return dict(Template.from_stack(stack).to_json())


def test_one_job_of_each_kind_is_created_updated_and_deleted(
    waiting_cloudformation: LocalCloudFormation,
    fake_sagemaker: FakeSageMaker,
    aws_services: str,
    monkeypatch: pytest.MonkeyPatch,
):
    stack = waiting_cloudformation
    # Quarter-hour recommendation jobs: a few polls each.
    monkeypatch.setattr(fake_sagemaker, "AI_RECOMMENDATION_RUN_SECONDS", 900)

    created = stack.deploy(all_kinds(8))

    assert created.status == "CREATE_COMPLETE", created.failure
    first = created.outputs
    assert first["InstanceType"] in {"ml.g5.2xlarge", "ml.g6e.2xlarge"}
    bucket, key = first["ArchiveUri"].removeprefix("s3://").split("/", 1)
    s3 = boto3.client("s3", endpoint_url=aws_services, region_name="us-east-1")
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] > 0

    # A new workload: a new configuration, and new jobs that name it; the classic job stays.
    monkeypatch.setattr(fake_sagemaker, "AI_BENCHMARK_RUN_SECONDS", 36_000)
    updated = stack.deploy(all_kinds(16))

    assert updated.status == "UPDATE_COMPLETE", updated.failure
    second = updated.outputs
    for name in ("WorkloadName", "SizingJob", "BenchmarkJob"):
        assert second[name] != first[name]
    assert second["ClassicJob"] == first["ClassicJob"]
    assert {k: sorted(v) for k, v in fake_sagemaker.ai.items() if v} == {
        "AIRecommendationJob": [second["SizingJob"]],
        "AIBenchmarkJob": [second["BenchmarkJob"]],
        "AIWorkloadConfig": [second["WorkloadName"]],
    }

    # The second benchmark still runs: the stack's delete stops it, then deletes it.
    fake_sagemaker.inject(
        "StopAIBenchmarkJob",
        Fault.then(lambda: fake_sagemaker.advance(FakeSageMaker.STOPPING_SECONDS)),
    )
    deleted = stack.destroy()

    assert deleted.status == "DELETE_COMPLETE", deleted.failure
    assert deleted.running_jobs == []
    assert {k: v for k, v in fake_sagemaker.ai.items() if v} == {}
    assert s3.head_object(Bucket=bucket, Key=key)["ContentLength"] > 0  # the archive is kept
