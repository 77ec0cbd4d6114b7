"""Pure job names: one per CloudFormation request, valid for SageMaker, never reused.

SageMaker never reuses a job name, so every Create (and every Update that changes the request)
needs a fresh one. The generated name hashes the stack, the resource and the request id: a
redelivered request maps to the same name, any new request to a new one.
"""

from __future__ import annotations

import hashlib
import re

__all__ = [
    "DERIVED_NAME_LIMIT",
    "JOB_NAME_MAX",
    "PREFIX_MAX",
    "UNIQUE_LENGTH",
    "generated_name",
    "is_job_name",
    "is_prefix",
    "job_arn",
    "no_job_marker",
    "owner",
    "request_digest",
    "resource_arn",
]

JOB_NAME_MAX = 64
# SageMaker truncates the names it derives from the job name (models, endpoints) here.
DERIVED_NAME_LIMIT = 40
PREFIX_MAX = 24
UNIQUE_LENGTH = 12

_JOB_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,63}")
_PREFIX = re.compile(r"[a-z0-9](-*[a-z0-9])*")


def request_digest(stack_id: str, logical_resource_id: str, request_id: str) -> str:
    """Return the hex SHA-256 that identifies one CloudFormation request for one resource."""
    return hashlib.sha256(f"{stack_id}|{logical_resource_id}|{request_id}".encode()).hexdigest()


def owner(stack_id: str, logical_resource_id: str) -> str:
    """Return the owner tag's value of the jobs one resource starts: ``<StackId>/<16 hex>``.

    The stack's id comes first, so IAM can allow a stack's handler its own jobs whatever their
    names (``aws:ResourceTag/infrec-cdk:owner`` like ``<StackId>/*``); the digest of the logical
    id tells the stack's resources apart. At most 238 characters: a tag value may have 256.
    """
    resource = hashlib.sha256(f"{stack_id}|{logical_resource_id}".encode()).hexdigest()
    return f"{stack_id}/{resource[:16]}"


def is_job_name(name: str) -> bool:
    """Tell whether ``name`` is a valid recommendation job name."""
    return len(name) <= JOB_NAME_MAX and _JOB_NAME.fullmatch(name) is not None


def is_prefix(prefix: str) -> bool:
    """Tell whether ``prefix`` is a valid ``JobNamePrefix`` (lowercase, 1..24, no edge dashes)."""
    return len(prefix) <= PREFIX_MAX and _PREFIX.fullmatch(prefix) is not None


def generated_name(prefix: str, digest: str) -> str:
    """Return ``<prefix>-<12 hex digits of digest>``: at most 37 characters, all of them unique."""
    if not is_prefix(prefix):
        raise ValueError(f"not a valid job name prefix: {prefix!r}")
    return f"{prefix}-{digest[:UNIQUE_LENGTH]}"


def no_job_marker(digest: str) -> str:
    """Return a physical id for a request that holds no job of ours; it is no valid job name."""
    return f"infrec-cdk:no-job:{digest[:UNIQUE_LENGTH]}"


def job_arn(stack_id: str, job_name: str) -> str:
    """Return the ARN of the job ``job_name`` in the stack's partition, region and account.

    SageMaker lowercases job names in ARNs.
    """
    return resource_arn(stack_id, "inference-recommendations-job", job_name)


def resource_arn(stack_id: str, resource_type: str, name: str) -> str:
    """Return the ARN of the SageMaker ``<resource_type>/<name>`` in the stack's account.

    The name is lowercased, as SageMaker does in a recommendation job's ARN (for the AI kinds
    the documentation does not say; their generated names are lowercase anyway).
    """
    parts = stack_id.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not all(parts[1:5]):  # noqa: PLR2004 (ARN fields)
        raise ValueError(f"StackId is not an ARN: {stack_id!r}")
    _, partition, _, region, account, _ = parts
    return f"arn:{partition}:sagemaker:{region}:{account}:{resource_type}/{name.lower()}"
