"""The stack's shared poll: one EventBridge rule follows every wait of the stack.

The stack's poll rule (one per poll interval) invokes this with
``{"StackId", "RuleName", "Conditions": [logical ids of the stack's wait conditions]}``. A rule
per job cost two resources and two policy statements a job; the shared rule costs none. Each
invocation:

1. lists the stack's resources (``ListStackResources``, every page) for the conditions' status;
2. for each listed condition CloudFormation is creating (``CREATE_IN_PROGRESS``), reads what it
   waits for from its ``Metadata`` (``DescribeStackResource``, once per creation of the
   condition and execution environment: see ``_MetadataCache``): the job's name, its ``Kind`` (the
   job's resource type, e.g. ``Custom::AIRecommendationJob``; absent for the classic job) and the
   wait handle's URL, which CloudFormation resolved from ``Fn::GetAtt``/``Ref`` — as it resolves the
   ``AWS::CloudFormation::Init`` metadata cfn-init reads the same way — and polls that job as
   ``poll`` does: once it ended, signal the wait and publish the completion event once;
3. disables the rule once no listed condition is waiting or still to come (not created yet:
   a paced job, or one whose job resource is still being created).

The list changes with every new wait (a fresh condition per request), so the stack update that
adds one updates the rule, and an update puts back the rule's template state, ENABLED
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html). A condition
that ended is never polled again: its status says so, without a call to SageMaker.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

from aws import Clients, ClientsFactory, Pacing, default_clients
from botocore.exceptions import BotoCoreError, ClientError
from deadline import remaining_seconds
from log import DecisionLog, configure
from poll import PollRequest, error_text, job_log, poll_job, settle

__all__ = ["METADATA_KEY", "SweepRequest", "handle", "is_sweep"]

# The key of a wait condition's Metadata that says what it waits for (infrec_cdk/_waiting.py).
METADATA_KEY: Final = "infrec-cdk:wait"
_WAITING: Final = "CREATE_IN_PROGRESS"
_MAX_PAGES: Final = 20  # 100 resources a page: CloudFormation's 500 and more


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SweepRequest:
    """What the shared rule's input tells the sweep."""

    stack_id: str
    rule_name: str
    conditions: tuple[str, ...]

    @classmethod
    def parse(cls, event: object) -> SweepRequest:
        """Read the rule's input; raise ``ValueError`` naming what is missing."""
        if not isinstance(event, Mapping):
            raise ValueError("the poll event is not an object")  # noqa: TRY004 (one error type)
        stack_id, rule_name = event.get("StackId"), event.get("RuleName")
        conditions = event.get("Conditions")
        if not isinstance(stack_id, str) or not stack_id:
            raise ValueError("the poll event has no StackId")
        if not isinstance(rule_name, str) or not rule_name:
            raise ValueError("the poll event has no RuleName")
        if not isinstance(conditions, list) or not all(isinstance(c, str) for c in conditions):
            raise ValueError("the poll event's Conditions is not a list of logical ids")
        return cls(stack_id=stack_id, rule_name=rule_name, conditions=tuple(conditions))


def is_sweep(event: object) -> bool:
    """Whether ``event`` comes from a stack's shared poll rule (not a job's own, older rule)."""
    return isinstance(event, Mapping) and "Conditions" in event


@dataclasses.dataclass(frozen=True, slots=True)
class _Listed:
    """A resource as ``ListStackResources`` shows it: its status, and when that last changed."""

    status: str
    updated: str


class _MetadataCache:
    """What each wait condition waits for, read once per creation of the condition.

    CloudFormation resolves a resource's Metadata when it creates the resource, and a stack
    operation creating a condition does not also update it; a condition created again (after a
    rollback, in a later operation) starts with a new status and so a new
    ``LastUpdatedTimestamp`` ("Time the status was updated":
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackResourceSummary.html).
    Not run against AWS (README "Known limits"); a listing without the timestamp reads every time.
    Keyed by stack, condition and that time, a read stays right for as long as the condition
    waits; a poll reuses it while Lambda reuses the execution environment ("Take advantage of
    execution environment reuse": https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html),
    and one ``DescribeStackResource`` per waiting job and minute becomes one per wait.
    """

    _MAX_ENTRIES: Final = 1024  # conditions: 500 resources a stack, a few stacks a function

    def __init__(self) -> None:
        self._entries: collections.OrderedDict[tuple[str, str, str], dict[str, Any]] = (
            collections.OrderedDict()
        )
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> dict[str, Any] | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: tuple[str, str, str], wait: dict[str, Any]) -> None:
        with self._lock:
            self._entries[key] = wait
            while len(self._entries) > self._MAX_ENTRIES:
                self._entries.popitem(last=False)


_METADATA: Final = _MetadataCache()


def _statuses(clients: Clients, stack_id: str) -> dict[str, _Listed]:
    """Return each resource's status in the stack, and when it last changed, by logical id."""
    statuses: dict[str, _Listed] = {}
    token = None
    for _ in range(_MAX_PAGES):
        params: dict[str, Any] = {"StackName": stack_id}
        if token:
            params["NextToken"] = token
        page = clients.cloudformation.list_stack_resources(**params)
        for summary in page.get("StackResourceSummaries", []):
            statuses[str(summary["LogicalResourceId"])] = _Listed(
                str(summary["ResourceStatus"]), str(summary.get("LastUpdatedTimestamp", ""))
            )
        token = page.get("NextToken")
        if not token:
            break
    return statuses


def _waited_for(
    clients: Clients, request: SweepRequest, condition: str, updated: str
) -> PollRequest:
    """Read what ``condition`` waits for from its Metadata; raise ``ValueError`` if it says not.

    ``updated`` is the condition's ``LastUpdatedTimestamp``: a condition read before with the
    same one is not read again (``_MetadataCache``).
    """
    key = (request.stack_id, condition, updated)
    wait = _METADATA.get(key) if updated else None
    if wait is None:
        detail = clients.cloudformation.describe_stack_resource(
            StackName=request.stack_id, LogicalResourceId=condition
        )["StackResourceDetail"]
        metadata = json.loads(detail.get("Metadata") or "{}")
        found = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
        if not isinstance(found, dict):
            raise ValueError(f"{condition} has no {METADATA_KEY} metadata")
        wait = found
        if updated:
            _METADATA.put(key, wait)
    return PollRequest.parse(
        {
            "JobName": wait.get("JobName"),
            "SignalUrl": wait.get("SignalUrl"),
            "RuleName": request.rule_name,
            "StackId": request.stack_id,
            "LogicalResourceId": wait.get("LogicalResourceId", ""),
            # The resource type of the job (lambda/kinds.py); absent in the metadata of waits
            # deployed by earlier versions: the classic recommendation job.
            "Kind": wait.get("Kind"),
        }
    )


def handle(
    event: object,
    context: object,
    *,
    clients: ClientsFactory = default_clients,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    jitter: Callable[[], float] = random.random,
) -> None:
    """Poll every wait the stack is waiting on; disable the rule once none is left; never raise."""
    configure()
    started = clock()
    remaining = remaining_seconds(context)
    request_id = str(getattr(context, "aws_request_id", ""))
    sweep_log = DecisionLog(
        request_type="Poll", request_id=request_id, logical_resource_id="", physical_resource_id=""
    )
    try:
        request = SweepRequest.parse(event)
    except ValueError as error:
        sweep_log.decision("sweep", "invalid-event", error=str(error))
        return
    deadline = started + max(1.0, remaining - 2.0)
    pacing = Pacing(deadline=deadline, clock=clock, sleep=sleep, jitter=jitter)
    aws = clients(min(20.0, max(1.0, remaining / 3)), pacing)
    try:
        statuses = _statuses(aws, request.stack_id)
    except (ClientError, BotoCoreError) as error:
        sweep_log.decision("sweep", "error", error=error_text(error))
        return
    to_come = [c for c in request.conditions if c not in statuses]
    waiting = [c for c in request.conditions if c in statuses and statuses[c].status == _WAITING]
    for condition in waiting:
        _poll_one(
            aws,
            request,
            condition,
            statuses[condition].updated,
            request_id=request_id,
            deadline=deadline,
            clock=clock,
            sleep=sleep,
            sweep_log=sweep_log,
        )
    if to_come or waiting:
        sweep_log.decision("sweep", "polled", waiting=len(waiting), to_come=len(to_come))
        return
    try:
        aws.events.disable_rule(Name=request.rule_name)
    except (ClientError, BotoCoreError) as error:
        sweep_log.decision("sweep", "error", error=error_text(error))
        return
    sweep_log.decision("sweep", "idle")


def _poll_one(
    aws: Clients,
    request: SweepRequest,
    condition: str,
    updated: str,
    *,
    request_id: str,
    deadline: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    sweep_log: DecisionLog,
) -> None:
    """Poll the job ``condition`` waits for; signal and announce it once it ended."""
    try:
        one = _waited_for(aws, request, condition, updated)
    except (ClientError, BotoCoreError, ValueError, KeyError) as error:
        sweep_log.decision("sweep", "unreadable", condition=condition, error=str(error))
        return
    poll_job(
        one,
        aws,
        job_log(one, request_id),
        deadline=deadline,
        clock=clock,
        sleep=sleep,
        announce=settle,
    )
