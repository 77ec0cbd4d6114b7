"""The answer to CloudFormation: a JSON PUT to the pre-signed ResponseURL, under 4096 bytes.

The body is bounded whatever happens (a long ``Reason`` is cut and marked); the PUT is retried on
connection errors and 5xx answers with jittered, doubling waits, never past the deadline.
"""

from __future__ import annotations

import dataclasses
import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Final, Literal

from log import DecisionLog

__all__ = ["MAX_BODY_BYTES", "CfnResponse", "Delivery", "Status", "encode", "send"]

Status = Literal["SUCCESS", "FAILED"]

# CloudFormation rejects larger response bodies; stay clear of the limit.
MAX_BODY_BYTES: Final = 4096
_BODY_BUDGET: Final = MAX_BODY_BYTES - 96
_TRUNCATED: Final = " [... truncated]"
# CloudFormation caps physical ids at 1 KB; the echoed event fields are far shorter in practice,
# clipped here so that the body fits even for a garbled event.
_MAX_ID: Final = 1024
_MAX_FIELD: Final = 512
_MAX_WAIT: Final = 8.0
_MIN_TIMEOUT: Final = 0.5
_HTTP_SERVER_ERROR: Final = 500


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CfnResponse:
    """One response to one CloudFormation request."""

    status: Status
    reason: str
    physical_resource_id: str
    stack_id: str
    request_id: str
    logical_resource_id: str
    data: Mapping[str, str] = dataclasses.field(default_factory=dict)


def _document(response: CfnResponse, reason: str) -> dict[str, object]:
    return {
        "Status": response.status,
        "Reason": reason,
        "PhysicalResourceId": response.physical_resource_id[:_MAX_ID],
        "StackId": response.stack_id[:_MAX_FIELD],
        "RequestId": response.request_id[:_MAX_FIELD],
        "LogicalResourceId": response.logical_resource_id[:_MAX_FIELD],
        "NoEcho": False,
        "Data": {key[:_MAX_FIELD]: value[:_MAX_FIELD] for key, value in response.data.items()},
    }


def encode(response: CfnResponse, limit: int = _BODY_BUDGET) -> bytes:
    """Return the JSON body, at most ``limit`` bytes, cutting ``Reason`` (marked) if it must."""
    body = json.dumps(_document(response, response.reason)).encode()
    if len(body) <= limit:
        return body
    # Keep the longest start of the reason that fits; each character takes at least one byte.
    low, high = 0, min(len(response.reason), limit)
    best = json.dumps(_document(response, _TRUNCATED.strip())).encode()
    while low <= high:
        keep = (low + high) // 2
        candidate = json.dumps(_document(response, response.reason[:keep] + _TRUNCATED)).encode()
        if len(candidate) <= limit:
            best, low = candidate, keep + 1
        else:
            high = keep - 1
    return best


@dataclasses.dataclass(frozen=True, slots=True)
class Delivery:
    """How the PUT went: delivered or not, after how many attempts, last HTTP status or error."""

    delivered: bool
    attempts: int
    detail: str


Opener = Callable[[urllib.request.Request, float], int]


def _put(request: urllib.request.Request, timeout: float) -> int:
    # The scheme is checked in ``send``: only https (and http for local tests) get here.
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
        status: int = answer.status
        return status


def send(
    url: str,
    body: bytes,
    *,
    deadline: float,
    log: DecisionLog,
    attempts: int = 5,
    opener: Opener = _put,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """PUT ``body`` to ``url`` with bounded retries; ``deadline`` is a ``clock()`` value."""
    if urllib.parse.urlsplit(url).scheme not in {"https", "http"}:
        log.decision("respond", "invalid-url")
        return Delivery(delivered=False, attempts=0, detail="ResponseURL is not an http(s) URL")
    wait = 0.25
    detail = ""
    for attempt in range(1, attempts + 1):
        # The first attempt is made even late: an answer that may arrive beats none.
        left = max(deadline - clock(), _MIN_TIMEOUT if attempt == 1 else 0.0)
        if left <= 0:
            return Delivery(delivered=False, attempts=attempt - 1, detail=detail)
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url,
            data=body,
            method="PUT",
            # The pre-signed URL is signed for an empty content type.
            headers={"Content-Type": "", "Content-Length": str(len(body))},
        )
        retry = True
        try:
            status = opener(request, min(10.0, left))
        except urllib.error.HTTPError as error:
            status = error.code
            retry = status >= _HTTP_SERVER_ERROR
            detail = f"HTTP {status}"
        except (OSError, urllib.error.URLError) as error:
            detail = log.scrub(f"{type(error).__name__}: {error}")
        else:
            log.decision("respond", "delivered", attempt=attempt, http_status=status)
            return Delivery(delivered=True, attempts=attempt, detail=f"HTTP {status}")
        if not retry:
            log.decision("respond", "rejected", attempt=attempt, error=detail)
            return Delivery(delivered=False, attempts=attempt, detail=detail)
        pause = random.uniform(wait / 2, wait)  # noqa: S311 (jitter, not cryptography)
        if attempt == attempts or clock() + pause >= deadline:
            log.decision("respond", "failed", attempt=attempt, error=detail)  # no retry follows
            return Delivery(delivered=False, attempts=attempt, detail=detail)
        log.decision("respond", "retry", attempt=attempt, error=detail)
        sleep(pause)
        wait = min(wait * 2, _MAX_WAIT)
    return Delivery(delivered=False, attempts=attempts, detail=detail)
