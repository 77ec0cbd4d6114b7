"""cdk-nag stays clean in a user's app, not only in the example stacks.

The three packs the README names (AwsSolutions, NIST 800-53 rev 5, HIPAA Security) run over a
synthesized app, as ``Validations.of(app).add_plugins(...)`` runs them. Each case counts the
findings on what infrec-cdk creates; the user's own VPC and model are theirs to judge.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks

from infrec_cdk import (
    ContainerConfig,
    InferenceRecommendationsJob,
    ModelSource,
    PayloadConfig,
    RecommendedEndpoint,
    SupportedEndpointType,
    Wait,
    add_vpc_endpoints,
)

PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
ENV = cdk.Environment(account="123456789012", region="us-east-1")
PACKS = (AwsSolutionsChecks, NIST80053R5Checks, HIPAASecurityChecks)

# (app, the user's own construct paths, which the findings leave out)
Case = tuple[cdk.App, tuple[str, ...]]


def vpc_from_another_stack() -> Case:
    app = cdk.App()
    network = cdk.Stack(app, "Network", env=ENV)
    vpc = ec2.Vpc(network, "Vpc", max_azs=2)
    jobs = cdk.Stack(app, "Jobs", env=ENV)
    InferenceRecommendationsJob(
        jobs, "Job", model=ModelSource.from_model_package_version(PACKAGE), vpc=vpc
    )
    return app, ("Network/Vpc/",)


def endpoints_in_a_new_vpc() -> Case:
    app = cdk.App()
    stack = cdk.Stack(app, "Network", env=ENV)
    add_vpc_endpoints(ec2.Vpc(stack, "Vpc", max_azs=2))
    return app, ("Network/Vpc/",)


def readme_recommended_endpoint() -> Case:
    # The README's "Wait for the answer and use it" snippet.
    app = cdk.App()
    stack = cdk.Stack(app, "Recommender", env=ENV)
    model = sagemaker.CfnModel(
        stack,
        "Model",
        execution_role_arn="arn:aws:iam::123456789012:role/churn-model",
        primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
            image="683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            model_data_url="s3://example-ml-artifacts/churn/model.tar.gz",
        ),
    )
    job = InferenceRecommendationsJob(
        stack,
        "Sizing",
        model=ModelSource.from_model(model),
        container_config=ContainerConfig(
            domain="MACHINE_LEARNING",
            task="CLASSIFICATION",
            framework="XGBOOST",
            payload_config=PayloadConfig(
                sample_payload_url="s3://example-ml-artifacts/churn/payload.tar.gz"
            ),
        ),
        wait=Wait(max_model_latency=100, endpoint_type=SupportedEndpointType.REAL_TIME),
    )
    RecommendedEndpoint(stack, "Endpoint", job=job, model_name=model.attr_model_name)
    return app, ("Recommender/Model",)


def _storage(scope: cdk.Stack) -> tuple[kms.Key, s3.Bucket]:
    key = kms.Key(scope, "Key", enable_key_rotation=True)
    bucket = s3.Bucket(
        scope,
        "Bucket",
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        enforce_ssl=True,
        versioned=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
    )
    return key, bucket


def bucket_from_another_stack() -> Case:
    # The job role's and the waiter's wildcards name the other stack's bucket: imports in the
    # template, so their acknowledgments wait for CDK's rewrite.
    app = cdk.App()
    key, bucket = _storage(cdk.Stack(app, "Storage", env=ENV))
    jobs = cdk.Stack(app, "Jobs", env=ENV)
    InferenceRecommendationsJob(
        jobs,
        "Job",
        model=ModelSource.from_model_package_version(PACKAGE),
        encryption_key=key,
        output_bucket=bucket,
        wait=Wait(),
    )
    return app, ("Storage/",)


def bucket_of_the_parent_of_a_nested_stack() -> Case:
    # Here the rewrite makes the bucket a parameter of the nested stack.
    app = cdk.App()
    parent = cdk.Stack(app, "Parent", env=ENV)
    key, bucket = _storage(parent)
    nested = cdk.NestedStack(parent, "Jobs")
    InferenceRecommendationsJob(
        nested,
        "Job",
        model=ModelSource.from_model_package_version(PACKAGE),
        encryption_key=key,
        output_bucket=bucket,
        wait=Wait(),
    )
    return app, ("Parent/Key", "Parent/Bucket")


CASES: dict[str, Callable[[], Case]] = {
    "vpc-from-another-stack": vpc_from_another_stack,
    "bucket-from-another-stack": bucket_from_another_stack,
    "bucket-of-the-parent-of-a-nested-stack": bucket_of_the_parent_of_a_nested_stack,
    "vpc-endpoints-in-a-new-vpc": endpoints_in_a_new_vpc,
    "readme-recommended-endpoint": readme_recommended_endpoint,
}


@functools.cache
def synthesized(name: str) -> Case:
    app, users = CASES[name]()
    app.synth()  # as `cdk synth`: references between stacks are final
    return app, users


@pytest.mark.parametrize("name", CASES)
def test_no_unacknowledged_finding_on_infrec_cdks_resources(name):
    app, users = synthesized(name)
    findings = [
        f"{violation.severity} {violation.rule_name} {resource.construct_path}"
        for pack in PACKS
        for violation in pack().validate_scope(app).violations
        for resource in violation.violating_resources
        if not str(resource.construct_path).startswith(users)
    ]
    assert findings == []


def test_wildcard_acknowledgments_match_each_nag_version_around_cross_stack_references():
    # cdk-nag v3 checks the synthesized template, where another stack's subnet is an import
    # (test_no_unacknowledged_finding_on_infrec_cdks_resources); cdk-nag v2 runs as an aspect,
    # before CDK rewrites the reference, and reads the metadata then: it names the subnet by the
    # other stack's logical id, as v2's own finding does.
    app, _users = synthesized("vpc-from-another-stack")
    stack = app.node.find_child("Jobs")
    template = Template.from_stack(stack).to_json()  # type: ignore[arg-type]
    policy = stack.node.find_child("Job").node.find_child("RolePolicy")
    resource = template["Resources"][stack.get_logical_id(policy.node.default_child)]  # type: ignore[attr-defined]
    statement = next(
        s
        for s in resource["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Sid") == "VpcCreateNetworkInterface"
    )
    assert "Fn::ImportValue" in json.dumps(statement["Resource"])
    applies_to = {
        item
        for entry in resource["Metadata"]["cdk_nag"]["rules_to_suppress"]
        for item in entry.get("applies_to", [])
    }
    before_rewrite = [item for item in applies_to if ":subnet/<VpcPrivateSubnet" in item]
    assert len(before_rewrite) == 2
