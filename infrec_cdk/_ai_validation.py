"""Synth-time checks of the generative-AI requests, in the API's own syntax.

The same two layers as ``infrec_cdk._validation`` for the classic job, over another operation's
input shape (``_api_model.operation_input_shape``):

* the model layer: everything botocore's model declares (``_model_checks.check_value``), and
  its tagged unions (exactly one member set: botocore's own ``ParamValidator`` refuses
  anything else before sending), each an error;
* the rule layer (``_ai_rules``): what the docs add, graded by evidence.

Pure, like the classic validation: no CDK import; the caller injects ``is_unresolved``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from infrec_cdk._ai_rules import AI_RULES
from infrec_cdk._api_model import ShapeNode, operation_input_shape
from infrec_cdk._checks import Path, Problem, Reader
from infrec_cdk._model_checks import check_value
from infrec_cdk._validation import ValidationReport, ValidationWarning, _kept, _position

__all__ = ["AI_OPERATIONS", "validate_ai_request"]

AI_OPERATIONS = tuple(AI_RULES)
"""The operations whose requests this module checks."""


def _union_problems(
    node: ShapeNode, value: object, path: Path, reader: Reader
) -> Iterator[Problem]:
    """Report tagged unions that set no member or several, at any depth."""
    if reader.unresolved(value):
        return
    if node.kind == "structure" and isinstance(value, Mapping):
        known = {key: item for key, item in value.items() if key in node.members}
        if node.union:
            yield from _one_member(node, known, path)
        for key, item in known.items():
            if item is not None:
                yield from _union_problems(node.members[str(key)], item, (*path, str(key)), reader)
    elif node.item is not None and isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _union_problems(node.item, item, (*path, index), reader)
    elif node.item is not None and isinstance(value, Mapping):
        for key, item in value.items():
            yield from _union_problems(node.item, item, (*path, str(key)), reader)


def _one_member(node: ShapeNode, known: Mapping[object, object], path: Path) -> Iterator[Problem]:
    given = [key for key, item in known.items() if item is not None]
    if len(given) != 1:
        what = "sets none" if not given else f"sets {', '.join(map(str, given))}"
        yield Problem(
            path,
            f"must set exactly one of {', '.join(node.members)} ({node.name} is a union); "
            f"it {what}",
            from_model=True,
        )


def validate_ai_request(
    operation: str,
    request: Mapping[str, object],
    *,
    generated: Iterable[str] = (),
    is_unresolved: Callable[[object], bool] = lambda _v: False,
) -> ValidationReport:
    """Check a request of ``operation`` (one of ``AI_OPERATIONS``), PascalCase keys.

    Parameters
    ----------
    operation
        ``CreateAIRecommendationJob``, ``CreateAIBenchmarkJob`` or ``CreateAIWorkloadConfig``.
    request
        The whole request. Any shape is accepted: problems are reported, never raised.
    generated
        Top-level members left out on purpose (the handler generates the name): not required.
    is_unresolved
        Whether a value is an unresolved CDK token; such values are not checked.

    Returns
    -------
    ValidationReport
        Every error and warning, each ``"Path: problem"``, in document order.
    """
    reader = Reader(is_unresolved, frozenset(generated))
    node = operation_input_shape(operation)
    problems = list(check_value(node, request, (), reader))
    problems += _union_problems(node, request, (), reader)
    root = reader.mapping(request)
    if root is not None:
        for rule in AI_RULES[operation]:
            problems.extend(rule(root, reader))
    ordered = sorted(_kept(problems), key=lambda problem: _position(request, problem.path))
    return ValidationReport(
        errors=tuple(p.text() for p in ordered if p.warning is None),
        warnings=tuple(ValidationWarning(p.warning, p.text()) for p in ordered if p.warning),
    )
