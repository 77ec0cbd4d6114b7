"""Pick the top recommendation of a finished job and flatten it into custom-resource attributes.

Pure: takes DescribeInferenceRecommendationsJob's answer, returns values. "Top" is decided by an
objective (lowest cost per inference by default) among the candidates that meet the limits;
ties go to the lower cost per hour, then to the recommendation id, so the choice is stable.

``infrec report`` ranks with this very file (``infrec_cdk/_selection.py`` loads it from the
wheel's ``infrec_cdk/_lambda`` or the source tree's ``lambda/``), so the command line and the
waiter always agree: keep it to the standard library, importing nothing from its siblings.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Final

__all__ = [
    "OBJECTIVES",
    "Candidate",
    "Limits",
    "attributes",
    "candidates",
    "misses",
    "rank",
    "select",
]

# Objective name -> (metric, whether higher is better).
OBJECTIVES: Final[Mapping[str, tuple[str, bool]]] = {
    "LowestCostPerInference": ("cost_per_inference", False),
    "LowestCostPerHour": ("cost_per_hour", False),
    "LowestLatency": ("model_latency", False),
    "HighestMaxInvocations": ("max_invocations", True),
}
_ENVIRONMENT_LIMIT: Final = 512  # characters of EnvironmentParameters JSON in the attributes


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Bounds a candidate must meet; ``None`` means no bound."""

    max_model_latency: float | None = None
    max_cost_per_hour: float | None = None
    endpoint_type: str | None = None  # "RealTime" | "Serverless"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """One recommendation (or measured existing endpoint), with the fields the stack can use."""

    recommendation_id: str = ""
    instance_type: str = ""
    initial_instance_count: int | None = None
    serverless_memory_size_in_mb: int | None = None
    serverless_max_concurrency: int | None = None
    cost_per_hour: float | None = None
    cost_per_inference: float | None = None
    max_invocations: float | None = None
    model_latency: float | None = None
    endpoint_name: str = ""
    environment: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @property
    def endpoint_type(self) -> str:
        """``Serverless`` for a serverless configuration, else ``RealTime``."""
        return "Serverless" if self.serverless_memory_size_in_mb is not None else "RealTime"


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) else float(value)


def _integer(value: object) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _from_recommendation(item: Mapping[str, object]) -> Candidate:
    metrics = _mapping(item.get("Metrics"))
    endpoint = _mapping(item.get("EndpointConfiguration"))
    serverless = _mapping(endpoint.get("ServerlessConfig"))
    model = _mapping(item.get("ModelConfiguration"))
    parameters = model.get("EnvironmentParameters")
    environment = {
        str(p.get("Key")): str(p.get("Value"))
        for p in (parameters if isinstance(parameters, list) else [])
        if isinstance(p, Mapping)
    }
    return Candidate(
        recommendation_id=str(item.get("RecommendationId", "")),
        instance_type=str(endpoint.get("InstanceType", "")),
        initial_instance_count=_integer(endpoint.get("InitialInstanceCount")),
        serverless_memory_size_in_mb=_integer(serverless.get("MemorySizeInMB")),
        serverless_max_concurrency=_integer(serverless.get("MaxConcurrency")),
        cost_per_hour=_number(metrics.get("CostPerHour")),
        cost_per_inference=_number(metrics.get("CostPerInference")),
        max_invocations=_number(metrics.get("MaxInvocations")),
        model_latency=_number(metrics.get("ModelLatency")),
        endpoint_name=str(endpoint.get("EndpointName", "")),
        environment=environment,
    )


def _from_endpoint_performance(item: Mapping[str, object]) -> Candidate:
    metrics = _mapping(item.get("Metrics"))
    endpoint = _mapping(item.get("EndpointInfo"))
    return Candidate(
        max_invocations=_number(metrics.get("MaxInvocations")),
        model_latency=_number(metrics.get("ModelLatency")),
        endpoint_name=str(endpoint.get("EndpointName", "")),
    )


def candidates(describe: Mapping[str, object]) -> list[Candidate]:
    """Every recommendation of the job; the measured existing endpoint when there are none."""
    recommendations = describe.get("InferenceRecommendations")
    if isinstance(recommendations, list) and recommendations:
        return [_from_recommendation(_mapping(item)) for item in recommendations]
    performances = describe.get("EndpointPerformances")
    if isinstance(performances, list):
        return [_from_endpoint_performance(_mapping(item)) for item in performances]
    return []


def misses(candidate: Candidate, limits: Limits) -> str | None:
    """Why ``candidate`` fails the limits, or ``None``."""
    if limits.endpoint_type is not None and candidate.endpoint_type != limits.endpoint_type:
        return f"is {candidate.endpoint_type}"
    latency, cost = candidate.model_latency, candidate.cost_per_hour
    if limits.max_model_latency is not None and (
        latency is None or latency > limits.max_model_latency
    ):
        return f"model latency {latency} is above {limits.max_model_latency:g}"
    if limits.max_cost_per_hour is not None and (cost is None or cost > limits.max_cost_per_hour):
        return f"cost per hour {cost} is above {limits.max_cost_per_hour:g}"
    return None


def _label(candidate: Candidate) -> str:
    if candidate.instance_type:
        return candidate.instance_type
    if candidate.serverless_memory_size_in_mb is not None:
        return f"serverless {candidate.serverless_memory_size_in_mb} MB"
    return candidate.endpoint_name or "endpoint"


def _order(objective: str) -> Callable[[Candidate], tuple[float, float, str]]:
    """Return the sort key of ``objective``: its metric (missing last), cost per hour, id."""
    metric, higher_is_better = OBJECTIVES[objective]

    def key(candidate: Candidate) -> tuple[float, float, str]:
        value = getattr(candidate, metric)
        score = math.inf if value is None else (-value if higher_is_better else value)
        cost = math.inf if candidate.cost_per_hour is None else candidate.cost_per_hour
        return (score, cost, candidate.recommendation_id)

    return key


def rank(found: Sequence[Candidate], objective: str) -> list[Candidate]:
    """Return every candidate, best first by ``objective`` (limits aside), as ``select`` orders.

    ``select``'s choice is the first candidate here that meets the limits; ``infrec report``
    shows this order. Raise ``KeyError`` for an objective not in ``OBJECTIVES``.
    """
    return sorted(found, key=_order(objective))


def select(found: Sequence[Candidate], objective: str, limits: Limits) -> Candidate | str:
    """Return the top candidate, or the reason why none qualifies (a user can act on it)."""
    if objective not in OBJECTIVES:
        return f"unknown objective {objective!r}: use one of {', '.join(OBJECTIVES)}"
    if not found:
        return "the job finished without any recommendation"
    missed = {id(c): misses(c, limits) for c in found}
    eligible = [c for c in found if missed[id(c)] is None]
    if not eligible:
        shown = "; ".join(f"{_label(c)}: {missed[id(c)]}" for c in found[:5])
        more = f" (and {len(found) - 5} more)" if len(found) > 5 else ""  # noqa: PLR2004
        return (
            f"none of the {len(found)} recommendations meets the limits ({shown}{more}); "
            "relax max_model_latency, max_cost_per_hour or endpoint_type"
        )
    return min(eligible, key=_order(objective))


def _text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(value)


def attributes(candidate: Candidate, *, archive_uri: str, count: int) -> dict[str, str]:
    """Return the top candidate as custom-resource attributes (strings, a few hundred bytes)."""
    environment = json.dumps(dict(candidate.environment), separators=(",", ":"))
    if len(environment) > _ENVIRONMENT_LIMIT:
        environment = "{}"  # too large for attributes: read it from the archive
    initial_count = candidate.initial_instance_count
    if initial_count is None and candidate.endpoint_type == "RealTime":
        initial_count = 1
    return {
        "RecommendationId": candidate.recommendation_id[:256],
        "EndpointType": candidate.endpoint_type,
        "InstanceType": candidate.instance_type[:64],
        "InitialInstanceCount": _text(initial_count),
        "ServerlessMemorySizeInMB": _text(candidate.serverless_memory_size_in_mb),
        "ServerlessMaxConcurrency": _text(candidate.serverless_max_concurrency),
        "CostPerHour": _text(candidate.cost_per_hour),
        "CostPerInference": _text(candidate.cost_per_inference),
        "MaxInvocations": _text(candidate.max_invocations),
        "ModelLatency": _text(candidate.model_latency),
        "EndpointName": candidate.endpoint_name[:128],
        "EnvironmentParameters": environment,
        "RecommendationCount": str(count),
        "ArchiveUri": archive_uri[:1100],
    }
