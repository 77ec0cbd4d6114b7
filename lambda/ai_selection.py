"""Pick the top recommendation of a finished AI recommendation job; flatten it into attributes.

Pure: takes DescribeAIRecommendationJob's answer, returns values. A recommendation
(botocore's ``AIRecommendation``) holds a description, the optimisations applied
(``OptimizationDetails``), the model package (``ModelDetails``: ARN, inference specification,
instance details), a deployment configuration (image, instance type and count, copies per
instance, environment, S3 channels, minimum CPU memory), the benchmark job behind it
(``AIBenchmarkJobArn``) and its expected performance (``ExpectedPerformance``: metric, stat,
value as a string, unit).

"Top" is SageMaker's first recommendation by default: the job already optimises for its
``PerformanceTarget``. In what order SageMaker lists them is not documented, so an objective can
also name an expected-performance metric: ``Lowest:<Metric>`` or ``Highest:<Metric>``, with
``@<Stat>`` to pick one statistic (``Lowest:time_to_first_token@p50``). The metric names are
SageMaker's own, which its documentation does not list; a recommendation without the metric does
not qualify, and if none has it the reason lists the metrics found.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from typing import Final

__all__ = ["AS_RANKED", "AICandidate", "attributes", "candidates", "select"]

AS_RANKED: Final = "AsRanked"
_DIRECTIONS: Final = {"Lowest": False, "Highest": True}
# Longest value of each attribute; a URI, ARN or JSON document that is longer is left out ("" or
# "{}") rather than cut into something wrong: the archive has it whole. With the archive's URI
# the attributes stay under 2.5 KB, inside CloudFormation's 4096-byte answer.
_TEXT_LIMIT: Final = 256
_JSON_LIMIT: Final = 512
_ARCHIVE_LIMIT: Final = 1100


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class AICandidate:
    """One recommendation of an AI recommendation job, with the fields a stack can use."""

    index: int
    description: str = ""
    instance_type: str = ""
    instance_count: int | None = None
    copy_count_per_instance: int | None = None
    image_uri: str = ""
    model_data_uri: str = ""
    model_package_arn: str = ""
    inference_specification_name: str = ""
    benchmark_job_arn: str = ""
    min_cpu_memory_in_mb: int | None = None
    optimizations: tuple[str, ...] = ()
    environment: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # (metric, stat) -> (value, unit); a value SageMaker gives as text that is no number is NaN.
    performance: Mapping[tuple[str, str], tuple[float, str]] = dataclasses.field(
        default_factory=dict
    )


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _integer(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) else int(value)


def _number(text: object) -> float:
    try:
        return float(str(text))
    except ValueError:
        return math.nan


def _candidate(index: int, item: Mapping[str, object]) -> AICandidate:
    deployment = _mapping(item.get("DeploymentConfiguration"))
    model = _mapping(item.get("ModelDetails"))
    instances = [_mapping(i) for i in _list(model.get("InstanceDetails"))]
    first = instances[0] if instances else {}
    channels = [_mapping(c) for c in _list(deployment.get("S3"))]
    environment = _mapping(deployment.get("EnvironmentVariables"))
    performance = {
        (str(m.get("Metric", "")), str(m.get("Stat", ""))): (
            _number(m.get("Value")),
            str(m.get("Unit", "")),
        )
        for m in map(_mapping, _list(item.get("ExpectedPerformance")))
    }
    count = deployment.get("InstanceCount", first.get("InstanceCount"))
    copies = deployment.get("CopyCountPerInstance", first.get("CopyCountPerInstance"))
    return AICandidate(
        index=index,
        description=str(item.get("RecommendationDescription", "")),
        instance_type=str(deployment.get("InstanceType") or first.get("InstanceType") or ""),
        instance_count=_integer(count),
        copy_count_per_instance=_integer(copies),
        image_uri=str(deployment.get("ImageUri", "")),
        model_data_uri=str(channels[0].get("Uri", "")) if channels else "",
        model_package_arn=str(model.get("ModelPackageArn", "")),
        inference_specification_name=str(model.get("InferenceSpecificationName", "")),
        benchmark_job_arn=str(item.get("AIBenchmarkJobArn", "")),
        min_cpu_memory_in_mb=_integer(deployment.get("MinCpuMemoryRequiredInMb")),
        optimizations=tuple(
            str(_mapping(o).get("OptimizationType", ""))
            for o in _list(item.get("OptimizationDetails"))
        ),
        environment={str(k): str(v) for k, v in environment.items()},
        performance=performance,
    )


def candidates(describe: Mapping[str, object]) -> list[AICandidate]:
    """Every recommendation of the job (``Recommendations``), in SageMaker's order."""
    return [
        _candidate(index, _mapping(item))
        for index, item in enumerate(_list(describe.get("Recommendations")))
    ]


def _value(candidate: AICandidate, metric: str, stat: str | None) -> float | None:
    for (name, found_stat), (value, _) in sorted(candidate.performance.items()):
        if name == metric and (stat is None or found_stat == stat) and not math.isnan(value):
            return value
    return None


def select(found: Sequence[AICandidate], objective: str) -> AICandidate | str:
    """Return the top candidate, or the reason why none qualifies (a user can act on it)."""
    if not found:
        return "the job finished without any recommendation"
    if objective in {"", AS_RANKED}:
        return found[0]
    direction, _, wanted = objective.partition(":")
    metric, _, stat = wanted.partition("@")
    if direction not in _DIRECTIONS or not metric:
        return (
            f"unknown objective {objective!r} for an AI recommendation job: use {AS_RANKED}, "
            "Lowest:<Metric>[@<Stat>] or Highest:<Metric>[@<Stat>]"
        )
    scored = [(c, _value(c, metric, stat or None)) for c in found]
    eligible = [(c, v) for c, v in scored if v is not None]
    if not eligible:
        seen = sorted({f"{m}@{s}" for c in found for m, s in c.performance})
        return (
            f"no recommendation has the expected-performance metric {wanted!r} "
            f"(metrics found: {', '.join(seen) or 'none'})"
        )
    sign = -1.0 if _DIRECTIONS[direction] else 1.0
    best, _ = min(eligible, key=lambda pair: (sign * (pair[1] or 0.0), pair[0].index))
    return best


def _whole(text: str, limit: int = _TEXT_LIMIT) -> str:
    """``text`` if it fits, else "": half a URI or ARN is worse than none."""
    return text if len(text) <= limit else ""


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def _json(document: Mapping[str, str], limit: int = _JSON_LIMIT) -> str:
    text = json.dumps(dict(document), separators=(",", ":"), sort_keys=True)
    return text if len(text) <= limit else "{}"


def attributes(candidate: AICandidate, *, archive_uri: str, count: int) -> dict[str, str]:
    """Return the top candidate as custom-resource attributes (strings, at most about 2.5 KB).

    ``ExpectedPerformance`` maps ``<Metric>@<Stat>`` to the value and its unit, as SageMaker
    gives them (``{"time_to_first_token@p50": "193.2 ms"}``); the environment and the expected
    performance are JSON objects, "{}" when they do not fit: read them from the archive.
    """
    performance = {
        f"{metric}@{stat}" if stat else metric: f"{value:g} {unit}".strip()
        for (metric, stat), (value, unit) in sorted(candidate.performance.items())
    }
    return {
        "RecommendationIndex": str(candidate.index),
        "RecommendationDescription": candidate.description[:_TEXT_LIMIT],
        "InstanceType": _whole(candidate.instance_type, 64),
        "InstanceCount": _text(candidate.instance_count),
        "CopyCountPerInstance": _text(candidate.copy_count_per_instance),
        "MinCpuMemoryRequiredInMb": _text(candidate.min_cpu_memory_in_mb),
        "ImageUri": _whole(candidate.image_uri),
        "ModelDataUri": _whole(candidate.model_data_uri),
        "ModelPackageArn": _whole(candidate.model_package_arn),
        "InferenceSpecificationName": _whole(candidate.inference_specification_name, 63),
        "AIBenchmarkJobArn": _whole(candidate.benchmark_job_arn),
        "OptimizationTypes": _whole(",".join(candidate.optimizations), 64),
        "EnvironmentVariables": _json(candidate.environment),
        "ExpectedPerformance": _json(performance),
        "RecommendationCount": str(count),
        "ArchiveUri": archive_uri[:_ARCHIVE_LIMIT],
    }
