"""CloudFormation events and a Lambda context for driving the handler as CloudFormation would.

Shared by the handler's end-to-end, fault-matrix and observability tests. ``run`` keeps the
Delete's look for a late job (``delete_recheck_seconds``) short so that the suite stays fast.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

import handler as handler_module
import names
from jobs import ClientFactory, default_client

from tests.fakes.cfn_receiver import CfnResponseReceiver, ReceivedResponse
from tests.harness.deploy import LambdaContext

__all__ = [
    "LOGICAL_ID",
    "PACKAGE",
    "PREFIX",
    "RECHECK_SECONDS",
    "REQUEST",
    "ROLE",
    "STACK",
    "Json",
    "LambdaContext",
    "VirtualTime",
    "changed_request",
    "create",
    "delete",
    "event",
    "generated_name",
    "properties",
    "run",
    "update",
]

Json = dict[str, Any]

STACK = (
    "arn:aws:cloudformation:us-east-1:123456789012:stack/app/1f6f0f6e-7a7b-11ef-8d3c-0a1b2c3d4e5f"
)
LOGICAL_ID = "RightSizeJob1A2B3C4D"
PREFIX = "app-1f6f-rightsiz"
ROLE = "arn:aws:iam::123456789012:role/app-JobRole-1ABCDEF"
PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/bert/3"
# How long a Delete that finds no job looks again, in these tests (the handler's default is
# about a minute).
RECHECK_SECONDS = 0.2

# An Advanced request as CloudFormation delivers it: every scalar a string.
REQUEST: Json = {
    "JobType": "Advanced",
    "RoleArn": ROLE,
    "InputConfig": {
        "ModelPackageVersionArn": PACKAGE,
        "JobDurationInSeconds": "7200",
        "TrafficPattern": {
            "TrafficType": "PHASES",
            "Phases": [{"InitialNumberOfUsers": "1", "SpawnRate": "1", "DurationInSeconds": "120"}],
        },
        "ResourceLimit": {"MaxNumberOfTests": "2", "MaxParallelOfTests": "1"},
        "EndpointConfigurations": [
            {"InstanceType": "ml.g5.xlarge"},
            {"ServerlessConfig": {"MemorySizeInMB": "2048", "MaxConcurrency": "5"}},
        ],
    },
    "StoppingConditions": {
        "MaxInvocations": "300",
        "ModelLatencyThresholds": [{"Percentile": "P95", "ValueInMilliseconds": "100"}],
    },
    "Tags": [{"Key": "team", "Value": "ml"}],
}


def properties(request: Json, prefix: str = PREFIX) -> Json:
    """The resource properties the construct synthesizes."""
    return {
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:app-Handler",
        "Request": request,
        "JobNamePrefix": prefix,
    }


def event(
    receiver: CfnResponseReceiver,
    request_type: str,
    *,
    request: Json | None = None,
    request_id: str | None = None,
    **extra: Any,
) -> Json:
    """A custom-resource event whose ResponseURL points at ``receiver``."""
    request_id = request_id or str(uuid.uuid4())
    built = {
        "RequestType": request_type,
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:app-Handler",
        "ResponseURL": receiver.url(request_id),
        "StackId": STACK,
        "RequestId": request_id,
        "LogicalResourceId": LOGICAL_ID,
        "ResourceType": "Custom::InferenceRecommendationsJob",
        "ResourceProperties": properties(copy.deepcopy(REQUEST) if request is None else request),
    }
    built.update(extra)
    return built


def update(
    receiver: CfnResponseReceiver, physical_id: str, request: Json, old_request: Json | None = None
) -> Json:
    """An Update of ``physical_id`` from ``old_request`` (default ``REQUEST``) to ``request``."""
    old = copy.deepcopy(REQUEST) if old_request is None else old_request
    return event(
        receiver,
        "Update",
        request=request,
        PhysicalResourceId=physical_id,
        OldResourceProperties=properties(old),
    )


def delete(receiver: CfnResponseReceiver, physical_id: str) -> Json:
    """The Delete CloudFormation sends for ``physical_id`` (on stack delete or rollback)."""
    return event(receiver, "Delete", PhysicalResourceId=physical_id)


def run(
    receiver: CfnResponseReceiver,
    sent: Json,
    seconds: float = 120.0,
    *,
    reserve_seconds: float | None = None,
    delete_recheck_seconds: float = RECHECK_SECONDS,
    client_factory: ClientFactory = default_client,
) -> ReceivedResponse:
    """Invoke the handler with ``seconds`` left; return the answer CloudFormation accepted.

    The handler's pauses between attempts of a throttled or denied call pass on a virtual
    clock, at once (``tests/test_handler_retries.py`` tests them).
    """
    virtual = VirtualTime()
    handler_module.handle(
        sent,
        LambdaContext(seconds),
        client_factory=client_factory,
        reserve_seconds=reserve_seconds,
        delete_recheck_seconds=delete_recheck_seconds,
        retry_clock=virtual.clock,
        retry_sleep=virtual.sleep,
    )
    return receiver.response_for(sent["RequestId"])


class VirtualTime:
    """A clock that moves only when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def clock(self) -> float:
        """The virtual time, in seconds."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass at once."""
        self.pauses.append(seconds)
        self.now += seconds


def create(receiver: CfnResponseReceiver, request: Json | None = None) -> ReceivedResponse:
    """Create the resource (default request ``REQUEST``); return the answer."""
    return run(receiver, event(receiver, "Create", request=request))


def changed_request(**input_changes: str) -> Json:
    """``REQUEST`` with some ``InputConfig`` members changed."""
    request = copy.deepcopy(REQUEST)
    request["InputConfig"].update(input_changes)
    return request


def generated_name(sent: Json, prefix: str = PREFIX) -> str:
    """The job name the handler generates for the request ``sent``."""
    digest = names.request_digest(sent["StackId"], sent["LogicalResourceId"], sent["RequestId"])
    return names.generated_name(prefix, digest)
