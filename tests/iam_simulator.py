"""Does a resolved identity policy allow one request? A small evaluator for the tests.

It follows IAM's policy evaluation logic for what the library's policies use
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
an explicit Deny wins, an Allow must match the action (case-insensitive, ``*``/``?``
wildcards), the resource (case-sensitive wildcards) and every condition; a condition on a key the
request context lacks is false unless its operator ends in ``IfExists``. Operators:
``StringEquals``, ``StringLike``, ``ArnLike``, ``ArnEquals``, ``Bool`` (and their ``IfExists``
forms). Anything else raises: a test must not pass on an operator this does not understand.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["allows"]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _like(pattern: str, value: str, *, case: bool = True) -> bool:
    regex = fnmatch.translate(pattern)
    return re.fullmatch(regex, value, 0 if case else re.IGNORECASE) is not None


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    base = operator.removesuffix("IfExists")
    found = next((v for k, v in context.items() if k.lower() == key.lower()), None)
    if found is None:
        return base != operator  # absent: false, unless ...IfExists
    values = [str(item) for item in _as_list(expected)]
    if base in {"StringEquals", "ArnEquals"}:
        return found in values
    if base in {"StringLike", "ArnLike"}:
        return any(_like(value, found) for value in values)
    if base == "Bool":
        return found.lower() in {value.lower() for value in values}
    raise NotImplementedError(f"condition operator {operator} is not simulated")


def _matches(statement: Mapping[str, Any], action: str, resource: str, context: Any) -> bool:
    actions = _as_list(statement.get("Action", []))
    if not any(_like(pattern, action, case=False) for pattern in actions):
        return False
    if not any(_like(pattern, resource) for pattern in _as_list(statement.get("Resource", []))):
        return False
    return all(
        _condition_holds(operator, key, expected, context)
        for operator, block in statement.get("Condition", {}).items()
        for key, expected in block.items()
    )


def allows(
    statements: Sequence[Mapping[str, Any]],
    action: str,
    resource: str,
    context: Mapping[str, str] | None = None,
) -> bool:
    """Whether ``statements`` (resolved: no intrinsics left) allow ``action`` on ``resource``.

    ``context`` holds the request's condition keys, e.g. ``{"aws:ResourceTag/team": "ml"}``.
    """
    context = context or {}
    matching = [s for s in statements if _matches(s, action, resource, context)]
    if any(s.get("Effect") == "Deny" for s in matching):
        return False
    return any(s.get("Effect") == "Allow" for s in matching)
