"""One answer per CloudFormation event of the waiter's custom resources, sent in time.

The results and scaling resources differ only in what they decide; this module does the rest:
reads the envelope, logs, splits the invocation's time into the work's budget and the answer's
reserve (``deadline``), runs the decision within its budget, and PUTs the one answer
(``cfn_response``). A decision that runs out of time is answered FAILED with a reason.
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Mapping

from aws import Pacing
from cfn_response import CfnResponse, Status, encode, send
from deadline import TimedOut, remaining_seconds, response_reserve, run_within
from events import Envelope
from log import DecisionLog, configure, secrets_of

__all__ = ["Decide", "Outcome", "answer"]


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """What to answer: status, physical id, reason (for FAILED) and attributes."""

    status: Status
    physical_resource_id: str
    reason: str = ""
    data: Mapping[str, str] = dataclasses.field(default_factory=dict)


# Decides the answer to one event: given its envelope, how calls are paced, and the log.
Decide = Callable[[Envelope, Pacing, DecisionLog], Outcome]


def answer(
    event: Mapping[str, object],
    context: object,
    decide: Decide,
    *,
    kept_id: Callable[[Envelope], str],
    timed_out: Callable[[float], str],
    reserve_seconds: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> None:
    """Answer ``event`` once and in time with what ``decide`` says; never raise.

    ``kept_id`` names the physical id of a resource whose decision ran out of time, and
    ``timed_out`` the reason, given the budget in seconds. ``sleep`` and ``jitter`` time the
    pauses between attempts of a throttled call (for tests).
    """
    configure()
    started = time.monotonic()
    remaining = remaining_seconds(context)
    envelope = Envelope.of(event)
    log = DecisionLog(
        request_type=envelope.request_type,
        request_id=envelope.request_id,
        logical_resource_id=envelope.logical_resource_id,
        physical_resource_id=envelope.physical_resource_id,
        secrets=secrets_of(envelope.response_url),
    )
    if not envelope.response_url:
        log.decision("receive", "no-response-url")
        return
    reserve = response_reserve(remaining) if reserve_seconds is None else reserve_seconds
    budget = max(0.5, remaining - reserve)
    pacing = Pacing(deadline=started + budget, sleep=sleep, jitter=jitter)
    result = run_within(lambda: decide(envelope, pacing, log), budget)
    if isinstance(result, TimedOut):
        result = Outcome("FAILED", kept_id(envelope), timed_out(budget))
    log.decision("respond", result.status, reason=result.reason)
    response = CfnResponse(
        status=result.status,
        reason=result.reason,
        physical_resource_id=result.physical_resource_id,
        stack_id=envelope.stack_id,
        request_id=envelope.request_id,
        logical_resource_id=envelope.logical_resource_id,
        data=result.data,
    )
    send(envelope.response_url, encode(response), deadline=started + remaining - 0.5, log=log)
