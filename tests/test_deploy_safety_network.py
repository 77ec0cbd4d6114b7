"""A job given a VPC runs its benchmark endpoints in private subnets, or in the ones you choose.

CDK's default subnet selection falls back to public subnets when a VPC has no private ones; the
README promises private subnets, so a VPC with public subnets only is refused unless
``vpc_subnets`` says which subnets to use.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template

from infrec_cdk import InferenceRecommendationsJob, InfrecValidationError, ModelSource

PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"


def public_only_vpc(stack: cdk.Stack) -> ec2.Vpc:
    return ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC)
        ],
    )


def job(stack: cdk.Stack, **props: Any) -> InferenceRecommendationsJob:
    return InferenceRecommendationsJob(
        stack, "Job", model=ModelSource.from_model_package_version(PACKAGE), **props
    )


def test_a_vpc_with_public_subnets_only_is_refused_naming_vpc_and_vpc_subnets():
    stack = cdk.Stack(cdk.App(), "TestStack")
    with pytest.raises(InfrecValidationError) as raised:
        job(stack, vpc=public_only_vpc(stack))
    (problem,) = raised.value.problems
    assert problem.startswith("vpc: has no private subnets")
    assert "vpc_subnets=" in problem


def test_public_subnets_chosen_explicitly_are_the_users_choice():
    stack = cdk.Stack(cdk.App(), "TestStack")
    vpc = public_only_vpc(stack)
    job(stack, vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC))

    (resource,) = (
        Template.from_stack(stack).find_resources("Custom::InferenceRecommendationsJob").values()
    )
    subnets = resource["Properties"]["Request"]["InputConfig"]["VpcConfig"]["Subnets"]
    assert subnets == [stack.resolve(subnet.subnet_id) for subnet in vpc.public_subnets]


@pytest.mark.parametrize(
    "subnet_type", [ec2.SubnetType.PRIVATE_ISOLATED, ec2.SubnetType.PRIVATE_WITH_EGRESS]
)
def test_a_vpc_with_private_subnets_uses_them_by_default(subnet_type):
    stack = cdk.Stack(cdk.App(), "TestStack")
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=1 if subnet_type == ec2.SubnetType.PRIVATE_WITH_EGRESS else 0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="Public", subnet_type=ec2.SubnetType.PUBLIC),
            ec2.SubnetConfiguration(name="Private", subnet_type=subnet_type),
        ],
    )
    job(stack, vpc=vpc)
    (resource,) = (
        Template.from_stack(stack).find_resources("Custom::InferenceRecommendationsJob").values()
    )
    subnets = resource["Properties"]["Request"]["InputConfig"]["VpcConfig"]["Subnets"]
    private = vpc.isolated_subnets or vpc.private_subnets
    assert subnets == [stack.resolve(subnet.subnet_id) for subnet in private]
