"""One stack with every kind, deployed on the local CloudFormation: create, update, delete.

A hand-written template (the constructs will synthesize their own): the stack's job handler
serves a classic Inference Recommender job, an AI workload configuration, an AI recommendation
job and an AI benchmark job; the waiter follows the recommendation job through the stack's poll
rule and a wait condition whose metadata names its ``Kind``, then archives its results.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import boto3
import pytest

from tests.ai_events import BENCHMARK, RECOMMENDATION, WORKLOAD_SPEC
from tests.fakes.sagemaker import FakeSageMaker, Fault
from tests.handler_events import REQUEST
from tests.harness.deploy import LocalCloudFormation
from tests.harness.resolve import STACK_ID

BUCKET = "app-output"
RULE = "app-poll-1m"
PREFIX = "app-ai"


def _job(kind: str, request: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": kind,
        "Properties": {
            "ServiceToken": {"Fn::GetAtt": ["Handler", "Arn"]},
            "Request": request,
            "JobNamePrefix": PREFIX,
            "ServiceTimeout": "1200",
        },
    }


def template(generation: int) -> dict[str, Any]:
    """The stack; ``generation`` 2 changes the workload: a new configuration and new AI jobs."""
    spec = {**WORKLOAD_SPEC, "parameters": {"concurrency": 8 * generation}}
    config = {"Ref": "Workload"}
    recommendation = {**RECOMMENDATION.request(), "AIWorkloadConfigIdentifier": config}
    benchmark = {
        **BENCHMARK.request(),
        "AIWorkloadConfigIdentifier": {"Fn::GetAtt": ["Workload", "Arn"]},
    }
    condition, handle = f"SizingCondition{generation}", f"SizingHandle{generation}"
    function = {"Runtime": "python3.12", "Timeout": 60, "Code": {"ZipFile": "lambda/"}}
    return {
        "Resources": {
            "Handler": {
                "Type": "AWS::Lambda::Function",
                "Properties": {**function, "Handler": "handler.handler"},
            },
            "Waiter": {
                "Type": "AWS::Lambda::Function",
                "Properties": {**function, "Handler": "waiter.handler"},
            },
            "Output": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": BUCKET}},
            "Classic": _job("Custom::InferenceRecommendationsJob", copy.deepcopy(REQUEST)),
            "Workload": _job(
                "Custom::AIWorkloadConfig",
                {"AIWorkloadConfigs": {"WorkloadSpec": {"Inline": json.dumps(spec)}}},
            ),
            "Sizing": _job("Custom::AIRecommendationJob", recommendation),
            "Benchmark": _job("Custom::AIBenchmarkJob", benchmark),
            "Poll": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "Name": RULE,
                    "ScheduleExpression": "rate(1 minute)",
                    "State": "ENABLED",
                    "Targets": [
                        {
                            "Id": "waiter",
                            "Arn": {"Fn::GetAtt": ["Waiter", "Arn"]},
                            "Input": json.dumps(
                                {"StackId": STACK_ID, "RuleName": RULE, "Conditions": [condition]}
                            ),
                        }
                    ],
                },
            },
            handle: {"Type": "AWS::CloudFormation::WaitConditionHandle"},
            condition: {
                "Type": "AWS::CloudFormation::WaitCondition",
                "DependsOn": ["Poll"],
                "Properties": {"Handle": {"Ref": handle}, "Timeout": "7200", "Count": "1"},
                "Metadata": {
                    "infrec-cdk:wait": {
                        "JobName": {"Fn::GetAtt": ["Sizing", "Name"]},
                        "SignalUrl": {"Ref": handle},
                        "LogicalResourceId": "Sizing",
                        "Kind": "Custom::AIRecommendationJob",
                    }
                },
            },
            "Results": {
                "Type": "Custom::InferenceRecommendationsResults",
                "DependsOn": [condition],
                "Properties": {
                    "ServiceToken": {"Fn::GetAtt": ["Waiter", "Arn"]},
                    "Kind": "Custom::AIRecommendationJob",
                    "JobName": {"Fn::GetAtt": ["Sizing", "Name"]},
                    "Bucket": {"Ref": "Output"},
                    "KeyPrefix": f"{PREFIX}/results",
                },
            },
        },
        "Outputs": {
            "InstanceType": {"Value": {"Fn::GetAtt": ["Results", "InstanceType"]}},
            "ArchiveUri": {"Value": {"Fn::GetAtt": ["Results", "ArchiveUri"]}},
            "ClassicJob": {"Value": {"Fn::GetAtt": ["Classic", "JobName"]}},
            "Workload": {"Value": {"Fn::GetAtt": ["Workload", "AIWorkloadConfigName"]}},
            "Sizing": {"Value": {"Fn::GetAtt": ["Sizing", "JobName"]}},
            "Benchmark": {"Value": {"Fn::GetAtt": ["Benchmark", "Name"]}},
        },
    }


def _remaining(fake: FakeSageMaker) -> dict[str, list[str]]:
    return {kind: sorted(resources) for kind, resources in fake.ai.items() if resources}


def test_every_kind_is_created_updated_and_deleted(
    waiting_cloudformation: LocalCloudFormation,
    fake_sagemaker: FakeSageMaker,
    aws_services: str,
    monkeypatch: pytest.MonkeyPatch,
):
    stack = waiting_cloudformation
    # Quarter-hour recommendation jobs: three polls each (the stack ticks five fake minutes).
    monkeypatch.setattr(fake_sagemaker, "AI_RECOMMENDATION_RUN_SECONDS", 900)
    s3 = boto3.client("s3", endpoint_url=aws_services, region_name="us-east-1")

    created = stack.deploy(template(1))

    assert created.status == "CREATE_COMPLETE", created.failure
    first = created.outputs
    assert first["InstanceType"] == "ml.g5.2xlarge"  # the cheapest of the two: the goal is cost
    archived = json.loads(
        s3.get_object(Bucket=BUCKET, Key=f"{PREFIX}/results/{first['Sizing']}/describe.json")[
            "Body"
        ].read()
    )
    assert archived["AIRecommendationJobStatus"] == "Completed"
    assert first["ArchiveUri"].endswith(f"/{first['Sizing']}/describe.json")

    # The new benchmark runs long: the stack's delete has to stop it before deleting it.
    monkeypatch.setattr(fake_sagemaker, "AI_BENCHMARK_RUN_SECONDS", 36_000)
    updated = stack.deploy(template(2))

    assert updated.status == "UPDATE_COMPLETE", updated.failure
    second = updated.outputs
    for name in ("Workload", "Sizing", "Benchmark"):
        assert second[name] != first[name]
    assert second["ClassicJob"] == first["ClassicJob"]  # its request did not change
    assert second["ArchiveUri"].endswith(f"/{second['Sizing']}/describe.json")
    # CloudFormation's cleanup deleted the replaced configuration and jobs.
    assert _remaining(fake_sagemaker) == {
        "AIRecommendationJob": [second["Sizing"]],
        "AIBenchmarkJob": [second["Benchmark"]],
        "AIWorkloadConfig": [second["Workload"]],
    }

    fake_sagemaker.inject(
        "StopAIBenchmarkJob",
        Fault.then(lambda: fake_sagemaker.advance(FakeSageMaker.STOPPING_SECONDS)),
    )
    deleted = stack.destroy()

    assert deleted.status == "DELETE_COMPLETE", deleted.failure
    assert deleted.running_jobs == []
    assert _remaining(fake_sagemaker) == {}  # the running benchmark stopped, then deleted
    assert fake_sagemaker.ai_deleted("AIBenchmarkJob") == {first["Benchmark"], second["Benchmark"]}
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/results/")["Contents"]
    assert len(listed) == 2  # both archives are kept
