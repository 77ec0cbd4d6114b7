"""What the job's role (and the handler that creates the job) may do, decided from the docs.

Each test names the page its grant rests on; ``infrec_cdk/_job_role.py`` cites it beside the
statement. ``tests/test_iam_reference.py`` checks every statement against the Service
Authorization Reference.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.assertions import Template

from infrec_cdk import ContainerConfig, InferenceRecommendationsJob, ModelSource, PayloadConfig
from infrec_cdk._security import flatten_reference
from tests.example_stacks import EXAMPLE_STACKS
from tests.iam_reference import check_template

PACKAGE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
MODEL_ROLE = "arn:aws:iam::123456789012:role/churn-model"
CONTAINER = ContainerConfig(
    domain="MACHINE_LEARNING",
    task="OTHER",
    framework="XGBOOST",
    payload_config=PayloadConfig(sample_payload_url="s3://ml-payloads/churn.tar.gz"),
)


def statements(stack: cdk.Stack) -> list[dict[str, Any]]:
    """Every statement of every identity policy in ``stack``."""
    found = []
    for resource in Template.from_stack(stack).to_json()["Resources"].values():
        if resource["Type"] == "AWS::IAM::Policy":
            found += resource["Properties"]["PolicyDocument"]["Statement"]
    return found


def by_sid(stack: cdk.Stack) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in statements(stack) if "Sid" in s}


def actions(statement: Mapping[str, Any]) -> set[str]:
    action = statement["Action"]
    return set(action if isinstance(action, list) else [action])


def default_job_stack() -> cdk.Stack:
    """A Default job on EBS-backed instance types only, so that it gets the volume key."""
    stack = cdk.Stack(cdk.App(), "TestStack")
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_package_version(PACKAGE_ARN),
        container_config=ContainerConfig(supported_instance_types=["ml.c5.xlarge"]),
    )
    return stack


def model_stack(role_arn: str | None) -> tuple[cdk.Stack, InferenceRecommendationsJob]:
    stack = cdk.Stack(cdk.App(), "TestStack")
    model = sagemaker.CfnModel(
        stack,
        "Model",
        execution_role_arn=role_arn or "unused",
        primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(image="image:1"),
    )
    job = InferenceRecommendationsJob(
        stack, "Job", model=ModelSource.from_model(model), container_config=CONTAINER
    )
    return stack, job


# --- KMS ------------------------------------------------------------------------------------------


def test_the_volume_key_grant_is_for_aws_resources_and_describe_key_stands_alone():
    # kms:GrantIsForAWSResource applies to CreateGrant, ListGrants and RevokeGrant only
    # (AWS KMS developer guide, conditions-kms.html): under it, DescribeKey was never allowed.
    found = by_sid(default_job_stack())
    assert actions(found["VolumeKey"]) == {"kms:CreateGrant"}
    assert found["VolumeKey"]["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
    assert actions(found["VolumeKeyDescribe"]) == {"kms:DescribeKey"}
    assert "Condition" not in found["VolumeKeyDescribe"]
    assert found["VolumeKeyDescribe"]["Resource"] == found["VolumeKey"]["Resource"]


def test_the_handler_may_use_the_jobs_keys_to_create_it():
    # SageMaker's API permissions reference, CreateInferenceRecommendationsJob: "required only if
    # you specify an encryption key: kms:CreateGrant kms:Decrypt kms:DescribeKey
    # kms:GenerateDataKey" (the caller is the handler).
    stack = default_job_stack()
    (statement,) = [s for s in by_sid(stack).values() if s["Sid"].startswith("CreateJobWithKeys")]
    assert actions(statement) == {
        "kms:CreateGrant",
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:GenerateDataKey",
    }
    key = next(
        logical_id
        for logical_id, resource in Template.from_stack(stack).to_json()["Resources"].items()
        if resource["Type"] == "AWS::KMS::Key"
    )
    assert statement["Resource"] == {"Fn::GetAtt": [key, "Arn"]}


# --- CloudWatch -----------------------------------------------------------------------------------


def test_the_role_reads_the_benchmark_endpoints_metrics():
    # The results carry each benchmark's CPU and memory utilization; AmazonSageMakerFullAccess,
    # which the prerequisites prescribe, holds these reads. They take only "*".
    statement = by_sid(default_job_stack())["BenchmarkMetricsRead"]
    assert actions(statement) == {
        "cloudwatch:GetMetricData",
        "cloudwatch:GetMetricStatistics",
        "cloudwatch:ListMetrics",
    }
    assert statement["Resource"] == "*"
    cloudwatch = {a for s in statements(default_job_stack()) for a in actions(s)}
    assert {a for a in cloudwatch if a.startswith("cloudwatch:")} == {
        "cloudwatch:GetMetricData",
        "cloudwatch:GetMetricStatistics",
        "cloudwatch:ListMetrics",
        "cloudwatch:PutMetricData",
    }


# --- PassRole on the model's own role -------------------------------------------------------------


def test_the_role_may_pass_a_cfn_models_own_execution_role_to_sagemaker():
    stack, _ = model_stack(MODEL_ROLE)
    statement = by_sid(stack)["PassModelRoleToSageMaker"]
    assert actions(statement) == {"iam:PassRole"}
    assert statement["Resource"] == MODEL_ROLE
    assert statement["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }


def test_no_second_pass_role_when_the_model_runs_with_the_jobs_role():
    stack = cdk.Stack(cdk.App(), "TestStack")
    role = iam.Role(stack, "Shared", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    model = sagemaker.CfnModel(
        stack,
        "Model",
        execution_role_arn=role.role_arn,
        primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(image="image:1"),
    )
    InferenceRecommendationsJob(
        stack, "Job", model=ModelSource.from_model(model), container_config=CONTAINER, role=role
    )
    assert "PassModelRoleToSageMaker" not in by_sid(stack)
    assert "PassOwnRoleToSageMaker" in by_sid(stack)


def test_a_model_named_with_its_role_gets_the_same_pass_role():
    stack = cdk.Stack(cdk.App(), "TestStack")
    model_role = iam.Role.from_role_arn(stack, "ModelRole", MODEL_ROLE)
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model_name("churn", execution_role=model_role),
        container_config=CONTAINER,
    )
    assert by_sid(stack)["PassModelRoleToSageMaker"]["Resource"] == MODEL_ROLE


def test_a_model_named_without_its_role_passes_only_the_jobs_role():
    stack = cdk.Stack(cdk.App(), "TestStack")
    InferenceRecommendationsJob(
        stack, "Job", model=ModelSource.from_model_name("churn"), container_config=CONTAINER
    )
    assert "PassModelRoleToSageMaker" not in by_sid(stack)


# --- VPC ------------------------------------------------------------------------------------------


def test_vpc_permissions_are_those_the_inference_recommender_vpc_page_lists():
    # "Add permissions for Inference Recommender jobs running in an Amazon VPC to custom IAM
    # policies" (inference-recommender-vpc-access.html) lists these eleven actions.
    template_stack = dict(EXAMPLE_STACKS)["vpc"](cdk.App())
    ec2 = {a for s in statements(template_stack) for a in actions(s) if a.startswith("ec2:")}
    assert ec2 == {
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeVpcs",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterfacePermission",
        "ec2:DeleteNetworkInterface",
        "ec2:CreateNetworkInterfacePermission",
        "ec2:CreateNetworkInterface",
        "ec2:ModifyNetworkInterfaceAttribute",
    }
    found = by_sid(template_stack)
    interfaces = flatten_reference(found["VpcNetworkInterfaces"]["Resource"])
    assert interfaces == "arn:<AWS::Partition>:ec2:us-east-1:123456789012:network-interface/*"
    groups = flatten_reference(found["VpcSecurityGroups"]["Resource"])
    assert groups == (
        "arn:<AWS::Partition>:ec2:us-east-1:*:security-group/<JobSecurityGroupE68C281D.GroupId>"
    )


# --- the check itself fails on purpose ---------------------------------------------------------


def test_the_reference_check_fails_when_a_statement_gets_a_key_its_action_lacks():
    template = copy.deepcopy(Template.from_stack(default_job_stack()).to_json())
    assert check_template(template) == []
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            if statement.get("Sid") == "VolumeKeyDescribe":
                statement["Condition"] = {"Bool": {"kms:GrantIsForAWSResource": "true"}}

    (finding,) = check_template(template)

    assert finding.startswith("JobRolePolicy")
    assert finding.endswith(
        "statement VolumeKeyDescribe: kms:DescribeKey does not support condition key "
        "kms:GrantIsForAWSResource"
    )
