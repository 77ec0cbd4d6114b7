"""CloudFormation events of the AI resources: recommendation and benchmark jobs, workload configs.

Shared by the AI handler and waiting tests; built on ``tests.handler_events`` (same stack, same
ResponseURL receiver, every scalar a string as CloudFormation sends it).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from typing import Any

from tests.fakes.cfn_receiver import CfnResponseReceiver
from tests.handler_events import ROLE, Json, event, properties

__all__ = [
    "BENCHMARK",
    "CONFIG",
    "KINDS",
    "RECOMMENDATION",
    "SHARED_CONFIG",
    "AIKindCase",
    "ai_delete",
    "ai_event",
    "ai_update",
    "shared_config",
]

# The workload configuration the job requests name: made in the fake by ``shared_config``.
SHARED_CONFIG = "shared-config"
WORKLOAD_SPEC = {"benchmark": {"type": "aiperf"}, "parameters": {"concurrency": 8}}


@dataclasses.dataclass(frozen=True)
class AIKindCase:
    """One AI resource type as the tests drive it."""

    id: str
    resource_type: str
    fake_kind: str  # the fake's name of it (``AIRecommendationJob``)
    request: Callable[[], Json]
    is_job: bool

    @property
    def create_operation(self) -> str:
        return f"Create{self.fake_kind}"

    @property
    def describe_operation(self) -> str:
        return f"Describe{self.fake_kind}"

    @property
    def stop_operation(self) -> str:
        return f"Stop{self.fake_kind}"

    @property
    def delete_operation(self) -> str:
        return f"Delete{self.fake_kind}"

    @property
    def name_member(self) -> str:
        return f"{self.fake_kind}Name"


def _recommendation() -> Json:
    return {
        "ModelSource": {"S3": {"S3Uri": "s3://models/llama-3-8b/"}},
        "OutputConfig": {"S3OutputLocation": "s3://app-output/recommendations/"},
        "AIWorkloadConfigIdentifier": SHARED_CONFIG,
        "PerformanceTarget": {"Constraints": [{"Metric": "cost"}]},
        "RoleArn": ROLE,
        "OptimizeModel": "false",  # a boolean, as CloudFormation sends it: a string
        "ComputeSpec": {"InstanceTypes": ["ml.g5.2xlarge", "ml.g6.2xlarge"]},
        "Tags": [{"Key": "team", "Value": "ml"}],
    }


def _benchmark() -> Json:
    return {
        "BenchmarkTarget": {"Endpoint": {"Identifier": "llm-endpoint"}},
        "OutputConfig": {"S3OutputLocation": "s3://app-output/benchmarks/"},
        "AIWorkloadConfigIdentifier": SHARED_CONFIG,
        "RoleArn": ROLE,
        "Tags": [{"Key": "team", "Value": "ml"}],
    }


def _config() -> Json:
    return {
        "AIWorkloadConfigs": {"WorkloadSpec": {"Inline": json.dumps(WORKLOAD_SPEC)}},
        "Tags": [{"Key": "team", "Value": "ml"}],
    }


RECOMMENDATION = AIKindCase(
    "recommendation", "Custom::AIRecommendationJob", "AIRecommendationJob", _recommendation, True
)
BENCHMARK = AIKindCase("benchmark", "Custom::AIBenchmarkJob", "AIBenchmarkJob", _benchmark, True)
CONFIG = AIKindCase("config", "Custom::AIWorkloadConfig", "AIWorkloadConfig", _config, False)
KINDS = (RECOMMENDATION, BENCHMARK, CONFIG)


def ai_event(
    receiver: CfnResponseReceiver,
    kind: AIKindCase,
    request_type: str,
    *,
    request: Json | None = None,
    **extra: Any,
) -> Json:
    """An event of ``kind``'s resource (default request: the kind's)."""
    return event(
        receiver,
        request_type,
        request=kind.request() if request is None else request,
        ResourceType=kind.resource_type,
        **extra,
    )


def ai_update(
    receiver: CfnResponseReceiver,
    kind: AIKindCase,
    physical_id: str,
    request: Json,
    old_request: Json | None = None,
) -> Json:
    """An Update of ``physical_id`` from ``old_request`` (default the kind's) to ``request``."""
    old = kind.request() if old_request is None else old_request
    return ai_event(
        receiver,
        kind,
        "Update",
        request=request,
        PhysicalResourceId=physical_id,
        OldResourceProperties=properties(copy.deepcopy(old)),
    )


def ai_delete(receiver: CfnResponseReceiver, kind: AIKindCase, physical_id: str) -> Json:
    """The Delete CloudFormation sends for ``physical_id`` (stack delete, cleanup or rollback)."""
    return ai_event(receiver, kind, "Delete", PhysicalResourceId=physical_id)


def shared_config(client: Any) -> str:
    """Create ``SHARED_CONFIG`` in the fake (what the job requests name); return its ARN."""
    answer = client.create_ai_workload_config(
        AIWorkloadConfigName=SHARED_CONFIG,
        AIWorkloadConfigs={"WorkloadSpec": {"Inline": json.dumps(WORKLOAD_SPEC)}},
    )
    return str(answer["AIWorkloadConfigArn"])
