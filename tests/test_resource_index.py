"""A stack's CloudFormation resources, each asked of Node.js once (_resource_index.py)."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infrec_cdk import _resource_index as resource_index
from infrec_cdk._resource_index import cfn_resources, resources_with_logical_ids


def test_every_resource_is_listed_with_its_path_and_logical_id_in_tree_order() -> None:
    stack = cdk.Stack(cdk.App(), "Stack")
    s3.Bucket(stack, "Bucket")
    cdk.CfnWaitConditionHandle(stack, "Handle")

    entries = cfn_resources(stack)

    assert [entry.path for entry in entries] == ["Stack/Bucket/Resource", "Stack/Handle"]
    assert stack.resolve([entry.logical_id for entry in entries]) == [
        stack.get_logical_id(entry.resource) for entry in entries
    ]


def test_known_resources_are_not_asked_again_and_new_ones_are_added() -> None:
    stack = cdk.Stack(cdk.App(), "Stack")
    s3.Bucket(stack, "Bucket")
    (first,) = cfn_resources(stack)
    cdk.CfnWaitConditionHandle(stack, "Handle")

    again, added = cfn_resources(stack)

    assert again is first  # the entry kept, though find_all made a new Python object for it
    assert added.path == "Stack/Handle"


def test_a_logical_id_overridden_later_is_the_one_resolved() -> None:
    stack = cdk.Stack(cdk.App(), "Stack")
    handle = cdk.CfnWaitConditionHandle(stack, "Handle")
    (entry,) = cfn_resources(stack)

    handle.override_logical_id("Renamed")

    assert stack.resolve(entry.logical_id) == "Renamed"
    assert stack.resolve(cfn_resources(stack)[0].logical_id) == "Renamed"


def test_resources_are_found_by_logical_id_except_those_outside() -> None:
    stack = cdk.Stack(cdk.App(), "Stack")
    bucket = s3.CfnBucket(stack, "Bucket")
    job = Construct(stack, "Job")
    own = cdk.CfnWaitConditionHandle(job, "Handle")
    ids = {stack.resolve(bucket.logical_id), stack.resolve(own.logical_id)}

    found = resources_with_logical_ids(stack, ids, outside="Stack/Job/")

    assert {i: e.path for i, e in found.items()} == {"Bucket": "Stack/Bucket"}


def test_ids_found_before_are_checked_not_searched_for_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stack = cdk.Stack(cdk.App(), "Stack")
    s3.Bucket(stack, "Bucket")
    cdk.CfnParameter(stack, "Version")
    ids = {"Bucket83908E77", "Version"}  # a resource and a parameter (no resource)
    first = resources_with_logical_ids(stack, ids, outside="Stack/Job/")
    walks: list[cdk.Stack] = []

    def walk(walked: cdk.Stack, **_: object) -> list[resource_index.CfnResourceEntry]:
        walks.append(walked)
        return cfn_resources(walked)

    monkeypatch.setattr(resource_index, "cfn_resources", walk)

    again = resources_with_logical_ids(stack, ids, outside="Stack/Job/")

    assert walks == []
    assert list(again) == list(first) == ["Bucket83908E77"]


def test_an_override_since_the_last_lookup_is_honoured() -> None:
    stack = cdk.Stack(cdk.App(), "Stack")
    bucket = s3.Bucket(stack, "Bucket")
    other = cdk.CfnWaitConditionHandle(stack, "Other")
    assert list(resources_with_logical_ids(stack, {"Bucket83908E77"}, outside="-")) == [
        "Bucket83908E77"
    ]

    bucket.node.default_child.override_logical_id("Renamed")  # type: ignore[union-attr]
    other.override_logical_id("Bucket83908E77")

    (now,) = resources_with_logical_ids(stack, {"Bucket83908E77"}, outside="-").values()
    assert now.path == "Stack/Other"  # the id found before now names another resource
    (renamed,) = resources_with_logical_ids(stack, {"Renamed"}, outside="-").values()
    assert renamed.path == "Stack/Bucket/Resource"
