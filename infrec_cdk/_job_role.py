"""The least-privilege execution role a recommendation job runs with.

No document lists what this role needs: the prerequisites prescribe AmazonSageMakerFullAccess
(https://docs.aws.amazon.com/sagemaker/latest/dg/inference-recommender-prerequisites.html). Each
statement below is what the job does with the role, with the page that says so beside it, and
each action, resource type and condition key is checked against the Service Authorization
Reference in ``tests/test_iam_reference.py``.

Every statement names the narrowest resource IAM accepts for its actions. Where a resource still
holds a ``*`` (IAM offers nothing narrower, or the job names the resource itself at run time), the
statement carries the reason, and ``wildcards`` lists each such resource with it: the construct
acknowledges exactly those cdk-nag findings with exactly those reasons, nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from infrec_cdk._arns import StackArns
from infrec_cdk._config import ModelSource
from infrec_cdk._payload_asset import StagedPayload
from infrec_cdk._security import Wildcard
from infrec_cdk._tokens import is_unresolved

__all__ = ["JobRolePermissions", "model_artifact_urls"]

_S3_URL = re.compile(r"^s3://(?P<bucket>[^/]+)/(?P<key>.+)$")

Conditions = Mapping[str, Mapping[str, object]]


def model_artifact_urls(model: ModelSource) -> tuple[str, ...]:
    """Return the ``s3://`` model artefact URLs of a ``CfnModel`` source known at synth time.

    Only ``ModelSource.from_model`` carries the model itself; its containers'
    ``model_data_url`` values that are plain strings (not tokens) are returned.
    """
    model_resource = model.dependency
    if model_resource is None:
        return ()
    # Imported here: only a model of this app (ModelSource.from_model) gets this far, and its
    # author has imported aws_cdk.aws_sagemaker already (30-60 ms for every other process).
    from aws_cdk import aws_sagemaker as sagemaker  # noqa: PLC0415

    if not isinstance(model_resource, sagemaker.CfnModel):
        return ()
    stack = cdk.Stack.of(model_resource)
    containers: list[object] = []
    for value in (model_resource.primary_container, model_resource.containers):
        resolved = stack.resolve(value)
        containers.extend(resolved if isinstance(resolved, list) else [resolved])
    urls = [
        container.get("modelDataUrl") for container in containers if isinstance(container, dict)
    ]
    return tuple(
        url
        for url in urls
        if isinstance(url, str) and url.startswith("s3://") and not is_unresolved(url)
    )


def _ids(value: object) -> list[str] | None:
    """Return the ids of a ``VpcConfig`` list, or ``None`` when not known at synth time."""
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(item, str) for item in value):
        return None
    if cdk.Tokenization.reverse_list(value) is not None:
        return None
    return [str(item) for item in value]


class JobRolePermissions:
    """Builds the statements of the job role's inline policy, one concern per method."""

    def __init__(self, scope: Construct, role_arn: str) -> None:
        self._stack = cdk.Stack.of(scope)
        self._arns = StackArns.of(self._stack)
        self._role_arn = role_arn
        self.statements: list[dict[str, object]] = []
        """The statements, as IAM's JSON (``document`` makes them one ``PolicyDocument``)."""
        self.wildcards: list[Wildcard] = []
        """Each resource below that holds a ``*``, with the reason it must."""

    def _arn(self, service: str, resource: str, name: str) -> str:
        return self._arns.arn(service, resource, name)

    def _allow(
        self,
        actions: Sequence[str],
        resources: Sequence[str],
        *,
        sid: str | None = None,
        conditions: Conditions | None = None,
        wildcard_reason: str | None = None,
        owners: tuple[IConstruct, ...] | None = None,
    ) -> None:
        """Add one statement; a resource with a ``*`` must come with the reason it needs one."""
        for resource in resources:
            if "*" not in resource:
                continue
            if wildcard_reason is None:
                msg = f"infrec-cdk bug: wildcard resource {resource!r} without a reason"
                raise AssertionError(msg)
            self.wildcards.append(
                Wildcard(resource=resource, reason=wildcard_reason, owners=owners)
            )
        statement: dict[str, object] = {
            "Effect": "Allow",
            "Action": list(actions),
            "Resource": list(resources),
        }
        if sid is not None:
            statement["Sid"] = sid
        if conditions is not None:
            statement["Condition"] = {key: dict(value) for key, value in conditions.items()}
        self.statements.append(statement)

    def document(self) -> iam.PolicyDocument:
        """Return the statements as one policy document, made in one call into Node.js."""
        return iam.PolicyDocument.from_json({"Version": "2012-10-17", "Statement": self.statements})

    def hosting(self) -> None:
        """Create, invoke and delete the temporary models and endpoints the job benchmarks."""
        self._allow(
            [
                "sagemaker:CreateModel",
                "sagemaker:DescribeModel",
                "sagemaker:DeleteModel",
                "sagemaker:CreateEndpointConfig",
                "sagemaker:DescribeEndpointConfig",
                "sagemaker:DeleteEndpointConfig",
                "sagemaker:CreateEndpoint",
                "sagemaker:DescribeEndpoint",
                "sagemaker:DeleteEndpoint",
                "sagemaker:InvokeEndpoint",
                "sagemaker:CreateCompilationJob",
                "sagemaker:DescribeCompilationJob",
                "sagemaker:StopCompilationJob",
                "sagemaker:AddTags",
            ],
            [
                self._arn("sagemaker", "model", "*"),
                self._arn("sagemaker", "endpoint-config", "*"),
                self._arn("sagemaker", "endpoint", "*"),
                self._arn("sagemaker", "compilation-job", "*"),
            ],
            sid="BenchmarkEndpoints",
            # The job names these resources itself, at run time, after the job name cut at 40
            # characters and with a suffix of its own: scoped by type, account and region only.
            wildcard_reason=(
                "Inference Recommender creates, invokes and deletes the benchmark models, "
                "endpoint configs, endpoints and compilation jobs under names it chooses at run "
                "time; the ARNs are scoped to their resource type in this account and region"
            ),
        )
        # CreateModel, CreateEndpointConfig and CreateCompilationJob take an execution role, and
        # "the caller of this API must have the iam:PassRole permission" (API reference,
        # CreateModel.ExecutionRoleArn); the job passes its own role to the resources it creates.
        self._allow(
            ["iam:PassRole"],
            [self._role_arn],
            sid="PassOwnRoleToSageMaker",
            conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        )

    def pass_model_role(self, role_arn: str) -> None:
        """Pass the right-sized model's own execution role to SageMaker.

        The benchmark models are created from the existing model; whether SageMaker keeps its
        ExecutionRoleArn or puts the job's role in its place is not documented. If it keeps it,
        the job's role is the caller of CreateModel and must be allowed to pass that role
        (API reference, CreateModel.ExecutionRoleArn; the Service Authorization Reference lists
        iam:PassRole as a dependent action of sagemaker:CreateModel). Only to SageMaker.
        """
        self._allow(
            ["iam:PassRole"],
            [role_arn],
            sid="PassModelRoleToSageMaker",
            conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        )

    def model_package(self, arn: str) -> None:
        """Read the model package version being right-sized."""
        self._allow(["sagemaker:DescribeModelPackage"], [arn])

    def container_images(self) -> None:
        """Pull the model's container images (they may live in AWS-owned accounts)."""
        self._allow(
            [
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchCheckLayerAvailability",
            ],
            # SageMaker refuses cross-region images ("Cross region ECR image pulls are not
            # allowed"), so the region is this stack's; the account stays open because prebuilt
            # SageMaker and Deep Learning Container images live in AWS-owned accounts.
            [self._arns.arn("ecr", "repository", "*", account="*")],
            sid="PullImages",
            wildcard_reason=(
                "The model's images may be prebuilt SageMaker or Deep Learning Container images "
                "in AWS-owned accounts, and the model package's image is not known at synth "
                "time; the ARN is limited to ECR repositories in this region, the only region "
                "SageMaker pulls from"
            ),
        )
        self._allow(
            ["ecr:GetAuthorizationToken"],
            ["*"],
            sid="EcrLogin",
            # GetAuthorizationToken has no resource type: IAM accepts only "*".
            wildcard_reason="ecr:GetAuthorizationToken supports no resource-level permissions",
        )

    def metrics_and_logs(self) -> None:
        """Let the benchmark endpoints publish metrics and logs."""
        # Each benchmark's CPU and memory utilization is part of the results
        # (RecommendationMetrics.CpuUtilization, MemoryUtilization: the endpoints' CloudWatch
        # metrics). Whether Inference Recommender reads them with this role is not documented;
        # AmazonSageMakerFullAccess, the policy the prerequisites prescribe, has these reads.
        # They take no resource type and no condition key: only "*".
        self._allow(
            [
                "cloudwatch:GetMetricData",
                "cloudwatch:GetMetricStatistics",
                "cloudwatch:ListMetrics",
            ],
            ["*"],
            sid="BenchmarkMetricsRead",
            wildcard_reason=(
                "cloudwatch:GetMetricData, GetMetricStatistics and ListMetrics support no "
                "resource-level permissions; the benchmark endpoints' utilization metrics are "
                "part of the job's results (AmazonSageMakerFullAccess, the policy the Inference "
                "Recommender prerequisites prescribe, grants the same reads)"
            ),
        )
        self._allow(
            ["cloudwatch:PutMetricData"],
            ["*"],
            sid="EndpointMetrics",
            # PutMetricData has no resource type: IAM accepts only "*". It does take the
            # cloudwatch:namespace condition key: SageMaker publishes under /aws/sagemaker/...
            # (the AWS/... namespaces are reserved and never written with a caller's role).
            conditions={"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}},
            wildcard_reason=(
                "cloudwatch:PutMetricData supports no resource-level permissions; the statement "
                "is limited to the /aws/sagemaker/* metric namespaces by cloudwatch:namespace"
            ),
        )
        self._allow(
            [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DescribeLogStreams",
            ],
            # The endpoints log to /aws/sagemaker/Endpoints/<endpoint>, compilation jobs to
            # /aws/sagemaker/CompilationJobs; streams are covered by the trailing "*" too.
            [self._arns.arn("logs", "log-group", "/aws/sagemaker/*", separator=":")],
            sid="EndpointLogs",
            wildcard_reason=(
                "The benchmark endpoints and compilation jobs log to log groups under "
                "/aws/sagemaker/ named after resources the job creates at run time; the ARN is "
                "limited to that prefix in this account and region"
            ),
        )

    def read_object(self, url: str) -> None:
        """Read one S3 object (sample payload, model artefacts), when its URL is known."""
        if is_unresolved(url):
            return
        match = _S3_URL.match(url)
        if match is None:
            return
        self._allow(
            ["s3:GetObject"],
            [f"arn:{self._arns.partition}:s3:::{match['bucket']}/{match['key']}"],
        )

    def read_asset_object(self, payload: StagedPayload) -> None:
        """Read the sample payload staged as a CDK file asset: that one object, no other.

        Its bucket is the CDK bootstrap bucket (SSE-KMS). How it is encrypted decides whether the
        role needs a KMS grant as well:

        * by default, with the AWS managed key ``aws/s3`` ("By default, the Amazon S3 bucket in
          the bootstrap stack is configure[d] to use AWS managed keys for server-side
          encryption", https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-customizing.html;
          the CLI passes ``FileAssetsBucketKmsKeyId=AWS_MANAGED_KEY``). S3 writes that key's
          policy, whose statement "Allow access through S3 for all principals in the account
          that are authorized to use S3" allows ``kms:Decrypt`` under ``kms:CallerAccount`` and
          ``kms:ViaService``: no grant needed (AWS publishes this policy in each account, not
          on a documentation page; ``aws kms get-key-policy --key-id alias/aws/s3`` shows it);
        * with ``cdk bootstrap --bootstrap-customer-key``: the bootstrap template's
          ``FileAssetsBucketEncryptionKey`` policy allows ``kms:Decrypt`` to ``"AWS": "*"``
          under ``kms:CallerAccount`` (this account) and ``kms:ViaService``
          (``s3.<region>.amazonaws.com``) (aws-cdk CLI ``lib/api/bootstrap/
          bootstrap-template.yaml``): no grant needed either. aws-cdk-lib says the same of
          ``FileAssetLocation.kmsKeyArn``: "The CDK bootstrap stack comes with a key policy
          that does not require setting this property";
        * with ``--bootstrap-kms-key-id``: a key whose policy we cannot see at synth time.
          ``PayloadConfig.from_asset(asset_bucket_key=...)`` grants ``kms:Decrypt`` on it,
          through S3 only (enough when its policy leaves access to IAM policies).
        """
        self._allow(
            ["s3:GetObject"],
            [f"arn:{self._arns.partition}:s3:::{payload.bucket_name}/{payload.object_key}"],
        )
        if payload.key_arn is not None:
            self._allow(
                ["kms:Decrypt"],
                [payload.key_arn],
                sid="SamplePayloadKey",
                # Only to read the payload object through S3 (conditions-kms.html, ViaService).
                conditions={
                    "StringEquals": {
                        "kms:ViaService": f"s3.{self._arns.region}.{self._arns.url_suffix}"
                    }
                },
            )

    def write_prefix(self, bucket_arn: str, prefix: str, *, bucket: IConstruct) -> None:
        """Write compiled model artefacts below ``prefix`` of the output ``bucket``."""
        self._allow(
            ["s3:PutObject", "s3:GetObject"],
            [f"{bucket_arn}/{prefix}/*"],
            sid="WriteCompiledOutput",
            owners=(bucket,),
            wildcard_reason=(
                "The job writes compiled model artefacts under object keys it chooses below "
                "its output prefix of the output bucket (a recommender's jobs share one "
                "role: the prefix then covers the output prefixes of this stack's jobs)"
            ),
        )

    def volume_key(self, key_arn: str) -> None:
        """Attach the key to the benchmark endpoints' volumes."""
        # "The SageMaker execution role must have kms:CreateGrant permission in order to encrypt
        # data on the storage volume of the endpoints" (API reference, VolumeKmsKeyId), only for
        # AWS resources: kms:GrantIsForAWSResource applies to CreateGrant, ListGrants and
        # RevokeGrant alone, see the "kms:GrantIsForAWSResource" section of
        # https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html
        self._allow(
            ["kms:CreateGrant"],
            [key_arn],
            sid="VolumeKey",
            conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
        )
        # DescribeKey supports no such key (only kms:CallerAccount, RequestAlias, ViaService):
        # under that condition it was never allowed. SageMaker's own examples of a role using a
        # volume key grant it next to CreateGrant, on the key alone
        # (https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html).
        self._allow(["kms:DescribeKey"], [key_arn], sid="VolumeKeyDescribe")

    def output_key(self, key_arn: str) -> None:
        """Encrypt (and read back) the job's S3 outputs."""
        self._allow(
            ["kms:GenerateDataKey", "kms:Decrypt"],
            [key_arn],
            sid="OutputKey",
            # OutputConfig.KmsKeyId is used for S3 server-side encryption: only through S3.
            # kms:ViaService names the service endpoint, s3.<region>.amazonaws.com, and
            # s3.<region>.amazonaws.com.cn in the China regions: the partition's URL suffix
            # (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service,
            # https://docs.amazonaws.cn/en_us/aws/latest/userguide/endpoints-Beijing.html).
            conditions={
                "StringEquals": {
                    "kms:ViaService": f"s3.{self._arns.region}.{self._arns.url_suffix}"
                }
            },
        )

    def network_interfaces(self, vpc_config: object) -> None:
        """Place the benchmark endpoints in the job's subnets, with the job's security groups.

        ``vpc_config`` is ``InputConfig.VpcConfig``; subnets and groups it does not name at
        synth time (a token list) are allowed as any in this region.
        """
        config = vpc_config if isinstance(vpc_config, dict) else {}
        known_subnets = _ids(config.get("Subnets"))
        known_groups = _ids(config.get("SecurityGroupIds"))
        subnets = known_subnets or ["*"]
        security_groups = known_groups or ["*"]
        unknown = " (those the request names only by a token: any in this region)"
        if known_subnets is not None and known_groups is not None:
            unknown = ""
        # The actions are those of "Add permissions for Inference Recommender jobs running in an
        # Amazon VPC to custom IAM policies" (https://docs.aws.amazon.com/sagemaker/latest/dg/
        # inference-recommender-vpc-access.html), each on the narrowest resource IAM takes.
        self._allow(
            [
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcEndpoints",
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
            ],
            ["*"],
            sid="VpcDescribe",
            wildcard_reason="The ec2:Describe* actions support no resource-level permissions",
        )
        interfaces = self._arn("ec2", "network-interface", "*")
        self._allow(
            [
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
                "ec2:ModifyNetworkInterfaceAttribute",
            ],
            [interfaces],
            sid="VpcNetworkInterfaces",
            wildcard_reason=(
                "SageMaker modifies and cleans up the network interfaces it created for the "
                "benchmark endpoints, whose ids are only known at run time; the ARN covers "
                "network interfaces in this account and region"
            ),
        )
        # CreateNetworkInterface authorizes the new interface, its subnet and its security
        # groups as separate resources: the subnet and groups are named exactly. Their account
        # is left open because a shared VPC's subnets belong to the owner account; subnet and
        # security group ids are unique across accounts, so this names exactly one of each.
        subnet_arns = [self._ec2_arn("subnet", subnet) for subnet in subnets]
        group_arns = [self._ec2_arn("security-group", group) for group in security_groups]
        self._allow(
            ["ec2:CreateNetworkInterface"],
            [*subnet_arns, *group_arns, interfaces],
            sid="VpcCreateNetworkInterface",
            wildcard_reason=(
                "CreateNetworkInterface creates an interface whose id is not known before; the "
                f"job's subnets and security groups are named exactly{unknown}, their account "
                "left open so that subnets shared from another account's VPC work (ids are "
                "unique across accounts)"
            ),
        )
        # CreateNetworkInterfacePermission takes the ec2:Subnet condition key (the pattern
        # CodeBuild documents for the same hand-off): only interfaces in the job's subnets.
        # Moving an interface to other security groups authorizes the groups too: only the job's.
        self._allow(
            ["ec2:ModifyNetworkInterfaceAttribute"],
            group_arns,
            sid="VpcSecurityGroups",
            wildcard_reason=(
                "The job's security groups are named exactly"
                f"{unknown}, their account left open for a shared VPC (ids are unique across "
                "accounts)"
            ),
        )
        self._allow(
            ["ec2:CreateNetworkInterfacePermission"],
            [interfaces],
            sid="VpcNetworkInterfacePermission",
            conditions={"ArnLike": {"ec2:Subnet": subnet_arns}},
            wildcard_reason=(
                "SageMaker grants itself access to interfaces whose ids are only known at run "
                "time; the ec2:Subnet condition limits this to interfaces in the job's subnets"
            ),
        )

    def _ec2_arn(self, resource: str, resource_id: str) -> str:
        return self._arns.arn("ec2", resource, resource_id, account="*")
