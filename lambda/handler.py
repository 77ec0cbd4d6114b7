"""Lambda entrypoint of ``Custom::InferenceRecommendationsJob``: parse, work, answer once, in time.

Nothing escapes ``handler``: a malformed event, a SageMaker error or a SageMaker that hangs all end
in one FAILED answer with a reason, PUT to the ResponseURL before Lambda's deadline.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Final

import lifecycle
from cfn_response import CfnResponse, encode, send
from deadline import TimedOut, remaining_seconds, response_reserve, run_within
from events import Envelope, EventError, parse_event
from jobs import ClientFactory, Jobs, default_client
from log import LOGGER, DecisionLog, configure, redacted, secrets_of

__all__ = ["handle", "handler"]

# Kept back from the Lambda deadline for the last PUT attempt to end (at most a quarter of the
# reserve).
_PUT_MARGIN: Final = 0.25
_MAX_READ_TIMEOUT: Final = 60.0


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
) -> None:
    """Handle ``event``; never raise.

    ``client_factory`` builds the SageMaker client, ``reserve_seconds`` overrides the time kept
    back for the answer (10 s or 20 % of what is left): both are there for tests.
    """
    try:
        _handle(event, context, client_factory, reserve_seconds, put_attempts)
    except Exception as error:  # noqa: BLE001 (last line of defence: nothing reaches Lambda)
        # The message could quote the event: log only the type.
        LOGGER.error(
            '{"action": "handle", "outcome": "error", "error": "%s"}', type(error).__name__
        )


def _handle(
    event: object,
    context: object,
    client_factory: ClientFactory,
    reserve_seconds: float | None,
    put_attempts: int,
) -> None:
    configure()
    started = time.monotonic()
    remaining = remaining_seconds(context)
    if not isinstance(event, Mapping):
        LOGGER.error('{"action": "receive", "outcome": "not-an-object"}')
        return
    envelope = Envelope.of(event)
    log = DecisionLog(
        request_type=envelope.request_type,
        request_id=envelope.request_id,
        logical_resource_id=envelope.logical_resource_id,
        physical_resource_id=envelope.physical_resource_id,
        secrets=secrets_of(envelope.response_url),
    )
    log.decision("receive", "received", remaining_seconds=round(remaining, 1))
    log.decision("receive", "event", level=logging.DEBUG, event=redacted(event))
    if not envelope.response_url:
        log.decision("receive", "no-response-url", level=logging.ERROR)  # nobody to answer
        return

    reserve = response_reserve(remaining) if reserve_seconds is None else reserve_seconds
    outcome = _work(event, envelope, client_factory, remaining - reserve, log)
    # The last PUT attempt must end before Lambda stops the invocation.
    deadline = started + remaining - min(_PUT_MARGIN, reserve / 4)
    _respond(envelope, outcome, log, deadline, put_attempts)


def _respond(
    envelope: Envelope,
    outcome: lifecycle.Outcome,
    log: DecisionLog,
    deadline: float,
    attempts: int,
) -> None:
    """PUT the outcome to the ResponseURL (bounded retries, ``deadline`` a monotonic time)."""
    log = log.bind(physical_resource_id=outcome.physical_resource_id, job_name=outcome.job_name)
    log.decision("respond", outcome.status, reason=outcome.reason)
    response = CfnResponse(
        status=outcome.status,
        reason=outcome.reason,
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
    client_factory: ClientFactory,
    budget: float,
    log: DecisionLog,
) -> lifecycle.Outcome:
    """Decide and act in a worker thread within ``budget`` seconds; return the outcome."""
    try:
        parsed = parse_event(event)
    except EventError as error:
        return lifecycle.invalid_event(envelope, error, log)
    progress = lifecycle.initial_progress(parsed)
    cancelled = threading.Event()
    read_timeout = max(1.0, min(_MAX_READ_TIMEOUT, budget))
    result = run_within(
        lambda: lifecycle.run_guarded(
            parsed, lambda: Jobs(client_factory(read_timeout), cancelled), progress, log
        ),
        budget,
    )
    if isinstance(result, TimedOut):
        cancelled.set()  # a call still under way must not be followed by another
        return lifecycle.timed_out(parsed, progress, budget, log)
    return result
