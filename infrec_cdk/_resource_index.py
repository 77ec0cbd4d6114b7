"""The CloudFormation resources of a stack, each asked of Node.js once per process.

A waiting job's request digest looks up the stack's resources by logical id (``_waiting``). A
walk that asked Node.js for every construct's path and logical id cost four round trips per
construct and job: 50 waiting jobs in a stack made that quadratic (about 200 calls for the 50th
job alone). A construct's path and its logical-id token never change once it exists, so they are
kept here, per stack, under jsii's reference of the construct (the one identity a construct
made in Node.js keeps: each ``find_all`` returns new Python objects for those); a logical-id
token is resolved when asked, so an ``override_logical_id`` made later still counts.
"""

from __future__ import annotations

import weakref
from typing import NamedTuple

import aws_cdk as cdk
from constructs import IConstruct

from infrec_cdk._jsii_types import is_cfn_resource

__all__ = ["CfnResourceEntry", "cfn_resources"]


class CfnResourceEntry(NamedTuple):
    """A CloudFormation resource, its construct path, and its logical id as a token."""

    resource: cdk.CfnResource
    path: str
    logical_id: str


# Per stack: jsii reference of every construct seen -> its entry (None: not a CfnResource).
_SEEN: weakref.WeakKeyDictionary[cdk.Stack, dict[str, CfnResourceEntry | None]] = (
    weakref.WeakKeyDictionary()
)


def cfn_resources(stack: cdk.Stack) -> list[CfnResourceEntry]:
    """Return every CloudFormation resource under ``stack``, in ``find_all`` order."""
    seen = _SEEN.setdefault(stack, {})
    found: list[CfnResourceEntry] = []
    for construct in stack.node.find_all():
        reference = _reference(construct)
        if reference is not None and reference in seen:
            entry = seen[reference]  # any proxy of a construct stands for it
        else:
            entry = _entry(construct)
            if reference is not None:
                seen[reference] = entry
        if entry is not None:
            found.append(entry)
    return found


def _entry(construct: IConstruct) -> CfnResourceEntry | None:
    if not is_cfn_resource(construct):
        return None
    return CfnResourceEntry(construct, construct.node.path, construct.logical_id)


def _reference(construct: IConstruct) -> str | None:
    """Jsii's reference of ``construct`` (``None`` if this jsii runtime has no such attribute)."""
    reference = getattr(getattr(construct, "__jsii_ref__", None), "ref", None)
    return reference if isinstance(reference, str) else None
