"""The CloudFormation API of a ``LocalCloudFormation`` stack, as the waiter's sweep reads it.

Serves ``ListStackResources`` and ``DescribeStackResource`` over HTTP in CloudFormation's query
protocol (form-encoded requests, XML answers), so the Lambda code talks to it through a real
boto3 client (``AWS_ENDPOINT_URL_CLOUDFORMATION``), whose botocore model checks the request and
parses the answer as it would AWS's. The answers' members are those of botocore's
``StackResourceSummary`` and ``StackResourceDetail`` shapes that the model requires, plus
``PhysicalResourceId`` and ``Metadata`` (a JSON string, with its references resolved, as
CloudFormation returns a resource's metadata).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import urllib.parse
import uuid
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from tests.fakes.loopback import HttpReply, HttpRequest, LoopbackService
from tests.harness.resolve import STACK_ID, STACK_NAME

__all__ = ["StackApi", "StackResource", "status_timestamp"]

_NAMESPACE = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
_EPOCH = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
_TICKS = itertools.count(1)


def status_timestamp() -> str:
    """A ``LastUpdatedTimestamp`` no other status change of this process has had.

    CloudFormation sets it whenever a resource's status changes ("Time the status was updated"),
    so a resource created again is told apart by it; these are a microsecond apart.
    """
    return (_EPOCH + dt.timedelta(microseconds=next(_TICKS))).isoformat(timespec="microseconds")


@dataclasses.dataclass(frozen=True)
class StackResource:
    """One resource of the stack as the API reports it (``last_updated``: its status's time)."""

    logical_id: str
    physical_id: str
    type: str
    status: str
    metadata: dict[str, Any] | None = None
    last_updated: str = dataclasses.field(default_factory=status_timestamp)


def _element(name: str, value: object) -> str:
    return f"<{name}>{escape(str(value))}</{name}>"


def _answer(action: str, result: str) -> HttpReply:
    body = (
        f'<{action}Response xmlns="{_NAMESPACE}"><{action}Result>{result}</{action}Result>'
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
        f"</{action}Response>"
    )
    return HttpReply(200, body.encode(), {"Content-Type": "text/xml"})


def _error(code: str, message: str) -> HttpReply:
    body = (
        f'<ErrorResponse xmlns="{_NAMESPACE}"><Error><Type>Sender</Type>'
        f"{_element('Code', code)}{_element('Message', message)}</Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return HttpReply(400, body.encode(), {"Content-Type": "text/xml"})


class StackApi(LoopbackService):
    """The stack's resources over HTTP; ``resources()`` says what the stack holds right now."""

    def __init__(self, resources: Callable[[], list[StackResource]]) -> None:
        super().__init__()
        self._resources = resources
        self.calls: list[str] = []

    @property
    def url(self) -> str:
        """The endpoint URL for ``AWS_ENDPOINT_URL_CLOUDFORMATION``."""
        return self._server.base_url

    def _respond(self, request: HttpRequest) -> HttpReply | None:
        params = {k: v[0] for k, v in urllib.parse.parse_qs(request.body.decode()).items()}
        action = params.get("Action", "")
        self.calls.append(action)
        if params.get("StackName") not in {STACK_ID, STACK_NAME}:
            return _error(
                "ValidationError", f"Stack with id {params.get('StackName')} does not exist"
            )
        resources = {r.logical_id: r for r in self._resources()}
        if action == "ListStackResources":
            members = "".join(
                "<member>"
                + _element("LogicalResourceId", r.logical_id)
                + _element("PhysicalResourceId", r.physical_id)
                + _element("ResourceType", r.type)
                + _element("LastUpdatedTimestamp", r.last_updated)
                + _element("ResourceStatus", r.status)
                + "</member>"
                for r in resources.values()
            )
            return _answer(action, f"<StackResourceSummaries>{members}</StackResourceSummaries>")
        if action == "DescribeStackResource":
            found = resources.get(params.get("LogicalResourceId", ""))
            if found is None:
                return _error(
                    "ValidationError",
                    f"Resource {params.get('LogicalResourceId')} does not exist for stack "
                    f"{STACK_NAME}",
                )
            detail = (
                _element("StackName", STACK_NAME)
                + _element("StackId", STACK_ID)
                + _element("LogicalResourceId", found.logical_id)
                + _element("PhysicalResourceId", found.physical_id)
                + _element("ResourceType", found.type)
                + _element("LastUpdatedTimestamp", found.last_updated)
                + _element("ResourceStatus", found.status)
                + (
                    ""
                    if found.metadata is None
                    else _element("Metadata", json.dumps(found.metadata))
                )
            )
            return _answer(action, f"<StackResourceDetail>{detail}</StackResourceDetail>")
        return _error("InvalidAction", f"the local CloudFormation does not serve {action}")
