"""Secure by default: data kept and protected, logs encrypted on request, a closed network."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match, Template

from infrec_cdk import (
    InferenceRecommendationsJob,
    InfrecValidationError,
    ModelSource,
    VpcEndpoints,
    _security,
    add_vpc_endpoints,
)
from infrec_cdk._network import INTERFACE_ENDPOINT_SERVICES
from tests.example_stacks import EXAMPLE_STACKS, example_template

PACKAGE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
STATEFUL = ("AWS::S3::Bucket", "AWS::KMS::Key", "AWS::Logs::LogGroup")


@pytest.fixture
def stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "TestStack")


def job(stack: cdk.Stack, id: str = "Job", **props: Any) -> InferenceRecommendationsJob:
    return InferenceRecommendationsJob(
        stack, id, model=ModelSource.from_model_package_version(PACKAGE_ARN), **props
    )


def isolated_vpc(stack: cdk.Stack) -> ec2.IVpc:
    return ec2.Vpc.from_vpc_attributes(
        stack,
        "Vpc",
        vpc_id="vpc-0123456789abcdef0",
        vpc_cidr_block="10.0.0.0/16",
        availability_zones=["us-east-1a", "us-east-1b"],
        isolated_subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        isolated_subnet_route_table_ids=["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"],
    )


@pytest.mark.parametrize("name", [n for n, _ in EXAMPLE_STACKS])
def test_nothing_the_job_produced_is_lost_by_cdk_destroy(name):
    template = Template.from_json(example_template(name))
    for kind in STATEFUL:
        for logical_id, resource in template.find_resources(kind).items():
            assert resource["DeletionPolicy"] == "Retain", (name, logical_id)
            assert resource["UpdateReplacePolicy"] == "Retain", (name, logical_id)


def test_output_bucket_is_versioned_encrypted_private_and_owner_enforced(stack):
    job(stack)
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "VersioningConfiguration": {"Status": "Enabled"},
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {
                        "BucketKeyEnabled": True,
                        "ServerSideEncryptionByDefault": Match.object_like(
                            {"SSEAlgorithm": "aws:kms"}
                        ),
                    }
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
        },
    )
    (bucket,) = template.find_resources("AWS::S3::Bucket").values()
    assert "LoggingConfiguration" not in bucket["Properties"]
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_access_logs_go_to_the_given_bucket_under_the_jobs_prefix(stack):
    logs_bucket = s3.Bucket.from_bucket_name(stack, "Logs", "access-logs")
    created = job(stack, access_logs_bucket=logs_bucket)
    job(stack, "Other", access_logs_bucket=logs_bucket, access_logs_prefix="custom/")
    template = Template.from_stack(stack)

    prefixes = [
        bucket["Properties"]["LoggingConfiguration"]
        for bucket in template.find_resources("AWS::S3::Bucket").values()
    ]
    assert prefixes == [
        {
            "DestinationBucketName": "access-logs",
            "LogFilePrefix": f"{created.job_name_prefix}/access-logs/",
        },
        {"DestinationBucketName": "access-logs", "LogFilePrefix": "custom/"},
    ]
    metadata = [r.get("Metadata", {}) for r in template.find_resources("AWS::S3::Bucket").values()]
    assert "AwsSolutions-S1" not in str(metadata), "no acknowledgment once logs are on"


def test_access_log_arguments_are_checked(stack):
    with pytest.raises(InfrecValidationError, match="access_logs_bucket: applies only to"):
        job(
            stack,
            output_bucket=s3.Bucket.from_bucket_name(stack, "Out", "outputs"),
            access_logs_bucket=s3.Bucket.from_bucket_name(stack, "Logs", "access-logs"),
        )
    with pytest.raises(InfrecValidationError, match="access_logs_prefix: is given without"):
        job(stack, "Other", access_logs_prefix="logs/")


def test_handler_logs_are_kept_a_year_and_encrypted_with_the_given_key(stack):
    key = kms.Key(stack, "LogKey", enable_key_rotation=True)
    job(stack, log_encryption_key=key)
    template = Template.from_stack(stack)

    key_id = stack.get_logical_id(key.node.default_child)
    template.has_resource_properties(
        "AWS::Logs::LogGroup",
        {"RetentionInDays": 365, "KmsKeyId": {"Fn::GetAtt": [key_id, "Arn"]}},
    )
    key_policy = template.to_json()["Resources"][key_id]["Properties"]["KeyPolicy"]["Statement"]
    (logs,) = [s for s in key_policy if "Service" in s["Principal"]]
    assert stack.resolve(logs["Principal"]["Service"]) == {
        "Fn::Join": ["", ["logs.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}]]
    }
    assert "*" not in "".join(logs["Action"])
    assert set(logs["Condition"]) == {"ArnLike"}
    assert "kms:EncryptionContext:aws:logs:arn" in logs["Condition"]["ArnLike"]
    (log_group,) = template.find_resources("AWS::Logs::LogGroup").values()
    assert "CloudWatchLogGroupEncrypted" not in str(log_group.get("Metadata", {}))


def test_an_imported_log_key_is_used_with_a_warning_about_its_policy(stack):
    key = kms.Key.from_key_arn(
        stack,
        "LogKey",
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )
    job(stack, log_encryption_key=key)
    Template.from_stack(stack).has_resource_properties(
        "AWS::Logs::LogGroup", {"KmsKeyId": key.key_arn}
    )
    Annotations.from_stack(stack).has_warning(
        "/TestStack/InfrecJobHandler8f1c2a7e", Match.string_like_regexp("logs.<region>")
    )


def test_every_job_of_a_stack_shares_the_log_key_of_the_first(stack):
    key = kms.Key(stack, "LogKey", enable_key_rotation=True)
    job(stack, log_encryption_key=key)
    job(stack, "Second")
    job(stack, "Third", log_encryption_key=key)
    with pytest.raises(InfrecValidationError, match="created with another key"):
        job(stack, "Fourth", log_encryption_key=kms.Key(stack, "Other"))

    plain = cdk.Stack(cdk.App(), "Plain")
    job(plain)
    with pytest.raises(InfrecValidationError, match="created with no key by the stack's first"):
        job(plain, "Second", log_encryption_key=kms.Key(plain, "Key"))


def test_job_security_group_allows_nothing_inbound_in_an_existing_vpc(stack):
    created = job(stack, vpc=isolated_vpc(stack))
    template = Template.from_stack(stack).to_json()
    (group,) = created.security_groups
    properties = template["Resources"][stack.get_logical_id(group.node.default_child)]["Properties"]
    assert "SecurityGroupIngress" not in properties
    assert not [
        r for r in template["Resources"].values() if r["Type"] == "AWS::EC2::SecurityGroupIngress"
    ]
    request = next(
        r["Properties"]["Request"]
        for r in template["Resources"].values()
        if r["Type"] == "Custom::InferenceRecommendationsJob"
    )
    assert request["InputConfig"]["VpcConfig"]["Subnets"] == [
        "subnet-0123456789abcdef0",
        "subnet-0123456789abcdef1",
    ]


def test_vpc_endpoints_cover_what_a_subnet_without_nat_needs(stack):
    vpc = isolated_vpc(stack)
    endpoints = add_vpc_endpoints(vpc)
    template = Template.from_stack(stack)

    assert isinstance(endpoints, VpcEndpoints)
    template.has_resource_properties(
        "AWS::EC2::VPCEndpoint",
        {
            "VpcEndpointType": "Gateway",
            "ServiceName": {"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".s3"]]},
            "RouteTableIds": ["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"],
        },
    )
    interfaces = template.find_resources(
        "AWS::EC2::VPCEndpoint", {"Properties": {"VpcEndpointType": "Interface"}}
    )
    services = {
        stack.resolve(r["Properties"]["ServiceName"])["Fn::Join"][1][-1]
        for r in interfaces.values()
    }
    assert services == {
        ".sagemaker.api",
        ".sagemaker.runtime",
        ".ecr.api",
        ".ecr.dkr",
        ".logs",
        ".monitoring",
        ".sts",
        ".kms",
    }
    for endpoint in interfaces.values():
        assert endpoint["Properties"]["PrivateDnsEnabled"] is True
        assert endpoint["Properties"]["SubnetIds"] == [
            "subnet-0123456789abcdef0",
            "subnet-0123456789abcdef1",
        ]
    group_id = stack.get_logical_id(endpoints.security_group.node.default_child)
    group = template.to_json()["Resources"][group_id]["Properties"]
    assert group["SecurityGroupIngress"] == [
        {
            "CidrIp": "10.0.0.0/16",
            "Description": "HTTPS from inside the VPC",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
    ]
    assert group["SecurityGroupEgress"][0]["Description"] == "Disallow all traffic"


def test_vpc_endpoints_are_added_once_per_vpc(stack):
    vpc = isolated_vpc(stack)
    first = add_vpc_endpoints(vpc)
    assert add_vpc_endpoints(vpc) is first
    Template.from_stack(stack).resource_count_is("AWS::EC2::VPCEndpoint", 9)
    with pytest.raises(ValueError, match="interface_endpoints=True"):
        add_vpc_endpoints(vpc, interface_endpoints=False)


def test_vpc_endpoints_can_be_just_the_s3_gateway(stack):
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        ],
    )
    add_vpc_endpoints(vpc, interface_endpoints=False)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::EC2::VPCEndpoint", 1)
    template.has_resource_properties("AWS::EC2::VPCEndpoint", {"VpcEndpointType": "Gateway"})


def test_readme_lists_every_acknowledged_finding_and_endpoint():
    security = README.split("## Security", 1)[1]
    rule_ids = {
        rule
        for value in vars(_security).values()
        if isinstance(value, _security.Finding)
        for rule in value.rule_ids
    }
    for rule in [*rule_ids, "AwsSolutions-IAM5"]:
        short = re.sub(r"^(NIST\.800\.53\.R5|HIPAA\.Security)-", "", rule)
        assert short in security, rule
    for service in (
        "sagemaker.api",
        "sagemaker.runtime",
        "ecr.api",
        "ecr.dkr",
        "logs",
        "monitoring",
        "sts",
        "kms",
        "s3",
    ):
        assert f"`{service}`" in security, service
    assert len(INTERFACE_ENDPOINT_SERVICES) == 8
