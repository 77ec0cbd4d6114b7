"""Least privilege, asserted on every example stack's IAM policies and bucket policies.

These fail when a wildcard action appears, a ``*`` resource appears outside the commented
allow-list, a wildcard leaves this account and region, the PassRole condition goes, a KMS
permission widens, or the output bucket stops denying non-TLS access.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk.assertions import Template

from infrec_cdk import (
    ContainerConfig,
    InferenceRecommendationsJob,
    ModelSource,
    PayloadConfig,
)
from infrec_cdk._security import flatten_reference
from tests.example_stacks import EXAMPLE_STACKS, example_template

STACKS = dict(EXAMPLE_STACKS)
PACKAGE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"

# Statements that may name Resource "*", and the only actions they may hold: IAM offers no
# narrower resource for these (see infrec_cdk/_job_role.py for the reason at each statement).
STAR_RESOURCE_ALLOWED: Mapping[str, frozenset[str]] = {
    "EcrLogin": frozenset({"ecr:GetAuthorizationToken"}),
    "EndpointMetrics": frozenset({"cloudwatch:PutMetricData"}),
    "BenchmarkMetricsRead": frozenset(
        {"cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics"}
    ),
    "ListJobSteps": frozenset({"sagemaker:ListInferenceRecommendationsJobSteps"}),
    "VpcDescribe": frozenset(
        {
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeVpcs",
            "ec2:DescribeDhcpOptions",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeVpcEndpoints",
        }
    ),
}
# The only KMS permissions, by statement id: exactly these actions, under exactly this condition.
KMS_ALLOWED: Mapping[str, tuple[frozenset[str], dict[str, Any]]] = {
    "VolumeKey": (
        frozenset({"kms:CreateGrant"}),
        {"Bool": {"kms:GrantIsForAWSResource": "true"}},
    ),
    # DescribeKey supports no grant condition key: alone, on the key.
    "VolumeKeyDescribe": (frozenset({"kms:DescribeKey"}), {}),
    # The handler creates jobs that name the keys (SageMaker's API permissions reference).
    "CreateJobWithKeys": (
        frozenset({"kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"}),
        {},
    ),
    "OutputKey": (
        frozenset({"kms:GenerateDataKey", "kms:Decrypt"}),
        {"StringEquals": {"kms:ViaService": "s3.<region>.<AWS::URLSuffix>"}},
    ),
    # The waiter archives each waiting job's results (one statement per job: Sid + digest).
    "ArchiveKey": (
        frozenset({"kms:GenerateDataKey"}),
        {"StringEquals": {"kms:ViaService": "s3.<region>.<AWS::URLSuffix>"}},
    ),
}
# Prefixes below a job's own prefix of the output bucket that a role may write with a wildcard.
OWN_BUCKET_PREFIXES = ("compiled", "results", "output")
# Reads of what a request names by S3 prefix (an AI job's model, adapters and datasets): every
# object below it, read-only, and no further.
PREFIX_READ = re.compile(r"^Read(Model|Adapter\d+|Dataset\d+)$")
# Services whose ARNs may leave the account open: ECR images live in AWS-owned accounts; subnets
# and security groups of a shared VPC belong to its owner.
ANY_ACCOUNT_ALLOWED = re.compile(r"^ec2:.*:(subnet|security-group)/|^ecr:.*:repository/")

PSEUDO_PARAMETERS = {
    "<AWS::Partition>": "aws",
    "<AWS::Region>": "REGION",
    "<AWS::AccountId>": "ACCOUNT",
}

Statement = dict[str, Any]


def sid_kind(sid: str | None) -> str:
    """A statement id without the per-job digest some carry (``ArchiveKey1a2b3c4d``)."""
    return re.sub(r"[0-9a-f]{8}$", "", sid or "")


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def template_of(name: str) -> dict[str, Any]:
    return example_template(name)


def policy_statements(template: Mapping[str, Any]) -> Iterator[tuple[str, Statement]]:
    """(logical id, statement) of every identity policy in the template."""
    for logical_id, resource in template["Resources"].items():
        kind = resource["Type"]
        properties = resource.get("Properties", {})
        documents = []
        if kind in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}:
            documents.append(properties["PolicyDocument"])
        elif kind == "AWS::IAM::Role":
            documents += [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
        for document in documents:
            for statement in document["Statement"]:
                yield logical_id, statement


def allowed(template: Mapping[str, Any]) -> list[Statement]:
    return [s for _, s in policy_statements(template) if s["Effect"] == "Allow"]


def flattened(value: Any) -> Any:
    """``value`` with every intrinsic (``Fn::Join``, ``Ref``, ...) flattened as cdk-nag does."""
    if isinstance(value, dict) and not ({"Fn::Join", "Fn::GetAtt", "Ref"} & set(value)):
        return {key: flattened(item) for key, item in value.items()}
    if isinstance(value, list):
        return [flattened(item) for item in value]
    return flatten_reference(value)


def plain_pseudo_parameters(flat: str) -> str:
    """``<AWS::Region>`` as ``REGION`` and so on, so that an ARN splits on its colons."""
    for pseudo, plain in PSEUDO_PARAMETERS.items():
        flat = flat.replace(pseudo, plain)
    return flat


@pytest.fixture(params=list(STACKS), scope="module")
def template(request: pytest.FixtureRequest) -> dict[str, Any]:
    return template_of(request.param)


def test_no_wildcard_action(template):
    for statement in allowed(template):
        for action in as_list(statement["Action"]):
            assert "*" not in action, statement
            assert not action.endswith(":*"), statement
    assert not any("NotAction" in s or "NotResource" in s for s in allowed(template))


def test_star_resource_only_where_iam_allows_nothing_narrower(template):
    for statement in allowed(template):
        if "*" not in as_list(statement["Resource"]):
            continue
        assert statement.get("Sid") in STAR_RESOURCE_ALLOWED, statement
        assert as_list(statement["Resource"]) == ["*"], "no specific resource next to *"
        assert set(as_list(statement["Action"])) <= STAR_RESOURCE_ALLOWED[statement["Sid"]]


def test_metric_publishing_is_limited_to_sagemaker_namespaces(template):
    metrics = [s for s in allowed(template) if s.get("Sid") == "EndpointMetrics"]
    for statement in metrics:
        assert statement["Condition"] == {
            "StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}
        }


def test_every_wildcard_stays_in_this_account_and_region(template):
    OWN_PREFIX = "|".join(OWN_BUCKET_PREFIXES)  # noqa: N806
    stack_region = re.compile(r"^(REGION|us-east-1)$")
    for statement in allowed(template):
        for resource in as_list(statement["Resource"]):
            flat = flatten_reference(resource)
            if "*" not in flat or flat == "*":
                continue
            if flat.startswith("<"):  # <Bucket.Arn>/prefix/*: objects of our own bucket
                # A job's own prefix, or (jobs sharing a role or bucket) the stack's: "<part>-*".
                assert re.match(rf"^<\w+\.Arn>/[a-z0-9-]+(-\*)?/({OWN_PREFIX})/\*$", flat), flat
                continue
            parts = plain_pseudo_parameters(flat).split(":", 5)
            assert parts[0] == "arn", flat
            if parts[2] == "s3" and PREFIX_READ.match(statement.get("Sid", "")):
                assert as_list(statement["Action"]) == ["s3:GetObject"], flat
                assert re.match(r"^[a-z0-9.-]+/[^*]*\*$", parts[5]), flat
                continue
            if parts[2] == "s3":  # arn:aws:s3:::bucket/prefix/*
                assert re.match(rf"^[a-z0-9.-]+/[a-z0-9-]+(-\*)?/({OWN_PREFIX})/\*$", parts[5]), (
                    flat
                )
                continue
            assert stack_region.match(parts[3]), f"region of {flat}"
            if parts[4] == "*":
                assert ANY_ACCOUNT_ALLOWED.match(f"{parts[2]}:{parts[3]}:{parts[5]}"), flat
            else:
                assert parts[4] in {"ACCOUNT", "123456789012"}, flat


def test_pass_role_only_passes_job_roles_and_only_to_sagemaker(template):
    pass_role = [s for s in allowed(template) if "iam:PassRole" in as_list(s["Action"])]
    assert pass_role
    job_roles = [
        {"Fn::GetAtt": [logical_id, "Arn"]}
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role"
        and resource["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
        == {"Service": "sagemaker.amazonaws.com"}
    ]
    for statement in pass_role:
        assert as_list(statement["Action"]) == ["iam:PassRole"]
        assert statement["Condition"] == {
            "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
        }
        for resource in as_list(statement["Resource"]):
            assert "*" not in flatten_reference(resource)
            assert resource in job_roles or re.match(r"^arn:aws:iam::\d{12}:role/", str(resource))


def test_kms_permissions_are_exactly_what_the_job_needs(template):
    kms = [s for s in allowed(template) if any(a.startswith("kms:") for a in as_list(s["Action"]))]
    kinds = {sid_kind(s.get("Sid")) for s in kms}
    # VolumeKey only where every instance type the job may test uses EBS (see
    # tests/test_deploy_safety_volume_key.py); the outputs are always encrypted with the key.
    assert {"OutputKey"} <= kinds <= set(KMS_ALLOWED)
    for statement in kms:
        actions, condition = KMS_ALLOWED[sid_kind(statement["Sid"])]
        assert set(as_list(statement["Action"])) == actions
        rendered = json.dumps(flattened(statement.get("Condition", {})))
        rendered = re.sub(r"s3\.(<AWS::Region>|us-east-1)\.", "s3.<region>.", rendered)
        assert rendered == json.dumps(condition)
        assert "*" not in flatten_reference(statement["Resource"])


def test_output_bucket_denies_insecure_transport_and_old_tls(template):
    buckets = [k for k, r in template["Resources"].items() if r["Type"] == "AWS::S3::Bucket"]
    for bucket in buckets:
        policy = next(
            r["Properties"]["PolicyDocument"]["Statement"]
            for r in template["Resources"].values()
            if r["Type"] == "AWS::S3::BucketPolicy" and r["Properties"]["Bucket"] == {"Ref": bucket}
        )
        denies = [s for s in policy if s["Effect"] == "Deny"]
        insecure = [
            s for s in denies if s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        ]
        old_tls = [
            s for s in denies if s["Condition"] == {"NumericLessThan": {"s3:TlsVersion": 1.2}}
        ]
        for statements in (insecure, old_tls):
            assert len(statements) == 1, bucket
            (statement,) = statements
            assert statement["Action"] == "s3:*"
            assert statement["Principal"] == {"AWS": "*"}
            assert {"Fn::GetAtt": [bucket, "Arn"]} in statement["Resource"]


def test_network_permissions_name_the_jobs_subnets_and_security_groups():
    template = template_of("vpc")
    by_sid = {s.get("Sid"): s for s in allowed(template)}
    create = by_sid["VpcCreateNetworkInterface"]
    assert create["Action"] == "ec2:CreateNetworkInterface"
    flat = [flatten_reference(r) for r in create["Resource"]]
    assert [f for f in flat if ":subnet/" in f] == [
        "arn:<AWS::Partition>:ec2:us-east-1:*:subnet/subnet-0123456789abcdef0",
        "arn:<AWS::Partition>:ec2:us-east-1:*:subnet/subnet-0123456789abcdef1",
    ]
    assert [f for f in flat if ":security-group/" in f] == [
        "arn:<AWS::Partition>:ec2:us-east-1:*:security-group/<JobSecurityGroupE68C281D.GroupId>"
    ]
    assert [f for f in flat if ":network-interface/" in f] == [
        "arn:<AWS::Partition>:ec2:us-east-1:123456789012:network-interface/*"
    ]
    permission = by_sid["VpcNetworkInterfacePermission"]
    assert permission["Action"] == "ec2:CreateNetworkInterfacePermission"
    subnets = permission["Condition"]["ArnLike"]["ec2:Subnet"]
    assert [flatten_reference(s) for s in subnets] == [f for f in flat if ":subnet/" in f]


def test_images_are_pulled_only_from_this_region():
    template = template_of("default")
    (pull,) = [s for s in allowed(template) if s.get("Sid") == "PullImages"]
    assert flatten_reference(pull["Resource"]) == (
        "arn:<AWS::Partition>:ecr:<AWS::Region>:*:repository/*"
    )


def test_model_artefacts_of_a_cfn_model_are_readable_when_known():
    stack = cdk.Stack(cdk.App(), "TestStack")
    model = sagemaker.CfnModel(
        stack,
        "Model",
        execution_role_arn="arn:aws:iam::123456789012:role/model",
        primary_container=sagemaker.CfnModel.ContainerDefinitionProperty(
            image="image:1", model_data_url="s3://ml-models/churn/model.tar.gz"
        ),
        containers=[
            sagemaker.CfnModel.ContainerDefinitionProperty(
                image="image:2", model_data_url=cdk.Fn.import_value("ModelDataUrl")
            )
        ],
    )
    InferenceRecommendationsJob(
        stack,
        "Job",
        model=ModelSource.from_model(model),
        container_config=ContainerConfig(
            domain="MACHINE_LEARNING",
            task="OTHER",
            framework="XGBOOST",
            payload_config=PayloadConfig(sample_payload_url="s3://ml-payloads/churn.tar.gz"),
        ),
    )
    reads = [
        flatten_reference(s["Resource"])
        for s in allowed(Template.from_stack(stack).to_json())
        if s["Action"] == "s3:GetObject"
    ]
    assert sorted(reads) == [
        "arn:<AWS::Partition>:s3:::ml-models/churn/model.tar.gz",
        "arn:<AWS::Partition>:s3:::ml-payloads/churn.tar.gz",
    ]


def test_a_wildcard_resource_needs_a_written_reason():
    from infrec_cdk._job_role import JobRolePermissions  # noqa: PLC0415

    stack = cdk.Stack(cdk.App(), "TestStack")
    job = InferenceRecommendationsJob(
        stack, "Job", model=ModelSource.from_model_package_version(PACKAGE_ARN)
    )
    permissions = JobRolePermissions(stack, job.role.role_arn)
    with pytest.raises(AssertionError, match="without a reason"):
        permissions._allow(["s3:GetObject"], ["arn:aws:s3:::bucket/*"])


def test_subnets_known_only_at_deploy_time_stay_within_this_region():
    stack = cdk.Stack(cdk.App(), "TestStack")
    InferenceRecommendationsJob.from_request(
        stack,
        "Job",
        {
            "JobType": "Default",
            "InputConfig": {
                "ModelPackageVersionArn": PACKAGE_ARN,
                "VpcConfig": {
                    "Subnets": cdk.Fn.split(",", cdk.Fn.import_value("Subnets")),
                    "SecurityGroupIds": ["sg-0123456789abcdef0"],
                },
            },
        },
    )
    by_sid = {s.get("Sid"): s for s in allowed(Template.from_stack(stack).to_json())}
    assert [flatten_reference(r) for r in by_sid["VpcCreateNetworkInterface"]["Resource"]] == [
        "arn:<AWS::Partition>:ec2:<AWS::Region>:*:subnet/*",
        "arn:<AWS::Partition>:ec2:<AWS::Region>:*:security-group/sg-0123456789abcdef0",
        "arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*",
    ]


def _cfn(construct: Any) -> cdk.CfnElement:
    child = construct.node.default_child
    assert isinstance(child, cdk.CfnElement)
    return child


def test_jobs_sharing_a_role_and_key_share_the_handlers_grants_on_them():
    from aws_cdk import aws_iam as iam  # noqa: PLC0415
    from aws_cdk import aws_kms as kms  # noqa: PLC0415

    stack = cdk.Stack(cdk.App(), "TestStack")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"))
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    for index in range(3):
        InferenceRecommendationsJob(
            stack,
            f"Job{index}",
            model=ModelSource.from_model_package_version(PACKAGE_ARN),
            role=role,
            encryption_key=key,
        )
    template = Template.from_stack(stack).to_json()
    handler = [
        resource["Properties"]["PolicyDocument"]["Statement"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Policy" and logical_id.startswith("InfrecJobHandler")
    ]
    (statements,) = handler
    key_grants = [s for s in statements if str(s.get("Sid", "")).startswith("CreateJobWithKeys")]
    passes = [s for s in statements if s["Action"] == "iam:PassRole"]
    assert len(key_grants) == 1
    assert key_grants[0]["Resource"] == {"Fn::GetAtt": [stack.get_logical_id(_cfn(key)), "Arn"]}
    assert len(passes) == 1
    assert passes[0]["Resource"] == {"Fn::GetAtt": [stack.get_logical_id(_cfn(role)), "Arn"]}
