"""Read the warnings CDK records on a stack (this module holds no tests)."""

from __future__ import annotations

import re

import aws_cdk as cdk
from aws_cdk.assertions import Annotations, Match

_ACK = re.compile(r"\[ack: (?P<id>[^\]]+)\]$")


def warning_ids(stack: cdk.Stack) -> list[str]:
    """The acknowledgeable id of every warning in ``stack``, sorted."""
    found = Annotations.from_stack(stack).find_warning("*", Match.any_value())
    return sorted(m["id"] for w in found if (m := _ACK.search(str(w.entry.data))) is not None)
