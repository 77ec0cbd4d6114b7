"""Resolve CloudFormation intrinsics in a synthesized template to plausible deploy-time values.

CloudFormation resolves ``Ref``, ``Fn::GetAtt``, ``Fn::Join`` and ``Fn::Sub`` before it invokes a
custom resource; the tests do the same with values shaped like the real ones, so what a handler
receives in a test looks like what it receives in AWS.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"
STACK_NAME = "TestStack"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK_NAME}/{uuid.UUID(int=1)}"

PSEUDO = {
    "AWS::AccountId": ACCOUNT,
    "AWS::Region": REGION,
    "AWS::Partition": PARTITION,
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": STACK_NAME,
    "AWS::StackId": STACK_ID,
}
_NO_VALUE = object()


def _suffix(logical_id: str, length: int = 12) -> str:
    return hashlib.sha256(logical_id.encode()).hexdigest()[:length]


def physical_id(logical_id: str, resource_type: str) -> str:
    """What ``Ref`` gives for a resource of this type."""
    lower = f"{STACK_NAME}-{logical_id}".lower()[:40]
    by_type = {
        "AWS::S3::Bucket": f"{lower}-{_suffix(logical_id)}",
        "AWS::KMS::Key": str(uuid.UUID(_suffix(logical_id, 32))),
        "AWS::IAM::Role": f"{STACK_NAME}-{logical_id}-{_suffix(logical_id).upper()}"[:64],
        "AWS::EC2::SecurityGroup": f"sg-{_suffix(logical_id, 17)}",
        "AWS::EC2::Subnet": f"subnet-{_suffix(logical_id, 17)}",
        "AWS::EC2::VPC": f"vpc-{_suffix(logical_id, 17)}",
        "AWS::Lambda::Function": f"{STACK_NAME}-{logical_id}-{_suffix(logical_id)}"[:64],
        "AWS::SageMaker::Model": f"model-{_suffix(logical_id)}",
        "AWS::SageMaker::Endpoint": f"endpoint-{_suffix(logical_id)}",
        "AWS::Logs::LogGroup": f"{STACK_NAME}-{logical_id}-{_suffix(logical_id)}",
    }
    return by_type.get(resource_type, f"{STACK_NAME}-{logical_id}-{_suffix(logical_id)}")


def attribute(logical_id: str, resource_type: str, name: str) -> str:
    """What ``Fn::GetAtt`` gives for attribute ``name`` of a resource of this type."""
    ref = physical_id(logical_id, resource_type)
    arns = {
        "AWS::IAM::Role": f"arn:aws:iam::{ACCOUNT}:role/{ref}",
        "AWS::KMS::Key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{ref}",
        "AWS::S3::Bucket": f"arn:aws:s3:::{ref}",
        "AWS::Lambda::Function": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{ref}",
        "AWS::Logs::LogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{ref}:*",
    }
    if name == "Arn" and resource_type in arns:
        return arns[resource_type]
    specific = {
        ("AWS::EC2::SecurityGroup", "GroupId"): ref,
        ("AWS::SageMaker::Model", "ModelName"): ref,
        ("AWS::SageMaker::Endpoint", "EndpointName"): ref,
        ("AWS::S3::Bucket", "DomainName"): f"{ref}.s3.amazonaws.com",
    }
    return specific.get((resource_type, name), f"{ref}-{name}")


class Resolver:
    """Resolves intrinsics against one template; ``attributes`` overrides ``Fn::GetAtt`` results.

    ``attributes`` maps a logical id to attribute values, e.g. a custom resource's ``Data`` once it
    has answered.
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        attributes: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.template = template
        self.resources: Mapping[str, Any] = template.get("Resources", {})
        self.attributes = attributes or {}
        self.intrinsics = {
            "Ref": self.ref,
            "Fn::GetAtt": self.get_att,
            "Fn::Join": self.join,
            "Fn::Sub": self.sub,
            "Fn::Select": self.select,
        }

    def __call__(self, node: Any) -> Any:
        """Return ``node`` with every intrinsic in it resolved."""
        if isinstance(node, list):
            return [item for item in map(self, node) if item is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key in self.intrinsics:
                return self.intrinsics[key](arg)
        resolved = {key: self(value) for key, value in node.items()}
        return {key: value for key, value in resolved.items() if value is not _NO_VALUE}

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in PSEUDO:
            return PSEUDO[name]
        parameters = self.template.get("Parameters", {})
        if name in parameters:
            return parameters[name].get("Default", f"param-{name}")
        return physical_id(name, self.resources[name]["Type"])

    def get_att(self, arg: Any) -> str:
        logical_id, name = arg if isinstance(arg, list) else arg.split(".", 1)
        if name in self.attributes.get(logical_id, {}):
            return self.attributes[logical_id][name]
        return attribute(logical_id, self.resources[logical_id]["Type"], name)

    def join(self, arg: Any) -> str:
        separator, parts = arg
        return str(separator).join(str(part) for part in self(parts))

    def sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else arg
        values = {name: self(value) for name, value in variables.items()}

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return str(values[name])
            if "." in name:
                return str(self.get_att(name))
            return str(self.ref(name))

        return re.sub(r"\$\{([^}!]+)\}", substitute, text)

    def select(self, arg: Any) -> Any:
        index, items = arg
        return self(items)[int(self(index))]


def resolve(
    value: Any,
    template: Mapping[str, Any],
    attributes: Mapping[str, Mapping[str, str]] | None = None,
) -> Any:
    """Return ``value`` with every intrinsic resolved against ``template``."""
    return Resolver(template, attributes)(value)


def as_cloudformation_sends(value: Any) -> Any:
    """CloudFormation hands custom resources every scalar as a string (``600`` → ``"600"``)."""
    if isinstance(value, dict):
        return {k: as_cloudformation_sends(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_cloudformation_sends(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value
