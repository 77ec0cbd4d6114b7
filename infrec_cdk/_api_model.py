"""CreateInferenceRecommendationsJob's input shape, read once from the installed botocore model.

botocore declares the API's constraints (required members, lengths, patterns, enums, ranges, list
sizes) but enforces only some of them client-side; this module turns the model into a small tree
of ``ShapeNode`` values that ``infrec_cdk._validation`` walks, and lists every constraint as a
``ModelConstraint``. The model's patterns are Java regular expressions: ``java_regex`` translates
them into Python ones with the same meaning.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import botocore.session
from botocore.model import ListShape, MapShape, Shape, StringShape, StructureShape

__all__ = [
    "ModelConstraint",
    "ShapeNode",
    "UnsupportedPatternError",
    "input_shape",
    "java_regex",
    "model_constraints",
]

SERVICE = "sagemaker"
OPERATION = "CreateInferenceRecommendationsJob"


class UnsupportedPatternError(ValueError):
    """A Java pattern uses syntax that ``java_regex`` does not translate."""


@dataclass(frozen=True, slots=True)
class ModelConstraint:
    """One constraint botocore's model declares on the request.

    ``path`` names the value (``[]`` marks list items), e.g.
    ``InputConfig.TrafficPattern.Phases[].DurationInSeconds``; for ``required`` it is the
    required member's own path and ``value`` its name.
    """

    path: str
    kind: str
    value: object


@dataclass(frozen=True, slots=True, kw_only=True)
class ShapeNode:
    """A botocore shape, reduced to what validation needs."""

    name: str
    kind: str
    members: Mapping[str, ShapeNode] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    item: ShapeNode | None = None
    min: int | float | None = None
    max: int | float | None = None
    pattern: str | None = None
    regex: re.Pattern[str] | None = None
    enum: tuple[str, ...] = ()


# --- Java regular expressions -------------------------------------------------------------------

# Java's `.` (without DOTALL) matches anything but its line terminators.
_JAVA_DOT = "[^\\n\\r\\u0085\\u2028\\u2029]"
# Under re.ASCII these mean exactly what Java's do by default (ASCII-only classes).
_ASCII_CLASSES = frozenset("wWdDsS")
_SIMPLE_ESCAPES = {"t": "\\t", "n": "\\n", "r": "\\r", "f": "\\f", "a": "\\a", "e": "\\x1b"}


@functools.cache
def _category_table() -> Mapping[str, tuple[tuple[int, int], ...]]:
    """Return each two-letter Unicode general category as code-point ranges."""
    table: dict[str, list[tuple[int, int]]] = {}
    previous = unicodedata.category("\0")
    start = 0
    for code in range(1, sys.maxunicode + 1):
        category = unicodedata.category(chr(code))
        if category != previous:
            table.setdefault(previous, []).append((start, code - 1))
            previous, start = category, code
    table.setdefault(previous, []).append((start, sys.maxunicode))
    return {name: tuple(ranges) for name, ranges in table.items()}


@functools.cache
def _category_class_body(name: str) -> str:
    r"""Return the inside of a character class matching Java's ``\p{name}``."""
    bare = name.removeprefix("Is")
    table = _category_table()
    if bare not in table and bare not in {category[0] for category in table}:
        raise UnsupportedPatternError(f"\\p{{{name}}} is not a Unicode general category")
    ranges = sorted(
        span for category, spans in table.items() if category.startswith(bare) for span in spans
    )
    return "".join(
        f"\\U{low:08x}" if low == high else f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges
    )


def _property(pattern: str, start: int, *, in_class: bool) -> tuple[str, int]:
    r"""Translate ``\p{..}`` or ``\P{..}`` at ``start``; return it and the index after it."""
    negated = pattern[start + 1] == "P"
    if pattern.startswith("{", start + 2):
        end = pattern.find("}", start + 3)
        if end < 0:
            raise UnsupportedPatternError("unterminated \\p{")
        name, after = pattern[start + 3 : end], end + 1
    else:
        name, after = pattern[start + 2 : start + 3], start + 3
    body = _category_class_body(name)
    if in_class:
        if negated:
            raise UnsupportedPatternError("\\P{..} inside a character class")
        return body, after
    return (f"[^{body}]" if negated else f"[{body}]"), after


def _escape(pattern: str, start: int, *, in_class: bool) -> tuple[str, int]:
    """Translate the escape at ``start`` (a backslash); return it and the index after it."""
    if start + 1 >= len(pattern):
        raise UnsupportedPatternError("trailing backslash")
    letter = pattern[start + 1]
    if letter in "pP":
        return _property(pattern, start, in_class=in_class)
    if letter in _ASCII_CLASSES:
        return "\\" + letter, start + 2
    if letter in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[letter], start + 2
    if letter == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", pattern[start + 2 : start + 6]):
        return pattern[start : start + 6], start + 6
    if letter == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", pattern[start + 2 : start + 4]):
        return pattern[start : start + 4], start + 4
    if letter.isascii() and letter.isalnum():
        raise UnsupportedPatternError(f"\\{letter}")
    return "\\" + letter, start + 2


def _char_class(pattern: str, start: int) -> tuple[str, int]:
    """Translate the character class opening at ``start``; return it and the index after it."""
    out = ["["]
    index = start + 1
    if pattern.startswith("^", index):
        out.append("^")
        index += 1
    if pattern.startswith("]", index):
        raise UnsupportedPatternError("']' first in a character class")
    after_class_escape = False
    while index < len(pattern):
        char = pattern[index]
        if char == "]":
            out.append("]")
            return "".join(out), index + 1
        if char == "\\":
            letter = pattern[index + 1 : index + 2]
            piece, index = _escape(pattern, index, in_class=True)
            out.append(piece)
            after_class_escape = letter in _ASCII_CLASSES or letter in {"p", "P"}
            continue
        if char == "[" or pattern.startswith(("&&", "--"), index):
            raise UnsupportedPatternError("nested classes and class operators")
        # Escaped so Python sees neither set operators nor a range from a class escape.
        out.append("\\" + char if char in "&~|" or (char == "-" and after_class_escape) else char)
        after_class_escape = False
        index += 1
    raise UnsupportedPatternError("unterminated character class")


def _group_opening(pattern: str, start: int) -> tuple[str, int]:
    """Translate the ``(`` at ``start`` (named groups differ); return it and the index after."""
    if not pattern.startswith("(?", start):
        return "(", start + 1
    if pattern.startswith(("(?:", "(?=", "(?!", "(?<=", "(?<!", "(?>"), start):
        return "(", start + 1
    if pattern.startswith("(?<", start):
        return "(?P<", start + 3
    raise UnsupportedPatternError("inline flags")


def java_regex(pattern: str) -> re.Pattern[str]:
    r"""Compile a Java regular expression (as used by AWS models) into an equivalent Python one.

    Match it with ``fullmatch``. ``\p{..}`` becomes explicit code-point ranges, ``.`` excludes
    Java's line terminators and ``\w``, ``\d``, ``\s`` stay ASCII, as in Java.

    Raises
    ------
    UnsupportedPatternError
        If the pattern uses syntax this translation does not cover.
    """
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            piece, index = _escape(pattern, index, in_class=False)
        elif char == "[":
            piece, index = _char_class(pattern, index)
        elif char == "(":
            piece, index = _group_opening(pattern, index)
        else:
            piece, index = (_JAVA_DOT if char == "." else char), index + 1
        out.append(piece)
    try:
        return re.compile("".join(out), re.ASCII)
    except re.error as error:
        raise UnsupportedPatternError(str(error)) from error


# --- the model ----------------------------------------------------------------------------------


def _bound(shape: Shape, key: str) -> int | float | None:
    value = shape.metadata.get(key)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _regex_or_none(pattern: str | None) -> re.Pattern[str] | None:
    """Compile a model pattern; an untranslatable one is left unchecked (a test guards this)."""
    if pattern is None:
        return None
    try:
        return java_regex(pattern)
    except UnsupportedPatternError:
        return None


def _node(shape: Shape, enclosing: frozenset[str]) -> ShapeNode:
    """Reduce ``shape``; a shape that contains itself is left unchecked below the first level."""
    if shape.name in enclosing:
        return ShapeNode(name=shape.name, kind="any")
    inside = enclosing | {shape.name}
    members: dict[str, ShapeNode] = {}
    required: tuple[str, ...] = ()
    item: ShapeNode | None = None
    pattern: str | None = None
    enum: tuple[str, ...] = ()
    if isinstance(shape, StructureShape):
        members = {name: _node(member, inside) for name, member in shape.members.items()}
        required = tuple(shape.required_members)
    elif isinstance(shape, ListShape):
        item = _node(shape.member, inside)
    elif isinstance(shape, MapShape):
        item = _node(shape.value, inside)
    elif isinstance(shape, StringShape):
        declared = shape.metadata.get("pattern")
        pattern = declared if isinstance(declared, str) else None
        enum = tuple(shape.enum or ())
    return ShapeNode(
        name=shape.name,
        kind=shape.type_name,
        members=members,
        required=required,
        item=item,
        min=_bound(shape, "min"),
        max=_bound(shape, "max"),
        pattern=pattern,
        regex=_regex_or_none(pattern),
        enum=enum,
    )


@functools.cache
def input_shape() -> ShapeNode:
    """Return the operation's input shape from the installed botocore model."""
    service = botocore.session.get_session().get_service_model(SERVICE)
    shape = service.operation_model(OPERATION).input_shape
    if shape is None:  # pragma: no cover - the operation always has an input
        raise LookupError(f"{OPERATION} has no input shape")
    return _node(shape, frozenset())


def _join(path: str, member: str) -> str:
    return f"{path}.{member}" if path else member


_BOUND_KINDS = {
    "string": ("min-length", "max-length"),
    "list": ("min-items", "max-items"),
    "map": ("min-items", "max-items"),
}


def _constraints(node: ShapeNode, path: str) -> Iterator[ModelConstraint]:
    for member in node.required:
        yield ModelConstraint(_join(path, member), "required", member)
    low, high = _BOUND_KINDS.get(node.kind, ("min", "max"))
    if node.min is not None:
        yield ModelConstraint(path, low, node.min)
    if node.max is not None:
        yield ModelConstraint(path, high, node.max)
    if node.pattern is not None:
        yield ModelConstraint(path, "pattern", node.pattern)
    if node.enum:
        yield ModelConstraint(path, "enum", node.enum)
    if node.item is not None:
        yield from _constraints(node.item, f"{path}[]")
    for name, child in node.members.items():
        yield from _constraints(child, _join(path, name))


@functools.cache
def model_constraints() -> tuple[ModelConstraint, ...]:
    """Every constraint botocore's model declares on the CreateInferenceRecommendationsJob input."""
    return tuple(_constraints(input_shape(), ""))
