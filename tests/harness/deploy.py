"""A local CloudFormation: deploys a synthesized template against the fakes, as AWS would.

``LocalCloudFormation`` walks a template's resources in dependency order and

- invokes the stack's own Lambda handlers (from ``lambda/``) for every custom resource, with the
  events CloudFormation sends (``ResponseURL``, ``RequestId``, stringified properties,
  ``OldResourceProperties`` and ``PhysicalResourceId`` on Update and Delete) and reads their
  answers from a ``CfnResponseReceiver``;
- follows CloudFormation's rules on answers: a new physical id on Update is a replacement whose
  old id is deleted in the cleanup phase; a FAILED answer rolls the stack back, sending Delete to
  what was created (the failed resource included, with the physical id its answer gave) and an
  Update with swapped properties to what was updated in place;
- with ``parallel=True``, creates each wave of resources that do not depend on each other at
  once, in threads, as CloudFormation does (a stack of 50 jobs starts them together);
- signals wait conditions through a local receiver, and while any waits, lets (fake) time pass
  on one clock that waits in parallel share, firing the template's scheduled EventBridge rules at
  their rate; refuses to update a wait condition in place, as CloudFormation does ("Updates
  aren't supported" for each of its properties: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-waitcondition.html);
- checks Application Auto Scaling targets and policies as AWS would (``app_autoscaling``);
- updates a rule in place as ``PutRule`` does, with the template's state (an update re-enables a
  rule that was disabled since: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html);
- records ``AWS::S3::Bucket`` and ``AWS::Events::Rule`` resources in an AWS API endpoint (moto),
  when given one, so handlers that use them find them.

It reports what the stack ends up as (status, physical ids, outputs) and which jobs the fake
SageMaker still runs.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import functools
import graphlib
import importlib
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import boto3

from tests.fakes.cfn_receiver import CfnResponseReceiver
from tests.fakes.loopback import HttpReply, HttpRequest, LoopbackService
from tests.fakes.sagemaker import FakeSageMaker
from tests.harness import app_autoscaling
from tests.harness.resolve import STACK_ID, Resolver, as_cloudformation_sends
from tests.harness.stack_api import StackResource, status_timestamp

__all__ = ["LocalCloudFormation", "Report", "WaitSignalReceiver"]

CUSTOM = re.compile(r"^(Custom::.+|AWS::CloudFormation::CustomResource)$")
WAIT_HANDLE = "AWS::CloudFormation::WaitConditionHandle"
WAIT_CONDITION = "AWS::CloudFormation::WaitCondition"
# Properties whose value CloudFormation uses as the physical id (what Ref returns), when set.
NAME_PROPERTY = {
    "AWS::Events::Rule": "Name",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Logs::LogGroup": "LogGroupName",
}
RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours)\)$")


class DeployFailed(Exception):  # noqa: N818 (a stack outcome, not a bug)
    """A resource failed: the stack rolls back."""

    def __init__(self, logical_id: str, reason: str, physical_id: str | None = None) -> None:
        super().__init__(f"{logical_id}: {reason}")
        self.logical_id = logical_id
        self.reason = reason
        self.physical_id = physical_id


class WaitSignalReceiver(LoopbackService):
    """Receives wait-condition signals (``PUT`` of ``{"Status", "Reason", "UniqueId", "Data"}``)."""

    def __init__(self) -> None:
        super().__init__()
        self.signals: dict[str, list[dict[str, Any]]] = {}

    def url(self, handle: str) -> str:
        """A pre-signed-looking URL for the handle named ``handle``."""
        return f"{self._server.base_url}/waitcondition/{handle}?X-Amz-Signature=SIGNAL-SECRET"

    def _respond(self, request: HttpRequest) -> HttpReply | None:
        if request.method != "PUT":
            return HttpReply(405)
        handle = request.path.split("?")[0].rsplit("/", 1)[-1]
        try:
            body = json.loads(request.body)
        except ValueError:
            return HttpReply(400, b"not JSON")
        if body.get("Status") not in {"SUCCESS", "FAILURE"} or "UniqueId" not in body:
            return HttpReply(400, b"a signal needs Status SUCCESS|FAILURE and UniqueId")
        self.signals.setdefault(handle, []).append(body)
        return HttpReply(200)


@dataclasses.dataclass
class Deployed:
    """One resource as the stack holds it."""

    logical_id: str
    type: str
    physical_id: str
    properties: dict[str, Any]
    data: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Event:
    """One line of the stack's event log."""

    logical_id: str
    action: str  # Create | Update | Delete
    status: str  # SUCCESS | FAILED
    physical_id: str = ""
    reason: str = ""


@dataclasses.dataclass
class Report:
    """What the stack ended up as."""

    status: str
    resources: dict[str, str]
    outputs: dict[str, Any]
    events: list[Event]
    running_jobs: list[str]
    failure: str = ""
    retained: list[str] = dataclasses.field(default_factory=list)


class LambdaContext:
    """The parts of Lambda's context the handlers use."""

    def __init__(self, timeout_seconds: float = 120.0, name: str = "handler") -> None:
        self.deadline = time.monotonic() + timeout_seconds
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = name
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.log_stream_name = f"2026/11/27/[$LATEST]{uuid.uuid4().hex}"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation's deadline."""
        return max(0, int((self.deadline - time.monotonic()) * 1000))


def _references(value: Any) -> set[str]:
    """Logical ids that ``value`` refers to."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= _references(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                found.add(item)
            elif key == "Fn::GetAtt":
                found.add(item[0] if isinstance(item, list) else item.split(".")[0])
            elif key == "Fn::Sub":
                text = item if isinstance(item, str) else item[0]
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
                if not isinstance(item, str):
                    found |= _references(item[1])
            else:
                found |= _references(item)
    return found


def _dependencies(resources: Mapping[str, Any]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for logical_id, resource in resources.items():
        depends_on = resource.get("DependsOn", [])
        depends = {depends_on} if isinstance(depends_on, str) else set(depends_on)
        # References in Metadata order resources too: cfn-lint (AWS's template linter) reports
        # a DependsOn as redundant when "a 'GetAtt' at 'Resources/.../Metadata/...'" enforces
        # it (W3005).
        refs = _references(resource.get("Properties", {})) | _references(
            resource.get("Metadata", {})
        )
        graph[logical_id] = {d for d in depends | refs if d in resources}
    return graph


def dependency_order(resources: Mapping[str, Any]) -> list[str]:
    """Logical ids in an order that creates every resource after what it depends on."""
    return list(graphlib.TopologicalSorter(_dependencies(resources)).static_order())


def dependency_levels(resources: Mapping[str, Any]) -> list[list[str]]:
    """Logical ids in waves: each wave depends only on earlier ones (created at once)."""
    sorter = graphlib.TopologicalSorter(_dependencies(resources))
    sorter.prepare()
    levels: list[list[str]] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        levels.append(ready)
        sorter.done(*ready)
    return levels


@contextlib.contextmanager
def _environment(variables: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class LocalCloudFormation:
    """One stack, deployed locally. Call ``deploy(template)`` (create or update), ``destroy()``.

    ``aws_endpoint`` (a moto server URL) receives the buckets and rules the stack creates.
    ``tick`` is the fake time step (seconds) while a wait condition waits.
    """

    def __init__(
        self,
        *,
        fake: FakeSageMaker,
        receiver: CfnResponseReceiver,
        signals: WaitSignalReceiver | None = None,
        aws_endpoint: str | None = None,
        tick: float = 60.0,
        max_function_seconds: float | None = None,
        parallel: bool = False,
        handler_options: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.fake = fake
        self.receiver = receiver
        self.signals = signals
        self.aws_endpoint = aws_endpoint
        self.tick = tick
        self.max_function_seconds = max_function_seconds
        self.parallel = parallel
        # Keyword arguments for a Lambda module's ``handle(event, context, **options)``, by module
        # name (e.g. the job handler's retry clock), instead of its plain entrypoint.
        self.handler_options = dict(handler_options or {})
        self.template: dict[str, Any] = {}
        self.state: dict[str, Deployed] = {}
        self.events: list[Event] = []
        self.status = "NONE"
        self.elapsed = 0.0  # fake seconds spent waiting
        self._rule_clock: dict[str, float] = {}
        # Wait conditions being created (and waiting), with the time their status was set.
        self._waiting_on: dict[str, str] = {}
        self.stack_api: Any = None  # the StackApi serving this stack, when a fixture starts one
        # Clients of ``aws_endpoint`` by service: made once (about 15 ms each), shared by threads.
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        # Fake time and scheduled rules are one clock for every waiting thread: a rule fires once
        # per period, as EventBridge fires it, however many wait conditions wait at once.
        self._clock_lock = threading.Lock()

    # -- the public operations ---------------------------------------------------------------

    def deploy(self, template: Mapping[str, Any]) -> Report:
        """Create the stack, or update it to ``template``; roll back on failure."""
        if self.status in {"NONE", "ROLLBACK_COMPLETE", "DELETE_COMPLETE"}:
            return self._create(dict(template))
        return self._update(dict(template))

    def destroy(self) -> Report:
        """Delete the stack: every resource in reverse dependency order."""
        retained: list[str] = []
        failure = ""
        for logical_id in reversed(dependency_order(self.template["Resources"])):
            if logical_id not in self.state:
                continue
            resource = self.template["Resources"][logical_id]
            if resource.get("DeletionPolicy") == "Retain":
                retained.append(logical_id)
                self.state.pop(logical_id)
                continue
            try:
                self._delete(self.state.pop(logical_id))
            except DeployFailed as error:
                failure = str(error)
        self.status = "DELETE_FAILED" if failure else "DELETE_COMPLETE"
        return self.report(failure, retained)

    def report(self, failure: str = "", retained: list[str] | None = None) -> Report:
        """The stack as it is now."""
        outputs = {}
        if self.status.endswith("COMPLETE") and not self.status.startswith("DELETE"):
            resolver = self._resolver(self.template)
            outputs = {
                name: resolver(output["Value"])
                for name, output in self.template.get("Outputs", {}).items()
            }
        return Report(
            status=self.status,
            resources={k: v.physical_id for k, v in self.state.items()},
            outputs=outputs,
            events=list(self.events),
            running_jobs=self.fake.running_jobs(),
            failure=failure,
            retained=retained or [],
        )

    # -- create / update / delete of the stack --------------------------------------------

    def _create(self, template: dict[str, Any]) -> Report:
        self.template = template
        self.state = {}
        created: list[str] = []
        try:
            if self.parallel:
                self._create_in_waves(template, created)
            for logical_id in dependency_order(template["Resources"]):
                if logical_id in self.state:
                    continue
                created.append(logical_id)
                self.state[logical_id] = self._create_resource(template, logical_id)
        except DeployFailed as error:
            self._roll_back_creates(created, error)
            self.status = "ROLLBACK_COMPLETE"
            return self.report(str(error))
        self.status = "CREATE_COMPLETE"
        return self.report()

    def _create_in_waves(self, template: dict[str, Any], created: list[str]) -> None:
        """Create each wave of independent resources at once, as CloudFormation does."""
        boto3.client("sagemaker")  # boto3's default session is set up before threads share it
        for level in dependency_levels(template["Resources"]):
            created.extend(level)
            with concurrent.futures.ThreadPoolExecutor(max_workers=len(level)) as pool:
                futures = {pool.submit(self._create_resource, template, id_): id_ for id_ in level}
            failures = []
            for future, logical_id in futures.items():
                try:
                    self.state[logical_id] = future.result()
                except DeployFailed as error:
                    failures.append(error)
                    if error.physical_id:  # the rollback deletes it by the id its answer gave
                        type_ = template["Resources"][logical_id]["Type"]
                        properties = self._properties(template, logical_id)
                        self.state[logical_id] = Deployed(
                            logical_id, type_, error.physical_id, properties
                        )
            if failures:
                raise failures[0]

    def _update(self, template: dict[str, Any]) -> Report:
        old_template, old_state = self.template, dict(self.state)
        self.template = template
        created: list[str] = []
        updated: list[tuple[Deployed, Deployed]] = []  # (before, after)
        try:
            for logical_id in dependency_order(template["Resources"]):
                if logical_id not in old_state:
                    created.append(logical_id)
                    self.state[logical_id] = self._create_resource(template, logical_id)
                    continue
                before = old_state[logical_id]
                properties = self._properties(template, logical_id)
                if properties == before.properties:
                    continue
                after = self._update_resource(before, properties)
                updated.append((before, after))
                self.state[logical_id] = after
        except DeployFailed as error:
            self._roll_back_update(created, updated, old_template, old_state, error)
            self.status = "UPDATE_ROLLBACK_COMPLETE"
            return self.report(str(error))
        # Cleanup: replaced physical resources and resources gone from the template.
        for before, after in updated:
            if after.physical_id != before.physical_id:
                self._delete_quietly(before)
        removed = [
            k
            for k in reversed(dependency_order(old_template["Resources"]))
            if k not in template["Resources"]
        ]
        for logical_id in removed:
            self._delete_quietly(self.state.pop(logical_id))
        self.status = "UPDATE_COMPLETE"
        return self.report()

    def _roll_back_creates(self, created: list[str], error: DeployFailed) -> None:
        for logical_id in reversed(created):
            resource = self.state.pop(logical_id, None)
            if resource is None and logical_id == error.logical_id and error.physical_id:
                # CloudFormation deletes a failed custom resource by the id its answer gave.
                type_ = self.template["Resources"][logical_id]["Type"]
                properties = self._properties(self.template, logical_id)
                resource = Deployed(logical_id, type_, error.physical_id, properties)
            if resource is not None:
                self._delete_quietly(resource)

    def _roll_back_update(
        self,
        created: list[str],
        updated: list[tuple[Deployed, Deployed]],
        old_template: dict[str, Any],
        old_state: dict[str, Deployed],
        error: DeployFailed,
    ) -> None:
        failed = self.template["Resources"].get(error.logical_id, {})
        self.template = old_template
        if error.logical_id in old_state and error.physical_id:
            before = old_state[error.logical_id]
            if error.physical_id != before.physical_id:
                # A failed update that answered another id: CloudFormation deletes that id.
                self._delete_quietly(dataclasses.replace(before, physical_id=error.physical_id))
            else:
                updated.append((before, before))  # roll back in place like the others
        for before, after in reversed(updated):
            if after.physical_id != before.physical_id:
                self._delete_quietly(after)  # the replacement goes; the old one stays
            elif CUSTOM.match(before.type) and after.properties != before.properties:
                self._invoke_quietly(before, "Update", after.properties)
        for logical_id in reversed(created):
            resource = self.state.pop(logical_id, None)
            if resource is None and logical_id == error.logical_id and error.physical_id:
                resource = Deployed(logical_id, failed.get("Type", ""), error.physical_id, {})
            if resource is not None:
                self._delete_quietly(resource)
        self.state = old_state

    # -- resources ---------------------------------------------------------------------------

    def _resolver(self, template: Mapping[str, Any]) -> Resolver:
        attributes = {k: v.data for k, v in self.state.items() if v.data}
        refs = {k: v.physical_id for k, v in self.state.items()}
        resolver = Resolver(template, attributes)
        original_ref = resolver.ref

        def ref(name: str) -> Any:
            return refs[name] if name in refs else original_ref(name)

        def get_att(arg: Any) -> Any:
            logical_id, name = arg if isinstance(arg, list) else arg.split(".", 1)
            deployed = self.state.get(logical_id)
            if deployed is not None and (
                CUSTOM.match(deployed.type) or deployed.type == WAIT_CONDITION
            ):
                if name not in deployed.data:
                    raise DeployFailed(
                        logical_id,
                        f"CustomResource attribute error: response doesn't contain {name} key",
                    )
                return deployed.data[name]
            return original_get_att(arg)

        original_get_att = resolver.get_att
        resolver.ref = ref  # type: ignore[method-assign]
        resolver.intrinsics["Ref"] = ref
        resolver.intrinsics["Fn::GetAtt"] = get_att
        return resolver

    def _properties(self, template: Mapping[str, Any], logical_id: str) -> dict[str, Any]:
        raw = template["Resources"][logical_id].get("Properties", {})
        resolved: dict[str, Any] = self._resolver(template)(raw)
        return resolved

    def _create_resource(self, template: Mapping[str, Any], logical_id: str) -> Deployed:
        type_ = template["Resources"][logical_id]["Type"]
        properties = self._properties(template, logical_id)
        if CUSTOM.match(type_):
            answer = self._invoke(logical_id, type_, "Create", properties)
            return Deployed(logical_id, type_, answer.physical_id, properties, answer.data)
        physical_id = properties.get(NAME_PROPERTY.get(type_, ""), "")
        physical_id = physical_id or self._resolver(template).ref(logical_id)
        if type_ == WAIT_HANDLE:
            physical_id = self._handle_url(logical_id)
        resource = Deployed(logical_id, type_, physical_id, properties)
        self._create_native(resource)
        self.events.append(Event(logical_id, "Create", "SUCCESS", physical_id))
        return resource

    def _update_resource(self, before: Deployed, properties: dict[str, Any]) -> Deployed:
        if CUSTOM.match(before.type):
            answer = self._invoke(
                before.logical_id,
                before.type,
                "Update",
                properties,
                physical_id=before.physical_id,
                old_properties=before.properties,
            )
            return dataclasses.replace(
                before, physical_id=answer.physical_id, properties=properties, data=answer.data
            )
        if before.type == WAIT_CONDITION:
            self.events.append(Event(before.logical_id, "Update", "FAILED"))
            raise DeployFailed(
                before.logical_id,
                "AWS::CloudFormation::WaitCondition does not support updates; a changed wait "
                "needs a new wait condition and handle (new logical ids)",
            )
        after = dataclasses.replace(before, properties=properties)
        self._create_native(after)  # e.g. PutRule again: the template's state wins
        self.events.append(Event(before.logical_id, "Update", "SUCCESS", before.physical_id))
        return after

    def _delete(self, resource: Deployed) -> None:
        if CUSTOM.match(resource.type):
            self._invoke(
                resource.logical_id,
                resource.type,
                "Delete",
                resource.properties,
                physical_id=resource.physical_id,
            )
            return
        self._delete_native(resource)
        self.events.append(Event(resource.logical_id, "Delete", "SUCCESS", resource.physical_id))

    def _delete_quietly(self, resource: Deployed) -> None:
        with contextlib.suppress(DeployFailed):
            self._delete(resource)

    def _invoke_quietly(self, resource: Deployed, action: str, old: dict[str, Any]) -> None:
        with contextlib.suppress(DeployFailed):
            self._invoke(
                resource.logical_id,
                resource.type,
                action,
                resource.properties,
                physical_id=resource.physical_id,
                old_properties=old,
            )

    # -- native resources the handlers touch ------------------------------------------------

    def _client(self, service: str) -> Any:
        with self._clients_lock:
            if service not in self._clients:
                client: Any = boto3.client  # the service name is only known at run time
                self._clients[service] = client(
                    service, endpoint_url=self.aws_endpoint, region_name="us-east-1"
                )
            return self._clients[service]

    def _create_native(self, resource: Deployed) -> None:
        if resource.type == WAIT_CONDITION:
            self._wait(resource)
        if resource.type in {app_autoscaling.TARGET, app_autoscaling.POLICY}:
            targets = {
                r.physical_id: r.properties
                for r in list(self.state.values())
                if r.type == app_autoscaling.TARGET
            }
            try:
                app_autoscaling.check(resource.type, resource.properties, targets)
            except ValueError as error:
                raise DeployFailed(resource.logical_id, str(error)) from None
        if self.aws_endpoint is None:
            return
        if resource.type == "AWS::S3::Bucket":
            with contextlib.suppress(Exception):  # already there on update
                self._client("s3").create_bucket(Bucket=resource.physical_id)
        elif resource.type == "AWS::Events::Rule":
            props = resource.properties
            self._client("events").put_rule(
                Name=resource.physical_id,
                ScheduleExpression=props.get("ScheduleExpression", ""),
                State=props.get("State", "ENABLED"),
            )

    def _delete_native(self, resource: Deployed) -> None:
        if self.aws_endpoint is not None and resource.type == "AWS::Events::Rule":
            with contextlib.suppress(Exception):
                self._client("events").delete_rule(Name=resource.physical_id)

    def _rule_enabled(self, resource: Deployed) -> bool:
        if self.aws_endpoint is None:
            return bool(resource.properties.get("State", "ENABLED") == "ENABLED")
        state = self._client("events").describe_rule(Name=resource.physical_id)["State"]
        return bool(state == "ENABLED")

    # -- wait conditions ----------------------------------------------------------------------

    def _handle_url(self, logical_id: str) -> str:
        if self.signals is None:
            raise DeployFailed(logical_id, "the harness has no WaitSignalReceiver")
        return self.signals.url(f"{logical_id}-{uuid.uuid4().hex[:8]}")

    def stack_resources(self) -> list[StackResource]:
        """What ``ListStackResources`` shows now; Metadata resolved as CloudFormation does."""
        resources = self.template.get("Resources", {})
        resolver = self._resolver(self.template)

        def metadata(logical_id: str) -> dict[str, Any] | None:
            found = resources.get(logical_id, {}).get("Metadata")
            return None if found is None else dict(resolver(found))

        # Only a waiting condition's LastUpdatedTimestamp is modelled (the sweep keys on it); the
        # others show when they were listed.
        listed = [
            StackResource(r.logical_id, r.physical_id, r.type, "CREATE_COMPLETE", metadata(k))
            for k, r in list(self.state.items())
        ]
        listed += [
            StackResource(k, k, WAIT_CONDITION, "CREATE_IN_PROGRESS", metadata(k), updated)
            for k, updated in list(self._waiting_on.items())
            if k not in self.state
        ]
        return listed

    def _wait(self, resource: Deployed) -> None:
        self._waiting_on[resource.logical_id] = status_timestamp()
        try:
            self._wait_for_signals(resource)
        finally:
            self._waiting_on.pop(resource.logical_id, None)

    def _wait_for_signals(self, resource: Deployed) -> None:
        assert self.signals is not None
        handle = str(resource.properties["Handle"]).split("?")[0].rsplit("/", 1)[-1]
        timeout = float(resource.properties.get("Timeout", 43200))
        count = int(resource.properties.get("Count", 1))
        # Waits in parallel share one clock: time passes once for all of them, as in AWS, where
        # 25 wait conditions waiting at once do not make an hour pass 25 times faster.
        started = now = self.elapsed
        while True:
            received = self.signals.signals.get(handle, [])
            failures = [s for s in received if s["Status"] == "FAILURE"]
            if failures:
                raise DeployFailed(
                    resource.logical_id,
                    f"WaitCondition received failed message: '{failures[0].get('Reason', '')}' "
                    f"for uniqueId: {failures[0]['UniqueId']}",
                )
            successes = [s for s in received if s["Status"] == "SUCCESS"]
            if len(successes) >= count:
                resource.data = {
                    "Data": json.dumps({s["UniqueId"]: s.get("Data", "") for s in successes})
                }
                return
            if now - started >= timeout:
                raise DeployFailed(
                    resource.logical_id,
                    f"WaitCondition timed out. Received {len(successes)} conditions when "
                    f"expecting {count}",
                )
            now = self._advance_to(now + self.tick)

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of fake time pass: the fake's jobs move, due rules fire.

        One thread at a time (wait conditions wait in threads when ``parallel``): the due rules'
        targets run before the clock moves on, so two invocations of a scheduled rule overlap
        only if one outlasts its period, as in AWS.
        """
        with self._clock_lock:
            self._advance(seconds)

    def _advance_to(self, target: float) -> float:
        """Let fake time pass up to ``target`` unless another wait already did; the new time."""
        with self._clock_lock:
            if self.elapsed < target:
                self._advance(target - self.elapsed)
            return self.elapsed

    def _advance(self, seconds: float) -> None:
        self.fake.advance(seconds)
        self.elapsed += seconds
        for resource in list(self.state.values()):
            if resource.type != "AWS::Events::Rule":
                continue
            match = RATE.match(str(resource.properties.get("ScheduleExpression", "")))
            if match is None:
                continue
            period = int(match.group(1)) * (60 if match.group(2).startswith("minute") else 3600)
            last = self._rule_clock.setdefault(resource.logical_id, self.elapsed - seconds)
            if self.elapsed - last >= period and self._rule_enabled(resource):
                self._rule_clock[resource.logical_id] = self.elapsed
                self._fire(resource)

    def _fire(self, rule: Deployed) -> None:
        for target in rule.properties.get("Targets", []):
            function = self._function(str(target["Arn"]))
            payload = json.loads(target["Input"]) if "Input" in target else {}
            self._call(function, payload)

    # -- Lambda ------------------------------------------------------------------------------

    def _function(self, arn: str) -> Deployed:
        for resource in self.state.values():
            if resource.type == "AWS::Lambda::Function" and arn.endswith(
                f":function:{resource.physical_id}"
            ):
                return resource
        raise DeployFailed("?", f"no function in the stack has the ARN {arn}")

    def _call(self, function: Deployed, event: Mapping[str, Any]) -> None:
        module_name, _, entry = str(function.properties["Handler"]).rpartition(".")
        module = importlib.import_module(module_name)
        entrypoint: Callable[[Any, Any], Any] = getattr(module, entry)
        options = self.handler_options.get(module_name)
        if options is not None:
            entrypoint = functools.partial(module.handle, **options)
        timeout = float(function.properties.get("Timeout", 3))
        if self.max_function_seconds is not None:
            timeout = min(timeout, self.max_function_seconds)
        variables = function.properties.get("Environment", {}).get("Variables", {})
        with _environment({k: str(v) for k, v in variables.items()}):
            entrypoint(dict(event), LambdaContext(timeout, function.physical_id))

    def _invoke(
        self,
        logical_id: str,
        type_: str,
        action: str,
        properties: dict[str, Any],
        *,
        physical_id: str | None = None,
        old_properties: dict[str, Any] | None = None,
    ) -> _Answer:
        request_id = str(uuid.uuid4())
        event: dict[str, Any] = {
            "RequestType": action,
            "ServiceToken": properties["ServiceToken"],
            "ResponseURL": self.receiver.url(request_id),
            "StackId": STACK_ID,
            "RequestId": request_id,
            "ResourceType": type_,
            "LogicalResourceId": logical_id,
            "ResourceProperties": as_cloudformation_sends(properties),
        }
        if physical_id is not None:
            event["PhysicalResourceId"] = physical_id
        if old_properties is not None:
            event["OldResourceProperties"] = as_cloudformation_sends(old_properties)
        self._call(self._function(str(properties["ServiceToken"])), event)
        try:
            answer = self.receiver.response_for(request_id)
        except AssertionError:
            self.events.append(Event(logical_id, action, "FAILED", reason="no response"))
            raise DeployFailed(
                logical_id, "no response: CloudFormation would wait an hour, then fail"
            ) from None
        status = str(answer.body["Status"])
        new_id = str(answer.body.get("PhysicalResourceId", physical_id or ""))
        reason = str(answer.body.get("Reason", ""))
        self.events.append(Event(logical_id, action, status, new_id, reason))
        if status != "SUCCESS":
            raise DeployFailed(logical_id, reason, new_id)
        data = {str(k): str(v) for k, v in (answer.body.get("Data") or {}).items()}
        return _Answer(new_id, data)


@dataclasses.dataclass(frozen=True)
class _Answer:
    physical_id: str
    data: dict[str, str]
