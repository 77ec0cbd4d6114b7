"""Synth-time job-name prefixes.

SageMaker never reuses a job name, so the handler adds a per-request suffix at deploy time.
The prefix made here is lowercase (SageMaker lowercases names in job ARNs, and IAM matches ARNs
case-sensitively), at most 24 characters, and starts with a part shared by every job of the stack,
so the handler's policy can name ``inference-recommendations-job/<stack part>-*``.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["job_name_prefix", "path_digest", "stack_identity", "stack_name_part"]

_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")


def _slug(text: str, limit: int) -> str:
    return _NOT_ALLOWED.sub("", text.lower())[:limit]


def stack_identity(stack_name: str, stack_path: str, *, name_known: bool) -> str:
    """Return what names a stack in job names: its name, else (a nested stack's) its path.

    A nested stack's name is only known at deploy time, and its token's text follows jsii's
    global token counter: an unrelated change to the app would change it, and with it the
    names of new jobs and the IAM scope of the running ones.
    """
    return stack_name if name_known else stack_path


def stack_name_part(stack_name: str) -> str:
    """Return the part of every job name that identifies the stack (at most 15 characters)."""
    digest = hashlib.sha256(stack_name.encode()).hexdigest()[:4]
    return f"{_slug(stack_name, 10) or 'stack'}-{digest}"


def job_name_prefix(stack_name: str, construct_id: str) -> str:
    """Return the prefix for generated names of one job (at most 24 characters)."""
    return f"{stack_name_part(stack_name)}-{_slug(construct_id, 8) or 'job'}"


def path_digest(path: str) -> str:
    """Return 8 hex digits that tell constructs apart by path (e.g. in shared statement ids)."""
    return hashlib.sha256(path.encode()).hexdigest()[:8]
