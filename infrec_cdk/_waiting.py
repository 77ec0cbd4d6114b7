"""Wait for a job during deployment and hand its top recommendation to the rest of the stack.

CloudFormation gives a custom resource one hour; Inference Recommender jobs may run five, and
SageMaker announces nothing when they end. So the job resource answers at once, and:

- a ``WaitCondition`` (up to 12 hours) waits for the job, with a fresh handle per request (their
  logical ids carry a digest of the request, so a changed request waits for its new job);
- the stack's one EventBridge poll rule (per poll interval) invokes the stack's waiter Lambda;
  the rule lists the stack's wait conditions and each condition's Metadata names its job and
  handle, so the waiter follows every condition CloudFormation is waiting on: it logs progress
  and, when a job ends, signals the handle (SUCCESS on COMPLETED, FAILURE with SageMaker's
  reason otherwise) and publishes a completion event; it disables the rule once no listed
  condition waits or is still to be created (``lambda/sweep.py``);
- a ``Custom::InferenceRecommendationsResults`` resource, created once the wait is over, archives
  the full results to the output bucket and answers the top recommendation as attributes.

CloudFormation cannot update a wait condition ("Updates aren't supported" for Count, Handle and
Timeout: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-waitcondition.html),
and an update of a rule puts its template state back ("the rule is replaced with what you
specify": https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html), which
which is what re-enables the shared rule for a new wait. So the digest also covers the timeout,
the poll interval and the job resource's logical id: a change of any of them gives a fresh
handle and condition, never an update, and a new entry in the rule's list (the rule is updated,
so enabled). The fresh condition's first poll finds the job ended and signals at once; the
announced tag keeps it from publishing a second event. The objective and limits are properties
of the results resource only, whose Update answers in place.

Deleting or rolling back the stack deletes the rule (no poller outlives the stack) and the job
resource stops a job that still runs.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass, field
from typing import Final

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct, IConstruct

from infrec_cdk._attributes import ResourceAttributes
from infrec_cdk._config import SupportedEndpointType
from infrec_cdk._props import TypeChecked
from infrec_cdk._resource_index import (
    cfn_resources,
    known_resources_with_logical_ids,
    resources_with_logical_ids,
)
from infrec_cdk._waiter_function import WaiterFunction

__all__ = [
    "RESULTS_RESOURCE_TYPE",
    "JobWaiter",
    "Objective",
    "TopRecommendation",
    "Wait",
    "wait_problems",
]

RESULTS_RESOURCE_TYPE: Final = "Custom::InferenceRecommendationsResults"
"""The CloudFormation type of a waiting job's results resource (the top recommendation)."""
# The wait condition's Metadata key that says what it waits for (lambda/sweep.py reads it).
WAIT_METADATA_KEY: Final = "infrec-cdk:wait"
MAX_WAIT_SECONDS: Final = 43_200  # a WaitCondition's longest timeout (12 h)
MAX_JOB_SECONDS: Final = 18_000  # the longest job SageMaker allows (5 h)
MARGIN_SECONDS: Final = 3_600  # pending time, benchmarks still running, polling
# "Inference recommendation jobs complete within 45 minutes"; an Advanced (load test) job "takes
# an average of 2 hours" when JobDurationInSeconds does not bound it:
# https://docs.aws.amazon.com/sagemaker/latest/dg/inference-recommender-recommendation-jobs.html
DEFAULT_JOB_SECONDS: Final = 2_700
ADVANCED_JOB_AVERAGE_SECONDS: Final = 7_200
SHORT_WAIT_WARNING: Final = "infrec-cdk:waitShorterThanJob"


class Objective(enum.StrEnum):
    """Which recommendation is "top"."""

    LOWEST_COST_PER_INFERENCE = "LowestCostPerInference"
    LOWEST_COST_PER_HOUR = "LowestCostPerHour"
    LOWEST_LATENCY = "LowestLatency"
    HIGHEST_MAX_INVOCATIONS = "HighestMaxInvocations"


def _one_minute() -> cdk.Duration:
    return cdk.Duration.minutes(1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Wait(TypeChecked):
    """Wait for the job to finish during deployment and expose its top recommendation.

    Parameters
    ----------
    poll_interval
        How often the job is described, in whole minutes. Default: every minute.
    timeout
        How long the deployment waits before it fails (and rolls back, stopping the job).
        Default: the job's ``JobDurationInSeconds`` (5 hours when unset) plus one hour;
        at most 12 hours.
    objective
        Which recommendation is top. Default: ``Objective.LOWEST_COST_PER_INFERENCE``.
    max_model_latency
        Only recommendations whose ``ModelLatency`` is at most this. Default: no limit.
    max_cost_per_hour
        Only recommendations costing at most this many USD per hour. Default: no limit.
    endpoint_type
        Only real-time or only serverless recommendations. Default: either.

    No recommendation meeting the limits fails the deployment with the reason.

    """

    poll_interval: cdk.Duration = field(default_factory=_one_minute)
    timeout: cdk.Duration | None = None
    objective: Objective = Objective.LOWEST_COST_PER_INFERENCE
    max_model_latency: float | None = None
    max_cost_per_hour: float | None = None
    endpoint_type: SupportedEndpointType | None = None


def _job_duration(request: dict[str, object]) -> int | None:
    """``InputConfig.JobDurationInSeconds`` when the request gives a positive whole number."""
    input_config = request.get("InputConfig")
    duration = input_config.get("JobDurationInSeconds") if isinstance(input_config, dict) else None
    known = isinstance(duration, int) and not isinstance(duration, bool) and duration > 0
    return duration if known and isinstance(duration, int) else None


def expected_job_seconds(request: dict[str, object]) -> tuple[int, str] | None:
    """Return how long the job is expected to run and why; None when the request does not say.

    A Default job completes within 45 minutes (or its shorter ``JobDurationInSeconds``); an
    Advanced job runs up to its ``JobDurationInSeconds``, or 2 hours on average without one.
    The job may end earlier (stopping conditions), so a shorter wait is a warning, not an error.
    """
    duration = _job_duration(request)
    job_type = request.get("JobType")
    if job_type == "Default":
        if duration is not None and duration < DEFAULT_JOB_SECONDS:
            return duration, "its JobDurationInSeconds"
        return DEFAULT_JOB_SECONDS, "Default jobs complete within 45 minutes"
    if job_type == "Advanced":
        if duration is not None:
            return duration, "its JobDurationInSeconds"
        return ADVANCED_JOB_AVERAGE_SECONDS, "Advanced jobs take 2 hours on average"
    return None  # an unresolved token


def default_timeout_seconds(request: dict[str, object]) -> int:
    """Return the job's own duration (or the longest allowed) plus a margin, within 12 hours."""
    seconds = _job_duration(request) or MAX_JOB_SECONDS
    return min(MAX_WAIT_SECONDS, seconds + MARGIN_SECONDS)


def wait_problems(wait: Wait) -> list[str]:
    """Return what is wrong with ``wait``, each problem naming the field and the rule."""
    problems = []
    minutes = wait.poll_interval.to_seconds(integral=False) / 60
    if not float(minutes).is_integer() or minutes < 1:
        problems.append(
            f"wait.poll_interval: {wait.poll_interval.to_human_string()} must be a whole number "
            "of minutes, at least 1 (EventBridge schedules run at most once a minute)"
        )
    if wait.timeout is not None:
        seconds = wait.timeout.to_seconds(integral=False)
        if not 60 <= seconds <= MAX_WAIT_SECONDS:  # noqa: PLR2004 (one minute)
            problems.append(
                f"wait.timeout: {wait.timeout.to_human_string()} must be between 1 minute and "
                "12 hours (the longest a WaitCondition waits)"
            )
        elif not float(seconds).is_integer():
            problems.append(
                f"wait.timeout: {seconds:g} seconds must be a whole number of seconds "
                "(a WaitCondition's Timeout is given in seconds)"
            )
    for name, value in (
        ("max_model_latency", wait.max_model_latency),
        ("max_cost_per_hour", wait.max_cost_per_hour),
    ):
        if value is not None and value <= 0:
            problems.append(f"wait.{name}: {value} must be above 0")
    return problems


class TopRecommendation(ResourceAttributes):
    """The top recommendation of a finished job, as tokens other constructs can use.

    ``attribute(name)`` reads any attribute of the results resource, e.g.
    ``"EnvironmentParameters"``.
    """

    @property
    def recommendation_id(self) -> str:
        """``RecommendationId`` (for ``GetScalingConfigurationRecommendation`` and the SDK)."""
        return self.attribute("RecommendationId")

    @property
    def endpoint_type(self) -> str:
        """``RealTime`` or ``Serverless``."""
        return self.attribute("EndpointType")

    @property
    def instance_type(self) -> str:
        """The instance type, e.g. ``ml.c5.xlarge`` (empty for a serverless recommendation)."""
        return self.attribute("InstanceType")

    @property
    def initial_instance_count(self) -> float:
        """How many instances (a number token; real-time recommendations only)."""
        return self._number("InitialInstanceCount")

    @property
    def serverless_memory_size_in_mb(self) -> float:
        """Memory of a serverless recommendation (a number token)."""
        return self._number("ServerlessMemorySizeInMB")

    @property
    def serverless_max_concurrency(self) -> float:
        """Concurrency of a serverless recommendation (a number token)."""
        return self._number("ServerlessMaxConcurrency")

    @property
    def cost_per_hour(self) -> str:
        """USD per hour, as SageMaker reported it (a string token)."""
        return self.attribute("CostPerHour")

    @property
    def cost_per_inference(self) -> str:
        """USD per inference (a string token)."""
        return self.attribute("CostPerInference")

    @property
    def max_invocations(self) -> str:
        """Expected maximum invocations per minute (a string token)."""
        return self.attribute("MaxInvocations")

    @property
    def model_latency(self) -> str:
        """Model latency as SageMaker reported it (a string token)."""
        return self.attribute("ModelLatency")

    @property
    def archive_uri(self) -> str:
        """``s3://`` URI of the archived Describe answer with every recommendation."""
        return self.attribute("ArchiveUri")


def _referenced_ids(value: object) -> set[str]:
    """Logical ids a resolved value refers to with ``Ref`` or ``Fn::GetAtt``."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str) and not item.startswith("AWS::"):
                found.add(item)
            elif key == "Fn::GetAtt" and isinstance(item, list) and item:
                found.add(str(item[0]))
            else:
                found |= _referenced_ids(item)
    elif isinstance(value, list):
        for item in value:
            found |= _referenced_ids(item)
    return found


def _properties_of(
    stack: cdk.Stack, logical_ids: set[str], *, outside: IConstruct
) -> dict[str, object]:
    """Return the properties of the stack's resources with these ids, except ``outside``'s own.

    The job's own role, key and bucket change with the job's definition, which the request
    already shows; the rest (a model, a user's role) may change while the request's text does not.
    """
    if not logical_ids:
        return {}
    own = f"{outside.node.path}/"
    # A walk over the whole stack per waiting job made 50 of them quadratic: the resources a job
    # names are usually those an earlier job named (a shared recommender's), or its own alone
    # (its role, key and bucket by default), which need no walk.
    found = known_resources_with_logical_ids(stack, logical_ids, outside=own)
    if found is None:
        own_entries = [e for e in cfn_resources(stack, under=outside) if e.path.startswith(own)]
        own_ids = stack.resolve([entry.logical_id for entry in own_entries])  # one call for all
        others = logical_ids - set(own_ids)
        if not others:
            return {}
        found = resources_with_logical_ids(stack, others, outside=own)
    properties = [entry.resource._cfn_properties for entry in found.values()]  # noqa: SLF001
    return dict(zip(found, stack.resolve(properties), strict=True))  # one call for all


def request_digest(
    scope: Construct,
    request: dict[str, object],
    machinery: dict[str, object] | None = None,
    *,
    job: IConstruct,
) -> str:
    """Return eight hex characters that change whenever the request (or ``machinery``) changes.

    A value the request takes from another resource (a model's name, a role's ARN) is only known
    at deploy time; that resource's own properties stand in for it, so replacing the model (say,
    new artefacts) also gives the wait a fresh handle. Values no template shows (parameters,
    lookups at deploy time) cannot count: see the README's limits. ``machinery`` holds the
    settings of the wait resources that CloudFormation must not update in place; ``job`` is the
    job's construct, whose own resources do not count.
    """
    stack = cdk.Stack.of(scope)
    resolved = stack.resolve(request)
    referenced = _properties_of(stack, _referenced_ids(resolved), outside=job)
    text = json.dumps(
        {"request": resolved, "referenced": referenced, "machinery": stack.resolve(machinery)},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:8]


class JobWaiter(Construct):
    """The wait condition, the poll schedule and the results resource of one job."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        wait: Wait,
        request: dict[str, object],
        job_resource: cdk.CustomResource,
        job_name_prefix: str,
        output_bucket: s3.IBucket,
        encryption_key: kms.IKey,
        log_encryption_key: kms.IKey | None = None,
        kind: str | None = None,
        default_timeout: int | None = None,
    ) -> None:
        """Wait for the job of ``job_resource``; archive its results below its results prefix.

        ``kind`` is the job resource's type when it is not a classic job: the condition's
        Metadata and the results resource then say so (``Kind``), and the results carry only
        what every kind shares (the classic objective and limits are left out).
        ``default_timeout`` replaces the classic default (the job's duration plus one hour).
        """
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        waiter = WaiterFunction.of(self, log_encryption_key=log_encryption_key)
        if wait.timeout is not None:
            timeout = int(wait.timeout.to_seconds(integral=False))
        elif default_timeout is not None:
            timeout = default_timeout
        else:
            timeout = default_timeout_seconds(request)
        self._warn_if_shorter_than_job(wait, timeout, request)
        job_logical_id = stack.resolve(
            stack.get_logical_id(job_resource.node.default_child)  # type: ignore[arg-type]
        )
        # Tags change in place on the running job (the handler retags it): no fresh wait.
        machinery: dict[str, object] = {
            "timeout": timeout,
            "pollMinutes": int(wait.poll_interval.to_seconds(integral=False)) // 60,
            "job": job_logical_id,
        }
        if kind is not None:
            machinery["kind"] = kind
        digest = request_digest(
            self,
            {member: value for member, value in request.items() if member != "Tags"},
            machinery,
            job=scope,
        )
        job_name = job_resource.get_att_string("JobName")
        key_prefix = f"{job_name_prefix}/results"

        handle = cdk.CfnWaitConditionHandle(self, f"Handle{digest}")
        self.condition = cdk.CfnWaitCondition(
            self, f"Condition{digest}", handle=handle.ref, timeout=str(timeout), count=1
        )
        # What the stack's poll rule reads to follow this wait (lambda/sweep.py): CloudFormation
        # resolves the references in a resource's Metadata, as it does for the
        # AWS::CloudFormation::Init metadata cfn-init reads with DescribeStackResource
        # (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-init.html),
        # and orders the resource after what they name (cfn-lint's W3005 counts a Fn::GetAtt in
        # Metadata as a dependency). Not run against AWS: see the README's limits.
        followed: dict[str, object] = {
            "JobName": job_name,
            "SignalUrl": handle.ref,
            "LogicalResourceId": job_logical_id,
        }
        if kind is not None:  # absent: a classic job (lambda/sweep.py)
            followed["Kind"] = kind
        self.condition.add_metadata(WAIT_METADATA_KEY, followed)
        # The metadata's Fn::GetAtt on the job already orders the condition after the job (a
        # DependsOn as well is redundant: cfn-lint W3005).
        poll_minutes = int(wait.poll_interval.to_seconds(integral=False)) // 60
        self.condition.node.add_dependency(waiter.follow(self.condition, poll_minutes))

        # One archive grant per bucket and key, on the stack's job prefixes (every job name
        # prefix starts with the stack's part: _names), whatever the number of jobs using them.
        waiter.allow_archive(
            output_bucket,
            f"{waiter.stack_name_part}-*/results",
            encryption_key,
        )
        properties: dict[str, object] = {
            "JobName": job_name,
            "Bucket": output_bucket.bucket_name,
            "KeyPrefix": key_prefix,
            "KmsKeyId": encryption_key.key_arn,
        }
        if kind is None:  # the classic job's selection of its top recommendation
            properties |= {
                "Objective": str(wait.objective),
                "MaxModelLatency": "" if wait.max_model_latency is None else wait.max_model_latency,
                "MaxCostPerHour": "" if wait.max_cost_per_hour is None else wait.max_cost_per_hour,
                "EndpointType": "" if wait.endpoint_type is None else str(wait.endpoint_type),
            }
        else:  # absent: a classic job (lambda/results.py)
            properties["Kind"] = kind
        self.results = cdk.CustomResource(
            self,
            "Results",
            service_token=waiter.function_arn,
            resource_type=RESULTS_RESOURCE_TYPE,
            service_timeout=cdk.Duration.minutes(WaiterFunction.SERVICE_TIMEOUT_MINUTES),
            properties=properties,
        )
        self.results.node.add_dependency(self.condition)
        self.results.node.add_dependency(waiter.policy)
        self.top_recommendation = TopRecommendation(self.results)
        self.timeout_seconds = timeout

    def _warn_if_shorter_than_job(
        self, wait: Wait, timeout: int, request: dict[str, object]
    ) -> None:
        """Warn when the given timeout ends before the job is expected to (it may end early)."""
        expected = expected_job_seconds(request)
        if wait.timeout is None or expected is None or timeout >= expected[0]:
            return
        seconds, why = expected
        cdk.Annotations.of(self).add_warning_v2(
            SHORT_WAIT_WARNING,
            f"wait.timeout: {wait.timeout.to_human_string()} is shorter than the job is expected "
            f"to run ({seconds // 60} minutes: {why}); unless the job ends early, the wait times "
            "out and the deployment rolls back, stopping the job. Give a longer timeout, or "
            "leave it out (default: the job's duration plus one hour)",
        )
