"""A local stand-in for CloudFormation's pre-signed S3 response URL.

Custom-resource handlers ``PUT`` their JSON answer to ``receiver.url(request_id)``. The receiver
checks what CloudFormation checks (size, fields, Status, Reason on FAILED, string-valued Data) and
records every attempt, so tests can assert on the answer, its rejection or the retries.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import threading
import urllib.parse
from typing import Any, Final, Literal

from tests.fakes.loopback import HttpReply, HttpRequest, LoopbackService

__all__ = ["MAX_BODY_BYTES", "CfnResponseReceiver", "ReceivedResponse", "problems_with"]

MAX_BODY_BYTES: Final = 4096
MAX_PHYSICAL_ID: Final = 1024
_PREFIX: Final = "/cfn-response/"
_REQUIRED: Final = ("StackId", "RequestId", "LogicalResourceId", "PhysicalResourceId")

Outcome = Literal["accepted", "rejected", "failed", "hung"]


@dataclasses.dataclass(frozen=True)
class ReceivedResponse:
    """One PUT: what came in and what the receiver made of it."""

    request_id: str
    raw: bytes
    headers: dict[str, str]
    outcome: Outcome
    problems: tuple[str, ...] = ()
    body: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def status(self) -> str:
        """``SUCCESS`` or ``FAILED`` (empty if the body had none)."""
        return str(self.body.get("Status", ""))

    @property
    def reason(self) -> str:
        """The ``Reason`` (empty if absent)."""
        return str(self.body.get("Reason", ""))

    @property
    def data(self) -> dict[str, Any]:
        """The ``Data`` object (empty if absent)."""
        data = self.body.get("Data")
        return data if isinstance(data, dict) else {}


def problems_with(body: bytes, request_id: str) -> tuple[list[str], dict[str, Any]]:
    """What CloudFormation would reject in ``body``, and the body parsed (empty if not JSON)."""
    if len(body) > MAX_BODY_BYTES:
        return [f"body is {len(body)} bytes, over the {MAX_BODY_BYTES}-byte limit"], {}
    try:
        document = json.loads(body)
    except ValueError:
        return ["body is not JSON"], {}
    if not isinstance(document, dict):
        return ["body is not a JSON object"], {}
    problems = [
        f"{key} is missing or empty"
        for key in _REQUIRED
        if not isinstance(document.get(key), str) or not document[key]
    ]
    if document.get("Status") not in {"SUCCESS", "FAILED"}:
        problems.append(f"Status {document.get('Status')!r} is not SUCCESS or FAILED")
    if len(str(document.get("PhysicalResourceId", ""))) > MAX_PHYSICAL_ID:
        problems.append(f"PhysicalResourceId is longer than {MAX_PHYSICAL_ID} characters")
    if document.get("RequestId") not in {None, "", request_id}:
        problems.append(f"RequestId {document['RequestId']!r} does not match the URL's")
    data = document.get("Data")
    if data is not None and (
        not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values())
    ):
        problems.append("Data is not an object of string values")
    reason = document.get("Reason")
    if document.get("Status") == "FAILED" and (not isinstance(reason, str) or not reason):
        problems.append("Reason is required when Status is FAILED")
    return problems, document


class CfnResponseReceiver(LoopbackService):
    """HTTP server on 127.0.0.1 that receives and checks custom-resource responses."""

    def __init__(self) -> None:
        """Create a stopped receiver with a fresh secret signature."""
        self.signature = f"SECRET-{secrets.token_hex(16)}"
        self.received: list[ReceivedResponse] = []
        self._lock = threading.Lock()
        self._failures: list[int] = []
        self._hangs = 0
        super().__init__()

    # -- for tests -----------------------------------------------------------------------------

    def url(self, request_id: str) -> str:
        """The pre-signed-looking ResponseURL for ``request_id`` (carries the secret)."""
        query = urllib.parse.urlencode({"X-Amz-Signature": self.signature, "X-Amz-Expires": 7200})
        return f"{self._server.base_url}{_PREFIX}{urllib.parse.quote(request_id, safe='')}?{query}"

    @property
    def responses(self) -> list[ReceivedResponse]:
        """Accepted responses, in arrival order."""
        return self._with("accepted")

    @property
    def rejected(self) -> list[ReceivedResponse]:
        """Responses answered 400 or 403 because CloudFormation would refuse them."""
        return self._with("rejected")

    def response_for(self, request_id: str) -> ReceivedResponse:
        """The last accepted response for ``request_id``; AssertionError if there is none."""
        found = [item for item in self.responses if item.request_id == request_id]
        if not found:
            raise AssertionError(
                f"no accepted response for request {request_id!r}; "
                f"received {[(r.request_id, r.outcome, r.problems) for r in self.received]}"
            )
        return found[-1]

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next ``count`` PUTs with HTTP ``status`` (nothing is stored)."""
        with self._lock:
            self._failures.extend([status] * count)

    def hang_next(self, count: int) -> None:
        """Leave the next ``count`` PUTs unanswered until the receiver stops."""
        with self._lock:
            self._hangs += count

    def _with(self, outcome: Outcome) -> list[ReceivedResponse]:
        with self._lock:
            return [item for item in self.received if item.outcome == outcome]

    # -- HTTP ----------------------------------------------------------------------------------

    def _respond(self, request: HttpRequest) -> HttpReply | None:
        url = urllib.parse.urlsplit(request.path)
        request_id = urllib.parse.unquote(url.path.removeprefix(_PREFIX))
        with self._lock:
            hang = self._hangs > 0
            self._hangs = max(0, self._hangs - 1)
            failure = self._failures.pop(0) if self._failures and not hang else None
        if hang:
            self._record(request, request_id, "hung")
            self._server.stopping.wait()
            return None
        if failure is not None:
            self._record(request, request_id, "failed")
            return HttpReply(failure, b"injected failure")
        status, problems, body = self._check(request, url, request_id)
        self._record(request, request_id, "rejected" if problems else "accepted", problems, body)
        return HttpReply(status, "; ".join(problems).encode())

    def _check(
        self, request: HttpRequest, url: urllib.parse.SplitResult, request_id: str
    ) -> tuple[int, list[str], dict[str, Any]]:
        query = urllib.parse.parse_qs(url.query)
        if request.method != "PUT" or not url.path.startswith(_PREFIX) or not request_id:
            return 400, [f"{request.method} {url.path} is not a PUT to a response URL"], {}
        if query.get("X-Amz-Signature") != [self.signature]:
            return 403, ["SignatureDoesNotMatch: the URL's signature was altered"], {}
        problems, body = problems_with(request.body, request_id)
        return (400 if problems else 200), problems, body

    def _record(
        self,
        request: HttpRequest,
        request_id: str,
        outcome: Outcome,
        problems: list[str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        item = ReceivedResponse(
            request_id=request_id,
            raw=request.body,
            headers=request.headers,
            outcome=outcome,
            problems=tuple(problems or ()),
            body=body or {},
        )
        with self._lock:
            self.received.append(item)
