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
from collections.abc import Set as AbstractSet
from typing import NamedTuple

import aws_cdk as cdk
from constructs import IConstruct

from infrec_cdk._jsii_types import is_cfn_resource

__all__ = [
    "CfnResourceEntry",
    "cfn_resources",
    "known_resources_with_logical_ids",
    "resources_with_logical_ids",
]


class CfnResourceEntry(NamedTuple):
    """A CloudFormation resource, its construct path, and its logical id as a token."""

    resource: cdk.CfnResource
    path: str
    logical_id: str


# Per stack: jsii reference of every construct seen -> its entry (None: not a CfnResource).
_SEEN: weakref.WeakKeyDictionary[cdk.Stack, dict[str, CfnResourceEntry | None]] = (
    weakref.WeakKeyDictionary()
)


# Per stack: logical id -> its resource as last found (None: no resource had it), by
# ``resources_with_logical_ids``. A hit is checked against the id's resolution of now.
_BY_LOGICAL_ID: weakref.WeakKeyDictionary[cdk.Stack, dict[str, CfnResourceEntry | None]] = (
    weakref.WeakKeyDictionary()
)


def cfn_resources(stack: cdk.Stack, *, under: IConstruct | None = None) -> list[CfnResourceEntry]:
    """Return every CloudFormation resource of ``stack``, in ``find_all`` order.

    ``under``, a construct of the stack, limits them to its own subtree (itself included).
    """
    seen = _SEEN.setdefault(stack, {})
    found: list[CfnResourceEntry] = []
    for construct in (under or stack).node.find_all():
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


def known_resources_with_logical_ids(
    stack: cdk.Stack, logical_ids: AbstractSet[str], *, outside: str
) -> dict[str, CfnResourceEntry] | None:
    """Return what ``resources_with_logical_ids`` would, from the resources found before.

    ``None`` when an id was not looked up before or names another resource since (one call
    checks them all); then only a walk can tell.
    """
    known = _BY_LOGICAL_ID.setdefault(stack, {})
    if not all(logical_id in known for logical_id in logical_ids):
        return None
    found = _found(known, logical_ids)
    if not _still_named(stack, found):
        return None
    return {i: entry for i, entry in found.items() if not entry.path.startswith(outside)}


def resources_with_logical_ids(
    stack: cdk.Stack, logical_ids: AbstractSet[str], *, outside: str
) -> dict[str, CfnResourceEntry]:
    """Return the stack's resources whose logical id is one of ``logical_ids``, by that id.

    Resources whose path starts with ``outside`` are left out. Waiting jobs of one stack
    usually name the same few resources (a shared role, key and bucket): those found before are
    checked with one call (is each still known by that id?) instead of a walk over the stack.
    Ids that no resource had at the last walk stay unknown: a template parameter, or a resource
    the request could not have named before it existed.
    """
    found = known_resources_with_logical_ids(stack, logical_ids, outside=outside)
    if found is not None:
        return found
    known = _BY_LOGICAL_ID.setdefault(stack, {})
    entries = cfn_resources(stack)
    resolved = stack.resolve([entry.logical_id for entry in entries])  # one call for all
    known.clear()
    known.update(zip((str(i) for i in resolved), entries, strict=True))
    known.update({i: None for i in logical_ids if i not in known})
    found = _found(known, logical_ids)
    return {i: entry for i, entry in found.items() if not entry.path.startswith(outside)}


def _found(
    known: dict[str, CfnResourceEntry | None], logical_ids: AbstractSet[str]
) -> dict[str, CfnResourceEntry]:
    """Return the resources ``known`` holds for ``logical_ids`` (each is a key; None: none)."""
    return {i: entry for i in logical_ids if (entry := known[i]) is not None}


def _still_named(stack: cdk.Stack, entries: dict[str, CfnResourceEntry]) -> bool:
    """Whether each entry's logical id still resolves to its key (no override since)."""
    if not entries:
        return True
    resolved = stack.resolve([entry.logical_id for entry in entries.values()])
    return [str(i) for i in resolved] == list(entries)
