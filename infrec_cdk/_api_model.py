r"""CreateInferenceRecommendationsJob's input shape, read once from the installed botocore model.

botocore declares the API's constraints (required members, lengths, patterns, enums, ranges, list
sizes) but enforces only some of them client-side; this module turns the model into a small tree
of ``ShapeNode`` values that ``infrec_cdk._validation`` walks, and lists every constraint as a
``ModelConstraint``. The model's patterns are Java regular expressions: ``java_regex`` translates
them into ``regex`` ones (the ``regex`` package knows Unicode general categories, ``\p{L}``)
with the same meaning.

The model is read as botocore ships it (``botocore/data/sagemaker/<latest>/service-2.json``),
without importing botocore's client machinery: a synth needs one operation's shapes, not a
client. ``tests/test_validation_model.py`` checks the tree against botocore's own ``Shape``
classes.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.util
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from infrec_cdk import _model_cache

__all__ = [
    "ModelConstraint",
    "ShapeNode",
    "UnsupportedPatternError",
    "input_shape",
    "java_regex",
    "model_constraints",
    "operation_input_shape",
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
    regex: regex.Pattern[str] | None = None
    enum: tuple[str, ...] = ()
    union: bool = False
    """A tagged union (botocore's ``union`` trait): exactly one member may be set."""


# --- Java regular expressions -------------------------------------------------------------------
# https://docs.oracle.com/javase/8/docs/api/java/util/regex/Pattern.html

# Java's `.` (without DOTALL) matches anything but its line terminators.
_JAVA_DOT = "[^\\n\\r\\u0085\\u2028\\u2029]"
# Java's predefined classes are ASCII-only by default (no UNICODE_CHARACTER_CLASS): the members
# of \w, \d and \s, and everything else for \W, \D and \S, as class bodies.
_ASCII_CLASS_BODIES = {
    "w": "A-Za-z0-9_",
    "d": "0-9",
    "s": " \\t\\n\\x0b\\f\\r",
    "W": "\\x00-/:-@\\[-^`{-\\U0010ffff",
    "D": "\\x00-/:-\\U0010ffff",
    "S": "\\x00-\\x08\\x0e-\\x1f!-\\U0010ffff",
}
_SIMPLE_ESCAPES = {"t": "\\t", "n": "\\n", "r": "\\r", "f": "\\f", "a": "\\a", "e": "\\x1b"}
# Java's \p{..} general categories (with or without Java's "Is" prefix); scripts and blocks
# (\p{Latin}, \p{InGreek}) are not translated.
_GENERAL_CATEGORIES = frozenset(
    {
        *("L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No"),
        *("P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So"),
        *("Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Cs", "Co", "Cn"),
    }
)


def _property(pattern: str, start: int) -> tuple[str, int]:
    r"""Translate ``\p{..}`` or ``\P{..}`` at ``start``; return it and the index after it."""
    letter = pattern[start + 1]
    if pattern.startswith("{", start + 2):
        end = pattern.find("}", start + 3)
        if end < 0:
            raise UnsupportedPatternError("unterminated \\p{")
        name, after = pattern[start + 3 : end], end + 1
    else:
        name, after = pattern[start + 2 : start + 3], start + 3
    category = name.removeprefix("Is")
    if category not in _GENERAL_CATEGORIES:
        raise UnsupportedPatternError(f"\\{letter}{{{name}}} is not a Unicode general category")
    return f"\\{letter}{{{category}}}", after


def _escape(pattern: str, start: int, *, in_class: bool) -> tuple[str, int]:
    """Translate the escape at ``start`` (a backslash); return it and the index after it."""
    if start + 1 >= len(pattern):
        raise UnsupportedPatternError("trailing backslash")
    letter = pattern[start + 1]
    if letter in "pP":
        return _property(pattern, start)
    if letter in _ASCII_CLASS_BODIES:
        body = _ASCII_CLASS_BODIES[letter]
        return (body if in_class else f"[{body}]"), start + 2
    if letter in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[letter], start + 2
    if letter == "u" and regex.fullmatch(r"[0-9a-fA-F]{4}", pattern[start + 2 : start + 6]):
        return pattern[start : start + 6], start + 6
    if letter == "x" and regex.fullmatch(r"[0-9a-fA-F]{2}", pattern[start + 2 : start + 4]):
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
            after_class_escape = letter in _ASCII_CLASS_BODIES or letter in {"p", "P"}
            continue
        if char == "[" or pattern.startswith(("&&", "--"), index):
            raise UnsupportedPatternError("nested classes and class operators")
        # Escaped so the regex package sees neither set operators nor a range from a class
        # escape.
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


def java_regex(pattern: str) -> regex.Pattern[str]:
    r"""Compile a Java regular expression (as used by AWS models) into an equivalent one.

    Match it with ``fullmatch``. ``\p{..}`` stays a Unicode general category, ``.`` excludes
    Java's line terminators and ``\w``, ``\d``, ``\s`` (and their negations) stay ASCII, as
    in Java.

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
        return regex.compile("".join(out))
    except regex.error as error:
        raise UnsupportedPatternError(str(error)) from error


# --- the model ----------------------------------------------------------------------------------

RawShape = Mapping[str, Any]


def _model_file() -> Path:
    """Return the installed botocore's SageMaker model: its newest API version, as botocore picks.

    botocore's loader chooses the highest API version folder of a service (``Loader.
    determine_latest_version``) and reads ``service-2.json``, compressed or not.
    """
    spec = importlib.util.find_spec("botocore")
    if spec is None or spec.origin is None:  # pragma: no cover - botocore is a dependency
        raise LookupError("botocore is not installed")
    service = Path(spec.origin).parent / "data" / SERVICE
    latest = max(folder for folder in service.iterdir() if folder.is_dir())
    for name in ("service-2.json.gz", "service-2.json"):
        if (latest / name).is_file():
            return latest / name
    raise LookupError(f"botocore has no {SERVICE} model in {latest}")  # pragma: no cover


def _raw_model() -> Mapping[str, Any]:
    path = _model_file()
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    model: Mapping[str, Any] = json.loads(data)
    return model


_REFERENCE_ONLY = frozenset({"shape", "documentation"})


def _resolve(reference: RawShape, shapes: Mapping[str, RawShape]) -> tuple[str, RawShape]:
    """Return the name and traits of the shape ``reference`` points at in ``shapes``.

    A reference may carry traits of its own, which override the shape's (botocore's
    ``ShapeResolver.resolve_shape_ref``).
    """
    name = str(reference["shape"])
    shape = shapes[name]
    extra = {key: value for key, value in reference.items() if key not in _REFERENCE_ONLY}
    return name, ({**shape, **extra} if extra else shape)


def _bound(shape: RawShape, key: str) -> int | float | None:
    value = shape.get(key)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _regex_or_none(pattern: str | None) -> regex.Pattern[str] | None:
    """Compile a model pattern; an untranslatable one is left unchecked (a test guards this)."""
    if pattern is None:
        return None
    try:
        return java_regex(pattern)
    except UnsupportedPatternError:
        return None


def _node(
    name: str, shape: RawShape, shapes: Mapping[str, RawShape], enclosing: frozenset[str]
) -> ShapeNode:
    """Reduce ``shape`` (its references point into ``shapes``).

    A shape that contains itself is left unchecked below the first level.
    """
    kind = str(shape["type"])
    if name in enclosing:
        return ShapeNode(name=name, kind="any")
    inside = enclosing | {name}
    members: dict[str, ShapeNode] = {}
    item: ShapeNode | None = None
    pattern: str | None = None
    enum: tuple[str, ...] = ()
    if kind == "structure":
        members = {
            member: _node(*_resolve(reference, shapes), shapes, inside)
            for member, reference in shape.get("members", {}).items()
        }
    elif kind == "list":
        item = _node(*_resolve(shape["member"], shapes), shapes, inside)
    elif kind == "map":
        item = _node(*_resolve(shape["value"], shapes), shapes, inside)
    elif kind == "string":
        declared = shape.get("pattern")
        pattern = declared if isinstance(declared, str) else None
        enum = tuple(shape.get("enum", ()))
    return ShapeNode(
        name=name,
        kind=kind,
        members=members,
        required=tuple(shape.get("required", ())) if kind == "structure" else (),
        item=item,
        min=_bound(shape, "min"),
        max=_bound(shape, "max"),
        pattern=pattern,
        regex=_regex_or_none(pattern),
        enum=enum,
        union=kind == "structure" and shape.get("union") is True,
    )


# Raise when what ``_operation_shapes`` stores changes, so that older cache entries are not read.
_CACHE_FORMAT = 1


def _reachable(name: str, shapes: Mapping[str, RawShape], found: dict[str, RawShape]) -> None:
    """Add the shape ``name`` and every shape it refers to, from ``shapes``, to ``found``."""
    if name in found:
        return
    shape = found[name] = shapes[name]
    references = list(shape.get("members", {}).values())
    references += [shape[key] for key in ("member", "key", "value") if key in shape]
    for reference in references:
        _reachable(str(reference["shape"]), shapes, found)


@functools.cache
def _digest(path: Path) -> str:
    """Return the SHA-256 of the model file at ``path`` (read once a process)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _operation_shapes(operation: str) -> Mapping[str, Any]:
    """Return ``operation``'s input reference and the shapes it reaches (``_model_cache``).

    ``{"input": reference, "shapes": {...}}``, from the cache when it holds this model's entry.
    """
    key = f"{SERVICE}-{operation}-{_digest(_model_file())[:32]}-{_CACHE_FORMAT}"
    cached = _model_cache.read(key)
    if cached is not None and isinstance(cached.get("shapes"), dict) and "input" in cached:
        return cached
    model = _raw_model()
    reference = model["operations"][operation]["input"]
    shapes: dict[str, RawShape] = {}
    _reachable(str(reference["shape"]), model["shapes"], shapes)
    entry = {"input": reference, "shapes": shapes}
    _model_cache.write(key, entry)
    return entry


@functools.cache
def operation_input_shape(operation: str) -> ShapeNode:
    """Return the input shape of SageMaker's ``operation`` from the installed botocore model."""
    found = _operation_shapes(operation)
    shapes: Mapping[str, RawShape] = found["shapes"]
    return _node(*_resolve(found["input"], shapes), shapes, frozenset())


def input_shape() -> ShapeNode:
    """Return CreateInferenceRecommendationsJob's input shape from the installed botocore model."""
    return operation_input_shape(OPERATION)


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
