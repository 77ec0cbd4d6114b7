"""infrec-cdk: run SageMaker Inference Recommender jobs from AWS CDK stacks.

``InferenceRecommendationsJob`` is the construct; the other names are the typed values of the
request's nested shapes and the error raised for bad input.

Importing the package changes nothing outside it (no environment variable, no hook) and loads
nothing yet: each name is imported on first use (PEP 562), so ``infrec_cdk.cli`` and the
validation modules run without ``aws_cdk`` or Node.js, and the import order does not matter.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from infrec_cdk._ai_benchmark import AI_BENCHMARK_RESOURCE_TYPE, AIBenchmarkJob
    from infrec_cdk._ai_config import (
        AIAdapter,
        AIBenchmarkTarget,
        AICapacityReservation,
        AIComputeSpec,
        AIInferenceFramework,
        AIModel,
        AIPerformanceMetric,
        AIWorkloadDataset,
        CapacityReservationPreference,
        MlflowConfig,
        WorkloadSpec,
        WorkloadTooling,
    )
    from infrec_cdk._ai_recommendation import (
        AI_RECOMMENDATION_RESOURCE_TYPE,
        AIRecommendationJob,
        AITopRecommendation,
    )
    from infrec_cdk._ai_workload import AI_WORKLOAD_RESOURCE_TYPE, AIWorkloadConfig
    from infrec_cdk._autoscaling import (
        SCALING_RESOURCE_TYPE,
        Autoscaling,
        ScalingRecommendation,
    )
    from infrec_cdk._config import (
        ContainerConfig,
        EndpointConfiguration,
        FlatInvocations,
        InstanceType,
        JobType,
        LatencyPercentile,
        ModelLatencyThreshold,
        ModelSource,
        PayloadConfig,
        Phase,
        ResourceLimit,
        ServerlessConfig,
        Stairs,
        StoppingConditions,
        SupportedEndpointType,
        TrafficPattern,
        TrafficType,
    )
    from infrec_cdk._endpoint import RecommendedEndpoint
    from infrec_cdk._errors import InfrecValidationError
    from infrec_cdk._job import RESOURCE_TYPE, InferenceRecommendationsJob
    from infrec_cdk._network import VpcEndpoints, add_vpc_endpoints
    from infrec_cdk._recommender import InferenceRecommender
    from infrec_cdk._waiting import (
        RESULTS_RESOURCE_TYPE,
        Objective,
        TopRecommendation,
        Wait,
    )

# Each public name and the module that defines it.
_EXPORTS: dict[str, str] = {
    "AI_BENCHMARK_RESOURCE_TYPE": "_ai_benchmark",
    "AIBenchmarkJob": "_ai_benchmark",
    "AIAdapter": "_ai_config",
    "AIBenchmarkTarget": "_ai_config",
    "AICapacityReservation": "_ai_config",
    "AIComputeSpec": "_ai_config",
    "AIInferenceFramework": "_ai_config",
    "AIModel": "_ai_config",
    "AIPerformanceMetric": "_ai_config",
    "AIWorkloadDataset": "_ai_config",
    "CapacityReservationPreference": "_ai_config",
    "MlflowConfig": "_ai_config",
    "WorkloadSpec": "_ai_config",
    "WorkloadTooling": "_ai_config",
    "AI_RECOMMENDATION_RESOURCE_TYPE": "_ai_recommendation",
    "AIRecommendationJob": "_ai_recommendation",
    "AITopRecommendation": "_ai_recommendation",
    "AI_WORKLOAD_RESOURCE_TYPE": "_ai_workload",
    "AIWorkloadConfig": "_ai_workload",
    "SCALING_RESOURCE_TYPE": "_autoscaling",
    "Autoscaling": "_autoscaling",
    "ScalingRecommendation": "_autoscaling",
    "ContainerConfig": "_config",
    "EndpointConfiguration": "_config",
    "FlatInvocations": "_config",
    "InstanceType": "_config",
    "JobType": "_config",
    "LatencyPercentile": "_config",
    "ModelLatencyThreshold": "_config",
    "ModelSource": "_config",
    "PayloadConfig": "_config",
    "Phase": "_config",
    "ResourceLimit": "_config",
    "ServerlessConfig": "_config",
    "Stairs": "_config",
    "StoppingConditions": "_config",
    "SupportedEndpointType": "_config",
    "TrafficPattern": "_config",
    "TrafficType": "_config",
    "RecommendedEndpoint": "_endpoint",
    "InfrecValidationError": "_errors",
    "RESOURCE_TYPE": "_job",
    "InferenceRecommendationsJob": "_job",
    "VpcEndpoints": "_network",
    "add_vpc_endpoints": "_network",
    "InferenceRecommender": "_recommender",
    "RESULTS_RESOURCE_TYPE": "_waiting",
    "Objective": "_waiting",
    "TopRecommendation": "_waiting",
    "Wait": "_waiting",
}

__all__ = [
    "AI_BENCHMARK_RESOURCE_TYPE",
    "AI_RECOMMENDATION_RESOURCE_TYPE",
    "AI_WORKLOAD_RESOURCE_TYPE",
    "RESOURCE_TYPE",
    "RESULTS_RESOURCE_TYPE",
    "SCALING_RESOURCE_TYPE",
    "AIAdapter",
    "AIBenchmarkJob",
    "AIBenchmarkTarget",
    "AICapacityReservation",
    "AIComputeSpec",
    "AIInferenceFramework",
    "AIModel",
    "AIPerformanceMetric",
    "AIRecommendationJob",
    "AITopRecommendation",
    "AIWorkloadConfig",
    "AIWorkloadDataset",
    "Autoscaling",
    "CapacityReservationPreference",
    "ContainerConfig",
    "EndpointConfiguration",
    "FlatInvocations",
    "InferenceRecommendationsJob",
    "InferenceRecommender",
    "InfrecValidationError",
    "InstanceType",
    "JobType",
    "LatencyPercentile",
    "MlflowConfig",
    "ModelLatencyThreshold",
    "ModelSource",
    "Objective",
    "PayloadConfig",
    "Phase",
    "RecommendedEndpoint",
    "ResourceLimit",
    "ScalingRecommendation",
    "ServerlessConfig",
    "Stairs",
    "StoppingConditions",
    "SupportedEndpointType",
    "TopRecommendation",
    "TrafficPattern",
    "TrafficType",
    "VpcEndpoints",
    "Wait",
    "WorkloadSpec",
    "WorkloadTooling",
    "add_vpc_endpoints",
]


def __getattr__(name: str) -> object:
    """Import a public name from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'infrec_cdk' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"infrec_cdk.{module}"), name)
    globals()[name] = value  # later look-ups find it without this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
