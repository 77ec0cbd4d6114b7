"""Lambda entrypoint of the job resources (``kinds``): parse, work, answer once, in time.

One function per stack serves ``Custom::InferenceRecommendationsJob``,
``Custom::AIRecommendationJob``, ``Custom::AIBenchmarkJob`` and ``Custom::AIWorkloadConfig``: the
event's ``ResourceType`` picks the kind (an unknown one is the classic job, as before).

Nothing escapes ``handler``: a malformed event, a SageMaker error or a SageMaker that hangs all end
in one FAILED answer with a reason, PUT to the ResponseURL before Lambda's deadline.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Final

import lifecycle
from backoff import Backoff
from cfn_response import CfnResponse, encode, send
from deadline import TimedOut, remaining_seconds, response_reserve, run_within
from events import Envelope, EventError, parse_event
from jobs import CONNECT_TIMEOUT, ClientFactory, Jobs, default_client
from log import DecisionLog, configure, redacted, secrets_of

__all__ = ["RECHECK_VARIABLE", "handle", "handler"]

# Kept back from the Lambda deadline for the last PUT attempt to end (at most a quarter of the
# reserve).
_PUT_MARGIN: Final = 0.25
_MAX_READ_TIMEOUT: Final = 60.0
# Of the work's budget, this share (at most _RETRY_MARGIN seconds) is kept after the last pause
# between two attempts, for that attempt and what follows it.
_RETRY_MARGIN_SHARE: Final = 0.25
_RETRY_MARGIN: Final = 15.0
# Overrides how long a Delete that finds no job looks again (seconds; see ``lifecycle``).
RECHECK_VARIABLE: Final = "INFREC_DELETE_RECHECK_SECONDS"


def handler(event: object, context: object) -> None:
    """Handle one CloudFormation custom-resource event (the Lambda entrypoint)."""
    handle(event, context)


def handle(
    event: object,
    context: object,
    *,
    client_factory: ClientFactory = default_client,
    reserve_seconds: float | None = None,
    put_attempts: int = 5,
    delete_recheck_seconds: float | None = None,
    retry_clock: Callable[[], float] | None = None,
    retry_sleep: Callable[[float], object] | None = None,
) -> None:
    """Handle ``event``; never raise.

    ``client_factory`` builds the SageMaker client, ``reserve_seconds`` overrides the time kept
    back for the answer (10 s or 20 % of what is left), ``delete_recheck_seconds`` how long a
    Delete that finds no job looks again for one a Create still in flight may start, and waits
    for a stopping job to stop (default: ``INFREC_DELETE_RECHECK_SECONDS`` if set, else the
    longest time one SageMaker call may take and the whole budget, see ``lifecycle``),
    ``retry_clock`` and ``retry_sleep`` the time of the pauses between attempts of a throttled
    call: all are there for tests.
    """
    options = _Options(
        client_factory=client_factory,
        reserve_seconds=reserve_seconds,
        put_attempts=put_attempts,
        delete_recheck_seconds=delete_recheck_seconds,
        retry_clock=retry_clock,
        retry_sleep=retry_sleep,
    )
    try:
        _handle(event, context, options)
    except Exception as error:  # noqa: BLE001 (last line of defence: nothing reaches Lambda)
        # The message could quote the event: log only the type.
        _bare_log().decision("handle", "error", level=logging.ERROR, error=type(error).__name__)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class _Options:
    """The knobs of ``handle``."""

    client_factory: ClientFactory
    reserve_seconds: float | None
    put_attempts: int
    delete_recheck_seconds: float | None
    retry_clock: Callable[[], float] | None
    retry_sleep: Callable[[float], object] | None


def _bare_log() -> DecisionLog:
    """Return a log for an event nothing can be read from (every id empty)."""
    return DecisionLog(
        request_type="", request_id="", logical_resource_id="", physical_resource_id=""
    )


def _handle(event: object, context: object, options: _Options) -> None:
    configure()
    started = time.monotonic()
    remaining = remaining_seconds(context)
    if not isinstance(event, Mapping):
        _bare_log().decision("receive", "not-an-object", level=logging.ERROR)
        return
    envelope = Envelope.of(event)
    current = envelope.physical_resource_id
    log = DecisionLog(
        request_type=envelope.request_type,
        request_id=envelope.request_id,
        logical_resource_id=envelope.logical_resource_id,
        physical_resource_id=current,
        job_name=current if envelope.kind.is_name(current) else "",
        secrets=secrets_of(envelope.response_url),
    )
    log.decision("receive", "received", remaining_seconds=round(remaining, 1))
    log.decision("receive", "event", level=logging.DEBUG, event=redacted(event))
    if not envelope.response_url:
        log.decision("receive", "no-response-url", level=logging.ERROR)  # nobody to answer
        return

    reserve = (
        response_reserve(remaining) if options.reserve_seconds is None else options.reserve_seconds
    )
    outcome = _work(event, envelope, remaining - reserve, log, options)
    # The last PUT attempt must end before Lambda stops the invocation.
    deadline = started + remaining - min(_PUT_MARGIN, reserve / 4)
    _respond(envelope, outcome, log, deadline, options.put_attempts)


def _respond(
    envelope: Envelope,
    outcome: lifecycle.Outcome,
    log: DecisionLog,
    deadline: float,
    attempts: int,
) -> None:
    """PUT the outcome to the ResponseURL (bounded retries, ``deadline`` a monotonic time)."""
    log = log.bind(physical_resource_id=outcome.physical_resource_id, job_name=outcome.job_name)
    # CloudFormation shows the reason in its events: no signed URL, no credential there either.
    reason = log.scrub(outcome.reason)
    log.decision("respond", outcome.status, reason=reason)
    response = CfnResponse(
        status=outcome.status,
        reason=reason,
        physical_resource_id=outcome.physical_resource_id,
        stack_id=envelope.stack_id,
        request_id=envelope.request_id,
        logical_resource_id=envelope.logical_resource_id,
        data=outcome.data,
    )
    delivery = send(
        envelope.response_url, encode(response), deadline=deadline, log=log, attempts=attempts
    )
    if not delivery.delivered:
        log.decision(
            "respond",
            "undelivered",
            level=logging.ERROR,
            attempts=delivery.attempts,
            error=delivery.detail,
        )


def _work(
    event: Mapping[str, object],
    envelope: Envelope,
    budget: float,
    log: DecisionLog,
    options: _Options,
) -> lifecycle.Outcome:
    """Decide and act in a worker thread within ``budget`` seconds; return the outcome."""
    try:
        parsed = parse_event(event)
    except EventError as error:
        return lifecycle.invalid_event(envelope, error, log)
    progress = lifecycle.initial_progress(parsed)
    cancelled = threading.Event()
    read_timeout = max(1.0, min(_MAX_READ_TIMEOUT, budget))
    # A Create call still in flight lands within one attempt of one call: that long, at most.
    # A stopping job is waited for as long as the budget allows (None), unless told otherwise.
    told = options.delete_recheck_seconds
    if told is None:
        told = _seconds_from(os.environ.get(RECHECK_VARIABLE), math.nan)
    window = CONNECT_TIMEOUT + read_timeout if math.isnan(told) else told
    stop_window = None if math.isnan(told) else told
    recheck = lifecycle.Recheck.within(window, budget, stop_window, sleep=cancelled.wait)
    factory = options.client_factory
    backoff = Backoff.within(
        budget - min(_RETRY_MARGIN, _RETRY_MARGIN_SHARE * budget),
        clock=options.retry_clock or time.monotonic,
        sleep=options.retry_sleep or cancelled.wait,
    )

    def retried(operation: str, reason: str, attempt: int, pause: float) -> None:
        log.decision("retry", reason, operation=operation, attempt=attempt, seconds=round(pause, 2))

    def jobs() -> Jobs:
        client = factory(read_timeout)
        return Jobs(client, cancelled, backoff=backoff, on_retry=retried, kind=parsed.kind)

    result = run_within(lambda: lifecycle.run_guarded(parsed, jobs, progress, log, recheck), budget)
    if isinstance(result, TimedOut):
        cancelled.set()  # a call still under way must not be followed by another
        return lifecycle.timed_out(parsed, progress, budget, log)
    return result


def _seconds_from(text: str | None, default: float) -> float:
    """Return ``text`` as a number of seconds (>= 0), or ``default`` if it is none."""
    try:
        seconds = float(text) if text else default
    except ValueError:
        return default
    return seconds if math.isfinite(seconds) and seconds >= 0 else default
