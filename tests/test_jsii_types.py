"""``is_cfn_resource``: the CfnResource test that skips ABCMeta's walk over every L1 class."""

from __future__ import annotations

import abc

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3

from infrec_cdk._jsii_types import is_cfn_resource


def test_answers_as_isinstance_does_for_l1_l2_and_plain_resources():
    stack = cdk.Stack(cdk.App(), "Stack")
    bucket = s3.Bucket(stack, "Bucket")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    plain = cdk.CfnResource(stack, "Plain", type="AWS::CloudFormation::WaitConditionHandle")
    default_child = bucket.node.default_child  # a proxy jsii makes for an object from Node.js
    for value in (bucket, role, plain, default_child, stack, "text", None):
        assert is_cfn_resource(value) == isinstance(value, cdk.CfnResource)
    assert is_cfn_resource(default_child)
    assert is_cfn_resource(plain)
    assert not is_cfn_resource(bucket)


def test_never_asks_abcmeta(monkeypatch: pytest.MonkeyPatch):
    stack = cdk.Stack(cdk.App(), "Stack")
    bucket = s3.Bucket(stack, "Bucket")

    def refuse(cls: type, _other: object) -> bool:
        raise AssertionError("ABCMeta walked the subclasses of " + cls.__name__)

    # jsii's abstract classes (CfnResource among them) are ABCs of this metaclass.
    jsii_abstract_class = type(cdk.CfnResource)
    assert issubclass(jsii_abstract_class, abc.ABCMeta)
    monkeypatch.setattr(jsii_abstract_class, "__subclasscheck__", refuse)
    monkeypatch.setattr(jsii_abstract_class, "__instancecheck__", refuse)
    assert not is_cfn_resource(bucket)
    assert is_cfn_resource(bucket.node.default_child)
