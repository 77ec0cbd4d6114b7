"""CDK's ``Token.is_unresolved``, answered in Python for strings, numbers and lists.

Every ``cdk.Token.is_unresolved`` call crosses into Node.js, and validation asks about every
leaf of a request. For strings, numbers and lists CDK's answer depends only on its token
encodings, which this module reads the same way (aws-cdk-lib ``core/lib/private/encoding.ts``,
``unresolved``): a string is a token if it contains ``Token[`` and matches
``${Token[KEY]}`` or a stringified number token; a one-item list if that item matches
``#{Token[KEY]}``; a number if its high bits carry CDK's marker. Anything else (an object that
may implement ``IResolvable``) still goes to CDK, imported only then, so plain values never start
jsii's Node.js. ``tests/test_tokens.py`` checks the answers against CDK's own for tokens of every
kind.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping

__all__ = ["is_unresolved"]

_ANY_TOKEN_MARKER = "Token["  # noqa: S105 (a marker, not a secret)
_KEY = "[a-zA-Z0-9:._-]+"  # VALID_KEY_CHARS
_STRING_TOKEN = re.compile(rf"\$\{{Token\[{_KEY}\]\}}|-1\.\d{{10,16}}e\+289")
_LIST_TOKEN = re.compile(rf"#\{{Token\[{_KEY}\]\}}")
# createTokenDouble: the high 32 bits of the double hold this marker in their top 16 bits.
_DOUBLE_MARKER_MASK = 0xFFFF0000
_DOUBLE_MARKER_BITS = 0xFBFF0000  # DOUBLE_TOKEN_MARKER_BITS, -67174400, as an unsigned int


def _string_is_token(text: str) -> bool:
    return _ANY_TOKEN_MARKER in text and _STRING_TOKEN.search(text) is not None


def _number_is_token(number: float) -> bool:
    high: int = struct.unpack("<2I", struct.pack("<d", number))[1]
    return high & _DOUBLE_MARKER_MASK == _DOUBLE_MARKER_BITS


def is_unresolved(value: object) -> bool:
    """Return ``cdk.Token.is_unresolved(value)``, without a Node.js call for plain values."""
    if value is None or isinstance(value, bool | Mapping):
        return False
    if isinstance(value, str):
        return _string_is_token(value)
    if isinstance(value, int | float):
        try:
            return _number_is_token(float(value))  # jsii sends every number as a double
        except OverflowError:
            return False
    if isinstance(value, list | tuple):
        # CDK reads only a one-item list holding a list-token string as a token.
        return (
            len(value) == 1
            and isinstance(value[0], str)
            and _LIST_TOKEN.search(value[0]) is not None
        )
    # Only here is aws_cdk imported: plain JSON values (``infrec validate``, ``infrec estimate``)
    # never start jsii's Node.js, and whoever holds another object has imported aws_cdk anyway.
    import aws_cdk as cdk  # noqa: PLC0415

    return cdk.Token.is_unresolved(value)
