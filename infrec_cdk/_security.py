"""The cdk-nag findings infrec-cdk accepts on its own resources, each with its reason.

The library's resources are checked with cdk-nag's AwsSolutions, NIST 800-53 rev 5 and HIPAA
Security packs (see ``tests/test_nag.py``). A finding is fixed at the source where a safe fix
exists; the rest are acknowledged here, on the one resource they concern and no wider, in both
forms cdk-nag reads:

- cdk-nag v3 (and CDK's own validation report): ``Validations.of(resource).acknowledge(...)``
  with one id per finding, e.g. ``AwsSolutions-IAM5[Resource::*]``. ``Validations`` is CDK core,
  so the library needs no cdk-nag import.
- cdk-nag v2: the resource's ``cdk_nag`` metadata, ``rules_to_suppress`` entries with
  ``applies_to`` for the IAM5 findings, exactly as ``NagSuppressions`` writes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct, IConstruct, IValidation

from infrec_cdk._arns import StackArns
from infrec_cdk._jsii_types import is_cfn_resource

__all__ = [
    "HANDLER_LAMBDA_CONCURRENCY",
    "HANDLER_LAMBDA_DLQ",
    "HANDLER_LAMBDA_OUTSIDE_VPC",
    "HANDLER_LOGS_SERVICE_KEY",
    "INLINE_POLICY",
    "OUTPUT_BUCKET_NO_ACCESS_LOGS",
    "OUTPUT_BUCKET_NO_REPLICATION",
    "RECOMMENDED_ENDPOINT_NO_VOLUME_KEY",
    "VPC_ENDPOINTS_VPC_CIDR",
    "WAITER_LAMBDA_CONCURRENCY",
    "WAITER_LAMBDA_DLQ",
    "WAITER_LAMBDA_OUTSIDE_VPC",
    "AccessLogs",
    "Finding",
    "Wildcard",
    "access_log_problems",
    "access_logs",
    "acknowledge",
    "acknowledge_job_policy",
    "acknowledge_output_bucket",
    "acknowledge_wildcards",
    "acknowledgment_ids",
    "allow_logs_to_use_key",
    "cfn_resource",
    "flatten_reference",
]

IAM5 = "AwsSolutions-IAM5"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """A cdk-nag rule, in every pack that has it, and why it does not apply here."""

    rule_ids: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Wildcard:
    """A policy resource holding a ``*``, and why nothing narrower works.

    ``owners`` are the constructs whose attributes ``resource`` refers to (a bucket's ARN, a
    VPC's subnets); ``None`` when not known. ARNs made of the stack's own partition, region and
    account refer to none.
    """

    resource: str
    reason: str
    owners: tuple[IConstruct, ...] | None = None


OUTPUT_BUCKET_NO_ACCESS_LOGS = Finding(
    rule_ids=(
        "AwsSolutions-S1",
        "NIST.800.53.R5-S3BucketLoggingEnabled",
        "HIPAA.Security-S3BucketLoggingEnabled",
    ),
    reason=(
        "Server access logging is opt-in (access_logs_bucket=): S3 delivers access logs only to "
        "a separate SSE-S3 bucket the owner chooses and retains, which this library does not "
        "create on its own; the output bucket already denies non-TLS and public access"
    ),
)
OUTPUT_BUCKET_NO_REPLICATION = Finding(
    rule_ids=(
        "NIST.800.53.R5-S3BucketReplicationEnabled",
        "HIPAA.Security-S3BucketReplicationEnabled",
    ),
    reason=(
        "The bucket holds reproducible benchmark outputs; it is versioned, KMS-encrypted and "
        "retained when the stack is deleted. Replication needs a second bucket and key in a "
        "region of the owner's choice: pass such a bucket as output_bucket= to replicate"
    ),
)
INLINE_POLICY = Finding(
    rule_ids=("NIST.800.53.R5-IAMNoInlinePolicy", "HIPAA.Security-IAMNoInlinePolicy"),
    reason=(
        "The policy is generated for one role and names only the resources of this stack's "
        "recommendation jobs; as an inline policy it cannot be attached to another principal "
        "and is deleted with its role, which is the intent of this least-privilege grant"
    ),
)
HANDLER_LOGS_SERVICE_KEY = Finding(
    rule_ids=(
        "NIST.800.53.R5-CloudWatchLogGroupEncrypted",
        "HIPAA.Security-CloudWatchLogGroupEncrypted",
    ),
    reason=(
        "CloudWatch Logs encrypts this log group at rest with a service-owned key; the function "
        "logs its decisions (request type, job name, outcome), never request payloads or signed "
        "URLs. Pass log_encryption_key= to use a customer managed key"
    ),
)
HANDLER_LAMBDA_CONCURRENCY = Finding(
    rule_ids=("NIST.800.53.R5-LambdaConcurrency", "HIPAA.Security-LambdaConcurrency"),
    reason=(
        "The handler only answers this stack's CloudFormation custom-resource events, a few per "
        "deployment; reserved concurrency would be taken from the account's unreserved pool and "
        "fails to deploy in accounts at the minimum concurrency quota"
    ),
)
HANDLER_LAMBDA_DLQ = Finding(
    rule_ids=("NIST.800.53.R5-LambdaDLQ", "HIPAA.Security-LambdaDLQ"),
    reason=(
        "The handler catches every error and answers FAILED to CloudFormation itself before its "
        "deadline, so CloudFormation reports a failed event; a dead-letter queue would hold "
        "stale custom-resource events that must never be replayed"
    ),
)
HANDLER_LAMBDA_OUTSIDE_VPC = Finding(
    rule_ids=("NIST.800.53.R5-LambdaInsideVPC", "HIPAA.Security-LambdaInsideVPC"),
    reason=(
        "The handler calls only the SageMaker control-plane API and the CloudFormation response "
        "URL and touches no data in a VPC; placing it in one would need NAT or VPC endpoints "
        "without narrowing what it can reach, which its IAM policy already limits"
    ),
)
WAITER_LAMBDA_CONCURRENCY = Finding(
    rule_ids=HANDLER_LAMBDA_CONCURRENCY.rule_ids,
    reason=(
        "The waiter runs once a minute per waiting job and once per results resource; reserved "
        "concurrency would be taken from the account's unreserved pool and fails to deploy in "
        "accounts at the minimum concurrency quota"
    ),
)
WAITER_LAMBDA_DLQ = Finding(
    rule_ids=HANDLER_LAMBDA_DLQ.rule_ids,
    reason=(
        "A failed poll is retried by the next scheduled poll (the rule's own retries are off), "
        "and results events are answered FAILED to CloudFormation by the waiter itself; a "
        "dead-letter queue would only hold stale polls and events that must not be replayed"
    ),
)
WAITER_LAMBDA_OUTSIDE_VPC = Finding(
    rule_ids=HANDLER_LAMBDA_OUTSIDE_VPC.rule_ids,
    reason=(
        "The waiter calls the SageMaker, S3 and EventBridge APIs and the wait condition's "
        "pre-signed URL, and touches no data in a VPC; placing it in one would need NAT or VPC "
        "endpoints without narrowing what it can reach, which its IAM policy already limits"
    ),
)
VPC_ENDPOINTS_VPC_CIDR = Finding(
    rule_ids=(
        "AwsSolutions-EC23",
        "NIST.800.53.R5-EC2RestrictedCommonPorts",
        "NIST.800.53.R5-EC2RestrictedSSH",
        "HIPAA.Security-EC2RestrictedCommonPorts",
        "HIPAA.Security-EC2RestrictedSSH",
    ),
    reason=(
        "The rule cannot read the one ingress rule's source (it threw an error): it is the "
        "VPC's own CIDR block, a Fn::GetAtt known only at deploy time. The group admits HTTPS "
        "(TCP 443) from inside the VPC only, never 0.0.0.0/0 or ::/0, and no SSH or other port"
    ),
)
RECOMMENDED_ENDPOINT_NO_VOLUME_KEY = Finding(
    rule_ids=(
        "NIST.800.53.R5-SageMakerEndpointConfigurationKMSKeyConfigured",
        "HIPAA.Security-SageMakerEndpointConfigurationKMSKeyConfigured",
    ),
    reason=(
        "The instance type is the job's recommendation, known only at deploy time, and SageMaker "
        "refuses or ignores a KMS key for types with local NVMe storage, which a hardware module "
        "encrypts; SageMaker encrypts EBS volumes with a transient key when none is given. "
        "Pass encryption_key= when the job tests only EBS-backed instance types"
    ),
)


def cfn_resource(construct: IConstruct) -> cdk.CfnResource:
    """Return the CloudFormation resource of ``construct`` (itself, or its default child)."""
    current: IConstruct | None = construct
    while current is not None and not is_cfn_resource(current):
        current = current.node.default_child
    if current is None:
        msg = f"infrec-cdk bug: {construct.node.path} has no CloudFormation resource"
        raise AssertionError(msg)
    return current


def acknowledge(
    construct: IConstruct,
    *findings: Finding,
    applies_to: Sequence[str] = (),
    v2: bool = True,
    v3: bool = True,
) -> None:
    """Acknowledge ``findings`` on ``construct``'s CloudFormation resource alone.

    ``applies_to`` narrows a rule that reports several findings per resource (IAM5) to those
    findings, e.g. ``Resource::*``. ``v2`` and ``v3`` choose the forms written (both by
    default).
    """
    scoped = [(finding, tuple(applies_to)) for finding in findings]
    _write(cfn_resource(construct), v2=scoped if v2 else (), v3=scoped if v3 else ())


# A finding, and the findings of its rule it is narrowed to (``applies_to``; empty: all).
Scoped = tuple[Finding, tuple[str, ...]]


def _write(resource: cdk.CfnResource, *, v2: Sequence[Scoped], v3: Sequence[Scoped]) -> None:
    """Write the ``v2`` and ``v3`` acknowledgments on ``resource``, one call of each kind.

    Every call crosses into Node.js, and synth time grows with their number.
    """
    acknowledgments = [
        cdk.Acknowledgment(id=form, reason=finding.reason)
        for finding, applies_to in v3
        for rule_id in finding.rule_ids
        for id_ in ([f"{rule_id}[{item}]" for item in applies_to] or [rule_id])
        for form in acknowledgment_ids(id_)
    ]
    if acknowledgments:
        cdk.Validations.of(resource).acknowledge(*acknowledgments)
    entries: list[dict[str, object]] = [
        {"id": rule_id, "reason": finding.reason}
        | ({"applies_to": list(applies_to)} if applies_to else {})
        for finding, applies_to in v2
        for rule_id in finding.rule_ids
    ]
    if entries:
        _add_v2_suppressions(resource, entries)


def acknowledgment_ids(finding_id: str) -> tuple[str, str]:
    """Return the two ids a cdk-nag v3 finding is acknowledged by.

    cdk-nag 3.0 matches the bare id (``AwsSolutions-S1``) itself; CDK's validation report, which
    runs the packs as plugins, matches ``<plugin>::<id>`` (``AwsSolutions::AwsSolutions-S1``),
    the form its messages ask for. Pack names hold no ``-``, so the plugin is the id's prefix.
    """
    return finding_id, f"{finding_id.split('-', 1)[0]}::{finding_id}"


def _add_v2_suppressions(resource: cdk.CfnResource, entries: Iterable[dict[str, object]]) -> None:
    """Add ``entries`` to the resource's ``cdk_nag`` metadata, keeping what is there."""
    existing = resource.get_metadata("cdk_nag")
    rules = list(existing.get("rules_to_suppress", [])) if isinstance(existing, dict) else []
    rules.extend(entry for entry in entries if entry not in rules)
    resource.add_metadata("cdk_nag", {"rules_to_suppress": rules})


def flatten_reference(value: object) -> str:
    """Render a resolved policy value as cdk-nag names it in finding ids.

    The same rendering as cdk-nag's ``flattenCfnReference``: ``Ref`` and ``Fn::GetAtt`` become
    ``<LogicalId>`` and ``<LogicalId.Attribute>``, ``Fn::Join`` is joined, ``${...}`` is
    ``<...>``; anything else is its compact JSON.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if isinstance(value, dict):
        for intrinsic, render in _INTRINSICS:
            if value.get(intrinsic):
                return render(value[intrinsic])
    return json.dumps(value, separators=(",", ":"))


def _join(arguments: Sequence[Any]) -> str:
    delimiter, items = arguments
    return str(delimiter).join(flatten_reference(item) for item in items)


def _get_att(arguments: Sequence[Any]) -> str:
    resource, attribute = arguments
    return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"


_INTRINSICS: tuple[tuple[str, Callable[[Any], str]], ...] = (
    ("Fn::Join", _join),
    ("Fn::Sub", flatten_reference),
    ("Fn::GetAtt", _get_att),
    ("Fn::ImportValue", flatten_reference),
    ("Ref", lambda name: f"<{flatten_reference(name)}>"),
)


def acknowledge_wildcards(
    policy: IConstruct, wildcards: Iterable[Wildcard], *, also: Sequence[Finding] = ()
) -> None:
    """Acknowledge AwsSolutions-IAM5 on ``policy`` for exactly these wildcard resources.

    ``also`` acknowledges other findings on the same policy in the same write (both forms).

    cdk-nag v3 names each resource as the synthesized template does, so its acknowledgments are
    written when the app is synthesized (in the stack's validation, after CDK has rewritten
    references to other stacks into ``Fn::ImportValue``): a subnet of a VPC from another stack
    is a ``Ref`` now and an import in the template. cdk-nag v2 runs as an aspect, before that
    rewrite, and reads its metadata then: that form is written now.
    """
    wildcards = list(wildcards)
    stack = cdk.Stack.of(policy)
    resource = cfn_resource(policy)
    others: list[Scoped] = [(finding, ()) for finding in also]
    resolved = stack.resolve([w.resource for w in wildcards]) if wildcards else []
    pairs = list(zip(wildcards, resolved, strict=True))
    now = [(w, value) for w, value in pairs if _is_final(w, value, stack)]
    _write(
        resource,
        v2=others + _iam5(wildcards, resolved),
        v3=others + _iam5([w for w, _ in now], [value for _, value in now]),
    )
    later = [w for w, value in pairs if (w, value) not in now]
    if later:
        _PendingWildcards.of(stack).add(resource, later)


def _is_final(wildcard: Wildcard, resolved: object, stack: cdk.Stack) -> bool:
    """Whether the template will name ``wildcard`` as it resolves now.

    At synth, CDK rewrites references to other stacks' resources, and only those.
    """
    if not _references(resolved):
        return True
    if wildcard.owners is None:
        return False
    return all(cdk.Stack.of(owner) is stack for owner in wildcard.owners)


def _references(value: object) -> bool:
    """Whether a resolved value refers to a resource (a pseudo parameter is not one)."""
    if isinstance(value, list):
        return any(_references(item) for item in value)
    if isinstance(value, dict):
        target = value.get("Ref")
        if isinstance(target, str):
            return not target.startswith("AWS::")
        if "Fn::GetAtt" in value or "Fn::ImportValue" in value:
            return True
        return any(_references(item) for item in value.values())
    return False


def _iam5(wildcards: Sequence[Wildcard], resolved: Sequence[object]) -> list[Scoped]:
    """One IAM5 finding per distinct wildcard resource (as cdk-nag names it), reasons joined."""
    reasons: dict[str, list[str]] = {}
    for wildcard, value in zip(wildcards, resolved, strict=True):
        flat = flatten_reference(value)
        if "*" not in flat:
            continue
        found = reasons.setdefault(f"Resource::{flat}", [])
        if wildcard.reason not in found:
            found.append(wildcard.reason)
    return [
        (Finding(rule_ids=(IAM5,), reason="; ".join(found)), (applies_to,))
        for applies_to, found in reasons.items()
    ]


@jsii.implements(IValidation)
class _PendingWildcards:
    """The v3 IAM5 acknowledgments of every policy of one stack, written at synth.

    One validation per stack, and one ``resolve`` for all its policies' wildcards: each is a
    call between Node.js and Python, and a stack may hold many jobs.
    """

    _ATTRIBUTE = "_infrec_pending_wildcards"

    def __init__(self, stack: cdk.Stack) -> None:
        self._stack = stack
        self._policies: dict[int, tuple[cdk.CfnResource, list[Wildcard]]] = {}

    @classmethod
    def of(cls, stack: cdk.Stack) -> _PendingWildcards:
        """Return the stack's pending acknowledgments, registering their validation once."""
        found = getattr(stack, cls._ATTRIBUTE, None)
        if isinstance(found, cls):
            return found
        pending = cls(stack)
        setattr(stack, cls._ATTRIBUTE, pending)
        stack.node.add_validation(pending)
        return pending

    def add(self, resource: cdk.CfnResource, wildcards: Sequence[Wildcard]) -> None:
        """Acknowledge these wildcards of ``resource`` (a policy) when the stack synthesizes."""
        self._policies.setdefault(id(resource), (resource, []))[1].extend(wildcards)

    def validate(self) -> list[str]:
        """Write the acknowledgments (CDK validates after preparing references); no errors.

        What is written is forgotten: a later synth writes only what was added since.
        """
        policies, self._policies = list(self._policies.values()), {}
        everything = [w.resource for _, wildcards in policies for w in wildcards]
        resolved = iter(self._stack.resolve(everything) if everything else [])
        for resource, wildcards in policies:
            values = [next(resolved) for _ in wildcards]
            _write(resource, v2=(), v3=_iam5(wildcards, values))
        return []


def allow_logs_to_use_key(key: kms.IKey, *, log_group_scope: Construct) -> bool:
    """Let CloudWatch Logs use ``key`` for log groups in this account and region.

    The statement is the one CloudWatch Logs documents
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html), with
    exact actions, limited by the
    ``kms:EncryptionContext:aws:logs:arn`` condition to log groups of ``log_group_scope``'s
    account and region (a log group's own ARN would be a circular reference). Returns whether
    the key policy could be changed: an imported key's policy cannot.
    """
    stack = cdk.Stack.of(log_group_scope)
    log_groups = StackArns.of(stack).arn("logs", "log-group", "*", separator=":")
    result = key.add_to_resource_policy(
        iam.PolicyStatement(
            # CloudWatch Logs' principal is regional and follows the partition's URL suffix:
            # logs.<region>.amazonaws.com, logs.<region>.amazonaws.com.cn in China (as in
            # aws-cdk-lib's region_info Default.servicePrincipal, "logs": regional and
            # partitional). iam.ServicePrincipal keeps a name with a region in it as written.
            principals=[iam.ServicePrincipal(f"logs.{stack.region}.{stack.url_suffix}")],
            # CloudWatch Logs' documented statement also lists kms:Describe*, but DescribeKey
            # takes no encryption context, so under this condition it is never allowed
            # (Service Authorization Reference): it is left out rather than kept dead.
            actions=[
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
                "kms:GenerateDataKey",
                "kms:GenerateDataKeyWithoutPlaintext",
            ],
            # In a key policy, "*" is the key itself.
            resources=["*"],
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
        )
    )
    return result.statement_added


class AccessLogs(TypedDict, total=False):
    """The server-access-logging arguments of ``s3.Bucket``."""

    server_access_logs_bucket: s3.IBucket
    server_access_logs_prefix: str


def access_logs(bucket: s3.IBucket | None, prefix: str | None, job_name_prefix: str) -> AccessLogs:
    """Return the output bucket's logging arguments: none without a log bucket.

    A prefix alone would make S3 log the bucket into itself, so it is only passed with a bucket.
    """
    if bucket is None:
        return {}
    return {
        "server_access_logs_bucket": bucket,
        "server_access_logs_prefix": prefix
        if prefix is not None
        else f"{job_name_prefix}/access-logs/",
    }


def access_log_problems(
    output_bucket: s3.IBucket | None,
    access_logs_bucket: s3.IBucket | None,
    access_logs_prefix: str | None,
) -> list[str]:
    """Return what is wrong with the access-log arguments, one line per problem."""
    if access_logs_bucket is not None and output_bucket is not None:
        return [
            (
                "access_logs_bucket: applies only to the output bucket this construct creates; "
                "turn on server access logging on the output_bucket you pass instead"
            )
        ]
    if access_logs_prefix is not None and access_logs_bucket is None:
        return ["access_logs_prefix: is given without access_logs_bucket; give both"]
    return []


def acknowledge_output_bucket(
    bucket: s3.IBucket, *, created: bool, access_logs: s3.IBucket | None
) -> None:
    """Accept the findings that do not apply to the output bucket, if this library created it.

    A bucket the user passed is the user's to configure and to acknowledge.
    """
    if not created:
        return
    findings = [OUTPUT_BUCKET_NO_REPLICATION]
    if access_logs is None:
        findings.append(OUTPUT_BUCKET_NO_ACCESS_LOGS)
    acknowledge(bucket, *findings)


def acknowledge_job_policy(policy: iam.Policy, wildcards: Iterable[Wildcard]) -> None:
    """Accept the findings on the job role's generated policy: inline, and its wildcards."""
    acknowledge_wildcards(policy, wildcards, also=[INLINE_POLICY])
