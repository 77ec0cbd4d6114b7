"""``Custom::InferenceRecommendationsResults``: archive a finished job's results, show the top.

Created after the job's wait condition has been signalled. Create and Update describe the job,
write the whole Describe answer as JSON to the output bucket (KMS-encrypted) under the job's name,
pick the top recommendation (objective and limits from the properties) and answer it as
attributes — a few hundred bytes however many recommendations there are. Delete does nothing:
the archive is kept. The physical id is the archive's S3 URI.

The ``Kind`` property names the job's resource type (``kinds``; default the classic
``Custom::InferenceRecommendationsJob``): it picks the Describe operation and, from ``SELECTIONS``,
how the top recommendation is chosen and answered. An AI benchmark job has no recommendation:
its results are archived and answered by their location only.

An Update (a changed objective or limit; CloudFormation sends it after the new wait, if any, is
over) does the same and answers the same physical id: the results change in place. Throttled
calls are retried with jittered pauses within the answer's budget (``aws.Pacing``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

import ai_selection
import selection
from aws import ClientsFactory, Pacing, default_clients
from botocore.exceptions import BotoCoreError, ClientError
from custom_resource import Outcome, answer
from events import Envelope
from kinds import AI_BENCHMARK_JOB, AI_RECOMMENDATION_JOB, CLASSIC, KINDS, Kind
from log import DecisionLog

__all__ = ["SELECTIONS", "ResultsProperties", "archive_key", "handle"]

RESOURCE_TYPE: Final = "Custom::InferenceRecommendationsResults"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ResultsProperties:
    """The resource properties, parsed (CloudFormation sends every scalar as a string)."""

    job_name: str
    bucket: str
    key_prefix: str
    kms_key_id: str
    objective: str
    limits: selection.Limits
    kind: Kind = CLASSIC

    @classmethod
    def parse(cls, raw: object) -> ResultsProperties:
        """Parse ``ResourceProperties``; raise ``ValueError`` naming the bad property."""
        if not isinstance(raw, Mapping):
            raise ValueError("ResourceProperties: must be an object")  # noqa: TRY004
        for key in ("JobName", "Bucket"):
            if not isinstance(raw.get(key), str) or not raw[key]:
                raise ValueError(f"ResourceProperties.{key}: is required")

        def number(key: str) -> float | None:
            text = str(raw.get(key, "") or "")
            if not text:
                return None
            try:
                return float(text)
            except ValueError:
                raise ValueError(f"ResourceProperties.{key}: {text!r} is not a number") from None

        kind = KINDS.get(str(raw.get("Kind") or CLASSIC.resource_type))
        if kind is None or kind.resource_type not in SELECTIONS:
            raise ValueError(
                f"ResourceProperties.Kind: {raw.get('Kind')!r} is not a job whose results can be "
                f"archived: use one of {', '.join(SELECTIONS)}"
            )
        default_objective = "LowestCostPerInference" if kind is CLASSIC else ""
        return cls(
            kind=kind,
            job_name=str(raw["JobName"]),
            bucket=str(raw["Bucket"]),
            key_prefix=str(raw.get("KeyPrefix", "")).strip("/"),
            kms_key_id=str(raw.get("KmsKeyId", "")),
            objective=str(raw.get("Objective") or default_objective),
            limits=selection.Limits(
                max_model_latency=number("MaxModelLatency"),
                max_cost_per_hour=number("MaxCostPerHour"),
                endpoint_type=str(raw.get("EndpointType") or "") or None,
            ),
        )


def archive_key(prefix: str, job_name: str) -> str:
    """Where a job's Describe answer is archived in the bucket."""
    return f"{prefix}/{job_name}/describe.json" if prefix else f"{job_name}/describe.json"


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _archive_and_select(
    props: ResultsProperties, clients: ClientsFactory, pacing: Pacing, log: DecisionLog
) -> Outcome | str:
    aws = clients(max(1.0, (pacing.deadline - pacing.clock()) / 3), pacing)
    kind = props.kind
    operation = getattr(aws.sagemaker, kind.method(kind.describe))
    describe: Mapping[str, Any] = operation(**{kind.name_member: props.job_name})
    status = describe.get(kind.status_member or "Status")
    if status != kind.completed:
        why = describe.get("FailureReason") or "no reason given"
        return f"job {props.job_name} is {status}, not {kind.completed}: {why}"
    key = archive_key(props.key_prefix, props.job_name)
    put: dict[str, Any] = {
        "Bucket": props.bucket,
        "Key": key,
        "Body": json.dumps(dict(describe), default=_json_default, indent=1).encode(),
        "ContentType": "application/json",
    }
    if props.kms_key_id:
        put |= {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": props.kms_key_id}
    aws.s3.put_object(**put)
    uri = f"s3://{props.bucket}/{key}"
    log.decision("archive", "written", archive=uri)
    return SELECTIONS[kind.resource_type](props, describe, uri, log)


# Chooses the top of an archived job's results: its attributes, or the reason none qualifies.
Selection = Callable[[ResultsProperties, Mapping[str, Any], str, DecisionLog], Outcome | str]


def _select_classic(
    props: ResultsProperties, describe: Mapping[str, Any], uri: str, log: DecisionLog
) -> Outcome | str:
    found = selection.candidates(describe)
    top = selection.select(found, props.objective, props.limits)
    if isinstance(top, str):
        return f"job {props.job_name}: {top} (all results: {uri})"
    log.decision("select", "chosen", recommendation_id=top.recommendation_id)
    return Outcome(
        "SUCCESS", uri, data=selection.attributes(top, archive_uri=uri, count=len(found))
    )


def _select_ai_recommendation(
    props: ResultsProperties, describe: Mapping[str, Any], uri: str, log: DecisionLog
) -> Outcome | str:
    limits = props.limits
    if limits != selection.Limits():
        # The classic limits name metrics (ModelLatency, CostPerHour) an AI recommendation
        # does not have: refuse rather than ignore them.
        return (
            f"job {props.job_name}: MaxModelLatency, MaxCostPerHour and EndpointType apply to "
            "Inference Recommender jobs only; choose an AI recommendation with Objective "
            f"(all results: {uri})"
        )
    found = ai_selection.candidates(describe)
    top = ai_selection.select(found, props.objective)
    if isinstance(top, str):
        return f"job {props.job_name}: {top} (all results: {uri})"
    log.decision("select", "chosen", recommendation_index=top.index)
    return Outcome(
        "SUCCESS", uri, data=ai_selection.attributes(top, archive_uri=uri, count=len(found))
    )


def _archive_only(
    props: ResultsProperties, describe: Mapping[str, Any], uri: str, log: DecisionLog
) -> Outcome | str:
    del props, log  # a benchmark job has no recommendation to choose
    output = describe.get("OutputConfig")
    location = output.get("S3OutputLocation", "") if isinstance(output, Mapping) else ""
    return Outcome(
        "SUCCESS",
        uri,
        data={"ArchiveUri": uri[:1100], "OutputLocation": str(location)[:1024]},
    )


# How each kind's results are chosen and answered (the kinds whose results can be archived).
SELECTIONS: Final[Mapping[str, Selection]] = {
    CLASSIC.resource_type: _select_classic,
    AI_RECOMMENDATION_JOB.resource_type: _select_ai_recommendation,
    AI_BENCHMARK_JOB.resource_type: _archive_only,
}


def _kept_id(envelope: Envelope) -> str:
    return envelope.physical_resource_id or f"results-of-{envelope.logical_resource_id}"


def _decide(
    event: Mapping[str, object],
    envelope: Envelope,
    clients: ClientsFactory,
    pacing: Pacing,
    log: DecisionLog,
) -> Outcome:
    keep = _kept_id(envelope)
    if envelope.request_type == "Delete":
        log.decision("delete", "kept-archive")
        return Outcome("SUCCESS", keep)
    try:
        props = ResultsProperties.parse(event.get("ResourceProperties"))
        result = _archive_and_select(props, clients, pacing, log)
    except ValueError as error:
        return Outcome("FAILED", keep, str(error))
    except (ClientError, BotoCoreError) as error:
        return Outcome("FAILED", keep, f"could not read or archive the job's results: {error}")
    if isinstance(result, str):
        return Outcome("FAILED", keep, result)
    return result


def handle(
    event: Mapping[str, object],
    context: object,
    *,
    clients: ClientsFactory = default_clients,
    reserve_seconds: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> None:
    """Answer one event of the results resource, once and in time; never raise.

    ``sleep`` and ``jitter`` time the pauses between attempts of a throttled call (for tests).
    """
    answer(
        event,
        context,
        lambda envelope, pacing, log: _decide(event, envelope, clients, pacing, log),
        kept_id=_kept_id,
        timed_out=lambda budget: f"SageMaker or S3 did not answer within {budget:.0f} s",
        reserve_seconds=reserve_seconds,
        sleep=sleep,
        jitter=jitter,
    )
