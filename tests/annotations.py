"""Read the warnings and errors CDK records on a stack (this module holds no tests)."""

from __future__ import annotations

import re

import aws_cdk as cdk
from aws_cdk.assertions import Annotations, Match

_ACK = re.compile(r"\[ack: (?P<id>[^\]]+)\]$")


# Every job warns with its worst-case instance-hours (tests/test_recommender.py checks it).
ESTIMATE = "infrec-cdk:instanceHours"


def warning_ids(stack: cdk.Stack, *, with_estimates: bool = False) -> list[str]:
    """The acknowledgeable id of every warning in ``stack``, sorted (estimates left out)."""
    found = Annotations.from_stack(stack).find_warning("*", Match.any_value())
    ids = (m["id"] for w in found if (m := _ACK.search(str(w.entry.data))) is not None)
    return sorted(i for i in ids if with_estimates or i != ESTIMATE)


def error_messages(stack: cdk.Stack) -> list[str]:
    """Every error annotation of ``stack`` (synthesizes it), each with its construct path."""
    found = Annotations.from_stack(stack).find_error("*", Match.any_value())
    return [f"[{e.id}] {e.entry.data}" for e in found]
