"""What both layers of request validation share: findings, token-aware reading, short values.

Pure Python, no CDK import: the caller injects ``is_unresolved`` (CDK's ``Token.is_unresolved``).
"""

from __future__ import annotations

import difflib
import re
import reprlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "Path",
    "Problem",
    "Reader",
    "kind_of",
    "present",
    "render_path",
    "show",
    "suggestion",
]

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding at ``path``.

    ``source`` is where the rule comes from (a URL); ``None`` for the constraints botocore's model
    declares. ``warning`` is the annotation id of a finding that is only a warning.
    ``refines`` marks a rule check on a value the model may already reject (then it is dropped).
    """

    path: Path
    message: str
    source: str | None = None
    from_model: bool = False
    refines: bool = True
    warning: str | None = None

    def text(self) -> str:
        """Return ``"Path: message"``, citing the source when there is one."""
        cited = f" (source: {self.source})" if self.source else ""
        return f"{render_path(self.path)}: {self.message}{cited}"


# --- reading values -----------------------------------------------------------------------------


class _ShortRepr(reprlib.Repr):
    """``reprlib.Repr`` that also survives integers too long to print."""

    def repr_int(self, x: int, level: int) -> str:
        """Return ``x``, or its size when Python refuses to print that many digits."""
        if x.bit_length() > _MAX_PRINTED_BITS:
            return f"<an integer of about {int(x.bit_length() * 0.30103) + 1} digits>"
        return super().repr_int(x, level)


_MAX_PRINTED_BITS = 1024
_REPR = _ShortRepr()
# Long enough for a whole ARN in a message (a model package version ARN is about 80 characters).
_REPR.maxstring = 120
_REPR.maxother = 60
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = 4
_REPR.maxlevel = 3
_SHOWN = 120


def show(value: object) -> str:
    """Return a short repr of ``value`` (at most about 120 characters)."""
    text = _REPR.repr(value)
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN - 3]}..."


_JSON_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (type(None), "null"),
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a float"),
    (str, "a string"),
    (Mapping, "an object"),
    ((list, tuple), "a list"),
)


def kind_of(value: object) -> str:
    """Describe ``value``'s type in JSON words."""
    for types, word in _JSON_KINDS:
        if isinstance(value, types):
            return word
    return f"a {type(value).__name__}"


def suggestion(value: str, choices: Sequence[str], *, prefix: str = "") -> str | None:
    """Return the choice ``value`` was probably meant to be, if any.

    A value missing only the choices' common ``prefix`` (``m5.xlarge`` for ``ml.m5.xlarge``) or
    differing only in case is that choice; otherwise the closest spelling, if close enough.
    """
    folded = {choice.casefold(): choice for choice in choices}
    for candidate in (value, prefix + value):
        if candidate.casefold() in folded:
            return folded[candidate.casefold()]
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.8)
    return close[0] if close else None


@dataclass(frozen=True, slots=True)
class Reader:
    """Typed, token-aware access to request values: an unresolved value reads as unknown.

    ``generated`` names top-level members the caller fills in later (never "required").
    """

    is_unresolved: Callable[[object], bool]
    generated: frozenset[str] = frozenset()

    def unresolved(self, value: object) -> bool:
        """Return whether ``value`` is (or holds) an unresolved token."""
        try:
            return bool(self.is_unresolved(value))
        except Exception:  # noqa: BLE001 (CDK's predicate raises on foreign objects: no token)
            return False

    def mapping(self, value: object) -> Mapping[str, object] | None:
        """Return ``value`` if it is a known object."""
        if not isinstance(value, Mapping) or self.unresolved(value):
            return None
        return value

    def items(self, value: object) -> Sequence[object] | None:
        """Return ``value`` if it is a known list."""
        if not isinstance(value, list | tuple) or self.unresolved(value):
            return None
        return value

    def integer(self, value: object) -> int | None:
        """Return ``value`` if it is a known integer (not a boolean)."""
        if isinstance(value, bool) or not isinstance(value, int) or self.unresolved(value):
            return None
        return value

    def string(self, value: object) -> str | None:
        """Return ``value`` if it is a known string."""
        if not isinstance(value, str) or self.unresolved(value):
            return None
        return value


def present(parent: Mapping[str, object] | None, member: str) -> bool:
    """Return whether ``member`` is given (``None`` is absent: CDK drops it when rendering)."""
    return parent is not None and parent.get(member) is not None


_PLAIN_MEMBER = re.compile(r"[A-Za-z0-9_]+")


def render_path(path: Path) -> str:
    """Return ``path`` as ``InputConfig.TrafficPattern.Phases[1].DurationInSeconds``."""
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif _PLAIN_MEMBER.fullmatch(segment) is None:
            text += f"[{show(segment)}]"
        else:
            text += f".{segment}" if text else segment
    return text or "request"
