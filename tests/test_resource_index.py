"""A stack's CloudFormation resources, each asked of Node.js once (_resource_index.py)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

from infrec_cdk._resource_index import cfn_resources


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
