"""Choosing the top recommendation: objectives, limits, ties and the attributes' size."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from selection import OBJECTIVES, Candidate, Limits, attributes, candidates, select


def recommendation(
    index: int,
    *,
    instance_type: str = "ml.c5.xlarge",
    cost_per_hour: float = 1.0,
    cost_per_inference: float = 1e-5,
    max_invocations: int = 1000,
    model_latency: int = 50,
    serverless: bool = False,
) -> dict[str, Any]:
    endpoint: dict[str, Any] = {"EndpointName": f"sm-epc-{index}", "VariantName": f"v{index}"}
    if serverless:
        endpoint["ServerlessConfig"] = {"MemorySizeInMB": 2048, "MaxConcurrency": 10}
    else:
        endpoint |= {"InstanceType": instance_type, "InitialInstanceCount": 2}
    return {
        "RecommendationId": f"job/{index}",
        "Metrics": {
            "CostPerHour": cost_per_hour,
            "CostPerInference": cost_per_inference,
            "MaxInvocations": max_invocations,
            "ModelLatency": model_latency,
        },
        "EndpointConfiguration": endpoint,
        "ModelConfiguration": {
            "EnvironmentParameters": [
                {"Key": "OMP_NUM_THREADS", "ValueType": "String", "Value": "2"}
            ]
        },
    }


# (instance, cost per hour, cost per inference, max invocations, latency) of four candidates.
ROWS = [
    ("ml.c5.xlarge", 0.2, 3e-6, 1000, 40),
    ("ml.m5.xlarge", 0.1, 4e-6, 500, 90),
    ("ml.g5.xlarge", 1.4, 9e-6, 5000, 12),
    ("", 0.05, 2e-6, 300, 150),  # serverless
]
DESCRIBE = {
    "InferenceRecommendations": [
        recommendation(
            i,
            instance_type=row[0],
            cost_per_hour=row[1],
            cost_per_inference=row[2],
            max_invocations=row[3],
            model_latency=row[4],
            serverless=not row[0],
        )
        for i, row in enumerate(ROWS)
    ]
}


@pytest.mark.parametrize(
    ("objective", "expected"),
    [
        ("LowestCostPerInference", "job/3"),
        ("LowestCostPerHour", "job/3"),
        ("LowestLatency", "job/2"),
        ("HighestMaxInvocations", "job/2"),
    ],
)
def test_objective_picks_its_best(objective, expected):
    top = select(candidates(DESCRIBE), objective, Limits())
    assert isinstance(top, Candidate)
    assert top.recommendation_id == expected


def test_limits_exclude_candidates_before_the_objective():
    found = candidates(DESCRIBE)
    top = select(found, "LowestCostPerInference", Limits(max_model_latency=100))
    assert isinstance(top, Candidate)
    assert top.recommendation_id == "job/0"  # job/3 is cheaper but too slow
    top = select(found, "LowestLatency", Limits(max_cost_per_hour=0.5))
    assert isinstance(top, Candidate)
    assert top.recommendation_id == "job/0"  # job/2 is faster but too expensive


def test_endpoint_type_limit_keeps_real_time_only():
    top = select(candidates(DESCRIBE), "LowestCostPerInference", Limits(endpoint_type="RealTime"))
    assert isinstance(top, Candidate)
    assert top.instance_type == "ml.c5.xlarge"


def test_no_candidate_within_the_limits_explains_each_miss():
    reason = select(candidates(DESCRIBE), "LowestCostPerInference", Limits(max_model_latency=5))
    assert isinstance(reason, str)
    assert reason.startswith("none of the 4 recommendations meets the limits")
    assert "ml.c5.xlarge: model latency 40.0 is above 5" in reason
    assert "max_model_latency" in reason


def test_no_recommendation_at_all_is_a_reason():
    assert select([], "LowestCostPerInference", Limits()) == (
        "the job finished without any recommendation"
    )


def test_unknown_objective_is_named():
    reason = select(candidates(DESCRIBE), "Cheapest", Limits())
    assert isinstance(reason, str)
    assert "Cheapest" in reason
    assert all(name in reason for name in OBJECTIVES)


def test_ties_go_to_the_lower_cost_per_hour_then_the_id():
    tied = {
        "InferenceRecommendations": [
            recommendation(5, cost_per_hour=0.9, cost_per_inference=1e-6),
            recommendation(4, cost_per_hour=0.3, cost_per_inference=1e-6),
            recommendation(3, cost_per_hour=0.3, cost_per_inference=1e-6),
        ]
    }
    top = select(candidates(tied), "LowestCostPerInference", Limits())
    assert isinstance(top, Candidate)
    assert top.recommendation_id == "job/3"


def test_existing_endpoint_performance_is_a_candidate():
    describe = {
        "EndpointPerformances": [
            {
                "Metrics": {"MaxInvocations": 800, "ModelLatency": 30},
                "EndpointInfo": {"EndpointName": "prod"},
            }
        ]
    }
    top = select(candidates(describe), "HighestMaxInvocations", Limits())
    assert isinstance(top, Candidate)
    assert top.endpoint_name == "prod"
    assert attributes(top, archive_uri="s3://b/k", count=1)["MaxInvocations"] == "800"


def test_attributes_of_a_real_time_and_a_serverless_candidate():
    found = candidates(DESCRIBE)
    real_time = attributes(found[0], archive_uri="s3://bucket/key.json", count=4)
    assert real_time["InstanceType"] == "ml.c5.xlarge"
    assert real_time["InitialInstanceCount"] == "2"
    assert real_time["EndpointType"] == "RealTime"
    assert real_time["CostPerHour"] == "0.2"
    assert real_time["ModelLatency"] == "40"
    assert json.loads(real_time["EnvironmentParameters"]) == {"OMP_NUM_THREADS": "2"}
    serverless = attributes(found[3], archive_uri="s3://bucket/key.json", count=4)
    assert serverless["EndpointType"] == "Serverless"
    assert serverless["ServerlessMemorySizeInMB"] == "2048"
    assert serverless["InstanceType"] == ""
    assert serverless["InitialInstanceCount"] == ""


@given(
    count=st.integers(min_value=1, max_value=200),
    long_text=st.text(min_size=0, max_size=3000),
)
def test_attributes_stay_small_however_many_or_large_the_results(count, long_text):
    describe = {
        "InferenceRecommendations": [
            {
                **recommendation(i, instance_type=long_text[:100] or "ml.c5.xlarge"),
                "RecommendationId": long_text,
                "ModelConfiguration": {
                    "EnvironmentParameters": [
                        {"Key": f"K{j}{long_text[:50]}", "ValueType": "String", "Value": long_text}
                        for j in range(10)
                    ]
                },
            }
            for i in range(count)
        ]
    }
    found = candidates(describe)
    top = select(found, "LowestCostPerInference", Limits())
    assert isinstance(top, Candidate)
    data = attributes(top, archive_uri="s3://" + "b" * 63 + "/" + "k" * 900, count=len(found))
    assert len(json.dumps(data).encode()) < 3000
