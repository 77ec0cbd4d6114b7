"""``StackArns`` formats the same ARNs as ``Stack.format_arn``, in every kind of stack."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from infrec_cdk._arns import StackArns

CASES = [
    ({"service": "sagemaker", "resource": "model", "resource_name": "*"}, {}),
    ({"service": "kms", "resource": "key", "resource_name": "1234"}, {}),
    ({"service": "kms", "resource": "alias/name"}, {}),
    (
        {"service": "ecr", "account": "*", "resource": "repository", "resource_name": "*"},
        {"account": "*"},
    ),
    (
        {
            "service": "logs",
            "resource": "log-group",
            "resource_name": "/aws/sagemaker/*",
            "arn_format": cdk.ArnFormat.COLON_RESOURCE_NAME,
        },
        {"separator": ":"},
    ),
]


def _stacks() -> list[cdk.Stack]:
    app = cdk.App(context={"@aws-cdk/core:enablePartitionLiterals": True})
    parent = cdk.Stack(app, "Parent")
    return [
        cdk.Stack(app, "Agnostic"),
        cdk.Stack(app, "Pinned", env=cdk.Environment(account="123456789012", region="eu-west-1")),
        cdk.Stack(app, "China", env=cdk.Environment(account="123456789012", region="cn-north-1")),
        cdk.NestedStack(parent, "Nested"),
    ]


@pytest.mark.parametrize(("format_arn", "ours"), CASES)
def test_same_arn_as_format_arn(format_arn, ours):
    for stack in _stacks():
        expected = stack.resolve(stack.format_arn(**format_arn))
        arns = StackArns.of(stack)
        name = format_arn.get("resource_name")
        mine = arns.arn(format_arn["service"], format_arn["resource"], name, **ours)
        assert stack.resolve(mine) == expected, stack.node.path


def test_parts_are_read_once_per_stack():
    stack = _stacks()[0]
    assert StackArns.of(stack) is StackArns.of(stack)
