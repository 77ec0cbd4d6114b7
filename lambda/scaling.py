"""``Custom::InferenceRecommendationsScaling``: how to autoscale the top recommendation.

Created after the job's results resource (its properties name the top recommendation). Create
and Update call SageMaker's ``GetScalingConfigurationRecommendation`` for that recommendation
with the user's traffic objective, pick the target-tracking policy to apply, and answer the
recommended capacities, target value, metric and cooldowns as attributes (a few hundred bytes:
``tests/test_autoscaling_handler.py`` measures the largest). The physical id names the request,
so a changed objective (or a new top recommendation) is a new id; Delete does nothing.

A refusal by SageMaker, or an answer with nothing to apply, fails the resource with SageMaker's
message or the reason: the stack rolls back and the endpoint keeps its recommended instance
count. Throttled calls are retried with jittered pauses within the answer's budget
(``aws.Pacing``).

The API: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_GetScalingConfigurationRecommendation.html
(its shapes as in botocore's model of SageMaker).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

from aws import ClientsFactory, Pacing, default_clients
from botocore.exceptions import BotoCoreError, ClientError
from custom_resource import Outcome, answer
from events import Envelope
from log import DecisionLog

__all__ = ["RESOURCE_TYPE", "Recommended", "ScalingProperties", "attributes", "choose", "handle"]

RESOURCE_TYPE: Final = "Custom::InferenceRecommendationsScaling"
OPERATION: Final = "GetScalingConfigurationRecommendation"
# The predefined metric SageMaker's guide recommends for variants ("We strongly recommend
# using this metric": https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-add-code-define.html),
# first when SageMaker recommends a policy for it; then any other predefined variant metric
# (botocore's application-autoscaling model, MetricType: SageMakerVariant*).
PREFERRED_METRIC: Final = "SageMakerVariantInvocationsPerInstance"
VARIANT_METRIC_PREFIX: Final = "SageMakerVariant"
# What Application Auto Scaling itself uses for a SageMaker variant's policy without cooldowns
# ("Application Auto Scaling provides a default value of 300 for ... Amazon SageMaker endpoint
# variants": botocore's application-autoscaling model, TargetTrackingScalingPolicyConfiguration).
DEFAULT_COOLDOWN: Final = 300
_TARGET_CPU: Final = (1, 100)  # botocore's model: UtilizationPercentagePerCore


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ScalingProperties:
    """The resource properties, parsed (CloudFormation sends every scalar as a string)."""

    job_name: str
    recommendation_id: str
    endpoint_name: str
    target_cpu_utilization_per_core: int | None
    min_invocations_per_minute: int | None
    max_invocations_per_minute: int | None

    @classmethod
    def parse(cls, raw: object) -> ScalingProperties:
        """Parse ``ResourceProperties``; raise ``ValueError`` naming the bad property."""
        if not isinstance(raw, Mapping):
            raise ValueError("ResourceProperties: must be an object")  # noqa: TRY004
        job_name = raw.get("JobName")
        if not isinstance(job_name, str) or not job_name:
            raise ValueError("ResourceProperties.JobName: is required")

        def text(key: str) -> str:
            value = raw.get(key)
            return "" if value is None else str(value)

        def integer(key: str) -> int | None:
            given = text(key)
            if not given:
                return None
            try:
                return int(given)
            except ValueError:
                raise ValueError(f"ResourceProperties.{key}: {given!r} is not an integer") from None

        props = cls(
            job_name=job_name,
            recommendation_id=text("RecommendationId"),
            endpoint_name=text("EndpointName"),
            target_cpu_utilization_per_core=integer("TargetCpuUtilizationPerCore"),
            min_invocations_per_minute=integer("MinInvocationsPerMinute"),
            max_invocations_per_minute=integer("MaxInvocationsPerMinute"),
        )
        if not props.recommendation_id and not props.endpoint_name:
            raise ValueError(
                "ResourceProperties: the top recommendation has neither a RecommendationId nor "
                "an EndpointName to ask SageMaker about"
            )
        low, high = _TARGET_CPU
        cpu = props.target_cpu_utilization_per_core
        if cpu is not None and not low <= cpu <= high:
            raise ValueError(
                f"ResourceProperties.TargetCpuUtilizationPerCore: {cpu} is not from {low} to {high}"
            )
        return props

    def request(self) -> dict[str, Any]:
        """Return the GetScalingConfigurationRecommendation request.

        The API takes "either this field [RecommendationId] or the EndpointName field": the
        recommendation's id when it has one, else the benchmarked endpoint's name.
        """
        request: dict[str, Any] = {"InferenceRecommendationsJobName": self.job_name}
        if self.recommendation_id:
            request["RecommendationId"] = self.recommendation_id
        else:
            request["EndpointName"] = self.endpoint_name
        if self.target_cpu_utilization_per_core is not None:
            request["TargetCpuUtilizationPerCore"] = self.target_cpu_utilization_per_core
        objective = {
            "MinInvocationsPerMinute": self.min_invocations_per_minute,
            "MaxInvocationsPerMinute": self.max_invocations_per_minute,
        }
        objective = {key: value for key, value in objective.items() if value is not None}
        if objective:
            request["ScalingPolicyObjective"] = objective
        return request

    def physical_id(self) -> str:
        """Return an id that changes whenever the request does (at most ~90 characters)."""
        text = json.dumps(self.request(), sort_keys=True, separators=(",", ":"))
        return f"{self.job_name}/scaling/{hashlib.sha256(text.encode()).hexdigest()[:16]}"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Recommended:
    """The scaling to apply: the target's capacities and one target-tracking policy."""

    min_capacity: int
    max_capacity: int
    target_value: float
    metric_type: str
    scale_in_cooldown: int
    scale_out_cooldown: int
    invocations_per_instance: int | None = None
    model_latency: int | None = None


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _integer(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if math.isfinite(value) and float(value).is_integer() else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _predefined(policies: object) -> list[tuple[str, float]]:
    """(metric type, target value) of each target-tracking policy on a predefined metric."""
    found = []
    for policy in policies if isinstance(policies, list) else []:
        tracking = _mapping(_mapping(policy).get("TargetTracking"))
        metric = _mapping(_mapping(tracking.get("MetricSpecification")).get("Predefined"))
        metric_type = metric.get("PredefinedMetricType")
        target = _number(tracking.get("TargetValue"))
        if isinstance(metric_type, str) and metric_type and target is not None:
            found.append((metric_type, target))
    return found


def _described(policies: object) -> str:
    """Name what SageMaker's policies track, for a reason (customized metrics by name)."""
    names = []
    for policy in policies if isinstance(policies, list) else []:
        specification = _mapping(
            _mapping(_mapping(policy).get("TargetTracking")).get("MetricSpecification")
        )
        predefined = _mapping(specification.get("Predefined")).get("PredefinedMetricType")
        customized = _mapping(specification.get("Customized"))
        if predefined:
            names.append(f"predefined {predefined}")
        elif customized:
            names.append(
                f"customized {customized.get('Namespace', '?')}/{customized.get('MetricName', '?')}"
            )
    return ", ".join(names) or "none"


def choose(found: Mapping[str, object]) -> Recommended | str:
    """Return the scaling to apply from SageMaker's answer, or why there is none (a reason)."""
    dynamic = _mapping(found.get("DynamicScalingConfiguration"))
    if not dynamic:
        return "SageMaker's answer has no DynamicScalingConfiguration (no scaling recommendation)"
    low, high = _integer(dynamic.get("MinCapacity")), _integer(dynamic.get("MaxCapacity"))
    if low is None or high is None:
        return (
            "SageMaker's scaling recommendation has no whole MinCapacity and MaxCapacity "
            f"(MinCapacity {dynamic.get('MinCapacity')!r}, MaxCapacity "
            f"{dynamic.get('MaxCapacity')!r})"
        )
    policies = dynamic.get("ScalingPolicies")
    predefined = _predefined(policies)
    variant = [item for item in predefined if item[0].startswith(VARIANT_METRIC_PREFIX)]
    preferred = [item for item in variant if item[0] == PREFERRED_METRIC]
    candidates = preferred or variant
    if not candidates:
        return (
            "SageMaker recommends no target-tracking policy on a predefined SageMaker variant "
            f"metric, which the stack's scaling policy needs (it recommends: "
            f"{_described(policies)})"
        )
    chosen = candidates[0]
    metric = _mapping(found.get("Metric"))
    scale_in = _integer(dynamic.get("ScaleInCooldown"))
    scale_out = _integer(dynamic.get("ScaleOutCooldown"))
    return Recommended(
        min_capacity=low,
        max_capacity=high,
        metric_type=chosen[0],
        target_value=chosen[1],
        scale_in_cooldown=DEFAULT_COOLDOWN if scale_in is None else scale_in,
        scale_out_cooldown=DEFAULT_COOLDOWN if scale_out is None else scale_out,
        invocations_per_instance=_integer(metric.get("InvocationsPerInstance")),
        model_latency=_integer(metric.get("ModelLatency")),
    )


def _text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(value)


def attributes(recommended: Recommended, props: ScalingProperties) -> dict[str, str]:
    """Return the recommendation as custom-resource attributes (strings, a few hundred bytes)."""
    return {
        "MinCapacity": str(recommended.min_capacity),
        "MaxCapacity": str(recommended.max_capacity),
        "TargetValue": _text(recommended.target_value),
        "PredefinedMetricType": recommended.metric_type[:128],
        "ScaleInCooldown": str(recommended.scale_in_cooldown),
        "ScaleOutCooldown": str(recommended.scale_out_cooldown),
        "InvocationsPerInstance": _text(recommended.invocations_per_instance),
        "ModelLatency": _text(recommended.model_latency),
        "RecommendationId": props.recommendation_id[:256],
    }


def _refusal(props: ScalingProperties, error: ClientError) -> str:
    details = error.response.get("Error", {})
    code = details.get("Code", "Error")
    message = details.get("Message") or "no message"
    return f"SageMaker's {OPERATION} for job {props.job_name} failed: {code}: {message}"


def _kept_id(envelope: Envelope) -> str:
    return envelope.physical_resource_id or f"scaling-of-{envelope.logical_resource_id}"


def _fetch(
    props: ScalingProperties,
    keep: str,
    clients: ClientsFactory,
    pacing: Pacing,
    log: DecisionLog,
) -> Outcome:
    """Ask SageMaker; a failure keeps the physical id (``keep``) the resource had."""
    aws = clients(max(1.0, (pacing.deadline - pacing.clock()) / 3), pacing)
    try:
        found: Mapping[str, object] = aws.sagemaker.get_scaling_configuration_recommendation(
            **props.request()
        )
    except ClientError as error:
        return Outcome("FAILED", keep, _refusal(props, error))
    chosen = choose(found)
    if isinstance(chosen, str):
        return Outcome("FAILED", keep, f"job {props.job_name}: {chosen}")
    log.decision(
        "recommend",
        "chosen",
        metric=chosen.metric_type,
        min_capacity=chosen.min_capacity,
        max_capacity=chosen.max_capacity,
    )
    return Outcome("SUCCESS", props.physical_id(), data=attributes(chosen, props))


def _decide(
    event: Mapping[str, object],
    envelope: Envelope,
    clients: ClientsFactory,
    pacing: Pacing,
    log: DecisionLog,
) -> Outcome:
    keep = _kept_id(envelope)
    if envelope.request_type == "Delete":
        log.decision("delete", "nothing-to-delete")  # the scalable target is CloudFormation's
        return Outcome("SUCCESS", keep)
    try:
        props = ScalingProperties.parse(event.get("ResourceProperties"))
        return _fetch(props, keep, clients, pacing, log)
    except ValueError as error:
        return Outcome("FAILED", keep, str(error))
    except BotoCoreError as error:
        return Outcome("FAILED", keep, f"could not reach SageMaker: {error}")
    except Exception as error:  # noqa: BLE001 (answered FAILED with its name, never raised)
        DecisionLog.exception(log, "recommend", error)  # with its traceback, scrubbed
        return Outcome("FAILED", keep, f"unexpected {type(error).__name__}; see the waiter's log")


def handle(
    event: Mapping[str, object],
    context: object,
    *,
    clients: ClientsFactory = default_clients,
    reserve_seconds: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> None:
    """Answer one event of the scaling resource, once and in time; never raise.

    ``sleep`` and ``jitter`` time the pauses between attempts of a throttled call (for tests).
    """
    answer(
        event,
        context,
        lambda envelope, pacing, log: _decide(event, envelope, clients, pacing, log),
        kept_id=_kept_id,
        timed_out=lambda budget: f"SageMaker did not answer within {budget:.0f} s",
        reserve_seconds=reserve_seconds,
        sleep=sleep,
        jitter=jitter,
    )
