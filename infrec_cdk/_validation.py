"""Synth-time checks of a CreateInferenceRecommendationsJob request, in the API's own syntax.

Two layers, both pure (no CDK import; the caller injects ``is_unresolved``):

* the model layer (``infrec_cdk._model_checks``) walks botocore's input shape and checks
  everything it declares (required and unknown members, types, lengths, patterns, enums, ranges,
  list sizes): each is an error;
* the rule layer (``infrec_cdk._rules``) adds what the API reference states only in words or the
  developer guide adds, each rule citing its source, graded by that evidence into errors and
  warnings.

Every problem names its field path; all of them come back together, in document order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from infrec_cdk._api_model import ModelConstraint, input_shape, model_constraints
from infrec_cdk._checks import Path, Problem, Reader
from infrec_cdk._model_checks import check_value
from infrec_cdk._rules import RULES, Request

__all__ = [
    "ModelConstraint",
    "ValidationReport",
    "ValidationWarning",
    "model_constraints",
    "validate_request",
]


@dataclass(frozen=True, slots=True)
class ValidationWarning:
    """A legal but risky set-up: ``id`` is ``infrec-cdk:<camelCase>``; ``message`` names a path."""

    id: str
    message: str


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Every problem found: ``errors`` make the request unusable, ``warnings`` deserve a look."""

    errors: tuple[str, ...]
    warnings: tuple[ValidationWarning, ...]


def _position(request: object, path: Path) -> tuple[int, ...]:
    """Return where ``path`` sits in ``request``: members in the order given, missing ones last."""
    position: list[int] = []
    node: object = request
    for segment in path:
        if isinstance(node, Mapping) and isinstance(segment, str):
            keys = list(node)
            position.append(keys.index(segment) if segment in keys else len(keys))
            node = node.get(segment)
        elif isinstance(node, list | tuple) and isinstance(segment, int):
            position.append(segment)
            node = node[segment] if segment < len(node) else None
        else:
            position.append(0)
            node = None
    return tuple(position)


def _kept(problems: list[Problem]) -> list[Problem]:
    """Drop rule findings that only refine a value the model already rejects."""
    rejected = {problem.path for problem in problems if problem.from_model}
    return [
        problem
        for problem in problems
        if problem.from_model or not (problem.refines and problem.path in rejected)
    ]


def validate_request(
    request: Mapping[str, object],
    *,
    job_name_generated: bool = False,
    is_unresolved: Callable[[object], bool] = lambda _v: False,
) -> ValidationReport:
    """Check a CreateInferenceRecommendationsJob request (PascalCase keys, as the API takes it).

    Parameters
    ----------
    request
        The whole request. Any shape is accepted: problems are reported, never raised.
    job_name_generated
        ``JobName`` is absent on purpose (the handler generates it): do not require it.
    is_unresolved
        Whether a value is an unresolved CDK token (``Token.is_unresolved``); such values, and
        sums that include them, are not checked.

    Returns
    -------
    ValidationReport
        Every error and warning, each ``"Path: problem"``, in document order; a rule's
        finding ends with the source it cites, ``(source: URL)``.
    """
    reader = Reader(is_unresolved, frozenset({"JobName"} if job_name_generated else ()))
    problems = list(check_value(input_shape(), request, (), reader))
    root = reader.mapping(request)
    if root is not None:
        view = Request.of(root, reader)
        for rule in RULES:
            problems.extend(rule(view))
    ordered = sorted(_kept(problems), key=lambda problem: _position(request, problem.path))
    return ValidationReport(
        errors=tuple(p.text() for p in ordered if p.warning is None),
        warnings=tuple(ValidationWarning(p.warning, p.text()) for p in ordered if p.warning),
    )
