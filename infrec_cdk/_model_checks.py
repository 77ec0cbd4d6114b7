"""The model layer: everything botocore's model declares for the request, checked in one walk.

Required and unknown members, JSON types, lengths, patterns, enums, ranges and list sizes, as
``infrec_cdk._api_model`` reads them from the installed botocore. A few failures get a message
that says what the value probably is (``_PATTERN_HINTS``) instead of the bare pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence, Sized

from infrec_cdk._api_model import ShapeNode
from infrec_cdk._checks import Path, Problem, Reader, kind_of, show, suggestion
from infrec_cdk._sources import API_INPUT

__all__ = ["check_value"]

# Wording for enums too long to list, by botocore shape name: (noun, example, common prefix).
_LARGE_ENUMS = {"ProductionVariantInstanceType": ("an instance type", "ml.m5.xlarge", "ml.")}
_LISTED_ENUM_LIMIT = 12

# The Python types each botocore type accepts (a boolean is never a number), and their name.
_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "structure": ((Mapping,), "an object"),
    "map": ((Mapping,), "an object"),
    "list": ((list, tuple), "a list"),
    "string": ((str,), "a string"),
    "integer": ((int,), "an integer"),
    "long": ((int,), "an integer"),
    "boolean": ((bool,), "a boolean"),
    "float": ((int, float), "a number"),
    "double": ((int, float), "a number"),
}

# A model package *group* ARN, or a version ARN without its version number.
_PACKAGE_GROUP = re.compile(
    r"(?P<head>arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]+:[0-9]{12}):"
    r"model-package(?:-group)?/(?P<group>[A-Za-z0-9](?:-*[A-Za-z0-9])*)"
)


def package_group_hint(value: str) -> str | None:
    """Explain a model package group ARN given where a version ARN is needed."""
    match = _PACKAGE_GROUP.fullmatch(value)
    if match is None:
        return None
    example = f"{match['head']}:model-package/{match['group']}/3"
    return (
        f"{show(value)} names the model package group {match['group']!r}, not one of its "
        f"versions: give a version ARN, e.g. {example}"
    )


# Better messages for values that fail a pattern, by botocore shape name, and their source.
_PATTERN_HINTS: Mapping[str, tuple[Callable[[str], str | None], str]] = {
    # The API reference asks for the ARN of a versioned model package.
    "ModelPackageArn": (package_group_hint, API_INPUT),
}


def _type_problem(node: ShapeNode, value: object) -> str | None:
    """Return what is wrong with ``value``'s JSON type for ``node``, if anything."""
    types, name = _TYPES.get(node.kind, ((object,), "anything"))
    if isinstance(value, types) and not (isinstance(value, bool) and bool not in types):
        return None
    return f"{show(value)} is not {name} (it is {kind_of(value)})"


def _model_problem(path: Path, message: str) -> Problem:
    return Problem(path, message, from_model=True)


def _items_word(count: float) -> str:
    return "item" if count == 1 else "items"


def _check_count(node: ShapeNode, value: Sized, path: Path) -> Iterator[Problem]:
    count = len(value)
    if node.min is not None and count < node.min:
        yield _model_problem(
            path,
            f"must have at least {node.min} {_items_word(node.min)} (it has {count})",
        )
    if node.max is not None and count > node.max:
        yield _model_problem(
            path,
            f"must have at most {node.max} {_items_word(node.max)} (it has {count})",
        )


def _enum_message(node: ShapeNode, value: str) -> str:
    if len(node.enum) <= _LISTED_ENUM_LIMIT:
        guess = suggestion(value, node.enum)
        hint = f" (did you mean {guess}?)" if guess else ""
        return f"{show(value)} must be one of {', '.join(node.enum)}{hint}"
    noun, example, prefix = _LARGE_ENUMS.get(
        node.name, (f"one of the {len(node.enum)} values of {node.name}", node.enum[0], "")
    )
    guess = suggestion(value, node.enum, prefix=prefix)
    hint = f" (did you mean {guess}?)" if guess else f" (e.g. {example})"
    return f"{show(value)} is not {noun} in botocore's model{hint}"


def _check_string(node: ShapeNode, value: str, path: Path) -> Iterator[Problem]:
    length = len(value)
    if node.min is not None and length < node.min:
        yield _model_problem(path, f"{show(value)} is shorter than the minimum length {node.min}")
    if node.max is not None and length > node.max:
        yield _model_problem(
            path,
            f"{show(value)} is longer than the maximum length {node.max} (it has {length})",
        )
    if node.regex is not None and node.regex.fullmatch(value) is None:
        explain, source = _PATTERN_HINTS.get(node.name, (None, None))
        hint = explain(value) if explain is not None else None
        if hint is not None:
            yield Problem(path, hint, source=source, from_model=True)
        else:
            yield _model_problem(path, f"{show(value)} must match pattern ^{node.pattern}$")
    if node.enum and value not in node.enum:
        yield _model_problem(path, _enum_message(node, value))


def _check_number(node: ShapeNode, value: float, path: Path) -> Iterator[Problem]:
    if node.min is not None and value < node.min:
        yield _model_problem(path, f"{show(value)} is below the minimum {node.min}")
    if node.max is not None and value > node.max:
        yield _model_problem(path, f"{show(value)} is above the maximum {node.max}")


def _check_structure(
    node: ShapeNode, value: Mapping[object, object], path: Path, reader: Reader, *, top: bool
) -> Iterator[Problem]:
    for key, member_value in value.items():
        if not isinstance(key, str):
            yield _model_problem(path, f"has a key {show(key)} that is not a string")
        elif key not in node.members:
            if not reader.unresolved(key):
                allowed = ", ".join(sorted(node.members))
                yield _model_problem(
                    (*path, key), f"is not a member of {node.name} (allowed: {allowed})"
                )
        elif member_value is not None:
            yield from check_value(node.members[key], member_value, (*path, key), reader)
    for member in node.required:
        if value.get(member) is None and not (top and member in reader.generated):
            yield _model_problem((*path, member), "is required")


def _check_members(
    node: ShapeNode, value: Mapping[object, object], path: Path, reader: Reader
) -> Iterator[Problem]:
    """Check an object: a structure's members, or a map's entries."""
    if node.kind == "structure":
        yield from _check_structure(node, value, path, reader, top=not path)
    elif node.item is not None:
        yield from _check_count(node, value, path)
        for key, item in value.items():
            yield from check_value(node.item, item, (*path, str(key)), reader)


def _check_items(
    node: ShapeNode, value: Sequence[object], path: Path, reader: Reader
) -> Iterator[Problem]:
    """Check a list: its length, then each item."""
    yield from _check_count(node, value, path)
    if node.item is not None:
        for index, item in enumerate(value):
            yield from check_value(node.item, item, (*path, index), reader)


def check_value(node: ShapeNode, value: object, path: Path, reader: Reader) -> Iterator[Problem]:
    """Check ``value`` against everything the model declares for ``node``."""
    if reader.unresolved(value):
        return
    wrong_type = _type_problem(node, value)
    if wrong_type is not None:
        yield _model_problem(path, wrong_type)
    elif isinstance(value, Mapping):
        yield from _check_members(node, value, path, reader)
    elif isinstance(value, list | tuple):
        yield from _check_items(node, value, path, reader)
    elif isinstance(value, str):
        yield from _check_string(node, value, path)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield from _check_number(node, value, path)
