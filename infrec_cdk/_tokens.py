"""CDK's ``Token.is_unresolved``, asking Node.js only about values that can hold a token.

Every ``cdk.Token.is_unresolved`` call crosses into Node.js. A plain Python string, number or
mapping cannot be a token unless it carries one of CDK's token encodings, which this module
recognizes in Python; only such values (and objects that may implement ``IResolvable``) go to
CDK for the answer. CDK's encodings (aws-cdk-lib ``core/lib/private/encoding.ts``): strings hold
``${Token[NAME.123]}``, lists a single ``#{Token[NAME.123]}`` string, numbers a double near
``-1.8881545897087626e+289``, which stays ``...e+289`` when a number token is put in a string.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import aws_cdk as cdk

__all__ = ["is_unresolved"]

# Every string or list encoding of a token contains one of these.
_STRING_MARKERS = ("Token[", "e+289")
# CDK encodes number tokens as doubles of this magnitude (no real request number comes close).
_NUMBER_TOKEN_MAGNITUDE = 1e280


def _may_hold_token(text: str) -> bool:
    return any(marker in text for marker in _STRING_MARKERS)


def is_unresolved(value: object) -> bool:
    """Return ``cdk.Token.is_unresolved(value)``, without a Node.js call for plain values."""
    if value is None or isinstance(value, bool | int | Mapping):
        return False
    if isinstance(value, str):
        return _may_hold_token(value) and cdk.Token.is_unresolved(value)
    if isinstance(value, float):
        # Infinities and NaN are never tokens (and jsii cannot send them to Node.js at all).
        could_be_token = math.isfinite(value) and abs(value) >= _NUMBER_TOKEN_MAGNITUDE
        return could_be_token and cdk.Token.is_unresolved(value)
    if isinstance(value, list | tuple):
        # CDK reads only a one-item list of a list-token string as a token.
        return (
            len(value) == 1
            and isinstance(value[0], str)
            and _may_hold_token(value[0])
            and cdk.Token.is_unresolved(list(value))
        )
    return cdk.Token.is_unresolved(value)
