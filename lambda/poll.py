"""The scheduled poll of one waiting job: log its progress; when it ends, signal and announce.

An EventBridge rule (one per waiting job, deleted with the stack) invokes this every poll
interval with ``{"JobName", "SignalUrl", "RuleName", "StackId", "LogicalResourceId"}`` and, for a
job of another kind than the classic recommendation job, ``"Kind"`` (its resource type, see
``kinds``: the operations and statuses come from there). SageMaker publishes no event for these
jobs, so this is how the stack learns that one finished:

1. Describe the job.
2. Once it ended: signal the wait condition — SUCCESS for COMPLETED, FAILURE with SageMaker's
   FailureReason otherwise — publish the completion event on the default event bus unless the
   job is tagged as announced (then tag it), and disable the rule: a disabled rule means "done",
   so a late invocation does nothing. A failure before the event is out leaves the rule enabled
   and the next poll tries again (a second signal with the same UniqueId changes nothing).
   Once the event is out, the rule is disabled whether or not the tag could be added (a job
   may already carry SageMaker's maximum of 50 tags): the disabled rule keeps this wait at one
   event, the tag keeps a later wait for the same job (a fresh handle) from announcing it again.
3. Count its benchmark steps for one JSON log line (the progress): only after the signal, and a
   failure to count only logs, so that logging never delays or blocks the signal.

Every call is retried with jittered pauses while throttled, within the invocation (``aws``);
what still fails is simply tried again by the next poll.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import json
import random
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

from aws import Clients, ClientsFactory, Pacing, default_clients
from botocore.exceptions import BotoCoreError, ClientError
from cfn_response import send
from deadline import remaining_seconds
from kinds import CLASSIC, Kind
from kinds import of as kind_of
from log import DecisionLog, configure, secrets_of

__all__ = [
    "ANNOUNCED_TAG",
    "EVENT_DETAIL_TYPE",
    "EVENT_SOURCE",
    "NOT_FOUND_STATUS",
    "PollRequest",
    "completion_event",
    "describe_job",
    "error_text",
    "handle",
    "job_log",
    "log_progress",
    "poll_job",
    "settle",
    "status_of",
]

EVENT_SOURCE: Final = "infrec-cdk"
EVENT_DETAIL_TYPE: Final = CLASSIC.event_detail_type
ENDED: Final = CLASSIC.ended  # the classic job's; each kind has its own (``kinds``)
NOT_FOUND_STATUS: Final = "NOT_FOUND"  # what a poll makes of a job SageMaker does not know
_MAX_STEP_PAGES: Final = 10
_MAX_REASON: Final = 1000
_NOT_FOUND: Final = frozenset({"ResourceNotFound", "ResourceNotFoundException"})
# Other SageMaker Describe calls answer a missing name with a ValidationException worded so.
_NOT_FOUND_TEXT: Final = re.compile(
    r"not found|could not find|does not exist|no such", re.IGNORECASE
)
ANNOUNCED_TAG: Final = "infrec-cdk:announced"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PollRequest:
    """What the rule's input tells the poll."""

    job_name: str
    signal_url: str
    rule_name: str
    stack_id: str = ""
    logical_resource_id: str = ""
    kind: Kind = CLASSIC

    @classmethod
    def parse(cls, event: object) -> PollRequest:
        """Read the rule's input; raise ``ValueError`` naming a missing field."""
        if not isinstance(event, Mapping):
            raise ValueError("the poll event is not an object")  # noqa: TRY004 (one error type)
        values = {}
        for key in ("JobName", "SignalUrl", "RuleName"):
            value = event.get(key)
            if not isinstance(value, str) or not value:
                raise ValueError(f"the poll event has no {key}")
            values[key] = value
        return cls(
            job_name=values["JobName"],
            signal_url=values["SignalUrl"],
            rule_name=values["RuleName"],
            stack_id=str(event.get("StackId", "")),
            logical_resource_id=str(event.get("LogicalResourceId", "")),
            kind=kind_of(event.get("Kind")),
        )


def _iso(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return None if value is None else str(value)


def _member(describe: Mapping[str, Any], member: str, default: object = None) -> Any:  # noqa: ANN401
    """``describe[member]``, or ``default`` where the kind has no such member ("")."""
    return describe.get(member, default) if member else default


def status_of(describe: Mapping[str, Any], kind: Kind) -> str:
    """Return the job's status in a Describe answer of ``kind`` ("" if none)."""
    return str(_member(describe, kind.status_member or "", ""))


def completion_event(request: PollRequest, describe: Mapping[str, Any]) -> dict[str, Any]:
    """Return the EventBridge entry announcing that the job ended (schema in the README).

    The detail has the same members for every kind; the detail type names the kind. A kind
    without a job type or recommendations answers "" and 0 for them.
    """
    kind = request.kind
    recommendations = _member(describe, kind.recommendations_member) or []
    detail = {
        "jobName": describe.get(kind.name_member, request.job_name),
        "jobArn": describe.get(kind.arn_member, ""),
        "jobType": _member(describe, kind.type_member, ""),
        "status": status_of(describe, kind),
        "failureReason": describe.get("FailureReason"),
        "creationTime": _iso(describe.get("CreationTime")),
        "completionTime": _iso(_member(describe, kind.end_time_member)),
        "recommendationCount": len(recommendations),
        "stackId": request.stack_id,
        "logicalResourceId": request.logical_resource_id,
    }
    return {
        "Source": EVENT_SOURCE,
        "DetailType": kind.event_detail_type,
        "Resources": [detail["jobArn"]] if detail["jobArn"] else [],
        "Detail": json.dumps(detail),
        "EventBusName": "default",
    }


def _signal_body(request: PollRequest, describe: Mapping[str, Any]) -> bytes:
    kind = request.kind
    status = status_of(describe, kind)
    if status == kind.completed:
        signal, reason = "SUCCESS", f"job {request.job_name} completed"
    else:
        why = describe.get("FailureReason") or "SageMaker gave no reason"
        signal, reason = "FAILURE", f"job {request.job_name} ended {status}: {why}"
    return json.dumps(
        {
            "Status": signal,
            "Reason": reason[:_MAX_REASON],
            "UniqueId": request.job_name,
            "Data": str(describe.get(kind.arn_member, "")),
        }
    ).encode()


def describe_job(clients: Clients, job_name: str, kind: Kind = CLASSIC) -> Mapping[str, Any]:
    """Describe the job; one SageMaker does not know ends the wait (nothing to wait for)."""
    describe = getattr(clients.sagemaker, kind.method(kind.describe))
    try:
        answer: Mapping[str, Any] = describe(**{kind.name_member: job_name})
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in {
            "ResourceNotFound",
            "ResourceNotFoundException",
        }:
            raise
        return {
            kind.name_member: job_name,
            kind.status_member or "Status": NOT_FOUND_STATUS,
            "FailureReason": "SageMaker has no job of that name",
        }
    return answer


def _step_counts(clients: Clients, job_name: str, kind: Kind = CLASSIC) -> dict[str, int]:
    """Count the job's benchmark steps by status (``ListInferenceRecommendationsJobSteps``)."""
    counts: collections.Counter[str] = collections.Counter()
    token = None
    list_steps = getattr(clients.sagemaker, kind.method(kind.steps_operation))
    for _ in range(_MAX_STEP_PAGES):
        params: dict[str, Any] = {kind.name_member: job_name, "MaxResults": 100}
        if token:
            params["NextToken"] = token
        page = list_steps(**params)
        counts.update(str(step.get("Status", "")) for step in page.get("Steps", []))
        token = page.get("NextToken")
        if not token:
            break
    return dict(counts)


def error_text(error: Exception) -> str:
    """Return an error as one log field: its type and message."""
    return f"{type(error).__name__}: {error}"


def _already_published(clients: Clients, describe: Mapping[str, Any], kind: Kind) -> bool:
    """Whether an earlier poll (maybe of an earlier wait for the same job) announced the job."""
    arn = describe.get(kind.arn_member)
    if not arn:
        return False
    tags = clients.sagemaker.list_tags(ResourceArn=arn, MaxResults=100).get("Tags", [])
    return any(tag.get("Key") == ANNOUNCED_TAG for tag in tags)


def _publish(
    clients: Clients, request: PollRequest, describe: Mapping[str, Any], log: DecisionLog
) -> bool:
    """Publish the completion event once per job; return whether it is (now) published."""
    if _already_published(clients, describe, request.kind):
        log.decision("publish", "already-published")
        return True
    answer = clients.events.put_events(Entries=[completion_event(request, describe)])
    if answer.get("FailedEntryCount", 0):
        return False
    log.decision("publish", "published")
    try:
        clients.sagemaker.add_tags(
            ResourceArn=describe[request.kind.arn_member],
            Tags=[{"Key": ANNOUNCED_TAG, "Value": "true"}],
        )
    except (ClientError, BotoCoreError) as error:
        # The event is out: the caller disables the rule all the same, which ends this wait's
        # announcing; only a later wait for this job could announce it again.
        log.decision("tag", "failed", error=error_text(error))
    return True


def settle(
    request: PollRequest,
    describe: Mapping[str, Any],
    clients: Clients,
    log: DecisionLog,
    signal: Callable[[bytes], bool],
) -> bool:
    """Signal the wait of an ended job and publish its completion event once; True when done.

    False leaves the work to the next poll: signalling again is harmless (same UniqueId), and
    the announced tag keeps the event at one per job.
    """
    if not signal(_signal_body(request, describe)):
        return False
    status = status_of(describe, request.kind)
    log.decision("signal", "delivered", status=status)
    if status in request.kind.ended and not _publish(clients, request, describe, log):
        log.decision("publish", "failed")
        return False
    return True


def _announce(
    request: PollRequest,
    describe: Mapping[str, Any],
    clients: Clients,
    log: DecisionLog,
    signal: Callable[[bytes], bool],
) -> None:
    """Signal the wait, publish the completion event, then stop polling; retry what failed."""
    if clients.events.describe_rule(Name=request.rule_name).get("State") == "DISABLED":
        log.decision("announce", "already-announced")
        return
    if not settle(request, describe, clients, log, signal):
        return  # the rule stays enabled: the next poll tries again
    clients.events.disable_rule(Name=request.rule_name)
    log.decision("announce", "done")


def log_progress(clients: Clients, request: PollRequest, status: str, log: DecisionLog) -> None:
    """Log the job's status and its step counts; a failure to count only logs.

    A kind SageMaker lists no steps for (the AI jobs) logs its status only.
    """
    if status == NOT_FOUND_STATUS or not request.kind.steps_operation:
        log.decision("poll", status, steps={})
        return
    try:
        steps = _step_counts(clients, request.job_name, request.kind)
    except (ClientError, BotoCoreError) as error:
        log.decision("poll", status, steps_error=error_text(error))
        return
    log.decision("poll", status, steps=steps)


def handle(
    event: object,
    context: object,
    *,
    clients: ClientsFactory = default_clients,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> None:
    """Poll the job named in ``event`` once; never raise.

    ``clock``, ``sleep`` and ``jitter`` time the pauses between attempts (tests inject them).
    """
    configure()
    started = clock()
    remaining = remaining_seconds(context)
    try:
        request = PollRequest.parse(event)
    except ValueError as error:
        DecisionLog(
            request_type="Poll", request_id="", logical_resource_id="", physical_resource_id=""
        ).decision("poll", "invalid-event", error=str(error))
        return
    log = job_log(request, str(getattr(context, "aws_request_id", "")))
    deadline = started + max(1.0, remaining - 2.0)
    pacing = Pacing(deadline=deadline, clock=clock, sleep=sleep, jitter=jitter)
    try:
        aws = clients(min(20.0, max(1.0, remaining / 3)), pacing)
    except (ClientError, BotoCoreError) as error:
        log.decision("poll", "error", error=error_text(error))
        return
    poll_job(request, aws, log, deadline=deadline, clock=clock, sleep=sleep, announce=_announce)


def job_log(request: PollRequest, request_id: str) -> DecisionLog:
    """Return the decision log of one job's poll (the signal URL kept out of it)."""
    return DecisionLog(
        request_type="Poll",
        request_id=request_id,
        logical_resource_id=request.logical_resource_id,
        physical_resource_id=request.job_name,
        job_name=request.job_name,
        secrets=secrets_of(request.signal_url),
    )


# What is done once a job has ended: ``_announce`` (a job's own rule) or ``settle`` (the sweep).
Announce = Callable[
    [PollRequest, Mapping[str, Any], Clients, DecisionLog, Callable[[bytes], bool]], object
]


def poll_job(
    request: PollRequest,
    aws: Clients,
    log: DecisionLog,
    *,
    deadline: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    announce: Announce,
) -> None:
    """Describe the job once; once it ended, ``announce`` it; then log its progress."""

    def signal(body: bytes) -> bool:
        delivery = send(
            request.signal_url, body, deadline=deadline, log=log, clock=clock, sleep=sleep
        )
        if not delivery.delivered:
            log.decision("signal", "undelivered", error=delivery.detail)
        return delivery.delivered

    try:
        describe = describe_job(aws, request.job_name, request.kind)
        status = status_of(describe, request.kind)
        if status in request.kind.ended or status == NOT_FOUND_STATUS:
            announce(request, describe, aws, log, signal)
    except (ClientError, BotoCoreError) as error:
        # The next poll tries again; a job that never ends is caught by the wait's timeout.
        log.decision("poll", "error", error=error_text(error))
        return
    log_progress(aws, request, status, log)
